//! Identity, resources, capabilities, isolation and read-only mode on test:///.

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use driver_api::{
    BlockDeviceInfo, ComputeDriver, ConnectionInfo, ErrorKind, Feature, Flavor, ImageMeta,
    Instance, RequestContext, Secret, TaskState,
};
use driver_libvirt::{LibvirtConfig, LibvirtDriver};
use uuid::Uuid;

async fn try_spawn(d: &LibvirtDriver, vm: &Instance) -> driver_api::DriverResult<()> {
    d.spawn(
        &RequestContext::default(),
        vm,
        &ImageMeta::new("image"),
        &[],
        None,
        &[],
        &BlockDeviceInfo::default(),
        true,
    )
    .await
}

#[tokio::test]
async fn uuid_and_name_are_unique() {
    let d = driver().await;
    let vm = instance("same");
    spawn(&d, &vm).await;
    let err = try_spawn(&d, &vm).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InstanceExists);
    let twin = instance("same");
    let err = try_spawn(&d, &twin).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InstanceExists);
    assert_eq!(d.list_instances().await.unwrap().len(), 1);
}

#[tokio::test]
async fn claims_follow_flavors_and_capacity_is_enforced() {
    let config = LibvirtConfig::default().with_test_node(4, 8192);
    let d = LibvirtDriver::connect(config).await.unwrap();
    let node = d.get_available_nodes(false).await.unwrap()[0].clone();
    let before = d.get_available_resource(&node).await.unwrap();
    assert_eq!(before.vcpus, 64); // 4 CPUs × 16.0
    assert_eq!(before.memory_mb, 12288); // 8192 MiB × 1.5
    assert_eq!(
        (
            before.vcpus_used,
            before.memory_mb_used,
            before.local_gb_used
        ),
        (0, 0, 0)
    );

    let vm = Instance::new(Uuid::new_v4(), Flavor::m1_small());
    spawn(&d, &vm).await;
    let after = d.get_available_resource(&node).await.unwrap();
    assert_eq!(
        (after.vcpus_used, after.memory_mb_used, after.local_gb_used),
        (1, 2048, 20)
    );

    let huge = Instance::new(Uuid::new_v4(), Flavor::new("huge", 1, 20000, 1));
    let err = try_spawn(&d, &huge).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InsufficientResources);
    assert_eq!(d.list_instance_uuids().await.unwrap(), vec![vm.uuid]);

    d.destroy(&vm, &[], &BlockDeviceInfo::default(), true)
        .await
        .unwrap();
    let released = d.get_available_resource(&node).await.unwrap();
    assert_eq!(released.used(), before.used());
}

#[tokio::test]
async fn nodes_follow_init_host() {
    let d = driver().await;
    d.init_host("compute-7").await.unwrap();
    assert_eq!(
        d.get_available_nodes(true).await.unwrap(),
        vec!["compute-7".to_owned()]
    );
    assert!(d.get_available_resource("compute-7").await.is_ok());
    assert_eq!(
        d.get_available_resource("elsewhere")
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::NodeNotFound
    );
    let vm = instance("vm").with_node("elsewhere");
    assert_eq!(
        try_spawn(&d, &vm).await.unwrap_err().kind(),
        ErrorKind::NodeNotFound
    );
    assert_eq!(
        d.init_host("").await.unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
}

#[tokio::test]
async fn test_driver_declares_no_devices_or_consoles() {
    let d = driver().await;
    let caps = d.capabilities();
    for feature in [
        Feature::Volumes,
        Feature::Interfaces,
        Feature::VncConsole,
        Feature::SpiceConsole,
        Feature::SerialConsole,
        Feature::ConsoleOutput,
    ] {
        assert!(!caps.supports(feature), "{feature} declared on test:///");
    }
    assert!(caps.supports(Feature::Pause) && caps.supports(Feature::Snapshot));
    let vm = instance("vm");
    spawn(&d, &vm).await;
    let info = ConnectionInfo::new("fake", "vol-1");
    let err = d.attach_volume(&info, &vm, "/dev/sdb").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotSupported);
    assert_eq!(
        d.get_vnc_console(&vm).await.unwrap_err().kind(),
        ErrorKind::NotSupported
    );
    assert_eq!(
        d.get_console_output(&vm).await.unwrap_err().kind(),
        ErrorKind::NotSupported
    );
}

