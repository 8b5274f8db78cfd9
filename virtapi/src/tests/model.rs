use std::collections::BTreeMap;
use std::fmt::Debug;
use std::net::IpAddr;

use driver_api::{Flavor, Instance, PowerState, TaskState, VmState};
use serde::de::DeserializeOwned;
use serde::Serialize;
use uuid::Uuid;

use crate::{
    AgentBuild, Aggregate, Cidr, EventName, EventStatus, InstanceEvent, InstanceEventName,
    InstanceUpdate, IpProtocol, ProviderFirewallRule, RuleSource, SecurityGroup, SecurityGroupRule,
    VirtApiErrorKind,
};

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: &T) {
    let json = serde_json::to_string(value).unwrap();
    let back: T = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, value, "{json}");
}

#[test]
fn every_model_type_round_trips_through_json() {
    round_trip(
        &Aggregate::new(3, "agg")
            .with_host("h1")
            .with_availability_zone("az1"),
    );
    round_trip(&SecurityGroup::new(1, "default", "p").with_description("d"));
    round_trip(&SecurityGroupRule::new(
        IpProtocol::Icmp,
        -1,
        -1,
        RuleSource::Group(4),
    ));
    round_trip(&SecurityGroupRule::new(
        IpProtocol::Tcp,
        80,
        443,
        RuleSource::Cidr("2001:db8::/32".parse().unwrap()),
    ));
    round_trip(&ProviderFirewallRule::new(
        IpProtocol::Udp,
        53,
        53,
        "10.0.0.0/8".parse().unwrap(),
    ));
    round_trip(&AgentBuild::new("xen", "linux", "x86_64", "1.0").with_download("http://a", "ff"));
    round_trip(&InstanceEvent::failed(
        InstanceEventName::network_vif_plugged(Uuid::new_v4()),
    ));
    round_trip(&InstanceEventName::new(EventName::PowerUpdate));
    round_trip(&EventStatus::InProgress);
    round_trip(&VirtApiErrorKind::Timeout);
    round_trip(
        &InstanceUpdate::new()
            .with_name("n")
            .clearing_host()
            .with_node("node")
            .with_flavor(Flavor::m1_small())
            .with_image_ref("img")
            .with_metadata(BTreeMap::from([("k".into(), "v".into())]))
            .with_vm_state(VmState::Active)
            .with_task_state(None)
            .with_power_state(PowerState::Paused)
            .expecting_task_state(Some(TaskState::Spawning)),
    );
    round_trip(&InstanceUpdate::new());
}

#[test]
fn names_serialise_as_nova_spells_them() {
    let json = serde_json::to_value(InstanceEvent::new(
        InstanceEventName::tagged(EventName::VolumeExtended, "vol-1"),
        EventStatus::InProgress,
    ))
    .unwrap();
    assert_eq!(
        json,
        serde_json::json!({"name": "volume-extended", "tag": "vol-1", "status": "in-progress"})
    );
    assert_eq!(serde_json::to_value(IpProtocol::Icmp).unwrap(), "icmp");
    assert_eq!(
        serde_json::to_value(Cidr::any_v4()).unwrap(),
        serde_json::json!("0.0.0.0/0")
    );
}

#[test]
fn cidr_parses_v4_and_v6_and_rejects_bad_prefixes() {
    let v6: Cidr = "fe80::/10".parse().unwrap();
    assert_eq!(v6.prefix_len(), 10);
    assert_eq!(v6.address(), "fe80::".parse::<IpAddr>().unwrap());
    assert!("::/128".parse::<Cidr>().is_ok());
    for bad in ["::/129", "1.2.3.4/33", "1.2.3.4", "x/8", "1.2.3.4/-1", ""] {
        let error = bad.parse::<Cidr>().unwrap_err();
        assert_eq!(error.input, bad);
    }
    assert!(serde_json::from_str::<Cidr>("\"10.0.0.0/99\"").is_err());
}

