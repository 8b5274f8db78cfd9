//! Real QEMU guests (tier 2). Each test is ignored (with the reason) unless
//! asked for: `LIBVIRT_TIER2_URI="$URI" cargo test -p driver-libvirt --
//! --include-ignored`, where `URI` names a libvirtd (e.g.
//! `qemu:///system?socket=/tmp/lvstate/run/libvirt-sock`, as `.ci/libvirtd.sh
//! start` prints). Asked for without `LIBVIRT_TIER2_URI`, a test fails: it
//! never passes without running.

mod common;

use std::time::Duration;

use common::*;
use driver_api::{
    BlockDeviceInfo, BlockDeviceMapping, ComputeDriver, ConnectionInfo, ErrorKind, Feature,
    ImageMeta, PowerState, RebootType, RequestContext, Secret,
};
use driver_libvirt::{LibvirtConfig, LibvirtDriver};

#[tokio::test]
#[ignore = "tier 2: needs a libvirtd (LIBVIRT_TIER2_URI); run with --include-ignored"]
async fn qemu_lifecycle_console_and_vnc() {
    let d = qemu().await;
    assert!(!d.is_test_driver());
    let caps = d.capabilities();
    assert!(caps.supports(Feature::Volumes) && caps.supports(Feature::ConsoleOutput));
    let vm = instance(&format!("t2-life-{}", uuid::Uuid::new_v4()));
    spawn(&d, &vm).await;
    let (ctx, bdi) = (RequestContext::default(), BlockDeviceInfo::default());
    assert!(d.get_vnc_console(&vm).await.unwrap().port >= 5900);
    let serial = d.get_serial_console(&vm).await.unwrap();
    std::net::TcpStream::connect(("127.0.0.1", serial.port))
        .expect("QEMU listens on the serial port");
    d.pause(&vm).await.unwrap();
    d.suspend(&vm).await.unwrap();
    assert_eq!(state(&d, &vm).await, PowerState::Suspended);
    assert_eq!(
        d.get_vnc_console(&vm).await.unwrap_err().kind(),
        ErrorKind::InstanceNotRunning
    );
    d.resume(&vm, &[], &bdi).await.unwrap();
    assert_eq!(state(&d, &vm).await, PowerState::Running);
    d.reboot(&ctx, &vm, &[], RebootType::Soft, &bdi)
        .await
        .unwrap();
    d.reboot(&ctx, &vm, &[], RebootType::Hard, &bdi)
        .await
        .unwrap();
    assert_eq!(state(&d, &vm).await, PowerState::Running);
    // No guest OS answers ACPI: power_off falls back to destroy after the timeout.
    d.power_off(&vm, Duration::from_millis(300)).await.unwrap();
    assert_eq!(state(&d, &vm).await, PowerState::Shutdown);
    d.rescue(&ctx, &vm, &[], &ImageMeta::new("r"), Secret::new("pw"))
        .await
        .unwrap();
    assert!(d.get_info(&vm).await.unwrap().rescued);
    d.unrescue(&vm, &[]).await.unwrap();
    // SeaBIOS prints to the serial log (bios useserial).
    let mut output = String::new();
    for _ in 0..50 {
        output = d.get_console_output(&vm).await.unwrap();
        if !output.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!output.is_empty(), "no console output");
    let cb: driver_api::TaskStateCallback = std::sync::Arc::new(|_, _| {});
    d.snapshot(&ctx, &vm, "t2-image", cb).await.unwrap();
    let dir = d.work_dir().to_path_buf();
    d.destroy(&vm, &[], &bdi, true).await.unwrap();
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&vm.uuid.to_string()))
        .collect();
    assert!(left.is_empty(), "files left behind: {left:?}");
}

