//! `ComputeDriver for FakeDriver`: every method, each the same two steps —
//! admission (capability, read-only), then the synchronous change — with its
//! outcome traced. (Faults and latency are a layer: `FaultLayer`.)

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use driver_api::{
    BandwidthCounter, BlockDeviceInfo, BlockStats, Capabilities, ComputeDriver, ConnectionInfo,
    ConsolePoolInfo, ConsoleType, Diagnostics, DiskInfo, DriverMethod as M, DriverResult,
    EventListener, Flavor, HostCpuStats, HostPowerAction, HostStats, HostStatus, ImageMeta,
    InjectedFile, Instance, InstanceInfo, InterfaceStats, LifecycleEvent, LifecycleOperation as Op,
    LiveMigrateData, LiveMigrationCallbacks, MaintenanceMode, Migration, NodeResources, PowerState,
    RebootType, RequestContext, Secret, SerialConsole, SpiceConsole, TaskState, TaskStateCallback,
    Vif, VncConsole, VolumeConnector, VolumeUsage,
};
use uuid::Uuid;

use crate::fake_driver::{trace_outcome, FakeDriver, LiveSignal, DRIVER_NAME};
use crate::host::{check_host, HOST_IP};
use std::future::Ready;

/// The body of a hot method: [`FakeDriver::run_now`], written inline so
/// that the method awaits nothing (an await point would keep the outcome in
/// the call's boxed future, growing it).
macro_rules! dispatch {
    ($driver:expr, $method:expr, $instance:expr, $body:expr) => {
        $driver.run_now($method, $instance, $body)
    };
}

/// A row of the transition table on one instance, through [`dispatch!`].
macro_rules! lifecycle {
    ($driver:expr, $method:expr, $uuid:expr, $operation:expr) => {{
        let uuid = $uuid;
        dispatch!($driver, $method, Some(uuid), || $driver
            .apply(uuid, $operation))
    }};
}

impl FakeDriver {
    /// Admission, then `body`; the outcome traced.
    #[inline]
    fn run_now<T>(
        &self,
        method: M,
        instance: Option<Uuid>,
        body: impl FnOnce() -> DriverResult<T>,
    ) -> DriverResult<T> {
        let outcome = match self.admit(method) {
            Ok(()) => body(),
            Err(error) => Err(error),
        };
        trace_outcome(method, instance, &outcome);
        outcome
    }

    /// [`run_now`](Self::run_now) as a future that is ready at once (a plain
    /// value, so each call's future stays small: `async_trait` boxes it).
    #[inline]
    fn run<T>(
        &self,
        method: M,
        instance: Option<Uuid>,
        body: impl FnOnce() -> DriverResult<T>,
    ) -> Ready<DriverResult<T>> {
        std::future::ready(self.run_now(method, instance, body))
    }

