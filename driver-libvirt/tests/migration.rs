//! Cold migration between two private test:/// hypervisors, and same-host
//! resize with revert and confirm.

mod common;

use common::*;
use driver_api::{
    BlockDeviceInfo, ComputeDriver, ErrorKind, Flavor, ImageMeta, LifecycleTransition as Ev,
    Migration, PowerState, RequestContext,
};
use driver_libvirt::LibvirtDriver;

async fn used(d: &LibvirtDriver) -> (u64, u64, u64) {
    let node = d.get_available_nodes(false).await.unwrap()[0].clone();
    let r = d.get_available_resource(&node).await.unwrap();
    (r.vcpus_used, r.memory_mb_used, r.local_gb_used)
}

#[tokio::test]
async fn cold_migration_moves_the_instance_once() {
    let (a, b) = (driver().await, driver().await);
    let vm = instance("mover");
    spawn(&a, &vm).await;
    let (ctx, bdi) = (RequestContext::default(), BlockDeviceInfo::default());
    let disks = a
        .migrate_disk_and_power_off(&ctx, &vm, "host-b", &Flavor::m1_small(), &[], &bdi)
        .await
        .unwrap();
    assert_eq!(disks.len(), 1);
    assert_eq!(state(&a, &vm).await, PowerState::Shutdown);
    let resized = vm.clone().with_flavor(Flavor::m1_small());
    let migration = Migration::new(vm.uuid, "host-a", "host-b");
    let events = record_events(&b);
    b.finish_migration(
        &ctx,
        &migration,
        &resized,
        &disks,
        &[],
        &ImageMeta::new("i"),
        true,
        &bdi,
        true,
    )
    .await
    .unwrap();
    assert_eq!(take(&events), vec![Ev::Started]);
    assert_eq!(used(&b).await, (1, 2048, 20));
    a.confirm_migration(&migration, &vm, &[]).await.unwrap();
    a.confirm_migration(&migration, &vm, &[]).await.unwrap();
    assert!(a.list_instance_uuids().await.unwrap().is_empty());
    assert_eq!(used(&a).await, (0, 0, 0));
    assert_eq!(b.list_instance_uuids().await.unwrap(), vec![vm.uuid]);
}

#[tokio::test]
async fn same_host_resize_reverts_and_confirms() {
    let d = driver().await;
    let vm = instance("grower");
    spawn(&d, &vm).await;
    let (ctx, bdi) = (RequestContext::default(), BlockDeviceInfo::default());
    let same = Migration::new(vm.uuid, "host", "host");
    let bigger = vm.clone().with_flavor(Flavor::m1_small());

    // finish_migration without migrate_disk_and_power_off first: it exists.
    let err = d
        .finish_migration(
            &ctx,
            &same,
            &bigger,
            &vec![],
            &[],
            &ImageMeta::new("i"),
            true,
            &bdi,
            true,
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InstanceExists);

    let disks = d
        .migrate_disk_and_power_off(&ctx, &vm, "host", &Flavor::m1_small(), &[], &bdi)
        .await
        .unwrap();
    d.finish_migration(
        &ctx,
        &same,
        &bigger,
        &disks,
        &[],
        &ImageMeta::new("i"),
        true,
        &bdi,
        true,
    )
    .await
    .unwrap();
    assert_eq!(state(&d, &vm).await, PowerState::Running);
    assert_eq!(used(&d).await, (1, 2048, 20));
    assert_eq!(d.get_info(&vm).await.unwrap().max_mem_kb, 2048 * 1024);

    d.finish_revert_migration(&vm, &[], &bdi, true)
        .await
        .unwrap();
    assert_eq!(used(&d).await, (1, 512, 1));
    assert_eq!(state(&d, &vm).await, PowerState::Running);

    d.migrate_disk_and_power_off(&ctx, &vm, "host", &Flavor::m1_small(), &[], &bdi)
        .await
        .unwrap();
    d.finish_migration(
        &ctx,
        &same,
        &bigger,
        &disks,
        &[],
        &ImageMeta::new("i"),
        true,
        &bdi,
        true,
    )
    .await
    .unwrap();
    d.confirm_migration(&same, &vm, &[]).await.unwrap();
    assert_eq!(used(&d).await, (1, 2048, 20));
    assert_eq!(d.list_instance_uuids().await.unwrap(), vec![vm.uuid]);
}
