//! Volumes, interfaces, files, passwords, snapshots, consoles and statistics.

mod common;

use std::sync::{Arc, Mutex};

use driver_api::{
    BlockDeviceInfo, BlockDeviceMapping, ComputeDriver, ConnectionInfo, ConsoleType, ErrorKind,
    ImageMeta, InjectedFile, PowerState, RebootType, Secret, TaskState,
};
use driver_fake::{ConsoleEntry, FakeDriver, CONSOLE_BANNER, CONSOLE_LOG_LIMIT};

use common::*;

#[test]
fn volumes_attach_detach_swap_and_their_errors() {
    rt().block_on(async {
        let driver = FakeDriver::new();
        let vm = instance("vm");
        let ghost = instance("ghost");
        let vol = ConnectionInfo::new("iscsi", "vol-1");
        spawn_with(&driver, &vm, &[], false).await.unwrap();
        // Works in any power state (here: shut down).
        driver.attach_volume(&vol, &vm, "/dev/vdb").await.unwrap();
        let err = driver
            .attach_volume(&vol, &vm, "/dev/vdb")
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DeviceBusy);
        let err = driver
            .attach_volume(&vol, &ghost, "/dev/vdb")
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InstanceNotFound);
        assert_eq!(driver.instance(vm.uuid).unwrap().volumes["/dev/vdb"], vol);

        let new = ConnectionInfo::new("rbd", "vol-2");
        driver
            .swap_volume(&vol, &new, &vm, "/dev/vdb", 10)
            .await
            .unwrap();
        assert_eq!(driver.instance(vm.uuid).unwrap().volumes["/dev/vdb"], new);
        let err = driver
            .swap_volume(&vol, &new, &vm, "/dev/vdz", 0)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::VolumeNotFound);

        driver.detach_volume(&new, &vm, "/dev/vdb").await.unwrap();
        assert!(driver.instance(vm.uuid).unwrap().volumes.is_empty());
        let err = driver
            .detach_volume(&new, &vm, "/dev/vdb")
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::VolumeNotFound);
        let err = driver
            .detach_volume(&new, &ghost, "/dev/vdb")
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InstanceNotFound);
    });
}

#[test]
fn spawn_attaches_block_devices_vifs_and_files() {
    rt().block_on(async {
        let driver = FakeDriver::new();
        let vm = instance("vm");
        let nic = vif("aa:bb:cc:00:00:01");
        let mut bdi = BlockDeviceInfo::default();
        bdi.block_device_mapping.push(BlockDeviceMapping::new(
            ConnectionInfo::new("iscsi", "vol-1"),
            "/dev/vdb",
        ));
        let files = [
            InjectedFile::new("/etc/a", "1"),
            InjectedFile::new("/etc/a", "2"),
        ];
        driver
            .spawn(
                &ctx(),
                &vm,
                &ImageMeta::new("cirros"),
                &files,
                Some(Secret::new("hunter2")),
                std::slice::from_ref(&nic),
                &bdi,
                true,
            )
            .await
            .unwrap();
        let record = driver.instance(vm.uuid).unwrap();
        assert_eq!(record.volumes.len(), 1);
        assert_eq!(record.interfaces.len(), 1);
        assert_eq!(record.interfaces[0].id, nic.id);
        assert_eq!(record.injected_files, [InjectedFile::new("/etc/a", "2")]);
        assert!(record.admin_password_set);
        assert!(!format!("{record:?}").contains("hunter2"));
        assert!(!driver.to_json().unwrap().contains("hunter2"));
    });
}

#[test]
fn a_spawn_with_conflicting_devices_leaves_no_trace() {
    rt().block_on(async {
        let driver = FakeDriver::new();
        let vm = instance("vm");
        let nic = vif("aa:bb:cc:00:00:01");
        let err = spawn_with(&driver, &vm, &[nic.clone(), nic], true)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InterfaceAttachFailed);
        let mut bdi = BlockDeviceInfo::default();
        for serial in ["a", "b"] {
            bdi.block_device_mapping.push(BlockDeviceMapping::new(
                ConnectionInfo::new("iscsi", serial),
                "/dev/vdb",
            ));
        }
        let err = driver
            .spawn(
                &ctx(),
                &vm,
                &ImageMeta::default(),
                &[],
                None,
                &[],
                &bdi,
                true,
            )
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DeviceBusy);
        assert!(driver.instances().is_empty());
        assert_eq!(driver.claims("fake-mini").unwrap(), Default::default());
    });
}

