//! Calls any `ComputeDriver` method by its `DriverMethod`, with plausible
//! arguments for instance `vm` (a volume at `/dev/vdb`, the VIF `vif`).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use driver_api::{
    BlockDeviceInfo, ComputeDriver, ConnectionInfo, ConsoleType, DriverError, DriverMethod as M,
    Flavor, HostPowerAction, ImageMeta, Instance, LiveMigrateData, LiveMigrationCallbacks,
    Migration, MigrationStatus, NodeResources, RebootType, ResourceAmounts, Secret, Vif,
};

use super::ctx;

/// Live-migration callbacks that do nothing.
#[derive(Debug)]
pub struct NoCallbacks;

#[async_trait]
impl LiveMigrationCallbacks for NoCallbacks {
    async fn post(&self, _: &Instance, _: &str, _: &LiveMigrateData) {}
    async fn recover(&self, _: &Instance, _: &str, _: &LiveMigrateData, _: MigrationStatus) {}
}

fn node_info() -> NodeResources {
    NodeResources::new(
        "fake-mini",
        "fake-host",
        ResourceAmounts::new(1000, 800_000, 600_000),
        ResourceAmounts::default(),
    )
}

/// `migrate_disk_and_power_off` of `vm` to `other-host`.
async fn migrate_out(
    driver: &dyn ComputeDriver,
    vm: &Instance,
    vifs: &[Vif],
    bdi: &BlockDeviceInfo,
) -> Result<(), DriverError> {
    driver
        .migrate_disk_and_power_off(&ctx(), vm, "other-host", &vm.flavor, vifs, bdi)
        .await
        .map(drop)
}

