//! Nodes and their resource accounting.
//!
//! Every node the driver ever managed has one [`NodeLedger`]: its capacity and
//! what is claimed on it. Ledgers are never dropped while the driver lives, so
//! an instance left on a node that `set_nodes` removed keeps its claim, and the
//! node shows it again when it comes back.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use driver_api::{DriverError, DriverResult, ResourceAmounts};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::store::lock;

/// The capacity of a fake node: Nova's presets or any size.
///
/// ```
/// use driver_fake::NodeSize;
/// assert_eq!(NodeSize::Small.capacity().vcpus, 2);
/// assert_eq!(NodeSize::default().capacity().memory_mb, 800_000);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeSize {
    /// Nova's `FakeDriver`: 1000 vCPU, 800000 MiB, 600000 GiB.
    #[default]
    Default,
    /// Nova's `SmallFakeDriver`: 2 vCPU, 8192 MiB, 1028 GiB.
    Small,
    /// Nova's `MediumFakeDriver`: 10 vCPU, 8192 MiB, 1028 GiB.
    Medium,
    /// Any size.
    Custom(ResourceAmounts),
}

impl NodeSize {
    /// The capacity this size stands for.
    pub const fn capacity(self) -> ResourceAmounts {
        match self {
            Self::Default => ResourceAmounts::new(1000, 800_000, 600_000),
            Self::Small => ResourceAmounts::new(2, 8192, 1028),
            Self::Medium => ResourceAmounts::new(10, 8192, 1028),
            Self::Custom(amounts) => amounts,
        }
    }
}

/// The stable UUID of a node: UUID v5 of its name in the DNS namespace.
pub fn node_uuid(name: &str) -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_DNS, name.as_bytes())
}

/// One node's capacity and claims.
#[derive(Debug)]
pub(crate) struct NodeLedger {
    name: Arc<str>,
    capacity: ResourceAmounts,
    used: Mutex<ResourceAmounts>,
    managed: AtomicBool,
}

impl NodeLedger {
    fn new(name: &str, capacity: ResourceAmounts) -> Self {
        Self {
            name: Arc::from(name),
            capacity,
            used: Mutex::new(ResourceAmounts::default()),
            managed: AtomicBool::new(false),
        }
    }

    /// The node's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The node's capacity.
    pub fn capacity(&self) -> ResourceAmounts {
        self.capacity
    }

    /// What is claimed now.
    pub fn used(&self) -> ResourceAmounts {
        *lock(&self.used)
    }

    /// Whether the driver manages the node now.
    pub fn is_managed(&self) -> bool {
        self.managed.load(Ordering::Relaxed)
    }

    /// Whether `amount` would fit now.
    pub fn fits(&self, amount: &ResourceAmounts) -> DriverResult<()> {
        let used = lock(&self.used);
        self.check(&used, amount)
    }

    fn check(&self, used: &ResourceAmounts, amount: &ResourceAmounts) -> DriverResult<()> {
        let free = self.capacity.saturating_sub(used);
        if amount.fits_in(&free) {
            Ok(())
        } else {
            Err(DriverError::InsufficientResources {
                node: self.name.to_string(),
                requested: *amount,
                free,
            })
        }
    }

    /// Claims `amount`, or refuses with `InsufficientResources` claiming nothing.
    #[inline]
    pub fn claim(&self, amount: &ResourceAmounts) -> DriverResult<()> {
        let mut used = lock(&self.used);
        self.check(&used, amount)?;
        *used = used.saturating_add(amount);
        Ok(())
    }

    /// Releases `amount`.
    #[inline]
    pub fn release(&self, amount: &ResourceAmounts) {
        let mut used = lock(&self.used);
        *used = used.saturating_sub(amount);
    }

    /// Replaces a claim of `old` by `new` in one step (a same-host resize).
    pub fn swap_claim(&self, old: &ResourceAmounts, new: &ResourceAmounts) -> DriverResult<()> {
        let mut used = lock(&self.used);
        let without = used.saturating_sub(old);
        self.check(&without, new)?;
        *used = without.saturating_add(new);
        Ok(())
    }
}

/// Every node the driver knows, and which of them it manages, in order.
#[derive(Debug)]
pub(crate) struct NodeTable {
    known: HashMap<Arc<str>, Arc<NodeLedger>>,
    managed: Vec<Arc<NodeLedger>>,
    default_capacity: ResourceAmounts,
    capacities: BTreeMap<String, ResourceAmounts>,
}

