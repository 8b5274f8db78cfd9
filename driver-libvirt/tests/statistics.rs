//! By-name statistics, disk facts, resources details and host-boot recovery
//! on test:///.

mod common;

use std::net::{IpAddr, Ipv4Addr};

use common::*;
use driver_api::{
    BlockDeviceInfo, ComputeDriver, ErrorKind, ImageMeta, Network, PowerState, RequestContext,
    Subnet, Vif,
};
use uuid::Uuid;

fn vif() -> Vif {
    let subnet = Subnet::new(
        "10.0.0.0/24",
        None,
        vec![IpAddr::V4(Ipv4Addr::new(10, 0, 0, 5))],
    );
    Vif::new(
        Uuid::new_v4(),
        "fa:16:3e:00:00:01",
        Network::new(Uuid::new_v4(), "private", subnet),
    )
}

#[tokio::test]
async fn statistics_by_name() {
    let d = driver().await;
    let vm = instance("stats");
    let nic = vif();
    d.spawn(
        &RequestContext::default(),
        &vm,
        &ImageMeta::new("image"),
        &[],
        None,
        std::slice::from_ref(&nic),
        &BlockDeviceInfo::default(),
        true,
    )
    .await
    .unwrap();
    let diagnostics = d.get_diagnostics("stats").await.unwrap();
    assert_eq!(diagnostics.state, PowerState::Running);
    assert!(diagnostics
        .disk_details
        .iter()
        .any(|disk| disk.device == "vda"));
    d.block_stats("stats", "vda").await.unwrap();
    let devname = nic.devname.clone().unwrap();
    d.interface_stats("stats", &devname).await.unwrap();
    assert_eq!(
        d.block_stats("stats", "nosuch").await.unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    for err in [
        d.block_stats("nobody", "vda").await.unwrap_err(),
        d.interface_stats("nobody", &devname).await.unwrap_err(),
        d.get_diagnostics("nobody").await.unwrap_err(),
        d.get_instance_disk_info("nobody").await.unwrap_err(),
    ] {
        assert_eq!(err.kind(), ErrorKind::InstanceNotFound);
    }
    d.pause(&vm).await.unwrap();
    assert_eq!(
        d.get_diagnostics("stats").await.unwrap().state,
        PowerState::Paused
    );
}

#[tokio::test]
async fn disk_facts() {
    let d = driver().await;
    let vm = instance("disks");
    spawn(&d, &vm).await;
    let disks = d.get_instance_disk_info("disks").await.unwrap();
    assert_eq!(disks.len(), 1);
    assert_eq!(disks[0].virt_disk_size, 1 << 30); // m1.tiny: 1 GiB root
    assert!(d.instance_on_disk(&vm).await.unwrap());
    let least = d.get_disk_available_least().await.unwrap();
    assert_eq!(least, 1000 - 1);
}

#[tokio::test]
async fn resources_name_their_hypervisor() {
    let d = driver().await;
    let node = d.get_available_nodes(false).await.unwrap()[0].clone();
    let r = d.get_available_resource(&node).await.unwrap();
    assert_eq!(r.hypervisor_type, "TEST");
    assert!(r
        .supported_instances
        .iter()
        .any(|s| s.hypervisor_type == "test"));
    assert!(
        r.hypervisor_version > 0,
        "hypervisor_version {}",
        r.hypervisor_version
    );
}

#[tokio::test]
async fn host_boot_recovery_starts_what_is_off() {
    let d = driver().await;
    let vm = instance("boot");
    spawn(&d, &vm).await;
    let ctx = RequestContext::default();
    let bdi = BlockDeviceInfo::default();
    d.power_off(&vm, std::time::Duration::ZERO).await.unwrap();
    let events = record_events(&d);
    d.resume_state_on_host_boot(&ctx, &vm, &[], &bdi)
        .await
        .unwrap();
    assert_eq!(state(&d, &vm).await, PowerState::Running);
    d.resume_state_on_host_boot(&ctx, &vm, &[], &bdi)
        .await
        .unwrap();
    assert_eq!(
        take(&events),
        vec![driver_api::LifecycleTransition::Started]
    );
    d.pause(&vm).await.unwrap();
    d.resume_state_on_host_boot(&ctx, &vm, &[], &bdi)
        .await
        .unwrap();
    assert_eq!(state(&d, &vm).await, PowerState::Paused);
}
