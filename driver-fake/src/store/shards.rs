//! The shards: maps keyed by UUID, a sharded name index, and per-shard event
//! queues.
//!
//! Lock order, everywhere: UUID shards (several only through `lock_all`, in
//! index order), then one name shard, then a node ledger, then the node table.
//! No shard is locked while the node table is held. Nothing awaits while
//! holding a lock, and no listener runs under one.

// Sums of claims and sizes are checked or saturating by intent, never a bare
// operator.
#![deny(clippy::arithmetic_side_effects)]

use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasherDefault;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use driver_api::{EventSlot, LifecycleEvent};
use uuid::Uuid;

use super::arena::{NameArena, NameSpan};
use super::hashing::{uuid_hash, UuidHasher};
use super::ledger::{Accounts, NodeCache, NodeId};
use super::lock::lock;
use super::names::{NameIndex, NameKey};
use super::record::{IncomingMigration, InstanceRecord};

/// The most shards a store has: [`FakeDriverBuilder::shards`](crate::FakeDriverBuilder::shards)
/// clamps to it.
pub const MAX_SHARDS: usize = 1 << 12;

/// Maps keyed by UUID.
pub(crate) type UuidMap<V> = HashMap<Uuid, V, BuildHasherDefault<UuidHasher>>;

/// One shard of instances.
#[derive(Default)]
pub(crate) struct Shard {
    /// The instances of this shard.
    pub instances: UuidMap<InstanceRecord>,
    /// The names of this shard's instances (records keep spans into it).
    pub name_text: NameArena,
    /// Live migrations reserved here by `pre_live_migration`, not yet arrived.
    pub incoming: UuidMap<IncomingMigration>,
    /// The last node a spawn here resolved.
    pub node_cache: Option<NodeCache>,
    /// This shard's claims and leases, by node.
    pub accounts: Accounts,
    /// Events of changes made here, waiting for delivery.
    pub queue: EventQueue,
}

/// One shard's events, queued under its lock and delivered after it.
#[derive(Default)]
pub(crate) struct EventQueue {
    events: VecDeque<LifecycleEvent>,
    draining: bool,
}

impl Shard {
    /// Whether the UUID is taken here (an instance or an incoming migration).
    #[inline]
    pub fn holds(&self, uuid: &Uuid) -> bool {
        self.instances.contains_key(uuid)
            || (!self.incoming.is_empty() && self.incoming.contains_key(uuid))
    }

    /// Forgets the name of a record just removed from `instances`.
    #[inline]
    pub fn forget_name(&mut self, span: NameSpan) {
        if self.name_text.release(span) {
            let Self {
                instances,
                name_text,
                ..
            } = self;
            name_text.compact(instances.values_mut().map(|record| &mut record.name));
        }
    }
}

impl EventQueue {
    /// Queues an event; returns whether the caller must drain the queue (no
    /// other caller is draining it).
    #[inline]
    pub fn push(&mut self, event: LifecycleEvent) -> bool {
        self.events.push_back(event);
        if self.draining {
            false
        } else {
            self.draining = true;
            true
        }
    }
}

#[repr(align(128))]
#[derive(Default)]
struct Padded<T>(T);

/// The instances of one driver, in shards, with the name index beside them.
pub(crate) struct Shards {
    shards: Box<[Padded<Mutex<Shard>>]>,
    names: Box<[Padded<Mutex<NameIndex>>]>,
    mask: usize,
    /// Where the next walk over every shard starts (see
    /// [`for_each_shard`](Self::for_each_shard)).
    walks: Padded<AtomicUsize>,
}

impl Shards {
    /// A store with `shards` shards (rounded up to a power of two, at least 1).
    /// Each shard's maps are sized for an even share of `expected` instances
    /// in all (sequential keys gather by runs and grow the shards they land
    /// in, see [`super::hashing`]).
    pub fn new(shards: usize, expected: usize) -> Self {
        let count = shards.clamp(1, MAX_SHARDS).next_power_of_two();
        // An even share, with room for the spread of random keys (four
        // standard deviations): with random (v4) UUIDs no shard grows. Sizing
        // every shard for a whole run of sequential keys instead was measured
        // to cost 3x the resident memory with random UUIDs; sequential keys
        // now grow the few shards their runs land in.
        let share = expected.checked_div(count).unwrap_or(0);
        let per_shard = if expected == 0 {
            0
        } else {
            share
                .saturating_add(share.isqrt().saturating_mul(4))
                .saturating_add(1)
        };
        Self {
            shards: (0..count)
                .map(|_| {
                    let mut shard = Shard::default();
                    // A hint: memory the system refuses is not reserved.
                    let _ = shard.instances.try_reserve(per_shard);
                    Padded(Mutex::new(shard))
                })
                .collect(),
            names: (0..count)
                .map(|_| {
                    let mut names = NameIndex::default();
                    names.try_reserve(per_shard);
                    Padded(Mutex::new(names))
                })
                .collect(),
            mask: count.saturating_sub(1),
            walks: Padded(AtomicUsize::new(0)),
        }
    }