#[test]
fn interfaces_attach_and_detach_with_nova_errors() {
    rt().block_on(async {
        let driver = FakeDriver::new();
        let vm = instance("vm");
        spawn(&driver, &vm).await.unwrap();
        let nic = vif("aa:bb:cc:00:00:02");
        let image = ImageMeta::default();
        driver.attach_interface(&vm, &image, &nic).await.unwrap();
        let err = driver
            .attach_interface(&vm, &image, &nic)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InterfaceAttachFailed);
        assert_eq!(driver.instance(vm.uuid).unwrap().interfaces.len(), 1);
        driver.detach_interface(&vm, &nic).await.unwrap();
        let err = driver.detach_interface(&vm, &nic).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InterfaceDetachFailed);
        let ghost = instance("ghost");
        let err = driver
            .attach_interface(&ghost, &image, &nic)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InstanceNotFound);
        let err = driver.detach_interface(&ghost, &nic).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InstanceNotFound);
        // plug / unplug: idempotent, InstanceNotFound for a stranger.
        driver
            .plug_vifs(&vm, std::slice::from_ref(&nic))
            .await
            .unwrap();
        driver
            .plug_vifs(&vm, std::slice::from_ref(&nic))
            .await
            .unwrap();
        driver
            .unplug_vifs(&vm, std::slice::from_ref(&nic))
            .await
            .unwrap();
        let err = driver.plug_vifs(&ghost, &[nic]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InstanceNotFound);
    });
}

#[test]
fn inject_file_decodes_replaces_and_rejects_bad_input() {
    rt().block_on(async {
        let driver = FakeDriver::new();
        let vm = instance("vm");
        spawn_with(&driver, &vm, &[], false).await.unwrap();
        let path = "L2V0Yy9tb3Rk"; // /etc/motd
        driver.inject_file(&vm, path, "aGVsbG8=").await.unwrap();
        driver.inject_file(&vm, path, "YnllCg==").await.unwrap();
        let files = driver.instance(vm.uuid).unwrap().injected_files;
        assert_eq!(files, [InjectedFile::new("/etc/motd", "bye\n")]);
        for (path, contents) in [
            ("not base64!", "aGVsbG8="),
            (path, "%%%"),
            ("ZXRjL21vdGQ=", "aGVsbG8="), // "etc/motd": relative
            ("//79", "aGVsbG8="),         // not UTF-8
        ] {
            let err = driver.inject_file(&vm, path, contents).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{path} {contents}");
        }
        assert_eq!(driver.instance(vm.uuid).unwrap().injected_files.len(), 1);
        let err = driver
            .inject_file(&instance("ghost"), path, "aGVsbG8=")
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InstanceNotFound);
    });
}

#[test]
fn snapshot_calls_back_in_order_and_records_the_image() {
    rt().block_on(async {
        let driver = FakeDriver::new();
        let vm = instance("vm");
        spawn(&driver, &vm).await.unwrap();
        let calls = Arc::new(Mutex::new(Vec::new()));
        let sink = calls.clone();
        let callback: driver_api::TaskStateCallback =
            Arc::new(move |state, expected| sink.lock().unwrap().push((state, expected)));
        driver
            .snapshot(&ctx(), &vm, "image-1", callback.clone())
            .await
            .unwrap();
        assert_eq!(
            *calls.lock().unwrap(),
            [
                (TaskState::ImagePendingUpload, TaskState::ImageSnapshot),
                (TaskState::ImageUploading, TaskState::ImagePendingUpload),
            ]
        );
        assert_eq!(driver.instance(vm.uuid).unwrap().snapshots, ["image-1"]);
        assert_eq!(
            driver.get_info(&vm).await.unwrap().state,
            PowerState::Running
        );

        calls.lock().unwrap().clear();
        let err = driver
            .snapshot(&ctx(), &instance("ghost"), "image-2", callback.clone())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InstanceNotRunning);
        driver.soft_delete(&vm).await.unwrap();
        let err = driver
            .snapshot(&ctx(), &vm, "image-3", callback)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidState);
        assert!(calls.lock().unwrap().is_empty());
        assert_eq!(driver.instance(vm.uuid).unwrap().snapshots, ["image-1"]);
    });
}

