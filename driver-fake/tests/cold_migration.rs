//! Cold migrations and resizes between two fake hosts (and on one): the
//! instance and its claim move exactly once. Live migrations: `live_migration.rs`.

mod common;

use driver_api::{
    BlockDeviceInfo, ComputeDriver, ErrorKind, Flavor, ImageMeta, Instance,
    LifecycleTransition as Ev, Migration, PowerState, ResourceAmounts,
};
use driver_fake::{FakeDriver, FaultPreset, NodeSize};

use common::two_hosts::{host, tiny, total_instances};
use common::*;

fn small() -> ResourceAmounts {
    ResourceAmounts::of_flavor(&Flavor::m1_small())
}

async fn finish(
    dst: &dyn ComputeDriver,
    migration: &Migration,
    vm: &Instance,
    power_on: bool,
) -> driver_api::DriverResult<()> {
    dst.finish_migration(
        &ctx(),
        migration,
        vm,
        &vec![],
        &[],
        &ImageMeta::default(),
        true,
        &BlockDeviceInfo::default(),
        power_on,
    )
    .await
}

#[test]
fn cold_migration_confirmed_moves_instance_and_claim_once() {
    rt().block_on(async {
        let (src, dst) = (host("src"), host("dst"));
        let src_events = Recorder::attach(&src);
        let dst_events = Recorder::attach(&dst);
        let vm = instance("vm");
        spawn(&src, &vm).await.unwrap();
        let disks = src
            .migrate_disk_and_power_off(
                &ctx(),
                &vm,
                "dst",
                &Flavor::m1_small(),
                &[],
                &BlockDeviceInfo::default(),
            )
            .await
            .unwrap();
        assert_eq!(disks.len(), 1);
        assert_eq!(src.get_info(&vm).await.unwrap().state, PowerState::Shutdown);
        assert_eq!(src.claims("src-node"), Some(tiny()));
        let migration = Migration::new(vm.uuid, "src", "dst");
        let resized = vm.clone().with_flavor(Flavor::m1_small());
        finish(&dst, &migration, &resized, true).await.unwrap();
        assert_eq!(dst.get_info(&vm).await.unwrap().state, PowerState::Running);
        assert_eq!(dst.claims("dst-node"), Some(small()));
        src.confirm_migration(&migration, &vm, &[]).await.unwrap();
        src.confirm_migration(&migration, &vm, &[]).await.unwrap();
        assert_eq!(total_instances(&src, &dst, vm.uuid), 1);
        assert!(src.instance(vm.uuid).is_none());
        assert_eq!(src.claims("src-node"), Some(ResourceAmounts::default()));
        assert_eq!(dst.claims("dst-node"), Some(small()));
        assert_eq!(src_events.transitions(), [Ev::Started, Ev::Stopped]);
        assert_eq!(dst_events.transitions(), [Ev::Started]);
    });
}

#[test]
fn cold_migration_reverted_powers_the_source_back_on() {
    rt().block_on(async {
        let (src, dst) = (host("src"), host("dst"));
        let vm = instance("vm");
        spawn(&src, &vm).await.unwrap();
        src.migrate_disk_and_power_off(
            &ctx(),
            &vm,
            "dst",
            &Flavor::m1_small(),
            &[],
            &BlockDeviceInfo::default(),
        )
        .await
        .unwrap();
        let migration = Migration::new(vm.uuid, "src", "dst");
        finish(&dst, &migration, &vm, false).await.unwrap();
        assert_eq!(dst.get_info(&vm).await.unwrap().state, PowerState::Shutdown);
        destroy(&dst, &vm).await.unwrap();
        let events = Recorder::attach(&src);
        src.finish_revert_migration(&vm, &[], &BlockDeviceInfo::default(), true)
            .await
            .unwrap();
        assert_eq!(src.get_info(&vm).await.unwrap().state, PowerState::Running);
        assert_eq!(events.transitions(), [Ev::Started]);
        assert_eq!(total_instances(&src, &dst, vm.uuid), 1);
        assert_eq!(src.claims("src-node"), Some(tiny()));
        assert_eq!(dst.claims("dst-node"), Some(ResourceAmounts::default()));
        assert!(src.instance(vm.uuid).unwrap().cold_migration.is_none());
        let err = src
            .finish_revert_migration(&instance("ghost"), &[], &BlockDeviceInfo::default(), true)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InstanceNotFound);
    });
}

#[test]
fn same_host_resize_swaps_the_claim_and_confirm_keeps_it() {
    rt().block_on(async {
        let driver = host("h");
        let vm = instance("vm");
        spawn(&driver, &vm).await.unwrap();
        driver
            .migrate_disk_and_power_off(
                &ctx(),
                &vm,
                "h",
                &Flavor::m1_small(),
                &[],
                &BlockDeviceInfo::default(),
            )
            .await
            .unwrap();
        let migration = Migration::new(vm.uuid, "h", "h");
        let resized = vm.clone().with_flavor(Flavor::m1_small());
        finish(&driver, &migration, &resized, true).await.unwrap();
        assert_eq!(driver.claims("h-node"), Some(small()));
        assert_eq!(
            driver.get_info(&vm).await.unwrap().state,
            PowerState::Running
        );
        driver
            .confirm_migration(&migration, &vm, &[])
            .await
            .unwrap();
        assert_eq!(driver.claims("h-node"), Some(small()));
        assert!(driver.instance(vm.uuid).is_some());
    });
}

#[test]
fn same_host_resize_reverted_restores_the_claim() {
    rt().block_on(async {
        let driver = host("h");
        let vm = instance("vm");
        spawn(&driver, &vm).await.unwrap();
        driver
            .migrate_disk_and_power_off(
                &ctx(),
                &vm,
                "h",
                &Flavor::m1_small(),
                &[],
                &BlockDeviceInfo::default(),
            )
            .await
            .unwrap();
        let migration = Migration::new(vm.uuid, "h", "h");
        finish(
            &driver,
            &migration,
            &vm.clone().with_flavor(Flavor::m1_small()),
            false,
        )
        .await
        .unwrap();
        driver
            .finish_revert_migration(&vm, &[], &BlockDeviceInfo::default(), true)
            .await
            .unwrap();
        assert_eq!(driver.claims("h-node"), Some(tiny()));
        assert_eq!(driver.instance(vm.uuid).unwrap().claim, tiny());
        assert_eq!(
            driver.get_info(&vm).await.unwrap().state,
            PowerState::Running
        );
    });
}

#[test]
fn finish_migration_errors_leave_nothing() {
    rt().block_on(async {
        let dst = FakeDriver::builder()
            .host("dst")
            .node_size(NodeSize::Small)
            .build();
        let vm = instance("vm").with_flavor(Flavor::m1_large());
        let migration = Migration::new(vm.uuid, "src", "dst");
        let err = finish(&dst, &migration, &vm, true).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InsufficientResources);
        assert!(dst.instances().is_empty());
        let fits = instance("vm2");
        finish(&dst, &Migration::new(fits.uuid, "src", "dst"), &fits, true)
            .await
            .unwrap();
        let err = finish(&dst, &Migration::new(fits.uuid, "src", "dst"), &fits, true)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InstanceExists);
        let failing = FakeDriver::new()
            .with_faults()
            .with_preset(FaultPreset::FinishMigrationFail);
        let err = finish(&failing, &migration, &instance("x"), true)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Backend);
        assert!(failing.get_ref().instances().is_empty());
        assert_eq!(
            failing.get_ref().claims("fake-mini"),
            Some(ResourceAmounts::default())
        );
    });
}
