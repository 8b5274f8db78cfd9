//! Error paths not covered by the per-area tests, and the VirtAPI hook.

mod common;

use std::sync::Arc;

use driver_api::{
    BlockDeviceInfo, ComputeDriver, DriverError, ErrorKind, Flavor, ImageMeta, InstanceRef,
    LiveMigrateData, Secret,
};
use driver_fake::{FakeDriver, FakeVirtAPI};
use virtapi::VirtAPI;

use common::*;

#[test]
fn spawn_with_an_empty_name_is_invalid_input() {
    rt().block_on(async {
        let driver = FakeDriver::new();
        let err = spawn(&driver, &instance("")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(driver.instances().is_empty());
    });
}

#[test]
fn migrate_disk_and_power_off_errors() {
    rt().block_on(async {
        let driver = FakeDriver::new();
        let bdi = BlockDeviceInfo::default();
        let ghost = instance("ghost");
        let err = driver
            .migrate_disk_and_power_off(&ctx(), &ghost, "dst", &Flavor::m1_tiny(), &[], &bdi)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InstanceNotFound);
        let rescued = instance("rescued");
        spawn(&driver, &rescued).await.unwrap();
        driver
            .rescue(
                &ctx(),
                &rescued,
                &[],
                &ImageMeta::default(),
                Secret::new(""),
            )
            .await
            .unwrap();
        let err = driver
            .migrate_disk_and_power_off(&ctx(), &rescued, "dst", &Flavor::m1_tiny(), &[], &bdi)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidState);
        assert!(driver
            .instance(rescued.uuid)
            .unwrap()
            .cold_migration
            .is_none());
        let deleted = instance("deleted");
        spawn(&driver, &deleted).await.unwrap();
        driver.soft_delete(&deleted).await.unwrap();
        let err = driver
            .finish_revert_migration(&deleted, &[], &bdi, true)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidState);
    });
}

#[test]
fn live_migration_identity_errors() {
    rt().block_on(async {
        let driver = FakeDriver::new();
        let data = LiveMigrateData::new("fake-host");
        let ghost = instance("ghost");
        let err = driver
            .check_can_live_migrate_source(&ctx(), &ghost, &data)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InstanceNotFound);
        let here = instance("here");
        spawn(&driver, &here).await.unwrap();
        let bdi = BlockDeviceInfo::default();
        let err = driver
            .pre_live_migration(&ctx(), &here, &bdi, &[], &data)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InstanceExists);
        let same_name = instance("here");
        let err = driver
            .pre_live_migration(&ctx(), &same_name, &bdi, &[], &data)
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            DriverError::InstanceExists {
                instance: InstanceRef::Name(_)
            }
        ));
        assert!(driver.incoming_migrations().is_empty());
        assert_eq!(
            driver.claims("fake-mini"),
            Some(driver_api::ResourceAmounts::new(1, 512, 1))
        );
    });
}

#[test]
fn the_driver_holds_the_virtapi_it_was_given() {
    let api: Arc<dyn VirtAPI> = Arc::new(FakeVirtAPI::new());
    let driver = FakeDriver::builder().virtapi(api.clone()).build();
    assert!(Arc::ptr_eq(&driver.virtapi(), &api));
    // By default each driver has its own.
    let (a, b) = (FakeDriver::new(), FakeDriver::new());
    assert!(!Arc::ptr_eq(&a.virtapi(), &b.virtapi()));
}
