//! Cold and live migration records.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A cold migration or resize in progress (Nova's `migration`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Migration {
    /// The migration's id.
    pub id: Uuid,
    /// The instance being moved.
    pub instance_uuid: Uuid,
    /// The source compute host.
    pub source_compute: String,
    /// The destination compute host.
    pub dest_compute: String,
    /// The source node.
    pub source_node: Option<String>,
    /// The destination node.
    pub dest_node: Option<String>,
    /// Where the migration stands.
    pub status: MigrationStatus,
}

impl Migration {
    /// A migration of `instance_uuid` from `source` to `dest`, status `Migrating`.
    pub fn new(instance_uuid: Uuid, source: impl Into<String>, dest: impl Into<String>) -> Self {
        Self {
            id: Uuid::new_v4(),
            instance_uuid,
            source_compute: source.into(),
            dest_compute: dest.into(),
            source_node: None,
            dest_node: None,
            status: MigrationStatus::Migrating,
        }
    }

    /// Sets the destination node.
    pub fn with_dest_node(mut self, node: impl Into<String>) -> Self {
        self.dest_node = Some(node.into());
        self
    }

    /// Whether source and destination are the same host (a same-host resize).
    pub fn is_same_host(&self) -> bool {
        self.source_compute == self.dest_compute
    }
}

/// Where a migration stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MigrationStatus {
    /// Requested.
    Pre,
    /// Disks moving.
    Migrating,
    /// Finished on the destination, awaiting confirm or revert.
    Finished,
    /// Confirmed.
    Confirmed,
    /// Reverted.
    Reverted,
    /// Cancelled (a live migration aborted).
    Cancelled,
    /// Failed.
    Error,
}

/// One disk of an instance (`get_instance_disk_info`, and what
/// `migrate_disk_and_power_off` hands to `finish_migration`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InstanceDisk {
    /// Path of the disk on the host.
    pub path: String,
    /// `qcow2`, `raw`, ...
    pub disk_type: String,
    /// Virtual size in bytes.
    pub virt_disk_size: u64,
    /// Bytes used on the host.
    pub disk_size: u64,
    /// The backing file, if the disk is a copy-on-write overlay.
    pub backing_file: Option<String>,
    /// Bytes the disk may still grow by beyond what it uses.
    pub over_committed_disk_size: u64,
}

impl InstanceDisk {
    /// A disk at `path` of `disk_type` with virtual size `virt_disk_size` bytes,
    /// fully allocated.
    pub fn new(path: impl Into<String>, disk_type: impl Into<String>, virt_disk_size: u64) -> Self {
        Self {
            path: path.into(),
            disk_type: disk_type.into(),
            virt_disk_size,
            disk_size: virt_disk_size,
            backing_file: None,
            over_committed_disk_size: 0,
        }
    }
}

/// The disks of one instance.
pub type DiskInfo = Vec<InstanceDisk>;

/// What the live-migration checks hand on, step to step (Nova's `LiveMigrateData`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LiveMigrateData {
    /// The source host.
    pub source_host: Option<String>,
    /// The destination host.
    pub dest_host: String,
    /// Whether disks are copied (no shared storage).
    pub block_migration: bool,
    /// Whether the destination may overcommit disk.
    pub disk_over_commit: bool,
    /// Free disk on the destination, in MiB.
    pub disk_available_mb: u64,
    /// Whether block storage is shared between the hosts.
    pub is_shared_block_storage: bool,
    /// Whether the instance path is shared between the hosts.
    pub is_shared_instance_path: bool,
    /// A token file the destination wrote for the shared-storage check.
    pub filename: String,
    /// What the destination's driver tells its counterpart on the source,
    /// by key (Nova's driver-specific `LiveMigrateData` fields): opaque to
    /// the caller, which hands the data on from step to step unchanged. The
    /// libvirt driver puts the destination's domain name, instance directory
    /// and console port here in `pre_live_migration`.
    #[serde(default)]
    pub driver_data: BTreeMap<String, String>,
}

impl LiveMigrateData {
    /// Check data for a migration to `dest_host`.
    pub fn new(dest_host: impl Into<String>) -> Self {
        Self {
            source_host: None,
            dest_host: dest_host.into(),
            block_migration: false,
            disk_over_commit: false,
            disk_available_mb: 0,
            is_shared_block_storage: true,
            is_shared_instance_path: true,
            filename: String::new(),
            driver_data: BTreeMap::new(),
        }
    }
}
