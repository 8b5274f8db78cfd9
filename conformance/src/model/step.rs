//! The steps the model knows, and how each is called on a backend.
//!
//! A step is one call of the contract on one host for one instance; the
//! model says what it must answer ([`super::rules`]) and the suite calls it
//! on the backend ([`call`]) with the same stable arguments.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use driver_api::{
    ComputeDriver, ConnectionInfo, DriverError, DriverMethod, DriverResult, Flavor, Instance,
    LifecycleOperation, Migration, RebootType, Secret, Vif,
};

use super::guest_steps::{self, ConsoleKind};
use super::live_handover::{CallbackLog, HandedOver};
pub(crate) use super::slots::{mountpoint, slot_vif, volume_id, with_volumes};
use crate::actions::lifecycle_method;
use crate::factory::Backend;
use crate::fixtures;

/// How many volume slots (mountpoints) and VIF slots a step can name.
pub(crate) const SLOTS: u8 = 2;

/// One call of the contract on one instance.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Step {
    /// `spawn`, with the VIF of slot 0 and no block device.
    Spawn {
        /// Start it (`Running`) or not (`Shutdown`).
        power_on: bool,
    },
    /// A row of the transition table (the crash row through the test hooks).
    Lifecycle(LifecycleOperation),
    /// `attach_volume` of slot `n`'s volume at slot `n`'s mountpoint.
    AttachVolume(u8),
    /// `detach_volume` at slot `n`'s mountpoint.
    DetachVolume(u8),
    /// `swap_volume` at slot `n`'s mountpoint, to slot `n`'s second volume.
    SwapVolume(u8),
    /// `attach_interface` of slot `n`'s VIF (slot 0 is attached at spawn).
    AttachInterface(u8),
    /// `detach_interface` of slot `n`'s VIF.
    DetachInterface(u8),
    /// `set_admin_password`.
    SetAdminPassword,
    /// `trigger_crash_dump`.
    TriggerCrashDump,
    /// `snapshot`.
    Snapshot,
    /// `inject_file` of an absolute path.
    InjectFile,
    /// `resume_state_on_host_boot`.
    ResumeStateOnHostBoot,
    /// `plug_vifs` with the instance's spawn VIF (host side only).
    PlugVifs,
    /// `unplug_vifs` with the instance's spawn VIF (host side only).
    UnplugVifs,
    /// `migrate_disk_and_power_off` towards host `dest` with `flavor`.
    MigrateDiskAndPowerOff {
        /// The destination host's index.
        dest: usize,
        /// The flavor the instance moves to.
        flavor: Flavor,
    },
    /// `finish_migration` on this host of a move from host `source`; the
    /// instance passed carries the new flavor, and `block_device_info` the
    /// volumes it had on the source, as Nova passes them.
    FinishMigration {
        /// The source host's index.
        source: usize,
        /// Start it on arrival.
        power_on: bool,
        /// Its volumes: mountpoint and volume id.
        volumes: Vec<(String, String)>,
    },
    /// `confirm_migration` on this host (the source) of a move to `dest`.
    ConfirmMigration {
        /// The destination host's index.
        dest: usize,
    },
    /// `finish_revert_migration` on this host (the source).
    FinishRevertMigration {
        /// Start it again.
        power_on: bool,
    },
    /// `check_can_live_migrate_destination` on this host (the destination).
    LiveCheckDestination,
    /// `check_can_live_migrate_source` on this host towards host `dest`.
    LiveCheckSource {
        /// The destination host's index.
        dest: usize,
    },
    /// `pre_live_migration` on this host (the destination), with the spawn
    /// VIF and `volumes` (mountpoint, volume id) in `block_device_info`.
    PreLiveMigration {
        /// The volumes the instance brings.
        volumes: Vec<(String, String)>,
    },
    /// `live_migration` from this host to host `dest`, its callbacks
    /// recorded.
    LiveMigration {
        /// The destination host's index.
        dest: usize,
    },
    /// `post_live_migration_at_destination` on this host with `volumes` in
    /// `block_device_info` and, when `vif`, the spawn VIF.
    PostLiveMigrationAtDestination {
        /// The volumes passed (none: those of `pre_live_migration` stay).
        volumes: Vec<(String, String)>,
        /// Whether `network_info` has the instance's VIF.
        vif: bool,
    },
    /// `rollback_live_migration_at_destination` on this host.
    RollbackLiveMigrationAtDestination,
    /// `live_migration_abort` on this host (the source).
    LiveMigrationAbort,
    /// `live_migration_force_complete` on this host (the source).
    LiveMigrationForceComplete,
    // Steps added for volumes/interfaces/consoles/guest/resources
    // (called in [`super::guest_steps`]).
    /// `spawn`, powered on, with the VIF of slot 0 and slot `n`'s volume at
    /// slot `n`'s mountpoint in `block_device_info`.
    SpawnWithVolume(u8),
    /// `attach_volume` of slot `n`'s second volume (the one a swap brings) at
    /// slot `n`'s mountpoint.
    AttachSecondVolume(u8),
    /// `get_vnc_console`, `get_spice_console` or `get_serial_console`.
    Console(ConsoleKind),
    /// `get_console_output`.
    ConsoleOutput,
    /// `inject_file` of a relative path (`testfile`).
    InjectRelativeFile,
    /// `poll_rebooting_instances` of this instance alone, a minute's timeout.
    PollRebootingInstances,
    // Steps added for host/idempotence/read-only/capability
    // ([`super::host_rules`], [`super::host_steps`]).
    /// `init_host` with this host's own name, or (`empty`) with `""`.
    InitHost {
        /// Pass an empty host name.
        empty: bool,
    },
    /// `host_maintenance_mode` of this host, into (`on`) or out of it.
    HostMaintenanceMode {
        /// Into maintenance.
        on: bool,
    },
    /// `set_host_enabled` of this host.
    SetHostEnabled {
        /// Enable (or disable) it.
        enabled: bool,
    },
    /// `get_disk_available_least`.
    DiskAvailableLeast,
    /// `instance_on_disk`.
    InstanceOnDisk,
    /// `legacy_nwinfo`.
    LegacyNwinfo,
    /// Any method, with the suite's sample arguments ([`crate::invoke`]).
    Invoke(DriverMethod),
}