#[tokio::test]
#[ignore = "tier 2: needs a libvirtd (LIBVIRT_TIER2_URI); run with --include-ignored"]
async fn qemu_volumes_in_every_state() {
    let d = qemu().await;
    let vm = instance(&format!("t2-vol-{}", uuid::Uuid::new_v4()));
    let boot = ConnectionInfo::new("fake", "boot-vol");
    let mut bdi = BlockDeviceInfo::default();
    bdi.block_device_mapping
        .push(BlockDeviceMapping::new(boot.clone(), "/dev/sdc"));
    d.spawn(
        &RequestContext::default(),
        &vm,
        &ImageMeta::new("image"),
        &[],
        None,
        &[],
        &bdi,
        true,
    )
    .await
    .unwrap();
    let v1 = ConnectionInfo::new("fake", "vol-1");
    d.attach_volume(&v1, &vm, "/dev/sdb").await.unwrap();
    assert_eq!(
        d.attach_volume(&v1, &vm, "/dev/sdb")
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::DeviceBusy
    );
    let cb: driver_api::TaskStateCallback = std::sync::Arc::new(|_, _| {});
    d.snapshot(&RequestContext::default(), &vm, "with-volumes", cb)
        .await
        .unwrap();
    d.pause(&vm).await.unwrap();
    d.detach_volume(&v1, &vm, "/dev/sdb").await.unwrap();
    d.suspend(&vm).await.unwrap();
    // Changed while suspended: applied when it resumes.
    d.attach_volume(&v1, &vm, "/dev/sdd").await.unwrap();
    d.detach_volume(&boot, &vm, "/dev/sdc").await.unwrap();
    d.resume(&vm, &[], &BlockDeviceInfo::default())
        .await
        .unwrap();
    let xml = d
        .connection()
        .lookup_domain_by_name(&d.domain_name(vm.uuid))
        .unwrap()
        .xml_desc(0)
        .unwrap();
    let live = |dev: &str| {
        xml.contains(&format!("dev='{dev}'")) || xml.contains(&format!("dev=\"{dev}\""))
    };
    assert!(live("sdd"), "sdd not live after resume: {xml}");
    assert!(!live("sdc"), "sdc still live after resume: {xml}");
    d.power_off(&vm, Duration::ZERO).await.unwrap();
    d.detach_volume(&v1, &vm, "/dev/sdd").await.unwrap();
    assert_eq!(
        d.detach_volume(&v1, &vm, "/dev/sdd")
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::VolumeNotFound
    );
    d.destroy(&vm, &[], &BlockDeviceInfo::default(), true)
        .await
        .unwrap();
}

#[tokio::test]
#[ignore = "tier 2: needs a libvirtd (LIBVIRT_TIER2_URI); run with --include-ignored"]
async fn qemu_nics_statistics_and_host() {
    let d = qemu().await;
    let name = format!("t2-stats-{}", uuid::Uuid::new_v4());
    let vm = instance(&name);
    let id = uuid::Uuid::new_v4();
    let subnet = driver_api::Subnet::new("10.0.0.0/24", None, vec![]);
    let nic = driver_api::Vif::new(
        id,
        "fa:16:3e:00:00:02",
        driver_api::Network::new(id, "private", subnet),
    );
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
    let devname = nic.devname.clone().unwrap();
    d.interface_stats(&name, &devname).await.unwrap();
    d.block_stats(&name, "vda").await.unwrap();
    let diagnostics = d.get_diagnostics(&name).await.unwrap();
    assert_eq!(diagnostics.state, PowerState::Running);
    assert_eq!(diagnostics.nic_details.len(), 1);
    let disks = d.get_instance_disk_info(&name).await.unwrap();
    assert_eq!(disks[0].disk_type, "qcow2");
    assert!(d.instance_on_disk(&vm).await.unwrap());
    assert!(d.capabilities().supports(Feature::HostStats));
    let stats = d.get_host_stats(true).await.unwrap();
    assert!(
        stats[0].host_memory_total > 0 && stats[0].host_memory_free <= stats[0].host_memory_total
    );
    assert!(d.get_host_uptime().await.unwrap() > Duration::ZERO);
    let cpu = d.get_host_cpu_stats().await.unwrap();
    assert!(cpu.idle > 0);
    let node = d.get_available_nodes(false).await.unwrap()[0].clone();
    let r = d.get_available_resource(&node).await.unwrap();
    assert_eq!(r.hypervisor_type, "QEMU");
    assert!(r.hypervisor_version > 0);
    d.destroy(&vm, &[], &BlockDeviceInfo::default(), true)
        .await
        .unwrap();
}

