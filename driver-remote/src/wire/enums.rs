//! The model's enums and their `compute.v1` counterparts (carried as `i32`).

use driver_api::{
    ConsoleType, ErrorKind, Feature, HostPowerAction, LifecycleTransition, MigrationStatus,
    PowerState, RebootType, TaskState, VmState,
};

use super::{FromWire, Malformed, ToWire};
use crate::proto;

/// Maps a model enum onto a wire enum, both ways; a value the other side
/// does not know is `UNSPECIFIED` on the way out and [`Malformed`] on the way
/// in.
macro_rules! enum_map {
    ($model:ident, $wire:ident, $field:literal, { $($m:ident <=> $w:ident,)* }) => {
        impl ToWire<i32> for $model {
            fn to_wire(&self) -> i32 {
                #[allow(unreachable_patterns)]
                match self {
                    $($model::$m => proto::$wire::$w as i32,)*
                    _ => proto::$wire::Unspecified as i32,
                }
            }
        }

        impl FromWire<i32> for $model {
            fn from_wire(wire: i32) -> Result<Self, Malformed> {
                match proto::$wire::try_from(wire) {
                    $(Ok(proto::$wire::$w) => Ok($model::$m),)*
                    _ => Err(Malformed::new($field, format!("unknown value {wire}"))),
                }
            }
        }
    };
}

enum_map!(PowerState, PowerState, "power state", {
    NoState <=> NoState,
    Running <=> Running,
    Paused <=> Paused,
    Shutdown <=> Shutdown,
    Crashed <=> Crashed,
    Suspended <=> Suspended,
});

enum_map!(VmState, VmState, "vm state", {
    Active <=> Active,
    Building <=> Building,
    Paused <=> Paused,
    Suspended <=> Suspended,
    Stopped <=> Stopped,
    Rescued <=> Rescued,
    Resized <=> Resized,
    SoftDeleted <=> SoftDeleted,
    Deleted <=> Deleted,
    Error <=> Error,
});

enum_map!(TaskState, TaskState, "task state", {
    Scheduling <=> Scheduling,
    Networking <=> Networking,
    Spawning <=> Spawning,
    ImageSnapshot <=> ImageSnapshot,
    ImagePendingUpload <=> ImagePendingUpload,
    ImageUploading <=> ImageUploading,
    UpdatingPassword <=> UpdatingPassword,
    ResizePrep <=> ResizePrep,
    ResizeMigrating <=> ResizeMigrating,
    ResizeMigrated <=> ResizeMigrated,
    ResizeFinish <=> ResizeFinish,
    ResizeReverting <=> ResizeReverting,
    ResizeConfirming <=> ResizeConfirming,
    Rebooting <=> Rebooting,
    RebootingHard <=> RebootingHard,
    Pausing <=> Pausing,
    Unpausing <=> Unpausing,
    Suspending <=> Suspending,
    Resuming <=> Resuming,
    PoweringOff <=> PoweringOff,
    PoweringOn <=> PoweringOn,
    Rescuing <=> Rescuing,
    Unrescuing <=> Unrescuing,
    Migrating <=> Migrating,
    Deleting <=> Deleting,
    SoftDeleting <=> SoftDeleting,
    Restoring <=> Restoring,
});

enum_map!(MigrationStatus, MigrationStatus, "migration status", {
    Pre <=> Pre,
    Migrating <=> Migrating,
    Finished <=> Finished,
    Confirmed <=> Confirmed,
    Reverted <=> Reverted,
    Cancelled <=> Cancelled,
    Error <=> Error,
});

enum_map!(ConsoleType, ConsoleType, "console type", {
    Vnc <=> Vnc,
    Spice <=> Spice,
    Serial <=> Serial,
});

enum_map!(HostPowerAction, HostPowerAction, "host power action", {
    Startup <=> Startup,
    Shutdown <=> Shutdown,
    Reboot <=> Reboot,
});

enum_map!(RebootType, RebootType, "reboot type", {
    Soft <=> Soft,
    Hard <=> Hard,
});

enum_map!(LifecycleTransition, LifecycleTransition, "lifecycle transition", {
    Started <=> Started,
    Stopped <=> Stopped,
    Paused <=> Paused,
    Resumed <=> Resumed,
    Suspended <=> Suspended,
    PostcopyStarted <=> PostcopyStarted,
    MigrationCompleted <=> MigrationCompleted,
});

enum_map!(Feature, Feature, "feature", {
    PowerControl <=> PowerControl,
    Reboot <=> Reboot,
    Pause <=> Pause,
    Suspend <=> Suspend,
    Rescue <=> Rescue,
    SoftDelete <=> SoftDelete,
    Snapshot <=> Snapshot,
    Volumes <=> Volumes,
    Interfaces <=> Interfaces,
    VifPlugging <=> VifPlugging,
    VncConsole <=> VncConsole,
    SpiceConsole <=> SpiceConsole,
    ConsoleOutput <=> ConsoleOutput,
    ConsolePool <=> ConsolePool,
    LiveMigration <=> LiveMigration,
    ColdMigration <=> ColdMigration,
    FileInjection <=> FileInjection,
    AdminPassword <=> AdminPassword,
    Firewall <=> Firewall,
    HostPower <=> HostPower,
    HostMaintenance <=> HostMaintenance,
    HostEnable <=> HostEnable,
    Diagnostics <=> Diagnostics,
    DiskInfo <=> DiskInfo,
    UsageCounters <=> UsageCounters,
    HostStats <=> HostStats,
    HostBootRecovery <=> HostBootRecovery,
    CrashDump <=> CrashDump,
    SerialConsole <=> SerialConsole,
});

enum_map!(ErrorKind, ErrorKind, "error kind", {
    InstanceNotFound <=> InstanceNotFound,
    InstanceExists <=> InstanceExists,
    InstanceNotRunning <=> InstanceNotRunning,
    InvalidState <=> InvalidState,
    NotSupported <=> NotSupported,
    ReadOnly <=> ReadOnly,
    InsufficientResources <=> InsufficientResources,
    NodeNotFound <=> NodeNotFound,
    DeviceBusy <=> DeviceBusy,
    VolumeNotFound <=> VolumeNotFound,
    InterfaceAttachFailed <=> InterfaceAttachFailed,
    InterfaceDetachFailed <=> InterfaceDetachFailed,
    MigrationFailed <=> MigrationFailed,
    InvalidInput <=> InvalidInput,
    Timeout <=> Timeout,
    Unavailable <=> Unavailable,
    Backend <=> Backend,
});
