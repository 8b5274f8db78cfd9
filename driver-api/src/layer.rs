//! Layers: a driver that wraps another and changes only some of its methods.
//!
//! A wrapper implements [`DriverLayer`]: it names its inner driver and
//! overrides the methods it changes; every other method forwards to the inner
//! driver by default, and the blanket impl makes every layer a
//! [`ComputeDriver`]. The blanket impl lists every method of the trait (a
//! lint keeps it so), so a new contract method cannot be forgotten: it is a
//! compile error here until it forwards, never a silent `NotSupported` in a
//! wrapper. `Arc<T>` and `Box<T>` are the simplest layers (they change
//! nothing). Anchor: OpenDAL's `LayeredAccess`.
//!
//! The trait lives in `driver_api::layer` only (not re-exported at the root):
//! its methods share the contract's names, so it is imported where a layer is
//! written, not by every user of `driver_api::*`.
//!
//! ```
//! use std::sync::Arc;
//! use driver_api::layer::DriverLayer;
//! use driver_api::{ComputeDriver, DriverResult, Instance};
//!
//! /// Counts pauses, changes nothing else.
//! #[derive(Debug)]
//! struct CountPauses<D> {
//!     inner: D,
//!     pauses: std::sync::atomic::AtomicU64,
//! }
//!
//! #[driver_api::async_trait]
//! impl<D: ComputeDriver> DriverLayer for CountPauses<D> {
//!     type Inner = D;
//!     fn inner(&self) -> &D {
//!         &self.inner
//!     }
//!     async fn pause(&self, instance: &Instance) -> DriverResult<()> {
//!         self.pauses.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
//!         self.inner.pause(instance).await
//!     }
//! }
//!
//! fn wrap(inner: impl ComputeDriver + 'static) -> Arc<dyn ComputeDriver> {
//!     Arc::new(CountPauses { inner, pauses: Default::default() })
//! }
//! ```

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use uuid::Uuid;

use crate::callbacks::{LiveMigrationCallbacks, TaskStateCallback};
use crate::capabilities::Capabilities;
use crate::driver::ComputeDriver;
use crate::error::DriverResult;
use crate::events::{EventListener, LifecycleEvent};
use crate::model::block_device::{BlockDeviceInfo, ConnectionInfo, VolumeConnector};
use crate::model::console::{
    ConsolePoolInfo, ConsoleType, SerialConsole, SpiceConsole, VncConsole,
};
use crate::model::context::RequestContext;
use crate::model::host::{HostPowerAction, HostStatus, MaintenanceMode};
use crate::model::instance::{Flavor, ImageMeta, InjectedFile, Instance};
use crate::model::migration::{DiskInfo, LiveMigrateData, Migration};
use crate::model::network::Vif;
use crate::model::resources::{HostCpuStats, HostStats, NodeResources};
use crate::model::stats::{
    BandwidthCounter, BlockStats, Diagnostics, InstanceInfo, InterfaceStats, VolumeUsage,
};
use crate::secret::Secret;
use crate::state::RebootType;

