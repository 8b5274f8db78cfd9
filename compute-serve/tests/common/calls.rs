//! Contract calls the served tests make with the suite's usual arguments.

use driver_api::{
    BlockDeviceInfo, ComputeDriver, DriverResult, ImageMeta, Instance, RequestContext,
};

/// `spawn` of `vm`, powered on, from a `cirros` image with no file, password,
/// VIF or block device.
pub async fn spawn(driver: &dyn ComputeDriver, vm: &Instance) -> DriverResult<()> {
    driver
        .spawn(
            &RequestContext::admin(),
            vm,
            &ImageMeta::new("cirros"),
            &[],
            None,
            &[],
            &BlockDeviceInfo::default(),
            true,
        )
        .await
}
