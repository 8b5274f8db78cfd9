//! `ComputeDriver` for [`LibvirtDriver`]: each method checks its input and
//! runs its [`Hypervisor`] call (see `calls.rs` for where it runs).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use driver_api::validate;
use driver_api::{
    BandwidthCounter, BlockDeviceInfo, BlockStats, Capabilities, ComputeDriver, ConnectionInfo,
    Diagnostics, DiskInfo, DriverMethod as M, DriverResult, EventListener, Flavor, HostCpuStats,
    HostStats, ImageMeta, InjectedFile, Instance, InstanceInfo, InterfaceStats, LifecycleEvent,
    LiveMigrateData, LiveMigrationCallbacks, Migration, NodeResources, RebootType, RequestContext,
    Secret, SerialConsole, SpiceConsole, TaskStateCallback, Vif, VncConsole, VolumeConnector,
    VolumeUsage,
};
use uuid::Uuid;

use crate::driver::LibvirtDriver;
use crate::hypervisor::{Hypervisor, DRIVER_NAME};

#[async_trait]
impl ComputeDriver for LibvirtDriver {
    fn driver_name(&self) -> &'static str {
        DRIVER_NAME
    }

    fn capabilities(&self) -> Capabilities {
        self.caps
    }

    fn register_event_listener(&self, listener: Option<EventListener>) {
        self.hv.events.register(listener);
    }

    fn emit_event(&self, event: LifecycleEvent) {
        self.hv.events.emit(event);
    }

    async fn init_host(&self, host: &str) -> DriverResult<()> {
        validate::host_name("host", host).map_err(|v| v.into_error(M::InitHost))?;
        let host = host.to_owned();
        self.run(M::InitHost, move |hv| hv.init_host(host)).await
    }

    /// The managed nodes; `refresh` also rebuilds the driver's index of its
    /// domains from their metadata (see [`LibvirtDriver::rescan`]).
    async fn get_available_nodes(&self, refresh: bool) -> DriverResult<Vec<String>> {
        if refresh {
            self.rescan().await?;
        }
        Ok(self.hv.node_list())
    }

    async fn get_available_resource(&self, nodename: &str) -> DriverResult<NodeResources> {
        let node = nodename.to_owned();
        self.run(M::GetAvailableResource, move |hv| {
            hv.available_resource(&node)
        })
        .await
    }

    async fn spawn(
        &self,
        _context: &RequestContext,
        instance: &Instance,
        _image_meta: &ImageMeta,
        injected_files: &[InjectedFile],
        _admin_password: Option<Secret>,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
        power_on: bool,
    ) -> DriverResult<()> {
        let (instance, files, vifs, bdi) = (
            instance.clone(),
            injected_files.to_vec(),
            network_info.to_vec(),
            block_device_info.clone(),
        );
        self.run(M::Spawn, move |hv| {
            hv.spawn(&instance, &files, &vifs, &bdi, power_on)
        })
        .await
    }

    async fn destroy(
        &self,
        instance: &Instance,
        _network_info: &[Vif],
        _block_device_info: &BlockDeviceInfo,
        destroy_disks: bool,
    ) -> DriverResult<()> {
        let instance = instance.clone();
        self.run(M::Destroy, move |hv| hv.destroy(&instance, destroy_disks))
            .await
    }

    async fn get_info(&self, instance: &Instance) -> DriverResult<InstanceInfo> {
        self.run_on(M::GetInfo, instance, Hypervisor::instance_info)
            .await
    }

    async fn list_instances(&self) -> DriverResult<Vec<String>> {
        self.run(M::ListInstances, Hypervisor::instance_names).await
    }

    async fn list_instance_uuids(&self) -> DriverResult<Vec<Uuid>> {
        self.run(M::ListInstanceUuids, Hypervisor::instance_uuids)
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
        let uuid = instance.uuid;
        self.run(M::Reboot, move |hv| hv.reboot(uuid, reboot_type))
            .await
    }

    async fn poll_rebooting_instances(
        &self,
        _timeout: Duration,
        _instances: &[Instance],
    ) -> DriverResult<()> {
        // `reboot` returns only once the reboot is over (falling back to a
        // reset), so no instance of this driver is ever left rebooting.
        self.run(M::PollRebootingInstances, |_| Ok(())).await
    }

    async fn power_off(&self, instance: &Instance, timeout: Duration) -> DriverResult<()> {
        let uuid = instance.uuid;
        self.run(M::PowerOff, move |hv| hv.power_off(uuid, timeout))
            .await
    }

    async fn power_on(
        &self,
        _context: &RequestContext,
        instance: &Instance,
        _network_info: &[Vif],
        _block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        self.run_on(M::PowerOn, instance, Hypervisor::power_on)
            .await
    }

    async fn pause(&self, instance: &Instance) -> DriverResult<()> {
        self.run_on(M::Pause, instance, Hypervisor::pause).await
    }

    async fn unpause(&self, instance: &Instance) -> DriverResult<()> {
        self.run_on(M::Unpause, instance, Hypervisor::unpause).await
    }

    async fn suspend(&self, instance: &Instance) -> DriverResult<()> {
        self.run_on(M::Suspend, instance, Hypervisor::suspend).await
    }

    async fn resume(
        &self,
        instance: &Instance,
        _network_info: &[Vif],
        _block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        self.run_on(M::Resume, instance, Hypervisor::resume).await
    }

    async fn rescue(
        &self,
        _context: &RequestContext,
        instance: &Instance,
        _network_info: &[Vif],
        _image_meta: &ImageMeta,
        _rescue_password: Secret,
    ) -> DriverResult<()> {
        self.run_on(M::Rescue, instance, Hypervisor::rescue).await
    }

    async fn unrescue(&self, instance: &Instance, _network_info: &[Vif]) -> DriverResult<()> {
        self.run_on(M::Unrescue, instance, Hypervisor::unrescue)
            .await
    }

    async fn soft_delete(&self, instance: &Instance) -> DriverResult<()> {
        self.run_on(M::SoftDelete, instance, Hypervisor::soft_delete)
            .await
    }

    async fn restore(&self, instance: &Instance) -> DriverResult<()> {
        self.run_on(M::Restore, instance, Hypervisor::restore).await
    }

    async fn snapshot(
        &self,
        _context: &RequestContext,
        instance: &Instance,
        image_id: &str,
        update_task_state: TaskStateCallback,
    ) -> DriverResult<()> {
        let (uuid, image_id) = (instance.uuid, image_id.to_owned());
        self.run(M::Snapshot, move |hv| {
            hv.snapshot(uuid, &image_id, update_task_state)
        })
        .await
    }

    async fn inject_file(
        &self,
        instance: &Instance,
        b64_path: &str,
        b64_contents: &str,
    ) -> DriverResult<()> {
        let (uuid, path, contents) = (instance.uuid, b64_path.to_owned(), b64_contents.to_owned());
        self.run(M::InjectFile, move |hv| {
            hv.inject_file(uuid, &path, &contents)
        })
        .await
    }

    async fn get_console_output(&self, instance: &Instance) -> DriverResult<String> {
        self.run_on(M::GetConsoleOutput, instance, Hypervisor::console_output)
            .await
    }

    async fn get_serial_console(&self, instance: &Instance) -> DriverResult<SerialConsole> {
        self.run_on(M::GetSerialConsole, instance, Hypervisor::serial_console)
            .await
    }

    async fn plug_vifs(&self, instance: &Instance, _network_info: &[Vif]) -> DriverResult<()> {
        self.run_on(M::PlugVifs, instance, Hypervisor::vifs_host_side)
            .await
    }

    async fn unplug_vifs(&self, instance: &Instance, _network_info: &[Vif]) -> DriverResult<()> {
        self.run_on(M::UnplugVifs, instance, Hypervisor::vifs_host_side)
            .await
    }

    async fn trigger_crash_dump(&self, instance: &Instance) -> DriverResult<()> {
        self.run_on(M::TriggerCrashDump, instance, Hypervisor::crash_dump)
            .await
    }

    async fn get_spice_console(&self, instance: &Instance) -> DriverResult<SpiceConsole> {
        self.run_on(M::GetSpiceConsole, instance, Hypervisor::spice_console)
            .await
    }

    async fn get_vnc_console(&self, instance: &Instance) -> DriverResult<VncConsole> {
        self.run_on(M::GetVncConsole, instance, Hypervisor::vnc_console)
            .await
    }

    async fn attach_volume(
        &self,
        connection_info: &ConnectionInfo,
        instance: &Instance,
        mountpoint: &str,
    ) -> DriverResult<()> {
        let (uuid, info, mountpoint) = (
            instance.uuid,
            connection_info.clone(),
            mountpoint.to_owned(),
        );
        self.run(M::AttachVolume, move |hv| {
            hv.attach_volume(uuid, &info, &mountpoint)
        })
        .await
    }

    async fn detach_volume(
        &self,
        _connection_info: &ConnectionInfo,
        instance: &Instance,
        mountpoint: &str,
    ) -> DriverResult<()> {
        let (uuid, mountpoint) = (instance.uuid, mountpoint.to_owned());
        self.run(M::DetachVolume, move |hv| {
            hv.detach_volume(uuid, &mountpoint)
        })
        .await
    }

    async fn swap_volume(
        &self,
        _old_connection_info: &ConnectionInfo,
        new_connection_info: &ConnectionInfo,
        instance: &Instance,
        mountpoint: &str,
        resize_to_gb: u64,
    ) -> DriverResult<()> {
        let (uuid, info, mountpoint) = (
            instance.uuid,
            new_connection_info.clone(),
            mountpoint.to_owned(),
        );
        self.run(M::SwapVolume, move |hv| {
            hv.swap_volume(uuid, &info, &mountpoint, resize_to_gb)
        })
        .await
    }

    async fn get_volume_connector(&self, _instance: &Instance) -> DriverResult<VolumeConnector> {
        self.run(M::GetVolumeConnector, |hv| Ok(hv.volume_connector()))
            .await
    }

    async fn resume_state_on_host_boot(
        &self,
        _context: &RequestContext,
        instance: &Instance,
        _network_info: &[Vif],
        _block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        self.run_on(
            M::ResumeStateOnHostBoot,
            instance,
            Hypervisor::resume_state_on_host_boot,
        )
        .await
    }

    async fn instance_on_disk(&self, instance: &Instance) -> DriverResult<bool> {
        self.run_on(M::InstanceOnDisk, instance, Hypervisor::instance_on_disk)
            .await
    }

    async fn block_stats(&self, instance_name: &str, disk_id: &str) -> DriverResult<BlockStats> {
        let (name, disk) = (instance_name.to_owned(), disk_id.to_owned());
        self.run(M::BlockStats, move |hv| hv.block_stats(&name, &disk))
            .await
    }

    async fn interface_stats(
        &self,
        instance_name: &str,
        iface_id: &str,
    ) -> DriverResult<InterfaceStats> {
        let (name, iface) = (instance_name.to_owned(), iface_id.to_owned());
        self.run(M::InterfaceStats, move |hv| {
            hv.interface_stats(&name, &iface)
        })
        .await
    }

    async fn get_diagnostics(&self, instance_name: &str) -> DriverResult<Diagnostics> {
        self.run_named(M::GetDiagnostics, instance_name, Hypervisor::diagnostics)
            .await
    }

    async fn get_instance_disk_info(&self, instance_name: &str) -> DriverResult<DiskInfo> {
        self.run_named(
            M::GetInstanceDiskInfo,
            instance_name,
            Hypervisor::instance_disk_info,
        )
        .await
    }

    async fn get_disk_available_least(&self) -> DriverResult<i64> {
        self.run(M::GetDiskAvailableLeast, |hv| hv.disk_available_least())
            .await
    }

    async fn get_host_ip_addr(&self) -> DriverResult<IpAddr> {
        self.run(M::GetHostIpAddr, |hv| Ok(hv.host_ip())).await
    }

    async fn get_host_stats(&self, _refresh: bool) -> DriverResult<Vec<HostStats>> {
        self.run(M::GetHostStats, |hv| hv.host_stats()).await
    }

    async fn get_host_cpu_stats(&self) -> DriverResult<HostCpuStats> {
        self.run(M::GetHostCpuStats, |hv| hv.host_cpu_stats()).await
    }

    async fn get_host_uptime(&self) -> DriverResult<Duration> {
        self.run(M::GetHostUptime, |hv| hv.host_uptime()).await
    }

    async fn get_all_bw_counters(
        &self,
        instances: &[Instance],
    ) -> DriverResult<Vec<BandwidthCounter>> {
        let instances = instances.to_vec();
        self.run(M::GetAllBwCounters, move |hv| hv.bw_counters(&instances))
            .await
    }

    async fn get_all_volume_usage(
        &self,
        _context: &RequestContext,
        instances: &[Instance],
        _start_time: SystemTime,
        _stop_time: Option<SystemTime>,
    ) -> DriverResult<Vec<VolumeUsage>> {
        let instances = instances.to_vec();
        self.run(M::GetAllVolumeUsage, move |hv| hv.volume_usage(&instances))
            .await
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
        let instance = instance.clone();
        self.run(M::CheckCanLiveMigrateDestination, move |hv| {
            hv.check_live_destination(&instance, block_migration, disk_over_commit)
        })
        .await
    }

    async fn check_can_live_migrate_destination_cleanup(
        &self,
        _context: &RequestContext,
        _dest_check_data: &LiveMigrateData,
    ) -> DriverResult<()> {
        self.run(M::CheckCanLiveMigrateDestinationCleanup, |_| Ok(()))
            .await
    }

    async fn check_can_live_migrate_source(
        &self,
        _context: &RequestContext,
        instance: &Instance,
        dest_check_data: &LiveMigrateData,
    ) -> DriverResult<LiveMigrateData> {
        let (uuid, data) = (instance.uuid, dest_check_data.clone());
        self.run(M::CheckCanLiveMigrateSource, move |hv| {
            hv.check_live_source(uuid, &data)
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
        let (instance, vifs, bdi, data) = (
            instance.clone(),
            network_info.to_vec(),
            block_device_info.clone(),
            migrate_data.clone(),
        );
        self.run(M::PreLiveMigration, move |hv| {
            hv.pre_live(&instance, &vifs, &bdi, &data)
        })
        .await
    }

    /// Live-migrates to the libvirt configured for `dest` (see
    /// [`LibvirtConfig::live_migration_peers`](crate::LibvirtConfig::live_migration_peers)); the crate's `live` module
    /// describes the steps.
    async fn live_migration(
        &self,
        _context: &RequestContext,
        instance: &Instance,
        dest: &str,
        callbacks: Arc<dyn LiveMigrationCallbacks>,
        _block_migration: bool,
        migrate_data: &LiveMigrateData,
    ) -> DriverResult<()> {
        self.live_migrate_reporting(instance, dest, callbacks, migrate_data)
            .await
    }

    async fn post_live_migration_at_destination(
        &self,
        _context: &RequestContext,
        instance: &Instance,
        network_info: &[Vif],
        _block_migration: bool,
        block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        let (instance, vifs, bdi) = (
            instance.clone(),
            network_info.to_vec(),
            block_device_info.clone(),
        );
        self.run(M::PostLiveMigrationAtDestination, move |hv| {
            hv.post_live(&instance, &vifs, &bdi)
        })
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
        self.run_on(
            M::RollbackLiveMigrationAtDestination,
            instance,
            Hypervisor::rollback_live,
        )
        .await
    }

    async fn live_migration_force_complete(&self, instance: &Instance) -> DriverResult<()> {
        self.run_on(
            M::LiveMigrationForceComplete,
            instance,
            Hypervisor::force_complete_live,
        )
        .await
    }

    async fn live_migration_abort(&self, instance: &Instance) -> DriverResult<()> {
        self.run_on(M::LiveMigrationAbort, instance, Hypervisor::abort_live)
            .await
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
        let (uuid, dest) = (instance.uuid, dest.to_owned());
        let resize = validate::resize(&instance.flavor, flavor);
        self.run(M::MigrateDiskAndPowerOff, move |hv| {
            hv.migrate_out(uuid, &dest, resize)
        })
        .await
    }

    async fn finish_migration(
        &self,
        _context: &RequestContext,
        migration: &Migration,
        instance: &Instance,
        disk_info: &DiskInfo,
        network_info: &[Vif],
        _image_meta: &ImageMeta,
        _resize_instance: bool,
        block_device_info: &BlockDeviceInfo,
        power_on: bool,
    ) -> DriverResult<()> {
        let (migration, instance, disks, vifs, bdi) = (
            migration.clone(),
            instance.clone(),
            disk_info.clone(),
            network_info.to_vec(),
            block_device_info.clone(),
        );
        self.run(M::FinishMigration, move |hv| {
            hv.migrate_in(&migration, &instance, &disks, &vifs, &bdi, power_on)
        })
        .await
    }

    async fn confirm_migration(
        &self,
        migration: &Migration,
        instance: &Instance,
        _network_info: &[Vif],
    ) -> DriverResult<()> {
        let (migration, instance) = (migration.clone(), instance.clone());
        self.run(M::ConfirmMigration, move |hv| {
            hv.confirm_migration(&migration, &instance)
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
        self.run(M::FinishRevertMigration, move |hv| {
            hv.revert_migration(uuid, power_on)
        })
        .await
    }
}