/// A driver wrapping [`Inner`](DriverLayer::Inner): every method forwards to
/// [`inner`](DriverLayer::inner) unless the layer overrides it. Every
/// `DriverLayer` is a [`ComputeDriver`] (blanket impl).
// The contract's own argument lists (Nova's), method for method.
#[allow(clippy::too_many_arguments)]
#[async_trait]
pub trait DriverLayer: Send + Sync + std::fmt::Debug + 'static {
    /// The wrapped driver's type.
    type Inner: ComputeDriver + ?Sized;

    /// The wrapped driver.
    fn inner(&self) -> &Self::Inner;

    /// Forwards [`ComputeDriver::driver_name`] to the inner driver.
    fn driver_name(&self) -> &'static str {
        self.inner().driver_name()
    }

    /// Forwards [`ComputeDriver::capabilities`] to the inner driver.
    fn capabilities(&self) -> Capabilities {
        self.inner().capabilities()
    }

    /// Forwards [`ComputeDriver::register_event_listener`] to the inner driver.
    fn register_event_listener(&self, listener: Option<EventListener>) {
        self.inner().register_event_listener(listener)
    }

    /// Forwards [`ComputeDriver::emit_event`] to the inner driver.
    fn emit_event(&self, event: LifecycleEvent) {
        self.inner().emit_event(event)
    }

    /// Forwards [`ComputeDriver::legacy_nwinfo`] to the inner driver.
    fn legacy_nwinfo(&self) -> bool {
        self.inner().legacy_nwinfo()
    }

    /// Forwards [`ComputeDriver::init_host`] to the inner driver.
    async fn init_host(&self, host: &str) -> DriverResult<()> {
        self.inner().init_host(host).await
    }

    /// Forwards [`ComputeDriver::get_available_nodes`] to the inner driver.
    async fn get_available_nodes(&self, refresh: bool) -> DriverResult<Vec<String>> {
        self.inner().get_available_nodes(refresh).await
    }

    /// Forwards [`ComputeDriver::get_available_resource`] to the inner driver.
    async fn get_available_resource(&self, nodename: &str) -> DriverResult<NodeResources> {
        self.inner().get_available_resource(nodename).await
    }

    /// Forwards [`ComputeDriver::get_disk_available_least`] to the inner driver.
    async fn get_disk_available_least(&self) -> DriverResult<i64> {
        self.inner().get_disk_available_least().await
    }

    /// Forwards [`ComputeDriver::get_host_ip_addr`] to the inner driver.
    async fn get_host_ip_addr(&self) -> DriverResult<IpAddr> {
        self.inner().get_host_ip_addr().await
    }

    /// Forwards [`ComputeDriver::get_host_stats`] to the inner driver.
    async fn get_host_stats(&self, refresh: bool) -> DriverResult<Vec<HostStats>> {
        self.inner().get_host_stats(refresh).await
    }

    /// Forwards [`ComputeDriver::get_host_cpu_stats`] to the inner driver.
    async fn get_host_cpu_stats(&self) -> DriverResult<HostCpuStats> {
        self.inner().get_host_cpu_stats().await
    }

    /// Forwards [`ComputeDriver::get_host_uptime`] to the inner driver.
    async fn get_host_uptime(&self) -> DriverResult<Duration> {
        self.inner().get_host_uptime().await
    }

    /// Forwards [`ComputeDriver::host_power_action`] to the inner driver.
    async fn host_power_action(
        &self,
        host: &str,
        action: HostPowerAction,
    ) -> DriverResult<HostPowerAction> {
        self.inner().host_power_action(host, action).await
    }

    /// Forwards [`ComputeDriver::host_maintenance_mode`] to the inner driver.
    async fn host_maintenance_mode(&self, host: &str, mode: bool) -> DriverResult<MaintenanceMode> {
        self.inner().host_maintenance_mode(host, mode).await
    }

    /// Forwards [`ComputeDriver::set_host_enabled`] to the inner driver.
    async fn set_host_enabled(&self, host: &str, enabled: bool) -> DriverResult<HostStatus> {
        self.inner().set_host_enabled(host, enabled).await
    }

    /// Forwards [`ComputeDriver::spawn`] to the inner driver.
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
        self.inner()
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

    /// Forwards [`ComputeDriver::destroy`] to the inner driver.
    async fn destroy(
        &self,
        instance: &Instance,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
        destroy_disks: bool,
    ) -> DriverResult<()> {
        self.inner()
            .destroy(instance, network_info, block_device_info, destroy_disks)
            .await
    }

    /// Forwards [`ComputeDriver::get_info`] to the inner driver.
    async fn get_info(&self, instance: &Instance) -> DriverResult<InstanceInfo> {
        self.inner().get_info(instance).await
    }

    /// Forwards [`ComputeDriver::list_instances`] to the inner driver.
    async fn list_instances(&self) -> DriverResult<Vec<String>> {
        self.inner().list_instances().await
    }

    /// Forwards [`ComputeDriver::list_instance_uuids`] to the inner driver.
    async fn list_instance_uuids(&self) -> DriverResult<Vec<Uuid>> {
        self.inner().list_instance_uuids().await
    }

    /// Forwards [`ComputeDriver::get_num_instances`] to the inner driver.
    async fn get_num_instances(&self) -> DriverResult<usize> {
        self.inner().get_num_instances().await
    }

    /// Forwards [`ComputeDriver::instance_exists`] to the inner driver.
    async fn instance_exists(&self, instance: &Instance) -> DriverResult<bool> {
        self.inner().instance_exists(instance).await
    }

    /// Forwards [`ComputeDriver::reboot`] to the inner driver.
    async fn reboot(
        &self,
        context: &RequestContext,
        instance: &Instance,
        network_info: &[Vif],
        reboot_type: RebootType,
        block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        self.inner()
            .reboot(
                context,
                instance,
                network_info,
                reboot_type,
                block_device_info,
            )
            .await
    }

    /// Forwards [`ComputeDriver::poll_rebooting_instances`] to the inner driver.
    async fn poll_rebooting_instances(
        &self,
        timeout: Duration,
        instances: &[Instance],
    ) -> DriverResult<()> {
        self.inner()
            .poll_rebooting_instances(timeout, instances)
            .await
    }

    /// Forwards [`ComputeDriver::power_off`] to the inner driver.
    async fn power_off(&self, instance: &Instance, timeout: Duration) -> DriverResult<()> {
        self.inner().power_off(instance, timeout).await
    }

    /// Forwards [`ComputeDriver::power_on`] to the inner driver.
    async fn power_on(
        &self,
        context: &RequestContext,
        instance: &Instance,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        self.inner()
            .power_on(context, instance, network_info, block_device_info)
            .await
    }

    /// Forwards [`ComputeDriver::pause`] to the inner driver.
    async fn pause(&self, instance: &Instance) -> DriverResult<()> {
        self.inner().pause(instance).await
    }

    /// Forwards [`ComputeDriver::unpause`] to the inner driver.
    async fn unpause(&self, instance: &Instance) -> DriverResult<()> {
        self.inner().unpause(instance).await
    }

    /// Forwards [`ComputeDriver::suspend`] to the inner driver.
    async fn suspend(&self, instance: &Instance) -> DriverResult<()> {
        self.inner().suspend(instance).await
    }

    /// Forwards [`ComputeDriver::resume`] to the inner driver.
    async fn resume(
        &self,
        instance: &Instance,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        self.inner()
            .resume(instance, network_info, block_device_info)
            .await
    }

    /// Forwards [`ComputeDriver::rescue`] to the inner driver.
    async fn rescue(
        &self,
        context: &RequestContext,
        instance: &Instance,
        network_info: &[Vif],
        image_meta: &ImageMeta,
        rescue_password: Secret,
    ) -> DriverResult<()> {
        self.inner()
            .rescue(context, instance, network_info, image_meta, rescue_password)
            .await
    }

    /// Forwards [`ComputeDriver::unrescue`] to the inner driver.
    async fn unrescue(&self, instance: &Instance, network_info: &[Vif]) -> DriverResult<()> {
        self.inner().unrescue(instance, network_info).await
    }

    /// Forwards [`ComputeDriver::soft_delete`] to the inner driver.
    async fn soft_delete(&self, instance: &Instance) -> DriverResult<()> {
        self.inner().soft_delete(instance).await
    }

    /// Forwards [`ComputeDriver::restore`] to the inner driver.
    async fn restore(&self, instance: &Instance) -> DriverResult<()> {
        self.inner().restore(instance).await
    }

    /// Forwards [`ComputeDriver::snapshot`] to the inner driver.
    async fn snapshot(
        &self,
        context: &RequestContext,
        instance: &Instance,
        image_id: &str,
        update_task_state: TaskStateCallback,
    ) -> DriverResult<()> {
        self.inner()
            .snapshot(context, instance, image_id, update_task_state)
            .await
    }

    /// Forwards [`ComputeDriver::set_admin_password`] to the inner driver.
    async fn set_admin_password(&self, instance: &Instance, new_pass: Secret) -> DriverResult<()> {
        self.inner().set_admin_password(instance, new_pass).await
    }

    /// Forwards [`ComputeDriver::inject_file`] to the inner driver.
    async fn inject_file(
        &self,
        instance: &Instance,
        b64_path: &str,
        b64_contents: &str,
    ) -> DriverResult<()> {
        self.inner()
            .inject_file(instance, b64_path, b64_contents)
            .await
    }

    /// Forwards [`ComputeDriver::resume_state_on_host_boot`] to the inner driver.
    async fn resume_state_on_host_boot(
        &self,
        context: &RequestContext,
        instance: &Instance,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        self.inner()
            .resume_state_on_host_boot(context, instance, network_info, block_device_info)
            .await
    }

    /// Forwards [`ComputeDriver::trigger_crash_dump`] to the inner driver.
    async fn trigger_crash_dump(&self, instance: &Instance) -> DriverResult<()> {
        self.inner().trigger_crash_dump(instance).await
    }

    /// Forwards [`ComputeDriver::instance_on_disk`] to the inner driver.
    async fn instance_on_disk(&self, instance: &Instance) -> DriverResult<bool> {
        self.inner().instance_on_disk(instance).await
    }

    /// Forwards [`ComputeDriver::block_stats`] to the inner driver.
    async fn block_stats(&self, instance_name: &str, disk_id: &str) -> DriverResult<BlockStats> {
        self.inner().block_stats(instance_name, disk_id).await
    }

    /// Forwards [`ComputeDriver::interface_stats`] to the inner driver.
    async fn interface_stats(
        &self,
        instance_name: &str,
        iface_id: &str,
    ) -> DriverResult<InterfaceStats> {
        self.inner().interface_stats(instance_name, iface_id).await
    }

    /// Forwards [`ComputeDriver::get_diagnostics`] to the inner driver.
    async fn get_diagnostics(&self, instance_name: &str) -> DriverResult<Diagnostics> {
        self.inner().get_diagnostics(instance_name).await
    }

    /// Forwards [`ComputeDriver::get_instance_disk_info`] to the inner driver.
    async fn get_instance_disk_info(&self, instance_name: &str) -> DriverResult<DiskInfo> {
        self.inner().get_instance_disk_info(instance_name).await
    }

    /// Forwards [`ComputeDriver::get_all_bw_counters`] to the inner driver.
    async fn get_all_bw_counters(
        &self,
        instances: &[Instance],
    ) -> DriverResult<Vec<BandwidthCounter>> {
        self.inner().get_all_bw_counters(instances).await
    }

    /// Forwards [`ComputeDriver::get_all_volume_usage`] to the inner driver.
    async fn get_all_volume_usage(
        &self,
        context: &RequestContext,
        instances: &[Instance],
        start_time: SystemTime,
        stop_time: Option<SystemTime>,
    ) -> DriverResult<Vec<VolumeUsage>> {
        self.inner()
            .get_all_volume_usage(context, instances, start_time, stop_time)
            .await
    }

    /// Forwards [`ComputeDriver::get_console_output`] to the inner driver.
    async fn get_console_output(&self, instance: &Instance) -> DriverResult<String> {
        self.inner().get_console_output(instance).await
    }

    /// Forwards [`ComputeDriver::get_console_pool_info`] to the inner driver.
    async fn get_console_pool_info(
        &self,
        console_type: ConsoleType,
    ) -> DriverResult<ConsolePoolInfo> {
        self.inner().get_console_pool_info(console_type).await
    }

    /// Forwards [`ComputeDriver::get_vnc_console`] to the inner driver.
    async fn get_vnc_console(&self, instance: &Instance) -> DriverResult<VncConsole> {
        self.inner().get_vnc_console(instance).await
    }

    /// Forwards [`ComputeDriver::get_spice_console`] to the inner driver.
    async fn get_spice_console(&self, instance: &Instance) -> DriverResult<SpiceConsole> {
        self.inner().get_spice_console(instance).await
    }

    /// Forwards [`ComputeDriver::get_serial_console`] to the inner driver.
    async fn get_serial_console(&self, instance: &Instance) -> DriverResult<SerialConsole> {
        self.inner().get_serial_console(instance).await
    }

    /// Forwards [`ComputeDriver::attach_volume`] to the inner driver.
    async fn attach_volume(
        &self,
        connection_info: &ConnectionInfo,
        instance: &Instance,
        mountpoint: &str,
    ) -> DriverResult<()> {
        self.inner()
            .attach_volume(connection_info, instance, mountpoint)
            .await
    }

    /// Forwards [`ComputeDriver::detach_volume`] to the inner driver.
    async fn detach_volume(
        &self,
        connection_info: &ConnectionInfo,
        instance: &Instance,
        mountpoint: &str,
    ) -> DriverResult<()> {
        self.inner()
            .detach_volume(connection_info, instance, mountpoint)
            .await
    }

    /// Forwards [`ComputeDriver::swap_volume`] to the inner driver.
    async fn swap_volume(
        &self,
        old_connection_info: &ConnectionInfo,
        new_connection_info: &ConnectionInfo,
        instance: &Instance,
        mountpoint: &str,
        resize_to_gb: u64,
    ) -> DriverResult<()> {
        self.inner()
            .swap_volume(
                old_connection_info,
                new_connection_info,
                instance,
                mountpoint,
                resize_to_gb,
            )
            .await
    }

    /// Forwards [`ComputeDriver::get_volume_connector`] to the inner driver.
    async fn get_volume_connector(&self, instance: &Instance) -> DriverResult<VolumeConnector> {
        self.inner().get_volume_connector(instance).await
    }

    /// Forwards [`ComputeDriver::attach_interface`] to the inner driver.
    async fn attach_interface(
        &self,
        instance: &Instance,
        image_meta: &ImageMeta,
        vif: &Vif,
    ) -> DriverResult<()> {
        self.inner()
            .attach_interface(instance, image_meta, vif)
            .await
    }

    /// Forwards [`ComputeDriver::detach_interface`] to the inner driver.
    async fn detach_interface(&self, instance: &Instance, vif: &Vif) -> DriverResult<()> {
        self.inner().detach_interface(instance, vif).await
    }

    /// Forwards [`ComputeDriver::plug_vifs`] to the inner driver.
    async fn plug_vifs(&self, instance: &Instance, network_info: &[Vif]) -> DriverResult<()> {
        self.inner().plug_vifs(instance, network_info).await
    }

    /// Forwards [`ComputeDriver::unplug_vifs`] to the inner driver.
    async fn unplug_vifs(&self, instance: &Instance, network_info: &[Vif]) -> DriverResult<()> {
        self.inner().unplug_vifs(instance, network_info).await
    }

    /// Forwards [`ComputeDriver::ensure_filtering_rules_for_instance`] to the inner driver.
    async fn ensure_filtering_rules_for_instance(
        &self,
        instance: &Instance,
        network_info: &[Vif],
    ) -> DriverResult<()> {
        self.inner()
            .ensure_filtering_rules_for_instance(instance, network_info)
            .await
    }

    /// Forwards [`ComputeDriver::refresh_instance_security_rules`] to the inner driver.
    async fn refresh_instance_security_rules(&self, instance: &Instance) -> DriverResult<()> {
        self.inner().refresh_instance_security_rules(instance).await
    }

    /// Forwards [`ComputeDriver::refresh_provider_fw_rules`] to the inner driver.
    async fn refresh_provider_fw_rules(&self) -> DriverResult<()> {
        self.inner().refresh_provider_fw_rules().await
    }

    /// Forwards [`ComputeDriver::refresh_security_group_members`] to the inner driver.
    async fn refresh_security_group_members(&self, security_group_id: i64) -> DriverResult<()> {
        self.inner()
            .refresh_security_group_members(security_group_id)
            .await
    }

    /// Forwards [`ComputeDriver::refresh_security_group_rules`] to the inner driver.
    async fn refresh_security_group_rules(&self, security_group_id: i64) -> DriverResult<()> {
        self.inner()
            .refresh_security_group_rules(security_group_id)
            .await
    }

    /// Forwards [`ComputeDriver::unfilter_instance`] to the inner driver.
    async fn unfilter_instance(
        &self,
        instance: &Instance,
        network_info: &[Vif],
    ) -> DriverResult<()> {
        self.inner().unfilter_instance(instance, network_info).await
    }

    /// Forwards [`ComputeDriver::check_can_live_migrate_destination`] to the inner driver.
    async fn check_can_live_migrate_destination(
        &self,
        context: &RequestContext,
        instance: &Instance,
        src_compute_info: &NodeResources,
        dst_compute_info: &NodeResources,
        block_migration: bool,
        disk_over_commit: bool,
    ) -> DriverResult<LiveMigrateData> {
        self.inner()
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

    /// Forwards [`ComputeDriver::check_can_live_migrate_destination_cleanup`] to the inner driver.
    async fn check_can_live_migrate_destination_cleanup(
        &self,
        context: &RequestContext,
        dest_check_data: &LiveMigrateData,
    ) -> DriverResult<()> {
        self.inner()
            .check_can_live_migrate_destination_cleanup(context, dest_check_data)
            .await
    }

    /// Forwards [`ComputeDriver::check_can_live_migrate_source`] to the inner driver.
    async fn check_can_live_migrate_source(
        &self,
        context: &RequestContext,
        instance: &Instance,
        dest_check_data: &LiveMigrateData,
    ) -> DriverResult<LiveMigrateData> {
        self.inner()
            .check_can_live_migrate_source(context, instance, dest_check_data)
            .await
    }

    /// Forwards [`ComputeDriver::pre_live_migration`] to the inner driver.
    async fn pre_live_migration(
        &self,
        context: &RequestContext,
        instance: &Instance,
        block_device_info: &BlockDeviceInfo,
        network_info: &[Vif],
        migrate_data: &LiveMigrateData,
    ) -> DriverResult<LiveMigrateData> {
        self.inner()
            .pre_live_migration(
                context,
                instance,
                block_device_info,
                network_info,
                migrate_data,
            )
            .await
    }

    /// Forwards [`ComputeDriver::live_migration`] to the inner driver.
    async fn live_migration(
        &self,
        context: &RequestContext,
        instance: &Instance,
        dest: &str,
        callbacks: Arc<dyn LiveMigrationCallbacks>,
        block_migration: bool,
        migrate_data: &LiveMigrateData,
    ) -> DriverResult<()> {
        self.inner()
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

    /// Forwards [`ComputeDriver::post_live_migration_at_destination`] to the inner driver.
    async fn post_live_migration_at_destination(
        &self,
        context: &RequestContext,
        instance: &Instance,
        network_info: &[Vif],
        block_migration: bool,
        block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        self.inner()
            .post_live_migration_at_destination(
                context,
                instance,
                network_info,
                block_migration,
                block_device_info,
            )
            .await
    }

    /// Forwards [`ComputeDriver::rollback_live_migration_at_destination`] to the inner driver.
    async fn rollback_live_migration_at_destination(
        &self,
        context: &RequestContext,
        instance: &Instance,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
        destroy_disks: bool,
    ) -> DriverResult<()> {
        self.inner()
            .rollback_live_migration_at_destination(
                context,
                instance,
                network_info,
                block_device_info,
                destroy_disks,
            )
            .await
    }

    /// Forwards [`ComputeDriver::live_migration_force_complete`] to the inner driver.
    async fn live_migration_force_complete(&self, instance: &Instance) -> DriverResult<()> {
        self.inner().live_migration_force_complete(instance).await
    }

    /// Forwards [`ComputeDriver::live_migration_abort`] to the inner driver.
    async fn live_migration_abort(&self, instance: &Instance) -> DriverResult<()> {
        self.inner().live_migration_abort(instance).await
    }

    /// Forwards [`ComputeDriver::migrate_disk_and_power_off`] to the inner driver.
    async fn migrate_disk_and_power_off(
        &self,
        context: &RequestContext,
        instance: &Instance,
        dest: &str,
        flavor: &Flavor,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<DiskInfo> {
        self.inner()
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

    /// Forwards [`ComputeDriver::finish_migration`] to the inner driver.
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
        self.inner()
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

    /// Forwards [`ComputeDriver::confirm_migration`] to the inner driver.
    async fn confirm_migration(
        &self,
        migration: &Migration,
        instance: &Instance,
        network_info: &[Vif],
    ) -> DriverResult<()> {
        self.inner()
            .confirm_migration(migration, instance, network_info)
            .await
    }

    /// Forwards [`ComputeDriver::finish_revert_migration`] to the inner driver.
    async fn finish_revert_migration(
        &self,
        instance: &Instance,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
        power_on: bool,
    ) -> DriverResult<()> {
        self.inner()
            .finish_revert_migration(instance, network_info, block_device_info, power_on)
            .await
    }
}

#[async_trait]
#[deny(clippy::missing_trait_methods)]
#[allow(clippy::too_many_arguments)]
impl<L: DriverLayer> ComputeDriver for L {
    fn driver_name(&self) -> &'static str {
        DriverLayer::driver_name(self)
    }

    fn capabilities(&self) -> Capabilities {
        DriverLayer::capabilities(self)
    }

    fn register_event_listener(&self, listener: Option<EventListener>) {
        DriverLayer::register_event_listener(self, listener)
    }

    fn emit_event(&self, event: LifecycleEvent) {
        DriverLayer::emit_event(self, event)
    }

    fn legacy_nwinfo(&self) -> bool {
        DriverLayer::legacy_nwinfo(self)
    }

    async fn init_host(&self, host: &str) -> DriverResult<()> {
        DriverLayer::init_host(self, host).await
    }

    async fn get_available_nodes(&self, refresh: bool) -> DriverResult<Vec<String>> {
        DriverLayer::get_available_nodes(self, refresh).await
    }

    async fn get_available_resource(&self, nodename: &str) -> DriverResult<NodeResources> {
        DriverLayer::get_available_resource(self, nodename).await
    }

    async fn get_disk_available_least(&self) -> DriverResult<i64> {
        DriverLayer::get_disk_available_least(self).await
    }

    async fn get_host_ip_addr(&self) -> DriverResult<IpAddr> {
        DriverLayer::get_host_ip_addr(self).await
    }

    async fn get_host_stats(&self, refresh: bool) -> DriverResult<Vec<HostStats>> {
        DriverLayer::get_host_stats(self, refresh).await
    }

    async fn get_host_cpu_stats(&self) -> DriverResult<HostCpuStats> {
        DriverLayer::get_host_cpu_stats(self).await
    }

    async fn get_host_uptime(&self) -> DriverResult<Duration> {
        DriverLayer::get_host_uptime(self).await
    }

    async fn host_power_action(
        &self,
        host: &str,
        action: HostPowerAction,
    ) -> DriverResult<HostPowerAction> {
        DriverLayer::host_power_action(self, host, action).await
    }

    async fn host_maintenance_mode(&self, host: &str, mode: bool) -> DriverResult<MaintenanceMode> {
        DriverLayer::host_maintenance_mode(self, host, mode).await
    }

    async fn set_host_enabled(&self, host: &str, enabled: bool) -> DriverResult<HostStatus> {
        DriverLayer::set_host_enabled(self, host, enabled).await
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
        DriverLayer::spawn(
            self,
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
        DriverLayer::destroy(
            self,
            instance,
            network_info,
            block_device_info,
            destroy_disks,
        )
        .await
    }

    async fn get_info(&self, instance: &Instance) -> DriverResult<InstanceInfo> {
        DriverLayer::get_info(self, instance).await
    }

    async fn list_instances(&self) -> DriverResult<Vec<String>> {
        DriverLayer::list_instances(self).await
    }

    async fn list_instance_uuids(&self) -> DriverResult<Vec<Uuid>> {
        DriverLayer::list_instance_uuids(self).await
    }

    async fn get_num_instances(&self) -> DriverResult<usize> {
        DriverLayer::get_num_instances(self).await
    }

    async fn instance_exists(&self, instance: &Instance) -> DriverResult<bool> {
        DriverLayer::instance_exists(self, instance).await
    }

    async fn reboot(
        &self,
        context: &RequestContext,
        instance: &Instance,
        network_info: &[Vif],
        reboot_type: RebootType,
        block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        DriverLayer::reboot(
            self,
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
        DriverLayer::poll_rebooting_instances(self, timeout, instances).await
    }

    async fn power_off(&self, instance: &Instance, timeout: Duration) -> DriverResult<()> {
        DriverLayer::power_off(self, instance, timeout).await
    }

    async fn power_on(
        &self,
        context: &RequestContext,
        instance: &Instance,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        DriverLayer::power_on(self, context, instance, network_info, block_device_info).await
    }

    async fn pause(&self, instance: &Instance) -> DriverResult<()> {
        DriverLayer::pause(self, instance).await
    }

    async fn unpause(&self, instance: &Instance) -> DriverResult<()> {
        DriverLayer::unpause(self, instance).await
    }

    async fn suspend(&self, instance: &Instance) -> DriverResult<()> {
        DriverLayer::suspend(self, instance).await
    }

    async fn resume(
        &self,
        instance: &Instance,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        DriverLayer::resume(self, instance, network_info, block_device_info).await
    }

    async fn rescue(
        &self,
        context: &RequestContext,
        instance: &Instance,
        network_info: &[Vif],
        image_meta: &ImageMeta,
        rescue_password: Secret,
    ) -> DriverResult<()> {
        DriverLayer::rescue(
            self,
            context,
            instance,
            network_info,
            image_meta,
            rescue_password,
        )
        .await
    }

    async fn unrescue(&self, instance: &Instance, network_info: &[Vif]) -> DriverResult<()> {
        DriverLayer::unrescue(self, instance, network_info).await
    }

    async fn soft_delete(&self, instance: &Instance) -> DriverResult<()> {
        DriverLayer::soft_delete(self, instance).await
    }

    async fn restore(&self, instance: &Instance) -> DriverResult<()> {
        DriverLayer::restore(self, instance).await
    }

    async fn snapshot(
        &self,
        context: &RequestContext,
        instance: &Instance,
        image_id: &str,
        update_task_state: TaskStateCallback,
    ) -> DriverResult<()> {
        DriverLayer::snapshot(self, context, instance, image_id, update_task_state).await
    }

    async fn set_admin_password(&self, instance: &Instance, new_pass: Secret) -> DriverResult<()> {
        DriverLayer::set_admin_password(self, instance, new_pass).await
    }

    async fn inject_file(
        &self,
        instance: &Instance,
        b64_path: &str,
        b64_contents: &str,
    ) -> DriverResult<()> {
        DriverLayer::inject_file(self, instance, b64_path, b64_contents).await
    }

    async fn resume_state_on_host_boot(
        &self,
        context: &RequestContext,
        instance: &Instance,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        DriverLayer::resume_state_on_host_boot(
            self,
            context,
            instance,
            network_info,
            block_device_info,
        )
        .await
    }

    async fn trigger_crash_dump(&self, instance: &Instance) -> DriverResult<()> {
        DriverLayer::trigger_crash_dump(self, instance).await
    }

    async fn instance_on_disk(&self, instance: &Instance) -> DriverResult<bool> {
        DriverLayer::instance_on_disk(self, instance).await
    }

    async fn block_stats(&self, instance_name: &str, disk_id: &str) -> DriverResult<BlockStats> {
        DriverLayer::block_stats(self, instance_name, disk_id).await
    }

    async fn interface_stats(
        &self,
        instance_name: &str,
        iface_id: &str,
    ) -> DriverResult<InterfaceStats> {
        DriverLayer::interface_stats(self, instance_name, iface_id).await
    }

    async fn get_diagnostics(&self, instance_name: &str) -> DriverResult<Diagnostics> {
        DriverLayer::get_diagnostics(self, instance_name).await
    }

    async fn get_instance_disk_info(&self, instance_name: &str) -> DriverResult<DiskInfo> {
        DriverLayer::get_instance_disk_info(self, instance_name).await
    }

    async fn get_all_bw_counters(
        &self,
        instances: &[Instance],
    ) -> DriverResult<Vec<BandwidthCounter>> {
        DriverLayer::get_all_bw_counters(self, instances).await
    }

    async fn get_all_volume_usage(
        &self,
        context: &RequestContext,
        instances: &[Instance],
        start_time: SystemTime,
        stop_time: Option<SystemTime>,
    ) -> DriverResult<Vec<VolumeUsage>> {
        DriverLayer::get_all_volume_usage(self, context, instances, start_time, stop_time).await
    }

    async fn get_console_output(&self, instance: &Instance) -> DriverResult<String> {
        DriverLayer::get_console_output(self, instance).await
    }

    async fn get_console_pool_info(
        &self,
        console_type: ConsoleType,
    ) -> DriverResult<ConsolePoolInfo> {
        DriverLayer::get_console_pool_info(self, console_type).await
    }

    async fn get_vnc_console(&self, instance: &Instance) -> DriverResult<VncConsole> {
        DriverLayer::get_vnc_console(self, instance).await
    }

    async fn get_spice_console(&self, instance: &Instance) -> DriverResult<SpiceConsole> {
        DriverLayer::get_spice_console(self, instance).await
    }

    async fn get_serial_console(&self, instance: &Instance) -> DriverResult<SerialConsole> {
        DriverLayer::get_serial_console(self, instance).await
    }

    async fn attach_volume(
        &self,
        connection_info: &ConnectionInfo,
        instance: &Instance,
        mountpoint: &str,
    ) -> DriverResult<()> {
        DriverLayer::attach_volume(self, connection_info, instance, mountpoint).await
    }

    async fn detach_volume(
        &self,
        connection_info: &ConnectionInfo,
        instance: &Instance,
        mountpoint: &str,
    ) -> DriverResult<()> {
        DriverLayer::detach_volume(self, connection_info, instance, mountpoint).await
    }

    async fn swap_volume(
        &self,
        old_connection_info: &ConnectionInfo,
        new_connection_info: &ConnectionInfo,
        instance: &Instance,
        mountpoint: &str,
        resize_to_gb: u64,
    ) -> DriverResult<()> {
        DriverLayer::swap_volume(
            self,
            old_connection_info,
            new_connection_info,
            instance,
            mountpoint,
            resize_to_gb,
        )
        .await
    }

    async fn get_volume_connector(&self, instance: &Instance) -> DriverResult<VolumeConnector> {
        DriverLayer::get_volume_connector(self, instance).await
    }

    async fn attach_interface(
        &self,
        instance: &Instance,
        image_meta: &ImageMeta,
        vif: &Vif,
    ) -> DriverResult<()> {
        DriverLayer::attach_interface(self, instance, image_meta, vif).await
    }

    async fn detach_interface(&self, instance: &Instance, vif: &Vif) -> DriverResult<()> {
        DriverLayer::detach_interface(self, instance, vif).await
    }

    async fn plug_vifs(&self, instance: &Instance, network_info: &[Vif]) -> DriverResult<()> {
        DriverLayer::plug_vifs(self, instance, network_info).await
    }

    async fn unplug_vifs(&self, instance: &Instance, network_info: &[Vif]) -> DriverResult<()> {
        DriverLayer::unplug_vifs(self, instance, network_info).await
    }

    async fn ensure_filtering_rules_for_instance(
        &self,
        instance: &Instance,
        network_info: &[Vif],
    ) -> DriverResult<()> {
        DriverLayer::ensure_filtering_rules_for_instance(self, instance, network_info).await
    }

    async fn refresh_instance_security_rules(&self, instance: &Instance) -> DriverResult<()> {
        DriverLayer::refresh_instance_security_rules(self, instance).await
    }

    async fn refresh_provider_fw_rules(&self) -> DriverResult<()> {
        DriverLayer::refresh_provider_fw_rules(self).await
    }

    async fn refresh_security_group_members(&self, security_group_id: i64) -> DriverResult<()> {
        DriverLayer::refresh_security_group_members(self, security_group_id).await
    }

    async fn refresh_security_group_rules(&self, security_group_id: i64) -> DriverResult<()> {
        DriverLayer::refresh_security_group_rules(self, security_group_id).await
    }

    async fn unfilter_instance(
        &self,
        instance: &Instance,
        network_info: &[Vif],
    ) -> DriverResult<()> {
        DriverLayer::unfilter_instance(self, instance, network_info).await
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
        DriverLayer::check_can_live_migrate_destination(
            self,
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
        DriverLayer::check_can_live_migrate_destination_cleanup(self, context, dest_check_data)
            .await
    }

    async fn check_can_live_migrate_source(
        &self,
        context: &RequestContext,
        instance: &Instance,
        dest_check_data: &LiveMigrateData,
    ) -> DriverResult<LiveMigrateData> {
        DriverLayer::check_can_live_migrate_source(self, context, instance, dest_check_data).await
    }

    async fn pre_live_migration(
        &self,
        context: &RequestContext,
        instance: &Instance,
        block_device_info: &BlockDeviceInfo,
        network_info: &[Vif],
        migrate_data: &LiveMigrateData,
    ) -> DriverResult<LiveMigrateData> {
        DriverLayer::pre_live_migration(
            self,
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
        DriverLayer::live_migration(
            self,
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
        DriverLayer::post_live_migration_at_destination(
            self,
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
        DriverLayer::rollback_live_migration_at_destination(
            self,
            context,
            instance,
            network_info,
            block_device_info,
            destroy_disks,
        )
        .await
    }

    async fn live_migration_force_complete(&self, instance: &Instance) -> DriverResult<()> {
        DriverLayer::live_migration_force_complete(self, instance).await
    }

    async fn live_migration_abort(&self, instance: &Instance) -> DriverResult<()> {
        DriverLayer::live_migration_abort(self, instance).await
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
        DriverLayer::migrate_disk_and_power_off(
            self,
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
        DriverLayer::finish_migration(
            self,
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
        DriverLayer::confirm_migration(self, migration, instance, network_info).await
    }

    async fn finish_revert_migration(
        &self,
        instance: &Instance,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
        power_on: bool,
    ) -> DriverResult<()> {
        DriverLayer::finish_revert_migration(
            self,
            instance,
            network_info,
            block_device_info,
            power_on,
        )
        .await
    }
}

impl<T: ComputeDriver + ?Sized> DriverLayer for Arc<T> {
    type Inner = T;

    fn inner(&self) -> &T {
        self
    }
}

impl<T: ComputeDriver + ?Sized> DriverLayer for Box<T> {
    type Inner = T;

    fn inner(&self) -> &T {
        self
    }
}
