//! `impl ComputeDriver for FakeDriver`: each method is admission ([`FakeDriver::run`]:
//! capability, read-only) then one change, written beside its state. Faults: `FaultLayer`.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use driver_api::{
    BandwidthCounter, BlockDeviceInfo, BlockStats, Capabilities, ComputeDriver, ConnectionInfo,
    ConsolePoolInfo, ConsoleType, Diagnostics, DiskInfo, DriverMethod as M, DriverResult,
    EventListener, Flavor, HostCpuStats, HostPowerAction, HostStats, HostStatus, ImageMeta,
    InjectedFile, Instance, InstanceInfo, InterfaceStats, LifecycleEvent, LifecycleOperation as Op,
    LiveMigrateData, LiveMigrationCallbacks, MaintenanceMode, Migration, NodeResources, RebootType,
    RequestContext, Secret, SerialConsole, SpiceConsole, TaskStateCallback, Vif, VncConsole,
    VolumeConnector, VolumeUsage,
};
use uuid::Uuid;

use crate::fake_driver::{FakeDriver, DRIVER_NAME};
use crate::guest::console_pool_info;
use crate::host::HOST_IP;

#[async_trait]
impl ComputeDriver for FakeDriver {
    fn driver_name(&self) -> &'static str {
        DRIVER_NAME
    }

    fn capabilities(&self) -> Capabilities {
        self.capabilities
    }

    fn register_event_listener(&self, listener: Option<EventListener>) {
        self.store.listen(listener);
    }

    fn emit_event(&self, event: LifecycleEvent) {
        self.store.emit(event);
    }

    async fn init_host(&self, host: &str) -> DriverResult<()> {
        self.run(M::InitHost, None, || self.init_host_now(host))
    }

    async fn get_available_nodes(&self, _refresh: bool) -> DriverResult<Vec<String>> {
        self.run(M::GetAvailableNodes, None, || Ok(self.nodes()))
    }

    async fn get_available_resource(&self, nodename: &str) -> DriverResult<NodeResources> {
        self.run(M::GetAvailableResource, None, || {
            self.resources_now(nodename)
        })
    }

    async fn get_disk_available_least(&self) -> DriverResult<i64> {
        self.call(M::GetDiskAvailableLeast, Self::disk_available_least_now)
    }

    async fn get_host_ip_addr(&self) -> DriverResult<IpAddr> {
        self.run(M::GetHostIpAddr, None, || Ok(HOST_IP))
    }

    async fn get_host_stats(&self, _refresh: bool) -> DriverResult<Vec<HostStats>> {
        self.run(M::GetHostStats, None, || Ok(self.host_stats_now()))
    }

    async fn get_host_cpu_stats(&self) -> DriverResult<HostCpuStats> {
        self.run(M::GetHostCpuStats, None, || Ok(self.host_cpu_stats_now()))
    }

    async fn get_host_uptime(&self) -> DriverResult<Duration> {
        self.run(M::GetHostUptime, None, || Ok(self.started.elapsed()))
    }

    async fn host_power_action(
        &self,
        host: &str,
        action: HostPowerAction,
    ) -> DriverResult<HostPowerAction> {
        self.run(M::HostPowerAction, None, || {
            self.power_action_now(host, action)
        })
    }

    async fn host_maintenance_mode(&self, host: &str, mode: bool) -> DriverResult<MaintenanceMode> {
        self.run(M::HostMaintenanceMode, None, || {
            self.maintenance_now(host, mode)
        })
    }

    async fn set_host_enabled(&self, host: &str, enabled: bool) -> DriverResult<HostStatus> {
        self.run(M::SetHostEnabled, None, || {
            self.set_enabled_now(host, enabled)
        })
    }

    async fn spawn(
        &self,
        _context: &RequestContext,
        instance: &Instance,
        _image_meta: &ImageMeta,
        injected_files: &[InjectedFile],
        admin_password: Option<Secret>,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
        power_on: bool,
    ) -> DriverResult<()> {
        self.run(M::Spawn, Some(instance.uuid), || {
            self.spawn_now(
                instance,
                injected_files,
                admin_password.is_some(),
                network_info,
                block_device_info,
                power_on,
            )
        })
    }

    async fn destroy(
        &self,
        instance: &Instance,
        _network_info: &[Vif],
        _block_device_info: &BlockDeviceInfo,
        _destroy_disks: bool,
    ) -> DriverResult<()> {
        self.on(M::Destroy, instance, Self::destroy_now)
    }

    async fn get_info(&self, instance: &Instance) -> DriverResult<InstanceInfo> {
        let uuid = instance.uuid;
        self.run(M::GetInfo, Some(uuid), || self.info_now(uuid))
    }

    async fn list_instances(&self) -> DriverResult<Vec<String>> {
        self.run(M::ListInstances, None, || Ok(self.names_now()))
    }

    async fn list_instance_uuids(&self) -> DriverResult<Vec<Uuid>> {
        self.run(M::ListInstanceUuids, None, || Ok(self.uuids_now()))
    }

    async fn get_num_instances(&self) -> DriverResult<usize> {
        self.run(M::GetNumInstances, None, || Ok(self.store.count()))
    }

    async fn instance_exists(&self, instance: &Instance) -> DriverResult<bool> {
        self.on(M::InstanceExists, instance, Self::instance_exists_now)
    }

    async fn reboot(
        &self,
        _context: &RequestContext,
        instance: &Instance,
        _network_info: &[Vif],
        reboot_type: RebootType,
        _block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        self.lifecycle(M::Reboot, instance.uuid, Op::reboot(reboot_type))
    }

    async fn poll_rebooting_instances(
        &self,
        _timeout: Duration,
        instances: &[Instance],
    ) -> DriverResult<()> {
        self.run(M::PollRebootingInstances, None, || {
            self.poll_rebooting_now(instances)
        })
    }

    async fn power_off(&self, instance: &Instance, _timeout: Duration) -> DriverResult<()> {
        self.lifecycle(M::PowerOff, instance.uuid, Op::PowerOff)
    }

    async fn power_on(
        &self,
        _context: &RequestContext,
        instance: &Instance,
        _network_info: &[Vif],
        _block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        self.lifecycle(M::PowerOn, instance.uuid, Op::PowerOn)
    }

    async fn pause(&self, instance: &Instance) -> DriverResult<()> {
        self.lifecycle(M::Pause, instance.uuid, Op::Pause)
    }

    async fn unpause(&self, instance: &Instance) -> DriverResult<()> {
        self.lifecycle(M::Unpause, instance.uuid, Op::Unpause)
    }

    async fn suspend(&self, instance: &Instance) -> DriverResult<()> {
        self.lifecycle(M::Suspend, instance.uuid, Op::Suspend)
    }

    async fn resume(
        &self,
        instance: &Instance,
        _network_info: &[Vif],
        _block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        self.lifecycle(M::Resume, instance.uuid, Op::Resume)
    }

    async fn rescue(
        &self,
        _context: &RequestContext,
        instance: &Instance,
        _network_info: &[Vif],
        _image_meta: &ImageMeta,
        rescue_password: Secret,
    ) -> DriverResult<()> {
        drop(rescue_password);
        self.lifecycle(M::Rescue, instance.uuid, Op::Rescue)
    }

    async fn unrescue(&self, instance: &Instance, _network_info: &[Vif]) -> DriverResult<()> {
        self.lifecycle(M::Unrescue, instance.uuid, Op::Unrescue)
    }

    async fn soft_delete(&self, instance: &Instance) -> DriverResult<()> {
        self.lifecycle(M::SoftDelete, instance.uuid, Op::SoftDelete)
    }

    async fn restore(&self, instance: &Instance) -> DriverResult<()> {
        self.lifecycle(M::Restore, instance.uuid, Op::Restore)
    }

    async fn snapshot(
        &self,
        _context: &RequestContext,
        instance: &Instance,
        image_id: &str,
        update_task_state: TaskStateCallback,
    ) -> DriverResult<()> {
        self.on(M::Snapshot, instance, |fake, uuid| {
            fake.snapshot_now(uuid, image_id, update_task_state)
        })
    }

    async fn set_admin_password(&self, instance: &Instance, new_pass: Secret) -> DriverResult<()> {
        drop(new_pass);
        self.on(M::SetAdminPassword, instance, Self::set_password_now)
    }

    async fn inject_file(
        &self,
        instance: &Instance,
        b64_path: &str,
        b64_contents: &str,
    ) -> DriverResult<()> {
        self.on(M::InjectFile, instance, |fake, uuid| {
            fake.inject_file_now(uuid, b64_path, b64_contents)
        })
    }

    async fn resume_state_on_host_boot(
        &self,
        _context: &RequestContext,
        instance: &Instance,
        _network_info: &[Vif],
        _block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        self.on(M::ResumeStateOnHostBoot, instance, Self::resume_on_boot_now)
    }

    async fn trigger_crash_dump(&self, instance: &Instance) -> DriverResult<()> {
        self.on(M::TriggerCrashDump, instance, Self::crash_dump_now)
    }

    async fn instance_on_disk(&self, instance: &Instance) -> DriverResult<bool> {
        self.on(M::InstanceOnDisk, instance, Self::on_disk_now)
    }

    async fn block_stats(&self, instance_name: &str, _disk_id: &str) -> DriverResult<BlockStats> {
        self.named(M::BlockStats, instance_name, Self::block_stats_now)
    }

    async fn interface_stats(
        &self,
        instance_name: &str,
        _iface_id: &str,
    ) -> DriverResult<InterfaceStats> {
        self.named(M::InterfaceStats, instance_name, Self::interface_stats_now)
    }

    async fn get_diagnostics(&self, instance_name: &str) -> DriverResult<Diagnostics> {
        self.named(M::GetDiagnostics, instance_name, Self::diagnostics_now)
    }

    async fn get_instance_disk_info(&self, instance_name: &str) -> DriverResult<DiskInfo> {
        self.named(M::GetInstanceDiskInfo, instance_name, Self::disk_info_now)
    }

    async fn get_all_bw_counters(
        &self,
        instances: &[Instance],
    ) -> DriverResult<Vec<BandwidthCounter>> {
        self.run(M::GetAllBwCounters, None, || {
            self.bw_counters_now(instances)
        })
    }

    async fn get_all_volume_usage(
        &self,
        _context: &RequestContext,
        instances: &[Instance],
        _start_time: SystemTime,
        _stop_time: Option<SystemTime>,
    ) -> DriverResult<Vec<VolumeUsage>> {
        self.run(M::GetAllVolumeUsage, None, || {
            Ok(self.volume_usage_now(instances))
        })
    }

    async fn get_console_output(&self, instance: &Instance) -> DriverResult<String> {
        self.on(M::GetConsoleOutput, instance, Self::console_output_now)
    }

    async fn get_console_pool_info(
        &self,
        _console_type: ConsoleType,
    ) -> DriverResult<ConsolePoolInfo> {
        self.run(M::GetConsolePoolInfo, None, || Ok(console_pool_info()))
    }

    async fn get_vnc_console(&self, instance: &Instance) -> DriverResult<VncConsole> {
        self.on(M::GetVncConsole, instance, Self::vnc_now)
    }

    async fn get_spice_console(&self, instance: &Instance) -> DriverResult<SpiceConsole> {
        self.on(M::GetSpiceConsole, instance, Self::spice_now)
    }

    async fn get_serial_console(&self, instance: &Instance) -> DriverResult<SerialConsole> {
        self.on(M::GetSerialConsole, instance, Self::serial_now)
    }

    async fn attach_volume(
        &self,
        connection_info: &ConnectionInfo,
        instance: &Instance,
        mountpoint: &str,
    ) -> DriverResult<()> {
        self.on(M::AttachVolume, instance, |fake, uuid| {
            fake.attach_volume_now(uuid, connection_info, mountpoint)
        })
    }

    async fn detach_volume(
        &self,
        _connection_info: &ConnectionInfo,
        instance: &Instance,
        mountpoint: &str,
    ) -> DriverResult<()> {
        self.on(M::DetachVolume, instance, |fake, uuid| {
            fake.replace_volume_now(uuid, mountpoint, None)
        })
    }

    async fn swap_volume(
        &self,
        _old_connection_info: &ConnectionInfo,
        new_connection_info: &ConnectionInfo,
        instance: &Instance,
        mountpoint: &str,
        _resize_to_gb: u64,
    ) -> DriverResult<()> {
        self.on(M::SwapVolume, instance, |fake, uuid| {
            fake.replace_volume_now(uuid, mountpoint, Some(new_connection_info))
        })
    }

    async fn get_volume_connector(&self, instance: &Instance) -> DriverResult<VolumeConnector> {
        self.on(M::GetVolumeConnector, instance, Self::volume_connector_now)
    }

    async fn attach_interface(
        &self,
        instance: &Instance,
        _image_meta: &ImageMeta,
        vif: &Vif,
    ) -> DriverResult<()> {
        self.on(M::AttachInterface, instance, |fake, uuid| {
            fake.attach_interface_now(uuid, vif)
        })
    }

    async fn detach_interface(&self, instance: &Instance, vif: &Vif) -> DriverResult<()> {
        self.on(M::DetachInterface, instance, |fake, uuid| {
            fake.detach_interface_now(uuid, vif)
        })
    }

    async fn plug_vifs(&self, instance: &Instance, _network_info: &[Vif]) -> DriverResult<()> {
        self.touch(M::PlugVifs, instance.uuid)
    }

    async fn unplug_vifs(&self, instance: &Instance, _network_info: &[Vif]) -> DriverResult<()> {
        self.touch(M::UnplugVifs, instance.uuid)
    }

    async fn ensure_filtering_rules_for_instance(
        &self,
        instance: &Instance,
        _network_info: &[Vif],
    ) -> DriverResult<()> {
        self.on(M::EnsureFilteringRulesForInstance, instance, |_, _| Ok(()))
    }

    async fn refresh_instance_security_rules(&self, instance: &Instance) -> DriverResult<()> {
        self.touch(M::RefreshInstanceSecurityRules, instance.uuid)
    }

    async fn refresh_provider_fw_rules(&self) -> DriverResult<()> {
        self.run(M::RefreshProviderFwRules, None, || Ok(()))
    }

    async fn refresh_security_group_members(&self, _security_group_id: i64) -> DriverResult<()> {
        self.run(M::RefreshSecurityGroupMembers, None, || Ok(()))
    }

    async fn refresh_security_group_rules(&self, _security_group_id: i64) -> DriverResult<()> {
        self.run(M::RefreshSecurityGroupRules, None, || Ok(()))
    }

    async fn unfilter_instance(
        &self,
        instance: &Instance,
        _network_info: &[Vif],
    ) -> DriverResult<()> {
        self.run(M::UnfilterInstance, Some(instance.uuid), || Ok(()))
    }

    async fn check_can_live_migrate_destination(
        &self,
        _context: &RequestContext,
        instance: &Instance,
        _src_compute_info: &NodeResources,
        _dst_compute_info: &NodeResources,
        block_migration: bool,
        disk_over_commit: bool,
    ) -> DriverResult<LiveMigrateData> {
        self.on(M::CheckCanLiveMigrateDestination, instance, |fake, _| {
            fake.check_destination_now(instance, block_migration, disk_over_commit)
        })
    }

    async fn check_can_live_migrate_destination_cleanup(
        &self,
        _context: &RequestContext,
        _dest_check_data: &LiveMigrateData,
    ) -> DriverResult<()> {
        self.run(M::CheckCanLiveMigrateDestinationCleanup, None, || Ok(()))
    }

    async fn check_can_live_migrate_source(
        &self,
        _context: &RequestContext,
        instance: &Instance,
        dest_check_data: &LiveMigrateData,
    ) -> DriverResult<LiveMigrateData> {
        self.on(M::CheckCanLiveMigrateSource, instance, |fake, uuid| {
            fake.check_source_now(uuid, dest_check_data)
        })
    }

    async fn pre_live_migration(
        &self,
        _context: &RequestContext,
        instance: &Instance,
        block_device_info: &BlockDeviceInfo,
        network_info: &[Vif],
        migrate_data: &LiveMigrateData,
    ) -> DriverResult<LiveMigrateData> {
        self.on(M::PreLiveMigration, instance, |fake, _| {
            fake.pre_live_now(instance, block_device_info, network_info, migrate_data)
        })
    }

    async fn live_migration(
        &self,
        _context: &RequestContext,
        instance: &Instance,
        dest: &str,
        callbacks: Arc<dyn LiveMigrationCallbacks>,
        _block_migration: bool,
        migrate_data: &LiveMigrateData,
    ) -> DriverResult<()> {
        let result = match self.admit(M::LiveMigration) {
            Ok(()) => {
                self.live_migrate_now(instance, dest, callbacks, migrate_data)
                    .await
            }
            Err(error) => Err(error),
        };
        self.traced(M::LiveMigration, Some(instance.uuid), result)
    }

    async fn post_live_migration_at_destination(
        &self,
        _context: &RequestContext,
        instance: &Instance,
        network_info: &[Vif],
        _block_migration: bool,
        block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        self.on(M::PostLiveMigrationAtDestination, instance, |fake, _| {
            fake.post_live_now(instance, network_info, block_device_info)
        })
    }

    async fn rollback_live_migration_at_destination(
        &self,
        _context: &RequestContext,
        instance: &Instance,
        _network_info: &[Vif],
        _block_device_info: &BlockDeviceInfo,
        _destroy_disks: bool,
    ) -> DriverResult<()> {
        self.on(
            M::RollbackLiveMigrationAtDestination,
            instance,
            |fake, uuid| fake.rollback_live_now(uuid),
        )
    }

    async fn live_migration_force_complete(&self, instance: &Instance) -> DriverResult<()> {
        self.on(M::LiveMigrationForceComplete, instance, |fake, uuid| {
            fake.force_live_now(uuid)
        })
    }

    async fn live_migration_abort(&self, instance: &Instance) -> DriverResult<()> {
        self.on(M::LiveMigrationAbort, instance, Self::abort_live_now)
    }

    async fn migrate_disk_and_power_off(
        &self,
        _context: &RequestContext,
        instance: &Instance,
        dest: &str,
        flavor: &Flavor,
        _network_info: &[Vif],
        _block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<DiskInfo> {
        self.on(M::MigrateDiskAndPowerOff, instance, |fake, uuid| {
            fake.migrate_out_now(uuid, dest, (&instance.flavor, flavor))
        })
    }

    async fn finish_migration(
        &self,
        _context: &RequestContext,
        migration: &Migration,
        instance: &Instance,
        _disk_info: &DiskInfo,
        network_info: &[Vif],
        _image_meta: &ImageMeta,
        _resize_instance: bool,
        block_device_info: &BlockDeviceInfo,
        power_on: bool,
    ) -> DriverResult<()> {
        self.run(M::FinishMigration, Some(instance.uuid), || {
            self.finish_migration_now(
                migration,
                instance,
                network_info,
                block_device_info,
                power_on,
            )
        })
    }

    async fn confirm_migration(
        &self,
        migration: &Migration,
        instance: &Instance,
        _network_info: &[Vif],
    ) -> DriverResult<()> {
        self.run(M::ConfirmMigration, Some(instance.uuid), || {
            self.confirm_migration_now(migration, instance)
        })
    }

    async fn finish_revert_migration(
        &self,
        instance: &Instance,
        _network_info: &[Vif],
        _block_device_info: &BlockDeviceInfo,
        power_on: bool,
    ) -> DriverResult<()> {
        self.on(M::FinishRevertMigration, instance, |fake, uuid| {
            fake.revert_migration_now(uuid, power_on)
        })
    }
}
