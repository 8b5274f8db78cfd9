//! `FakeDriver`: its state and the core steps every method is made of.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use driver_api::{
    transition, Capabilities, DriverError, DriverMethod, DriverResult, EventListener, EventSlot,
    InstanceRef, InstanceStatus, LifecycleEvent, LifecycleOperation, LifecycleTransition, Outcome,
    ResourceAmounts,
};
use tokio::sync::oneshot;
use uuid::Uuid;
use virtapi::VirtAPI;

use crate::compact::Ports;
use crate::ledger::{NodeId, Shortfall};
use crate::ledger::{NodeLedger, Nodes};
use crate::names::NameKey;
use crate::record::{ConsoleEntry, ConsoleRing, InstanceExtras, InstanceRecord};
use crate::store::{lock, Shard, Store};

/// What `live_migration_force_complete` / `live_migration_abort` tell a waiting
/// live migration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LiveSignal {
    Complete,
    Abort,
}

/// Host-level switches (`set_host_enabled`, `host_maintenance_mode`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct HostFlags {
    pub enabled: bool,
    pub maintenance: bool,
}

/// The in-memory compute driver: every `ComputeDriver` method with the
/// contract's semantics, observable (faults and latency: wrap it in a
/// [`FaultLayer`](crate::FaultLayer), [`FakeDriver::with_faults`]).
///
/// Build one with [`FakeDriver::builder`] (or [`FakeDriver::new`] for the
/// defaults). Every value is independent: two drivers never share state.
/// See the [crate documentation](crate) for an example.
pub struct FakeDriver {
    pub(crate) store: Store,
    pub(crate) nodes: Nodes,
    pub(crate) default_nodes: Vec<String>,
    pub(crate) host: RwLock<String>,
    pub(crate) events: EventSlot,
    listening: AtomicBool,
    pub(crate) read_only: bool,
    pub(crate) capabilities: Capabilities,
    /// Whether [`admit`](Self::admit) lets each method through, by
    /// `DriverMethod as usize` (fixed at build: capabilities and read-only are).
    admitted: Box<[bool]>,
    /// Whether `live_migration` waits for force-complete or abort (Nova's
    /// `FakeLiveMigrateDriver`).
    pub(crate) live_migration_waits: bool,
    pub(crate) host_flags: Mutex<HostFlags>,
    pub(crate) live: Mutex<HashMap<Uuid, oneshot::Sender<LiveSignal>>>,
    pub(crate) started: Instant,
    pub(crate) virtapi: Arc<dyn VirtAPI>,
}

/// A new instance, as `spawn`, `finish_migration` and friends hand it to
/// [`FakeDriver::create`].
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

/// The driver's name in errors (`NotSupported`, `ReadOnly`, `Backend`).
pub const DRIVER_NAME: &str = "fake";

/// Logs the outcome of a call (never a secret: errors carry none).
#[inline]
pub(crate) fn trace_outcome<T>(
    method: DriverMethod,
    instance: Option<Uuid>,
    result: &DriverResult<T>,
) {
    match result {
        Ok(_) => tracing::trace!(operation = method.name(), instance = ?instance, "ok"),
        Err(error) => {
            tracing::debug!(operation = method.name(), instance = ?instance, %error, "failed")
        }
    }
}

/// Why `method` is refused: `NotSupported` if its feature is not declared,
/// `ReadOnly` if it mutates on a read-only driver; `None` if it is admitted.
fn refusal(
    method: DriverMethod,
    capabilities: &Capabilities,
    read_only: bool,
) -> Option<DriverError> {
    method.admit(capabilities, read_only, DRIVER_NAME).err()
}

impl FakeDriver {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn assemble(
        store: Store,
        nodes: Nodes,
        default_nodes: Vec<String>,
        host: String,
        read_only: bool,
        capabilities: Capabilities,
        live_migration_waits: bool,
        virtapi: Arc<dyn VirtAPI>,
    ) -> Self {
        let mut admitted = vec![false; DriverMethod::ALL.len()].into_boxed_slice();
        for method in DriverMethod::ALL {
            if let Some(slot) = admitted.get_mut(*method as usize) {
                *slot = refusal(*method, &capabilities, read_only).is_none();
            }
        }
        Self {
            store,
            nodes,
            default_nodes,
            host: RwLock::new(host),
            events: EventSlot::default(),
            listening: AtomicBool::new(false),
            read_only,
            capabilities,
            admitted,
            live_migration_waits,
            host_flags: Mutex::new(HostFlags {
                enabled: true,
                maintenance: false,
            }),
            live: Mutex::new(HashMap::new()),
            started: Instant::now(),
            virtapi,
        }
    }