impl Step {
    /// The trait method the step calls (`None` for the crash hook).
    pub(crate) fn method(&self) -> Option<DriverMethod> {
        use DriverMethod as M;
        Some(match self {
            Self::Spawn { .. } => M::Spawn,
            Self::Lifecycle(op) => return lifecycle_method(*op),
            Self::AttachVolume(_) => M::AttachVolume,
            Self::DetachVolume(_) => M::DetachVolume,
            Self::SwapVolume(_) => M::SwapVolume,
            Self::AttachInterface(_) => M::AttachInterface,
            Self::DetachInterface(_) => M::DetachInterface,
            Self::SetAdminPassword => M::SetAdminPassword,
            Self::TriggerCrashDump => M::TriggerCrashDump,
            Self::Snapshot => M::Snapshot,
            Self::InjectFile => M::InjectFile,
            Self::ResumeStateOnHostBoot => M::ResumeStateOnHostBoot,
            Self::PlugVifs => M::PlugVifs,
            Self::UnplugVifs => M::UnplugVifs,
            Self::MigrateDiskAndPowerOff { .. } => M::MigrateDiskAndPowerOff,
            Self::FinishMigration { .. } => M::FinishMigration,
            Self::ConfirmMigration { .. } => M::ConfirmMigration,
            Self::FinishRevertMigration { .. } => M::FinishRevertMigration,
            Self::LiveCheckDestination => M::CheckCanLiveMigrateDestination,
            Self::LiveCheckSource { .. } => M::CheckCanLiveMigrateSource,
            Self::PreLiveMigration { .. } => M::PreLiveMigration,
            Self::LiveMigration { .. } => M::LiveMigration,
            Self::PostLiveMigrationAtDestination { .. } => M::PostLiveMigrationAtDestination,
            Self::RollbackLiveMigrationAtDestination => M::RollbackLiveMigrationAtDestination,
            Self::LiveMigrationAbort => M::LiveMigrationAbort,
            Self::LiveMigrationForceComplete => M::LiveMigrationForceComplete,
            // Steps added for volumes/interfaces/consoles/guest/resources
            Self::SpawnWithVolume(_) => M::Spawn,
            Self::AttachSecondVolume(_) => M::AttachVolume,
            Self::Console(kind) => kind.method(),
            Self::ConsoleOutput => M::GetConsoleOutput,
            Self::InjectRelativeFile => M::InjectFile,
            Self::PollRebootingInstances => M::PollRebootingInstances,
            // Steps added for host/idempotence/read-only/capability.
            Self::InitHost { .. } => M::InitHost,
            Self::HostMaintenanceMode { .. } => M::HostMaintenanceMode,
            Self::SetHostEnabled { .. } => M::SetHostEnabled,
            Self::DiskAvailableLeast => M::GetDiskAvailableLeast,
            Self::InstanceOnDisk => M::InstanceOnDisk,
            Self::LegacyNwinfo => M::LegacyNwinfo,
            Self::Invoke(method) => *method,
        })
    }

