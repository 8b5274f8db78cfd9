//! Node resources and host statistics.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An amount of the three resources a spawn claims on a node.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceAmounts {
    /// Virtual CPUs.
    pub vcpus: u64,
    /// Memory in MiB.
    pub memory_mb: u64,
    /// Local disk in GiB.
    pub local_gb: u64,
}

impl ResourceAmounts {
    /// The given amounts.
    pub const fn new(vcpus: u64, memory_mb: u64, local_gb: u64) -> Self {
        Self {
            vcpus,
            memory_mb,
            local_gb,
        }
    }

    /// What a flavor claims: its vCPUs, memory, and root + ephemeral + swap disk.
    pub fn of_flavor(flavor: &crate::Flavor) -> Self {
        Self::new(u64::from(flavor.vcpus), flavor.memory_mb, flavor.disk_gb())
    }

    /// Whether `self` fits in `free`, resource by resource.
    pub fn fits_in(&self, free: &Self) -> bool {
        self.vcpus <= free.vcpus
            && self.memory_mb <= free.memory_mb
            && self.local_gb <= free.local_gb
    }

    /// `self + other`, or `None` when any resource overflows.
    pub fn checked_add(&self, other: &Self) -> Option<Self> {
        Some(Self::new(
            self.vcpus.checked_add(other.vcpus)?,
            self.memory_mb.checked_add(other.memory_mb)?,
            self.local_gb.checked_add(other.local_gb)?,
        ))
    }

    /// `self - other`, or `None` when any resource would go below zero.
    pub fn checked_sub(&self, other: &Self) -> Option<Self> {
        Some(Self::new(
            self.vcpus.checked_sub(other.vcpus)?,
            self.memory_mb.checked_sub(other.memory_mb)?,
            self.local_gb.checked_sub(other.local_gb)?,
        ))
    }

    /// `self + other`, saturating.
    pub fn saturating_add(&self, other: &Self) -> Self {
        Self::new(
            self.vcpus.saturating_add(other.vcpus),
            self.memory_mb.saturating_add(other.memory_mb),
            self.local_gb.saturating_add(other.local_gb),
        )
    }

    /// `self - other`, saturating at zero.
    pub fn saturating_sub(&self, other: &Self) -> Self {
        Self::new(
            self.vcpus.saturating_sub(other.vcpus),
            self.memory_mb.saturating_sub(other.memory_mb),
            self.local_gb.saturating_sub(other.local_gb),
        )
    }
}

/// What `get_available_resource(node)` reports: Nova's every key, typed.
///
/// `*_used` always equals the sum of the claims of the node's instances.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NodeResources {
    /// Total virtual CPUs.
    pub vcpus: u64,
    /// Total memory in MiB.
    pub memory_mb: u64,
    /// Total local disk in GiB.
    pub local_gb: u64,
    /// Claimed virtual CPUs.
    pub vcpus_used: u64,
    /// Claimed memory in MiB.
    pub memory_mb_used: u64,
    /// Claimed local disk in GiB.
    pub local_gb_used: u64,
    /// The hypervisor type (`fake`, `QEMU`, `Test`).
    pub hypervisor_type: String,
    /// The hypervisor version as an integer (Nova's `convert_version_to_int`:
    /// `1.2.3` is `1002003`). Always an integer: Nova bug 1285035.
    pub hypervisor_version: u64,
    /// The node name.
    pub hypervisor_hostname: String,
    /// The host name.
    pub host_hostname: String,
    /// The CPU model and topology.
    pub cpu_info: CpuInfo,
    /// Disk available after overcommitted images grow, in GiB.
    pub disk_available_least: i64,
    /// The (architecture, hypervisor type, VM mode) triples this node can run.
    pub supported_instances: Vec<SupportedInstance>,
    /// The NUMA topology as JSON, if the node reports one.
    pub numa_topology: Option<String>,
    /// The node's stable UUID.
    pub uuid: Uuid,
}

impl NodeResources {
    /// Resources of node `hypervisor_hostname` on `host_hostname` with the given
    /// totals and claims; the other fields start empty (type and version unset,
    /// a 1×1×1 CPU of unknown model, no supported instances, nil UUID) for the
    /// backend to fill in, since the struct is `#[non_exhaustive]`.
    pub fn new(
        hypervisor_hostname: impl Into<String>,
        host_hostname: impl Into<String>,
        total: ResourceAmounts,
        used: ResourceAmounts,
    ) -> Self {
        Self {
            vcpus: total.vcpus,
            memory_mb: total.memory_mb,
            local_gb: total.local_gb,
            vcpus_used: used.vcpus,
            memory_mb_used: used.memory_mb,
            local_gb_used: used.local_gb,
            hypervisor_type: String::new(),
            hypervisor_version: 0,
            hypervisor_hostname: hypervisor_hostname.into(),
            host_hostname: host_hostname.into(),
            cpu_info: CpuInfo::new(
                "",
                "",
                "",
                CpuTopology {
                    sockets: 1,
                    cores: 1,
                    threads: 1,
                },
            ),
            disk_available_least: 0,
            supported_instances: Vec::new(),
            numa_topology: None,
            uuid: Uuid::nil(),
        }
    }