#[tokio::test]
#[ignore = "tier 2: needs a libvirtd (LIBVIRT_TIER2_URI); run with --include-ignored"]
async fn qemu_cold_migration_between_two_prefixes() {
    let a = qemu().await;
    let b = LibvirtDriver::connect(tier2_config("t2b")).await.unwrap();
    let vm = instance(&format!("t2-move-{}", uuid::Uuid::new_v4()));
    spawn(&a, &vm).await;
    let (ctx, bdi) = (RequestContext::default(), BlockDeviceInfo::default());
    let small = driver_api::Flavor::m1_small();
    let disks = a
        .migrate_disk_and_power_off(&ctx, &vm, "b", &small, &[], &bdi)
        .await
        .unwrap();
    assert!(std::path::Path::new(&disks[0].path).is_file());
    let resized = vm.clone().with_flavor(small);
    let migration = driver_api::Migration::new(vm.uuid, "a", "b");
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
    assert_eq!(state(&b, &vm).await, PowerState::Running);
    let moved = b.get_instance_disk_info(&vm.name).await.unwrap();
    assert!(moved[0].path.starts_with(&*b.work_dir().to_string_lossy()));
    assert_eq!(moved[0].virt_disk_size, 20 << 30);
    a.confirm_migration(&migration, &vm, &[]).await.unwrap();
    assert!(a.list_instance_uuids().await.unwrap().is_empty());
    b.destroy(&vm, &[], &bdi, true).await.unwrap();
}

/// A same-host resize sets the root disk to the new flavor's size; a revert
/// brings back the disk as it was, a confirm keeps the new one; neither
/// leaves the copy kept for the revert behind.
#[tokio::test]
#[ignore = "tier 2: needs a libvirtd (LIBVIRT_TIER2_URI); run with --include-ignored"]
async fn qemu_same_host_resize_sets_the_root_disk_and_revert_restores_it() {
    let d = qemu().await;
    let vm = instance(&format!("t2-resize-{}", uuid::Uuid::new_v4()));
    spawn(&d, &vm).await;
    let (ctx, bdi) = (RequestContext::default(), BlockDeviceInfo::default());
    let small = driver_api::Flavor::m1_small();
    let resized = vm.clone().with_flavor(small.clone());
    let here = driver_api::Migration::new(vm.uuid, "a", "a");
    let root_size = |name: String| {
        let d = &d;
        async move { d.get_instance_disk_info(&name).await.unwrap()[0].virt_disk_size }
    };
    let left_in_work_dir = || {
        std::fs::read_dir(d.work_dir())
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(&vm.uuid.to_string()) && n.ends_with(".pre-resize"))
            .count()
    };
    assert_eq!(root_size(vm.name.clone()).await, 1 << 30);
    for confirm in [false, true] {
        let disks = d
            .migrate_disk_and_power_off(&ctx, &vm, "a", &small, &[], &bdi)
            .await
            .unwrap();
        d.finish_migration(
            &ctx,
            &here,
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
        assert_eq!(root_size(vm.name.clone()).await, small.root_gb << 30);
        assert_eq!(
            left_in_work_dir(),
            1,
            "the disk before is kept for a revert"
        );
        if confirm {
            d.confirm_migration(&here, &resized, &[]).await.unwrap();
            assert_eq!(root_size(vm.name.clone()).await, small.root_gb << 30);
        } else {
            d.finish_revert_migration(&vm, &[], &bdi, true)
                .await
                .unwrap();
            assert_eq!(root_size(vm.name.clone()).await, 1 << 30);
        }
        assert_eq!(state(&d, &vm).await, PowerState::Running);
        assert_eq!(left_in_work_dir(), 0, "nothing of the resize is left");
    }
    d.destroy(&resized, &[], &bdi, true).await.unwrap();
}

