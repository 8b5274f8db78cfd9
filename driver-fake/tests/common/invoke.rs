//! Calls any `ComputeDriver` method by its `DriverMethod` through
//! `driver_api::testkit`, with arguments that succeed on the gating fixture:
//! instance `vm` with a volume at `/dev/vdb` and the VIF `vif`, an instance
//! `other` for the calls that bring one in.

use driver_api::testkit::{call, SampleArgs};
use driver_api::{
    ComputeDriver, ConnectionInfo, DriverError, DriverMethod as M, Flavor, Instance, NodeResources,
    RebootType, ResourceAmounts, Secret, Vif,
};

fn args(vm: &Instance, vif: &Vif) -> SampleArgs {
    let other = Instance::new(uuid::Uuid::new_v4(), Flavor::m1_tiny()).with_name("other");
    let mut stuck = vm.clone();
    stuck.task_state = Some(driver_api::TaskState::RebootingHard);
    let mut args = SampleArgs::new(vm.clone(), "fake-host", "other-host");
    args.context = super::ctx();
    args.arriving = other;
    args.vifs = vec![vif.clone()];
    args.new_vif = super::vif("aa:bb:cc:00:00:09");
    args.node = "fake-mini".to_owned();
    args.reboot_type = RebootType::Hard;
    args.rebooting = vec![stuck];
    args.rescue_password = Secret::new("r");
    args.new_password = Secret::new("p");
    args.snapshot_id = "image-1".to_owned();
    args.stats_devices = ("vda".to_owned(), "eth0".to_owned());
    args.volume = ConnectionInfo::new("iscsi", "vol-1");
    args.new_volume = ConnectionInfo::new("iscsi", "vol-2");
    args.attach_at = "/dev/vdc".to_owned();
    args.node_resources = Some(NodeResources::new(
        "fake-mini",
        "fake-host",
        ResourceAmounts::new(1000, 800_000, 600_000),
        ResourceAmounts::default(),
    ));
    args.event_calls = true;
    args
}

/// Calls `method`; `Ok(())` for whatever it returns on success. Confirm and
/// revert follow a move out (refused alike when the feature is undeclared or
/// the driver read-only).
pub async fn invoke(
    driver: &dyn ComputeDriver,
    method: M,
    vm: &Instance,
    vif: &Vif,
) -> Result<(), DriverError> {
    let args = args(vm, vif);
    if matches!(method, M::ConfirmMigration | M::FinishRevertMigration) {
        let _ = call(driver, M::MigrateDiskAndPowerOff, &args).await;
    }
    call(driver, method, &args).await
}