    /// Whether the step belongs to the live-migration protocol
    /// ([`super::live`]).
    pub(crate) fn is_live(&self) -> bool {
        matches!(
            self,
            Self::LiveCheckDestination
                | Self::LiveCheckSource { .. }
                | Self::PreLiveMigration { .. }
                | Self::LiveMigration { .. }
                | Self::PostLiveMigrationAtDestination { .. }
                | Self::RollbackLiveMigrationAtDestination
                | Self::LiveMigrationAbort
                | Self::LiveMigrationForceComplete
        )
    }

    /// Every single-host step that takes no host index, each slot once.
    pub(crate) fn single_host() -> Vec<Step> {
        let mut all = vec![
            Self::Spawn { power_on: true },
            Self::Spawn { power_on: false },
        ];
        all.extend(
            LifecycleOperation::ALL
                .iter()
                .map(|op| Self::Lifecycle(*op)),
        );
        for slot in 0..SLOTS {
            all.extend([
                Self::AttachVolume(slot),
                Self::DetachVolume(slot),
                Self::SwapVolume(slot),
                Self::AttachInterface(slot),
                Self::DetachInterface(slot),
                Self::SpawnWithVolume(slot),
                Self::AttachSecondVolume(slot),
            ]);
        }
        all.extend([
            Self::InjectRelativeFile,
            Self::PollRebootingInstances,
            Self::SetAdminPassword,
            Self::TriggerCrashDump,
            Self::Snapshot,
            Self::InjectFile,
            Self::ResumeStateOnHostBoot,
            Self::PlugVifs,
            Self::UnplugVifs,
        ]);
        all
    }

    /// [`Step::single_host`] and the live-migration steps of one instance on
    /// its own host (abort and force-complete, with none in progress).
    pub(crate) fn on_one_host() -> Vec<Step> {
        let mut all = Self::single_host();
        all.extend([Self::LiveMigrationAbort, Self::LiveMigrationForceComplete]);
        all
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Spawn { power_on } => write!(f, "spawn power_on={power_on}"),
            Self::Lifecycle(op) => write!(f, "{op}"),
            Self::AttachVolume(n) => write!(f, "attach_volume {}", mountpoint(*n)),
            Self::DetachVolume(n) => write!(f, "detach_volume {}", mountpoint(*n)),
            Self::SwapVolume(n) => write!(f, "swap_volume {}", mountpoint(*n)),
            Self::AttachInterface(n) => write!(f, "attach_interface vif{n}"),
            Self::DetachInterface(n) => write!(f, "detach_interface vif{n}"),
            Self::MigrateDiskAndPowerOff { dest, flavor } => {
                write!(
                    f,
                    "migrate_disk_and_power_off to host {dest}, {}",
                    flavor.name
                )
            }
            Self::FinishMigration {
                source,
                power_on,
                volumes,
            } => {
                write!(
                    f,
                    "finish_migration from host {source} power_on={power_on}, {} volume(s)",
                    volumes.len()
                )
            }
            Self::ConfirmMigration { dest } => write!(f, "confirm_migration to host {dest}"),
            Self::FinishRevertMigration { power_on } => {
                write!(f, "finish_revert_migration power_on={power_on}")
            }
            Self::LiveCheckSource { dest } => {
                write!(f, "check_can_live_migrate_source to host {dest}")
            }
            Self::PreLiveMigration { volumes } => {
                write!(f, "pre_live_migration, {} volume(s)", volumes.len())
            }
            Self::LiveMigration { dest } => write!(f, "live_migration to host {dest}"),
            Self::PostLiveMigrationAtDestination { volumes, vif } => write!(
                f,
                "post_live_migration_at_destination, {} volume(s), vif={vif}",
                volumes.len()
            ),
            // Steps added for volumes/interfaces/consoles/guest/resources
            Self::SpawnWithVolume(n) => write!(f, "spawn with a volume at {}", mountpoint(*n)),
            Self::AttachSecondVolume(n) => {
                write!(f, "attach_volume (a second volume) {}", mountpoint(*n))
            }
            Self::InjectRelativeFile => write!(f, "inject_file of a relative path"),
            // Steps added for host/idempotence/read-only/capability.
            Self::InitHost { .. }
            | Self::HostMaintenanceMode { .. }
            | Self::SetHostEnabled { .. }
            | Self::Invoke(_) => super::host_steps::describe(self, f),
            other => match other.method() {
                Some(method) => write!(f, "{method}"),
                None => write!(f, "{other:?}"),
            },
        }
    }
}

