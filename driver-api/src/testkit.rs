//! Test support (feature `testkit`): call any contract method by its
//! [`DriverMethod`] with sample arguments.
//!
//! Sweeps over [`DriverMethod::ALL`] (capability honesty, read-only mode,
//! unknown instances) need one call per method. [`call`] is that call, written
//! once: its `match` names every method, so a method added to the contract is
//! a compile error here until it has a sample call, never a silent gap in a
//! sweep.
//!
//! ```
//! # #[cfg(feature = "testkit")] {
//! use driver_api::testkit::{call, SampleArgs};
//! use driver_api::{DriverMethod, Flavor, Instance};
//! # fn _example(driver: &dyn driver_api::ComputeDriver) -> impl std::future::Future + '_ {
//! let vm = Instance::new(driver_api::uuid::Uuid::new_v4(), Flavor::m1_tiny()).with_name("vm");
//! let args = SampleArgs::new(vm, "host-a", "host-b");
//! async move { call(driver, DriverMethod::Pause, &args).await }
//! # }
//! # }
//! ```

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;

use crate::callbacks::LiveMigrationCallbacks;
use crate::driver::ComputeDriver;
use crate::error::DriverResult;
use crate::events::{LifecycleEvent, LifecycleTransition};
use crate::method::DriverMethod;
use crate::model::block_device::{BlockDeviceInfo, ConnectionInfo};
use crate::model::console::ConsoleType;
use crate::model::context::RequestContext;
use crate::model::host::HostPowerAction;
use crate::model::instance::{Flavor, ImageMeta, Instance};
use crate::model::migration::{LiveMigrateData, Migration, MigrationStatus};
use crate::model::network::Vif;
use crate::model::resources::NodeResources;
use crate::secret::Secret;
use crate::state::RebootType;

/// Live-migration callbacks that do nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoCallbacks;

#[async_trait]
impl LiveMigrationCallbacks for NoCallbacks {
    async fn post(&self, _: &Instance, _: &str, _: &LiveMigrateData) {}
    async fn recover(&self, _: &Instance, _: &str, _: &LiveMigrateData, _: MigrationStatus) {}
}

/// The arguments [`call`] passes. [`SampleArgs::new`] fills every field with
/// a plain value; a harness overrides what its backend's state needs.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SampleArgs {
    /// The request context of every call.
    pub context: RequestContext,
    /// The instance the per-instance methods act on.
    pub instance: Instance,
    /// The instance that arrives: `spawn`, the destination side of live and
    /// cold migration, `check_can_live_migrate_destination`.
    pub arriving: Instance,
    /// The network info of calls on [`instance`](Self::instance).
    pub vifs: Vec<Vif>,
    /// The network info of calls on [`arriving`](Self::arriving).
    pub arriving_vifs: Vec<Vif>,
    /// The VIF `attach_interface` attaches (`detach_interface` detaches the
    /// first of [`vifs`](Self::vifs), or this one when there is none).
    pub new_vif: Vif,
    /// The block devices of every call that takes them.
    pub block_device_info: BlockDeviceInfo,
    /// This host (`init_host`, the host actions, migration records).
    pub host: String,
    /// The node `get_available_resource` asks about.
    pub node: String,
    /// The other host: destination of moves out, source of moves in.
    pub other_host: String,
    /// The image of `spawn`, `rescue`, `finish_migration`, `attach_interface`.
    pub image: ImageMeta,
    /// The admin password `spawn` gets.
    pub admin_password: Option<Secret>,
    /// The rescue password.
    pub rescue_password: Secret,
    /// The password `set_admin_password` sets.
    pub new_password: Secret,
    /// The reboot type of `reboot`.
    pub reboot_type: RebootType,
    /// The instances `poll_rebooting_instances` gets.
    pub rebooting: Vec<Instance>,
    /// The image id `snapshot` creates.
    pub snapshot_id: String,
    /// `inject_file`'s path and contents, base64.
    pub injected_file: (String, String),
    /// The disk of `block_stats` and the interface of `interface_stats`.
    pub stats_devices: (String, String),
    /// The volume `attach_volume` attaches, `detach_volume` detaches and
    /// `swap_volume` replaces.
    pub volume: ConnectionInfo,
    /// The volume `swap_volume` puts in place.
    pub new_volume: ConnectionInfo,
    /// Where `attach_volume` attaches.
    pub attach_at: String,
    /// Where `detach_volume` and `swap_volume` act.
    pub detach_at: String,
    /// The live-migration check data.
    pub migrate_data: LiveMigrateData,
    /// The node resources `check_can_live_migrate_destination` gets; `None`:
    /// what `get_available_resource(node)` answers (its error is the call's).
    pub node_resources: Option<NodeResources>,
    /// Whether `register_event_listener` (with no listener) and `emit_event`
    /// (a `Started` of the instance) are called; a harness that listens to
    /// the backend's events leaves it `false` (they answer nothing).
    pub event_calls: bool,
}

