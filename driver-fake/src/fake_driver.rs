//! `FakeDriver`: its state, admission, and the two steps most methods share.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use driver_api::{
    Capabilities, DriverError, DriverMethod, DriverResult, Instance, LifecycleOperation,
};
use tokio::sync::oneshot;
use uuid::Uuid;
use virtapi::VirtAPI;

use crate::store::{lock, InstanceRecord, NewInstance, Nodes, Store};

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

    /// Admission, then `body`; the outcome traced. A plain value, not a
    /// future: a method awaits nothing, so the future `async_trait` boxes
    /// for each call stays small.
    #[inline]
    pub(crate) fn run<T>(
        &self,
        method: DriverMethod,
        instance: Option<Uuid>,
        body: impl FnOnce() -> DriverResult<T>,
    ) -> DriverResult<T> {
        let outcome = match self.admit(method) {
            Ok(()) => body(),
            Err(error) => Err(error),
        };
        trace_outcome(method, instance, &outcome);
        outcome
    }

    /// A row of the transition table on one instance, through [`run`](Self::run).
    #[inline]
    pub(crate) fn lifecycle(
        &self,
        method: DriverMethod,
        uuid: Uuid,
        operation: LifecycleOperation,
    ) -> DriverResult<()> {
        self.run(method, Some(uuid), || self.apply(uuid, operation))
    }

    /// [`run`](Self::run) for a host-level method whose change is `body`.
    #[inline]
    pub(crate) fn call<T>(
        &self,
        method: DriverMethod,
        body: impl FnOnce(&Self) -> DriverResult<T>,
    ) -> DriverResult<T> {
        self.run(method, None, || body(self))
    }

    /// [`run`](Self::run) for a method on one instance whose change is `body`.
    #[inline]
    pub(crate) fn on<T>(
        &self,
        method: DriverMethod,
        instance: &Instance,
        body: impl FnOnce(&Self, Uuid) -> DriverResult<T>,
    ) -> DriverResult<T> {
        let uuid = instance.uuid;
        self.run(method, Some(uuid), || body(self, uuid))
    }

    /// [`run`](Self::run) for a method on the instance named `name` whose
    /// change is `body` (the outcome traced with its UUID, if any).
    #[inline]
    pub(crate) fn named<T>(
        &self,
        method: DriverMethod,
        name: &str,
        body: impl FnOnce(&Self, &str) -> DriverResult<T>,
    ) -> DriverResult<T> {
        let uuid = self.store.uuid_of_name(name);
        self.run(method, uuid, || body(self, name))
    }

    /// A method that only needs the instance to exist.
    pub(crate) fn touch(&self, method: DriverMethod, uuid: Uuid) -> DriverResult<()> {
        self.run(method, Some(uuid), || self.require(uuid))
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

    /// Runs `change` on the instance's record under its shard lock.
    /// `InstanceNotFound` if absent.
    #[inline]
    pub(crate) fn with_record<R>(
        &self,
        uuid: Uuid,
        change: impl FnOnce(&mut InstanceRecord) -> DriverResult<R>,
    ) -> DriverResult<R> {
        self.store
            .update(uuid, |record| change(record).map(|value| (value, None)))
    }

    /// Creates an instance on this driver's nodes (see [`Store::insert`]).
    #[inline]
    pub(crate) fn create(&self, new: NewInstance<'_>) -> DriverResult<()> {
        self.store.insert(&self.nodes, new)
    }
}

impl fmt::Debug for FakeDriver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeDriver")
            .field("host", &self.host())
            .field("instances", &self.store.count())
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