    /// The number of shards.
    pub fn shard_count(&self) -> usize {
        self.shards.len()
    }

    /// The shard index of a UUID (see [`super::hashing`]).
    #[inline]
    pub fn shard_of(&self, uuid: &Uuid) -> usize {
        (uuid_hash(uuid).run >> 40) as usize & self.mask
    }

    /// Locks shard `index`.
    #[inline]
    pub fn lock_shard(&self, index: usize) -> MutexGuard<'_, Shard> {
        lock(&self.shards[index & self.mask].0)
    }

    /// Locks the shard of `uuid`, returning its index too.
    #[inline]
    pub fn lock_uuid(&self, uuid: &Uuid) -> (usize, MutexGuard<'_, Shard>) {
        let index = self.shard_of(uuid);
        (index, self.lock_shard(index))
    }

    /// Locks the name-index shard holding `key`.
    #[inline]
    pub fn lock_name(&self, key: &NameKey<'_>) -> MutexGuard<'_, NameIndex> {
        lock(&self.names[(key.hash.run >> 40) as usize & self.mask].0)
    }

    /// The UUID of the instance named `name`, if any.
    pub fn uuid_of_name(&self, name: &str) -> Option<Uuid> {
        let key = NameKey::new(name);
        self.lock_name(&key).get(&key)
    }

    /// Frees `name` if it names `uuid`.
    #[inline]
    pub fn release_name(&self, name: &str, uuid: Uuid) {
        let key = NameKey::new(name);
        self.lock_name(&key).remove_if(&key, uuid);
    }

    /// Delivers every queued event of shard `index`, in order, outside the lock.
    ///
    /// Called by the caller that found the queue idle; events queued meanwhile
    /// by other callers (or by the listener itself) are delivered by this loop.
    pub fn drain(&self, index: usize, slot: &EventSlot) {
        loop {
            let event = {
                let mut shard = self.lock_shard(index);
                match shard.queue.events.pop_front() {
                    Some(event) => event,
                    None => {
                        shard.queue.draining = false;
                        return;
                    }
                }
            };
            slot.emit(event);
        }
    }

    /// Locks every shard, in index order (the only way to hold more than one).
    pub fn lock_all(&self) -> Vec<MutexGuard<'_, Shard>> {
        (0..self.shards.len()).map(|i| self.lock_shard(i)).collect()
    }

    /// What is claimed on node `id`, summed over every shard at one instant.
    pub fn used(&self, id: NodeId) -> driver_api::ResourceAmounts {
        // Each shard's used figure is within its lease and the leases sum to
        // at most the node's capacity: saturating never clamps here.
        self.lock_all()
            .iter()
            .fold(Default::default(), |sum, shard| {
                sum.saturating_add(&shard.accounts.used(id))
            })
    }

    /// Visits every shard in turn (locked one at a time), in index order.
    pub fn for_each_shard(&self, mut visit: impl FnMut(&mut Shard)) {
        for index in 0..self.shards.len() {
            visit(&mut self.lock_shard(index));
        }
    }

    /// [`for_each_shard`](Self::for_each_shard) for the listings, whose order
    /// is unspecified: successive walks start half the shards apart, so that
    /// two callers listing at once do not queue behind each other shard after
    /// shard.
    pub fn for_each_shard_staggered(&self, mut visit: impl FnMut(&mut Shard)) {
        let count = self.shards.len();
        let start = self
            .walks
            .0
            .fetch_add(1, Ordering::Relaxed)
            .wrapping_mul(count.checked_div(2).unwrap_or(0).saturating_add(1));
        for step in 0..count {
            visit(&mut self.lock_shard(start.wrapping_add(step)));
        }
    }
}