/// One host of a step: its name and backend.
pub(crate) struct Target<'a> {
    /// The names of every host of the case, by index.
    pub(crate) host_names: &'a [String],
    /// The backend the step runs on.
    pub(crate) backend: &'a Backend,
    /// Its index.
    pub(crate) index: usize,
    /// Where `live_migration`'s callbacks are recorded.
    pub(crate) callbacks: &'a Arc<CallbackLog>,
    /// The live-migrate data handed from step to step.
    pub(crate) handed_over: &'a HandedOver,
}

impl Target<'_> {
    /// The name of host `index` (empty for none).
    pub(crate) fn host(&self, index: usize) -> &str {
        self.host_names.get(index).map_or("", String::as_str)
    }
}

/// Calls `step` for `instance` on `target`'s backend.
pub(crate) async fn call(
    target: &Target<'_>,
    instance: &Instance,
    step: &Step,
) -> DriverResult<()> {
    let d: &Arc<dyn ComputeDriver> = &target.backend.driver;
    let ctx = fixtures::context();
    let bdi = fixtures::no_block_devices();
    let spawn_vif = [slot_vif(instance.uuid, 0)];
    let no_vifs: &[Vif] = &[];
    let volume = |n: u8, swapped: bool| -> ConnectionInfo {
        fixtures::volume(&volume_id(instance.uuid, n, swapped))
    };
    match step {
        Step::Spawn { power_on } => {
            d.spawn(
                &ctx,
                instance,
                &fixtures::image(),
                &fixtures::injected_files(),
                Some(fixtures::admin_password()),
                &spawn_vif,
                &bdi,
                *power_on,
            )
            .await
        }
        Step::Lifecycle(op) => lifecycle(target, instance, *op).await,
        Step::AttachVolume(n) => {
            d.attach_volume(&volume(*n, false), instance, &mountpoint(*n))
                .await
        }
        Step::DetachVolume(n) => {
            d.detach_volume(&volume(*n, false), instance, &mountpoint(*n))
                .await
        }
        Step::SwapVolume(n) => {
            d.swap_volume(
                &volume(*n, false),
                &volume(*n, true),
                instance,
                &mountpoint(*n),
                0,
            )
            .await
        }
        Step::AttachInterface(n) => {
            d.attach_interface(instance, &fixtures::image(), &slot_vif(instance.uuid, *n))
                .await
        }
        Step::DetachInterface(n) => {
            d.detach_interface(instance, &slot_vif(instance.uuid, *n))
                .await
        }
        Step::SetAdminPassword => {
            d.set_admin_password(instance, Secret::new(fixtures::NEW_PASSWORD))
                .await
        }
        Step::TriggerCrashDump => d.trigger_crash_dump(instance).await,
        Step::Snapshot => {
            d.snapshot(&ctx, instance, "model-image", Arc::new(|_, _| {}))
                .await
        }
        // "/etc/model" and "model".
        Step::InjectFile => {
            d.inject_file(instance, "L2V0Yy9tb2RlbA==", "bW9kZWw=")
                .await
        }
        Step::ResumeStateOnHostBoot => {
            d.resume_state_on_host_boot(&ctx, instance, &spawn_vif, &bdi)
                .await
        }
        Step::PlugVifs => d.plug_vifs(instance, &spawn_vif).await,
        Step::UnplugVifs => d.unplug_vifs(instance, &spawn_vif).await,
        Step::MigrateDiskAndPowerOff { dest, flavor } => d
            .migrate_disk_and_power_off(&ctx, instance, target.host(*dest), flavor, no_vifs, &bdi)
            .await
            .and_then(|disks| handed_over(instance, &disks)),
        Step::FinishMigration {
            source,
            power_on,
            volumes,
        } => {
            let bdi = with_volumes(volumes);
            let migration = Migration::new(
                instance.uuid,
                target.host(*source),
                target.host(target.index),
            );
            d.finish_migration(
                &ctx,
                &migration,
                instance,
                &Vec::new(),
                &spawn_vif,
                &fixtures::image(),
                true,
                &bdi,
                *power_on,
            )
            .await
        }
        Step::ConfirmMigration { dest } => {
            let migration =
                Migration::new(instance.uuid, target.host(target.index), target.host(*dest));
            d.confirm_migration(&migration, instance, no_vifs).await
        }
        Step::FinishRevertMigration { power_on } => {
            d.finish_revert_migration(instance, &spawn_vif, &bdi, *power_on)
                .await
        }
        // Steps added for volumes/interfaces/consoles/guest/resources
        Step::SpawnWithVolume(_)
        | Step::AttachSecondVolume(_)
        | Step::Console(_)
        | Step::ConsoleOutput
        | Step::InjectRelativeFile
        | Step::PollRebootingInstances => guest_steps::call(d.as_ref(), instance, step).await,
        // Steps added for host/idempotence/read-only/capability.
        Step::InitHost { .. }
        | Step::HostMaintenanceMode { .. }
        | Step::SetHostEnabled { .. }
        | Step::DiskAvailableLeast
        | Step::InstanceOnDisk
        | Step::LegacyNwinfo
        | Step::Invoke(_) => super::host_steps::call(target, instance, step).await,
        _ => super::live_calls::call(target, instance, step).await,
    }
}

