//! Model-based: seeded random walks over the whole single-host method set
//! (spawn, every row of the transition table, volumes, interfaces, guest
//! actions, no-ops) on a few instance slots, with the reference model as the
//! oracle: after every step the answer and every observable must be what the
//! model says ([`crate::model::Rig`]).
//!
//! The sequence comes from proptest, seeded by the case: a failure is shrunk
//! (proptest's simplification, each candidate replayed on fresh backends)
//! to a minimal sequence, and the failure names the seed and that sequence,
//! so `model::random_walk_<seed>` replays it.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use driver_api::Instance;
use std::ops::Range;

use proptest::collection::{vec, VecStrategy};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use crate::case::CaseResult;
use crate::context::HostUnderTest;
use crate::factory::BackendFactory;
use crate::model::{Rig, Step};
use crate::prelude::*;

/// The most steps a walk takes (proptest picks the length, 1 to this).
const STEPS: usize = 60;
/// Instance slots a walk works on.
const SLOTS: u8 = 3;
/// A walk stops early after this long (slow backends).
const TIME_BUDGET: Duration = Duration::from_secs(20);
/// Candidates tried while shrinking a failure, and the time allowed.
const SHRINK_TRIES: usize = 200;
const SHRINK_BUDGET: Duration = Duration::from_secs(20);

/// One step of a walk: which instance slot, which step (index into the
/// steps the backend supports).
type Action = (u8, usize);

/// The walk with `seed`.
pub(crate) fn random_walk(seed: u64) -> CaseSpec {
    let methods: Vec<M> = Step::single_host()
        .iter()
        .filter_map(Step::method)
        .collect();
    CaseSpec::new(move |ctx| Box::pin(walk(ctx, seed)))
        .exercises(&[M::Spawn, M::GetInfo, M::GetAvailableResource])
        .covers(&methods)
        .tier(Tier::Core)
}

/// The steps a backend offers: its declared methods, the crash row only
/// with test hooks.
fn steps_for(hosts: &[HostUnderTest]) -> Vec<Step> {
    let Some(host) = hosts.first() else {
        return Vec::new();
    };
    let capabilities = host.backend.driver.capabilities();
    let hooks = host.backend.hooks.is_some();
    Step::single_host()
        .into_iter()
        .filter(|step| match step.method() {
            Some(method) => method.is_supported_by(&capabilities),
            None => hooks,
        })
        .collect()
}

/// The seeded generator of walks: `STEPS` actions over `steps` steps.
fn generator(steps: usize) -> VecStrategy<(Range<u8>, Range<usize>)> {
    vec((0..SLOTS, 0..steps.max(1)), 1..=STEPS)
}

fn runner(seed: u64) -> TestRunner {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &bytes),
    )
}

async fn walk(ctx: &CaseContext, seed: u64) -> CaseResult {
    let steps = steps_for(ctx.hosts());
    ctx.step(format!(
        "random walk, seed {seed}, {} kinds of step",
        steps.len()
    ));
    let mut runner = runner(seed);
    let mut tree = generator(steps.len())
        .new_tree(&mut runner)
        .map_err(|e| CaseError::fail("a walk from the seed", e.to_string()))?;
    let actions = tree.current();
    let log = |text: String| ctx.step(text);
    let Err((at, first)) = run(ctx.hosts(), &steps, &actions, &log, Some(ctx)).await else {
        return Ok(());
    };
    let CaseError::Fail { .. } = &first else {
        return Err(first);
    };
    let prefix = actions.get(..=at).map(<[_]>::to_vec).unwrap_or_default();
    let (minimal, failure) = shrink(ctx.factory(), &steps, &mut tree, prefix, first).await;
    let CaseError::Fail { expected, got } = failure else {
        return Err(failure);
    };
    let listing: Vec<String> = minimal
        .iter()
        .map(|(slot, step)| format!("slot {slot}: {}", show(&steps, *step)))
        .collect();
    Err(CaseError::fail(
        format!(
            "{expected} (random walk seed {seed}, shrunk to {} steps: [{}]; replay: model::random_walk_{seed})",
            minimal.len(),
            listing.join(", ")
        ),
        got,
    ))
}

fn show(steps: &[Step], index: usize) -> String {
    steps.get(index).map_or_else(|| "?".into(), Step::to_string)
}

