//! The model's teeth: broken backends of the kinds a spot check misses (a
//! precondition checked in one state only, a refused call with a side
//! effect, one protocol variant broken, a query not re-read after a change,
//! a no-op that is not one, isolation leaking), each the fake behind a
//! wrapper breaking one rule. Each must fail the case written to catch it
//! (a case that compares the backend with the reference model after every
//! step); the unbroken wrapper passes every case.

#[path = "mutants_model/layer.rs"]
mod layer;

use conformance_runner::FakeHooks;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use conformance::{Backend, BackendFactory, FactoryError, RunOptions};
use driver_api::{ComputeDriver, Instance, PowerState};
use driver_fake::FakeDriver;
use uuid::Uuid;

/// The one rule a broken backend breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Break {
    /// `set_admin_password` of a paused instance answers Ok (the "needs
    /// Running" check was written against Shutdown only).
    PasswordWhilePaused,
    /// `trigger_crash_dump` of a suspended instance answers Ok.
    CrashDumpWhileSuspended,
    /// `attach_volume` at a busy mountpoint answers `DeviceBusy` but has
    /// detached the volume that was there.
    RefusedAttachDetaches,
    /// `finish_migration` starts the instance even with `power_on` false.
    FinishIgnoresPowerOff,
    /// A same-host resize (`finish_migration` on the source) does nothing:
    /// old flavor, old claim, not started.
    SameHostResizeKeepsFlavor,
    /// `get_info` keeps reporting the memory the instance first had.
    GetInfoFiguresStale,
    /// `get_all_bw_counters` keeps a counter for a detached VIF.
    CounterOutlivesInterface,
    /// `get_diagnostics` answers for a destroyed instance's name.
    DiagnosticsAfterDestroy,
    /// A destroyed instance's name stays taken: a new spawn with it is
    /// `InstanceExists`.
    NameNotFreedOnDestroy,
    /// `resume_state_on_host_boot` leaves a shut-down instance off (Nova's
    /// fake: a no-op).
    HostBootLeavesStopped,
    /// `resume_state_on_host_boot` unpauses a paused instance.
    HostBootUnpauses,
    /// `instance_exists` answers true for an instance of another backend of
    /// the same factory.
    ExistsAcrossHosts,
}

impl Break {
    const ALL: &'static [Break] = &[
        Self::PasswordWhilePaused,
        Self::CrashDumpWhileSuspended,
        Self::RefusedAttachDetaches,
        Self::FinishIgnoresPowerOff,
        Self::SameHostResizeKeepsFlavor,
        Self::GetInfoFiguresStale,
        Self::CounterOutlivesInterface,
        Self::DiagnosticsAfterDestroy,
        Self::NameNotFreedOnDestroy,
        Self::HostBootLeavesStopped,
        Self::HostBootUnpauses,
        Self::ExistsAcrossHosts,
    ];

    /// The case (or the prefix of the cases) written to catch it.
    fn caught_by(self) -> &'static str {
        match self {
            Self::PasswordWhilePaused => "matrix::set_admin_password",
            Self::CrashDumpWhileSuspended => "matrix::trigger_crash_dump",
            Self::RefusedAttachDetaches => "matrix::attach_volume",
            Self::FinishIgnoresPowerOff => "migration::cold_variants",
            Self::SameHostResizeKeepsFlavor => "migration::resize_same_host_variants",
            Self::GetInfoFiguresStale => "migration::resize_same_host_variants",
            Self::CounterOutlivesInterface => "matrix::detach_interface",
            Self::DiagnosticsAfterDestroy => "matrix::inject_file",
            Self::NameNotFreedOnDestroy => "matrix::name_reused_after_destroy",
            Self::HostBootLeavesStopped | Self::HostBootUnpauses => {
                "matrix::resume_state_on_host_boot"
            }
            Self::ExistsAcrossHosts => "matrix::isolation",
        }
    }
}

/// What a broken backend remembers to break its rule.
#[derive(Default)]
struct Memory {
    destroyed_names: HashSet<String>,
    first_memory: HashMap<Uuid, u64>,
    detached: Vec<(Uuid, String)>,
}

/// The fake behind a wrapper breaking one rule (`None`: breaking nothing).
pub struct Broken {
    inner: Arc<FakeDriver>,
    rule: Option<Break>,
    memory: Mutex<Memory>,
    /// Every instance spawned on any backend of the same factory.
    shared: Arc<Mutex<HashSet<Uuid>>>,
}

impl std::fmt::Debug for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Broken").field("rule", &self.rule).finish()
    }
}

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

impl Broken {
    fn is(&self, rule: Break) -> bool {
        self.rule == Some(rule)
    }