/// `migrate_disk_and_power_off`: "returns them as `get_instance_disk_info`
/// reports them (the root disk first, of its current flavor's size)". The
/// suite answers a root disk of another size as a `MigrationFailed` that
/// says so (the step then fails, expecting `Ok`).
fn handed_over(instance: &Instance, disks: &driver_api::DiskInfo) -> DriverResult<()> {
    let root_gb = instance.flavor.root_gb;
    let want = root_gb.saturating_mul(1 << 30);
    match disks.first() {
        _ if root_gb == 0 => Ok(()),
        Some(root) if root.virt_disk_size == want => Ok(()),
        other => Err(DriverError::MigrationFailed {
            instance: instance.uuid,
            reason: format!(
                "(the suite's check) the disks handed over start with {:?}, not a root disk of \
                 {want} bytes (root_gb {root_gb})",
                other.map(|d| d.virt_disk_size)
            ),
        }),
    }
}

async fn lifecycle(
    target: &Target<'_>,
    instance: &Instance,
    op: LifecycleOperation,
) -> DriverResult<()> {
    use LifecycleOperation as Op;
    let d = &target.backend.driver;
    let ctx = fixtures::context();
    let bdi = fixtures::no_block_devices();
    let vifs: &[Vif] = &[];
    match op {
        Op::Pause => d.pause(instance).await,
        Op::Unpause => d.unpause(instance).await,
        Op::Suspend => d.suspend(instance).await,
        Op::Resume => d.resume(instance, vifs, &bdi).await,
        Op::PowerOff => d.power_off(instance, Duration::ZERO).await,
        Op::PowerOn => d.power_on(&ctx, instance, vifs, &bdi).await,
        Op::RebootSoft => d.reboot(&ctx, instance, vifs, RebootType::Soft, &bdi).await,
        Op::RebootHard => d.reboot(&ctx, instance, vifs, RebootType::Hard, &bdi).await,
        Op::Rescue => {
            let password = Secret::new(fixtures::RESCUE_PASSWORD);
            d.rescue(&ctx, instance, vifs, &fixtures::image(), password)
                .await
        }
        Op::Unrescue => d.unrescue(instance, vifs).await,
        Op::SoftDelete => d.soft_delete(instance).await,
        Op::Restore => d.restore(instance).await,
        Op::Destroy => d.destroy(instance, vifs, &bdi, true).await,
        Op::Crash => match &target.backend.hooks {
            Some(hooks) => hooks.crash(instance).await,
            None => Err(crate::actions::no_crash_hook()),
        },
    }
}
