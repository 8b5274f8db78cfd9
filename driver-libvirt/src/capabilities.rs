//! What each kind of connection honestly supports.

use driver_api::{Capabilities, Feature};

use crate::config::LibvirtConfig;
use crate::hypervisor::HypervisorKind;

/// The features every libvirt connection offers: the lifecycle table, internal
/// snapshots and files recorded in metadata.
const LIFECYCLE: [Feature; 8] = [
    Feature::PowerControl,
    Feature::Reboot,
    Feature::Pause,
    Feature::Suspend,
    Feature::Rescue,
    Feature::SoftDelete,
    Feature::Snapshot,
    Feature::FileInjection,
];

/// The capabilities of a connection of `kind`.
///
/// `test:///` cannot hot-plug devices or open consoles, so it declares no
/// volumes, interfaces or consoles. QEMU adds SCSI volumes, the serial console
/// log and (when configured) VNC.
pub fn for_connection(kind: HypervisorKind, config: &LibvirtConfig) -> Capabilities {
    let mut caps = Capabilities::none();
    for feature in LIFECYCLE {
        caps = caps.with(feature);
    }
    if kind == HypervisorKind::Qemu {
        caps = caps.with(Feature::Volumes).with(Feature::ConsoleOutput);
        if config.vnc {
            caps = caps.with(Feature::VncConsole);
        }
    }
    caps
}