/// Runs `actions` on `hosts` against the model; a failure comes with the
/// index of the action that failed.
async fn run(
    hosts: &[HostUnderTest],
    steps: &[Step],
    actions: &[Action],
    log: &(dyn Fn(String) + Send + Sync),
    tracker: Option<&CaseContext>,
) -> Result<(), (usize, CaseError)> {
    let rig = match tracker {
        Some(ctx) => Rig::of(ctx, log).await,
        None => Rig::start(hosts, log).await,
    }
    .map_err(|error| (0, error))?;
    let prefix = &uuid::Uuid::new_v4().simple().to_string()[..6];
    let flavors = [Flavor::m1_tiny(), Flavor::m1_tiny(), Flavor::m1_small()];
    // Each slot's current instance; a spawn makes a new one with the slot's
    // name (a name taken while the old one lives, free again once destroyed).
    let mut slots: Vec<Instance> = (0..SLOTS)
        .map(|slot| slot_instance(prefix, slot, &flavors))
        .collect();
    let started = Instant::now();
    let result = async {
        for (at, (slot, index)) in actions.iter().enumerate() {
            if started.elapsed() > TIME_BUDGET {
                break;
            }
            let (Some(step), Some(current)) = (steps.get(*index), slots.get(usize::from(*slot)))
            else {
                continue;
            };
            let instance = match step {
                Step::Spawn { .. } => slot_instance(prefix, *slot, &flavors),
                _ => current.clone(),
            };
            let will_succeed = rig.predict(0, &instance, step).is_ok();
            rig.step(0, &instance, step)
                .await
                .map_err(|error| (at, error))?;
            if will_succeed {
                if let Some(current) = slots.get_mut(usize::from(*slot)) {
                    *current = instance;
                }
            }
        }
        Ok(())
    }
    .await;
    if tracker.is_none() {
        clean_up(hosts, &rig.world().involved).await;
    }
    result
}

/// A new instance for `slot`: a fresh UUID, the slot's name and flavor.
fn slot_instance(prefix: &str, slot: u8, flavors: &[Flavor]) -> Instance {
    let flavor = flavors
        .get(usize::from(slot))
        .cloned()
        .unwrap_or_else(Flavor::m1_tiny);
    let mut instance = fixtures::instance(flavor, fixtures::HOST_A);
    instance.name = format!("walk-{prefix}-{slot}");
    instance
}

async fn clean_up(hosts: &[HostUnderTest], involved: &[Instance]) {
    for host in hosts {
        host.backend.driver.register_event_listener(None);
        let no_devices = fixtures::no_block_devices();
        for instance in involved {
            let destroy = host
                .backend
                .driver
                .destroy(instance, &[], &no_devices, true);
            let _ = tokio::time::timeout(Duration::from_secs(30), destroy).await;
        }
    }
}

/// Fresh hosts from `factory`, prepared as the suite prepares a case's.
async fn fresh_hosts(factory: &Arc<dyn BackendFactory>) -> Result<Vec<HostUnderTest>, CaseError> {
    let backend = factory
        .create()
        .await
        .map_err(|e| CaseError::fail("a fresh backend from the factory", e.to_string()))?;
    let events = Arc::new(Mutex::new(Vec::new()));
    let log = events.clone();
    backend.driver.init_host(fixtures::HOST_A).await?;
    backend
        .driver
        .register_event_listener(Some(Arc::new(move |event| {
            if let Ok(mut log) = log.lock() {
                log.push(event);
            }
        })));
    Ok(vec![HostUnderTest {
        name: fixtures::HOST_A.to_owned(),
        backend,
        events,
    }])
}

/// Shrinks a failing walk: proptest simplifies the sequence; each candidate
/// runs on fresh backends; a candidate that still fails is kept. Returns the
/// smallest failing sequence found and its failure.
async fn shrink(
    factory: &Arc<dyn BackendFactory>,
    steps: &[Step],
    tree: &mut impl ValueTree<Value = Vec<Action>>,
    mut minimal: Vec<Action>,
    mut failure: CaseError,
) -> (Vec<Action>, CaseError) {
    let quiet = |_: String| {};
    let started = Instant::now();
    let mut tries = 0;
    while tries < SHRINK_TRIES && started.elapsed() < SHRINK_BUDGET && tree.simplify() {
        loop {
            tries += 1;
            let candidate = tree.current();
            let Ok(hosts) = fresh_hosts(factory).await else {
                return (minimal, failure);
            };
            match run(&hosts, steps, &candidate, &quiet, None).await {
                Err((at, error @ CaseError::Fail { .. })) => {
                    minimal = candidate.get(..=at).map(<[_]>::to_vec).unwrap_or(candidate);
                    failure = error;
                    break;
                }
                _ => {
                    if tries >= SHRINK_TRIES || !tree.complicate() {
                        return (minimal, failure);
                    }
                }
            }
        }
    }
    (minimal, failure)
}
