//! `ComputeDriver` for [`RemoteDriver`]: each method is its RPC.

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

use super::RemoteDriver;
use crate::proto;
use crate::wire::{
    duration_from_wire, duration_to_wire, time_to_wire, write_all, FromWire, Malformed, ToWire,
};

/// One unary RPC of the driver service.
macro_rules! call {
    ($self:ident, $method:ident, $rpc:ident, $message:expr) => {
        $self
            .unary(
                M::$method,
                $message,
                |mut c, r| async move { c.$rpc(r).await },
            )
            .await
    };
}

/// One unary RPC whose answer is read back into the model's type.
macro_rules! fetch {
    ($self:ident, $method:ident, $rpc:ident, $message:expr) => {{
        let answer = call!($self, $method, $rpc, $message)?;
        $self.read(M::$method, Ok(answer))
    }};
}

/// One unary RPC whose answer is `Ack`.
macro_rules! ack {
    ($self:ident, $method:ident, $rpc:ident, $message:expr) => {
        call!($self, $method, $rpc, $message).map(|_: proto::Ack| ())
    };
}

fn i(instance: &Instance) -> Option<proto::Instance> {
    Some(instance.to_wire())
}

fn ctx(context: &RequestContext) -> Option<proto::RequestContext> {
    Some(context.to_wire())
}

fn nw(network_info: &[Vif]) -> Vec<proto::Vif> {
    write_all(network_info)
}

fn bdi(block_device_info: &BlockDeviceInfo) -> Option<proto::BlockDeviceInfo> {
    Some(block_device_info.to_wire())
}

fn instance_request(instance: &Instance) -> proto::InstanceRequest {
    proto::InstanceRequest {
        instance: i(instance),
    }
}

fn network_request(instance: &Instance, network_info: &[Vif]) -> proto::InstanceNetworkRequest {
    proto::InstanceNetworkRequest {
        instance: i(instance),
        network_info: nw(network_info),
    }
}

fn network_block_request(
    context: &RequestContext,
    instance: &Instance,
    network_info: &[Vif],
    block_device_info: &BlockDeviceInfo,
) -> proto::InstanceNetworkBlockRequest {
    proto::InstanceNetworkBlockRequest {
        context: ctx(context),
        instance: i(instance),
        network_info: nw(network_info),
        block_device_info: bdi(block_device_info),
    }
}

fn list<T: FromWire<P>, P>(values: Vec<P>) -> Result<Vec<T>, Malformed> {
    values.into_iter().map(T::from_wire).collect()
}

#[driver_api::async_trait]
impl ComputeDriver for RemoteDriver {
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

    async fn init_host(&self, host: &str) -> DriverResult<()> {
        ack!(
            self,
            InitHost,
            init_host,
            proto::InitHostRequest {
                host: host.to_owned()
            }
        )
    }

    async fn get_available_nodes(&self, refresh: bool) -> DriverResult<Vec<String>> {
        let answer = call!(
            self,
            GetAvailableNodes,
            get_available_nodes,
            proto::GetAvailableNodesRequest { refresh }
        )?;
        Ok(answer.nodes)
    }

    async fn get_available_resource(&self, nodename: &str) -> DriverResult<NodeResources> {
        fetch!(
            self,
            GetAvailableResource,
            get_available_resource,
            proto::NodeRequest {
                nodename: nodename.to_owned()
            }
        )
    }

    async fn get_disk_available_least(&self) -> DriverResult<i64> {
        Ok(call!(
            self,
            GetDiskAvailableLeast,
            get_disk_available_least,
            proto::NoArgs {}
        )?
        .value)
    }

    async fn get_host_ip_addr(&self) -> DriverResult<IpAddr> {
        let answer = call!(self, GetHostIpAddr, get_host_ip_addr, proto::NoArgs {})?;
        answer.address.parse().map_err(|_| {
            self.site(M::GetHostIpAddr)
                .malformed_answer(&Malformed::new("address", "not an IP address"))
        })
    }

    async fn get_host_stats(&self, refresh: bool) -> DriverResult<Vec<HostStats>> {
        let answer = call!(
            self,
            GetHostStats,
            get_host_stats,
            proto::RefreshRequest { refresh }
        )?;
        list(answer.stats).map_err(|m| self.site(M::GetHostStats).malformed_answer(&m))
    }

    async fn get_host_cpu_stats(&self) -> DriverResult<HostCpuStats> {
        fetch!(self, GetHostCpuStats, get_host_cpu_stats, proto::NoArgs {})
    }

