//! The instance store: sharded maps keyed by UUID, a sharded name index, and
//! per-shard event queues.
//!
//! Lock order, everywhere: one UUID shard, then one name shard, then a node
//! ledger. Nothing awaits while holding a lock, and no listener runs under one.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::{Mutex, MutexGuard, PoisonError};

use driver_api::{EventSlot, LifecycleEvent};
use uuid::Uuid;

use crate::compact::Name;
use crate::ledger::NodeCache;
use crate::record::{IncomingMigration, InstanceRecord};

/// A fast, non-cryptographic hasher (FxHash's mixing step) for UUIDs and names.
///
/// The fake is a test double: hash flooding is not a threat it has to resist.
#[derive(Default, Clone, Copy)]
pub(crate) struct FastHasher(u64);

const MIX: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FastHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(MIX);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
}

pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// Hashes UUIDs so that the bucket index follows the UUID's low bits while the
/// 7-bit tag (the top bits) is mixed: random (v4) UUIDs spread as well as with
/// any hash, and runs of sequential UUIDs land in neighbouring buckets, so
/// walking them in order stays in cache.
#[derive(Default, Clone, Copy)]
pub(crate) struct UuidHasher(u64);

const LOW_57: u64 = (1 << 57) - 1;

impl Hasher for UuidHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        if let Ok(raw) = <[u8; 16]>::try_from(bytes) {
            let (hi, lo) = Uuid::from_bytes(raw).as_u64_pair();
            let tag = (lo ^ hi).wrapping_mul(MIX).wrapping_mul(MIX);
            self.0 = ((lo ^ hi.rotate_left(32)) & LOW_57) | (tag & !LOW_57);
        } else {
            let mut fallback = FastHasher(self.0);
            fallback.write(bytes);
            self.0 = fallback.0;
        }
    }

    #[inline]
    fn write_usize(&mut self, _length: usize) {}
}

/// Maps keyed by UUID.
pub(crate) type UuidMap<V> = HashMap<Uuid, V, BuildHasherDefault<UuidHasher>>;

/// Instance names to UUIDs (one shard of the index).
pub(crate) type NameIndex = FastMap<Name, Uuid>;

/// Locks a mutex, recovering from poisoning (a panicking listener or callback
/// never runs under one of our locks, so poisoning means a bug elsewhere; the
/// data is still consistent because every change is made in one step).
#[inline]
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One shard of instances.
#[derive(Default)]
pub(crate) struct Shard {
    /// The instances of this shard.
    pub instances: UuidMap<InstanceRecord>,
    /// Live migrations reserved here by `pre_live_migration`, not yet arrived.
    pub incoming: UuidMap<IncomingMigration>,
    /// The last node a spawn here resolved.
    pub node_cache: Option<NodeCache>,
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

    /// Queues an event; returns whether the caller must drain the queue (no
    /// other caller is draining it).
    #[inline]
    pub fn queue(&mut self, event: LifecycleEvent) -> bool {
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
pub(crate) struct Store {
    shards: Box<[Padded<Mutex<Shard>>]>,
    names: Box<[Padded<Mutex<NameIndex>>]>,
    mask: usize,
}

impl Store {
    /// A store with `shards` shards (rounded up to a power of two, at least 1).
    pub fn new(shards: usize) -> Self {
        let count = shards.max(1).next_power_of_two();
        Self {
            shards: (0..count).map(|_| Padded::default()).collect(),
            names: (0..count).map(|_| Padded::default()).collect(),
            mask: count - 1,
        }
    }

    /// The number of shards.
    pub fn shard_count(&self) -> usize {
        self.shards.len()
    }

    /// The shard index of a UUID: random for random UUIDs; runs of 4096
    /// sequential UUIDs share a shard (see [`UuidHasher`]), so callers working
    /// on disjoint runs rarely meet on a lock.
    #[inline]
    pub fn shard_of(&self, uuid: &Uuid) -> usize {
        let (hi, lo) = uuid.as_u64_pair();
        ((lo >> 12) ^ hi ^ (hi >> 29)) as usize & self.mask
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

    #[inline]
    fn name_shard_of(&self, name: &str) -> usize {
        let mut hasher = FastHasher::default();
        name.hash(&mut hasher);
        (hasher.finish() >> 40) as usize & self.mask
    }

    /// Locks the name-index shard holding `name`.
    #[inline]
    pub fn lock_name(&self, name: &str) -> MutexGuard<'_, NameIndex> {
        lock(&self.names[self.name_shard_of(name)].0)
    }

    /// The UUID of the instance named `name`, if any.
    pub fn uuid_of_name(&self, name: &str) -> Option<Uuid> {
        self.lock_name(name).get(name).copied()
    }

    /// Delivers every queued event of shard `index`, in order, outside the lock.
    ///
    /// Called by the caller that found the queue idle; events queued meanwhile
    /// by other callers (or by the listener itself) are delivered by this loop.
    pub fn drain(&self, index: usize, slot: &EventSlot) {
        loop {
            let event = {
                let mut shard = self.lock_shard(index);
                match shard.events.pop_front() {
                    Some(event) => event,
                    None => {
                        shard.draining = false;
                        return;
                    }
                }
            };
            slot.emit(event);
        }
    }

    /// Visits every shard in turn (locked one at a time).
    pub fn for_each_shard(&self, mut visit: impl FnMut(&mut Shard)) {
        for index in 0..self.shards.len() {
            visit(&mut self.lock_shard(index));
        }
    }
}
