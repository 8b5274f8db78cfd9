//! Calls any contract method by name with stable arguments, for the sweeps
//! (capability honesty, read-only, unknown instances).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use driver_api::{
    ComputeDriver, ConsoleType, DriverMethod, DriverResult, Flavor, HostPowerAction, Instance,
    LiveMigrateData, LiveMigrationCallbacks, Migration, MigrationStatus, RebootType, Secret,
};

use crate::fixtures;

/// Live-migration callbacks that do nothing.
#[derive(Debug)]
struct Silent;

#[async_trait]
impl LiveMigrationCallbacks for Silent {
    async fn post(&self, _: &Instance, _: &str, _: &LiveMigrateData) {}
    async fn recover(&self, _: &Instance, _: &str, _: &LiveMigrateData, _: MigrationStatus) {}
}

/// Calls `method` on `driver` against `instance`, discarding the value.
pub(crate) async fn invoke(
    driver: &Arc<dyn ComputeDriver>,
    method: DriverMethod,
    instance: &Instance,
    host: &str,
) -> DriverResult<()> {
    use DriverMethod as M;
    let ctx = fixtures::context();
    let bdi = fixtures::no_block_devices();
    let vif = fixtures::vif();
    let vifs = std::slice::from_ref(&vif);
    let volume = fixtures::volume("vol-sweep");
    let data = fixtures::migrate_data(host);
    let name = instance.name.as_str();
    let mount = fixtures::MOUNTPOINT;
    let d = driver;
    match method {
        M::Capabilities => {
            d.capabilities();
            Ok(())
        }
        M::RegisterEventListener | M::EmitEvent | M::LegacyNwinfo => Ok(()),
        M::InitHost => d.init_host(host).await,
        M::Spawn => {
            d.spawn(
                &ctx,
                instance,
                &fixtures::image(),
                &[],
                Some(fixtures::admin_password()),
                vifs,
                &bdi,
                true,
            )
            .await
        }
        M::Destroy => d.destroy(instance, vifs, &bdi, true).await,
        M::GetInfo => d.get_info(instance).await.map(drop),
        M::ListInstances => d.list_instances().await.map(drop),
        M::ListInstanceUuids => d.list_instance_uuids().await.map(drop),
        M::GetNumInstances => d.get_num_instances().await.map(drop),
        M::InstanceExists => d.instance_exists(instance).await.map(drop),
        M::GetAvailableNodes => d.get_available_nodes(false).await.map(drop),
        M::GetAvailableResource => d.get_available_resource(host).await.map(drop),
        M::Reboot => d.reboot(&ctx, instance, vifs, RebootType::Soft, &bdi).await,
        M::PollRebootingInstances => {
            d.poll_rebooting_instances(Duration::from_secs(10), std::slice::from_ref(instance))
                .await
        }
        M::PowerOff => d.power_off(instance, Duration::ZERO).await,
        M::PowerOn => d.power_on(&ctx, instance, vifs, &bdi).await,
        M::Pause => d.pause(instance).await,
        M::Unpause => d.unpause(instance).await,
        M::Suspend => d.suspend(instance).await,
        M::Resume => d.resume(instance, vifs, &bdi).await,
        M::Rescue => {
            d.rescue(
                &ctx,
                instance,
                vifs,
                &fixtures::image(),
                Secret::new(fixtures::RESCUE_PASSWORD),
            )
            .await
        }
        M::Unrescue => d.unrescue(instance, vifs).await,
        M::SoftDelete => d.soft_delete(instance).await,
        M::Restore => d.restore(instance).await,
        M::Snapshot => {
            d.snapshot(&ctx, instance, "sweep-image", Arc::new(|_, _| {}))
                .await
        }
        M::SetAdminPassword => {
            d.set_admin_password(instance, Secret::new(fixtures::NEW_PASSWORD))
                .await
        }
        M::InjectFile => d.inject_file(instance, "L3N3ZWVw", "c3dlZXA=").await,
        M::ResumeStateOnHostBoot => {
            d.resume_state_on_host_boot(&ctx, instance, vifs, &bdi)
                .await
        }
        M::TriggerCrashDump => d.trigger_crash_dump(instance).await,
        M::InstanceOnDisk => d.instance_on_disk(instance).await.map(drop),
        M::BlockStats => d.block_stats(name, "vda").await.map(drop),
        M::InterfaceStats => d.interface_stats(name, "tap0").await.map(drop),
        M::GetDiagnostics => d.get_diagnostics(name).await.map(drop),
        M::GetInstanceDiskInfo => d.get_instance_disk_info(name).await.map(drop),
        M::GetAllBwCounters => d
            .get_all_bw_counters(std::slice::from_ref(instance))
            .await
            .map(drop),
        M::GetAllVolumeUsage => d
            .get_all_volume_usage(
                &ctx,
                std::slice::from_ref(instance),
                SystemTime::UNIX_EPOCH,
                None,
            )
            .await
            .map(drop),
        M::GetConsoleOutput => d.get_console_output(instance).await.map(drop),
        M::GetConsolePoolInfo => d.get_console_pool_info(ConsoleType::Vnc).await.map(drop),
        M::GetVncConsole => d.get_vnc_console(instance).await.map(drop),
        M::GetSpiceConsole => d.get_spice_console(instance).await.map(drop),
        M::GetSerialConsole => d.get_serial_console(instance).await.map(drop),
        M::AttachVolume => d.attach_volume(&volume, instance, mount).await,
        M::DetachVolume => d.detach_volume(&volume, instance, mount).await,
        M::SwapVolume => {
            d.swap_volume(
                &volume,
                &fixtures::volume("vol-sweep-2"),
                instance,
                mount,
                0,
            )
            .await
        }
        M::GetVolumeConnector => d.get_volume_connector(instance).await.map(drop),
        M::AttachInterface => d.attach_interface(instance, &fixtures::image(), &vif).await,
        M::DetachInterface => d.detach_interface(instance, &vif).await,
        M::PlugVifs => d.plug_vifs(instance, vifs).await,
        M::UnplugVifs => d.unplug_vifs(instance, vifs).await,
        M::EnsureFilteringRulesForInstance => {
            d.ensure_filtering_rules_for_instance(instance, vifs).await
        }
        M::RefreshInstanceSecurityRules => d.refresh_instance_security_rules(instance).await,
        M::RefreshProviderFwRules => d.refresh_provider_fw_rules().await,
        M::RefreshSecurityGroupMembers => d.refresh_security_group_members(1).await,
        M::RefreshSecurityGroupRules => d.refresh_security_group_rules(1).await,
        M::UnfilterInstance => d.unfilter_instance(instance, vifs).await,
        M::CheckCanLiveMigrateDestination => {
            let resources = d.get_available_resource(host).await;
            match resources {
                Ok(r) => d
                    .check_can_live_migrate_destination(&ctx, instance, &r, &r, false, false)
                    .await
                    .map(drop),
                Err(error) => Err(error),
            }
        }
        M::CheckCanLiveMigrateDestinationCleanup => {
            d.check_can_live_migrate_destination_cleanup(&ctx, &data)
                .await
        }
        M::CheckCanLiveMigrateSource => d
            .check_can_live_migrate_source(&ctx, instance, &data)
            .await
            .map(drop),
        M::PreLiveMigration => d
            .pre_live_migration(&ctx, instance, &bdi, vifs, &data)
            .await
            .map(drop),
        M::LiveMigration => {
            d.live_migration(
                &ctx,
                instance,
                fixtures::HOST_B,
                Arc::new(Silent),
                false,
                &fixtures::migrate_data(fixtures::HOST_B),
            )
            .await
        }
        M::PostLiveMigrationAtDestination => {
            d.post_live_migration_at_destination(&ctx, instance, vifs, false, &bdi)
                .await
        }
        M::RollbackLiveMigrationAtDestination => {
            d.rollback_live_migration_at_destination(&ctx, instance, vifs, &bdi, true)
                .await
        }
        M::LiveMigrationForceComplete => d.live_migration_force_complete(instance).await,
        M::LiveMigrationAbort => d.live_migration_abort(instance).await,
        M::MigrateDiskAndPowerOff => d
            .migrate_disk_and_power_off(
                &ctx,
                instance,
                fixtures::HOST_B,
                &Flavor::m1_small(),
                vifs,
                &bdi,
            )
            .await
            .map(drop),
        M::FinishMigration => {
            let migration = Migration::new(instance.uuid, fixtures::HOST_B, host);
            d.finish_migration(
                &ctx,
                &migration,
                instance,
                &Vec::new(),
                vifs,
                &fixtures::image(),
                false,
                &bdi,
                true,
            )
            .await
        }
        M::ConfirmMigration => {
            let migration = Migration::new(instance.uuid, host, fixtures::HOST_B);
            d.confirm_migration(&migration, instance, vifs).await
        }
        M::FinishRevertMigration => d.finish_revert_migration(instance, vifs, &bdi, true).await,
        M::GetDiskAvailableLeast => d.get_disk_available_least().await.map(drop),
        M::GetHostIpAddr => d.get_host_ip_addr().await.map(drop),
        M::GetHostStats => d.get_host_stats(false).await.map(drop),
        M::GetHostCpuStats => d.get_host_cpu_stats().await.map(drop),
        M::GetHostUptime => d.get_host_uptime().await.map(drop),
        M::HostMaintenanceMode => d.host_maintenance_mode(host, true).await.map(drop),
        M::HostPowerAction => d
            .host_power_action(host, HostPowerAction::Reboot)
            .await
            .map(drop),
        M::SetHostEnabled => d.set_host_enabled(host, false).await.map(drop),
        other => Err(driver_api::DriverError::invalid_input(
            "conformance sweep",
            format!("the suite does not know how to call {other} yet"),
        )),
    }
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
