//! What each kind of connection honestly supports.

use driver_api::{Capabilities, Feature};

use crate::config::LibvirtConfig;
use crate::hypervisor::HypervisorKind;

/// The features every libvirt connection offers: the lifecycle table, internal
/// snapshots, files recorded in metadata, libvirt's statistics and disk facts,
/// recovery after a host reboot, and VIF plugging (the taps follow the guest:
/// see the `vifs` module).
const EVERY_CONNECTION: [Feature; 14] = [
    Feature::PowerControl,
    Feature::Reboot,
    Feature::Pause,
    Feature::Suspend,
    Feature::Rescue,
    Feature::SoftDelete,
    Feature::Snapshot,
    Feature::FileInjection,
    Feature::Diagnostics,
    Feature::UsageCounters,
    Feature::ColdMigration,
    Feature::DiskInfo,
    Feature::HostBootRecovery,
    Feature::VifPlugging,
];

/// The capabilities of a connection of `kind`.
///
/// `test:///` cannot hot-plug devices or open consoles, so it declares no
/// volumes, interfaces or consoles. QEMU adds SCSI volumes, the serial console
/// log, (when configured) VNC, SPICE and a TCP serial console, and, when the hypervisor runs on this machine
/// (`local`), host statistics (CPU times and uptime come from `/proc`); with
/// at least one live-migration peer configured, live migration.
pub fn for_connection(kind: HypervisorKind, local: bool, config: &LibvirtConfig) -> Capabilities {
    let mut caps = Capabilities::none();
    for feature in EVERY_CONNECTION {
        caps = caps.with(feature);
    }
    if kind == HypervisorKind::Qemu {
        caps = caps
            .with(Feature::Volumes)
            .with(Feature::ConsoleOutput)
            .with(Feature::CrashDump);
        if config.vnc {
            caps = caps.with(Feature::VncConsole);
        }
        if config.spice {
            caps = caps.with(Feature::SpiceConsole);
        }
        if config.serial_console {
            caps = caps.with(Feature::SerialConsole);
        }
        if local {
            caps = caps.with(Feature::HostStats);
        }
        if !config.live_migration_peers.is_empty() {
            caps = caps.with(Feature::LiveMigration);
        }
    }
    caps
}