#[test]
fn admin_password_needs_a_running_instance() {
    rt().block_on(async {
        let driver = FakeDriver::new();
        let vm = instance("vm");
        spawn(&driver, &vm).await.unwrap();
        driver
            .set_admin_password(&vm, Secret::new("s3cret"))
            .await
            .unwrap();
        assert!(driver.instance(vm.uuid).unwrap().admin_password_set);
        driver.pause(&vm).await.unwrap();
        let err = driver
            .set_admin_password(&vm, Secret::new("s3cret"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InstanceNotRunning);
        assert!(!err.to_string().contains("s3cret"));
        let err = driver
            .set_admin_password(&instance("ghost"), Secret::new("x"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InstanceNotFound);
    });
}

#[test]
fn consoles_need_running_or_paused() {
    rt().block_on(async {
        let driver = FakeDriver::new();
        let vm = instance("vm");
        spawn(&driver, &vm).await.unwrap();
        let vnc = driver.get_vnc_console(&vm).await.unwrap();
        assert_eq!((vnc.host.as_str(), vnc.port), ("fakevncconsole.com", 6969));
        let spice = driver.get_spice_console(&vm).await.unwrap();
        assert_eq!(spice.tls_port, Some(6970));
        driver.pause(&vm).await.unwrap();
        driver.get_serial_console(&vm).await.unwrap();
        driver.trigger_crash_dump(&vm).await.unwrap();
        driver.suspend(&vm).await.unwrap();
        for err in [
            driver.get_vnc_console(&vm).await.map(drop).unwrap_err(),
            driver.get_spice_console(&vm).await.map(drop).unwrap_err(),
            driver.get_serial_console(&vm).await.map(drop).unwrap_err(),
            driver.trigger_crash_dump(&vm).await.unwrap_err(),
        ] {
            assert_eq!(err.kind(), ErrorKind::InstanceNotRunning);
        }
        let ghost = instance("ghost");
        let err = driver.get_vnc_console(&ghost).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InstanceNotFound);
        let pool = driver
            .get_console_pool_info(ConsoleType::Vnc)
            .await
            .unwrap();
        assert_eq!(pool.address, "127.0.0.1");
        assert_eq!(pool.username, "fakeuser");
        assert_eq!(pool.password.expose(), "fakepassword");
        assert!(!format!("{pool:?}").contains("fakepassword"));
    });
}

#[test]
fn console_output_tells_what_happened_and_is_bounded() {
    rt().block_on(async {
        let driver = FakeDriver::new();
        let vm = instance("vm");
        spawn(&driver, &vm).await.unwrap();
        driver.pause(&vm).await.unwrap();
        driver.power_off(&vm, Default::default()).await.unwrap();
        let output = driver.get_console_output(&vm).await.unwrap();
        assert_eq!(
            output,
            format!(
                "{CONSOLE_BANNER}\n{}\n{}\n{}",
                ConsoleEntry::Started.line(),
                ConsoleEntry::Paused.line(),
                ConsoleEntry::Stopped.line()
            )
        );
        assert!(output.starts_with("FAKE CONSOLE OUTPUT\nANOTHER\nLAST LINE"));
        let bdi = BlockDeviceInfo::default();
        for _ in 0..100 {
            driver
                .reboot(&ctx(), &vm, &[], RebootType::Hard, &bdi)
                .await
                .unwrap();
        }
        let record = driver.instance(vm.uuid).unwrap();
        assert_eq!(record.console_log.len(), CONSOLE_LOG_LIMIT);
        assert_eq!(
            driver
                .get_console_output(&vm)
                .await
                .unwrap()
                .lines()
                .count(),
            3 + CONSOLE_LOG_LIMIT
        );
        let err = driver
            .get_console_output(&instance("ghost"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InstanceNotFound);
    });
}

#[test]
fn statistics_by_name() {
    rt().block_on(async {
        let driver = FakeDriver::new();
        let vm = instance("vm");
        let nic = vif("aa:bb:cc:00:00:03");
        spawn_with(&driver, &vm, std::slice::from_ref(&nic), true)
            .await
            .unwrap();
        let vol = ConnectionInfo::new("iscsi", "vol-9");
        driver.attach_volume(&vol, &vm, "/dev/vdb").await.unwrap();
        let stats = driver.block_stats("vm", "vda").await.unwrap();
        assert_eq!(stats.errs, None);
        driver.interface_stats("vm", "eth0").await.unwrap();
        let diagnostics = driver.get_diagnostics("vm").await.unwrap();
        assert_eq!(diagnostics.state, PowerState::Running);
        assert_eq!(diagnostics.nic_details.len(), 1);
        assert_eq!(diagnostics.disk_details.len(), 2);
        assert_eq!(diagnostics.memory_max_kb, 512 * 1024);
        let disks = driver.get_instance_disk_info("vm").await.unwrap();
        assert_eq!(disks.len(), 1);
        assert_eq!(disks[0].virt_disk_size, 1024 * 1024 * 1024);
        for err in [
            driver
                .block_stats("nope", "vda")
                .await
                .map(drop)
                .unwrap_err(),
            driver
                .interface_stats("nope", "eth0")
                .await
                .map(drop)
                .unwrap_err(),
            driver.get_diagnostics("nope").await.map(drop).unwrap_err(),
            driver
                .get_instance_disk_info("nope")
                .await
                .map(drop)
                .unwrap_err(),
        ] {
            assert_eq!(err.kind(), ErrorKind::InstanceNotFound);
        }
        let stranger = instance("stranger");
        let both = [vm.clone(), stranger];
        let counters = driver.get_all_bw_counters(&both).await.unwrap();
        assert_eq!(counters.len(), 1);
        assert_eq!(counters[0].mac_address, nic.address);
        let usage = driver
            .get_all_volume_usage(&ctx(), &both, std::time::SystemTime::UNIX_EPOCH, None)
            .await
            .unwrap();
        assert_eq!(usage.len(), 1);
        assert_eq!(usage[0].volume, "vol-9");
        assert!(driver.instance_on_disk(&vm).await.unwrap());
        let err = driver.instance_on_disk(&instance("x")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InstanceNotFound);
    });
}

#[test]
fn firewall_methods_are_idempotent() {
    rt().block_on(async {
        let driver = FakeDriver::new();
        let vm = instance("vm");
        spawn(&driver, &vm).await.unwrap();
        for _ in 0..2 {
            driver
                .ensure_filtering_rules_for_instance(&vm, &[])
                .await
                .unwrap();
            driver.refresh_instance_security_rules(&vm).await.unwrap();
            driver.refresh_provider_fw_rules().await.unwrap();
            driver.refresh_security_group_members(7).await.unwrap();
            driver.refresh_security_group_rules(7).await.unwrap();
            driver.unfilter_instance(&vm, &[]).await.unwrap();
        }
        let err = driver
            .refresh_instance_security_rules(&instance("ghost"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InstanceNotFound);
    });
}

#[test]
fn poll_rebooting_instances_hard_reboots_stuck_ones_only() {
    rt().block_on(async {
        let driver = FakeDriver::new();
        let stuck = instance("stuck");
        let idle = instance("idle");
        spawn_with(&driver, &stuck, &[], false).await.unwrap();
        spawn_with(&driver, &idle, &[], false).await.unwrap();
        let mut stuck_view = stuck.clone();
        stuck_view.task_state = Some(TaskState::RebootingHard);
        let mut stranger = instance("stranger");
        stranger.task_state = Some(TaskState::Rebooting);
        driver
            .poll_rebooting_instances(
                std::time::Duration::from_secs(60),
                &[stuck_view, idle.clone(), stranger],
            )
            .await
            .unwrap();
        assert_eq!(
            driver.get_info(&stuck).await.unwrap().state,
            PowerState::Running
        );
        assert_eq!(
            driver.get_info(&idle).await.unwrap().state,
            PowerState::Shutdown
        );
        driver
            .resume_state_on_host_boot(&ctx(), &idle, &[], &BlockDeviceInfo::default())
            .await
            .unwrap();
        assert_eq!(
            driver.get_info(&idle).await.unwrap().state,
            PowerState::Running,
            "an instance that is off is started after a host boot"
        );
        let err = driver
            .resume_state_on_host_boot(&ctx(), &instance("x"), &[], &BlockDeviceInfo::default())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InstanceNotFound);
    });
}