/// Calls `method`; `Ok(())` for whatever it returns on success.
pub async fn invoke(
    driver: &dyn ComputeDriver,
    method: M,
    vm: &Instance,
    vif: &Vif,
) -> Result<(), DriverError> {
    let ctx = ctx();
    let bdi = BlockDeviceInfo::default();
    let image = ImageMeta::new("cirros");
    let volume = ConnectionInfo::new("iscsi", "vol-1");
    let data = LiveMigrateData::new("other-host");
    let migration = Migration::new(vm.uuid, "fake-host", "other-host");
    let vifs = std::slice::from_ref(vif);
    let b64 = "L2V0Yy9tb3Rk"; // "/etc/motd"
    match method {
        M::Capabilities => {
            driver.capabilities();
            Ok(())
        }
        M::RegisterEventListener => {
            driver.register_event_listener(None);
            Ok(())
        }
        M::EmitEvent => {
            driver.emit_event(driver_api::LifecycleEvent::new(
                vm.uuid,
                driver_api::LifecycleTransition::Started,
            ));
            Ok(())
        }
        M::LegacyNwinfo => {
            driver.legacy_nwinfo();
            Ok(())
        }
        M::InitHost => driver.init_host("fake-host").await,
        M::Spawn => {
            let other = Instance::new(uuid::Uuid::new_v4(), Flavor::m1_tiny()).with_name("other");
            driver
                .spawn(&ctx, &other, &image, &[], None, &[], &bdi, true)
                .await
        }
        M::Destroy => driver.destroy(vm, vifs, &bdi, true).await,
        M::GetInfo => driver.get_info(vm).await.map(drop),
        M::ListInstances => driver.list_instances().await.map(drop),
        M::ListInstanceUuids => driver.list_instance_uuids().await.map(drop),
        M::GetNumInstances => driver.get_num_instances().await.map(drop),
        M::InstanceExists => driver.instance_exists(vm).await.map(drop),
        M::GetAvailableNodes => driver.get_available_nodes(false).await.map(drop),
        M::GetAvailableResource => driver.get_available_resource("fake-mini").await.map(drop),
        M::Reboot => driver.reboot(&ctx, vm, vifs, RebootType::Hard, &bdi).await,
        M::PollRebootingInstances => {
            let mut stuck = vm.clone();
            stuck.task_state = Some(driver_api::TaskState::RebootingHard);
            driver
                .poll_rebooting_instances(Duration::from_secs(1), &[stuck])
                .await
        }
        M::PowerOff => driver.power_off(vm, Duration::ZERO).await,
        M::PowerOn => driver.power_on(&ctx, vm, vifs, &bdi).await,
        M::Pause => driver.pause(vm).await,
        M::Unpause => driver.unpause(vm).await,
        M::Suspend => driver.suspend(vm).await,
        M::Resume => driver.resume(vm, vifs, &bdi).await,
        M::Rescue => {
            driver
                .rescue(&ctx, vm, vifs, &image, Secret::new("r"))
                .await
        }
        M::Unrescue => driver.unrescue(vm, vifs).await,
        M::SoftDelete => driver.soft_delete(vm).await,
        M::Restore => driver.restore(vm).await,
        M::Snapshot => {
            driver
                .snapshot(&ctx, vm, "image-1", Arc::new(|_, _| {}))
                .await
        }
        M::SetAdminPassword => driver.set_admin_password(vm, Secret::new("p")).await,
        M::InjectFile => driver.inject_file(vm, b64, "aGVsbG8=").await,
        M::ResumeStateOnHostBoot => driver.resume_state_on_host_boot(&ctx, vm, vifs, &bdi).await,
        M::TriggerCrashDump => driver.trigger_crash_dump(vm).await,
        M::InstanceOnDisk => driver.instance_on_disk(vm).await.map(drop),
        M::BlockStats => driver.block_stats(&vm.name, "vda").await.map(drop),
        M::InterfaceStats => driver.interface_stats(&vm.name, "eth0").await.map(drop),
        M::GetDiagnostics => driver.get_diagnostics(&vm.name).await.map(drop),
        M::GetInstanceDiskInfo => driver.get_instance_disk_info(&vm.name).await.map(drop),
        M::GetAllBwCounters => driver
            .get_all_bw_counters(std::slice::from_ref(vm))
            .await
            .map(drop),
        M::GetAllVolumeUsage => driver
            .get_all_volume_usage(&ctx, std::slice::from_ref(vm), SystemTime::UNIX_EPOCH, None)
            .await
            .map(drop),
        M::GetConsoleOutput => driver.get_console_output(vm).await.map(drop),
        M::GetConsolePoolInfo => driver
            .get_console_pool_info(ConsoleType::Vnc)
            .await
            .map(drop),
        M::GetVncConsole => driver.get_vnc_console(vm).await.map(drop),
        M::GetSpiceConsole => driver.get_spice_console(vm).await.map(drop),
        M::GetSerialConsole => driver.get_serial_console(vm).await.map(drop),
        M::AttachVolume => driver.attach_volume(&volume, vm, "/dev/vdc").await,
        M::DetachVolume => driver.detach_volume(&volume, vm, "/dev/vdb").await,
        M::SwapVolume => {
            let new = ConnectionInfo::new("iscsi", "vol-2");
            driver.swap_volume(&volume, &new, vm, "/dev/vdb", 0).await
        }
        M::GetVolumeConnector => driver.get_volume_connector(vm).await.map(drop),
        M::AttachInterface => {
            let other = super::vif("aa:bb:cc:00:00:09");
            driver.attach_interface(vm, &image, &other).await
        }
        M::DetachInterface => driver.detach_interface(vm, vif).await,
        M::PlugVifs => driver.plug_vifs(vm, vifs).await,
        M::UnplugVifs => driver.unplug_vifs(vm, vifs).await,
        M::EnsureFilteringRulesForInstance => {
            driver.ensure_filtering_rules_for_instance(vm, vifs).await
        }
        M::RefreshInstanceSecurityRules => driver.refresh_instance_security_rules(vm).await,
        M::RefreshProviderFwRules => driver.refresh_provider_fw_rules().await,
        M::RefreshSecurityGroupMembers => driver.refresh_security_group_members(1).await,
        M::RefreshSecurityGroupRules => driver.refresh_security_group_rules(1).await,
        M::UnfilterInstance => driver.unfilter_instance(vm, vifs).await,
        M::CheckCanLiveMigrateDestination => {
            let other = Instance::new(uuid::Uuid::new_v4(), Flavor::m1_tiny()).with_name("other");
            driver
                .check_can_live_migrate_destination(
                    &ctx,
                    &other,
                    &node_info(),
                    &node_info(),
                    false,
                    false,
                )
                .await
                .map(drop)
        }
        M::CheckCanLiveMigrateDestinationCleanup => {
            driver
                .check_can_live_migrate_destination_cleanup(&ctx, &data)
                .await
        }
        M::CheckCanLiveMigrateSource => driver
            .check_can_live_migrate_source(&ctx, vm, &data)
            .await
            .map(drop),
        M::PreLiveMigration => {
            let other = Instance::new(uuid::Uuid::new_v4(), Flavor::m1_tiny()).with_name("other");
            driver
                .pre_live_migration(&ctx, &other, &bdi, &[], &data)
                .await
                .map(drop)
        }
        M::LiveMigration => {
            driver
                .live_migration(&ctx, vm, "other-host", Arc::new(NoCallbacks), false, &data)
                .await
        }
        M::PostLiveMigrationAtDestination => {
            let other = Instance::new(uuid::Uuid::new_v4(), Flavor::m1_tiny()).with_name("other");
            driver
                .post_live_migration_at_destination(&ctx, &other, &[], false, &bdi)
                .await
        }
        M::RollbackLiveMigrationAtDestination => {
            driver
                .rollback_live_migration_at_destination(&ctx, vm, vifs, &bdi, true)
                .await
        }
        M::LiveMigrationForceComplete => driver.live_migration_force_complete(vm).await,
        M::LiveMigrationAbort => driver.live_migration_abort(vm).await,
        M::MigrateDiskAndPowerOff => driver
            .migrate_disk_and_power_off(&ctx, vm, "other-host", &Flavor::m1_small(), vifs, &bdi)
            .await
            .map(drop),
        M::FinishMigration => {
            let other = Instance::new(uuid::Uuid::new_v4(), Flavor::m1_tiny()).with_name("other");
            let migration = Migration::new(other.uuid, "other-host", "fake-host");
            driver
                .finish_migration(
                    &ctx,
                    &migration,
                    &other,
                    &vec![],
                    &[],
                    &image,
                    false,
                    &bdi,
                    true,
                )
                .await
        }
        // Confirm and revert follow a move out (refused alike when the
        // feature is undeclared or the driver read-only).
        M::ConfirmMigration => {
            let _ = migrate_out(driver, vm, vifs, &bdi).await;
            driver.confirm_migration(&migration, vm, vifs).await
        }
        M::FinishRevertMigration => {
            let _ = migrate_out(driver, vm, vifs, &bdi).await;
            driver.finish_revert_migration(vm, vifs, &bdi, true).await
        }
        M::GetDiskAvailableLeast => driver.get_disk_available_least().await.map(drop),
        M::GetHostIpAddr => driver.get_host_ip_addr().await.map(drop),
        M::GetHostStats => driver.get_host_stats(false).await.map(drop),
        M::GetHostCpuStats => driver.get_host_cpu_stats().await.map(drop),
        M::GetHostUptime => driver.get_host_uptime().await.map(drop),
        M::HostMaintenanceMode => driver
            .host_maintenance_mode("fake-host", true)
            .await
            .map(drop),
        M::HostPowerAction => driver
            .host_power_action("fake-host", HostPowerAction::Reboot)
            .await
            .map(drop),
        M::SetHostEnabled => driver.set_host_enabled("fake-host", false).await.map(drop),
        other => panic!("invoke: no call for {other}"),
    }
}