#[tokio::test]
#[ignore = "tier 2: needs a libvirtd (LIBVIRT_TIER2_URI); run with --include-ignored"]
async fn qemu_crash_is_a_state() {
    let d = qemu().await;
    assert!(d.can_crash());
    let vm = instance(&format!("t2-crash-{}", uuid::Uuid::new_v4()));
    spawn(&d, &vm).await;
    let events = record_events(&d);
    let (ctx, bdi) = (RequestContext::default(), BlockDeviceInfo::default());
    d.crash(&vm).await.unwrap();
    assert_eq!(state(&d, &vm).await, PowerState::Crashed);
    assert_eq!(
        d.pause(&vm).await.unwrap_err().kind(),
        ErrorKind::InvalidState
    );
    d.power_off(&vm, Duration::ZERO).await.unwrap();
    assert_eq!(state(&d, &vm).await, PowerState::Shutdown);
    assert_eq!(
        d.crash(&vm).await.unwrap_err().kind(),
        ErrorKind::InvalidState
    );
    d.power_on(&ctx, &vm, &[], &bdi).await.unwrap();
    d.crash(&vm).await.unwrap();
    d.rescue(&ctx, &vm, &[], &ImageMeta::new("r"), Secret::new("pw"))
        .await
        .unwrap();
    assert_eq!(state(&d, &vm).await, PowerState::Running);
    use driver_api::LifecycleTransition as Ev;
    assert_eq!(
        take(&events),
        vec![
            Ev::Stopped,
            Ev::Stopped,
            Ev::Started,
            Ev::Stopped,
            Ev::Started
        ]
    );
    d.destroy(&vm, &[], &bdi, true).await.unwrap();
}

#[tokio::test]
#[ignore = "tier 2: needs a libvirtd (LIBVIRT_TIER2_URI); run with --include-ignored"]
async fn qemu_power_on_gets_a_new_serial_port_when_its_old_one_was_taken() {
    let d = qemu().await;
    let vm = instance(&format!("t2-port-{}", uuid::Uuid::new_v4()));
    spawn(&d, &vm).await;
    let old = d.get_serial_console(&vm).await.unwrap().port;
    d.power_off(&vm, Duration::ZERO).await.unwrap();
    // Another process takes the stopped guest's port.
    let squatter = std::net::TcpListener::bind(("127.0.0.1", old)).unwrap();
    let (ctx, bdi) = (RequestContext::default(), BlockDeviceInfo::default());
    d.power_on(&ctx, &vm, &[], &bdi).await.unwrap();
    assert_eq!(state(&d, &vm).await, PowerState::Running);
    let new = d.get_serial_console(&vm).await.unwrap().port;
    assert_ne!(new, old);
    std::net::TcpStream::connect(("127.0.0.1", new)).expect("QEMU listens on the new port");
    drop(squatter);
    d.destroy(&vm, &[], &bdi, true).await.unwrap();
}

#[tokio::test]
#[ignore = "tier 2: needs a libvirtd (LIBVIRT_TIER2_URI); run with --include-ignored"]
async fn qemu_work_directory_outlives_a_guest_the_driver_could_not_remove() {
    // Purging on: every domain goes, and the disks with them.
    let d = qemu().await;
    let vm = instance(&format!("t2-dir-{}", uuid::Uuid::new_v4()));
    spawn(&d, &vm).await;
    let dir = d.work_dir().to_path_buf();
    assert!(dir.is_dir());
    drop(d);
    // The last reference may be the event worker's, for the length of one
    // libvirt call: the cleanup then runs there, a moment later.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while dir.exists() && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        !dir.exists(),
        "the work directory of a purged driver is removed"
    );

    // Purging off: the guest stays defined and running, so its disks must stay.
    let d = qemu_with(false).await;
    let prefix = d.config().domain_prefix.clone();
    let vm = instance(&format!("t2-keep-{}", uuid::Uuid::new_v4()));
    spawn(&d, &vm).await;
    let dir = d.work_dir().to_path_buf();
    drop(d);
    // Let a cleanup deferred to the event worker run first (see above).
    tokio::time::sleep(Duration::from_secs(1)).await;
    let kept = dir.is_dir() && std::fs::read_dir(&dir).map(|e| e.count()).unwrap_or(0) > 0;
    // Clean up before asserting: a second driver on the same prefix purges the guest.
    let cleanup = LibvirtDriver::connect(
        LibvirtConfig::small_guests(tier2_uri())
            .with_prefix(prefix)
            .with_purge_on_drop(true),
    )
    .await
    .unwrap();
    assert!(cleanup.instance_exists(&vm).await.unwrap());
    drop(cleanup);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        kept,
        "a live guest's work directory (its disks) was deleted"
    );
}
