//! The `ComputeDriver` trait: the contract every backend honours. The rules
//! every method follows (identity, no partial state, events, capabilities,
//! read-only, secrets; mandatory and optional methods; wrappers) are in
//! `driver/contract.md`, rendered at the top of the trait's documentation;
//! each method's own contract is on the method below. Methods come in groups:
//! identity, capabilities, events; host and nodes; lifecycle; statistics
//! (legacy by-name methods); consoles; volumes and networking; firewall; live
//! migration; cold migration and resize.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use uuid::Uuid;

use crate::{
    BandwidthCounter, BlockDeviceInfo, BlockStats, Capabilities, ConnectionInfo, ConsolePoolInfo,
    ConsoleType, Diagnostics, DiskInfo, DriverError, DriverMethod, DriverResult, EventListener,
    Flavor, HostCpuStats, HostPowerAction, HostStats, HostStatus, ImageMeta, InjectedFile,
    Instance, InstanceInfo, InterfaceStats, LifecycleEvent, LiveMigrateData,
    LiveMigrationCallbacks, MaintenanceMode, Migration, NodeResources, RebootType, RequestContext,
    Secret, SerialConsole, SpiceConsole, TaskStateCallback, Vif, VncConsole, VolumeConnector,
    VolumeUsage,
};

#[macro_use]
mod defaults;

