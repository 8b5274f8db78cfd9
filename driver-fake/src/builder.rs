//! The builder: nodes, sizes, read-only, capabilities, a waiting live migration.

use std::collections::BTreeMap;
use std::sync::Arc;

use driver_api::{Capabilities, ResourceAmounts};
use virtapi::VirtAPI;

use crate::fake_driver::FakeDriver;
pub use crate::store::MAX_SHARDS;
use crate::store::{NodeSize, NodeTable, Nodes, Store};

/// The default node list (Nova's `['fake-mini']`).
pub const DEFAULT_NODE: &str = "fake-mini";

/// The host name before `init_host`.
pub const DEFAULT_HOST: &str = "fake-host";

/// How many shards the instance store has unless told otherwise.
pub const DEFAULT_SHARDS: usize = 64;

/// The largest capacity hint: [`FakeDriverBuilder::expected_instances`]
/// clamps to it (more instances still fit; only the up-front sizing stops).
pub const MAX_EXPECTED_INSTANCES: usize = 1 << 24;

/// Builds a [`FakeDriver`].
///
/// Absurd sizes never panic: the shard count and the capacity hint are
/// clamped ([`MAX_SHARDS`], [`MAX_EXPECTED_INSTANCES`]), and so is each
/// resource of a node's capacity ([`MAX_CAPACITY`](crate::MAX_CAPACITY)).
///
/// ```
/// use driver_api::{Capabilities, Feature};
/// use driver_fake::{FakeDriver, NodeSize};
///
/// let driver = FakeDriver::builder()
///     .host("compute-1")
///     .nodes(["node-a", "node-b"])
///     .node_size(NodeSize::Medium)
///     .capabilities(Capabilities::all().without(Feature::SpiceConsole))
///     .build();
/// assert_eq!(driver.nodes(), ["node-a", "node-b"]);
/// assert_eq!(driver.capacity("node-a").map(|c| c.vcpus), Some(10));
/// ```
#[derive(Debug)]
pub struct FakeDriverBuilder {
    host: String,
    nodes: Vec<String>,
    size: NodeSize,
    capacities: BTreeMap<String, ResourceAmounts>,
    read_only: bool,
    capabilities: Capabilities,
    live_migration_waits: bool,
    shards: usize,
    expected_instances: usize,
    virtapi: Option<Arc<dyn VirtAPI>>,
}

impl Default for FakeDriverBuilder {
    fn default() -> Self {
        Self {
            host: DEFAULT_HOST.to_owned(),
            nodes: vec![DEFAULT_NODE.to_owned()],
            size: NodeSize::Default,
            capacities: BTreeMap::new(),
            read_only: false,
            capabilities: Capabilities::all(),
            live_migration_waits: false,
            shards: DEFAULT_SHARDS,
            expected_instances: 0,
            virtapi: None,
        }
    }
}

impl FakeDriverBuilder {
    /// The host name (until `init_host` changes it). Default `fake-host`.
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = host.into();
        self
    }

    /// The managed nodes, and the list `restore_nodes` returns to. Default
    /// `["fake-mini"]`.
    pub fn nodes<I, S>(mut self, nodes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.nodes = nodes.into_iter().map(Into::into).collect();
        self
    }

    /// The capacity of every node (default: Nova's 1000 / 800000 / 600000).
    pub fn node_size(mut self, size: NodeSize) -> Self {
        self.size = size;
        self
    }

    /// The capacity of one node, overriding [`node_size`](Self::node_size).
    pub fn node_capacity(mut self, node: impl Into<String>, capacity: ResourceAmounts) -> Self {
        self.capacities.insert(node.into(), capacity);
        self
    }

    /// Opens the driver read-only (Nova's `read_only=True`).
    pub fn read_only(mut self, read_only: bool) -> Self {
        self.read_only = read_only;
        self
    }

    /// What the driver declares (default [`Capabilities::all`]). Methods of an
    /// undeclared feature answer `NotSupported`.
    pub fn capabilities(mut self, capabilities: Capabilities) -> Self {
        self.capabilities = capabilities;
        self
    }

    /// Nova's `FakeLiveMigrateDriver`: `live_migration` waits until
    /// `live_migration_force_complete` (it completes) or
    /// `live_migration_abort` (it recovers with status `Cancelled`), at most
    /// [`LIVE_MIGRATION_WAIT_LIMIT`](crate::LIVE_MIGRATION_WAIT_LIMIT), after
    /// which it completes. The wait is a tokio timer.
    pub fn live_migration_waits(mut self, waits: bool) -> Self {
        self.live_migration_waits = waits;
        self
    }

    /// How many shards the instance store has (rounded up to a power of two;
    /// at least 1, at most [`MAX_SHARDS`]).
    pub fn shards(mut self, shards: usize) -> Self {
        self.shards = shards.clamp(1, MAX_SHARDS);
        self
    }

    /// Sizes the store for about `instances` instances up front, so that
    /// filling it does not pay for growing it (a capacity hint: more still
    /// fit). At most [`MAX_EXPECTED_INSTANCES`]; memory the system refuses
    /// is simply not reserved.
    pub fn expected_instances(mut self, instances: usize) -> Self {
        self.expected_instances = instances.min(MAX_EXPECTED_INSTANCES);
        self
    }

    /// The VirtAPI the driver calls back into (default: a fresh
    /// [`FakeVirtAPI`](crate::FakeVirtAPI)).
    pub fn virtapi(mut self, virtapi: Arc<dyn VirtAPI>) -> Self {
        self.virtapi = Some(virtapi);
        self
    }

    /// Builds the driver.
    pub fn build(self) -> FakeDriver {
        let store = Store::new(self.shards, self.expected_instances);
        let mut table = NodeTable::new(self.size.capacity(), self.capacities, store.shard_count());
        table.set_managed(&self.nodes);
        FakeDriver::assemble(
            store,
            Nodes::new(table),
            self.nodes,
            self.host,
            self.read_only,
            self.capabilities,
            self.live_migration_waits,
            self.virtapi
                .unwrap_or_else(|| Arc::new(crate::FakeVirtAPI::new())),
        )
    }
}

impl FakeDriver {
    /// A builder with Nova's defaults.
    pub fn builder() -> FakeDriverBuilder {
        FakeDriverBuilder::default()
    }

    /// A driver with Nova's defaults: one node `fake-mini` of 1000 vCPU /
    /// 800000 MiB / 600000 GiB, every capability, writable, no faults.
    pub fn new() -> Self {
        Self::builder().build()
    }
}

impl Default for FakeDriver {
    fn default() -> Self {
        Self::new()
    }
}