    /// The host name (`init_host`'s argument; `fake-host` before).
    pub fn host(&self) -> String {
        self.host
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The VirtAPI the driver was built with (Nova's `ComputeDriver(virtapi)`);
    /// a [`FakeVirtAPI`](crate::FakeVirtAPI) unless the builder was given one.
    pub fn virtapi(&self) -> Arc<dyn VirtAPI> {
        self.virtapi.clone()
    }

    /// Whether the driver was opened read-only.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// This driver under a [`FaultLayer`](crate::FaultLayer) with nothing
    /// armed yet, whose faults for one instance reach its by-name methods
    /// too.
    pub fn with_faults(self) -> crate::FaultLayer<FakeDriver> {
        crate::FaultLayer::new(self).resolving_names(|fake, name| fake.store.uuid_of_name(name))
    }

    pub(crate) fn set_listener(&self, listener: Option<EventListener>) {
        self.listening.store(listener.is_some(), Ordering::Release);
        self.events.register(listener);
    }

    /// Whether [`admit`](Self::admit) lets `method` through.
    #[inline]
    pub(crate) fn is_admitted(&self, method: DriverMethod) -> bool {
        self.admitted.get(method as usize).copied().unwrap_or(false)
    }

    /// Refuses `method` if its feature is not declared (`NotSupported`) or if
    /// it mutates and the driver is read-only (`ReadOnly`): one check, driven by
    /// [`DriverMethod`], for every method.
    #[inline]
    pub(crate) fn admit(&self, method: DriverMethod) -> DriverResult<()> {
        if self.is_admitted(method) {
            return Ok(());
        }
        match refusal(method, &self.capabilities, self.read_only) {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }

    /// Logs the outcome of a call (never a secret: errors carry none).
    #[inline]
    pub(crate) fn traced<T>(
        &self,
        method: DriverMethod,
        instance: Option<Uuid>,
        result: DriverResult<T>,
    ) -> DriverResult<T> {
        trace_outcome(method, instance, &result);
        result
    }

    /// Queues `event` on a locked shard if anyone listens; returns whether the
    /// caller must drain after unlocking.
    #[inline]
    pub(crate) fn queue(&self, shard: &mut Shard, uuid: Uuid, event: LifecycleTransition) -> bool {
        self.listening.load(Ordering::Acquire) && shard.queue(LifecycleEvent::new(uuid, event))
    }

    /// Delivers the queued events of shard `index` (call with no lock held).
    #[inline]
    pub(crate) fn deliver(&self, index: usize, must_drain: bool) {
        if must_drain {
            self.store.drain(index, &self.events);
        }
    }

    /// Runs `change` on the instance's record under its shard lock.
    /// `InstanceNotFound` if absent.
    pub(crate) fn with_record<R>(
        &self,
        uuid: Uuid,
        change: impl FnOnce(&mut InstanceRecord) -> DriverResult<R>,
    ) -> DriverResult<R> {
        let (_, mut shard) = self.store.lock_uuid(&uuid);
        match shard.instances.get_mut(&uuid) {
            Some(record) => change(record),
            None => Err(DriverError::instance_not_found(uuid)),
        }
    }

    /// Runs `read` on the record of the instance named `name`.
    /// `InstanceNotFound` (by name) if absent.
    pub(crate) fn with_named<R>(
        &self,
        name: &str,
        read: impl FnOnce(Uuid, &InstanceRecord, &str) -> R,
    ) -> DriverResult<R> {
        let missing = || DriverError::InstanceNotFound {
            instance: InstanceRef::Name(name.to_owned()),
        };
        let uuid = self.store.uuid_of_name(name).ok_or_else(missing)?;
        let (_, shard) = self.store.lock_uuid(&uuid);
        match shard.instances.get(&uuid) {
            Some(record) if shard.name_text.get(record.name) == name => {
                Ok(read(uuid, record, name))
            }
            _ => Err(missing()),
        }
    }

    /// Applies one row of the transition table to an instance (not `Destroy`,
    /// see [`remove`](Self::remove)), emitting its event after the change.
    #[inline]
    pub(crate) fn apply(&self, uuid: Uuid, operation: LifecycleOperation) -> DriverResult<()> {
        self.apply_when(uuid, operation, |_| true)
    }

    /// [`apply`](Self::apply), only when the instance's status satisfies
    /// `when` (checked under the same lock); otherwise `Ok` with nothing
    /// changed.
    #[inline]
    pub(crate) fn apply_when(
        &self,
        uuid: Uuid,
        operation: LifecycleOperation,
        when: impl FnOnce(InstanceStatus) -> bool,
    ) -> DriverResult<()> {
        let (index, mut shard) = self.store.lock_uuid(&uuid);
        let record = shard
            .instances
            .get_mut(&uuid)
            .ok_or_else(|| DriverError::instance_not_found(uuid))?;
        let from = record.status;
        if !when(from) {
            return Ok(());
        }
        let step = transition(from, operation)
            .map_err(|refused| DriverError::invalid_state(uuid, operation, refused.from))?;
        let Outcome::Becomes(to) = step.outcome else {
            // Only `destroy` removes; callers route it to `remove`.
            return Err(DriverError::invalid_state(uuid, operation, from));
        };
        let reboot = matches!(
            operation,
            LifecycleOperation::RebootSoft | LifecycleOperation::RebootHard
        );
        if step.is_noop(from) && !reboot {
            return Ok(());
        }
        record.status = to;
        let entry = match operation {
            _ if reboot => Some(ConsoleEntry::Rebooted),
            LifecycleOperation::Crash => Some(ConsoleEntry::Crashed),
            LifecycleOperation::Unrescue => Some(ConsoleEntry::Unrescued),
            _ => step.event.and_then(ConsoleEntry::of_event),
        };
        if let Some(entry) = entry {
            record.console.push(entry);
        }
        let drain = match step.event {
            Some(event) => self.queue(&mut shard, uuid, event),
            None => false,
        };
        drop(shard);
        self.deliver(index, drain);
        Ok(())
    }

    /// Removes an instance (destroy, confirm, live migration away): its name,
    /// its claim, its record; emits `Stopped` unless it was shut down (when
    /// `event` is `Some`, that event is emitted instead). Returns the removed
    /// record's status, `None` if there was no such instance.
    pub(crate) fn remove(
        &self,
        uuid: Uuid,
        event: Option<LifecycleTransition>,
    ) -> Option<InstanceStatus> {
        self.remove_checked(uuid, event, |_| Ok(())).ok().flatten()
    }

    /// [`remove`](Self::remove), if `check` allows it, in one step under the
    /// shard lock.
    pub(crate) fn remove_checked(
        &self,
        uuid: Uuid,
        event: Option<LifecycleTransition>,
        check: impl FnOnce(&InstanceRecord) -> DriverResult<()>,
    ) -> DriverResult<Option<InstanceStatus>> {
        let (index, mut shard) = self.store.lock_uuid(&uuid);
        let Some(record) = shard.instances.get(&uuid) else {
            return Ok(None);
        };
        check(record)?;
        let Some(record) = shard.instances.remove(&uuid) else {
            return Ok(None);
        };
        {
            self.store
                .release_name(shard.name_text.get(record.name), uuid);
            shard.forget_name(record.name);
        }
        shard.accounts.release(record.node, &record.claim);
        let event = event.or_else(|| {
            transition(record.status, LifecycleOperation::Destroy)
                .ok()
                .and_then(|step| step.event)
        });
        let drain = match event {
            Some(event) => self.queue(&mut shard, uuid, event),
            None => false,
        };
        drop(shard);
        self.deliver(index, drain);
        Ok(Some(record.status))
    }

    /// Runs `step` on shard `index` under its lock; if it reports that the
    /// node's ledger ran dry ([`Shortfall::Rebalance`]), runs it again with
    /// every shard locked and their unused leases reclaimed, so that its claim
    /// is decided against the exact free capacity. `step` changes nothing
    /// before its claim succeeds. Returns `step`'s value and the shard index.
    pub(crate) fn with_claim<T>(
        &self,
        index: usize,
        mut step: impl FnMut(&mut Shard, bool) -> Result<T, Shortfall>,
    ) -> DriverResult<T> {
        let first = step(&mut self.store.lock_shard(index), false);
        match first {
            Ok(value) => Ok(value),
            Err(Shortfall::Failed(error)) => Err(error),
            Err(Shortfall::Rebalance(ledger)) => {
                let mut all = self.store.lock_all();
                for shard in all.iter_mut() {
                    shard.accounts.reclaim(&ledger);
                }
                match step(&mut all[index], true) {
                    Ok(value) => Ok(value),
                    Err(Shortfall::Failed(error)) => Err(error),
                    Err(Shortfall::Rebalance(ledger)) => {
                        // Exact claims never ask to rebalance; be definite anyway.
                        Err(ledger
                            .insufficient(&ResourceAmounts::default(), ResourceAmounts::default()))
                    }
                }
            }
        }
    }

    /// Creates an instance: `InstanceExists` if the UUID or name is taken,
    /// `NodeNotFound`, `InsufficientResources` if the claim does not fit.
    /// Emits `Started` when running. All or nothing.
    pub(crate) fn create(&self, mut new: NewInstance<'_>) -> DriverResult<()> {
        let index = self.store.shard_of(&new.uuid);
        let drain =
            self.with_claim(index, |shard, exact| self.create_in(shard, &mut new, exact))?;
        self.deliver(index, drain);
        Ok(())
    }

    /// [`create`](Self::create) on a locked shard; returns whether to drain.
    fn create_in(
        &self,
        shard: &mut Shard,
        new: &mut NewInstance<'_>,
        exact: bool,
    ) -> Result<bool, Shortfall> {
        use std::collections::hash_map::Entry;
        let uuid = new.uuid;
        let exists = || DriverError::InstanceExists {
            instance: uuid.into(),
        };
        let Shard {
            instances,
            name_text,
            incoming,
            node_cache,
            accounts,
            ..
        } = shard;
        let ledger = match &new.node {
            NodeChoice::Resolved(ledger) => ledger,
            NodeChoice::Requested(node) => self.nodes.resolve_cached(node_cache, *node)?,
        };
        if !incoming.is_empty() && incoming.contains_key(&uuid) {
            return Err(exists().into());
        }
        let Entry::Vacant(slot) = instances.entry(uuid) else {
            return Err(exists().into());
        };
        let key = NameKey::new(new.name);
        let named = self
            .store
            .lock_name(&key)
            .insert_with(&key, uuid, || accounts.claim(ledger, &new.claim, exact))?;
        if !named {
            return Err(DriverError::InstanceExists {
                instance: InstanceRef::Name(new.name.to_owned()),
            }
            .into());
        }
        let name = name_text.push(new.name);
        let mut console = ConsoleRing::default();
        let state = if new.running {
            console.push(ConsoleEntry::Started);
            driver_api::PowerState::Running
        } else {
            driver_api::PowerState::Shutdown
        };
        slot.insert(InstanceRecord {
            name,
            node: ledger.id(),
            claim: new.claim,
            root_gb: new.root_gb,
            interfaces: std::mem::take(&mut new.interfaces),
            extras: new.extras.take(),
            console,
            status: InstanceStatus::new(state),
            admin_password_set: new.admin_password_set,
        });
        Ok(new.running && self.queue(shard, uuid, LifecycleTransition::Started))
    }

    /// The ledger of node `id` (takes the node table's read lock, which may be
    /// taken under a shard lock, never the other way round).
    pub(crate) fn ledger_by_id(&self, id: NodeId) -> DriverResult<Arc<NodeLedger>> {
        self.nodes
            .read()
            .known()
            .get(crate::ledger::slot(id))
            .cloned()
            .ok_or_else(|| DriverError::NodeNotFound {
                node: format!("#{id}"),
            })
    }

    /// The number of instances.
    pub(crate) fn count(&self) -> usize {
        let mut total = 0;
        self.store
            .for_each_shard(|shard| total += shard.instances.len());
        total
    }
}

impl fmt::Debug for FakeDriver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeDriver")
            .field("host", &self.host())
            .field("instances", &self.count())
            .field("read_only", &self.read_only)
            .field("shards", &self.store.shard_count())
            .finish_non_exhaustive()
    }
}

/// Locks the map of waiting live migrations.
pub(crate) fn live_waiters(
    driver: &FakeDriver,
) -> std::sync::MutexGuard<'_, HashMap<Uuid, oneshot::Sender<LiveSignal>>> {
    lock(&driver.live)
}
