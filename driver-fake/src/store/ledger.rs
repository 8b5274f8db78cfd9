//! Nodes and their resource accounting.
//!
//! Every node the driver ever managed has one [`NodeLedger`]: its capacity and
//! the leases the store's shards hold on it; each shard counts its own claims
//! ([`Accounts`]). Ledgers are never dropped while the driver lives, so an
//! instance left on a node that `set_nodes` removed keeps its claim, and the
//! node shows it again when it comes back.
//!
//! Arithmetic here is checked or saturating by intent, never a bare operator
//! (the lint below): a claim that would overflow is refused
//! (`InsufficientResources`), never clamped into a wrong figure. Capacities
//! are at most [`MAX_CAPACITY`] per resource, so every figure a node reports
//! fits an `i64`.
#![deny(clippy::arithmetic_side_effects)]

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use driver_api::{DriverError, DriverResult, ResourceAmounts};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::lock::lock;

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

/// The largest capacity of one resource of one node (`i64::MAX`): larger
/// sizes (from the builder or an import) are clamped to it, so that every
/// figure a node reports (`disk_available_least` is an `i64`) is exact.
pub const MAX_CAPACITY: u64 = i64::MAX.unsigned_abs();

/// `capacity` with each resource clamped to [`MAX_CAPACITY`].
pub(crate) fn clamp_capacity(capacity: ResourceAmounts) -> ResourceAmounts {
    ResourceAmounts::new(
        capacity.vcpus.min(MAX_CAPACITY),
        capacity.memory_mb.min(MAX_CAPACITY),
        capacity.local_gb.min(MAX_CAPACITY),
    )
}

/// The stable UUID of a node: UUID v5 of its name in the DNS namespace.
pub fn node_uuid(name: &str) -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_DNS, name.as_bytes())
}

/// A node's index in its driver's node table (stable for the driver's life);
/// four bytes, as it is kept in every instance record.
pub(crate) type NodeId = u32;

/// Where node `id` sits in tables indexed by node.
#[inline]
pub(crate) fn slot(id: NodeId) -> usize {
    id as usize
}

/// One node: its capacity, and how much of it the store's shards have leased.
///
/// Claims are counted per shard, under the shard's lock ([`Accounts`]); a
/// shard claims from its lease and tops the lease up from the ledger in
/// chunks, so spawns and destroys on different shards share no counter. The
/// ledger's `leased` is the sum of every shard's lease, never above capacity.
#[derive(Debug)]
pub(crate) struct NodeLedger {
    id: NodeId,
    name: Arc<str>,
    capacity: ResourceAmounts,
    chunk: ResourceAmounts,
    leased: Mutex<ResourceAmounts>,
    managed: AtomicBool,
}

impl NodeLedger {
    fn new(id: NodeId, name: &str, capacity: ResourceAmounts, shards: usize) -> Self {
        let capacity = clamp_capacity(capacity);
        let parts = u64::try_from(shards.max(1))
            .unwrap_or(u64::MAX)
            .saturating_mul(4);
        let share = |total: u64| total.checked_div(parts).unwrap_or(0);
        Self {
            id,
            name: Arc::from(name),
            capacity,
            chunk: ResourceAmounts::new(
                share(capacity.vcpus),
                share(capacity.memory_mb),
                share(capacity.local_gb),
            ),
            leased: Mutex::new(ResourceAmounts::default()),
            managed: AtomicBool::new(false),
        }
    }

    /// The node's index in the table.
    pub fn id(&self) -> NodeId {
        self.id
    }

    /// The node's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The node's capacity.
    pub fn capacity(&self) -> ResourceAmounts {
        self.capacity
    }

    /// Whether the driver manages the node now.
    pub fn is_managed(&self) -> bool {
        self.managed.load(Ordering::Relaxed)
    }

    /// `InsufficientResources` for `requested` when `free` is free.
    pub fn insufficient(&self, requested: &ResourceAmounts, free: ResourceAmounts) -> DriverError {
        DriverError::InsufficientResources {
            node: self.name.to_string(),
            requested: *requested,
            free,
        }
    }

    /// Leases at least `deficit` (and up to a chunk more) if that much is not
    /// leased yet; `None` otherwise.
    fn lease(&self, deficit: &ResourceAmounts) -> Option<ResourceAmounts> {
        let mut leased = lock(&self.leased);
        let free = self.capacity.saturating_sub(&leased);
        if !deficit.fits_in(&free) {
            return None;
        }
        // Capped by `free` below: saturating is exact here.
        let wanted = deficit.saturating_add(&self.chunk);
        let grant = ResourceAmounts::new(
            wanted.vcpus.min(free.vcpus),
            wanted.memory_mb.min(free.memory_mb),
            wanted.local_gb.min(free.local_gb),
        );
        // `grant` fits in `free = capacity - leased`: the sum cannot overflow.
        *leased = leased.checked_add(&grant)?;
        Some(grant)
    }

    /// What is not leased to any shard.
    fn unleased(&self) -> ResourceAmounts {
        self.capacity.saturating_sub(&lock(&self.leased))
    }

    fn give_back(&self, amount: &ResourceAmounts) {
        let mut leased = lock(&self.leased);
        *leased = leased.saturating_sub(amount);
    }
}

/// One shard's claims and lease on one node.
#[derive(Clone, Copy, Debug, Default)]
struct Account {
    lease: ResourceAmounts,
    used: ResourceAmounts,
}

/// Why a shard could not claim.
#[derive(Debug)]
pub(crate) enum Shortfall {
    /// The ledger has nothing left to lease, but other shards may hold unused
    /// leases: retry with every shard locked and their leases reclaimed.
    Rebalance(Arc<NodeLedger>),
    /// A definite failure (with every shard locked, or not about resources).
    Failed(DriverError),
}

