//! Host and node operations: nodes, resources, statistics, host actions.
//!
//! Figures are summed checked (a total beyond its type is an error) or
//! saturating by intent, never with a bare operator.
#![deny(clippy::arithmetic_side_effects)]

use std::net::{IpAddr, Ipv4Addr};

use driver_api::{
    CpuInfo, CpuTopology, DriverError, DriverMethod, DriverResult, HostCpuStats, HostPowerAction,
    HostStats, HostStatus, MaintenanceMode, NodeResources, SupportedInstance, VolumeConnector,
};

use uuid::Uuid;

use crate::fake_driver::FakeDriver;
use crate::store::{lock, node_uuid, NodeLedger};

/// `hypervisor_type` of every fake node.
pub const HYPERVISOR_TYPE: &str = "fake";

/// `hypervisor_version` of every fake node (`1.0` as Nova's integer).
pub const HYPERVISOR_VERSION: u64 = 1000;

/// What `get_host_ip_addr` answers.
pub const HOST_IP: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 168, 0, 1));

const MIB: u64 = 1024 * 1024;
const GIB: u64 = 1024 * MIB;

/// The CPU every fake node reports: Nova's Nehalem, 4 sockets × 1 core × 1 thread.
pub fn fake_cpu_info() -> CpuInfo {
    let mut cpu = CpuInfo::new(
        "x86_64",
        "Nehalem",
        "Intel",
        CpuTopology {
            sockets: 4,
            cores: 1,
            threads: 1,
        },
    );
    cpu.features = vec!["pge".to_owned(), "clflush".to_owned()];
    cpu
}

impl FakeDriver {
    /// `init_host`: the node list becomes `[host]` (`fake-mini` for `compute`).
    pub(crate) fn init_host_now(&self, host: &str) -> DriverResult<()> {
        check_host(DriverMethod::InitHost, host)?;
        let node = if host == "compute" {
            crate::builder::DEFAULT_NODE
        } else {
            host
        };
        *self
            .host
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = host.to_owned();
        self.nodes.set_managed(&[node.to_owned()]);
        Ok(())
    }

    /// The managed ledgers (copied out, so no shard is locked under the table).
    fn managed_ledgers(&self) -> Vec<std::sync::Arc<NodeLedger>> {
        self.nodes.read().managed().to_vec()
    }

    /// `get_available_resource`: `NodeNotFound` for an unmanaged node.
    pub(crate) fn resources_now(&self, node: &str) -> DriverResult<NodeResources> {
        let ledger = self
            .nodes
            .read()
            .managed_ledger(node)
            .cloned()
            .ok_or_else(|| DriverError::NodeNotFound {
                node: node.to_owned(),
            })?;
        Ok(self.resources_of(&ledger))
    }

    fn resources_of(&self, ledger: &NodeLedger) -> NodeResources {
        let used = self.store.used(ledger);
        let total = ledger.capacity();
        let mut resources = NodeResources::new(ledger.name(), self.host(), total, used);
        resources.hypervisor_type = HYPERVISOR_TYPE.to_owned();
        resources.hypervisor_version = HYPERVISOR_VERSION;
        resources.cpu_info = fake_cpu_info();
        resources.disk_available_least =
            i64::try_from(total.local_gb.saturating_sub(used.local_gb)).unwrap_or(i64::MAX);
        resources.supported_instances =
            vec![SupportedInstance::new("x86_64", HYPERVISOR_TYPE, "hvm")];
        resources.uuid = node_uuid(ledger.name());
        resources
    }

    /// `get_disk_available_least`: free disk over the managed nodes, in GiB;
    /// `Backend` when the total does not fit an `i64` (checked, never wrapped
    /// nor clamped).
    pub(crate) fn disk_available_least_now(&self) -> DriverResult<i64> {
        let overflow = || DriverError::Backend {
            driver: crate::fake_driver::DRIVER_NAME,
            method: DriverMethod::GetDiskAvailableLeast,
            message: "the free disk of the managed nodes does not fit an i64".to_owned(),
            source: None,
        };
        let mut free: u64 = 0;
        for ledger in self.managed_ledgers() {
            let used = self.store.used(&ledger);
            let node_free = ledger.capacity().local_gb.saturating_sub(used.local_gb);
            free = free.checked_add(node_free).ok_or_else(overflow)?;
        }
        i64::try_from(free).map_err(|_| overflow())
    }