    /// Totals as [`ResourceAmounts`].
    pub fn total(&self) -> ResourceAmounts {
        ResourceAmounts::new(self.vcpus, self.memory_mb, self.local_gb)
    }

    /// Claimed amounts as [`ResourceAmounts`].
    pub fn used(&self) -> ResourceAmounts {
        ResourceAmounts::new(self.vcpus_used, self.memory_mb_used, self.local_gb_used)
    }

    /// Free amounts: total minus used.
    pub fn free(&self) -> ResourceAmounts {
        self.total().saturating_sub(&self.used())
    }
}

/// Nova's `convert_version_to_int`: `"1.2.3"` is `1_002_003`.
///
/// Returns `None` for text that is not dot-separated numbers below 1000.
///
/// ```
/// assert_eq!(driver_api::version_to_int("1.0"), Some(1000));
/// assert_eq!(driver_api::version_to_int("9.0.0"), Some(9_000_000));
/// assert_eq!(driver_api::version_to_int("x"), None);
/// ```
pub fn version_to_int(version: &str) -> Option<u64> {
    version.split('.').try_fold(0u64, |acc, part| {
        let n: u64 = part.parse().ok()?;
        (n < 1000).then(|| acc.checked_mul(1000)?.checked_add(n))?
    })
}

/// CPU model and topology (Nova's `cpu_info`, which it passes as JSON).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CpuInfo {
    /// Architecture, `x86_64`.
    pub arch: String,
    /// Model, `Nehalem`.
    pub model: String,
    /// Vendor, `Intel`.
    pub vendor: String,
    /// CPU feature flags.
    pub features: Vec<String>,
    /// Sockets, cores and threads.
    pub topology: CpuTopology,
}

impl CpuInfo {
    /// A CPU description.
    pub fn new(
        arch: impl Into<String>,
        model: impl Into<String>,
        vendor: impl Into<String>,
        topology: CpuTopology,
    ) -> Self {
        Self {
            arch: arch.into(),
            model: model.into(),
            vendor: vendor.into(),
            features: Vec::new(),
            topology,
        }
    }
}

/// Sockets × cores × threads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CpuTopology {
    /// Sockets.
    pub sockets: u32,
    /// Cores per socket.
    pub cores: u32,
    /// Threads per core.
    pub threads: u32,
}

/// One (architecture, hypervisor type, VM mode) triple a node can run.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SupportedInstance {
    /// `x86_64`.
    pub arch: String,
    /// `fake`, `qemu`.
    pub hypervisor_type: String,
    /// `hvm`.
    pub vm_mode: String,
}

impl SupportedInstance {
    /// A triple.
    pub fn new(
        arch: impl Into<String>,
        hypervisor_type: impl Into<String>,
        vm_mode: impl Into<String>,
    ) -> Self {
        Self {
            arch: arch.into(),
            hypervisor_type: hypervisor_type.into(),
            vm_mode: vm_mode.into(),
        }
    }
}

/// Host statistics for one node (Grizzly's `get_host_stats`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct HostStats {
    /// The node name.
    pub hypervisor_hostname: String,
    /// The host name.
    pub host_hostname: String,
    /// A description of the host.
    pub description: String,
    /// Total host memory in bytes.
    pub host_memory_total: u64,
    /// Memory reserved by the hypervisor, in bytes.
    pub host_memory_overhead: u64,
    /// Free host memory in bytes.
    pub host_memory_free: u64,
    /// Total disk in bytes.
    pub disk_total: u64,
    /// Used disk in bytes.
    pub disk_used: u64,
    /// Available disk in bytes.
    pub disk_available: u64,
    /// The host's IP address.
    pub host_ip_address: String,
    /// Virtual CPUs.
    pub vcpus: u64,
    /// Claimed virtual CPUs.
    pub vcpus_used: u64,
}

impl HostStats {
    /// Statistics of node `hypervisor_hostname` on `host_hostname`, every figure
    /// zero and the text fields empty, for the backend to fill in (the struct is
    /// `#[non_exhaustive]`).
    pub fn new(hypervisor_hostname: impl Into<String>, host_hostname: impl Into<String>) -> Self {
        Self {
            hypervisor_hostname: hypervisor_hostname.into(),
            host_hostname: host_hostname.into(),
            description: String::new(),
            host_memory_total: 0,
            host_memory_overhead: 0,
            host_memory_free: 0,
            disk_total: 0,
            disk_used: 0,
            disk_available: 0,
            host_ip_address: String::new(),
            vcpus: 0,
            vcpus_used: 0,
        }
    }
}

/// Cumulative host CPU times (`get_host_cpu_stats`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct HostCpuStats {
    /// Kernel time in ns.
    pub kernel: u64,
    /// Idle time in ns.
    pub idle: u64,
    /// User time in ns.
    pub user: u64,
    /// I/O wait time in ns.
    pub iowait: u64,
    /// Frequency in MHz.
    pub frequency: u64,
}

impl HostCpuStats {
    /// CPU times and frequency.
    pub const fn new(kernel: u64, idle: u64, user: u64, iowait: u64, frequency: u64) -> Self {
        Self {
            kernel,
            idle,
            user,
            iowait,
            frequency,
        }
    }
}
