//! The stable names a step gives its arguments: each slot's mountpoint,
//! volume id and VIF, derived from the instance's UUID so that a replay names
//! the same devices and ports.

use driver_api::{BlockDeviceInfo, BlockDeviceMapping, Vif};
use uuid::Uuid;

use crate::fixtures;

/// The mountpoint of volume slot `n` (`/dev/sdb`, `/dev/sdc`, ...): SCSI
/// names, which a backend on a SCSI bus (libvirt's) keeps as the guest's
/// device names, so `get_diagnostics` names the disk after it everywhere.
pub(crate) fn mountpoint(n: u8) -> String {
    format!("/dev/sd{}", char::from(b'b'.saturating_add(n)))
}

/// The volume id (serial) at slot `n` of `instance` before (`swapped` false)
/// or after a swap. Each instance has volumes of its own, as Nova attaches a
/// (non-multiattach) volume to one instance at a time: a real hypervisor
/// refuses a second writer on one backing file.
pub(crate) fn volume_id(instance: Uuid, n: u8, swapped: bool) -> String {
    let owner = &instance.simple().to_string()[..8];
    if swapped {
        format!("vol-{owner}-{n}-swapped")
    } else {
        format!("vol-{owner}-{n}")
    }
}

/// The VIF of slot `n` of `instance`: a stable id and MAC derived from the
/// instance's UUID, so a replay names the same ports.
pub(crate) fn slot_vif(instance: Uuid, n: u8) -> Vif {
    let id = Uuid::from_u128(instance.as_u128() ^ (u128::from(n) + 1) << 120);
    fixtures::vif_with_id(id)
}

/// A `block_device_info` with `volumes` (mountpoint, volume id) attached.
pub(crate) fn with_volumes(volumes: &[(String, String)]) -> BlockDeviceInfo {
    let mut bdi = fixtures::no_block_devices();
    bdi.block_device_mapping = volumes
        .iter()
        .map(|(at, id)| BlockDeviceMapping::new(fixtures::volume(id), at.clone()))
        .collect();
    bdi
}
