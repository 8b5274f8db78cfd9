//! `ComputeDriver` for [`RemoteDriver`]: each method is its RPC.
//!
//! A unary method is one entry of [`remote!`]: its signature, the message it
//! sends, and the reader of its answer ([`super::answers`]). The methods that
//! stream (a snapshot's task states, a live migration's callbacks) or stay on
//! this side of the wire (the event listener) are written out below it.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use driver_api::uuid::Uuid;
use driver_api::ComputeDriver;
use driver_api::{
    BandwidthCounter, BlockDeviceInfo, BlockStats, Capabilities, ConnectionInfo, ConsolePoolInfo,
    ConsoleType, Diagnostics, DiskInfo, DriverMethod as M, DriverResult, EventListener, Flavor,
    HostCpuStats, HostPowerAction, HostStats, HostStatus, ImageMeta, InjectedFile, Instance,
    InstanceInfo, InterfaceStats, LifecycleEvent, LiveMigrateData, LiveMigrationCallbacks,
    MaintenanceMode, Migration, NodeResources, RebootType, RequestContext, Secret, SerialConsole,
    SpiceConsole, TaskStateCallback, Vif, VncConsole, VolumeConnector, VolumeUsage,
};

use super::answers::{ack, count, host_status, ip_address, list, maintenance, read, uptime, uuids};
use super::requests::{
    block_field as bdi, context_field as ctx, instance_field as i, instance_request,
    network_block_request, network_field as nw, network_request,
};
use super::RemoteDriver;
use crate::proto;
use crate::wire::{duration_to_wire, time_to_wire, write_all, FromWire, ToWire};

/// The `ComputeDriver` impl: one unary method per entry
/// (`fn name(args) -> T as DriverMethod = request => answer reader;`, the RPC
/// named as the method), then the hand-written methods.
macro_rules! remote {
    (
        $( fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty as $method:ident
            = $request:expr => $answer:expr; )*
        ; $($by_hand:item)*
    ) => {
        #[driver_api::async_trait]
        impl ComputeDriver for RemoteDriver {
            $(
                async fn $name(&self, $($arg: $ty),*) -> DriverResult<$ret> {
                    let message = $request;
                    let answer = self
                        .unary(M::$method, message, |mut c, r| async move { c.$name(r).await })
                        .await?;
                    self.answer(M::$method, answer, $answer)
                }
            )*
            $($by_hand)*
        }
    };
}

