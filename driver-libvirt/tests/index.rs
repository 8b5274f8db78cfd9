//! The driver's index of its domains against what libvirt has: a second
//! writer's changes, domains removed behind the driver's back, claims.

mod common;

use common::*;
use driver_api::{
    BlockDeviceInfo, ComputeDriver, ErrorKind, Flavor, ImageMeta, Instance, RequestContext, Secret,
};
use driver_libvirt::{LibvirtConfig, LibvirtDriver};
use uuid::Uuid;

async fn vcpus_used(d: &LibvirtDriver) -> u64 {
    let node = d.get_available_nodes(false).await.unwrap()[0].clone();
    d.get_available_resource(&node).await.unwrap().vcpus_used
}

/// Two drivers with one prefix on one hypervisor (test:///default): what one
/// adds or removes shows in the other after a listing; a flag it changes on
/// an instance the other has indexed shows after a rescan.
#[tokio::test]
async fn a_second_writer_shows_after_a_listing_or_a_rescan() {
    let prefix = format!("hvd-ix-{}-", &Uuid::new_v4().simple().to_string()[..8]);
    let config = LibvirtConfig::for_uri("test:///default")
        .with_prefix(prefix.clone())
        .with_purge_on_drop(true);
    let first = LibvirtDriver::connect(config.clone()).await.unwrap();
    let second = LibvirtDriver::connect(config.with_purge_on_drop(false))
        .await
        .unwrap();
    let vm = Instance::new(Uuid::new_v4(), Flavor::m1_small()).with_name(format!("{prefix}vm"));
    spawn(&first, &vm).await;

    // A listing brings the new instance (and its claim) into the second index.
    assert_eq!(second.list_instance_uuids().await.unwrap(), vec![vm.uuid]);
    assert_eq!(vcpus_used(&second).await, u64::from(vm.flavor.vcpus));

    first
        .rescue(
            &RequestContext::default(),
            &vm,
            &[],
            &ImageMeta::new("r"),
            Secret::new("x"),
        )
        .await
        .unwrap();
    // A rescan reads every record again.
    second.get_available_nodes(true).await.unwrap();
    assert!(second.get_info(&vm).await.unwrap().rescued);
    first.unrescue(&vm, &[]).await.unwrap();
    second.rescan().await.unwrap();
    assert!(!second.get_info(&vm).await.unwrap().rescued);

    first
        .destroy(&vm, &[], &BlockDeviceInfo::default(), true)
        .await
        .unwrap();
    assert!(second.list_instance_uuids().await.unwrap().is_empty());
    assert_eq!(vcpus_used(&second).await, 0);
}

/// A domain undefined behind the driver's back: not found, not listed, its
/// claim released, and destroy still succeeds.
#[tokio::test]
async fn a_domain_removed_behind_the_drivers_back_is_gone() {
    let d = driver().await;
    let vm = instance("vanishing");
    let kept = instance("kept");
    spawn(&d, &vm).await;
    spawn(&d, &kept).await;
    assert_eq!(vcpus_used(&d).await, 2 * u64::from(Flavor::m1_tiny().vcpus));

    let dom = d
        .connection()
        .lookup_domain_by_name(&d.domain_name(vm.uuid))
        .unwrap();
    dom.destroy().unwrap();
    dom.undefine().unwrap();

    assert_eq!(
        d.get_info(&vm).await.unwrap_err().kind(),
        ErrorKind::InstanceNotFound
    );
    assert_eq!(
        d.pause(&vm).await.unwrap_err().kind(),
        ErrorKind::InstanceNotFound
    );
    assert_eq!(d.list_instances().await.unwrap(), vec!["kept".to_owned()]);
    assert_eq!(vcpus_used(&d).await, u64::from(Flavor::m1_tiny().vcpus));
    d.destroy(&vm, &[], &BlockDeviceInfo::default(), true)
        .await
        .unwrap();
    assert_eq!(state(&d, &kept).await, driver_api::PowerState::Running);
}

/// Claims follow spawn and destroy, and a name frees up with its instance.
#[tokio::test]
async fn claims_and_names_follow_spawn_and_destroy() {
    let d = driver().await;
    let vms: Vec<Instance> = (0..5).map(|i| instance(&format!("vm-{i}"))).collect();
    for vm in &vms {
        spawn(&d, vm).await;
    }
    assert_eq!(vcpus_used(&d).await, 5 * u64::from(Flavor::m1_tiny().vcpus));
    for vm in &vms[..3] {
        d.destroy(vm, &[], &BlockDeviceInfo::default(), true)
            .await
            .unwrap();
    }
    assert_eq!(vcpus_used(&d).await, 2 * u64::from(Flavor::m1_tiny().vcpus));
    // The name of a destroyed instance may be used again.
    spawn(&d, &instance("vm-0")).await;
    assert_eq!(
        d.list_instances().await.unwrap(),
        vec!["vm-0".to_owned(), "vm-3".to_owned(), "vm-4".to_owned()]
    );
}