    /// A method that only needs the instance to exist.
    fn touch(&self, method: M, uuid: Uuid) -> Ready<DriverResult<()>> {
        self.run(method, Some(uuid), move || self.require(uuid))
    }
}

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

    // ----- host and nodes -------------------------------------------------------------

    async fn init_host(&self, host: &str) -> DriverResult<()> {
        self.run(M::InitHost, None, || self.init_host_now(host))
            .await
    }

    async fn get_available_nodes(&self, _refresh: bool) -> DriverResult<Vec<String>> {
        self.run(M::GetAvailableNodes, None, || Ok(self.nodes()))
            .await
    }

    async fn get_available_resource(&self, nodename: &str) -> DriverResult<NodeResources> {
        self.run(M::GetAvailableResource, None, || {
            self.resources_now(nodename)
        })
        .await
    }

    async fn get_disk_available_least(&self) -> DriverResult<i64> {
        self.run(M::GetDiskAvailableLeast, None, || {
            self.disk_available_least_now()
        })
        .await
    }

    async fn get_host_ip_addr(&self) -> DriverResult<IpAddr> {
        self.run(M::GetHostIpAddr, None, || Ok(HOST_IP)).await
    }

    async fn get_host_stats(&self, _refresh: bool) -> DriverResult<Vec<HostStats>> {
        self.run(M::GetHostStats, None, || Ok(self.host_stats_now()))
            .await
    }

    async fn get_host_cpu_stats(&self) -> DriverResult<HostCpuStats> {
        self.run(M::GetHostCpuStats, None, || Ok(self.host_cpu_stats_now()))
            .await
    }

    async fn get_host_uptime(&self) -> DriverResult<Duration> {
        self.run(M::GetHostUptime, None, || Ok(self.started.elapsed()))
            .await
    }

    async fn host_power_action(
        &self,
        host: &str,
        action: HostPowerAction,
    ) -> DriverResult<HostPowerAction> {
        self.run(M::HostPowerAction, None, || {
            check_host(M::HostPowerAction, host)?;
            Ok(self.power_action_now(action))
        })
        .await
    }

    async fn host_maintenance_mode(&self, host: &str, mode: bool) -> DriverResult<MaintenanceMode> {
        self.run(M::HostMaintenanceMode, None, || {
            check_host(M::HostMaintenanceMode, host)?;
            Ok(self.maintenance_now(mode))
        })
        .await
    }

    async fn set_host_enabled(&self, host: &str, enabled: bool) -> DriverResult<HostStatus> {
        self.run(M::SetHostEnabled, None, || {
            check_host(M::SetHostEnabled, host)?;
            Ok(self.set_enabled_now(enabled))
        })
        .await
    }

    // ----- lifecycle ------------------------------------------------------------------

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
        let password_set = admin_password.is_some();
        drop(admin_password);
        dispatch!(self, M::Spawn, Some(instance.uuid), || {
            self.spawn_now(
                instance,
                injected_files,
                password_set,
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
        let uuid = instance.uuid;
        dispatch!(self, M::Destroy, Some(uuid), || {
            self.destroy_now(uuid);
            Ok(())
        })
    }

    async fn get_info(&self, instance: &Instance) -> DriverResult<InstanceInfo> {
        let uuid = instance.uuid;
        dispatch!(self, M::GetInfo, Some(uuid), || self.info_now(uuid))
    }

    async fn list_instances(&self) -> DriverResult<Vec<String>> {
        self.run(M::ListInstances, None, || Ok(self.names_now()))
            .await
    }

    async fn list_instance_uuids(&self) -> DriverResult<Vec<Uuid>> {
        self.run(M::ListInstanceUuids, None, || Ok(self.uuids_now()))
            .await
    }

    async fn get_num_instances(&self) -> DriverResult<usize> {
        self.run(M::GetNumInstances, None, || Ok(self.store.count()))
            .await
    }

    async fn instance_exists(&self, instance: &Instance) -> DriverResult<bool> {
        let uuid = instance.uuid;
        self.run(M::InstanceExists, Some(uuid), || Ok(self.exists_now(uuid)))
            .await
    }

    async fn reboot(
        &self,
        _context: &RequestContext,
        instance: &Instance,
        _network_info: &[Vif],
        reboot_type: RebootType,
        _block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        lifecycle!(self, M::Reboot, instance.uuid, Op::reboot(reboot_type))
    }

    async fn poll_rebooting_instances(
        &self,
        _timeout: Duration,
        instances: &[Instance],
    ) -> DriverResult<()> {
        self.run(M::PollRebootingInstances, None, || {
            for instance in instances {
                if matches!(
                    instance.task_state,
                    Some(TaskState::Rebooting | TaskState::RebootingHard)
                ) {
                    // Not here, or refused by the table: nothing to unstick.
                    let _ = self.apply(instance.uuid, Op::RebootHard);
                }
            }
            Ok(())
        })
        .await
    }

    async fn power_off(&self, instance: &Instance, _timeout: Duration) -> DriverResult<()> {
        lifecycle!(self, M::PowerOff, instance.uuid, Op::PowerOff)
    }

    async fn power_on(
        &self,
        _context: &RequestContext,
        instance: &Instance,
        _network_info: &[Vif],
        _block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        lifecycle!(self, M::PowerOn, instance.uuid, Op::PowerOn)
    }

    async fn pause(&self, instance: &Instance) -> DriverResult<()> {
        lifecycle!(self, M::Pause, instance.uuid, Op::Pause)
    }

    async fn unpause(&self, instance: &Instance) -> DriverResult<()> {
        lifecycle!(self, M::Unpause, instance.uuid, Op::Unpause)
    }

    async fn suspend(&self, instance: &Instance) -> DriverResult<()> {
        lifecycle!(self, M::Suspend, instance.uuid, Op::Suspend)
    }

    async fn resume(
        &self,
        instance: &Instance,
        _network_info: &[Vif],
        _block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        lifecycle!(self, M::Resume, instance.uuid, Op::Resume)
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
        lifecycle!(self, M::Rescue, instance.uuid, Op::Rescue)
    }

    async fn unrescue(&self, instance: &Instance, _network_info: &[Vif]) -> DriverResult<()> {
        lifecycle!(self, M::Unrescue, instance.uuid, Op::Unrescue)
    }

    async fn soft_delete(&self, instance: &Instance) -> DriverResult<()> {
        lifecycle!(self, M::SoftDelete, instance.uuid, Op::SoftDelete)
    }

    async fn restore(&self, instance: &Instance) -> DriverResult<()> {
        lifecycle!(self, M::Restore, instance.uuid, Op::Restore)
    }

    async fn snapshot(
        &self,
        _context: &RequestContext,
        instance: &Instance,
        image_id: &str,
        update_task_state: TaskStateCallback,
    ) -> DriverResult<()> {
        let uuid = instance.uuid;
        self.run(M::Snapshot, Some(uuid), || {
            self.snapshot_check(uuid)?;
            update_task_state(TaskState::ImagePendingUpload, TaskState::ImageSnapshot);
            update_task_state(TaskState::ImageUploading, TaskState::ImagePendingUpload);
            self.snapshot_record(uuid, image_id)
        })
        .await
    }

    async fn set_admin_password(&self, instance: &Instance, new_pass: Secret) -> DriverResult<()> {
        drop(new_pass);
        let uuid = instance.uuid;
        self.run(M::SetAdminPassword, Some(uuid), || {
            self.set_password_now(uuid)
        })
        .await
    }

    async fn inject_file(
        &self,
        instance: &Instance,
        b64_path: &str,
        b64_contents: &str,
    ) -> DriverResult<()> {
        let uuid = instance.uuid;
        self.run(M::InjectFile, Some(uuid), || {
            self.inject_file_now(uuid, b64_path, b64_contents)
        })
        .await
    }

    async fn resume_state_on_host_boot(
        &self,
        _context: &RequestContext,
        instance: &Instance,
        _network_info: &[Vif],
        _block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        let uuid = instance.uuid;
        self.run(M::ResumeStateOnHostBoot, Some(uuid), move || {
            self.apply_when(uuid, Op::PowerOn, |status| {
                !status.soft_deleted
                    && matches!(status.state, PowerState::Shutdown | PowerState::Crashed)
            })
        })
        .await
    }

    async fn trigger_crash_dump(&self, instance: &Instance) -> DriverResult<()> {
        let uuid = instance.uuid;
        self.run(M::TriggerCrashDump, Some(uuid), || {
            self.crash_dump_now(uuid)
        })
        .await
    }

    async fn instance_on_disk(&self, instance: &Instance) -> DriverResult<bool> {
        let uuid = instance.uuid;
        self.run(M::InstanceOnDisk, Some(uuid), || {
            self.require(uuid).map(|()| true)
        })
        .await
    }

    // ----- statistics -----------------------------------------------------------------

    async fn block_stats(&self, instance_name: &str, _disk_id: &str) -> DriverResult<BlockStats> {
        let uuid = self.store.uuid_of_name(instance_name);
        self.run(M::BlockStats, uuid, || self.block_stats_now(instance_name))
            .await
    }

    async fn interface_stats(
        &self,
        instance_name: &str,
        _iface_id: &str,
    ) -> DriverResult<InterfaceStats> {
        let uuid = self.store.uuid_of_name(instance_name);
        self.run(M::InterfaceStats, uuid, || {
            self.interface_stats_now(instance_name)
        })
        .await
    }

    async fn get_diagnostics(&self, instance_name: &str) -> DriverResult<Diagnostics> {
        let uuid = self.store.uuid_of_name(instance_name);
        self.run(M::GetDiagnostics, uuid, || {
            self.diagnostics_now(instance_name)
        })
        .await
    }

    async fn get_instance_disk_info(&self, instance_name: &str) -> DriverResult<DiskInfo> {
        let uuid = self.store.uuid_of_name(instance_name);
        self.run(M::GetInstanceDiskInfo, uuid, || {
            self.disk_info_now(instance_name)
        })
        .await
    }

    async fn get_all_bw_counters(
        &self,
        instances: &[Instance],
    ) -> DriverResult<Vec<BandwidthCounter>> {
        self.run(M::GetAllBwCounters, None, || {
            Ok(self.bw_counters_now(instances))
        })
        .await
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
        .await
    }

    // ----- consoles -------------------------------------------------------------------

    async fn get_console_output(&self, instance: &Instance) -> DriverResult<String> {
        let uuid = instance.uuid;
        self.run(M::GetConsoleOutput, Some(uuid), || {
            self.console_output_now(uuid)
        })
        .await
    }

    async fn get_console_pool_info(
        &self,
        _console_type: ConsoleType,
    ) -> DriverResult<ConsolePoolInfo> {
        self.run(M::GetConsolePoolInfo, None, || {
            Ok(ConsolePoolInfo::new(
                "127.0.0.1",
                "fakeuser",
                Secret::new("fakepassword"),
            ))
        })
        .await
    }

    async fn get_vnc_console(&self, instance: &Instance) -> DriverResult<VncConsole> {
        let uuid = instance.uuid;
        self.run(M::GetVncConsole, Some(uuid), || self.vnc_now(uuid))
            .await
    }

    async fn get_spice_console(&self, instance: &Instance) -> DriverResult<SpiceConsole> {
        let uuid = instance.uuid;
        self.run(M::GetSpiceConsole, Some(uuid), || self.spice_now(uuid))
            .await
    }

    async fn get_serial_console(&self, instance: &Instance) -> DriverResult<SerialConsole> {
        let uuid = instance.uuid;
        self.run(M::GetSerialConsole, Some(uuid), || self.serial_now(uuid))
            .await
    }

    // ----- volumes and networking -----------------------------------------------------

    async fn attach_volume(
        &self,
        connection_info: &ConnectionInfo,
        instance: &Instance,
        mountpoint: &str,
    ) -> DriverResult<()> {
        let uuid = instance.uuid;
        self.run(M::AttachVolume, Some(uuid), || {
            self.attach_volume_now(uuid, connection_info, mountpoint)
        })
        .await
    }

    async fn detach_volume(
        &self,
        _connection_info: &ConnectionInfo,
        instance: &Instance,
        mountpoint: &str,
    ) -> DriverResult<()> {
        let uuid = instance.uuid;
        self.run(M::DetachVolume, Some(uuid), || {
            self.replace_volume_now(uuid, mountpoint, None)
        })
        .await
    }

    async fn swap_volume(
        &self,
        _old_connection_info: &ConnectionInfo,
        new_connection_info: &ConnectionInfo,
        instance: &Instance,
        mountpoint: &str,
        _resize_to_gb: u64,
    ) -> DriverResult<()> {
        let uuid = instance.uuid;
        self.run(M::SwapVolume, Some(uuid), || {
            self.replace_volume_now(uuid, mountpoint, Some(new_connection_info))
        })
        .await
    }

    async fn get_volume_connector(&self, instance: &Instance) -> DriverResult<VolumeConnector> {
        self.run(M::GetVolumeConnector, Some(instance.uuid), || {
            Ok(self.volume_connector_now())
        })
        .await
    }

    async fn attach_interface(
        &self,
        instance: &Instance,
        _image_meta: &ImageMeta,
        vif: &Vif,
    ) -> DriverResult<()> {
        let uuid = instance.uuid;
        self.run(M::AttachInterface, Some(uuid), || {
            self.attach_interface_now(uuid, vif)
        })
        .await
    }

    async fn detach_interface(&self, instance: &Instance, vif: &Vif) -> DriverResult<()> {
        let uuid = instance.uuid;
        self.run(M::DetachInterface, Some(uuid), || {
            self.detach_interface_now(uuid, vif)
        })
        .await
    }

    async fn plug_vifs(&self, instance: &Instance, _network_info: &[Vif]) -> DriverResult<()> {
        self.touch(M::PlugVifs, instance.uuid).await
    }

    async fn unplug_vifs(&self, instance: &Instance, _network_info: &[Vif]) -> DriverResult<()> {
        self.touch(M::UnplugVifs, instance.uuid).await
    }

    // ----- firewall -------------------------------------------------------------------

    async fn ensure_filtering_rules_for_instance(
        &self,
        instance: &Instance,
        _network_info: &[Vif],
    ) -> DriverResult<()> {
        self.run(
            M::EnsureFilteringRulesForInstance,
            Some(instance.uuid),
            || Ok(()),
        )
        .await
    }

    async fn refresh_instance_security_rules(&self, instance: &Instance) -> DriverResult<()> {
        self.touch(M::RefreshInstanceSecurityRules, instance.uuid)
            .await
    }

    async fn refresh_provider_fw_rules(&self) -> DriverResult<()> {
        self.run(M::RefreshProviderFwRules, None, || Ok(())).await
    }

    async fn refresh_security_group_members(&self, _security_group_id: i64) -> DriverResult<()> {
        self.run(M::RefreshSecurityGroupMembers, None, || Ok(()))
            .await
    }

    async fn refresh_security_group_rules(&self, _security_group_id: i64) -> DriverResult<()> {
        self.run(M::RefreshSecurityGroupRules, None, || Ok(()))
            .await
    }

    async fn unfilter_instance(
        &self,
        instance: &Instance,
        _network_info: &[Vif],
    ) -> DriverResult<()> {
        self.run(M::UnfilterInstance, Some(instance.uuid), || Ok(()))
            .await
    }

    // ----- live migration -------------------------------------------------------------

    async fn check_can_live_migrate_destination(
        &self,
        _context: &RequestContext,
        instance: &Instance,
        _src_compute_info: &NodeResources,
        _dst_compute_info: &NodeResources,
        block_migration: bool,
        disk_over_commit: bool,
    ) -> DriverResult<LiveMigrateData> {
        self.run(
            M::CheckCanLiveMigrateDestination,
            Some(instance.uuid),
            || self.check_destination_now(instance, block_migration, disk_over_commit),
        )
        .await
    }

    async fn check_can_live_migrate_destination_cleanup(
        &self,
        _context: &RequestContext,
        _dest_check_data: &LiveMigrateData,
    ) -> DriverResult<()> {
        self.run(M::CheckCanLiveMigrateDestinationCleanup, None, || Ok(()))
            .await
    }

    async fn check_can_live_migrate_source(
        &self,
        _context: &RequestContext,
        instance: &Instance,
        dest_check_data: &LiveMigrateData,
    ) -> DriverResult<LiveMigrateData> {
        let uuid = instance.uuid;
        self.run(M::CheckCanLiveMigrateSource, Some(uuid), || {
            self.check_source_now(uuid, dest_check_data)
        })
        .await
    }

    async fn pre_live_migration(
        &self,
        _context: &RequestContext,
        instance: &Instance,
        block_device_info: &BlockDeviceInfo,
        network_info: &[Vif],
        migrate_data: &LiveMigrateData,
    ) -> DriverResult<LiveMigrateData> {
        self.run(M::PreLiveMigration, Some(instance.uuid), || {
            self.pre_live_now(instance, block_device_info, network_info)?;
            Ok(migrate_data.clone())
        })
        .await
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
        let uuid = Some(instance.uuid);
        let result = match self.admit(M::LiveMigration) {
            Ok(()) => {
                self.live_migrate_now(instance, dest, callbacks, migrate_data)
                    .await
            }
            Err(error) => Err(error),
        };
        self.traced(M::LiveMigration, uuid, result)
    }

    async fn post_live_migration_at_destination(
        &self,
        _context: &RequestContext,
        instance: &Instance,
        network_info: &[Vif],
        _block_migration: bool,
        block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        self.run(
            M::PostLiveMigrationAtDestination,
            Some(instance.uuid),
            || self.post_live_now(instance, network_info, block_device_info),
        )
        .await
    }

    async fn rollback_live_migration_at_destination(
        &self,
        _context: &RequestContext,
        instance: &Instance,
        _network_info: &[Vif],
        _block_device_info: &BlockDeviceInfo,
        _destroy_disks: bool,
    ) -> DriverResult<()> {
        let uuid = instance.uuid;
        self.run(M::RollbackLiveMigrationAtDestination, Some(uuid), || {
            self.rollback_live_now(uuid);
            Ok(())
        })
        .await
    }

    async fn live_migration_force_complete(&self, instance: &Instance) -> DriverResult<()> {
        let uuid = instance.uuid;
        self.run(M::LiveMigrationForceComplete, Some(uuid), || {
            self.signal_live_now(uuid, LiveSignal::Complete)
        })
        .await
    }

    async fn live_migration_abort(&self, instance: &Instance) -> DriverResult<()> {
        let uuid = instance.uuid;
        self.run(M::LiveMigrationAbort, Some(uuid), || {
            self.signal_live_now(uuid, LiveSignal::Abort)
        })
        .await
    }

    // ----- cold migration and resize --------------------------------------------------

    async fn migrate_disk_and_power_off(
        &self,
        _context: &RequestContext,
        instance: &Instance,
        dest: &str,
        _flavor: &Flavor,
        _network_info: &[Vif],
        _block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<DiskInfo> {
        let uuid = instance.uuid;
        self.run(M::MigrateDiskAndPowerOff, Some(uuid), || {
            self.migrate_out_now(uuid, dest)
        })
        .await
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
        .await
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
        .await
    }

    async fn finish_revert_migration(
        &self,
        instance: &Instance,
        _network_info: &[Vif],
        _block_device_info: &BlockDeviceInfo,
        power_on: bool,
    ) -> DriverResult<()> {
        let uuid = instance.uuid;
        self.run(M::FinishRevertMigration, Some(uuid), || {
            self.revert_migration_now(uuid, power_on)
        })
        .await
    }
}