/// A hypervisor connection, as the compute service drives it (Nova's
/// `nova.virt.driver.ComputeDriver`).
///
#[doc = include_str!("driver/contract.md")]
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
#[allow(clippy::too_many_arguments)]
// Optional methods' default bodies answer `NotSupported` without reading
// their arguments.
#[allow(unused_variables)]
pub trait ComputeDriver: Send + Sync + fmt::Debug + 'static {
    /// The backend's name, used in [`DriverError::NotSupported`] and [`DriverError::ReadOnly`].
    /// Defaults to the type's name.
    fn driver_name(&self) -> &'static str {
        std::any::type_name::<Self>()
    }

    /// What the backend supports (Nova's `capabilities` dict, typed).
    ///
    /// Constant for the life of the driver value.
    fn capabilities(&self) -> Capabilities;

    /// Registers the one lifecycle-event listener, replacing the previous one; `None` unregisters.
    ///
    /// Events emitted after this returns go to `listener`, in order. A listener that panics must
    /// not break the driver or the caller. A listener may call back into the driver's synchronous
    /// methods (`capabilities`, `register_event_listener`, `emit_event`): no driver lock is held
    /// while it runs, and a listener it registers gets the next event. Backends usually delegate to
    /// an embedded [`EventSlot`](crate::EventSlot).
    fn register_event_listener(&self, listener: Option<EventListener>);

    /// Delivers `event` to the registered listener, synchronously.
    ///
    /// With no listener the event is dropped. A panicking listener is contained. (Nova raises
    /// `ValueError` for a non-event; the type system rules that out here.)
    fn emit_event(&self, event: LifecycleEvent);

    /// Whether the driver wants Nova's legacy network-info format. Always `false` for typed
    /// backends (the default).
    fn legacy_nwinfo(&self) -> bool {
        false
    }

    /// Prepares the driver to serve `host`.
    ///
    /// Resulting state: the node list is `[host]` (Nova's fake: `fake-mini` when `host` is
    /// `compute`). Idempotent. Not refused in read-only mode (it changes no instance). Errors:
    /// [`DriverError::InvalidInput`] for an empty host name.
    async fn init_host(&self, host: &str) -> DriverResult<()>;

    /// The nodes this driver manages (`refresh` asks a backend to re-read them).
    async fn get_available_nodes(&self, refresh: bool) -> DriverResult<Vec<String>>;

    /// The resources of one managed node.
    ///
    /// `*_used` equals the sum of the claims of the node's instances at all times;
    /// `hypervisor_version` is an integer. Errors: [`DriverError::NodeNotFound`] for a node not
    /// managed (stricter than Nova, which returns an empty dict).
    async fn get_available_resource(&self, nodename: &str) -> DriverResult<NodeResources>;

    /// Disk available to instances after overcommitted images grow, in GiB.
    async fn get_disk_available_least(&self) -> DriverResult<i64> {
        unsupported!(self, GetDiskAvailableLeast)
    }

    /// The host's IP address (a static method in Nova).
    async fn get_host_ip_addr(&self) -> DriverResult<IpAddr> {
        unsupported!(self, GetHostIpAddr)
    }

    /// Statistics of every node, one entry per node (Nova returned a dict for one node, a list for
    /// several and raised for none; here always a list). Memory and disk are in bytes (Nova's
    /// Grizzly fake: `host_memory_total` 8 GB as 8000000000) and agree with
    /// `get_available_resource` for the same node: `disk_total` is its `local_gb` × 2^30,
    /// `disk_used` its claimed `local_gb_used` × 2^30, `disk_available` their difference, and
    /// `vcpus_used` its `vcpus_used`. `vcpus`, `host_memory_total` and `host_memory_free` are the
    /// hypervisor's own figures (the resource totals may be scaled by allocation ratios), with
    /// `host_memory_free` ≤ `host_memory_total`. Nova never fixed the units; this is stricter.
    async fn get_host_stats(&self, refresh: bool) -> DriverResult<Vec<HostStats>> {
        unsupported!(self, GetHostStats)
    }

    /// Cumulative host CPU times.
    async fn get_host_cpu_stats(&self) -> DriverResult<HostCpuStats> {
        unsupported!(self, GetHostCpuStats)
    }

    /// How long the host has been up.
    async fn get_host_uptime(&self) -> DriverResult<Duration> {
        unsupported!(self, GetHostUptime)
    }

    /// Starts, shuts down or reboots the host; returns the action performed.
    async fn host_power_action(
        &self,
        host: &str,
        action: HostPowerAction,
    ) -> DriverResult<HostPowerAction> {
        unsupported!(self, HostPowerAction)
    }

    /// Puts the host into (`mode == true`) or out of maintenance. Idempotent.
    async fn host_maintenance_mode(&self, host: &str, mode: bool) -> DriverResult<MaintenanceMode> {
        unsupported!(self, HostMaintenanceMode)
    }

    /// Enables or disables the host for new instances. Idempotent.
    async fn set_host_enabled(&self, host: &str, enabled: bool) -> DriverResult<HostStatus> {
        unsupported!(self, SetHostEnabled)
    }

    /// Creates and (unless `power_on` is false) starts an instance.
    ///
    /// - Preconditions: no instance with this UUID or name on the host; the
    ///   instance's node (its [`Instance::node`], else the first node) is managed
    ///   and has free capacity for the flavor.
    /// - Resulting state: `Running` (`Shutdown` if `power_on` is false), not
    ///   rescued, not soft-deleted; the flavor's vcpus, memory and disk claimed on
    ///   the node; every VIF of `network_info` attached; every volume of
    ///   `block_device_info` attached; `injected_files` written.
    /// - Events: `Started` when powered on.
    /// - Errors: [`DriverError::InstanceExists`] (UUID or name taken),
    ///   [`DriverError::InsufficientResources`], [`DriverError::NodeNotFound`],
    ///   [`DriverError::ReadOnly`], [`DriverError::InvalidInput`] when the
    ///   instance (name, flavor sizes, node), a VIF's MAC, a volume's
    ///   mountpoint or an injected file's path breaks its
    ///   [`validate`](crate::validate) rule. A failure leaves no trace.
    /// - Not idempotent: a second spawn of the same UUID is `InstanceExists`.
    async fn spawn(
        &self,
        context: &RequestContext,
        instance: &Instance,
        image_meta: &ImageMeta,
        injected_files: &[InjectedFile],
        admin_password: Option<Secret>,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
        power_on: bool,
    ) -> DriverResult<()>;

    /// Destroys an instance, whatever its state, and releases its resources.
    ///
    /// - Resulting state: gone from every listing; its claim released, its volumes
    ///   and interfaces detached; disks removed when `destroy_disks`.
    /// - Events: `Stopped` unless it was already shut down.
    /// - Errors: none for an unknown instance (`Ok`: Nova's "should still
    ///   succeed"); [`DriverError::ReadOnly`].
    /// - Idempotent.
    async fn destroy(
        &self,
        instance: &Instance,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
        destroy_disks: bool,
    ) -> DriverResult<()>;

    /// The instance's power state, flags and figures.
    ///
    /// `num_cpu` and `max_mem_kb` are the instance's size: its flavor's vCPUs and memory (the
    /// flavor it is claimed by, the new one after a resize), whatever the hypervisor actually gives
    /// the guest; `mem_kb` is the memory the guest has now (at most `max_mem_kb` on a real
    /// hypervisor; a backend that sizes guests down for testing reports the real figure).
    ///
    /// Errors: [`DriverError::InstanceNotFound`] (Nova maps it to `NoState`).
    async fn get_info(&self, instance: &Instance) -> DriverResult<InstanceInfo>;

    /// The names of every instance on the host, in every state.
    async fn list_instances(&self) -> DriverResult<Vec<String>>;

    /// The UUIDs of every instance on the host, in every state.
    async fn list_instance_uuids(&self) -> DriverResult<Vec<Uuid>>;

    /// How many instances the host has. Defaults to counting
    /// [`list_instance_uuids`](Self::list_instance_uuids).
    async fn get_num_instances(&self) -> DriverResult<usize> {
        Ok(self.list_instance_uuids().await?.len())
    }

    /// Whether the instance exists on the host. Defaults to a search of
    /// [`list_instance_uuids`](Self::list_instance_uuids).
    async fn instance_exists(&self, instance: &Instance) -> DriverResult<bool> {
        Ok(self.list_instance_uuids().await?.contains(&instance.uuid))
    }

    /// Reboots an instance (table rows `reboot (soft)` / `reboot (hard)`).
    ///
    /// - Soft: only from `Running`; stays `Running`; no event.
    /// - Hard: from any state to `Running`; `Started` if it was not running.
    ///   Stricter than Nova's fake, which spawns an unknown instance on a hard
    ///   reboot: here that is `InstanceNotFound`.
    /// - Errors: [`DriverError::InstanceNotFound`], [`DriverError::InvalidState`].
    async fn reboot(
        &self,
        context: &RequestContext,
        instance: &Instance,
        network_info: &[Vif],
        reboot_type: RebootType,
        block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        unsupported!(self, Reboot)
    }

    /// Hard-reboots instances stuck rebooting for longer than `timeout`. Instances not on this host
    /// are ignored; no error for them.
    async fn poll_rebooting_instances(
        &self,
        timeout: Duration,
        instances: &[Instance],
    ) -> DriverResult<()> {
        unsupported!(self, PollRebootingInstances)
    }

    /// Powers an instance off (table row `power_off`): to `Shutdown` from any state; a no-op when
    /// already off. Waits up to `timeout` for the guest to shut down cleanly, then forces it (zero:
    /// force at once).
    ///
    /// Events: `Stopped`. Errors: [`DriverError::InstanceNotFound`], [`DriverError::InvalidState`]
    /// (rescued or soft-deleted). Idempotent.
    async fn power_off(&self, instance: &Instance, timeout: Duration) -> DriverResult<()> {
        unsupported!(self, PowerOff)
    }

    /// Powers an instance on (table row `power_on`): to `Running` from any state; a no-op when
    /// running.
    ///
    /// Events: `Started`. Errors: [`DriverError::InstanceNotFound`], [`DriverError::InvalidState`]
    /// (rescued or soft-deleted). Idempotent.
    async fn power_on(
        &self,
        context: &RequestContext,
        instance: &Instance,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        unsupported!(self, PowerOn)
    }

    /// Pauses an instance: `Running` to `Paused` (no CPU use, memory kept).
    ///
    /// Stricter than Nova's fake, where pause is a no-op. Events: `Paused`. Errors:
    /// [`DriverError::InstanceNotFound`], [`DriverError::InvalidState`] from `Suspended`,
    /// `Shutdown`, `Crashed`. Idempotent (paused again: no-op).
    async fn pause(&self, instance: &Instance) -> DriverResult<()> {
        unsupported!(self, Pause)
    }

    /// Unpauses an instance: `Paused` to `Running`; a no-op when running.
    ///
    /// Events: `Resumed`. Errors: [`DriverError::InstanceNotFound`], [`DriverError::InvalidState`]
    /// from `Suspended`, `Shutdown`, `Crashed`.
    async fn unpause(&self, instance: &Instance) -> DriverResult<()> {
        unsupported!(self, Unpause)
    }

    /// Suspends an instance: `Running` or `Paused` to `Suspended` (state saved to disk, no CPU or
    /// memory use); a no-op when suspended.
    ///
    /// Events: `Suspended`. Errors: [`DriverError::InstanceNotFound`],
    /// [`DriverError::InvalidState`] from `Shutdown`, `Crashed`.
    async fn suspend(&self, instance: &Instance) -> DriverResult<()> {
        unsupported!(self, Suspend)
    }

    /// Resumes a suspended instance: `Suspended` to `Running`; a no-op when running.
    ///
    /// Events: `Resumed`. Errors: [`DriverError::InstanceNotFound`], [`DriverError::InvalidState`]
    /// from `Paused`, `Shutdown`, `Crashed`.
    async fn resume(
        &self,
        instance: &Instance,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        unsupported!(self, Resume)
    }

    /// Boots the instance from a rescue image with `rescue_password` as root password: to
    /// `Running`, rescued, from `Running`, `Shutdown` or `Crashed`.
    ///
    /// Events: `Started` if it was not running. Errors: [`DriverError::InstanceNotFound`],
    /// [`DriverError::InvalidState`] (already rescued, paused, suspended, soft-deleted).
    async fn rescue(
        &self,
        context: &RequestContext,
        instance: &Instance,
        network_info: &[Vif],
        image_meta: &ImageMeta,
        rescue_password: Secret,
    ) -> DriverResult<()> {
        unsupported!(self, Rescue)
    }

    /// Leaves rescue: a rescued instance goes back to `Running`, not rescued; a no-op for an
    /// instance that is not rescued. No event.
    ///
    /// Errors: [`DriverError::InstanceNotFound`] (Nova's fake raises a raw `KeyError`),
    /// [`DriverError::InvalidState`] when soft-deleted.
    async fn unrescue(&self, instance: &Instance, network_info: &[Vif]) -> DriverResult<()> {
        unsupported!(self, Unrescue)
    }

    /// Soft-deletes an instance: to `Shutdown`, soft-deleted, from any state; its resources stay
    /// claimed until `destroy`. A no-op when already soft-deleted.
    ///
    /// Events: `Stopped` unless it was shut down. Errors: [`DriverError::InstanceNotFound`].
    async fn soft_delete(&self, instance: &Instance) -> DriverResult<()> {
        unsupported!(self, SoftDelete)
    }

    /// Restores a soft-deleted instance: to `Running`, not soft-deleted. A no-op for an instance
    /// that is not soft-deleted.
    ///
    /// Events: `Started`. Errors: [`DriverError::InstanceNotFound`].
    async fn restore(&self, instance: &Instance) -> DriverResult<()> {
        unsupported!(self, Restore)
    }

    /// Snapshots the instance into the pre-created image `image_id`.
    ///
    /// Calls `update_task_state(ImagePendingUpload, ImageSnapshot)` then
    /// `update_task_state(ImageUploading, ImagePendingUpload)`, in that order, before returning.
    /// The instance's state is unchanged; no event. Errors: [`DriverError::InstanceNotRunning`] for
    /// an unknown instance (as Nova's suite asserts), [`DriverError::InvalidState`] when
    /// soft-deleted.
    async fn snapshot(
        &self,
        context: &RequestContext,
        instance: &Instance,
        image_id: &str,
        update_task_state: TaskStateCallback,
    ) -> DriverResult<()> {
        unsupported!(self, Snapshot)
    }

    /// Sets the guest's admin password. Needs a `Running` instance.
    ///
    /// Errors: [`DriverError::InstanceNotFound`], [`DriverError::InstanceNotRunning`]. Idempotent.
    async fn set_admin_password(&self, instance: &Instance, new_pass: Secret) -> DriverResult<()> {
        unsupported!(self, SetAdminPassword)
    }

    /// Writes a file into the instance; path and contents are base64 (Nova's Grizzly API). Works in
    /// any state.
    ///
    /// Errors: [`DriverError::InstanceNotFound`], [`DriverError::InvalidInput`] for bad base64 or a
    /// path that breaks [`validate::file_path`](crate::validate::file_path) (nothing written).
    /// Idempotent: the same file written again replaces it.
    async fn inject_file(
        &self,
        instance: &Instance,
        b64_path: &str,
        b64_contents: &str,
    ) -> DriverResult<()> {
        unsupported!(self, InjectFile)
    }

    /// After a host reboot, brings back an instance that should be running (the compute service
    /// calls it only for those; Nova's libvirt driver hard-reboots them): one `Shutdown` or
    /// `Crashed`, not soft-deleted, is started (the table's `power_on` row, `Started`); one
    /// `Running`, `Paused` or `Suspended`, or soft-deleted, is left exactly as it is, with no
    /// event. Errors: [`DriverError::InstanceNotFound`]. Idempotent.
    async fn resume_state_on_host_boot(
        &self,
        context: &RequestContext,
        instance: &Instance,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        unsupported!(self, ResumeStateOnHostBoot)
    }

    /// Asks the guest for a crash dump (an NMI). State unchanged, no event. Errors:
    /// [`DriverError::InstanceNotFound`], [`DriverError::InstanceNotRunning`] unless `Running` or
    /// `Paused`.
    async fn trigger_crash_dump(&self, instance: &Instance) -> DriverResult<()> {
        unsupported!(self, TriggerCrashDump)
    }

    /// Whether the instance's files are reachable from this host (shared storage).
    async fn instance_on_disk(&self, instance: &Instance) -> DriverResult<bool> {
        unsupported!(self, InstanceOnDisk)
    }

    /// Counters of one disk of the named instance. Errors: [`DriverError::InstanceNotFound`] (by
    /// name).
    async fn block_stats(&self, instance_name: &str, disk_id: &str) -> DriverResult<BlockStats> {
        unsupported!(self, BlockStats)
    }

    /// Counters of one interface of the named instance. Errors: [`DriverError::InstanceNotFound`]
    /// (by name).
    async fn interface_stats(
        &self,
        instance_name: &str,
        iface_id: &str,
    ) -> DriverResult<InterfaceStats> {
        unsupported!(self, InterfaceStats)
    }

    /// Diagnostics of the named instance; `state` matches `get_info`, `memory_max_kb` its maximum
    /// memory. While the guest is `Running` or `Paused` and not rescued, `disk_details` names every
    /// disk: the root disk `vda` first, then each attached volume by its mountpoint's device name
    /// (`/dev/sdb` is `sdb`) where the backend's bus takes that name (see
    /// [`Diagnostics::disk_details`]). Errors: [`DriverError::InstanceNotFound`] (by name).
    async fn get_diagnostics(&self, instance_name: &str) -> DriverResult<Diagnostics> {
        unsupported!(self, GetDiagnostics)
    }

    /// The disks of the named instance (what live migration needs). Unless the instance is rescued,
    /// the first is its root disk, whose `virt_disk_size` is the flavor's `root_gb` in bytes (a
    /// backend that cannot make an empty disk may round a zero-size root disk up); the volumes and
    /// other disks a backend reports follow it. Errors: [`DriverError::InstanceNotFound`] (by
    /// name).
    async fn get_instance_disk_info(&self, instance_name: &str) -> DriverResult<DiskInfo> {
        unsupported!(self, GetInstanceDiskInfo)
    }

    /// Bandwidth counters of every VIF of the given instances that are on this host; instances not
    /// on the host are skipped.
    async fn get_all_bw_counters(
        &self,
        instances: &[Instance],
    ) -> DriverResult<Vec<BandwidthCounter>> {
        unsupported!(self, GetAllBwCounters)
    }

    /// Usage of every volume attached to the given instances on this host, for the period from
    /// `start_time`. Instances not on the host are skipped.
    async fn get_all_volume_usage(
        &self,
        context: &RequestContext,
        instances: &[Instance],
        start_time: SystemTime,
        stop_time: Option<SystemTime>,
    ) -> DriverResult<Vec<VolumeUsage>> {
        unsupported!(self, GetAllVolumeUsage)
    }

    /// What the instance printed to its console, in any state. Errors:
    /// [`DriverError::InstanceNotFound`].
    async fn get_console_output(&self, instance: &Instance) -> DriverResult<String> {
        unsupported!(self, GetConsoleOutput)
    }

    /// Access details of the console pool for `console_type`.
    async fn get_console_pool_info(
        &self,
        console_type: ConsoleType,
    ) -> DriverResult<ConsolePoolInfo> {
        unsupported!(self, GetConsolePoolInfo)
    }

    /// The instance's VNC console. Needs `Running` or `Paused` (a stopped guest has no display;
    /// stricter than Nova's fake). Errors: [`DriverError::InstanceNotFound`],
    /// [`DriverError::InstanceNotRunning`].
    async fn get_vnc_console(&self, instance: &Instance) -> DriverResult<VncConsole> {
        unsupported!(self, GetVncConsole)
    }

    /// The instance's SPICE console. Same preconditions and errors as
    /// [`get_vnc_console`](Self::get_vnc_console).
    async fn get_spice_console(&self, instance: &Instance) -> DriverResult<SpiceConsole> {
        unsupported!(self, GetSpiceConsole)
    }

    /// The instance's serial console. Same preconditions and errors as
    /// [`get_vnc_console`](Self::get_vnc_console).
    async fn get_serial_console(&self, instance: &Instance) -> DriverResult<SerialConsole> {
        unsupported!(self, GetSerialConsole)
    }

    /// Attaches a volume at `mountpoint`, in any power state.
    ///
    /// Errors: [`DriverError::InstanceNotFound`], [`DriverError::DeviceBusy`] when something is
    /// attached there already, [`DriverError::InvalidInput`] for a mountpoint that breaks
    /// [`validate::mountpoint`](crate::validate::mountpoint) (as for detach and swap). Not
    /// idempotent (again: `DeviceBusy`).
    async fn attach_volume(
        &self,
        connection_info: &ConnectionInfo,
        instance: &Instance,
        mountpoint: &str,
    ) -> DriverResult<()> {
        unsupported!(self, AttachVolume)
    }

    /// Detaches the volume at `mountpoint`.
    ///
    /// Errors: [`DriverError::InstanceNotFound`], [`DriverError::VolumeNotFound`] when nothing is
    /// attached there (stricter than Nova's fake, which ignores it).
    async fn detach_volume(
        &self,
        connection_info: &ConnectionInfo,
        instance: &Instance,
        mountpoint: &str,
    ) -> DriverResult<()> {
        unsupported!(self, DetachVolume)
    }

    /// Replaces the volume at `mountpoint` by `new_connection_info`, growing it to `resize_to_gb`
    /// if larger (0: keep the size). Errors: [`DriverError::InstanceNotFound`],
    /// [`DriverError::VolumeNotFound`].
    async fn swap_volume(
        &self,
        old_connection_info: &ConnectionInfo,
        new_connection_info: &ConnectionInfo,
        instance: &Instance,
        mountpoint: &str,
        resize_to_gb: u64,
    ) -> DriverResult<()> {
        unsupported!(self, SwapVolume)
    }

    /// What the volume service needs to export volumes to this host.
    async fn get_volume_connector(&self, instance: &Instance) -> DriverResult<VolumeConnector> {
        unsupported!(self, GetVolumeConnector)
    }

    /// Hot-plugs a VIF.
    ///
    /// Errors: [`DriverError::InstanceNotFound`], [`DriverError::InterfaceAttachFailed`] when a VIF
    /// with this id is attached, [`DriverError::InvalidInput`] for a MAC that breaks
    /// [`validate::mac`](crate::validate::mac).
    async fn attach_interface(
        &self,
        instance: &Instance,
        image_meta: &ImageMeta,
        vif: &Vif,
    ) -> DriverResult<()> {
        unsupported!(self, AttachInterface)
    }

    /// Unplugs a VIF.
    ///
    /// Errors: [`DriverError::InstanceNotFound`], [`DriverError::InterfaceDetachFailed`] when no
    /// VIF with this id is attached.
    async fn detach_interface(&self, instance: &Instance, vif: &Vif) -> DriverResult<()> {
        unsupported!(self, DetachInterface)
    }

    /// Plugs the VIFs' host side (bridges, taps). Idempotent. Errors:
    /// [`DriverError::InstanceNotFound`].
    async fn plug_vifs(&self, instance: &Instance, network_info: &[Vif]) -> DriverResult<()> {
        unsupported!(self, PlugVifs)
    }

    /// Unplugs the VIFs' host side. Idempotent. Errors: [`DriverError::InstanceNotFound`].
    async fn unplug_vifs(&self, instance: &Instance, network_info: &[Vif]) -> DriverResult<()> {
        unsupported!(self, UnplugVifs)
    }

    /// Sets up the basic filtering an instance needs before it can migrate here. Idempotent.
    async fn ensure_filtering_rules_for_instance(
        &self,
        instance: &Instance,
        network_info: &[Vif],
    ) -> DriverResult<()> {
        unsupported!(self, EnsureFilteringRulesForInstance)
    }

    /// Re-applies the instance's security-group rules. Idempotent. Errors:
    /// [`DriverError::InstanceNotFound`].
    async fn refresh_instance_security_rules(&self, instance: &Instance) -> DriverResult<()> {
        unsupported!(self, RefreshInstanceSecurityRules)
    }

    /// Re-applies the provider firewall rules. Idempotent.
    async fn refresh_provider_fw_rules(&self) -> DriverResult<()> {
        unsupported!(self, RefreshProviderFwRules)
    }

    /// Re-applies rules after a security group's membership changed. Idempotent.
    async fn refresh_security_group_members(&self, security_group_id: i64) -> DriverResult<()> {
        unsupported!(self, RefreshSecurityGroupMembers)
    }

    /// Re-applies rules after a security group's rules changed. Idempotent.
    async fn refresh_security_group_rules(&self, security_group_id: i64) -> DriverResult<()> {
        unsupported!(self, RefreshSecurityGroupRules)
    }

    /// Removes the instance's filtering. Idempotent.
    async fn unfilter_instance(
        &self,
        instance: &Instance,
        network_info: &[Vif],
    ) -> DriverResult<()> {
        unsupported!(self, UnfilterInstance)
    }

    /// On the destination: can `instance` come here? Returns the check data the source step needs.
    ///
    /// Errors: [`DriverError::InsufficientResources`] when the destination node cannot hold the
    /// flavor, [`DriverError::InstanceExists`] when the instance is already here (or reserved by
    /// `pre_live_migration`). Nothing changes.
    async fn check_can_live_migrate_destination(
        &self,
        context: &RequestContext,
        instance: &Instance,
        src_compute_info: &NodeResources,
        dst_compute_info: &NodeResources,
        block_migration: bool,
        disk_over_commit: bool,
    ) -> DriverResult<LiveMigrateData> {
        unsupported!(self, CheckCanLiveMigrateDestination)
    }

    /// On the destination: cleans up after the destination check. Idempotent.
    async fn check_can_live_migrate_destination_cleanup(
        &self,
        context: &RequestContext,
        dest_check_data: &LiveMigrateData,
    ) -> DriverResult<()> {
        unsupported!(self, CheckCanLiveMigrateDestinationCleanup)
    }

    /// On the source: can `instance` leave? Returns the data for the next steps.
    ///
    /// Errors: [`DriverError::InstanceNotFound`], [`DriverError::InvalidState`] unless `Running` or
    /// `Paused` and neither rescued nor soft-deleted, [`DriverError::InvalidInput`] when
    /// `dest_check_data.dest_host` is not a valid host name other than this host
    /// ([`validate::live_destination`](crate::validate::live_destination)).
    async fn check_can_live_migrate_source(
        &self,
        context: &RequestContext,
        instance: &Instance,
        dest_check_data: &LiveMigrateData,
    ) -> DriverResult<LiveMigrateData> {
        unsupported!(self, CheckCanLiveMigrateSource)
    }

    /// On the destination: prepares for the incoming instance: reserves its resources (counted in
    /// `get_available_resource`'s used) and its name, with the VIFs of `network_info` and the
    /// volumes of `block_device_info`, until `post_live_migration_at_destination` or
    /// `rollback_live_migration_at_destination`; the instance is not listed meanwhile. Errors:
    /// [`DriverError::InsufficientResources`], [`DriverError::InstanceExists`] (its UUID or name
    /// held here), [`DriverError::InvalidInput`] as for `spawn`.
    async fn pre_live_migration(
        &self,
        context: &RequestContext,
        instance: &Instance,
        block_device_info: &BlockDeviceInfo,
        network_info: &[Vif],
        migrate_data: &LiveMigrateData,
    ) -> DriverResult<LiveMigrateData> {
        unsupported!(self, PreLiveMigration)
    }

    /// On the source: moves the running instance to `dest`.
    ///
    /// Precondition: `migrate_data` is what `dest`'s `pre_live_migration` returned for this
    /// instance (Nova always calls it first; a backend may need what it carries in `driver_data`,
    /// such as the destination's domain name). Called otherwise, a backend may refuse with
    /// [`DriverError::MigrationFailed`] after `recover`.
    ///
    /// `dest` must be a valid host name other than this host, and the host whose
    /// `check_can_live_migrate_destination` produced `migrate_data` (`migrate_data.dest_host`;
    /// stricter than Nova, whose migrate data does not name it)
    /// ([`validate::live_migration_target`](crate::validate::live_migration_target)): otherwise
    /// [`DriverError::InvalidInput`] before anything moves and before any callback. On success the
    /// instance leaves this host (its claim released, `MigrationCompleted` emitted) and
    /// `callbacks.post` is called; on failure or abort the instance stays as it was and
    /// `callbacks.recover` is called. Exactly one callback runs, once, before this returns. Errors:
    /// [`DriverError::InstanceNotFound`], [`DriverError::InvalidState`],
    /// [`DriverError::MigrationFailed`] (after `recover`).
    async fn live_migration(
        &self,
        context: &RequestContext,
        instance: &Instance,
        dest: &str,
        callbacks: Arc<dyn LiveMigrationCallbacks>,
        block_migration: bool,
        migrate_data: &LiveMigrateData,
    ) -> DriverResult<()> {
        unsupported!(self, LiveMigration)
    }

    /// On the destination: the instance has arrived; it is now listed here, `Running`, with its
    /// claim (the reservation of `pre_live_migration`, if any), the VIFs of `network_info` and the
    /// volumes of `block_device_info`; where either is empty, those given to `pre_live_migration`
    /// stay. Emits `Started`. Errors: [`DriverError::InstanceExists`],
    /// [`DriverError::InsufficientResources`], [`DriverError::InvalidInput`] as for `spawn`.
    async fn post_live_migration_at_destination(
        &self,
        context: &RequestContext,
        instance: &Instance,
        network_info: &[Vif],
        block_migration: bool,
        block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        unsupported!(self, PostLiveMigrationAtDestination)
    }

    /// On the destination: undoes `pre_live_migration` after a failed migration, releasing the
    /// reservation. Idempotent.
    async fn rollback_live_migration_at_destination(
        &self,
        context: &RequestContext,
        instance: &Instance,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
        destroy_disks: bool,
    ) -> DriverResult<()> {
        unsupported!(self, RollbackLiveMigrationAtDestination)
    }

    /// On the source: forces an in-progress live migration to complete. With none in progress
    /// nothing changes. Errors: [`DriverError::InstanceNotFound`].
    async fn live_migration_force_complete(&self, instance: &Instance) -> DriverResult<()> {
        unsupported!(self, LiveMigrationForceComplete)
    }

    /// On the source: aborts an in-progress live migration; `live_migration` then calls `recover`
    /// with status `Cancelled`. With none in progress nothing changes. Errors:
    /// [`DriverError::InstanceNotFound`].
    async fn live_migration_abort(&self, instance: &Instance) -> DriverResult<()> {
        unsupported!(self, LiveMigrationAbort)
    }

    /// On the source: powers the instance off and hands its disks over for a move to `dest` with
    /// `flavor`: it returns them as `get_instance_disk_info` reports them (the root disk first, of
    /// its current flavor's size). The instance stays here, `Shutdown`, with its claim, until
    /// `confirm_migration` or `finish_revert_migration`.
    ///
    /// Events: `Stopped` unless already off. Errors: [`DriverError::InstanceNotFound`],
    /// [`DriverError::InvalidState`] (also when the instance is already moving out),
    /// [`DriverError::InvalidInput`] for a `dest` that is not a valid host name or a `flavor` whose
    /// root or ephemeral disk is smaller than the instance's current flavor's
    /// ([`validate::resize`](crate::validate::resize): a disk never shrinks; Nova's API and libvirt
    /// driver refuse it too).
    async fn migrate_disk_and_power_off(
        &self,
        context: &RequestContext,
        instance: &Instance,
        dest: &str,
        flavor: &Flavor,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<DiskInfo> {
        unsupported!(self, MigrateDiskAndPowerOff)
    }

    /// On the destination: creates the migrated instance with its (new) flavor, claiming it here,
    /// with the VIFs of `network_info` and the volumes of `block_device_info`; `Running` when
    /// `power_on`, else `Shutdown`. On a same-host resize (`migration` comes from this host and the
    /// instance is here, moving out) it is not created again: its claim becomes the new flavor's
    /// (the old one is restored by `finish_revert_migration`), it keeps its volumes and VIFs, and
    /// it starts when `power_on`; any other `migration` that finds the instance here is
    /// `InstanceExists`.
    ///
    /// Events: `Started` when powered on. Errors: [`DriverError::InstanceExists`],
    /// [`DriverError::InsufficientResources`], [`DriverError::InvalidInput`] when `migration` is
    /// another instance's record or the instance breaks a [`validate`](crate::validate) rule.
    async fn finish_migration(
        &self,
        context: &RequestContext,
        migration: &Migration,
        instance: &Instance,
        disk_info: &DiskInfo,
        network_info: &[Vif],
        image_meta: &ImageMeta,
        resize_instance: bool,
        block_device_info: &BlockDeviceInfo,
        power_on: bool,
    ) -> DriverResult<()> {
        unsupported!(self, FinishMigration)
    }

    /// On the source: the move is confirmed; the source copy is destroyed and its claim released
    /// (nothing happens for a same-host resize).
    ///
    /// Preconditions: `migration` is this instance's record (else [`DriverError::InvalidInput`]),
    /// and an instance still here is moving out (`migrate_disk_and_power_off` ran, no confirm or
    /// revert since; else [`DriverError::InvalidState`]); nothing changes when refused.
    ///
    /// Events: none (the instance was shut down). Idempotent: an instance no longer here is `Ok`.
    async fn confirm_migration(
        &self,
        migration: &Migration,
        instance: &Instance,
        network_info: &[Vif],
    ) -> DriverResult<()> {
        unsupported!(self, ConfirmMigration)
    }

    /// On the source: the move is reverted; the source copy is powered back on when `power_on`.
    ///
    /// Events: `Started` when powered on. Errors: [`DriverError::InstanceNotFound`],
    /// [`DriverError::InvalidState`] (nothing changed) when the instance is not moving out (no
    /// `migrate_disk_and_power_off`, or confirmed or reverted since).
    async fn finish_revert_migration(
        &self,
        instance: &Instance,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
        power_on: bool,
    ) -> DriverResult<()> {
        unsupported!(self, FinishRevertMigration)
    }
}