    fn destroyed(&self, name: &str) {
        locked(&self.memory).destroyed_names.insert(name.to_owned());
    }

    fn was_destroyed_name(&self, name: &str) -> bool {
        locked(&self.memory).destroyed_names.contains(name)
    }

    fn first_memory(&self, uuid: Uuid, now: u64) -> u64 {
        *locked(&self.memory).first_memory.entry(uuid).or_insert(now)
    }

    fn vif_detached(&self, uuid: Uuid, mac: &str) {
        locked(&self.memory).detached.push((uuid, mac.to_owned()));
    }

    fn detached_vifs(&self) -> Vec<(Uuid, String)> {
        locked(&self.memory).detached.clone()
    }

    fn shared_spawned(&self, uuid: Uuid) {
        locked(&self.shared).insert(uuid);
    }

    fn shared_knows(&self, uuid: Uuid) -> bool {
        locked(&self.shared).contains(&uuid)
    }

    async fn state_of(&self, instance: &Instance) -> Option<PowerState> {
        self.inner.get_info(instance).await.ok().map(|i| i.state)
    }
}

struct BrokenFactory {
    rule: Option<Break>,
    shared: Arc<Mutex<HashSet<Uuid>>>,
}

impl BrokenFactory {
    fn new(rule: Option<Break>) -> Self {
        Self {
            rule,
            shared: Arc::default(),
        }
    }
}

#[conformance::async_trait]
impl BackendFactory for BrokenFactory {
    fn name(&self) -> String {
        format!("broken {:?}", self.rule)
    }

    async fn create(&self) -> Result<Backend, FactoryError> {
        let fake = Arc::new(FakeDriver::new());
        let broken = Broken {
            inner: fake.clone(),
            rule: self.rule,
            memory: Mutex::default(),
            shared: self.shared.clone(),
        };
        Ok(Backend::new(Arc::new(broken)).with_hooks(Arc::new(FakeHooks(fake))))
    }
}

/// The failing cases among those whose id starts with one of `filters`.
fn failures_of(factory: BrokenFactory, filters: &[&str]) -> Vec<String> {
    let options = RunOptions {
        filters: filters.iter().map(|f| (*f).to_owned()).collect(),
        ..RunOptions::default()
    };
    let report = conformance::run(Arc::new(factory), &options, |_| {}).unwrap();
    for case in report.failures() {
        println!("{}: {}", case.id, case.verdict);
    }
    report.failures().map(|c| c.id.clone()).collect()
}

#[test]
fn the_unbroken_wrapper_passes() {
    let failures = failures_of(
        BrokenFactory::new(None),
        &["matrix::", "migration::", "model::", "transition::"],
    );
    assert!(failures.is_empty(), "{failures:?}");
}

#[test]
fn every_broken_backend_fails_its_case() {
    let mut missed = Vec::new();
    for rule in Break::ALL {
        let failures = failures_of(BrokenFactory::new(Some(*rule)), &[rule.caught_by()]);
        println!("{rule:?}: {} failing cases: {failures:?}", failures.len());
        if !failures.iter().any(|id| id.starts_with(rule.caught_by())) {
            missed.push((*rule, rule.caught_by()));
        }
    }
    assert!(missed.is_empty(), "not caught by their case: {missed:?}");
}

#[test]
fn a_failing_walk_is_shrunk_and_names_its_seed() {
    let factory = Arc::new(BrokenFactory::new(Some(Break::CounterOutlivesInterface)));
    let options = RunOptions {
        filters: vec!["model::".to_owned()],
        ..RunOptions::default()
    };
    let report = conformance::run(factory, &options, |_| {}).unwrap();
    let walks: Vec<String> = report
        .failures()
        .map(|case| case.verdict.to_string())
        .collect();
    assert!(!walks.is_empty(), "no walk caught the broken counters");
    for verdict in &walks {
        println!("{verdict}");
        assert!(verdict.contains("random walk seed"), "{verdict}");
        assert!(verdict.contains("replay: model::random_walk_"), "{verdict}");
        let steps: usize = verdict
            .split("shrunk to ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(usize::MAX);
        // Spawn, attach a second VIF, detach it, and one step to read the
        // counters again is the least that shows it; shrinking gets close.
        assert!(steps <= 8, "not shrunk: {verdict}");
    }
}

#[test]
fn the_walks_move_instances_too() {
    for rule in [
        Break::FinishIgnoresPowerOff,
        Break::SameHostResizeKeepsFlavor,
    ] {
        let failures = failures_of(BrokenFactory::new(Some(rule)), &["model::"]);
        assert!(!failures.is_empty(), "no walk caught {rule:?}");
    }
}
