//! The `ComputeDriver` service: each RPC reads its request, calls the same
//! method on the backend the request names, and answers its result or its
//! error as a status.

use std::net::IpAddr;
use std::sync::Arc;

use driver_api::uuid::Uuid;
use driver_api::{DriverError, DriverMethod, Secret};
use tonic::metadata::MetadataValue;
use tonic::{Request, Response, Status};

use super::streams::{self, EventStream, LiveMigrationStream, SnapshotStream};
use super::{Registry, Served};
use crate::proto;
use crate::proto::compute_driver_server::ComputeDriver as Rpc;
use crate::status::{malformed_request, to_status};
use crate::wire::{
    duration_from_wire, duration_to_wire, read, read_all, time_from_wire, write_all, FromWire,
    Malformed, ToWire,
};
use crate::EVENT_SEQ_HEADER;

/// Serves the backends of a [`Registry`].
#[derive(Debug, Clone)]
pub struct DriverService {
    registry: Arc<Registry>,
}

impl DriverService {
    /// The service over `registry`.
    pub fn new(registry: Arc<Registry>) -> Self {
        Self { registry }
    }
}

/// Why a call failed: its request could not be read, or the backend refused.
#[derive(Debug)]
pub(super) enum Failure {
    Malformed(Malformed),
    Driver(DriverError),
}

impl From<Malformed> for Failure {
    fn from(malformed: Malformed) -> Self {
        Self::Malformed(malformed)
    }
}

impl From<DriverError> for Failure {
    fn from(error: DriverError) -> Self {
        Self::Driver(error)
    }
}

impl Failure {
    pub(super) fn into_status(self, method: DriverMethod) -> Status {
        match self {
            Self::Malformed(malformed) => malformed_request(method, &malformed),
            Self::Driver(error) => {
                tracing::debug!(method = method.name(), kind = ?error.kind(), "refused");
                to_status(&error)
            }
        }
    }
}

/// The answer to a unary call, stamped with the backend's last event number.
fn answer<T>(
    method: DriverMethod,
    served: &Served,
    result: Result<T, Failure>,
) -> Result<Response<T>, Status> {
    let seq = MetadataValue::from(served.events.last_seq());
    match result {
        Ok(value) => {
            let mut response = Response::new(value);
            response.metadata_mut().insert(EVENT_SEQ_HEADER, seq);
            Ok(response)
        }
        Err(failure) => {
            let mut status = failure.into_status(method);
            status.metadata_mut().insert(EVENT_SEQ_HEADER, seq);
            Err(status)
        }
    }
}

pub(super) fn instance(wire: Option<proto::Instance>) -> Result<driver_api::Instance, Malformed> {
    read("instance", wire)
}

pub(super) fn context(
    wire: Option<proto::RequestContext>,
) -> Result<driver_api::RequestContext, Malformed> {
    read("context", wire)
}

fn block(wire: Option<proto::BlockDeviceInfo>) -> Result<driver_api::BlockDeviceInfo, Malformed> {
    read("block_device_info", wire)
}

fn image(wire: Option<proto::ImageMeta>) -> Result<driver_api::ImageMeta, Malformed> {
    read("image_meta", wire)
}

fn vifs(wire: Vec<proto::Vif>) -> Result<Vec<driver_api::Vif>, Malformed> {
    read_all(wire)
}

fn migrate_data(
    field: &'static str,
    wire: Option<proto::LiveMigrateData>,
) -> Result<driver_api::LiveMigrateData, Malformed> {
    read(field, wire)
}

const ACK: proto::Ack = proto::Ack {};

/// Writes the service: every unary RPC as `rpc(Request) -> Response as
/// Method |driver, request| body`, plus the streaming items as they are.
macro_rules! service {
    (
        $( $rpc:ident($req:ty) -> $resp:ty as $method:ident |$d:ident, $r:ident| $body:block )*
        ; $($extra:item)*
    ) => {
        #[tonic::async_trait]
        impl Rpc for DriverService {
            $(
                async fn $rpc(&self, request: Request<$req>) -> Result<Response<$resp>, Status> {
                    let served = self.registry.of_request(&request)?;
                    let $r = request.into_inner();
                    let $d = &served.driver;
                    let result: Result<$resp, Failure> = async { $body }.await;
                    answer(DriverMethod::$method, &served, result)
                }
            )*
            $($extra)*
        }
    };
}

