//! `LibvirtDriver`: the `ComputeDriver` trait over [`Hypervisor`], each call
//! run on tokio's blocking pool.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use driver_api::validate;
use driver_api::{
    BandwidthCounter, BlockDeviceInfo, BlockStats, Capabilities, ComputeDriver, ConnectionInfo,
    Diagnostics, DiskInfo, DriverError, DriverMethod, DriverResult, EventListener, Flavor,
    HostCpuStats, HostStats, ImageMeta, InjectedFile, Instance, InstanceInfo, InterfaceStats,
    LifecycleEvent, LiveMigrateData, LiveMigrationCallbacks, Migration, MigrationStatus,
    NodeResources, RebootType, RequestContext, Secret, SerialConsole, SpiceConsole,
    TaskStateCallback, Vif, VncConsole, VolumeConnector, VolumeUsage,
};
use uuid::Uuid;

use crate::capabilities;
use crate::config::LibvirtConfig;
use crate::hypervisor::{backend_msg, Hypervisor, HypervisorKind, DRIVER_NAME};
use crate::live::LiveOutcome;

/// A [`ComputeDriver`] over one libvirt connection.
///
/// Cheap to clone (the connection is shared). See the crate docs for the
/// mapping of each method to libvirt.
///
/// When the last clone is dropped, the driver stops listening to libvirt's
/// events, purges its domains if configured to, and removes its own work
/// directory unless a guest may still need it. If the driver's event worker is
/// handling an event at that moment, this runs on the worker a moment later
/// (after one libvirt call), not in the caller's `drop`.
#[derive(Clone, Debug)]
pub struct LibvirtDriver {
    pub(crate) hv: Arc<Hypervisor>,
    pub(crate) caps: Capabilities,
    /// Another connection this one keeps open (a read-only fixture keeps its
    /// seeding driver, so that the seeds live exactly as long as it does).
    companion: Option<Arc<Hypervisor>>,
}

impl LibvirtDriver {
    /// Opens the connection `config` describes (by default a private
    /// `test:///` hypervisor).
    pub async fn connect(config: LibvirtConfig) -> DriverResult<Self> {
        let hv = tokio::task::spawn_blocking(move || Hypervisor::open(config))
            .await
            .map_err(|e| backend_msg(DriverMethod::InitHost, e.to_string()))??;
        let caps = capabilities::for_connection(hv.kind, hv.is_local(), &hv.config);
        let hv = Arc::new(hv);
        hv.subscribe();
        Ok(Self {
            hv,
            caps,
            companion: None,
        })
    }

    /// The same driver, keeping `other` (and its connection) alive as long as
    /// it lives.
    pub fn keeping_alive(mut self, other: &LibvirtDriver) -> Self {
        self.companion = Some(Arc::clone(&other.hv));
        self
    }

    /// Whether the connection reached libvirt's `test:///` driver.
    pub fn is_test_driver(&self) -> bool {
        self.hv.kind == HypervisorKind::Test
    }

    /// The configuration the driver was opened with.
    pub fn config(&self) -> &LibvirtConfig {
        &self.hv.config
    }

    /// Where the driver keeps disks and console logs.
    pub fn work_dir(&self) -> &std::path::Path {
        &self.hv.work_dir
    }

    /// The libvirt domain name of an instance.
    pub fn domain_name(&self, uuid: Uuid) -> String {
        self.hv.domain_name(uuid)
    }

    /// The shared libvirt connection (for tests and diagnostics).
    pub fn connection(&self) -> Arc<virt::connect::Connect> {
        self.hv.conn()
    }

    /// Whether [`crash`](Self::crash) works here: QEMU under a libvirtd on
    /// this machine.
    pub fn can_crash(&self) -> bool {
        self.hv.kind == HypervisorKind::Qemu && self.hv.is_local()
    }

    /// Test hook: crashes the guest for real by killing its QEMU process;
    /// libvirt then reports it shut off because it crashed, which the driver
    /// reports as `Crashed`, and `Stopped` is emitted (the table's `crash`
    /// row). `NotSupported` where [`can_crash`](Self::can_crash) is false;
    /// `InvalidState` unless `Running` or `Paused`. (Not a contract method:
    /// its errors name `trigger_crash_dump`, the method closest to it.)
    pub async fn crash(&self, instance: &Instance) -> DriverResult<()> {
        if !self.can_crash() {
            return Err(DriverError::not_supported(
                DriverMethod::TriggerCrashDump,
                DRIVER_NAME,
            ));
        }
        let uuid = instance.uuid;
        let hv = Arc::clone(&self.hv);
        tokio::task::spawn_blocking(move || hv.crash(uuid))
            .await
            .map_err(|e| backend_msg(DriverMethod::TriggerCrashDump, e.to_string()))?
    }

