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

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use uuid::Uuid;

use crate::callbacks::{LiveMigrationCallbacks, TaskStateCallback};
use crate::capabilities::Capabilities;
use crate::driver::ComputeDriver;
use crate::error::DriverResult;
use crate::events::{EventListener, LifecycleEvent};
use crate::method::DriverMethod;
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

/// What [`DriverLayer::intercept`] sees of a call about to be forwarded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallSite<'a> {
    /// The method.
    pub method: DriverMethod,
    /// The UUID of the method's `instance` argument, if it has one.
    pub instance: Option<Uuid>,
    /// The method's `instance_name` argument (the by-name statistics).
    pub instance_name: Option<&'a str>,
}

/// A future [`DriverLayer::intercept`] puts before a call: `Ok` lets the call
/// through, an error answers it.
pub type Gate<'a> = Pin<Box<dyn Future<Output = DriverResult<()>> + Send + 'a>>;

/// The [`CallSite::instance`] of one argument: its UUID if it is `instance`.
macro_rules! site_instance {
    (instance, $arg:ident) => {
        Some($arg.uuid)
    };
    ($other:ident, $arg:ident) => {
        None
    };
}

/// The [`CallSite::instance_name`] of one argument.
macro_rules! site_instance_name {
    (instance_name, $arg:ident) => {
        Some($arg)
    };
    ($other:ident, $arg:ident) => {
        None
    };
}

/// Writes [`DriverLayer`] (each method forwarding to the inner driver by
/// default) and the blanket `ComputeDriver` impl for every layer, both from
/// one list of the contract's methods.
macro_rules! layer {
    (
        sync { $( fn $s:ident(&self $(, $sa:ident: $st:ty)*) -> $sr:ty; )* }
        async { $( $v:ident => fn $a:ident(&self $(, $aa:ident: $at:ty)*) -> $ar:ty; )* }
    ) => {
        /// A driver wrapping [`Inner`](DriverLayer::Inner): every method
        /// forwards to [`inner`](DriverLayer::inner) unless the layer
        /// overrides it. Every `DriverLayer` is a [`ComputeDriver`] (blanket
        /// impl).
        // The contract's own argument lists (Nova's), method for method.
        #[allow(clippy::too_many_arguments)]
        #[async_trait]
        pub trait DriverLayer: Send + Sync + std::fmt::Debug + 'static {
            /// The wrapped driver's type.
            type Inner: ComputeDriver + ?Sized;

            /// The wrapped driver.
            fn inner(&self) -> &Self::Inner;

            /// Called by every async method the layer does not override,
            /// before it forwards: `None` (the default) goes straight to the
            /// inner driver, at no cost; a [`Gate`] is awaited first, and its
            /// error answers the call without reaching the inner driver (a
            /// fault or latency layer, a rate limiter, ...).
            fn intercept<'a>(&'a self, site: CallSite<'a>) -> Option<Gate<'a>> {
                let _ = site;
                None
            }

            $(
                #[doc = concat!("Forwards [`ComputeDriver::", stringify!($s), "`] to the inner driver.")]
                fn $s(&self $(, $sa: $st)*) -> $sr {
                    self.inner().$s($($sa),*)
                }
            )*
            $(
                #[doc = concat!("Forwards [`ComputeDriver::", stringify!($a), "`] to the inner driver, through [`intercept`](DriverLayer::intercept).")]
                async fn $a(&self $(, $aa: $at)*) -> $ar {
                    let site = CallSite {
                        method: DriverMethod::$v,
                        instance: None $(.or(site_instance!($aa, $aa)))*,
                        instance_name: None $(.or(site_instance_name!($aa, $aa)))*,
                    };
                    if let Some(gate) = self.intercept(site) {
                        gate.await?;
                    }
                    self.inner().$a($($aa),*).await
                }
            )*
        }

        #[async_trait]
        #[deny(clippy::missing_trait_methods)]
        #[allow(clippy::too_many_arguments)]
        impl<L: DriverLayer> ComputeDriver for L {
            $(
                fn $s(&self $(, $sa: $st)*) -> $sr {
                    DriverLayer::$s(self $(, $sa)*)
                }
            )*
            $(
                async fn $a(&self $(, $aa: $at)*) -> $ar {
                    DriverLayer::$a(self $(, $aa)*).await
                }
            )*
        }
    };
}