impl SampleArgs {
    /// Samples for calls on `instance` at `host`, moves to and from
    /// `other_host`: no VIFs, no block devices, a volume `vol-sample` at
    /// `/dev/vdb`, a soft reboot, the node named as the host.
    pub fn new(instance: Instance, host: &str, other_host: &str) -> Self {
        let new_vif = Vif::new(
            uuid::Uuid::from_u128(0x7e57_0000_0000_4000_8000_0000_0000_0001),
            "fa:16:3e:7e:57:01",
            crate::model::network::Network::new(
                uuid::Uuid::from_u128(0x7e57_0000_0000_4000_8000_0000_0000_0002),
                "sample",
                crate::model::network::Subnet::new("10.0.0.0/24", None, Vec::new()),
            ),
        );
        Self {
            context: RequestContext::admin(),
            arriving: instance.clone(),
            rebooting: vec![instance.clone()],
            instance,
            vifs: Vec::new(),
            arriving_vifs: Vec::new(),
            new_vif,
            block_device_info: BlockDeviceInfo::default(),
            host: host.to_owned(),
            node: host.to_owned(),
            other_host: other_host.to_owned(),
            image: ImageMeta::new("cirros"),
            admin_password: None,
            rescue_password: Secret::new("rescue-sample"),
            new_password: Secret::new("new-sample"),
            reboot_type: RebootType::Soft,
            snapshot_id: "snapshot-sample".to_owned(),
            injected_file: ("L2V0Yy9tb3Rk".to_owned(), "aGVsbG8=".to_owned()),
            stats_devices: ("vda".to_owned(), "tap0".to_owned()),
            volume: ConnectionInfo::new("iscsi", "vol-sample"),
            new_volume: ConnectionInfo::new("iscsi", "vol-sample-2"),
            attach_at: "/dev/vdb".to_owned(),
            detach_at: "/dev/vdb".to_owned(),
            migrate_data: LiveMigrateData::new(other_host),
            node_resources: None,
            event_calls: false,
        }
    }
}