impl From<DriverError> for Shortfall {
    fn from(error: DriverError) -> Self {
        Self::Failed(error)
    }
}

/// One shard's accounts, by node.
#[derive(Debug, Default)]
pub(crate) struct Accounts(Vec<Account>);

impl Accounts {
    fn account(&mut self, id: NodeId) -> &mut Account {
        let slot = slot(id);
        if self.0.len() <= slot {
            self.0.resize(slot.saturating_add(1), Account::default());
        }
        let last = self.0.len().saturating_sub(1);
        let slot = slot.min(last);
        // Resized above: `slot` is in bounds.
        #[allow(clippy::indexing_slicing)]
        &mut self.0[slot]
    }

    /// What this shard's instances and reservations claim on node `id`.
    pub fn used(&self, id: NodeId) -> ResourceAmounts {
        self.0.get(slot(id)).map(|a| a.used).unwrap_or_default()
    }

    /// Claims `amount` on `ledger`'s node from this shard's lease, topping the
    /// lease up from the ledger. When the ledger has too little: `Rebalance`,
    /// or with `exact` (every shard locked, leases reclaimed) the definite
    /// `InsufficientResources`; an amount that would overflow the node's
    /// figures is `InsufficientResources` at once. Nothing is claimed on
    /// failure.
    #[inline]
    pub fn claim(
        &mut self,
        ledger: &Arc<NodeLedger>,
        amount: &ResourceAmounts,
        exact: bool,
    ) -> Result<(), Shortfall> {
        let account = self.account(ledger.id);
        let Some(needed) = account.used.checked_add(amount) else {
            let free = ledger.capacity.saturating_sub(&account.used);
            return Err(Shortfall::Failed(ledger.insufficient(amount, free)));
        };
        if !needed.fits_in(&account.lease) {
            let deficit = needed.saturating_sub(&account.lease);
            let grant = ledger
                .lease(&deficit)
                .and_then(|grant| account.lease.checked_add(&grant));
            match grant {
                Some(lease) => account.lease = lease,
                None if exact => {
                    let slack = account.lease.saturating_sub(&account.used);
                    let free = ledger.unleased().saturating_add(&slack);
                    return Err(Shortfall::Failed(ledger.insufficient(amount, free)));
                }
                None => return Err(Shortfall::Rebalance(ledger.clone())),
            }
        }
        account.used = needed;
        Ok(())
    }

    /// Releases `amount` on node `id` (its lease stays with the shard).
    #[inline]
    pub fn release(&mut self, id: NodeId, amount: &ResourceAmounts) {
        let account = self.account(id);
        account.used = account.used.saturating_sub(amount);
    }

    /// Claims `amount` back right after releasing it (its lease is still here,
    /// so the sum is what it was: saturating never clamps).
    pub fn restore(&mut self, id: NodeId, amount: &ResourceAmounts) {
        let account = self.account(id);
        account.used = account.used.saturating_add(amount);
    }

    /// Returns this shard's unused lease on `ledger`'s node.
    pub fn reclaim(&mut self, ledger: &NodeLedger) {
        let account = self.account(ledger.id);
        let slack = account.lease.saturating_sub(&account.used);
        ledger.give_back(&slack);
        account.lease = account.used;
    }
}

/// Every node the driver knows, and which of them it manages, in order.
#[derive(Debug)]
pub(crate) struct NodeTable {
    known: HashMap<Arc<str>, Arc<NodeLedger>>,
    by_id: Vec<Arc<NodeLedger>>,
    managed: Vec<Arc<NodeLedger>>,
    shards: usize,
    default_capacity: ResourceAmounts,
    capacities: BTreeMap<String, ResourceAmounts>,
}

impl NodeTable {
    pub fn new(
        default_capacity: ResourceAmounts,
        capacities: BTreeMap<String, ResourceAmounts>,
        shards: usize,
    ) -> Self {
        Self {
            known: HashMap::new(),
            by_id: Vec::new(),
            managed: Vec::new(),
            shards,
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
        // Four billion nodes are out of reach of any test.
        let id = NodeId::try_from(self.by_id.len()).unwrap_or(NodeId::MAX);
        let ledger = Arc::new(NodeLedger::new(id, name, capacity, self.shards));
        self.known.insert(ledger.name.clone(), ledger.clone());
        self.by_id.push(ledger.clone());
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

    /// Every known ledger, in id order.
    pub fn known(&self) -> &[Arc<NodeLedger>] {
        &self.by_id
    }

    /// The ledger of a known node.
    pub fn find(&self, name: &str) -> Option<&Arc<NodeLedger>> {
        self.known.get(name)
    }

    /// Every known node's name, by id.
    pub fn names(&self) -> Vec<Arc<str>> {
        self.by_id.iter().map(|l| l.name.clone()).collect()
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
    /// The node asked for (the ledger's own name, shared: no allocation).
    requested: Option<Arc<str>>,
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
    pub fn resolve_cached<'c>(
        &self,
        cache: &'c mut Option<NodeCache>,
        node: Option<&str>,
    ) -> DriverResult<&'c Arc<NodeLedger>> {
        let generation = self.generation.load(Ordering::Acquire);
        let fresh = cache
            .as_ref()
            .is_some_and(|hit| hit.generation == generation && hit.requested.as_deref() == node);
        if !fresh {
            let ledger = self.read().resolve(node)?;
            *cache = Some(NodeCache {
                generation,
                requested: node.map(|_| ledger.name.clone()),
                ledger,
            });
        }
        match cache {
            Some(hit) => Ok(&hit.ledger),
            None => Err(DriverError::NodeNotFound {
                node: node.unwrap_or_default().to_owned(),
            }),
        }
    }
}
