//! The fake's instance store, behind one door: the operations below are all
//! the rest of the crate does with instances, their names and their claims.
//!
//! - [`Store::read`], [`Store::read_named`], [`Store::by_name`],
//!   [`Store::contains`], [`Store::holds`]: look one instance up;
//! - [`Store::update`]: change one record, the change handing back the one
//!   event it emits (if any);
//! - [`Store::insert`]: a new instance with its name and its claim;
//! - [`Store::update_claim`]: a record whose claim changes;
//! - [`Store::remove`]: an instance, its name and its claim;
//! - [`Store::reserve`], [`Store::arrive`], [`Store::cancel_reservation`]:
//!   a live migration's reservation, its arrival, its rollback;
//! - [`Store::scan`], [`Store::scan_incoming`], [`Store::used`],
//!   [`Store::count`]: walks and sums.
//!
//! Every operation locks what it needs, runs the caller's step on the record,
//! queues the step's event (a step emits at most one: it returns it, there is
//! no outbox to build), unlocks, then delivers: listeners never run under a
//! lock, and the events of one instance leave in the order its changes
//! happened.
//!
//! Behind the door: shards of records keyed by UUID with their event queues
//! (`shards`), each shard's names in one buffer (`arena`), the sharded name
//! index (`names`) keyed by `hashing`'s hashes, compact names and VIFs
//! (`compact`), the nodes and their leases (`ledger`), and the record itself
//! (`record`). Lock order: a UUID shard (several only to decide a claim
//! exactly, all in index order), then one name shard, then a node ledger, then
//! the node table.

mod arena;
mod claims;
mod compact;
mod hashing;
mod ledger;
mod lock;
mod names;
mod record;
mod shards;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use driver_api::{
    DriverError, DriverResult, EventListener, EventSlot, InstanceRef, InstanceStatus,
    LifecycleEvent, LifecycleTransition, PowerState, ResourceAmounts,
};
use uuid::Uuid;

pub(crate) use compact::{Name, Port, Ports};
pub use ledger::{node_uuid, NodeSize, MAX_CAPACITY};
pub(crate) use ledger::{slot, NodeLedger, NodeTable, Nodes};
pub(crate) use lock::lock;
pub(crate) use record::{
    render_console, ConsoleRing, IncomingMigration, InstanceExtras, InstanceRecord,
};
pub use record::{
    ColdMigrationMark, ConsoleEntry, FakeInstance, FakeInterface, CONSOLE_BANNER, CONSOLE_LOG_LIMIT,
};
pub use shards::MAX_SHARDS;

use shards::{EventQueue, Shard, Shards};

/// The instances of one driver and the events of their changes.
pub(crate) struct Store {
    shards: Shards,
    events: EventSlot,
    listening: AtomicBool,
}

/// A new instance, as `spawn`, `finish_migration` and an import hand it to
/// [`Store::insert`].
pub(crate) struct NewInstance<'a> {
    pub uuid: Uuid,
    pub name: &'a str,
    pub node: NodeChoice<'a>,
    pub claim: ResourceAmounts,
    /// The root disk's size in GiB (the flavor's `root_gb`).
    pub root_gb: u64,
    pub running: bool,
    pub interfaces: Ports,
    pub extras: Option<Box<InstanceExtras>>,
    pub admin_password_set: bool,
}

/// Where a new instance lands.
pub(crate) enum NodeChoice<'a> {
    /// This ledger, already resolved.
    Resolved(Arc<NodeLedger>),
    /// The instance's node if given (must be managed), else the first node.
    Requested(Option<&'a str>),
}

/// The instances of one shard, as [`Store::scan`] shows them.
pub(crate) struct Listing<'a> {
    shard: &'a Shard,
}

impl<'a> Listing<'a> {
    /// How many instances this shard holds.
    #[inline]
    pub fn len(&self) -> usize {
        self.shard.instances.len()
    }

    /// Each instance: its UUID, its record, its name.
    #[inline]
    pub fn iter(&self) -> impl Iterator<Item = (&'a Uuid, &'a InstanceRecord, &'a str)> + 'a {
        let text = &self.shard.name_text;
        self.shard
            .instances
            .iter()
            .map(move |(uuid, record)| (uuid, record, text.get(record.name)))
    }
}

/// In which order [`Store::scan`] walks the shards.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Walk {
    /// Index order.
    InOrder,
    /// Successive walks start half the shards apart (for the listings, whose
    /// order is unspecified: two callers listing at once do not queue behind
    /// each other shard after shard).
    Staggered,
}

/// `InstanceExists` for a UUID.
fn exists(uuid: Uuid) -> DriverError {
    DriverError::InstanceExists {
        instance: uuid.into(),
    }
}