    /// `get_host_stats`: one entry per managed node, figures from its ledger.
    pub(crate) fn host_stats_now(&self) -> Vec<HostStats> {
        let host = self.host();
        self.managed_ledgers()
            .iter()
            .map(|ledger| {
                let total = ledger.capacity();
                let used = self.store.used(ledger);
                let mut stats = HostStats::new(ledger.name(), host.clone());
                stats.description = "Fake Host".to_owned();
                stats.host_memory_total = total.memory_mb.saturating_mul(MIB);
                stats.host_memory_overhead = 0;
                stats.host_memory_free = total
                    .memory_mb
                    .saturating_sub(used.memory_mb)
                    .saturating_mul(MIB);
                stats.disk_total = total.local_gb.saturating_mul(GIB);
                stats.disk_used = used.local_gb.saturating_mul(GIB);
                stats.disk_available = total
                    .local_gb
                    .saturating_sub(used.local_gb)
                    .saturating_mul(GIB);
                stats.host_ip_address = HOST_IP.to_string();
                stats.vcpus = total.vcpus;
                stats.vcpus_used = used.vcpus;
                stats
            })
            .collect()
    }

    /// `get_host_cpu_stats`: Nova's fake figures.
    pub(crate) fn host_cpu_stats_now(&self) -> HostCpuStats {
        HostCpuStats::new(
            5_664_160_000_000,
            1_592_705_190_000_000,
            26_728_850_000_000,
            6_121_490_000_000,
            800,
        )
    }

    /// `get_volume_connector`: this host's connector (any instance, present or
    /// not: Nova asks before the instance exists).
    pub(crate) fn volume_connector_now(&self, _instance: Uuid) -> DriverResult<VolumeConnector> {
        Ok(VolumeConnector::new("127.0.0.1", "fake", self.host()))
    }

    /// `set_host_enabled` (`InvalidInput` for a bad host name).
    pub(crate) fn set_enabled_now(&self, host: &str, enabled: bool) -> DriverResult<HostStatus> {
        check_host(DriverMethod::SetHostEnabled, host)?;
        lock(&self.host_flags).enabled = enabled;
        Ok(if enabled {
            HostStatus::Enabled
        } else {
            HostStatus::Disabled
        })
    }

    /// `host_maintenance_mode` (`InvalidInput` for a bad host name).
    pub(crate) fn maintenance_now(&self, host: &str, on: bool) -> DriverResult<MaintenanceMode> {
        check_host(DriverMethod::HostMaintenanceMode, host)?;
        lock(&self.host_flags).maintenance = on;
        Ok(if on {
            MaintenanceMode::OnMaintenance
        } else {
            MaintenanceMode::OffMaintenance
        })
    }

    /// `host_power_action`: the action performed (`InvalidInput` for a bad
    /// host name).
    pub(crate) fn power_action_now(
        &self,
        host: &str,
        action: HostPowerAction,
    ) -> DriverResult<HostPowerAction> {
        check_host(DriverMethod::HostPowerAction, host)?;
        Ok(action)
    }

    /// Whether the host is enabled for new instances (`set_host_enabled`).
    pub fn host_enabled(&self) -> bool {
        lock(&self.host_flags).enabled
    }

    /// Whether the host is in maintenance (`host_maintenance_mode`).
    pub fn in_maintenance(&self) -> bool {
        lock(&self.host_flags).maintenance
    }
}

/// `InvalidInput` for a host name that breaks [`driver_api::validate::HOST_RULE`].
fn check_host(method: DriverMethod, host: &str) -> DriverResult<()> {
    driver_api::validate::host_name("host", host).map_err(|v| v.into_error(method))
}
