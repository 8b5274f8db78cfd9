//! Node resources: totals from libvirt's node info (times the allocation
//! ratios) and the configured disk; claims from the driver's index of its domains.

use driver_api::{
    CpuInfo, CpuTopology, DriverError, DriverMethod, DriverResult, NodeResources, ResourceAmounts,
    SupportedInstance,
};
use uuid::Uuid;

use crate::hypervisor::{backend, step_failed, Hypervisor};

impl Hypervisor {
    /// What the node offers.
    pub fn node_totals(&self) -> DriverResult<ResourceAmounts> {
        let info = self.conn().node_info().map_err(step_failed("node_info"))?;
        let scale = |amount: u64, ratio: f64| (amount as f64 * ratio.max(0.0)).floor() as u64;
        Ok(ResourceAmounts::new(
            scale(u64::from(info.cpus), self.config.cpu_allocation_ratio),
            scale(info.memory / 1024, self.config.ram_allocation_ratio),
            self.config.local_gb,
        ))
    }

    /// The sum of the claims of our instances on `node` (from the index) and
    /// of the instances on their way here (live migrations).
    pub fn node_used(&self, node: &str) -> DriverResult<ResourceAmounts> {
        Ok(self
            .index()
            .used(node)
            .saturating_add(&self.live.reserved_on(node)))
    }

    /// Errors with `NodeNotFound` unless this driver manages `node`.
    pub fn check_node(&self, node: &str) -> DriverResult<()> {
        if self.node_list().iter().any(|n| n == node) {
            Ok(())
        } else {
            Err(DriverError::NodeNotFound {
                node: node.to_owned(),
            })
        }
    }

    /// `get_available_resource`.
    pub fn available_resource(&self, node: &str) -> DriverResult<NodeResources> {
        self.check_node(node)?;
        let info = self.conn().node_info().map_err(step_failed("node_info"))?;
        let total = self.node_totals()?;
        let used = self.node_used(node)?;
        let mut resources = NodeResources::new(node, self.host_name.clone(), total, used);
        resources.hypervisor_type = self
            .conn()
            .driver_type()
            .map_err(backend(DriverMethod::GetAvailableResource))?;
        resources.hypervisor_version = self.conn().hyp_version().map(u64::from).unwrap_or(0);
        resources.cpu_info = CpuInfo::new(
            "x86_64",
            info.model,
            "unknown",
            CpuTopology {
                sockets: info.sockets.max(1),
                cores: info.cores.max(1),
                threads: info.threads.max(1),
            },
        );
        resources.disk_available_least =
            i64::try_from(total.local_gb.saturating_sub(used.local_gb)).unwrap_or(i64::MAX);
        let mut types = vec![resources.hypervisor_type.to_lowercase()];
        if !types.contains(&self.config.domain_type) {
            types.push(self.config.domain_type.clone());
        }
        resources.supported_instances = types
            .into_iter()
            .map(|t| SupportedInstance::new("x86_64", t, "hvm"))
            .collect();
        resources.uuid = Uuid::new_v5(
            &Uuid::NAMESPACE_URL,
            format!("libvirt-node:{}/{node}", self.host_name).as_bytes(),
        );
        Ok(resources)
    }
}