#[tokio::test]
async fn snapshot_reports_task_states_in_order() {
    let d = driver().await;
    let vm = instance("snap");
    spawn(&d, &vm).await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let cb: driver_api::TaskStateCallback = Arc::new(move |a, b| sink.lock().unwrap().push((a, b)));
    let ctx = RequestContext::default();
    d.snapshot(&ctx, &vm, "image-1", cb.clone()).await.unwrap();
    d.snapshot(&ctx, &vm, "image-1", cb.clone()).await.unwrap(); // same image again
    assert_eq!(
        seen.lock().unwrap()[..2],
        [
            (TaskState::ImagePendingUpload, TaskState::ImageSnapshot),
            (TaskState::ImageUploading, TaskState::ImagePendingUpload)
        ]
    );
    d.soft_delete(&vm).await.unwrap();
    let err = d.snapshot(&ctx, &vm, "image-2", cb).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidState);
    d.destroy(&vm, &[], &BlockDeviceInfo::default(), true)
        .await
        .unwrap();
}

#[tokio::test]
async fn inject_file_validates_input() {
    let d = driver().await;
    let vm = instance("inj");
    spawn(&d, &vm).await;
    // "/etc/motd", "hello"
    d.inject_file(&vm, "L2V0Yy9tb3Rk", "aGVsbG8=")
        .await
        .unwrap();
    assert_eq!(
        d.inject_file(&vm, "!!", "aGVsbG8=")
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidInput
    );
    // "etc/motd" is relative
    assert_eq!(
        d.inject_file(&vm, "ZXRjL21vdGQ=", "aGVsbG8=")
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidInput
    );
    let ghost = instance("ghost");
    assert_eq!(
        d.inject_file(&ghost, "L2V0Yy9tb3Rk", "aGVsbG8=")
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::InstanceNotFound
    );
}

/// test:///default is one hypervisor per process, with a foreign domain
/// "test": two drivers sharing it see each other's records and never that
/// domain; a driver with another prefix sees none of them.
#[tokio::test]
async fn drivers_on_one_hypervisor_share_state_and_ignore_foreign_domains() {
    let prefix = format!("hvd-{}-", &Uuid::new_v4().simple().to_string()[..8]);
    let config = LibvirtConfig::for_uri("test:///default").with_prefix(prefix.clone());
    let first = LibvirtDriver::connect(config.clone()).await.unwrap();
    let second = LibvirtDriver::connect(config).await.unwrap();
    let stranger =
        LibvirtDriver::connect(LibvirtConfig::for_uri("test:///default").with_prefix("other-"))
            .await
            .unwrap();

    let vm = instance(&format!("{prefix}vm"));
    spawn(&first, &vm).await;
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
    let seen = second.get_info(&vm).await.unwrap();
    assert!(seen.rescued);
    assert_eq!(second.list_instance_uuids().await.unwrap(), vec![vm.uuid]);
    assert!(!second
        .list_instances()
        .await
        .unwrap()
        .contains(&"test".to_owned()));
    assert!(!stranger
        .list_instance_uuids()
        .await
        .unwrap()
        .contains(&vm.uuid));
    assert_eq!(
        stranger.get_info(&vm).await.unwrap_err().kind(),
        ErrorKind::InstanceNotFound
    );
    second
        .destroy(&vm, &[], &BlockDeviceInfo::default(), true)
        .await
        .unwrap();
    assert!(first.list_instance_uuids().await.unwrap().is_empty());
}

#[tokio::test]
async fn read_only_refuses_every_change() {
    let d = LibvirtDriver::connect(LibvirtConfig::default().with_read_only(true))
        .await
        .unwrap();
    let vm = instance("ro");
    assert_eq!(
        try_spawn(&d, &vm).await.unwrap_err().kind(),
        ErrorKind::ReadOnly
    );
    assert_eq!(d.pause(&vm).await.unwrap_err().kind(), ErrorKind::ReadOnly);
    assert_eq!(
        d.destroy(&vm, &[], &BlockDeviceInfo::default(), true)
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::ReadOnly
    );
    assert!(d.list_instances().await.unwrap().is_empty());
    let node = d.get_available_nodes(false).await.unwrap()[0].clone();
    assert!(d.get_available_resource(&node).await.is_ok());
}

#[tokio::test]
async fn private_test_hypervisors_do_not_share() {
    let a = driver().await;
    let b = driver().await;
    let vm = instance("mine");
    spawn(&a, &vm).await;
    assert!(b.list_instance_uuids().await.unwrap().is_empty());
}