/// Calls `method` on `driver` with `args`; `Ok(())` for whatever value it
/// answers. The synchronous methods (`capabilities`, `legacy_nwinfo`, and the
/// event calls when [`SampleArgs::event_calls`] is set) answer `Ok(())`.
pub async fn call(
    driver: &dyn ComputeDriver,
    method: DriverMethod,
    args: &SampleArgs,
) -> DriverResult<()> {
    use DriverMethod as M;
    let d = driver;
    let a = args;
    let ctx = &a.context;
    let vm = &a.instance;
    let new = &a.arriving;
    let vifs = a.vifs.as_slice();
    let bdi = &a.block_device_info;
    let one = std::slice::from_ref(vm);
    match method {
        M::Capabilities => {
            d.capabilities();
            Ok(())
        }
        M::RegisterEventListener => {
            if a.event_calls {
                d.register_event_listener(None);
            }
            Ok(())
        }
        M::EmitEvent => {
            if a.event_calls {
                d.emit_event(LifecycleEvent::new(vm.uuid, LifecycleTransition::Started));
            }
            Ok(())
        }
        M::LegacyNwinfo => {
            d.legacy_nwinfo();
            Ok(())
        }
        M::InitHost => d.init_host(&a.host).await,
        M::Spawn => {
            let password = a.admin_password.clone();
            d.spawn(
                ctx,
                new,
                &a.image,
                &[],
                password,
                &a.arriving_vifs,
                bdi,
                true,
            )
            .await
        }
        M::Destroy => d.destroy(vm, vifs, bdi, true).await,
        M::GetInfo => d.get_info(vm).await.map(drop),
        M::ListInstances => d.list_instances().await.map(drop),
        M::ListInstanceUuids => d.list_instance_uuids().await.map(drop),
        M::GetNumInstances => d.get_num_instances().await.map(drop),
        M::InstanceExists => d.instance_exists(vm).await.map(drop),
        M::GetAvailableNodes => d.get_available_nodes(false).await.map(drop),
        M::GetAvailableResource => d.get_available_resource(&a.node).await.map(drop),
        M::Reboot => d.reboot(ctx, vm, vifs, a.reboot_type, bdi).await,
        M::PollRebootingInstances => {
            d.poll_rebooting_instances(Duration::from_secs(1), &a.rebooting)
                .await
        }
        M::PowerOff => d.power_off(vm, Duration::ZERO).await,
        M::PowerOn => d.power_on(ctx, vm, vifs, bdi).await,
        M::Pause => d.pause(vm).await,
        M::Unpause => d.unpause(vm).await,
        M::Suspend => d.suspend(vm).await,
        M::Resume => d.resume(vm, vifs, bdi).await,
        M::Rescue => {
            d.rescue(ctx, vm, vifs, &a.image, a.rescue_password.clone())
                .await
        }
        M::Unrescue => d.unrescue(vm, vifs).await,
        M::SoftDelete => d.soft_delete(vm).await,
        M::Restore => d.restore(vm).await,
        M::Snapshot => {
            d.snapshot(ctx, vm, &a.snapshot_id, Arc::new(|_, _| {}))
                .await
        }
        M::SetAdminPassword => d.set_admin_password(vm, a.new_password.clone()).await,
        M::InjectFile => {
            let (path, contents) = &a.injected_file;
            d.inject_file(vm, path, contents).await
        }
        M::ResumeStateOnHostBoot => d.resume_state_on_host_boot(ctx, vm, vifs, bdi).await,
        M::TriggerCrashDump => d.trigger_crash_dump(vm).await,
        M::InstanceOnDisk => d.instance_on_disk(vm).await.map(drop),
        M::BlockStats => d.block_stats(&vm.name, &a.stats_devices.0).await.map(drop),
        M::InterfaceStats => d
            .interface_stats(&vm.name, &a.stats_devices.1)
            .await
            .map(drop),
        M::GetDiagnostics => d.get_diagnostics(&vm.name).await.map(drop),
        M::GetInstanceDiskInfo => d.get_instance_disk_info(&vm.name).await.map(drop),
        M::GetAllBwCounters => d.get_all_bw_counters(one).await.map(drop),
        M::GetAllVolumeUsage => d
            .get_all_volume_usage(ctx, one, SystemTime::UNIX_EPOCH, None)
            .await
            .map(drop),
        M::GetConsoleOutput => d.get_console_output(vm).await.map(drop),
        M::GetConsolePoolInfo => d.get_console_pool_info(ConsoleType::Vnc).await.map(drop),
        M::GetVncConsole => d.get_vnc_console(vm).await.map(drop),
        M::GetSpiceConsole => d.get_spice_console(vm).await.map(drop),
        M::GetSerialConsole => d.get_serial_console(vm).await.map(drop),
        M::AttachVolume => d.attach_volume(&a.volume, vm, &a.attach_at).await,
        M::DetachVolume => d.detach_volume(&a.volume, vm, &a.detach_at).await,
        M::SwapVolume => {
            d.swap_volume(&a.volume, &a.new_volume, vm, &a.detach_at, 0)
                .await
        }
        M::GetVolumeConnector => d.get_volume_connector(vm).await.map(drop),
        M::AttachInterface => d.attach_interface(vm, &a.image, &a.new_vif).await,
        M::DetachInterface => {
            let vif = a.vifs.first().unwrap_or(&a.new_vif);
            d.detach_interface(vm, vif).await
        }
        M::PlugVifs => d.plug_vifs(vm, vifs).await,
        M::UnplugVifs => d.unplug_vifs(vm, vifs).await,
        M::EnsureFilteringRulesForInstance => d.ensure_filtering_rules_for_instance(vm, vifs).await,
        M::RefreshInstanceSecurityRules => d.refresh_instance_security_rules(vm).await,
        M::RefreshProviderFwRules => d.refresh_provider_fw_rules().await,
        M::RefreshSecurityGroupMembers => d.refresh_security_group_members(1).await,
        M::RefreshSecurityGroupRules => d.refresh_security_group_rules(1).await,
        M::UnfilterInstance => d.unfilter_instance(vm, vifs).await,
        M::CheckCanLiveMigrateDestination => {
            let resources = match &a.node_resources {
                Some(resources) => resources.clone(),
                None => d.get_available_resource(&a.node).await?,
            };
            d.check_can_live_migrate_destination(ctx, new, &resources, &resources, false, false)
                .await
                .map(drop)
        }
        M::CheckCanLiveMigrateDestinationCleanup => {
            d.check_can_live_migrate_destination_cleanup(ctx, &a.migrate_data)
                .await
        }
        M::CheckCanLiveMigrateSource => d
            .check_can_live_migrate_source(ctx, vm, &a.migrate_data)
            .await
            .map(drop),
        M::PreLiveMigration => d
            .pre_live_migration(ctx, new, bdi, &a.arriving_vifs, &a.migrate_data)
            .await
            .map(drop),
        M::LiveMigration => {
            let callbacks = Arc::new(NoCallbacks);
            // As `other_host`'s own destination check would have made it.
            let data = LiveMigrateData {
                dest_host: a.other_host.clone(),
                ..a.migrate_data.clone()
            };
            d.live_migration(ctx, vm, &a.other_host, callbacks, false, &data)
                .await
        }
        M::PostLiveMigrationAtDestination => {
            d.post_live_migration_at_destination(ctx, new, &a.arriving_vifs, false, bdi)
                .await
        }
        M::RollbackLiveMigrationAtDestination => {
            d.rollback_live_migration_at_destination(ctx, vm, vifs, bdi, true)
                .await
        }
        M::LiveMigrationForceComplete => d.live_migration_force_complete(vm).await,
        M::LiveMigrationAbort => d.live_migration_abort(vm).await,
        M::MigrateDiskAndPowerOff => d
            .migrate_disk_and_power_off(ctx, vm, &a.other_host, &Flavor::m1_small(), vifs, bdi)
            .await
            .map(drop),
        M::FinishMigration => {
            let migration = Migration::new(new.uuid, &a.other_host, &a.host);
            d.finish_migration(
                ctx,
                &migration,
                new,
                &Vec::new(),
                &a.arriving_vifs,
                &a.image,
                false,
                bdi,
                true,
            )
            .await
        }
        M::ConfirmMigration => {
            let migration = Migration::new(vm.uuid, &a.host, &a.other_host);
            d.confirm_migration(&migration, vm, vifs).await
        }
        M::FinishRevertMigration => d.finish_revert_migration(vm, vifs, bdi, true).await,
        M::GetDiskAvailableLeast => d.get_disk_available_least().await.map(drop),
        M::GetHostIpAddr => d.get_host_ip_addr().await.map(drop),
        M::GetHostStats => d.get_host_stats(false).await.map(drop),
        M::GetHostCpuStats => d.get_host_cpu_stats().await.map(drop),
        M::GetHostUptime => d.get_host_uptime().await.map(drop),
        M::HostMaintenanceMode => d.host_maintenance_mode(&a.host, true).await.map(drop),
        M::HostPowerAction => d
            .host_power_action(&a.host, HostPowerAction::Reboot)
            .await
            .map(drop),
        M::SetHostEnabled => d.set_host_enabled(&a.host, false).await.map(drop),
    }
}
