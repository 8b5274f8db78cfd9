//! Per-instance statistics: info, diagnostics, block, interface, bandwidth, volume usage.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::state::PowerState;

/// What `get_info` returns: the power state and flags, plus Grizzly's figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InstanceInfo {
    /// The power state (the hypervisor is the authority).
    pub state: PowerState,
    /// Whether the instance runs from a rescue image.
    pub rescued: bool,
    /// Whether the instance is soft-deleted.
    pub soft_deleted: bool,
    /// Maximum memory in KiB.
    pub max_mem_kb: u64,
    /// Current memory in KiB.
    pub mem_kb: u64,
    /// Virtual CPUs.
    pub num_cpu: u32,
    /// CPU time used, in ns.
    pub cpu_time_ns: u64,
}

impl InstanceInfo {
    /// Info for an instance in `state`, not rescued nor soft-deleted, figures zero.
    pub const fn new(state: PowerState) -> Self {
        Self {
            state,
            rescued: false,
            soft_deleted: false,
            max_mem_kb: 0,
            mem_kb: 0,
            num_cpu: 0,
            cpu_time_ns: 0,
        }
    }

    /// The state and flags as an [`InstanceStatus`](crate::InstanceStatus).
    pub const fn status(&self) -> crate::InstanceStatus {
        crate::InstanceStatus {
            state: self.state,
            rescued: self.rescued,
            soft_deleted: self.soft_deleted,
        }
    }
}

/// Structured diagnostics of one instance (`get_diagnostics`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Diagnostics {
    /// The power state.
    pub state: PowerState,
    /// The driver that produced them.
    pub driver: String,
    /// Seconds since the instance started.
    pub uptime_s: u64,
    /// One entry per vCPU.
    pub cpu_details: Vec<CpuDiagnostics>,
    /// One entry per NIC.
    pub nic_details: Vec<NicDiagnostics>,
    /// One entry per disk. While the guest is `Running` or `Paused` and not
    /// rescued: the root disk `vda` first, then each attached volume named
    /// by its mountpoint's device name (`/dev/sdb` is `sdb`) where the
    /// backend's bus takes that name. In other states a backend may report
    /// none (a stopped guest has no counters to read); while rescued the
    /// rescue disk may take the root disk's name.
    pub disk_details: Vec<DiskDiagnostics>,
    /// Maximum memory in KiB: the instance's size, the same figure as
    /// [`InstanceInfo::max_mem_kb`] (its flavor's memory).
    pub memory_max_kb: u64,
    /// Used memory in KiB.
    pub memory_used_kb: u64,
}

impl Diagnostics {
    /// Diagnostics of an instance in `state` reported by `driver`, with no
    /// details and zero figures, for the backend to fill in (the struct is
    /// `#[non_exhaustive]`).
    pub fn new(state: PowerState, driver: impl Into<String>) -> Self {
        Self {
            state,
            driver: driver.into(),
            uptime_s: 0,
            cpu_details: Vec::new(),
            nic_details: Vec::new(),
            disk_details: Vec::new(),
            memory_max_kb: 0,
            memory_used_kb: 0,
        }
    }
}

/// Per-vCPU diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CpuDiagnostics {
    /// vCPU index.
    pub id: u32,
    /// CPU time in ns.
    pub time_ns: u64,
}

/// Per-NIC diagnostics.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NicDiagnostics {
    /// MAC address.
    pub mac_address: String,
    /// Counters.
    pub stats: InterfaceStats,
}

impl NicDiagnostics {
    /// Diagnostics of the NIC with MAC `mac_address`.
    pub fn new(mac_address: impl Into<String>, stats: InterfaceStats) -> Self {
        Self {
            mac_address: mac_address.into(),
            stats,
        }
    }
}

/// Per-disk diagnostics.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DiskDiagnostics {
    /// Device name.
    pub device: String,
    /// Counters.
    pub stats: BlockStats,
}

impl DiskDiagnostics {
    /// Diagnostics of disk `device`.
    pub fn new(device: impl Into<String>, stats: BlockStats) -> Self {
        Self {
            device: device.into(),
            stats,
        }
    }
}

/// Block device counters (`block_stats`): Nova's five values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockStats {
    /// Read requests.
    pub rd_req: u64,
    /// Bytes read.
    pub rd_bytes: u64,
    /// Write requests.
    pub wr_req: u64,
    /// Bytes written.
    pub wr_bytes: u64,
    /// Errors, when the hypervisor counts them.
    pub errs: Option<u64>,
}

/// Interface counters (`interface_stats`): Nova's eight values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterfaceStats {
    /// Bytes received.
    pub rx_bytes: u64,
    /// Packets received.
    pub rx_packets: u64,
    /// Receive errors.
    pub rx_errs: u64,
    /// Received packets dropped.
    pub rx_drop: u64,
    /// Bytes sent.
    pub tx_bytes: u64,
    /// Packets sent.
    pub tx_packets: u64,
    /// Send errors.
    pub tx_errs: u64,
    /// Sent packets dropped.
    pub tx_drop: u64,
}

/// Bandwidth counters of one VIF (`get_all_bw_counters`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BandwidthCounter {
    /// The instance.
    pub uuid: Uuid,
    /// The VIF's MAC address.
    pub mac_address: String,
    /// Bytes in.
    pub bw_in: u64,
    /// Bytes out.
    pub bw_out: u64,
}

impl BandwidthCounter {
    /// Counters for one VIF.
    pub fn new(uuid: Uuid, mac_address: impl Into<String>, bw_in: u64, bw_out: u64) -> Self {
        Self {
            uuid,
            mac_address: mac_address.into(),
            bw_in,
            bw_out,
        }
    }
}

/// Usage of one attached volume (`get_all_volume_usage`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct VolumeUsage {
    /// The volume id (its connection info's serial, else its mountpoint).
    pub volume: String,
    /// The instance it is attached to.
    pub instance_uuid: Uuid,
    /// Read requests.
    pub rd_req: u64,
    /// Bytes read.
    pub rd_bytes: u64,
    /// Write requests.
    pub wr_req: u64,
    /// Bytes written.
    pub wr_bytes: u64,
}

impl VolumeUsage {
    /// Usage figures of one volume.
    pub fn new(volume: impl Into<String>, instance_uuid: Uuid, stats: BlockStats) -> Self {
        Self {
            volume: volume.into(),
            instance_uuid,
            rd_req: stats.rd_req,
            rd_bytes: stats.rd_bytes,
            wr_req: stats.wr_req,
            wr_bytes: stats.wr_bytes,
        }
    }
}