    /// Rebuilds the driver's index of its domains from their metadata.
    ///
    /// The driver answers lookups, claims and flags from an index it builds
    /// when it connects and keeps in step with every change it makes; the
    /// records in the domains' metadata stay the truth. One driver value is
    /// meant to be the only writer for its prefix: if another driver changes
    /// instances under the same prefix, a listing picks up the domains it
    /// added or removed, and a rescan everything else (flags, claims).
    /// (Not a contract method: its errors name `list_instance_uuids`.)
    pub async fn rescan(&self) -> DriverResult<()> {
        let hv = Arc::clone(&self.hv);
        tokio::task::spawn_blocking(move || hv.rescan())
            .await
            .map_err(|e| backend_msg(DriverMethod::ListInstanceUuids, e.to_string()))?
    }
}

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
        validate::host_name("host", host).map_err(|v| v.into_error(DriverMethod::InitHost))?;
        let host = host.to_owned();
        self.run(DriverMethod::InitHost, move |hv| {
            *crate::locks::write(&hv.nodes) = vec![host];
            Ok(())
        })
        .await
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
        self.run(DriverMethod::GetAvailableResource, move |hv| {
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
        self.run(DriverMethod::Spawn, move |hv| {
            validate::arrival(&instance, &vifs, &bdi)
                .and_then(|()| validate::injected_files("injected_files.path", &files))
                .map_err(|v| v.into_error(DriverMethod::Spawn))?;
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
        self.run(DriverMethod::Destroy, move |hv| {
            hv.destroy(&instance, destroy_disks)
        })
        .await
    }

    async fn get_info(&self, instance: &Instance) -> DriverResult<InstanceInfo> {
        let uuid = instance.uuid;
        self.run(DriverMethod::GetInfo, move |hv| hv.instance_info(uuid))
            .await
    }

    async fn list_instances(&self) -> DriverResult<Vec<String>> {
        self.run(DriverMethod::ListInstances, |hv| {
            Ok(hv.listing()?.into_iter().map(|(name, _)| name).collect())
        })
        .await
    }

    async fn list_instance_uuids(&self) -> DriverResult<Vec<Uuid>> {
        self.run(DriverMethod::ListInstanceUuids, |hv| {
            Ok(hv.listing()?.into_iter().map(|(_, uuid)| uuid).collect())
        })
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
        self.run(DriverMethod::Reboot, move |hv| hv.reboot(uuid, reboot_type))
            .await
    }

    async fn poll_rebooting_instances(
        &self,
        _timeout: Duration,
        _instances: &[Instance],
    ) -> DriverResult<()> {
        // `reboot` returns only once the reboot is over (falling back to a
        // reset), so no instance of this driver is ever left rebooting.
        self.run(DriverMethod::PollRebootingInstances, |_| Ok(()))
            .await
    }

    async fn power_off(&self, instance: &Instance, timeout: Duration) -> DriverResult<()> {
        let uuid = instance.uuid;
        self.run(DriverMethod::PowerOff, move |hv| {
            hv.power_off(uuid, timeout)
        })
        .await
    }

    async fn power_on(
        &self,
        _context: &RequestContext,
        instance: &Instance,
        _network_info: &[Vif],
        _block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        let uuid = instance.uuid;
        self.run(DriverMethod::PowerOn, move |hv| hv.power_on(uuid))
            .await
    }

    async fn pause(&self, instance: &Instance) -> DriverResult<()> {
        let uuid = instance.uuid;
        self.run(DriverMethod::Pause, move |hv| hv.pause(uuid))
            .await
    }

    async fn unpause(&self, instance: &Instance) -> DriverResult<()> {
        let uuid = instance.uuid;
        self.run(DriverMethod::Unpause, move |hv| hv.unpause(uuid))
            .await
    }

    async fn suspend(&self, instance: &Instance) -> DriverResult<()> {
        let uuid = instance.uuid;
        self.run(DriverMethod::Suspend, move |hv| hv.suspend(uuid))
            .await
    }

    async fn resume(
        &self,
        instance: &Instance,
        _network_info: &[Vif],
        _block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        let uuid = instance.uuid;
        self.run(DriverMethod::Resume, move |hv| hv.resume(uuid))
            .await
    }

    async fn rescue(
        &self,
        _context: &RequestContext,
        instance: &Instance,
        _network_info: &[Vif],
        _image_meta: &ImageMeta,
        _rescue_password: Secret,
    ) -> DriverResult<()> {
        let uuid = instance.uuid;
        self.run(DriverMethod::Rescue, move |hv| hv.rescue(uuid))
            .await
    }

    async fn unrescue(&self, instance: &Instance, _network_info: &[Vif]) -> DriverResult<()> {
        let uuid = instance.uuid;
        self.run(DriverMethod::Unrescue, move |hv| hv.unrescue(uuid))
            .await
    }

    async fn soft_delete(&self, instance: &Instance) -> DriverResult<()> {
        let uuid = instance.uuid;
        self.run(DriverMethod::SoftDelete, move |hv| hv.soft_delete(uuid))
            .await
    }

    async fn restore(&self, instance: &Instance) -> DriverResult<()> {
        let uuid = instance.uuid;
        self.run(DriverMethod::Restore, move |hv| hv.restore(uuid))
            .await
    }

    async fn snapshot(
        &self,
        _context: &RequestContext,
        instance: &Instance,
        image_id: &str,
        update_task_state: TaskStateCallback,
    ) -> DriverResult<()> {
        let (uuid, image_id) = (instance.uuid, image_id.to_owned());
        self.run(DriverMethod::Snapshot, move |hv| {
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
        self.run(DriverMethod::InjectFile, move |hv| {
            hv.inject_file(uuid, &path, &contents)
        })
        .await
    }

    async fn get_console_output(&self, instance: &Instance) -> DriverResult<String> {
        let uuid = instance.uuid;
        self.run(DriverMethod::GetConsoleOutput, move |hv| {
            hv.console_output(uuid)
        })
        .await
    }

    async fn get_serial_console(&self, instance: &Instance) -> DriverResult<SerialConsole> {
        let uuid = instance.uuid;
        self.run(DriverMethod::GetSerialConsole, move |hv| {
            hv.serial_console(uuid)
        })
        .await
    }

    async fn plug_vifs(&self, instance: &Instance, _network_info: &[Vif]) -> DriverResult<()> {
        let uuid = instance.uuid;
        self.run(DriverMethod::PlugVifs, move |hv| hv.vifs_host_side(uuid))
            .await
    }

    async fn unplug_vifs(&self, instance: &Instance, _network_info: &[Vif]) -> DriverResult<()> {
        let uuid = instance.uuid;
        self.run(DriverMethod::UnplugVifs, move |hv| hv.vifs_host_side(uuid))
            .await
    }

    async fn trigger_crash_dump(&self, instance: &Instance) -> DriverResult<()> {
        let uuid = instance.uuid;
        self.run(DriverMethod::TriggerCrashDump, move |hv| {
            hv.crash_dump(uuid)
        })
        .await
    }

    async fn get_spice_console(&self, instance: &Instance) -> DriverResult<SpiceConsole> {
        let uuid = instance.uuid;
        self.run(DriverMethod::GetSpiceConsole, move |hv| {
            hv.spice_console(uuid)
        })
        .await
    }

    async fn get_vnc_console(&self, instance: &Instance) -> DriverResult<VncConsole> {
        let uuid = instance.uuid;
        self.run(DriverMethod::GetVncConsole, move |hv| hv.vnc_console(uuid))
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
        self.run(DriverMethod::AttachVolume, move |hv| {
            validate::mountpoint("mountpoint", &mountpoint)
                .and_then(|()| validate::connection_info("connection_info", &info))
                .map_err(|v| v.into_error(DriverMethod::AttachVolume))?;
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
        self.run(DriverMethod::DetachVolume, move |hv| {
            validate::mountpoint("mountpoint", &mountpoint)
                .map_err(|v| v.into_error(DriverMethod::DetachVolume))?;
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
        self.run(DriverMethod::SwapVolume, move |hv| {
            validate::mountpoint("mountpoint", &mountpoint)
                .and_then(|()| validate::connection_info("new_connection_info", &info))
                .map_err(|v| v.into_error(DriverMethod::SwapVolume))?;
            hv.swap_volume(uuid, &info, &mountpoint, resize_to_gb)
        })
        .await
    }

    async fn get_volume_connector(&self, _instance: &Instance) -> DriverResult<VolumeConnector> {
        self.run(DriverMethod::GetVolumeConnector, |hv| {
            Ok(VolumeConnector::new(
                hv.config.host_ip.to_string(),
                format!("iqn.2026-01.invalid.hvdriver:{}", hv.host_name),
                hv.host_name.clone(),
            ))
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
        self.run(DriverMethod::ResumeStateOnHostBoot, move |hv| {
            hv.resume_state_on_host_boot(uuid)
        })
        .await
    }

    async fn instance_on_disk(&self, instance: &Instance) -> DriverResult<bool> {
        let uuid = instance.uuid;
        self.run(DriverMethod::InstanceOnDisk, move |hv| {
            hv.instance_on_disk(uuid)
        })
        .await
    }

    async fn block_stats(&self, instance_name: &str, disk_id: &str) -> DriverResult<BlockStats> {
        let (name, disk) = (instance_name.to_owned(), disk_id.to_owned());
        self.run(DriverMethod::BlockStats, move |hv| {
            hv.block_stats(&name, &disk)
        })
        .await
    }

    async fn interface_stats(
        &self,
        instance_name: &str,
        iface_id: &str,
    ) -> DriverResult<InterfaceStats> {
        let (name, iface) = (instance_name.to_owned(), iface_id.to_owned());
        self.run(DriverMethod::InterfaceStats, move |hv| {
            hv.interface_stats(&name, &iface)
        })
        .await
    }

    async fn get_diagnostics(&self, instance_name: &str) -> DriverResult<Diagnostics> {
        let name = instance_name.to_owned();
        self.run(DriverMethod::GetDiagnostics, move |hv| {
            hv.diagnostics(&name)
        })
        .await
    }

    async fn get_instance_disk_info(&self, instance_name: &str) -> DriverResult<DiskInfo> {
        let name = instance_name.to_owned();
        self.run(DriverMethod::GetInstanceDiskInfo, move |hv| {
            hv.instance_disk_info(&name)
        })
        .await
    }

    async fn get_disk_available_least(&self) -> DriverResult<i64> {
        self.run(DriverMethod::GetDiskAvailableLeast, |hv| {
            hv.disk_available_least()
        })
        .await
    }

    async fn get_host_ip_addr(&self) -> DriverResult<IpAddr> {
        self.run(DriverMethod::GetHostIpAddr, |hv| Ok(hv.host_ip()))
            .await
    }

    async fn get_host_stats(&self, _refresh: bool) -> DriverResult<Vec<HostStats>> {
        self.run(DriverMethod::GetHostStats, |hv| hv.host_stats())
            .await
    }

    async fn get_host_cpu_stats(&self) -> DriverResult<HostCpuStats> {
        self.run(DriverMethod::GetHostCpuStats, |hv| hv.host_cpu_stats())
            .await
    }

    async fn get_host_uptime(&self) -> DriverResult<Duration> {
        self.run(DriverMethod::GetHostUptime, |hv| hv.host_uptime())
            .await
    }

    async fn get_all_bw_counters(
        &self,
        instances: &[Instance],
    ) -> DriverResult<Vec<BandwidthCounter>> {
        let instances = instances.to_vec();
        self.run(DriverMethod::GetAllBwCounters, move |hv| {
            hv.bw_counters(&instances)
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
        let instances = instances.to_vec();
        self.run(DriverMethod::GetAllVolumeUsage, move |hv| {
            hv.volume_usage(&instances)
        })
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
        self.run(DriverMethod::CheckCanLiveMigrateDestination, move |hv| {
            validate::instance(&instance)
                .map_err(|v| v.into_error(DriverMethod::CheckCanLiveMigrateDestination))?;
            hv.check_live_destination(&instance, block_migration, disk_over_commit)
        })
        .await
    }

    async fn check_can_live_migrate_destination_cleanup(
        &self,
        _context: &RequestContext,
        _dest_check_data: &LiveMigrateData,
    ) -> DriverResult<()> {
        self.run(DriverMethod::CheckCanLiveMigrateDestinationCleanup, |_| {
            Ok(())
        })
        .await
    }

    async fn check_can_live_migrate_source(
        &self,
        _context: &RequestContext,
        instance: &Instance,
        dest_check_data: &LiveMigrateData,
    ) -> DriverResult<LiveMigrateData> {
        let (uuid, data) = (instance.uuid, dest_check_data.clone());
        self.run(DriverMethod::CheckCanLiveMigrateSource, move |hv| {
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
        self.run(DriverMethod::PreLiveMigration, move |hv| {
            validate::arrival(&instance, &vifs, &bdi)
                .map_err(|v| v.into_error(DriverMethod::PreLiveMigration))?;
            hv.pre_live(&instance, &data)
        })
        .await
    }

    /// Live-migrates to the libvirt configured for `dest` (see
    /// [`LibvirtConfig::live_migration_peers`]); the crate's `live` module
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
        let (uuid, to, data) = (instance.uuid, dest.to_owned(), migrate_data.clone());
        let outcome = self
            .run(DriverMethod::LiveMigration, move |hv| {
                hv.live_migrate(uuid, &to, &data)
            })
            .await;
        let reason = match outcome {
            Ok(LiveOutcome::Completed) => {
                callbacks.post(instance, dest, migrate_data).await;
                return Ok(());
            }
            Ok(LiveOutcome::Cancelled) => {
                callbacks
                    .recover(instance, dest, migrate_data, MigrationStatus::Cancelled)
                    .await;
                return Ok(());
            }
            Ok(LiveOutcome::Failed(error)) => error.to_string(),
            // Refused before anything moved (preconditions): no callback is due.
            Err(
                error @ (DriverError::InstanceNotFound { .. }
                | DriverError::InvalidState { .. }
                | DriverError::InvalidInput { .. }
                | DriverError::NotSupported { .. }
                | DriverError::ReadOnly { .. }),
            ) => return Err(error),
            Err(error) => error.to_string(),
        };
        callbacks
            .recover(instance, dest, migrate_data, MigrationStatus::Error)
            .await;
        Err(DriverError::MigrationFailed {
            instance: uuid,
            reason,
        })
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
        self.run(DriverMethod::PostLiveMigrationAtDestination, move |hv| {
            validate::arrival(&instance, &vifs, &bdi)
                .map_err(|v| v.into_error(DriverMethod::PostLiveMigrationAtDestination))?;
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
        let uuid = instance.uuid;
        self.run(
            DriverMethod::RollbackLiveMigrationAtDestination,
            move |hv| {
                hv.rollback_live(uuid);
                Ok(())
            },
        )
        .await
    }

    async fn live_migration_force_complete(&self, instance: &Instance) -> DriverResult<()> {
        let uuid = instance.uuid;
        self.run(DriverMethod::LiveMigrationForceComplete, move |hv| {
            hv.force_complete_live(uuid)
        })
        .await
    }

    async fn live_migration_abort(&self, instance: &Instance) -> DriverResult<()> {
        let uuid = instance.uuid;
        self.run(DriverMethod::LiveMigrationAbort, move |hv| {
            hv.abort_live(uuid)
        })
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
        self.run(DriverMethod::MigrateDiskAndPowerOff, move |hv| {
            validate::host_name("dest", &dest)
                .and(resize)
                .map_err(|v| v.into_error(DriverMethod::MigrateDiskAndPowerOff))?;
            hv.migrate_out(uuid, &dest)
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
        self.run(DriverMethod::FinishMigration, move |hv| {
            validate::arrival(&instance, &vifs, &bdi)
                .and_then(|()| validate::migration_of(&migration, &instance))
                .map_err(|v| v.into_error(DriverMethod::FinishMigration))?;
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
        self.run(DriverMethod::ConfirmMigration, move |hv| {
            validate::migration_of(&migration, &instance)
                .map_err(|v| v.into_error(DriverMethod::ConfirmMigration))?;
            hv.confirm_migration(&migration, instance.uuid)
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
        self.run(DriverMethod::FinishRevertMigration, move |hv| {
            hv.revert_migration(uuid, power_on)
        })
        .await
    }
}