/// `InstanceExists` for a name.
fn name_exists(name: &str) -> DriverError {
    DriverError::InstanceExists {
        instance: InstanceRef::Name(name.to_owned()),
    }
}

// Sums of claims are checked or saturating by intent, never a bare operator.
#[deny(clippy::arithmetic_side_effects)]
impl Store {
    /// A store with `shards` shards (rounded up to a power of two, at least 1),
    /// sized for `expected` instances.
    pub fn new(shards: usize, expected: usize) -> Self {
        Self {
            shards: Shards::new(shards, expected),
            events: EventSlot::default(),
            listening: AtomicBool::new(false),
        }
    }

    /// The number of shards.
    pub fn shard_count(&self) -> usize {
        self.shards.shard_count()
    }

    /// Registers (or, with `None`, removes) the event listener.
    pub fn listen(&self, listener: Option<EventListener>) {
        self.listening.store(listener.is_some(), Ordering::Release);
        self.events.register(listener);
    }

    /// Emits `event` to the listener now (`emit_event`).
    pub fn emit(&self, event: LifecycleEvent) {
        self.events.emit(event);
    }

    /// Delivers shard `index`'s queued events if the step asked to (no lock
    /// held).
    #[inline]
    fn deliver(&self, index: usize, drain: bool) {
        if drain {
            self.shards.drain(index, &self.events);
        }
    }

    /// Queues a step's `event` for `uuid` on its locked shard's `queue`, to
    /// leave once the store unlocks (nothing when there is no event or no
    /// listener). Whether the caller must then [`deliver`](Self::deliver).
    #[inline]
    fn queue(
        &self,
        uuid: &Uuid,
        queue: &mut EventQueue,
        event: Option<LifecycleTransition>,
    ) -> bool {
        match event {
            Some(event) => {
                self.listening.load(Ordering::Acquire)
                    && queue.push(LifecycleEvent::new(*uuid, event))
            }
            None => false,
        }
    }

    /// `read` on the record of `uuid`; `InstanceNotFound` if absent.
    #[inline]
    pub fn read<R>(&self, uuid: Uuid, read: impl FnOnce(&InstanceRecord) -> R) -> DriverResult<R> {
        let (_, shard) = self.shards.lock_uuid(&uuid);
        match shard.instances.get(&uuid) {
            Some(record) => Ok(read(record)),
            None => Err(DriverError::instance_not_found(uuid)),
        }
    }

    /// `read` on the record of `uuid` and its name; `None` if absent.
    pub fn read_named<R>(
        &self,
        uuid: Uuid,
        read: impl FnOnce(&InstanceRecord, &str) -> R,
    ) -> Option<R> {
        let (_, shard) = self.shards.lock_uuid(&uuid);
        shard
            .instances
            .get(&uuid)
            .map(|record| read(record, shard.name_text.get(record.name)))
    }

    /// Whether an instance `uuid` is here.
    #[inline]
    pub fn contains(&self, uuid: Uuid) -> bool {
        self.shards.lock_uuid(&uuid).1.instances.contains_key(&uuid)
    }

    /// Whether `uuid` is taken here: an instance or a reservation.
    pub fn holds(&self, uuid: Uuid) -> bool {
        self.shards.lock_uuid(&uuid).1.holds(&uuid)
    }

    /// The UUID of the instance named `name`, if any.
    #[inline]
    pub fn uuid_of_name(&self, name: &str) -> Option<Uuid> {
        self.shards.uuid_of_name(name)
    }

    /// `read` on the instance named `name` (its UUID and record);
    /// `InstanceNotFound` (by name) if absent.
    pub fn by_name<R>(
        &self,
        name: &str,
        read: impl FnOnce(Uuid, &InstanceRecord) -> R,
    ) -> DriverResult<R> {
        let missing = || DriverError::InstanceNotFound {
            instance: InstanceRef::Name(name.to_owned()),
        };
        let uuid = self.uuid_of_name(name).ok_or_else(missing)?;
        let (_, shard) = self.shards.lock_uuid(&uuid);
        match shard.instances.get(&uuid) {
            Some(record) if shard.name_text.get(record.name) == name => Ok(read(uuid, record)),
            _ => Err(missing()),
        }
    }

