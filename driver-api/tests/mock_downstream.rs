//! `MockComputeDriver` used as a downstream crate would: through
//! `Arc<dyn ComputeDriver>`, from code that knows nothing of mockall.

use std::sync::Arc;

use driver_api::{
    ComputeDriver, DriverError, ErrorKind, Flavor, Instance, InstanceInfo, MockComputeDriver,
    PowerState,
};
use uuid::Uuid;

/// Code under test in a downstream crate: stops an instance unless it is off.
async fn ensure_stopped(
    driver: Arc<dyn ComputeDriver>,
    instance: &Instance,
) -> Result<bool, DriverError> {
    if driver.get_info(instance).await?.state == PowerState::Shutdown {
        return Ok(false);
    }
    driver
        .power_off(instance, std::time::Duration::ZERO)
        .await?;
    Ok(true)
}

fn instance() -> Instance {
    Instance::new(Uuid::from_u128(7), Flavor::m1_tiny())
}

#[tokio::test]
async fn a_running_instance_is_powered_off_once() {
    let target = instance();
    let uuid = target.uuid;
    let mut mock = MockComputeDriver::new();
    mock.expect_get_info()
        .withf(move |i| i.uuid == uuid)
        .times(1)
        .returning(|_| Ok(InstanceInfo::new(PowerState::Running)));
    mock.expect_power_off().times(1).returning(|_, _| Ok(()));

    let driver: Arc<dyn ComputeDriver> = Arc::new(mock);
    assert!(ensure_stopped(driver, &target).await.unwrap());
}

#[tokio::test]
async fn a_stopped_instance_is_left_alone() {
    let mut mock = MockComputeDriver::new();
    mock.expect_get_info()
        .returning(|_| Ok(InstanceInfo::new(PowerState::Shutdown)));
    mock.expect_power_off().never();

    let driver: Arc<dyn ComputeDriver> = Arc::new(mock);
    assert!(!ensure_stopped(driver, &instance()).await.unwrap());
}

#[tokio::test]
async fn errors_from_the_mock_reach_the_caller_with_their_kind() {
    let mut mock = MockComputeDriver::new();
    mock.expect_get_info()
        .returning(|i| Err(DriverError::instance_not_found(i.uuid)));

    let driver: Arc<dyn ComputeDriver> = Arc::new(mock);
    let err = ensure_stopped(driver, &instance()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InstanceNotFound);
}