// Every method of `ComputeDriver`, in the trait's order within each group.
layer! {
    sync {
        fn driver_name(&self) -> &'static str;
        fn capabilities(&self) -> Capabilities;
        fn register_event_listener(&self, listener: Option<EventListener>) -> ();
        fn emit_event(&self, event: LifecycleEvent) -> ();
        fn legacy_nwinfo(&self) -> bool;
    }
    async {
        InitHost => fn init_host(&self, host: &str) -> DriverResult<()>;
        GetAvailableNodes => fn get_available_nodes(&self, refresh: bool) -> DriverResult<Vec<String>>;
        GetAvailableResource => fn get_available_resource(&self, nodename: &str) -> DriverResult<NodeResources>;
        GetDiskAvailableLeast => fn get_disk_available_least(&self) -> DriverResult<i64>;
        GetHostIpAddr => fn get_host_ip_addr(&self) -> DriverResult<IpAddr>;
        GetHostStats => fn get_host_stats(&self, refresh: bool) -> DriverResult<Vec<HostStats>>;
        GetHostCpuStats => fn get_host_cpu_stats(&self) -> DriverResult<HostCpuStats>;
        GetHostUptime => fn get_host_uptime(&self) -> DriverResult<Duration>;
        HostPowerAction => fn host_power_action(&self, host: &str, action: HostPowerAction) -> DriverResult<HostPowerAction>;
        HostMaintenanceMode => fn host_maintenance_mode(&self, host: &str, mode: bool) -> DriverResult<MaintenanceMode>;
        SetHostEnabled => fn set_host_enabled(&self, host: &str, enabled: bool) -> DriverResult<HostStatus>;
        Spawn => fn spawn(&self, context: &RequestContext, instance: &Instance, image_meta: &ImageMeta, injected_files: &[InjectedFile], admin_password: Option<Secret>, network_info: &[Vif], block_device_info: &BlockDeviceInfo, power_on: bool) -> DriverResult<()>;
        Destroy => fn destroy(&self, instance: &Instance, network_info: &[Vif], block_device_info: &BlockDeviceInfo, destroy_disks: bool) -> DriverResult<()>;
        GetInfo => fn get_info(&self, instance: &Instance) -> DriverResult<InstanceInfo>;
        ListInstances => fn list_instances(&self) -> DriverResult<Vec<String>>;
        ListInstanceUuids => fn list_instance_uuids(&self) -> DriverResult<Vec<Uuid>>;
        GetNumInstances => fn get_num_instances(&self) -> DriverResult<usize>;
        InstanceExists => fn instance_exists(&self, instance: &Instance) -> DriverResult<bool>;
        Reboot => fn reboot(&self, context: &RequestContext, instance: &Instance, network_info: &[Vif], reboot_type: RebootType, block_device_info: &BlockDeviceInfo) -> DriverResult<()>;
        PollRebootingInstances => fn poll_rebooting_instances(&self, timeout: Duration, instances: &[Instance]) -> DriverResult<()>;
        PowerOff => fn power_off(&self, instance: &Instance, timeout: Duration) -> DriverResult<()>;
        PowerOn => fn power_on(&self, context: &RequestContext, instance: &Instance, network_info: &[Vif], block_device_info: &BlockDeviceInfo) -> DriverResult<()>;
        Pause => fn pause(&self, instance: &Instance) -> DriverResult<()>;
        Unpause => fn unpause(&self, instance: &Instance) -> DriverResult<()>;
        Suspend => fn suspend(&self, instance: &Instance) -> DriverResult<()>;
        Resume => fn resume(&self, instance: &Instance, network_info: &[Vif], block_device_info: &BlockDeviceInfo) -> DriverResult<()>;
        Rescue => fn rescue(&self, context: &RequestContext, instance: &Instance, network_info: &[Vif], image_meta: &ImageMeta, rescue_password: Secret) -> DriverResult<()>;
        Unrescue => fn unrescue(&self, instance: &Instance, network_info: &[Vif]) -> DriverResult<()>;
        SoftDelete => fn soft_delete(&self, instance: &Instance) -> DriverResult<()>;
        Restore => fn restore(&self, instance: &Instance) -> DriverResult<()>;
        Snapshot => fn snapshot(&self, context: &RequestContext, instance: &Instance, image_id: &str, update_task_state: TaskStateCallback) -> DriverResult<()>;
        SetAdminPassword => fn set_admin_password(&self, instance: &Instance, new_pass: Secret) -> DriverResult<()>;
        InjectFile => fn inject_file(&self, instance: &Instance, b64_path: &str, b64_contents: &str) -> DriverResult<()>;
        ResumeStateOnHostBoot => fn resume_state_on_host_boot(&self, context: &RequestContext, instance: &Instance, network_info: &[Vif], block_device_info: &BlockDeviceInfo) -> DriverResult<()>;
        TriggerCrashDump => fn trigger_crash_dump(&self, instance: &Instance) -> DriverResult<()>;
        InstanceOnDisk => fn instance_on_disk(&self, instance: &Instance) -> DriverResult<bool>;
        BlockStats => fn block_stats(&self, instance_name: &str, disk_id: &str) -> DriverResult<BlockStats>;
        InterfaceStats => fn interface_stats(&self, instance_name: &str, iface_id: &str) -> DriverResult<InterfaceStats>;
        GetDiagnostics => fn get_diagnostics(&self, instance_name: &str) -> DriverResult<Diagnostics>;
        GetInstanceDiskInfo => fn get_instance_disk_info(&self, instance_name: &str) -> DriverResult<DiskInfo>;
        GetAllBwCounters => fn get_all_bw_counters(&self, instances: &[Instance]) -> DriverResult<Vec<BandwidthCounter>>;
        GetAllVolumeUsage => fn get_all_volume_usage(&self, context: &RequestContext, instances: &[Instance], start_time: SystemTime, stop_time: Option<SystemTime>) -> DriverResult<Vec<VolumeUsage>>;
        GetConsoleOutput => fn get_console_output(&self, instance: &Instance) -> DriverResult<String>;
        GetConsolePoolInfo => fn get_console_pool_info(&self, console_type: ConsoleType) -> DriverResult<ConsolePoolInfo>;
        GetVncConsole => fn get_vnc_console(&self, instance: &Instance) -> DriverResult<VncConsole>;
        GetSpiceConsole => fn get_spice_console(&self, instance: &Instance) -> DriverResult<SpiceConsole>;
        GetSerialConsole => fn get_serial_console(&self, instance: &Instance) -> DriverResult<SerialConsole>;
        AttachVolume => fn attach_volume(&self, connection_info: &ConnectionInfo, instance: &Instance, mountpoint: &str) -> DriverResult<()>;
        DetachVolume => fn detach_volume(&self, connection_info: &ConnectionInfo, instance: &Instance, mountpoint: &str) -> DriverResult<()>;
        SwapVolume => fn swap_volume(&self, old_connection_info: &ConnectionInfo, new_connection_info: &ConnectionInfo, instance: &Instance, mountpoint: &str, resize_to_gb: u64) -> DriverResult<()>;
        GetVolumeConnector => fn get_volume_connector(&self, instance: &Instance) -> DriverResult<VolumeConnector>;
        AttachInterface => fn attach_interface(&self, instance: &Instance, image_meta: &ImageMeta, vif: &Vif) -> DriverResult<()>;
        DetachInterface => fn detach_interface(&self, instance: &Instance, vif: &Vif) -> DriverResult<()>;
        PlugVifs => fn plug_vifs(&self, instance: &Instance, network_info: &[Vif]) -> DriverResult<()>;
        UnplugVifs => fn unplug_vifs(&self, instance: &Instance, network_info: &[Vif]) -> DriverResult<()>;
        EnsureFilteringRulesForInstance => fn ensure_filtering_rules_for_instance(&self, instance: &Instance, network_info: &[Vif]) -> DriverResult<()>;
        RefreshInstanceSecurityRules => fn refresh_instance_security_rules(&self, instance: &Instance) -> DriverResult<()>;
        RefreshProviderFwRules => fn refresh_provider_fw_rules(&self) -> DriverResult<()>;
        RefreshSecurityGroupMembers => fn refresh_security_group_members(&self, security_group_id: i64) -> DriverResult<()>;
        RefreshSecurityGroupRules => fn refresh_security_group_rules(&self, security_group_id: i64) -> DriverResult<()>;
        UnfilterInstance => fn unfilter_instance(&self, instance: &Instance, network_info: &[Vif]) -> DriverResult<()>;
        CheckCanLiveMigrateDestination => fn check_can_live_migrate_destination(&self, context: &RequestContext, instance: &Instance, src_compute_info: &NodeResources, dst_compute_info: &NodeResources, block_migration: bool, disk_over_commit: bool) -> DriverResult<LiveMigrateData>;
        CheckCanLiveMigrateDestinationCleanup => fn check_can_live_migrate_destination_cleanup(&self, context: &RequestContext, dest_check_data: &LiveMigrateData) -> DriverResult<()>;
        CheckCanLiveMigrateSource => fn check_can_live_migrate_source(&self, context: &RequestContext, instance: &Instance, dest_check_data: &LiveMigrateData) -> DriverResult<LiveMigrateData>;
        PreLiveMigration => fn pre_live_migration(&self, context: &RequestContext, instance: &Instance, block_device_info: &BlockDeviceInfo, network_info: &[Vif], migrate_data: &LiveMigrateData) -> DriverResult<LiveMigrateData>;
        LiveMigration => fn live_migration(&self, context: &RequestContext, instance: &Instance, dest: &str, callbacks: Arc<dyn LiveMigrationCallbacks>, block_migration: bool, migrate_data: &LiveMigrateData) -> DriverResult<()>;
        PostLiveMigrationAtDestination => fn post_live_migration_at_destination(&self, context: &RequestContext, instance: &Instance, network_info: &[Vif], block_migration: bool, block_device_info: &BlockDeviceInfo) -> DriverResult<()>;
        RollbackLiveMigrationAtDestination => fn rollback_live_migration_at_destination(&self, context: &RequestContext, instance: &Instance, network_info: &[Vif], block_device_info: &BlockDeviceInfo, destroy_disks: bool) -> DriverResult<()>;
        LiveMigrationForceComplete => fn live_migration_force_complete(&self, instance: &Instance) -> DriverResult<()>;
        LiveMigrationAbort => fn live_migration_abort(&self, instance: &Instance) -> DriverResult<()>;
        MigrateDiskAndPowerOff => fn migrate_disk_and_power_off(&self, context: &RequestContext, instance: &Instance, dest: &str, flavor: &Flavor, network_info: &[Vif], block_device_info: &BlockDeviceInfo) -> DriverResult<DiskInfo>;
        FinishMigration => fn finish_migration(&self, context: &RequestContext, migration: &Migration, instance: &Instance, disk_info: &DiskInfo, network_info: &[Vif], image_meta: &ImageMeta, resize_instance: bool, block_device_info: &BlockDeviceInfo, power_on: bool) -> DriverResult<()>;
        ConfirmMigration => fn confirm_migration(&self, migration: &Migration, instance: &Instance, network_info: &[Vif]) -> DriverResult<()>;
        FinishRevertMigration => fn finish_revert_migration(&self, instance: &Instance, network_info: &[Vif], block_device_info: &BlockDeviceInfo, power_on: bool) -> DriverResult<()>;
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