    /// Runs `change` on the record of `uuid` under its shard's lock; `change`
    /// returns its value and the one event it emits (`None`: none), which
    /// leaves after unlocking. An error from `change` emits nothing.
    /// `InstanceNotFound` if absent.
    #[inline]
    pub fn update<R>(
        &self,
        uuid: Uuid,
        change: impl FnOnce(&mut InstanceRecord) -> DriverResult<(R, Option<LifecycleTransition>)>,
    ) -> DriverResult<R> {
        let (index, mut guard) = self.shards.lock_uuid(&uuid);
        let shard = &mut *guard;
        let record = shard
            .instances
            .get_mut(&uuid)
            .ok_or_else(|| DriverError::instance_not_found(uuid))?;
        let (value, event) = change(record)?;
        let drain = self.queue(&uuid, &mut shard.queue, event);
        drop(guard);
        self.deliver(index, drain);
        Ok(value)
    }

    /// Removes the instance `uuid` (its record, name and claim) if `decide`,
    /// shown the record and its name, allows it, emitting the event it names
    /// after unlocking (the record is dropped then too). Whether there was
    /// such an instance.
    #[inline]
    pub fn remove(
        &self,
        uuid: Uuid,
        decide: impl FnOnce(&InstanceRecord, &str) -> DriverResult<Option<LifecycleTransition>>,
    ) -> DriverResult<bool> {
        let (index, mut guard) = self.shards.lock_uuid(&uuid);
        let shard = &mut *guard;
        let event = match shard.instances.get(&uuid) {
            Some(record) => decide(record, shard.name_text.get(record.name))?,
            None => return Ok(false),
        };
        let Some(record) = shard.instances.remove(&uuid) else {
            return Ok(false);
        };
        self.shards
            .release_name(shard.name_text.get(record.name), uuid);
        shard.forget_name(record.name);
        shard.accounts.release(record.node, &record.claim);
        let drain = self.queue(&uuid, &mut shard.queue, event);
        drop(guard);
        self.deliver(index, drain);
        drop(record);
        Ok(true)
    }

    /// Turns the reservation of `uuid` into a `Running` instance (emitting
    /// `Started`), its VIFs and extras from `finish`. `Ok(false)` if there is
    /// no reservation; `InstanceExists` if the instance is already here.
    pub fn arrive(
        &self,
        uuid: Uuid,
        finish: impl FnOnce(IncomingMigration) -> (Ports, Option<Box<InstanceExtras>>),
    ) -> DriverResult<bool> {
        let (index, mut guard) = self.shards.lock_uuid(&uuid);
        let shard = &mut *guard;
        if shard.instances.contains_key(&uuid) {
            return Err(exists(uuid));
        }
        let Some(incoming) = shard.incoming.remove(&uuid) else {
            return Ok(false);
        };
        let name = shard.name_text.push(incoming.name.as_str());
        let (node, claim, root_gb) = (incoming.node, incoming.claim, incoming.root_gb);
        let (interfaces, extras) = finish(incoming);
        let mut console = ConsoleRing::default();
        console.push(ConsoleEntry::Started);
        shard.instances.insert(
            uuid,
            InstanceRecord {
                name,
                node,
                claim,
                root_gb,
                interfaces,
                extras,
                console,
                status: InstanceStatus::new(PowerState::Running),
                admin_password_set: false,
            },
        );
        let drain = self.queue(&uuid, &mut shard.queue, Some(LifecycleTransition::Started));
        drop(guard);
        self.deliver(index, drain);
        Ok(true)
    }

    /// Releases the reservation of `uuid` (its name and claim), if any.
    pub fn cancel_reservation(&self, uuid: Uuid) {
        let (_, mut shard) = self.shards.lock_uuid(&uuid);
        if let Some(incoming) = shard.incoming.remove(&uuid) {
            self.shards.release_name(incoming.name.as_str(), uuid);
            shard.accounts.release(incoming.node, &incoming.claim);
        }
    }

    /// Shows every shard's instances to `visit`, one shard locked at a time.
    #[inline]
    pub fn scan(&self, walk: Walk, mut visit: impl FnMut(Listing<'_>)) {
        let mut each = |shard: &mut Shard| visit(Listing { shard });
        match walk {
            Walk::InOrder => self.shards.for_each_shard(&mut each),
            Walk::Staggered => self.shards.for_each_shard_staggered(&mut each),
        }
    }

    /// Shows every reservation to `visit`, one shard locked at a time.
    pub fn scan_incoming(&self, mut visit: impl FnMut(&Uuid, &IncomingMigration)) {
        self.shards.for_each_shard(|shard| {
            for (uuid, incoming) in &shard.incoming {
                visit(uuid, incoming);
            }
        });
    }

    /// What is claimed on node `ledger`, summed over every shard at one instant.
    pub fn used(&self, ledger: &NodeLedger) -> ResourceAmounts {
        self.shards.used(ledger.id())
    }

    /// The number of instances.
    pub fn count(&self) -> usize {
        let mut total = 0usize;
        self.shards
            .for_each_shard(|shard| total = total.saturating_add(shard.instances.len()));
        total
    }
}
