//! Calls any contract method by name with stable arguments, for the sweeps
//! (capability honesty, read-only, unknown instances).

use std::sync::Arc;

use driver_api::testkit::{call, SampleArgs};
use driver_api::{ComputeDriver, DriverMethod, DriverResult, Instance, Secret};

use crate::fixtures;

/// The suite's sample arguments for calls on `instance` at `host`: its
/// fixtures (one VIF, an iSCSI volume at [`fixtures::MOUNTPOINT`], its
/// passwords), moves to and from [`fixtures::HOST_B`].
fn sample_args(instance: &Instance, host: &str) -> SampleArgs {
    let vif = fixtures::vif();
    let mut args = SampleArgs::new(instance.clone(), host, fixtures::HOST_B);
    args.context = fixtures::context();
    args.vifs = vec![vif.clone()];
    args.arriving_vifs = vec![vif.clone()];
    args.new_vif = vif;
    args.image = fixtures::image();
    args.admin_password = Some(fixtures::admin_password());
    args.rescue_password = Secret::new(fixtures::RESCUE_PASSWORD);
    args.new_password = Secret::new(fixtures::NEW_PASSWORD);
    args.snapshot_id = "sweep-image".to_owned();
    args.injected_file = ("L3N3ZWVw".to_owned(), "c3dlZXA=".to_owned());
    args.volume = fixtures::volume("vol-sweep");
    args.new_volume = fixtures::volume("vol-sweep-2");
    args.attach_at = fixtures::MOUNTPOINT.to_owned();
    args.detach_at = fixtures::MOUNTPOINT.to_owned();
    args.migrate_data = fixtures::migrate_data(host);
    args
}

/// Calls `method` on `driver` against `instance`, discarding the value.
pub(crate) async fn invoke(
    driver: &Arc<dyn ComputeDriver>,
    method: DriverMethod,
    instance: &Instance,
    host: &str,
) -> DriverResult<()> {
    call(driver.as_ref(), method, &sample_args(instance, host)).await
}

/// Calls `method` in a task of its own, so that a panicking backend is
/// reported as `Err(panic message)` instead of tearing the case down.
pub(crate) async fn invoke_guarded(
    driver: &Arc<dyn ComputeDriver>,
    method: DriverMethod,
    instance: &Instance,
    host: &str,
) -> Result<DriverResult<()>, String> {
    let driver = driver.clone();
    let instance = instance.clone();
    let host = host.to_owned();
    tokio::spawn(async move { invoke(&driver, method, &instance, &host).await })
        .await
        .map_err(crate::execute::panic_message)
}

/// The methods that name one instance and answer `InstanceNotFound` for an
/// unknown one (by UUID, or by name for the legacy methods).
pub(crate) fn not_found_for_unknown(method: DriverMethod) -> bool {
    use DriverMethod as M;
    matches!(
        method,
        M::GetInfo
            | M::Reboot
            | M::PowerOff
            | M::PowerOn
            | M::Pause
            | M::Unpause
            | M::Suspend
            | M::Resume
            | M::Rescue
            | M::Unrescue
            | M::SoftDelete
            | M::Restore
            | M::SetAdminPassword
            | M::InjectFile
            | M::ResumeStateOnHostBoot
            | M::TriggerCrashDump
            | M::BlockStats
            | M::InterfaceStats
            | M::GetDiagnostics
            | M::GetInstanceDiskInfo
            | M::GetConsoleOutput
            | M::GetVncConsole
            | M::GetSpiceConsole
            | M::GetSerialConsole
            | M::AttachVolume
            | M::DetachVolume
            | M::SwapVolume
            | M::AttachInterface
            | M::DetachInterface
            | M::PlugVifs
            | M::UnplugVifs
            | M::RefreshInstanceSecurityRules
            | M::CheckCanLiveMigrateSource
            | M::LiveMigration
            | M::LiveMigrationForceComplete
            | M::LiveMigrationAbort
            | M::MigrateDiskAndPowerOff
            | M::FinishRevertMigration
    )
}
