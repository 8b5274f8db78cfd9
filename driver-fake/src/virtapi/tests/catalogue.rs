//! Agent builds, flavors (instance types) and resource-provider status.

use driver_api::Flavor;
use uuid::Uuid;
use virtapi::{AgentBuild, VirtAPI, VirtApiError};

use super::ctx;
use crate::virtapi::{FakeVirtAPI, ProviderStatusUpdate};

#[tokio::test]
async fn agent_build_get_by_triple_matches_exactly_or_answers_none() {
    let api = FakeVirtAPI::new();
    let linux = api.add_agent_build(
        AgentBuild::new("xen", "linux", "x86_64", "1.0").with_download("http://a/1", "aa"),
    );
    let windows = api.add_agent_build(AgentBuild::new("xen", "windows", "x86_64", "1.0"));
    assert_eq!((linux.id, windows.id), (1, 2));
    assert_eq!(
        api.agent_build_get_by_triple(&ctx(), "xen", "linux", "x86_64")
            .await
            .unwrap(),
        Some(linux)
    );
    for (hypervisor, os, arch) in [
        ("kvm", "linux", "x86_64"),
        ("xen", "linux", "i686"),
        ("XEN", "linux", "x86_64"),
    ] {
        assert_eq!(
            api.agent_build_get_by_triple(&ctx(), hypervisor, os, arch)
                .await
                .unwrap(),
            None
        );
    }
}

#[tokio::test]
async fn adding_an_agent_build_for_a_known_triple_replaces_it_and_keeps_its_id() {
    let api = FakeVirtAPI::new();
    let old = api.add_agent_build(AgentBuild::new("xen", "linux", "x86_64", "1.0"));
    let new = api.add_agent_build(AgentBuild::new("xen", "linux", "x86_64", "2.0"));
    assert_eq!(new.id, old.id);
    let found = api
        .agent_build_get_by_triple(&ctx(), "xen", "linux", "x86_64")
        .await
        .unwrap();
    assert_eq!(found.map(|b| b.version), Some("2.0".to_owned()));
}

#[tokio::test]
async fn instance_type_get_knows_novas_standard_flavors() {
    let api = FakeVirtAPI::new();
    let mut names = Vec::new();
    for id in 1..=5 {
        let flavor = api.instance_type_get(&ctx(), id).await.unwrap();
        assert_eq!(flavor.id, id);
        names.push(flavor.name);
    }
    assert_eq!(
        names,
        ["m1.tiny", "m1.small", "m1.medium", "m1.large", "m1.xlarge"]
    );
    assert_eq!(
        api.instance_type_get(&ctx(), 2).await.unwrap(),
        Flavor::m1_small()
    );
}

#[tokio::test]
async fn instance_type_get_of_an_unknown_id_is_not_found_until_inserted() {
    let api = FakeVirtAPI::new();
    for id in [0, 6, -1] {
        let error = api.instance_type_get(&ctx(), id).await.unwrap_err();
        assert!(matches!(
            error,
            VirtApiError::FlavorNotFound { instance_type_id } if instance_type_id == id
        ));
    }
    let mut custom = Flavor::new("c1.huge", 64, 262_144, 1000);
    custom.id = 6;
    assert_eq!(api.insert_instance_type(custom.clone()), None);
    assert_eq!(api.instance_type_get(&ctx(), 6).await.unwrap(), custom);
}

#[tokio::test]
async fn update_compute_provider_status_is_recorded() {
    let api = FakeVirtAPI::new();
    let rp = Uuid::new_v4();
    assert_eq!(api.compute_provider_status(rp), None);
    api.update_compute_provider_status(&ctx(), rp, false)
        .await
        .unwrap();
    assert_eq!(api.compute_provider_status(rp), Some(false));
    api.update_compute_provider_status(&ctx(), rp, false)
        .await
        .unwrap();
    api.update_compute_provider_status(&ctx(), rp, true)
        .await
        .unwrap();
    assert_eq!(api.compute_provider_status(rp), Some(true));
    assert_eq!(api.compute_provider_status(Uuid::new_v4()), None);
    let updates: Vec<bool> = api
        .compute_provider_status_updates()
        .iter()
        .map(|update: &ProviderStatusUpdate| {
            assert_eq!(update.rp_uuid, rp);
            update.enabled
        })
        .collect();
    assert_eq!(updates, vec![false, false, true]);
}