remote! {
    fn init_host(host: &str) -> () as InitHost
        = proto::InitHostRequest { host: host.to_owned() } => ack;
    fn get_available_nodes(refresh: bool) -> Vec<String> as GetAvailableNodes
        = proto::GetAvailableNodesRequest { refresh } => |a| Ok(a.nodes);
    fn get_available_resource(nodename: &str) -> NodeResources as GetAvailableResource
        = proto::NodeRequest { nodename: nodename.to_owned() } => read;
    fn get_disk_available_least() -> i64 as GetDiskAvailableLeast
        = proto::NoArgs {} => |a| Ok(a.value);
    fn get_host_ip_addr() -> IpAddr as GetHostIpAddr = proto::NoArgs {} => ip_address;
    fn get_host_stats(refresh: bool) -> Vec<HostStats> as GetHostStats
        = proto::RefreshRequest { refresh } => |a| list(a.stats);
    fn get_host_cpu_stats() -> HostCpuStats as GetHostCpuStats = proto::NoArgs {} => read;
    fn get_host_uptime() -> Duration as GetHostUptime = proto::NoArgs {} => uptime;
    fn host_power_action(host: &str, action: HostPowerAction) -> HostPowerAction
        as HostPowerAction
        = proto::HostPowerActionRequest { host: host.to_owned(), action: action.to_wire() }
        => |a| HostPowerAction::from_wire(a.action);
    fn host_maintenance_mode(host: &str, mode: bool) -> MaintenanceMode as HostMaintenanceMode
        = proto::HostMaintenanceModeRequest { host: host.to_owned(), mode } => maintenance;
    fn set_host_enabled(host: &str, enabled: bool) -> HostStatus as SetHostEnabled
        = proto::SetHostEnabledRequest { host: host.to_owned(), enabled } => host_status;
    fn spawn(
        context: &RequestContext, instance: &Instance, image_meta: &ImageMeta,
        injected_files: &[InjectedFile], admin_password: Option<Secret>, network_info: &[Vif],
        block_device_info: &BlockDeviceInfo, power_on: bool,
    ) -> () as Spawn = proto::SpawnRequest {
        context: ctx(context),
        instance: i(instance),
        image_meta: Some(image_meta.to_wire()),
        injected_files: write_all(injected_files),
        admin_password: admin_password.map(|p| p.expose().to_owned()),
        network_info: nw(network_info),
        block_device_info: bdi(block_device_info),
        power_on,
    } => ack;
    fn destroy(
        instance: &Instance, network_info: &[Vif], block_device_info: &BlockDeviceInfo,
        destroy_disks: bool,
    ) -> () as Destroy = proto::DestroyRequest {
        instance: i(instance),
        network_info: nw(network_info),
        block_device_info: bdi(block_device_info),
        destroy_disks,
    } => ack;
    fn get_info(instance: &Instance) -> InstanceInfo as GetInfo
        = instance_request(instance) => read;
    fn list_instances() -> Vec<String> as ListInstances = proto::NoArgs {} => |a| Ok(a.names);
    fn list_instance_uuids() -> Vec<Uuid> as ListInstanceUuids = proto::NoArgs {} => uuids;
    fn get_num_instances() -> usize as GetNumInstances = proto::NoArgs {} => count;
    fn instance_exists(instance: &Instance) -> bool as InstanceExists
        = instance_request(instance) => |a| Ok(a.value);
    fn reboot(
        context: &RequestContext, instance: &Instance, network_info: &[Vif],
        reboot_type: RebootType, block_device_info: &BlockDeviceInfo,
    ) -> () as Reboot = proto::RebootRequest {
        context: ctx(context),
        instance: i(instance),
        network_info: nw(network_info),
        reboot_type: reboot_type.to_wire(),
        block_device_info: bdi(block_device_info),
    } => ack;
    fn poll_rebooting_instances(timeout: Duration, instances: &[Instance]) -> ()
        as PollRebootingInstances = proto::PollRebootingInstancesRequest {
        timeout: Some(duration_to_wire(timeout)),
        instances: write_all(instances),
    } => ack;
    fn power_off(instance: &Instance, timeout: Duration) -> () as PowerOff
        = proto::PowerOffRequest {
        instance: i(instance),
        timeout: Some(duration_to_wire(timeout)),
    } => ack;
    fn power_on(
        context: &RequestContext, instance: &Instance, network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
    ) -> () as PowerOn
        = network_block_request(context, instance, network_info, block_device_info) => ack;
    fn pause(instance: &Instance) -> () as Pause = instance_request(instance) => ack;
    fn unpause(instance: &Instance) -> () as Unpause = instance_request(instance) => ack;
    fn suspend(instance: &Instance) -> () as Suspend = instance_request(instance) => ack;
    fn resume(instance: &Instance, network_info: &[Vif], block_device_info: &BlockDeviceInfo)
        -> () as Resume = network_block_request(
        &RequestContext::admin(), instance, network_info, block_device_info,
    ) => ack;
    fn rescue(
        context: &RequestContext, instance: &Instance, network_info: &[Vif],
        image_meta: &ImageMeta, rescue_password: Secret,
    ) -> () as Rescue = proto::RescueRequest {
        context: ctx(context),
        instance: i(instance),
        network_info: nw(network_info),
        image_meta: Some(image_meta.to_wire()),
        rescue_password: rescue_password.expose().to_owned(),
    } => ack;
    fn unrescue(instance: &Instance, network_info: &[Vif]) -> () as Unrescue
        = network_request(instance, network_info) => ack;
    fn soft_delete(instance: &Instance) -> () as SoftDelete = instance_request(instance) => ack;
    fn restore(instance: &Instance) -> () as Restore = instance_request(instance) => ack;
    fn set_admin_password(instance: &Instance, new_pass: Secret) -> () as SetAdminPassword
        = proto::SetAdminPasswordRequest {
        instance: i(instance),
        new_pass: new_pass.expose().to_owned(),
    } => ack;
    fn inject_file(instance: &Instance, b64_path: &str, b64_contents: &str) -> ()
        as InjectFile = proto::InjectFileRequest {
        instance: i(instance),
        b64_path: b64_path.to_owned(),
        b64_contents: b64_contents.to_owned(),
    } => ack;
    fn resume_state_on_host_boot(
        context: &RequestContext, instance: &Instance, network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
    ) -> () as ResumeStateOnHostBoot
        = network_block_request(context, instance, network_info, block_device_info) => ack;
    fn trigger_crash_dump(instance: &Instance) -> () as TriggerCrashDump
        = instance_request(instance) => ack;
    fn instance_on_disk(instance: &Instance) -> bool as InstanceOnDisk
        = instance_request(instance) => |a| Ok(a.value);
    fn block_stats(instance_name: &str, disk_id: &str) -> BlockStats as BlockStats
        = proto::BlockStatsRequest {
        instance_name: instance_name.to_owned(),
        disk_id: disk_id.to_owned(),
    } => read;
    fn interface_stats(instance_name: &str, iface_id: &str) -> InterfaceStats as InterfaceStats
        = proto::InterfaceStatsRequest {
        instance_name: instance_name.to_owned(),
        iface_id: iface_id.to_owned(),
    } => read;
    fn get_diagnostics(instance_name: &str) -> Diagnostics as GetDiagnostics
        = proto::InstanceNameRequest { instance_name: instance_name.to_owned() } => read;
    fn get_instance_disk_info(instance_name: &str) -> DiskInfo as GetInstanceDiskInfo
        = proto::InstanceNameRequest { instance_name: instance_name.to_owned() } => read;
    fn get_all_bw_counters(instances: &[Instance]) -> Vec<BandwidthCounter> as GetAllBwCounters
        = proto::InstancesRequest { instances: write_all(instances) } => |a| list(a.counters);
    fn get_all_volume_usage(
        context: &RequestContext, instances: &[Instance], start_time: SystemTime,
        stop_time: Option<SystemTime>,
    ) -> Vec<VolumeUsage> as GetAllVolumeUsage = proto::GetAllVolumeUsageRequest {
        context: ctx(context),
        instances: write_all(instances),
        start_time: Some(time_to_wire(start_time)),
        stop_time: stop_time.map(time_to_wire),
    } => |a| list(a.usages);
    fn get_console_output(instance: &Instance) -> String as GetConsoleOutput
        = instance_request(instance) => |a| Ok(a.output);
    fn get_console_pool_info(console_type: ConsoleType) -> ConsolePoolInfo as GetConsolePoolInfo
        = proto::ConsolePoolInfoRequest { console_type: console_type.to_wire() } => read;
    fn get_vnc_console(instance: &Instance) -> VncConsole as GetVncConsole
        = instance_request(instance) => read;
    fn get_spice_console(instance: &Instance) -> SpiceConsole as GetSpiceConsole
        = instance_request(instance) => read;
    fn get_serial_console(instance: &Instance) -> SerialConsole as GetSerialConsole
        = instance_request(instance) => read;
    fn attach_volume(connection_info: &ConnectionInfo, instance: &Instance, mountpoint: &str)
        -> () as AttachVolume = proto::VolumeRequest {
        connection_info: Some(connection_info.to_wire()),
        instance: i(instance),
        mountpoint: mountpoint.to_owned(),
    } => ack;
    fn detach_volume(connection_info: &ConnectionInfo, instance: &Instance, mountpoint: &str)
        -> () as DetachVolume = proto::VolumeRequest {
        connection_info: Some(connection_info.to_wire()),
        instance: i(instance),
        mountpoint: mountpoint.to_owned(),
    } => ack;
    fn swap_volume(
        old_connection_info: &ConnectionInfo, new_connection_info: &ConnectionInfo,
        instance: &Instance, mountpoint: &str, resize_to_gb: u64,
    ) -> () as SwapVolume = proto::SwapVolumeRequest {
        old_connection_info: Some(old_connection_info.to_wire()),
        new_connection_info: Some(new_connection_info.to_wire()),
        instance: i(instance),
        mountpoint: mountpoint.to_owned(),
        resize_to_gb,
    } => ack;
    fn get_volume_connector(instance: &Instance) -> VolumeConnector as GetVolumeConnector
        = instance_request(instance) => read;
    fn attach_interface(instance: &Instance, image_meta: &ImageMeta, vif: &Vif) -> ()
        as AttachInterface = proto::AttachInterfaceRequest {
        instance: i(instance),
        image_meta: Some(image_meta.to_wire()),
        vif: Some(vif.to_wire()),
    } => ack;
    fn detach_interface(instance: &Instance, vif: &Vif) -> () as DetachInterface
        = proto::DetachInterfaceRequest { instance: i(instance), vif: Some(vif.to_wire()) }
        => ack;
    fn plug_vifs(instance: &Instance, network_info: &[Vif]) -> () as PlugVifs
        = network_request(instance, network_info) => ack;
    fn unplug_vifs(instance: &Instance, network_info: &[Vif]) -> () as UnplugVifs
        = network_request(instance, network_info) => ack;
    fn ensure_filtering_rules_for_instance(instance: &Instance, network_info: &[Vif]) -> ()
        as EnsureFilteringRulesForInstance = network_request(instance, network_info) => ack;
    fn refresh_instance_security_rules(instance: &Instance) -> ()
        as RefreshInstanceSecurityRules = instance_request(instance) => ack;
    fn refresh_provider_fw_rules() -> () as RefreshProviderFwRules = proto::NoArgs {} => ack;
    fn refresh_security_group_members(security_group_id: i64) -> ()
        as RefreshSecurityGroupMembers = proto::SecurityGroupRequest { security_group_id }
        => ack;
    fn refresh_security_group_rules(security_group_id: i64) -> ()
        as RefreshSecurityGroupRules = proto::SecurityGroupRequest { security_group_id }
        => ack;
    fn unfilter_instance(instance: &Instance, network_info: &[Vif]) -> () as UnfilterInstance
        = network_request(instance, network_info) => ack;
    fn check_can_live_migrate_destination(
        context: &RequestContext, instance: &Instance, src_compute_info: &NodeResources,
        dst_compute_info: &NodeResources, block_migration: bool, disk_over_commit: bool,
    ) -> LiveMigrateData as CheckCanLiveMigrateDestination
        = proto::CheckCanLiveMigrateDestinationRequest {
        context: ctx(context),
        instance: i(instance),
        src_compute_info: Some(src_compute_info.to_wire()),
        dst_compute_info: Some(dst_compute_info.to_wire()),
        block_migration,
        disk_over_commit,
    } => read;
    fn check_can_live_migrate_destination_cleanup(
        context: &RequestContext, dest_check_data: &LiveMigrateData,
    ) -> () as CheckCanLiveMigrateDestinationCleanup
        = proto::CheckCanLiveMigrateDestinationCleanupRequest {
        context: ctx(context),
        dest_check_data: Some(dest_check_data.to_wire()),
    } => ack;
    fn check_can_live_migrate_source(
        context: &RequestContext, instance: &Instance, dest_check_data: &LiveMigrateData,
    ) -> LiveMigrateData as CheckCanLiveMigrateSource
        = proto::CheckCanLiveMigrateSourceRequest {
        context: ctx(context),
        instance: i(instance),
        dest_check_data: Some(dest_check_data.to_wire()),
    } => read;
    fn pre_live_migration(
        context: &RequestContext, instance: &Instance, block_device_info: &BlockDeviceInfo,
        network_info: &[Vif], migrate_data: &LiveMigrateData,
    ) -> LiveMigrateData as PreLiveMigration = proto::PreLiveMigrationRequest {
        context: ctx(context),
        instance: i(instance),
        block_device_info: bdi(block_device_info),
        network_info: nw(network_info),
        migrate_data: Some(migrate_data.to_wire()),
    } => read;
    fn post_live_migration_at_destination(
        context: &RequestContext, instance: &Instance, network_info: &[Vif],
        block_migration: bool, block_device_info: &BlockDeviceInfo,
    ) -> () as PostLiveMigrationAtDestination = proto::PostLiveMigrationAtDestinationRequest {
        context: ctx(context),
        instance: i(instance),
        network_info: nw(network_info),
        block_migration,
        block_device_info: bdi(block_device_info),
    } => ack;
    fn rollback_live_migration_at_destination(
        context: &RequestContext, instance: &Instance, network_info: &[Vif],
        block_device_info: &BlockDeviceInfo, destroy_disks: bool,
    ) -> () as RollbackLiveMigrationAtDestination
        = proto::RollbackLiveMigrationAtDestinationRequest {
        context: ctx(context),
        instance: i(instance),
        network_info: nw(network_info),
        block_device_info: bdi(block_device_info),
        destroy_disks,
    } => ack;
    fn live_migration_force_complete(instance: &Instance) -> () as LiveMigrationForceComplete
        = instance_request(instance) => ack;
    fn live_migration_abort(instance: &Instance) -> () as LiveMigrationAbort
        = instance_request(instance) => ack;
    fn migrate_disk_and_power_off(
        context: &RequestContext, instance: &Instance, dest: &str, flavor: &Flavor,
        network_info: &[Vif], block_device_info: &BlockDeviceInfo,
    ) -> DiskInfo as MigrateDiskAndPowerOff = proto::MigrateDiskAndPowerOffRequest {
        context: ctx(context),
        instance: i(instance),
        dest: dest.to_owned(),
        flavor: Some(flavor.to_wire()),
        network_info: nw(network_info),
        block_device_info: bdi(block_device_info),
    } => read;
    fn finish_migration(
        context: &RequestContext, migration: &Migration, instance: &Instance,
        disk_info: &DiskInfo, network_info: &[Vif], image_meta: &ImageMeta,
        resize_instance: bool, block_device_info: &BlockDeviceInfo, power_on: bool,
    ) -> () as FinishMigration = proto::FinishMigrationRequest {
        context: ctx(context),
        migration: Some(migration.to_wire()),
        instance: i(instance),
        disk_info: Some(disk_info.to_wire()),
        network_info: nw(network_info),
        image_meta: Some(image_meta.to_wire()),
        resize_instance,
        block_device_info: bdi(block_device_info),
        power_on,
    } => ack;
    fn confirm_migration(migration: &Migration, instance: &Instance, network_info: &[Vif])
        -> () as ConfirmMigration = proto::ConfirmMigrationRequest {
        migration: Some(migration.to_wire()),
        instance: i(instance),
        network_info: nw(network_info),
    } => ack;
    fn finish_revert_migration(
        instance: &Instance, network_info: &[Vif], block_device_info: &BlockDeviceInfo,
        power_on: bool,
    ) -> () as FinishRevertMigration = proto::FinishRevertMigrationRequest {
        instance: i(instance),
        network_info: nw(network_info),
        block_device_info: bdi(block_device_info),
        power_on,
    } => ack;
    ;
    fn driver_name(&self) -> &'static str {
        super::DRIVER_NAME
    }

    fn capabilities(&self) -> Capabilities {
        self.capabilities
    }

    fn register_event_listener(&self, listener: Option<EventListener>) {
        self.events.register(listener, &self.source());
    }

    /// Delivers `event` to this driver's listener, here (the listener lives
    /// on this side of the wire).
    fn emit_event(&self, event: LifecycleEvent) {
        self.events.emit(event);
    }

    fn legacy_nwinfo(&self) -> bool {
        self.legacy_nwinfo
    }

    async fn snapshot(
        &self,
        context: &RequestContext,
        instance: &Instance,
        image_id: &str,
        update_task_state: TaskStateCallback,
    ) -> DriverResult<()> {
        let request = proto::SnapshotRequest {
            context: ctx(context),
            instance: i(instance),
            image_id: image_id.to_owned(),
        };
        self.bounded(M::Snapshot, self.run_snapshot(request, update_task_state))
            .await
    }

    async fn live_migration(
        &self,
        context: &RequestContext,
        instance: &Instance,
        dest: &str,
        callbacks: Arc<dyn LiveMigrationCallbacks>,
        block_migration: bool,
        migrate_data: &LiveMigrateData,
    ) -> DriverResult<()> {
        let request = proto::LiveMigrationRequest {
            context: ctx(context),
            instance: i(instance),
            dest: dest.to_owned(),
            block_migration,
            migrate_data: Some(migrate_data.to_wire()),
        };
        self.bounded(
            M::LiveMigration,
            self.run_live_migration(request, callbacks),
        )
        .await
    }
}
