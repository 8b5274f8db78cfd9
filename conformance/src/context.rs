//! What a case body works with: the backends, a step log, an event recorder
//! per host and a tracker of everything the case created.

use std::sync::{Arc, Mutex, MutexGuard};

use driver_api::{Capabilities, ComputeDriver, EventListener, Instance, LifecycleEvent};

use crate::case::CaseError;
use crate::factory::{Backend, BackendFactory, BackendHooks};

/// One host of a case: its name, its backend and the events it emitted.
pub(crate) struct HostUnderTest {
    pub(crate) name: String,
    pub(crate) backend: Backend,
    pub(crate) events: Arc<Mutex<Vec<LifecycleEvent>>>,
}

impl HostUnderTest {
    /// `backend` as host `name`, prepared as the suite prepares a case's
    /// hosts: `init_host(name)`, then a listener recording every event.
    pub(crate) async fn prepare(
        name: &str,
        backend: Backend,
    ) -> driver_api::DriverResult<HostUnderTest> {
        backend.driver.init_host(name).await?;
        let events = Arc::new(Mutex::new(Vec::new()));
        let log = events.clone();
        backend
            .driver
            .register_event_listener(Some(Arc::new(move |event| {
                if let Ok(mut log) = log.lock() {
                    log.push(event);
                }
            })));
        Ok(HostUnderTest {
            name: name.to_owned(),
            backend,
            events,
        })
    }
}

/// The context a case body runs in.
///
/// Every helper that calls the backend writes a step first, so a failure
/// shows the path that led to it; every instance spawned through a helper is
/// tracked and destroyed after the case, pass or fail.
pub struct CaseContext {
    id: String,
    hosts: Vec<HostUnderTest>,
    factory: Arc<dyn BackendFactory>,
    seed: Option<u64>,
    steps: Mutex<Vec<String>>,
    tracked: Mutex<Vec<Instance>>,
}

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl CaseContext {
    pub(crate) fn new(
        id: &str,
        hosts: Vec<HostUnderTest>,
        factory: Arc<dyn BackendFactory>,
        seed: Option<u64>,
    ) -> Self {
        Self {
            id: id.to_owned(),
            hosts,
            factory,
            seed,
            steps: Mutex::new(Vec::new()),
            tracked: Mutex::new(Vec::new()),
        }
    }

    /// The seed a seeded case (a random walk) uses, `n` being its number
    /// among its kind (1, 2, ...): `n` itself, or, when the run was given a
    /// base seed `S` (`--seed S`), `S + n - 1`. So `--seed 42
    /// model::random_walk_1 --exact` replays the walk whose steps say "seed 42".
    pub fn seed(&self, n: u64) -> u64 {
        self.seed
            .map_or(n, |base| base.wrapping_add(n.wrapping_sub(1)))
    }

    /// The case's id.
    pub fn case_id(&self) -> &str {
        &self.id
    }

    /// Logs a step; failures report every step logged.
    pub fn step(&self, text: impl Into<String>) {
        locked(&self.steps).push(text.into());
    }

    /// The steps logged so far.
    pub fn steps(&self) -> Vec<String> {
        locked(&self.steps).clone()
    }

    /// The backend of the first host.
    pub fn driver(&self) -> &Arc<dyn ComputeDriver> {
        self.driver_on(0)
    }

    /// The backend of host `index` (0 or 1); the first host when out of range.
    pub fn driver_on(&self, index: usize) -> &Arc<dyn ComputeDriver> {
        &self.host(index).backend.driver
    }

    /// The name of host `index`, as given to `init_host`.
    pub fn host_name(&self, index: usize) -> &str {
        &self.host(index).name
    }

    /// How many hosts the case has.
    pub fn host_count(&self) -> usize {
        self.hosts.len()
    }

    fn host(&self, index: usize) -> &HostUnderTest {
        self.hosts.get(index).unwrap_or(&self.hosts[0])
    }

    /// The test hooks of host `index`, or a skip when the backend has none.
    pub fn hooks(&self, index: usize) -> Result<Arc<dyn BackendHooks>, CaseError> {
        self.host(index)
            .backend
            .hooks
            .clone()
            .ok_or_else(|| CaseError::skip("the backend offers no test hooks (crash)"))
    }

    /// The capabilities of the first host's backend.
    pub fn capabilities(&self) -> Capabilities {
        self.driver().capabilities()
    }

    /// The factory, for cases that need another kind of backend (read-only).
    pub fn factory(&self) -> &Arc<dyn BackendFactory> {
        &self.factory
    }

    /// Records `instance` for clean-up after the case.
    pub fn track(&self, instance: &Instance) {
        let mut tracked = locked(&self.tracked);
        if !tracked.iter().any(|i| i.uuid == instance.uuid) {
            tracked.push(instance.clone());
        }
    }

    /// Every instance the case created.
    pub fn tracked(&self) -> Vec<Instance> {
        locked(&self.tracked).clone()
    }

    /// A listener that appends to host `index`'s event log (the one the suite
    /// registers before the case starts).
    pub fn recorder(&self, index: usize) -> EventListener {
        let log = self.host(index).events.clone();
        Arc::new(move |event| locked(&log).push(event))
    }

    /// Every event host `index` delivered to the suite's recorder.
    pub fn events(&self, index: usize) -> Vec<LifecycleEvent> {
        locked(&self.host(index).events).clone()
    }

    /// A mark in host `index`'s event log (its length now).
    pub fn event_mark(&self, index: usize) -> usize {
        locked(&self.host(index).events).len()
    }

    /// The events host `index` delivered since `mark`.
    pub fn events_since(&self, index: usize, mark: usize) -> Vec<LifecycleEvent> {
        locked(&self.host(index).events)
            .get(mark..)
            .map(<[_]>::to_vec)
            .unwrap_or_default()
    }

    pub(crate) fn hosts(&self) -> &[HostUnderTest] {
        &self.hosts
    }
}
