//! Volumes and block devices: what is attached where.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How to reach a volume (Nova's `connection_info`), as the volume service returns it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
#[serde(deny_unknown_fields)]
pub struct ConnectionInfo {
    /// The transport: `iscsi`, `rbd`, `fibre_channel`, `local`, ...
    pub driver_volume_type: String,
    /// The volume id (Nova's `serial`).
    pub serial: Option<String>,
    /// Transport-specific data (target portal, IQN, LUN, device path, ...).
    pub data: BTreeMap<String, serde_json::Value>,
}

impl ConnectionInfo {
    /// Connection info for volume `serial` over `driver_volume_type`, with no data.
    pub fn new(driver_volume_type: impl Into<String>, serial: impl Into<String>) -> Self {
        Self {
            driver_volume_type: driver_volume_type.into(),
            serial: Some(serial.into()),
            data: BTreeMap::new(),
        }
    }

    /// Adds a data entry.
    pub fn with_data(mut self, key: impl Into<String>, value: serde_json::Value) -> Self {
        self.data.insert(key.into(), value);
        self
    }
}

/// Block devices of an instance at spawn or migration (Nova's `block_device_info`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BlockDeviceInfo {
    /// The root device name (`/dev/vda`).
    pub root_device_name: Option<String>,
    /// Ephemeral disks.
    pub ephemerals: Vec<EphemeralDisk>,
    /// Volumes to attach.
    pub block_device_mapping: Vec<BlockDeviceMapping>,
    /// The swap disk, if any.
    pub swap: Option<SwapDisk>,
}

/// One volume of a [`BlockDeviceInfo`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BlockDeviceMapping {
    /// How to reach the volume.
    pub connection_info: ConnectionInfo,
    /// Where it appears in the guest (`/dev/vdb`).
    pub mount_device: String,
    /// Delete the volume when the instance is deleted.
    pub delete_on_termination: bool,
}

impl BlockDeviceMapping {
    /// A mapping of `connection_info` at `mount_device`.
    pub fn new(connection_info: ConnectionInfo, mount_device: impl Into<String>) -> Self {
        Self {
            connection_info,
            mount_device: mount_device.into(),
            delete_on_termination: false,
        }
    }
}

/// An ephemeral disk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EphemeralDisk {
    /// Device name in the guest.
    pub device_name: String,
    /// Size in GiB.
    pub size_gb: u64,
}

impl EphemeralDisk {
    /// An ephemeral disk `device_name` of `size_gb` GiB.
    pub fn new(device_name: impl Into<String>, size_gb: u64) -> Self {
        Self {
            device_name: device_name.into(),
            size_gb,
        }
    }
}

/// A swap disk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SwapDisk {
    /// Device name in the guest.
    pub device_name: String,
    /// Size in MiB.
    pub swap_size_mb: u64,
}

impl SwapDisk {
    /// A swap disk `device_name` of `swap_size_mb` MiB.
    pub fn new(device_name: impl Into<String>, swap_size_mb: u64) -> Self {
        Self {
            device_name: device_name.into(),
            swap_size_mb,
        }
    }
}

/// What the volume service needs to export a volume to this host
/// (`get_volume_connector`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct VolumeConnector {
    /// The host's storage IP address.
    pub ip: String,
    /// The iSCSI initiator name.
    pub initiator: String,
    /// The host name.
    pub host: String,
    /// Whether multipath is in use.
    pub multipath: bool,
    /// Fibre Channel WWPNs, if any.
    pub wwpns: Vec<String>,
}

impl VolumeConnector {
    /// A connector for `host` at `ip` with iSCSI `initiator`.
    pub fn new(
        ip: impl Into<String>,
        initiator: impl Into<String>,
        host: impl Into<String>,
    ) -> Self {
        Self {
            ip: ip.into(),
            initiator: initiator.into(),
            host: host.into(),
            multipath: false,
            wwpns: Vec::new(),
        }
    }
}