#[test]
fn instance_update_absent_keeps_and_null_clears() {
    let keep: InstanceUpdate = serde_json::from_str("{}").unwrap();
    assert!(keep.is_empty());
    let clear: InstanceUpdate =
        serde_json::from_str(r#"{"host": null, "task_state": null}"#).unwrap();
    assert_eq!(clear.host, Some(None));
    assert_eq!(clear.task_state, Some(None));
    let set: InstanceUpdate = serde_json::from_str(r#"{"task_state": "spawning"}"#).unwrap();
    assert_eq!(set.task_state, Some(Some(TaskState::Spawning)));
}

#[test]
fn instance_update_applies_every_field() {
    let mut instance = Instance::new(Uuid::new_v4(), Flavor::m1_tiny())
        .with_host("old-host")
        .with_node("old-node");
    let metadata = BTreeMap::from([("role".to_owned(), "db".to_owned())]);
    let update = InstanceUpdate::new()
        .with_name("renamed")
        .clearing_host()
        .clearing_node()
        .with_flavor(Flavor::m1_large())
        .with_image_ref("new-image")
        .with_metadata(metadata.clone())
        .with_vm_state(VmState::Stopped)
        .with_task_state(Some(TaskState::PoweringOn))
        .with_power_state(PowerState::Shutdown);
    assert!(!update.is_empty());
    update.apply(&mut instance).unwrap();
    assert_eq!(instance.name, "renamed");
    assert_eq!(instance.host, None);
    assert_eq!(instance.node, None);
    assert_eq!(instance.flavor, Flavor::m1_large());
    assert_eq!(instance.image_ref, "new-image");
    assert_eq!(instance.metadata, metadata);
    assert_eq!(instance.vm_state, VmState::Stopped);
    assert_eq!(instance.task_state, Some(TaskState::PoweringOn));
    assert_eq!(instance.power_state, PowerState::Shutdown);
}

#[test]
fn an_empty_update_changes_nothing() {
    let before = Instance::new(Uuid::new_v4(), Flavor::m1_tiny());
    let mut after = before.clone();
    InstanceUpdate::new().apply(&mut after).unwrap();
    assert_eq!(before, after);
}

#[test]
fn the_task_state_guard_accepts_any_listed_state_including_none() {
    let mut instance = Instance::new(Uuid::new_v4(), Flavor::m1_tiny());
    instance.task_state = None;
    let update = InstanceUpdate::new()
        .expecting_task_state(Some(TaskState::Rebooting))
        .expecting_task_state(None)
        .with_vm_state(VmState::Active);
    update.apply(&mut instance).unwrap();
    assert_eq!(instance.vm_state, VmState::Active);

    instance.task_state = Some(TaskState::Deleting);
    let before = instance.clone();
    let error = update
        .clone()
        .with_vm_state(VmState::Error)
        .apply(&mut instance)
        .unwrap_err();
    assert_eq!(error.kind(), VirtApiErrorKind::UnexpectedTaskState);
    assert_eq!(instance, before);
    match error {
        crate::VirtApiError::UnexpectedTaskState {
            instance_uuid,
            expected,
            actual,
        } => {
            assert_eq!(instance_uuid, instance.uuid);
            assert_eq!(expected, vec![Some(TaskState::Rebooting), None]);
            assert_eq!(actual, Some(TaskState::Deleting));
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn a_guard_alone_is_an_empty_update() {
    assert!(InstanceUpdate::new().expecting_task_state(None).is_empty());
}

#[test]
fn merge_metadata_without_set_delete_keeps_other_keys() {
    let mut agg = Aggregate::new(1, "a")
        .with_metadata("a", "1")
        .with_metadata("b", "1");
    agg.merge_metadata(
        BTreeMap::from([("b".into(), "2".into()), ("c".into(), "3".into())]),
        false,
    );
    let expected: BTreeMap<String, String> = [("a", "1"), ("b", "2"), ("c", "3")]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    assert_eq!(agg.metadata, expected);
}

#[test]
fn merge_metadata_with_set_delete_and_an_empty_map_clears_everything() {
    let mut agg = Aggregate::new(1, "a").with_availability_zone("az");
    agg.merge_metadata(BTreeMap::new(), true);
    assert!(agg.metadata.is_empty());
    assert_eq!(agg.availability_zone(), None);
}

#[test]
fn agent_builds_match_their_exact_triple() {
    let build = AgentBuild::new("xen", "linux", "x86_64", "1");
    assert!(build.matches("xen", "linux", "x86_64"));
    assert!(!build.matches("xen", "linux", "i686"));
    assert!(!build.matches("Xen", "linux", "x86_64"));
}

#[test]
fn rule_cidr_is_none_for_group_sources() {
    let rule = SecurityGroupRule::new(IpProtocol::Tcp, 1, 2, RuleSource::Group(9));
    assert_eq!(rule.cidr(), None);
}

#[test]
fn event_names_display_with_and_without_tags() {
    let event = InstanceEvent::completed(InstanceEventName::tagged(
        EventName::NetworkVifUnplugged,
        "x",
    ));
    assert_eq!(event.event_name().to_string(), "network-vif-unplugged-x");
    assert_eq!(event.status.to_string(), "completed");
    assert_eq!(EventStatus::Failed.to_string(), "failed");
}