service! {
    describe(proto::DescribeRequest) -> proto::DescribeResponse as Capabilities |d, _r| {
        Ok(proto::DescribeResponse {
            driver_name: d.driver_name().to_owned(),
            capabilities: Some(d.capabilities().to_wire()),
            legacy_nwinfo: d.legacy_nwinfo(),
        })
    }
    emit_event(proto::EmitEventRequest) -> proto::Ack as EmitEvent |d, r| {
        d.emit_event(read("event", r.event)?);
        Ok(ACK)
    }
    init_host(proto::InitHostRequest) -> proto::Ack as InitHost |d, r| {
        d.init_host(&r.host).await?;
        Ok(ACK)
    }
    get_available_nodes(proto::GetAvailableNodesRequest) -> proto::NodeNames as GetAvailableNodes |d, r| {
        Ok(proto::NodeNames { nodes: d.get_available_nodes(r.refresh).await? })
    }
    get_available_resource(proto::NodeRequest) -> proto::NodeResources as GetAvailableResource |d, r| {
        Ok(d.get_available_resource(&r.nodename).await?.to_wire())
    }
    get_disk_available_least(proto::NoArgs) -> proto::Int64Value as GetDiskAvailableLeast |d, _r| {
        Ok(proto::Int64Value { value: d.get_disk_available_least().await? })
    }
    get_host_ip_addr(proto::NoArgs) -> proto::IpAddress as GetHostIpAddr |d, _r| {
        let address: IpAddr = d.get_host_ip_addr().await?;
        Ok(proto::IpAddress { address: address.to_string() })
    }
    get_host_stats(proto::RefreshRequest) -> proto::HostStatsList as GetHostStats |d, r| {
        Ok(proto::HostStatsList { stats: write_all(&d.get_host_stats(r.refresh).await?) })
    }
    get_host_cpu_stats(proto::NoArgs) -> proto::HostCpuStats as GetHostCpuStats |d, _r| {
        Ok(d.get_host_cpu_stats().await?.to_wire())
    }
    get_host_uptime(proto::NoArgs) -> prost_types::Duration as GetHostUptime |d, _r| {
        Ok(duration_to_wire(d.get_host_uptime().await?))
    }
    host_power_action(proto::HostPowerActionRequest) -> proto::HostPowerActionResponse as HostPowerAction |d, r| {
        let action = FromWire::from_wire(r.action)?;
        let done = d.host_power_action(&r.host, action).await?;
        Ok(proto::HostPowerActionResponse { action: done.to_wire() })
    }
    host_maintenance_mode(proto::HostMaintenanceModeRequest) -> proto::HostMaintenanceModeResponse as HostMaintenanceMode |d, r| {
        let mode = d.host_maintenance_mode(&r.host, r.mode).await?;
        Ok(proto::HostMaintenanceModeResponse {
            on_maintenance: mode == driver_api::MaintenanceMode::OnMaintenance,
        })
    }
    set_host_enabled(proto::SetHostEnabledRequest) -> proto::SetHostEnabledResponse as SetHostEnabled |d, r| {
        let status = d.set_host_enabled(&r.host, r.enabled).await?;
        Ok(proto::SetHostEnabledResponse { enabled: status == driver_api::HostStatus::Enabled })
    }
    spawn(proto::SpawnRequest) -> proto::Ack as Spawn |d, r| {
        let files: Vec<driver_api::InjectedFile> = read_all(r.injected_files)?;
        d.spawn(
            &context(r.context)?,
            &instance(r.instance)?,
            &image(r.image_meta)?,
            &files,
            r.admin_password.map(Secret::new),
            &vifs(r.network_info)?,
            &block(r.block_device_info)?,
            r.power_on,
        )
        .await?;
        Ok(ACK)
    }
    destroy(proto::DestroyRequest) -> proto::Ack as Destroy |d, r| {
        d.destroy(&instance(r.instance)?, &vifs(r.network_info)?, &block(r.block_device_info)?, r.destroy_disks)
            .await?;
        Ok(ACK)
    }
    get_info(proto::InstanceRequest) -> proto::InstanceInfo as GetInfo |d, r| {
        Ok(d.get_info(&instance(r.instance)?).await?.to_wire())
    }
    list_instances(proto::NoArgs) -> proto::InstanceNames as ListInstances |d, _r| {
        Ok(proto::InstanceNames { names: d.list_instances().await? })
    }
    list_instance_uuids(proto::NoArgs) -> proto::InstanceUuids as ListInstanceUuids |d, _r| {
        let uuids: Vec<Uuid> = d.list_instance_uuids().await?;
        Ok(proto::InstanceUuids { uuids: uuids.iter().map(Uuid::to_string).collect() })
    }
    get_num_instances(proto::NoArgs) -> proto::Count as GetNumInstances |d, _r| {
        let count = d.get_num_instances().await?;
        Ok(proto::Count { count: u64::try_from(count).unwrap_or(u64::MAX) })
    }
    instance_exists(proto::InstanceRequest) -> proto::BoolValue as InstanceExists |d, r| {
        Ok(proto::BoolValue { value: d.instance_exists(&instance(r.instance)?).await? })
    }
    reboot(proto::RebootRequest) -> proto::Ack as Reboot |d, r| {
        let reboot_type = FromWire::from_wire(r.reboot_type)?;
        d.reboot(&context(r.context)?, &instance(r.instance)?, &vifs(r.network_info)?, reboot_type, &block(r.block_device_info)?)
            .await?;
        Ok(ACK)
    }
    poll_rebooting_instances(proto::PollRebootingInstancesRequest) -> proto::Ack as PollRebootingInstances |d, r| {
        let instances: Vec<driver_api::Instance> = read_all(r.instances)?;
        d.poll_rebooting_instances(duration_from_wire("timeout", r.timeout)?, &instances).await?;
        Ok(ACK)
    }
    power_off(proto::PowerOffRequest) -> proto::Ack as PowerOff |d, r| {
        d.power_off(&instance(r.instance)?, duration_from_wire("timeout", r.timeout)?).await?;
        Ok(ACK)
    }
    power_on(proto::InstanceNetworkBlockRequest) -> proto::Ack as PowerOn |d, r| {
        d.power_on(&context(r.context)?, &instance(r.instance)?, &vifs(r.network_info)?, &block(r.block_device_info)?)
            .await?;
        Ok(ACK)
    }
    pause(proto::InstanceRequest) -> proto::Ack as Pause |d, r| {
        d.pause(&instance(r.instance)?).await?;
        Ok(ACK)
    }
    unpause(proto::InstanceRequest) -> proto::Ack as Unpause |d, r| {
        d.unpause(&instance(r.instance)?).await?;
        Ok(ACK)
    }
    suspend(proto::InstanceRequest) -> proto::Ack as Suspend |d, r| {
        d.suspend(&instance(r.instance)?).await?;
        Ok(ACK)
    }
    resume(proto::InstanceNetworkBlockRequest) -> proto::Ack as Resume |d, r| {
        d.resume(&instance(r.instance)?, &vifs(r.network_info)?, &block(r.block_device_info)?).await?;
        Ok(ACK)
    }
    rescue(proto::RescueRequest) -> proto::Ack as Rescue |d, r| {
        d.rescue(&context(r.context)?, &instance(r.instance)?, &vifs(r.network_info)?, &image(r.image_meta)?, Secret::new(r.rescue_password))
            .await?;
        Ok(ACK)
    }
    unrescue(proto::InstanceNetworkRequest) -> proto::Ack as Unrescue |d, r| {
        d.unrescue(&instance(r.instance)?, &vifs(r.network_info)?).await?;
        Ok(ACK)
    }
    soft_delete(proto::InstanceRequest) -> proto::Ack as SoftDelete |d, r| {
        d.soft_delete(&instance(r.instance)?).await?;
        Ok(ACK)
    }
    restore(proto::InstanceRequest) -> proto::Ack as Restore |d, r| {
        d.restore(&instance(r.instance)?).await?;
        Ok(ACK)
    }
    set_admin_password(proto::SetAdminPasswordRequest) -> proto::Ack as SetAdminPassword |d, r| {
        d.set_admin_password(&instance(r.instance)?, Secret::new(r.new_pass)).await?;
        Ok(ACK)
    }
    inject_file(proto::InjectFileRequest) -> proto::Ack as InjectFile |d, r| {
        d.inject_file(&instance(r.instance)?, &r.b64_path, &r.b64_contents).await?;
        Ok(ACK)
    }
    resume_state_on_host_boot(proto::InstanceNetworkBlockRequest) -> proto::Ack as ResumeStateOnHostBoot |d, r| {
        d.resume_state_on_host_boot(&context(r.context)?, &instance(r.instance)?, &vifs(r.network_info)?, &block(r.block_device_info)?)
            .await?;
        Ok(ACK)
    }
    trigger_crash_dump(proto::InstanceRequest) -> proto::Ack as TriggerCrashDump |d, r| {
        d.trigger_crash_dump(&instance(r.instance)?).await?;
        Ok(ACK)
    }
    instance_on_disk(proto::InstanceRequest) -> proto::BoolValue as InstanceOnDisk |d, r| {
        Ok(proto::BoolValue { value: d.instance_on_disk(&instance(r.instance)?).await? })
    }
    block_stats(proto::BlockStatsRequest) -> proto::BlockStats as BlockStats |d, r| {
        Ok(d.block_stats(&r.instance_name, &r.disk_id).await?.to_wire())
    }
    interface_stats(proto::InterfaceStatsRequest) -> proto::InterfaceStats as InterfaceStats |d, r| {
        Ok(d.interface_stats(&r.instance_name, &r.iface_id).await?.to_wire())
    }
    get_diagnostics(proto::InstanceNameRequest) -> proto::Diagnostics as GetDiagnostics |d, r| {
        Ok(d.get_diagnostics(&r.instance_name).await?.to_wire())
    }
    get_instance_disk_info(proto::InstanceNameRequest) -> proto::DiskInfo as GetInstanceDiskInfo |d, r| {
        Ok(d.get_instance_disk_info(&r.instance_name).await?.to_wire())
    }
    get_all_bw_counters(proto::InstancesRequest) -> proto::BandwidthCounters as GetAllBwCounters |d, r| {
        let instances: Vec<driver_api::Instance> = read_all(r.instances)?;
        Ok(proto::BandwidthCounters { counters: write_all(&d.get_all_bw_counters(&instances).await?) })
    }
    get_all_volume_usage(proto::GetAllVolumeUsageRequest) -> proto::VolumeUsages as GetAllVolumeUsage |d, r| {
        let instances: Vec<driver_api::Instance> = read_all(r.instances)?;
        let start = time_from_wire("start_time", r.start_time)?;
        let stop = match r.stop_time {
            Some(stop) => Some(time_from_wire("stop_time", Some(stop))?),
            None => None,
        };
        let usages = d.get_all_volume_usage(&context(r.context)?, &instances, start, stop).await?;
        Ok(proto::VolumeUsages { usages: write_all(&usages) })
    }
    get_console_output(proto::InstanceRequest) -> proto::ConsoleOutput as GetConsoleOutput |d, r| {
        Ok(proto::ConsoleOutput { output: d.get_console_output(&instance(r.instance)?).await? })
    }
    get_console_pool_info(proto::ConsolePoolInfoRequest) -> proto::ConsolePoolInfo as GetConsolePoolInfo |d, r| {
        let console_type = FromWire::from_wire(r.console_type)?;
        Ok(d.get_console_pool_info(console_type).await?.to_wire())
    }
    get_vnc_console(proto::InstanceRequest) -> proto::VncConsole as GetVncConsole |d, r| {
        Ok(d.get_vnc_console(&instance(r.instance)?).await?.to_wire())
    }
    get_spice_console(proto::InstanceRequest) -> proto::SpiceConsole as GetSpiceConsole |d, r| {
        Ok(d.get_spice_console(&instance(r.instance)?).await?.to_wire())
    }
    get_serial_console(proto::InstanceRequest) -> proto::SerialConsole as GetSerialConsole |d, r| {
        Ok(d.get_serial_console(&instance(r.instance)?).await?.to_wire())
    }
    attach_volume(proto::VolumeRequest) -> proto::Ack as AttachVolume |d, r| {
        let connection = read("connection_info", r.connection_info)?;
        d.attach_volume(&connection, &instance(r.instance)?, &r.mountpoint).await?;
        Ok(ACK)
    }
    detach_volume(proto::VolumeRequest) -> proto::Ack as DetachVolume |d, r| {
        let connection = read("connection_info", r.connection_info)?;
        d.detach_volume(&connection, &instance(r.instance)?, &r.mountpoint).await?;
        Ok(ACK)
    }
    swap_volume(proto::SwapVolumeRequest) -> proto::Ack as SwapVolume |d, r| {
        let old = read("old_connection_info", r.old_connection_info)?;
        let new = read("new_connection_info", r.new_connection_info)?;
        d.swap_volume(&old, &new, &instance(r.instance)?, &r.mountpoint, r.resize_to_gb).await?;
        Ok(ACK)
    }
    get_volume_connector(proto::InstanceRequest) -> proto::VolumeConnector as GetVolumeConnector |d, r| {
        Ok(d.get_volume_connector(&instance(r.instance)?).await?.to_wire())
    }
    attach_interface(proto::AttachInterfaceRequest) -> proto::Ack as AttachInterface |d, r| {
        d.attach_interface(&instance(r.instance)?, &image(r.image_meta)?, &read("vif", r.vif)?).await?;
        Ok(ACK)
    }
    detach_interface(proto::DetachInterfaceRequest) -> proto::Ack as DetachInterface |d, r| {
        d.detach_interface(&instance(r.instance)?, &read("vif", r.vif)?).await?;
        Ok(ACK)
    }
    plug_vifs(proto::InstanceNetworkRequest) -> proto::Ack as PlugVifs |d, r| {
        d.plug_vifs(&instance(r.instance)?, &vifs(r.network_info)?).await?;
        Ok(ACK)
    }
    unplug_vifs(proto::InstanceNetworkRequest) -> proto::Ack as UnplugVifs |d, r| {
        d.unplug_vifs(&instance(r.instance)?, &vifs(r.network_info)?).await?;
        Ok(ACK)
    }
    ensure_filtering_rules_for_instance(proto::InstanceNetworkRequest) -> proto::Ack as EnsureFilteringRulesForInstance |d, r| {
        d.ensure_filtering_rules_for_instance(&instance(r.instance)?, &vifs(r.network_info)?).await?;
        Ok(ACK)
    }
    refresh_instance_security_rules(proto::InstanceRequest) -> proto::Ack as RefreshInstanceSecurityRules |d, r| {
        d.refresh_instance_security_rules(&instance(r.instance)?).await?;
        Ok(ACK)
    }
    refresh_provider_fw_rules(proto::NoArgs) -> proto::Ack as RefreshProviderFwRules |d, _r| {
        d.refresh_provider_fw_rules().await?;
        Ok(ACK)
    }
    refresh_security_group_members(proto::SecurityGroupRequest) -> proto::Ack as RefreshSecurityGroupMembers |d, r| {
        d.refresh_security_group_members(r.security_group_id).await?;
        Ok(ACK)
    }
    refresh_security_group_rules(proto::SecurityGroupRequest) -> proto::Ack as RefreshSecurityGroupRules |d, r| {
        d.refresh_security_group_rules(r.security_group_id).await?;
        Ok(ACK)
    }
    unfilter_instance(proto::InstanceNetworkRequest) -> proto::Ack as UnfilterInstance |d, r| {
        d.unfilter_instance(&instance(r.instance)?, &vifs(r.network_info)?).await?;
        Ok(ACK)
    }
    check_can_live_migrate_destination(proto::CheckCanLiveMigrateDestinationRequest) -> proto::LiveMigrateData as CheckCanLiveMigrateDestination |d, r| {
        let src = read("src_compute_info", r.src_compute_info)?;
        let dst = read("dst_compute_info", r.dst_compute_info)?;
        let data = d
            .check_can_live_migrate_destination(&context(r.context)?, &instance(r.instance)?, &src, &dst, r.block_migration, r.disk_over_commit)
            .await?;
        Ok(data.to_wire())
    }
    check_can_live_migrate_destination_cleanup(proto::CheckCanLiveMigrateDestinationCleanupRequest) -> proto::Ack as CheckCanLiveMigrateDestinationCleanup |d, r| {
        let data = migrate_data("dest_check_data", r.dest_check_data)?;
        d.check_can_live_migrate_destination_cleanup(&context(r.context)?, &data).await?;
        Ok(ACK)
    }
    check_can_live_migrate_source(proto::CheckCanLiveMigrateSourceRequest) -> proto::LiveMigrateData as CheckCanLiveMigrateSource |d, r| {
        let data = migrate_data("dest_check_data", r.dest_check_data)?;
        Ok(d.check_can_live_migrate_source(&context(r.context)?, &instance(r.instance)?, &data).await?.to_wire())
    }
    pre_live_migration(proto::PreLiveMigrationRequest) -> proto::LiveMigrateData as PreLiveMigration |d, r| {
        let data = migrate_data("migrate_data", r.migrate_data)?;
        let answer = d
            .pre_live_migration(&context(r.context)?, &instance(r.instance)?, &block(r.block_device_info)?, &vifs(r.network_info)?, &data)
            .await?;
        Ok(answer.to_wire())
    }
    post_live_migration_at_destination(proto::PostLiveMigrationAtDestinationRequest) -> proto::Ack as PostLiveMigrationAtDestination |d, r| {
        d.post_live_migration_at_destination(&context(r.context)?, &instance(r.instance)?, &vifs(r.network_info)?, r.block_migration, &block(r.block_device_info)?)
            .await?;
        Ok(ACK)
    }
    rollback_live_migration_at_destination(proto::RollbackLiveMigrationAtDestinationRequest) -> proto::Ack as RollbackLiveMigrationAtDestination |d, r| {
        d.rollback_live_migration_at_destination(&context(r.context)?, &instance(r.instance)?, &vifs(r.network_info)?, &block(r.block_device_info)?, r.destroy_disks)
            .await?;
        Ok(ACK)
    }
    live_migration_force_complete(proto::InstanceRequest) -> proto::Ack as LiveMigrationForceComplete |d, r| {
        d.live_migration_force_complete(&instance(r.instance)?).await?;
        Ok(ACK)
    }
    live_migration_abort(proto::InstanceRequest) -> proto::Ack as LiveMigrationAbort |d, r| {
        d.live_migration_abort(&instance(r.instance)?).await?;
        Ok(ACK)
    }
    migrate_disk_and_power_off(proto::MigrateDiskAndPowerOffRequest) -> proto::DiskInfo as MigrateDiskAndPowerOff |d, r| {
        let flavor = read("flavor", r.flavor)?;
        let disks = d
            .migrate_disk_and_power_off(&context(r.context)?, &instance(r.instance)?, &r.dest, &flavor, &vifs(r.network_info)?, &block(r.block_device_info)?)
            .await?;
        Ok(disks.to_wire())
    }
    finish_migration(proto::FinishMigrationRequest) -> proto::Ack as FinishMigration |d, r| {
        let migration = read("migration", r.migration)?;
        let disks: Vec<driver_api::InstanceDisk> = read("disk_info", r.disk_info)?;
        d.finish_migration(
            &context(r.context)?,
            &migration,
            &instance(r.instance)?,
            &disks,
            &vifs(r.network_info)?,
            &image(r.image_meta)?,
            r.resize_instance,
            &block(r.block_device_info)?,
            r.power_on,
        )
        .await?;
        Ok(ACK)
    }
    confirm_migration(proto::ConfirmMigrationRequest) -> proto::Ack as ConfirmMigration |d, r| {
        let migration = read("migration", r.migration)?;
        d.confirm_migration(&migration, &instance(r.instance)?, &vifs(r.network_info)?).await?;
        Ok(ACK)
    }
    finish_revert_migration(proto::FinishRevertMigrationRequest) -> proto::Ack as FinishRevertMigration |d, r| {
        d.finish_revert_migration(&instance(r.instance)?, &vifs(r.network_info)?, &block(r.block_device_info)?, r.power_on)
            .await?;
        Ok(ACK)
    }
    ;
    type WatchEventsStream = EventStream;

    async fn watch_events(
        &self,
        request: Request<proto::WatchEventsRequest>,
    ) -> Result<Response<EventStream>, Status> {
        let served = self.registry.of_request(&request)?;
        Ok(Response::new(streams::watch_events(&served, request.into_inner().after_seq)))
    }

    type SnapshotStream = SnapshotStream;

    async fn snapshot(
        &self,
        request: Request<proto::SnapshotRequest>,
    ) -> Result<Response<SnapshotStream>, Status> {
        let served = self.registry.of_request(&request)?;
        streams::snapshot(served, request.into_inner())
            .map(Response::new)
            .map_err(|failure| failure.into_status(DriverMethod::Snapshot))
    }

    type LiveMigrationStream = LiveMigrationStream;

    async fn live_migration(
        &self,
        request: Request<proto::LiveMigrationRequest>,
    ) -> Result<Response<LiveMigrationStream>, Status> {
        let served = self.registry.of_request(&request)?;
        streams::live_migration(served, request.into_inner())
            .map(Response::new)
            .map_err(|failure| failure.into_status(DriverMethod::LiveMigration))
    }
}