    async fn get_host_uptime(&self) -> DriverResult<Duration> {
        let answer = call!(self, GetHostUptime, get_host_uptime, proto::NoArgs {})?;
        duration_from_wire("uptime", Some(answer))
            .map_err(|m| self.site(M::GetHostUptime).malformed_answer(&m))
    }

    async fn host_power_action(
        &self,
        host: &str,
        action: HostPowerAction,
    ) -> DriverResult<HostPowerAction> {
        let message = proto::HostPowerActionRequest {
            host: host.to_owned(),
            action: action.to_wire(),
        };
        let answer = call!(self, HostPowerAction, host_power_action, message)?;
        HostPowerAction::from_wire(answer.action)
            .map_err(|m| self.site(M::HostPowerAction).malformed_answer(&m))
    }

    async fn host_maintenance_mode(&self, host: &str, mode: bool) -> DriverResult<MaintenanceMode> {
        let message = proto::HostMaintenanceModeRequest {
            host: host.to_owned(),
            mode,
        };
        let answer = call!(self, HostMaintenanceMode, host_maintenance_mode, message)?;
        Ok(if answer.on_maintenance {
            MaintenanceMode::OnMaintenance
        } else {
            MaintenanceMode::OffMaintenance
        })
    }

    async fn set_host_enabled(&self, host: &str, enabled: bool) -> DriverResult<HostStatus> {
        let message = proto::SetHostEnabledRequest {
            host: host.to_owned(),
            enabled,
        };
        let answer = call!(self, SetHostEnabled, set_host_enabled, message)?;
        Ok(if answer.enabled {
            HostStatus::Enabled
        } else {
            HostStatus::Disabled
        })
    }

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
    ) -> DriverResult<()> {
        let message = proto::SpawnRequest {
            context: ctx(context),
            instance: i(instance),
            image_meta: Some(image_meta.to_wire()),
            injected_files: write_all(injected_files),
            admin_password: admin_password.map(|p| p.expose().to_owned()),
            network_info: nw(network_info),
            block_device_info: bdi(block_device_info),
            power_on,
        };
        ack!(self, Spawn, spawn, message)
    }

    async fn destroy(
        &self,
        instance: &Instance,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
        destroy_disks: bool,
    ) -> DriverResult<()> {
        let message = proto::DestroyRequest {
            instance: i(instance),
            network_info: nw(network_info),
            block_device_info: bdi(block_device_info),
            destroy_disks,
        };
        ack!(self, Destroy, destroy, message)
    }

    async fn get_info(&self, instance: &Instance) -> DriverResult<InstanceInfo> {
        fetch!(self, GetInfo, get_info, instance_request(instance))
    }

    async fn list_instances(&self) -> DriverResult<Vec<String>> {
        Ok(call!(self, ListInstances, list_instances, proto::NoArgs {})?.names)
    }

    async fn list_instance_uuids(&self) -> DriverResult<Vec<Uuid>> {
        let answer = call!(
            self,
            ListInstanceUuids,
            list_instance_uuids,
            proto::NoArgs {}
        )?;
        answer
            .uuids
            .iter()
            .map(|text| crate::wire::uuid("uuids", text))
            .collect::<Result<_, _>>()
            .map_err(|m| self.site(M::ListInstanceUuids).malformed_answer(&m))
    }

    async fn get_num_instances(&self) -> DriverResult<usize> {
        let answer = call!(self, GetNumInstances, get_num_instances, proto::NoArgs {})?;
        usize::try_from(answer.count).map_err(|_| {
            self.site(M::GetNumInstances)
                .malformed_answer(&Malformed::new("count", "beyond usize"))
        })
    }

    async fn instance_exists(&self, instance: &Instance) -> DriverResult<bool> {
        Ok(call!(
            self,
            InstanceExists,
            instance_exists,
            instance_request(instance)
        )?
        .value)
    }

    async fn reboot(
        &self,
        context: &RequestContext,
        instance: &Instance,
        network_info: &[Vif],
        reboot_type: RebootType,
        block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        let message = proto::RebootRequest {
            context: ctx(context),
            instance: i(instance),
            network_info: nw(network_info),
            reboot_type: reboot_type.to_wire(),
            block_device_info: bdi(block_device_info),
        };
        ack!(self, Reboot, reboot, message)
    }

    async fn poll_rebooting_instances(
        &self,
        timeout: Duration,
        instances: &[Instance],
    ) -> DriverResult<()> {
        let message = proto::PollRebootingInstancesRequest {
            timeout: Some(duration_to_wire(timeout)),
            instances: write_all(instances),
        };
        ack!(
            self,
            PollRebootingInstances,
            poll_rebooting_instances,
            message
        )
    }

    async fn power_off(&self, instance: &Instance, timeout: Duration) -> DriverResult<()> {
        let message = proto::PowerOffRequest {
            instance: i(instance),
            timeout: Some(duration_to_wire(timeout)),
        };
        ack!(self, PowerOff, power_off, message)
    }

    async fn power_on(
        &self,
        context: &RequestContext,
        instance: &Instance,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        let message = network_block_request(context, instance, network_info, block_device_info);
        ack!(self, PowerOn, power_on, message)
    }

    async fn pause(&self, instance: &Instance) -> DriverResult<()> {
        ack!(self, Pause, pause, instance_request(instance))
    }

    async fn unpause(&self, instance: &Instance) -> DriverResult<()> {
        ack!(self, Unpause, unpause, instance_request(instance))
    }

    async fn suspend(&self, instance: &Instance) -> DriverResult<()> {
        ack!(self, Suspend, suspend, instance_request(instance))
    }

    async fn resume(
        &self,
        instance: &Instance,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        let context = RequestContext::admin();
        let message = network_block_request(&context, instance, network_info, block_device_info);
        ack!(self, Resume, resume, message)
    }

    async fn rescue(
        &self,
        context: &RequestContext,
        instance: &Instance,
        network_info: &[Vif],
        image_meta: &ImageMeta,
        rescue_password: Secret,
    ) -> DriverResult<()> {
        let message = proto::RescueRequest {
            context: ctx(context),
            instance: i(instance),
            network_info: nw(network_info),
            image_meta: Some(image_meta.to_wire()),
            rescue_password: rescue_password.expose().to_owned(),
        };
        ack!(self, Rescue, rescue, message)
    }

    async fn unrescue(&self, instance: &Instance, network_info: &[Vif]) -> DriverResult<()> {
        ack!(
            self,
            Unrescue,
            unrescue,
            network_request(instance, network_info)
        )
    }

    async fn soft_delete(&self, instance: &Instance) -> DriverResult<()> {
        ack!(self, SoftDelete, soft_delete, instance_request(instance))
    }

    async fn restore(&self, instance: &Instance) -> DriverResult<()> {
        ack!(self, Restore, restore, instance_request(instance))
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

    async fn set_admin_password(&self, instance: &Instance, new_pass: Secret) -> DriverResult<()> {
        let message = proto::SetAdminPasswordRequest {
            instance: i(instance),
            new_pass: new_pass.expose().to_owned(),
        };
        ack!(self, SetAdminPassword, set_admin_password, message)
    }

    async fn inject_file(
        &self,
        instance: &Instance,
        b64_path: &str,
        b64_contents: &str,
    ) -> DriverResult<()> {
        let message = proto::InjectFileRequest {
            instance: i(instance),
            b64_path: b64_path.to_owned(),
            b64_contents: b64_contents.to_owned(),
        };
        ack!(self, InjectFile, inject_file, message)
    }

    async fn resume_state_on_host_boot(
        &self,
        context: &RequestContext,
        instance: &Instance,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        let message = network_block_request(context, instance, network_info, block_device_info);
        ack!(
            self,
            ResumeStateOnHostBoot,
            resume_state_on_host_boot,
            message
        )
    }

    async fn trigger_crash_dump(&self, instance: &Instance) -> DriverResult<()> {
        ack!(
            self,
            TriggerCrashDump,
            trigger_crash_dump,
            instance_request(instance)
        )
    }

    async fn instance_on_disk(&self, instance: &Instance) -> DriverResult<bool> {
        Ok(call!(
            self,
            InstanceOnDisk,
            instance_on_disk,
            instance_request(instance)
        )?
        .value)
    }

    async fn block_stats(&self, instance_name: &str, disk_id: &str) -> DriverResult<BlockStats> {
        let message = proto::BlockStatsRequest {
            instance_name: instance_name.to_owned(),
            disk_id: disk_id.to_owned(),
        };
        fetch!(self, BlockStats, block_stats, message)
    }

    async fn interface_stats(
        &self,
        instance_name: &str,
        iface_id: &str,
    ) -> DriverResult<InterfaceStats> {
        let message = proto::InterfaceStatsRequest {
            instance_name: instance_name.to_owned(),
            iface_id: iface_id.to_owned(),
        };
        fetch!(self, InterfaceStats, interface_stats, message)
    }

    async fn get_diagnostics(&self, instance_name: &str) -> DriverResult<Diagnostics> {
        let message = proto::InstanceNameRequest {
            instance_name: instance_name.to_owned(),
        };
        fetch!(self, GetDiagnostics, get_diagnostics, message)
    }

    async fn get_instance_disk_info(&self, instance_name: &str) -> DriverResult<DiskInfo> {
        let message = proto::InstanceNameRequest {
            instance_name: instance_name.to_owned(),
        };
        fetch!(self, GetInstanceDiskInfo, get_instance_disk_info, message)
    }

    async fn get_all_bw_counters(
        &self,
        instances: &[Instance],
    ) -> DriverResult<Vec<BandwidthCounter>> {
        let message = proto::InstancesRequest {
            instances: write_all(instances),
        };
        let answer = call!(self, GetAllBwCounters, get_all_bw_counters, message)?;
        list(answer.counters).map_err(|m| self.site(M::GetAllBwCounters).malformed_answer(&m))
    }

    async fn get_all_volume_usage(
        &self,
        context: &RequestContext,
        instances: &[Instance],
        start_time: SystemTime,
        stop_time: Option<SystemTime>,
    ) -> DriverResult<Vec<VolumeUsage>> {
        let message = proto::GetAllVolumeUsageRequest {
            context: ctx(context),
            instances: write_all(instances),
            start_time: Some(time_to_wire(start_time)),
            stop_time: stop_time.map(time_to_wire),
        };
        let answer = call!(self, GetAllVolumeUsage, get_all_volume_usage, message)?;
        list(answer.usages).map_err(|m| self.site(M::GetAllVolumeUsage).malformed_answer(&m))
    }

    async fn get_console_output(&self, instance: &Instance) -> DriverResult<String> {
        Ok(call!(
            self,
            GetConsoleOutput,
            get_console_output,
            instance_request(instance)
        )?
        .output)
    }

    async fn get_console_pool_info(
        &self,
        console_type: ConsoleType,
    ) -> DriverResult<ConsolePoolInfo> {
        let message = proto::ConsolePoolInfoRequest {
            console_type: console_type.to_wire(),
        };
        fetch!(self, GetConsolePoolInfo, get_console_pool_info, message)
    }

    async fn get_vnc_console(&self, instance: &Instance) -> DriverResult<VncConsole> {
        fetch!(
            self,
            GetVncConsole,
            get_vnc_console,
            instance_request(instance)
        )
    }

    async fn get_spice_console(&self, instance: &Instance) -> DriverResult<SpiceConsole> {
        fetch!(
            self,
            GetSpiceConsole,
            get_spice_console,
            instance_request(instance)
        )
    }

    async fn get_serial_console(&self, instance: &Instance) -> DriverResult<SerialConsole> {
        fetch!(
            self,
            GetSerialConsole,
            get_serial_console,
            instance_request(instance)
        )
    }

    async fn attach_volume(
        &self,
        connection_info: &ConnectionInfo,
        instance: &Instance,
        mountpoint: &str,
    ) -> DriverResult<()> {
        let message = proto::VolumeRequest {
            connection_info: Some(connection_info.to_wire()),
            instance: i(instance),
            mountpoint: mountpoint.to_owned(),
        };
        ack!(self, AttachVolume, attach_volume, message)
    }

    async fn detach_volume(
        &self,
        connection_info: &ConnectionInfo,
        instance: &Instance,
        mountpoint: &str,
    ) -> DriverResult<()> {
        let message = proto::VolumeRequest {
            connection_info: Some(connection_info.to_wire()),
            instance: i(instance),
            mountpoint: mountpoint.to_owned(),
        };
        ack!(self, DetachVolume, detach_volume, message)
    }

    async fn swap_volume(
        &self,
        old_connection_info: &ConnectionInfo,
        new_connection_info: &ConnectionInfo,
        instance: &Instance,
        mountpoint: &str,
        resize_to_gb: u64,
    ) -> DriverResult<()> {
        let message = proto::SwapVolumeRequest {
            old_connection_info: Some(old_connection_info.to_wire()),
            new_connection_info: Some(new_connection_info.to_wire()),
            instance: i(instance),
            mountpoint: mountpoint.to_owned(),
            resize_to_gb,
        };
        ack!(self, SwapVolume, swap_volume, message)
    }

    async fn get_volume_connector(&self, instance: &Instance) -> DriverResult<VolumeConnector> {
        fetch!(
            self,
            GetVolumeConnector,
            get_volume_connector,
            instance_request(instance)
        )
    }

    async fn attach_interface(
        &self,
        instance: &Instance,
        image_meta: &ImageMeta,
        vif: &Vif,
    ) -> DriverResult<()> {
        let message = proto::AttachInterfaceRequest {
            instance: i(instance),
            image_meta: Some(image_meta.to_wire()),
            vif: Some(vif.to_wire()),
        };
        ack!(self, AttachInterface, attach_interface, message)
    }

    async fn detach_interface(&self, instance: &Instance, vif: &Vif) -> DriverResult<()> {
        let message = proto::DetachInterfaceRequest {
            instance: i(instance),
            vif: Some(vif.to_wire()),
        };
        ack!(self, DetachInterface, detach_interface, message)
    }

    async fn plug_vifs(&self, instance: &Instance, network_info: &[Vif]) -> DriverResult<()> {
        ack!(
            self,
            PlugVifs,
            plug_vifs,
            network_request(instance, network_info)
        )
    }

    async fn unplug_vifs(&self, instance: &Instance, network_info: &[Vif]) -> DriverResult<()> {
        ack!(
            self,
            UnplugVifs,
            unplug_vifs,
            network_request(instance, network_info)
        )
    }

    async fn ensure_filtering_rules_for_instance(
        &self,
        instance: &Instance,
        network_info: &[Vif],
    ) -> DriverResult<()> {
        let message = network_request(instance, network_info);
        ack!(
            self,
            EnsureFilteringRulesForInstance,
            ensure_filtering_rules_for_instance,
            message
        )
    }

    async fn refresh_instance_security_rules(&self, instance: &Instance) -> DriverResult<()> {
        ack!(
            self,
            RefreshInstanceSecurityRules,
            refresh_instance_security_rules,
            instance_request(instance)
        )
    }

    async fn refresh_provider_fw_rules(&self) -> DriverResult<()> {
        ack!(
            self,
            RefreshProviderFwRules,
            refresh_provider_fw_rules,
            proto::NoArgs {}
        )
    }

    async fn refresh_security_group_members(&self, security_group_id: i64) -> DriverResult<()> {
        let message = proto::SecurityGroupRequest { security_group_id };
        ack!(
            self,
            RefreshSecurityGroupMembers,
            refresh_security_group_members,
            message
        )
    }

    async fn refresh_security_group_rules(&self, security_group_id: i64) -> DriverResult<()> {
        let message = proto::SecurityGroupRequest { security_group_id };
        ack!(
            self,
            RefreshSecurityGroupRules,
            refresh_security_group_rules,
            message
        )
    }

    async fn unfilter_instance(
        &self,
        instance: &Instance,
        network_info: &[Vif],
    ) -> DriverResult<()> {
        ack!(
            self,
            UnfilterInstance,
            unfilter_instance,
            network_request(instance, network_info)
        )
    }

    async fn check_can_live_migrate_destination(
        &self,
        context: &RequestContext,
        instance: &Instance,
        src_compute_info: &NodeResources,
        dst_compute_info: &NodeResources,
        block_migration: bool,
        disk_over_commit: bool,
    ) -> DriverResult<LiveMigrateData> {
        let message = proto::CheckCanLiveMigrateDestinationRequest {
            context: ctx(context),
            instance: i(instance),
            src_compute_info: Some(src_compute_info.to_wire()),
            dst_compute_info: Some(dst_compute_info.to_wire()),
            block_migration,
            disk_over_commit,
        };
        fetch!(
            self,
            CheckCanLiveMigrateDestination,
            check_can_live_migrate_destination,
            message
        )
    }

    async fn check_can_live_migrate_destination_cleanup(
        &self,
        context: &RequestContext,
        dest_check_data: &LiveMigrateData,
    ) -> DriverResult<()> {
        let message = proto::CheckCanLiveMigrateDestinationCleanupRequest {
            context: ctx(context),
            dest_check_data: Some(dest_check_data.to_wire()),
        };
        ack!(
            self,
            CheckCanLiveMigrateDestinationCleanup,
            check_can_live_migrate_destination_cleanup,
            message
        )
    }

    async fn check_can_live_migrate_source(
        &self,
        context: &RequestContext,
        instance: &Instance,
        dest_check_data: &LiveMigrateData,
    ) -> DriverResult<LiveMigrateData> {
        let message = proto::CheckCanLiveMigrateSourceRequest {
            context: ctx(context),
            instance: i(instance),
            dest_check_data: Some(dest_check_data.to_wire()),
        };
        fetch!(
            self,
            CheckCanLiveMigrateSource,
            check_can_live_migrate_source,
            message
        )
    }

    async fn pre_live_migration(
        &self,
        context: &RequestContext,
        instance: &Instance,
        block_device_info: &BlockDeviceInfo,
        network_info: &[Vif],
        migrate_data: &LiveMigrateData,
    ) -> DriverResult<LiveMigrateData> {
        let message = proto::PreLiveMigrationRequest {
            context: ctx(context),
            instance: i(instance),
            block_device_info: bdi(block_device_info),
            network_info: nw(network_info),
            migrate_data: Some(migrate_data.to_wire()),
        };
        fetch!(self, PreLiveMigration, pre_live_migration, message)
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

    async fn post_live_migration_at_destination(
        &self,
        context: &RequestContext,
        instance: &Instance,
        network_info: &[Vif],
        block_migration: bool,
        block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        let message = proto::PostLiveMigrationAtDestinationRequest {
            context: ctx(context),
            instance: i(instance),
            network_info: nw(network_info),
            block_migration,
            block_device_info: bdi(block_device_info),
        };
        ack!(
            self,
            PostLiveMigrationAtDestination,
            post_live_migration_at_destination,
            message
        )
    }

    async fn rollback_live_migration_at_destination(
        &self,
        context: &RequestContext,
        instance: &Instance,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
        destroy_disks: bool,
    ) -> DriverResult<()> {
        let message = proto::RollbackLiveMigrationAtDestinationRequest {
            context: ctx(context),
            instance: i(instance),
            network_info: nw(network_info),
            block_device_info: bdi(block_device_info),
            destroy_disks,
        };
        ack!(
            self,
            RollbackLiveMigrationAtDestination,
            rollback_live_migration_at_destination,
            message
        )
    }

    async fn live_migration_force_complete(&self, instance: &Instance) -> DriverResult<()> {
        ack!(
            self,
            LiveMigrationForceComplete,
            live_migration_force_complete,
            instance_request(instance)
        )
    }

    async fn live_migration_abort(&self, instance: &Instance) -> DriverResult<()> {
        ack!(
            self,
            LiveMigrationAbort,
            live_migration_abort,
            instance_request(instance)
        )
    }

    async fn migrate_disk_and_power_off(
        &self,
        context: &RequestContext,
        instance: &Instance,
        dest: &str,
        flavor: &Flavor,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<DiskInfo> {
        let message = proto::MigrateDiskAndPowerOffRequest {
            context: ctx(context),
            instance: i(instance),
            dest: dest.to_owned(),
            flavor: Some(flavor.to_wire()),
            network_info: nw(network_info),
            block_device_info: bdi(block_device_info),
        };
        fetch!(
            self,
            MigrateDiskAndPowerOff,
            migrate_disk_and_power_off,
            message
        )
    }

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
        let message = proto::FinishMigrationRequest {
            context: ctx(context),
            migration: Some(migration.to_wire()),
            instance: i(instance),
            disk_info: Some(disk_info.to_wire()),
            network_info: nw(network_info),
            image_meta: Some(image_meta.to_wire()),
            resize_instance,
            block_device_info: bdi(block_device_info),
            power_on,
        };
        ack!(self, FinishMigration, finish_migration, message)
    }

    async fn confirm_migration(
        &self,
        migration: &Migration,
        instance: &Instance,
        network_info: &[Vif],
    ) -> DriverResult<()> {
        let message = proto::ConfirmMigrationRequest {
            migration: Some(migration.to_wire()),
            instance: i(instance),
            network_info: nw(network_info),
        };
        ack!(self, ConfirmMigration, confirm_migration, message)
    }

    async fn finish_revert_migration(
        &self,
        instance: &Instance,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
        power_on: bool,
    ) -> DriverResult<()> {
        let message = proto::FinishRevertMigrationRequest {
            instance: i(instance),
            network_info: nw(network_info),
            block_device_info: bdi(block_device_info),
            power_on,
        };
        ack!(
            self,
            FinishRevertMigration,
            finish_revert_migration,
            message
        )
    }
}
