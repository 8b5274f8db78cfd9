//! The forwarding wrapper of the model mutants: every method goes to the
//! inner fake, except where the wrapper's one [`Break`] breaks a rule.
//! Generated from driver-api's own forwarding impl, then edited at the
//! broken methods.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use driver_api::*;
use uuid::Uuid;

use super::{Break, Broken};

#[async_trait]
impl ComputeDriver for Broken {
    fn driver_name(&self) -> &'static str {
        self.inner.driver_name()
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }

    fn register_event_listener(&self, listener: Option<EventListener>) {
        self.inner.register_event_listener(listener)
    }

    fn emit_event(&self, event: LifecycleEvent) {
        self.inner.emit_event(event)
    }

    fn legacy_nwinfo(&self) -> bool {
        self.inner.legacy_nwinfo()
    }

    async fn init_host(&self, host: &str) -> DriverResult<()> {
        self.inner.init_host(host).await
    }

    async fn get_available_nodes(&self, refresh: bool) -> DriverResult<Vec<String>> {
        self.inner.get_available_nodes(refresh).await
    }

    async fn get_available_resource(&self, nodename: &str) -> DriverResult<NodeResources> {
        self.inner.get_available_resource(nodename).await
    }

    async fn get_disk_available_least(&self) -> DriverResult<i64> {
        self.inner.get_disk_available_least().await
    }

    async fn get_host_ip_addr(&self) -> DriverResult<IpAddr> {
        self.inner.get_host_ip_addr().await
    }

    async fn get_host_stats(&self, refresh: bool) -> DriverResult<Vec<HostStats>> {
        self.inner.get_host_stats(refresh).await
    }

    async fn get_host_cpu_stats(&self) -> DriverResult<HostCpuStats> {
        self.inner.get_host_cpu_stats().await
    }

    async fn get_host_uptime(&self) -> DriverResult<Duration> {
        self.inner.get_host_uptime().await
    }

    async fn host_power_action(
        &self,
        host: &str,
        action: HostPowerAction,
    ) -> DriverResult<HostPowerAction> {
        self.inner.host_power_action(host, action).await
    }

    async fn host_maintenance_mode(&self, host: &str, mode: bool) -> DriverResult<MaintenanceMode> {
        self.inner.host_maintenance_mode(host, mode).await
    }

    async fn set_host_enabled(&self, host: &str, enabled: bool) -> DriverResult<HostStatus> {
        self.inner.set_host_enabled(host, enabled).await
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
        if self.is(Break::NameNotFreedOnDestroy) && self.was_destroyed_name(&instance.name) {
            return Err(DriverError::InstanceExists {
                instance: InstanceRef::Uuid(instance.uuid),
            });
        }
        self.shared_spawned(instance.uuid);
        self.inner
            .spawn(
                context,
                instance,
                image_meta,
                injected_files,
                admin_password,
                network_info,
                block_device_info,
                power_on,
            )
            .await
    }

    async fn destroy(
        &self,
        instance: &Instance,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
        destroy_disks: bool,
    ) -> DriverResult<()> {
        let known = self.inner.get_info(instance).await.is_ok();
        let result = self
            .inner
            .destroy(instance, network_info, block_device_info, destroy_disks)
            .await;
        if known && result.is_ok() {
            self.destroyed(&instance.name);
        }
        result
    }

    async fn get_info(&self, instance: &Instance) -> DriverResult<InstanceInfo> {
        let mut info = self.inner.get_info(instance).await?;
        if self.is(Break::GetInfoFiguresStale) {
            info.max_mem_kb = self.first_memory(instance.uuid, info.max_mem_kb);
        }
        Ok(info)
    }

    async fn list_instances(&self) -> DriverResult<Vec<String>> {
        self.inner.list_instances().await
    }

    async fn list_instance_uuids(&self) -> DriverResult<Vec<Uuid>> {
        self.inner.list_instance_uuids().await
    }

    async fn get_num_instances(&self) -> DriverResult<usize> {
        self.inner.get_num_instances().await
    }

    async fn instance_exists(&self, instance: &Instance) -> DriverResult<bool> {
        if self.is(Break::ExistsAcrossHosts) && self.shared_knows(instance.uuid) {
            return Ok(true);
        }
        self.inner.instance_exists(instance).await
    }

    async fn reboot(
        &self,
        context: &RequestContext,
        instance: &Instance,
        network_info: &[Vif],
        reboot_type: RebootType,
        block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        self.inner
            .reboot(
                context,
                instance,
                network_info,
                reboot_type,
                block_device_info,
            )
            .await
    }

    async fn poll_rebooting_instances(
        &self,
        timeout: Duration,
        instances: &[Instance],
    ) -> DriverResult<()> {
        self.inner
            .poll_rebooting_instances(timeout, instances)
            .await
    }

    async fn power_off(&self, instance: &Instance, timeout: Duration) -> DriverResult<()> {
        self.inner.power_off(instance, timeout).await
    }

    async fn power_on(
        &self,
        context: &RequestContext,
        instance: &Instance,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        self.inner
            .power_on(context, instance, network_info, block_device_info)
            .await
    }

    async fn pause(&self, instance: &Instance) -> DriverResult<()> {
        self.inner.pause(instance).await
    }

    async fn unpause(&self, instance: &Instance) -> DriverResult<()> {
        self.inner.unpause(instance).await
    }

    async fn suspend(&self, instance: &Instance) -> DriverResult<()> {
        self.inner.suspend(instance).await
    }

    async fn resume(
        &self,
        instance: &Instance,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        self.inner
            .resume(instance, network_info, block_device_info)
            .await
    }

    async fn rescue(
        &self,
        context: &RequestContext,
        instance: &Instance,
        network_info: &[Vif],
        image_meta: &ImageMeta,
        rescue_password: Secret,
    ) -> DriverResult<()> {
        self.inner
            .rescue(context, instance, network_info, image_meta, rescue_password)
            .await
    }

    async fn unrescue(&self, instance: &Instance, network_info: &[Vif]) -> DriverResult<()> {
        self.inner.unrescue(instance, network_info).await
    }

    async fn soft_delete(&self, instance: &Instance) -> DriverResult<()> {
        self.inner.soft_delete(instance).await
    }

    async fn restore(&self, instance: &Instance) -> DriverResult<()> {
        self.inner.restore(instance).await
    }

    async fn snapshot(
        &self,
        context: &RequestContext,
        instance: &Instance,
        image_id: &str,
        update_task_state: TaskStateCallback,
    ) -> DriverResult<()> {
        self.inner
            .snapshot(context, instance, image_id, update_task_state)
            .await
    }

    async fn set_admin_password(&self, instance: &Instance, new_pass: Secret) -> DriverResult<()> {
        if self.is(Break::PasswordWhilePaused)
            && self.state_of(instance).await == Some(PowerState::Paused)
        {
            return Ok(());
        }
        self.inner.set_admin_password(instance, new_pass).await
    }

    async fn inject_file(
        &self,
        instance: &Instance,
        b64_path: &str,
        b64_contents: &str,
    ) -> DriverResult<()> {
        self.inner
            .inject_file(instance, b64_path, b64_contents)
            .await
    }

    async fn resume_state_on_host_boot(
        &self,
        context: &RequestContext,
        instance: &Instance,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        if self.is(Break::HostBootUnpauses)
            && self.state_of(instance).await == Some(PowerState::Paused)
        {
            return self.inner.unpause(instance).await;
        }
        if self.is(Break::HostBootLeavesStopped)
            && self.state_of(instance).await == Some(PowerState::Shutdown)
        {
            return Ok(());
        }
        self.inner
            .resume_state_on_host_boot(context, instance, network_info, block_device_info)
            .await
    }

    async fn trigger_crash_dump(&self, instance: &Instance) -> DriverResult<()> {
        if self.is(Break::CrashDumpWhileSuspended)
            && self.state_of(instance).await == Some(PowerState::Suspended)
        {
            return Ok(());
        }
        self.inner.trigger_crash_dump(instance).await
    }

    async fn instance_on_disk(&self, instance: &Instance) -> DriverResult<bool> {
        self.inner.instance_on_disk(instance).await
    }

    async fn block_stats(&self, instance_name: &str, disk_id: &str) -> DriverResult<BlockStats> {
        self.inner.block_stats(instance_name, disk_id).await
    }

    async fn interface_stats(
        &self,
        instance_name: &str,
        iface_id: &str,
    ) -> DriverResult<InterfaceStats> {
        self.inner.interface_stats(instance_name, iface_id).await
    }

    async fn get_diagnostics(&self, instance_name: &str) -> DriverResult<Diagnostics> {
        let answer = self.inner.get_diagnostics(instance_name).await;
        if self.is(Break::DiagnosticsAfterDestroy)
            && answer.is_err()
            && self.was_destroyed_name(instance_name)
        {
            return Ok(Diagnostics::new(PowerState::Shutdown, "broken"));
        }
        answer
    }

    async fn get_instance_disk_info(&self, instance_name: &str) -> DriverResult<DiskInfo> {
        self.inner.get_instance_disk_info(instance_name).await
    }

    async fn get_all_bw_counters(
        &self,
        instances: &[Instance],
    ) -> DriverResult<Vec<BandwidthCounter>> {
        let mut counters = self.inner.get_all_bw_counters(instances).await?;
        if self.is(Break::CounterOutlivesInterface) {
            for (uuid, mac) in self.detached_vifs() {
                let Some(instance) = instances.iter().find(|i| i.uuid == uuid) else {
                    continue;
                };
                if self.inner.get_info(instance).await.is_ok() {
                    counters.push(BandwidthCounter::new(uuid, mac, 0, 0));
                }
            }
        }
        Ok(counters)
    }

    async fn get_all_volume_usage(
        &self,
        context: &RequestContext,
        instances: &[Instance],
        start_time: SystemTime,
        stop_time: Option<SystemTime>,
    ) -> DriverResult<Vec<VolumeUsage>> {
        self.inner
            .get_all_volume_usage(context, instances, start_time, stop_time)
            .await
    }

    async fn get_console_output(&self, instance: &Instance) -> DriverResult<String> {
        self.inner.get_console_output(instance).await
    }

    async fn get_console_pool_info(
        &self,
        console_type: ConsoleType,
    ) -> DriverResult<ConsolePoolInfo> {
        self.inner.get_console_pool_info(console_type).await
    }

    async fn get_vnc_console(&self, instance: &Instance) -> DriverResult<VncConsole> {
        self.inner.get_vnc_console(instance).await
    }

    async fn get_spice_console(&self, instance: &Instance) -> DriverResult<SpiceConsole> {
        self.inner.get_spice_console(instance).await
    }

    async fn get_serial_console(&self, instance: &Instance) -> DriverResult<SerialConsole> {
        self.inner.get_serial_console(instance).await
    }

    async fn attach_volume(
        &self,
        connection_info: &ConnectionInfo,
        instance: &Instance,
        mountpoint: &str,
    ) -> DriverResult<()> {
        let result = self
            .inner
            .attach_volume(connection_info, instance, mountpoint)
            .await;
        if self.is(Break::RefusedAttachDetaches)
            && matches!(&result, Err(e) if e.kind() == ErrorKind::DeviceBusy)
        {
            let _ = self
                .inner
                .detach_volume(connection_info, instance, mountpoint)
                .await;
        }
        result
    }

    async fn detach_volume(
        &self,
        connection_info: &ConnectionInfo,
        instance: &Instance,
        mountpoint: &str,
    ) -> DriverResult<()> {
        self.inner
            .detach_volume(connection_info, instance, mountpoint)
            .await
    }

    async fn swap_volume(
        &self,
        old_connection_info: &ConnectionInfo,
        new_connection_info: &ConnectionInfo,
        instance: &Instance,
        mountpoint: &str,
        resize_to_gb: u64,
    ) -> DriverResult<()> {
        self.inner
            .swap_volume(
                old_connection_info,
                new_connection_info,
                instance,
                mountpoint,
                resize_to_gb,
            )
            .await
    }

    async fn get_volume_connector(&self, instance: &Instance) -> DriverResult<VolumeConnector> {
        self.inner.get_volume_connector(instance).await
    }

    async fn attach_interface(
        &self,
        instance: &Instance,
        image_meta: &ImageMeta,
        vif: &Vif,
    ) -> DriverResult<()> {
        self.inner.attach_interface(instance, image_meta, vif).await
    }

    async fn detach_interface(&self, instance: &Instance, vif: &Vif) -> DriverResult<()> {
        let result = self.inner.detach_interface(instance, vif).await;
        if result.is_ok() {
            self.vif_detached(instance.uuid, &vif.address);
        }
        result
    }

    async fn plug_vifs(&self, instance: &Instance, network_info: &[Vif]) -> DriverResult<()> {
        self.inner.plug_vifs(instance, network_info).await
    }

    async fn unplug_vifs(&self, instance: &Instance, network_info: &[Vif]) -> DriverResult<()> {
        self.inner.unplug_vifs(instance, network_info).await
    }

    async fn ensure_filtering_rules_for_instance(
        &self,
        instance: &Instance,
        network_info: &[Vif],
    ) -> DriverResult<()> {
        self.inner
            .ensure_filtering_rules_for_instance(instance, network_info)
            .await
    }

    async fn refresh_instance_security_rules(&self, instance: &Instance) -> DriverResult<()> {
        self.inner.refresh_instance_security_rules(instance).await
    }

    async fn refresh_provider_fw_rules(&self) -> DriverResult<()> {
        self.inner.refresh_provider_fw_rules().await
    }

    async fn refresh_security_group_members(&self, security_group_id: i64) -> DriverResult<()> {
        self.inner
            .refresh_security_group_members(security_group_id)
            .await
    }

    async fn refresh_security_group_rules(&self, security_group_id: i64) -> DriverResult<()> {
        self.inner
            .refresh_security_group_rules(security_group_id)
            .await
    }

    async fn unfilter_instance(
        &self,
        instance: &Instance,
        network_info: &[Vif],
    ) -> DriverResult<()> {
        self.inner.unfilter_instance(instance, network_info).await
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
        self.inner
            .check_can_live_migrate_destination(
                context,
                instance,
                src_compute_info,
                dst_compute_info,
                block_migration,
                disk_over_commit,
            )
            .await
    }

    async fn check_can_live_migrate_destination_cleanup(
        &self,
        context: &RequestContext,
        dest_check_data: &LiveMigrateData,
    ) -> DriverResult<()> {
        self.inner
            .check_can_live_migrate_destination_cleanup(context, dest_check_data)
            .await
    }

    async fn check_can_live_migrate_source(
        &self,
        context: &RequestContext,
        instance: &Instance,
        dest_check_data: &LiveMigrateData,
    ) -> DriverResult<LiveMigrateData> {
        self.inner
            .check_can_live_migrate_source(context, instance, dest_check_data)
            .await
    }

    async fn pre_live_migration(
        &self,
        context: &RequestContext,
        instance: &Instance,
        block_device_info: &BlockDeviceInfo,
        network_info: &[Vif],
        migrate_data: &LiveMigrateData,
    ) -> DriverResult<LiveMigrateData> {
        self.inner
            .pre_live_migration(
                context,
                instance,
                block_device_info,
                network_info,
                migrate_data,
            )
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
        self.inner
            .live_migration(
                context,
                instance,
                dest,
                callbacks,
                block_migration,
                migrate_data,
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
        self.inner
            .post_live_migration_at_destination(
                context,
                instance,
                network_info,
                block_migration,
                block_device_info,
            )
            .await
    }

    async fn rollback_live_migration_at_destination(
        &self,
        context: &RequestContext,
        instance: &Instance,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
        destroy_disks: bool,
    ) -> DriverResult<()> {
        self.inner
            .rollback_live_migration_at_destination(
                context,
                instance,
                network_info,
                block_device_info,
                destroy_disks,
            )
            .await
    }

    async fn live_migration_force_complete(&self, instance: &Instance) -> DriverResult<()> {
        self.inner.live_migration_force_complete(instance).await
    }

    async fn live_migration_abort(&self, instance: &Instance) -> DriverResult<()> {
        self.inner.live_migration_abort(instance).await
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
        self.inner
            .migrate_disk_and_power_off(
                context,
                instance,
                dest,
                flavor,
                network_info,
                block_device_info,
            )
            .await
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
        let same_host = migration.source_compute == migration.dest_compute;
        if self.is(Break::SameHostResizeKeepsFlavor) && same_host {
            return Ok(());
        }
        let power_on = power_on || self.is(Break::FinishIgnoresPowerOff);
        self.inner
            .finish_migration(
                context,
                migration,
                instance,
                disk_info,
                network_info,
                image_meta,
                resize_instance,
                block_device_info,
                power_on,
            )
            .await
    }

    async fn confirm_migration(
        &self,
        migration: &Migration,
        instance: &Instance,
        network_info: &[Vif],
    ) -> DriverResult<()> {
        self.inner
            .confirm_migration(migration, instance, network_info)
            .await
    }

    async fn finish_revert_migration(
        &self,
        instance: &Instance,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
        power_on: bool,
    ) -> DriverResult<()> {
        self.inner
            .finish_revert_migration(instance, network_info, block_device_info, power_on)
            .await
    }
}