impl NodeTable {
    pub fn new(
        default_capacity: ResourceAmounts,
        capacities: BTreeMap<String, ResourceAmounts>,
    ) -> Self {
        Self {
            known: HashMap::new(),
            managed: Vec::new(),
            default_capacity,
            capacities,
        }
    }

    /// The ledger of `name`, created (unmanaged) if new.
    pub fn ledger(&mut self, name: &str) -> Arc<NodeLedger> {
        if let Some(ledger) = self.known.get(name) {
            return ledger.clone();
        }
        let capacity = self
            .capacities
            .get(name)
            .copied()
            .unwrap_or(self.default_capacity);
        let ledger = Arc::new(NodeLedger::new(name, capacity));
        self.known.insert(ledger.name.clone(), ledger.clone());
        ledger
    }

    /// Makes `nodes` the managed list, in order (duplicates dropped).
    pub fn set_managed(&mut self, nodes: &[String]) {
        for ledger in &self.managed {
            ledger.managed.store(false, Ordering::Relaxed);
        }
        let mut managed = Vec::with_capacity(nodes.len());
        for name in nodes {
            let ledger = self.ledger(name);
            if !ledger.managed.swap(true, Ordering::Relaxed) {
                managed.push(ledger);
            }
        }
        self.managed = managed;
    }

    /// The managed ledgers, in order.
    pub fn managed(&self) -> &[Arc<NodeLedger>] {
        &self.managed
    }

    /// Every known ledger, by name.
    pub fn known(&self) -> impl Iterator<Item = &Arc<NodeLedger>> {
        self.known.values()
    }

    /// The managed ledger of `name`, if managed.
    pub fn managed_ledger(&self, name: &str) -> Option<&Arc<NodeLedger>> {
        self.known.get(name).filter(|l| l.is_managed())
    }

    /// The ledger an instance lands on: its node if given (must be managed),
    /// else the first managed node.
    #[inline]
    pub fn resolve(&self, node: Option<&str>) -> DriverResult<Arc<NodeLedger>> {
        match node {
            Some(name) => {
                self.managed_ledger(name)
                    .cloned()
                    .ok_or_else(|| DriverError::NodeNotFound {
                        node: name.to_owned(),
                    })
            }
            None => self
                .managed
                .first()
                .cloned()
                .ok_or_else(|| DriverError::NodeNotFound {
                    node: String::new(),
                }),
        }
    }
}

/// A shard's memo of its last node resolution, valid while the managed list
/// keeps the same generation: spawns skip the node table's lock.
#[derive(Debug)]
pub(crate) struct NodeCache {
    generation: u64,
    requested: Option<Box<str>>,
    ledger: Arc<NodeLedger>,
}

/// The node table behind a lock, with a generation bumped on every change of
/// the managed list.
#[derive(Debug)]
pub(crate) struct Nodes {
    table: RwLock<NodeTable>,
    generation: AtomicU64,
}

impl Nodes {
    pub fn new(table: NodeTable) -> Self {
        Self {
            table: RwLock::new(table),
            generation: AtomicU64::new(0),
        }
    }

    #[inline]
    pub fn read(&self) -> RwLockReadGuard<'_, NodeTable> {
        self.table
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn write(&self) -> RwLockWriteGuard<'_, NodeTable> {
        self.table
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Makes `nodes` the managed list and invalidates every [`NodeCache`].
    pub fn set_managed(&self, nodes: &[String]) {
        let mut table = self.write();
        table.set_managed(nodes);
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// [`NodeTable::resolve`], through the caller's cache.
    #[inline]
    pub fn resolve_cached(
        &self,
        cache: &mut Option<NodeCache>,
        node: Option<&str>,
    ) -> DriverResult<Arc<NodeLedger>> {
        let generation = self.generation.load(Ordering::Acquire);
        if let Some(hit) = cache.as_ref() {
            if hit.generation == generation && hit.requested.as_deref() == node {
                return Ok(hit.ledger.clone());
            }
        }
        let ledger = self.read().resolve(node)?;
        *cache = Some(NodeCache {
            generation,
            requested: node.map(Box::from),
            ledger: ledger.clone(),
        });
        Ok(ledger)
    }
}
