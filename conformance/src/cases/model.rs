//! Model-based: seeded random walks over the whole single-host method set
//! (spawn, every row of the transition table, volumes, interfaces, guest
//! actions, no-ops) and whole cold-migration or resize protocols (a move to
//! the other host in the two-host walks, a same-host resize in every walk)
//! on a few instance slots, with the reference model as the oracle: after
//! every step the answer and every observable of every host must be what
//! the model says ([`crate::model::Rig`]).
//!
//! The sequence comes from proptest, seeded by the case: a failure is shrunk
//! (proptest's simplification, each candidate replayed on fresh backends)
//! to a minimal sequence, and the failure names the seed and that sequence,
//! so the case of that seed (`model::random_walk_<seed>`,
//! `model::two_host_walk_<seed>`) replays it.

use std::sync::Arc;
use std::time::Instant;

use driver_api::Instance;
use std::ops::Range;

use proptest::collection::{vec, VecStrategy};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use crate::case::CaseResult;
use crate::cases::protocol::{live_move, End, LiveEnd, LIVE_ENDS};
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

/// One step of a walk: which instance slot, which walk step (index into the
/// steps the backend supports).
type Action = (u8, usize);

/// What a walk does to a slot's instance: one call, or a whole move.
#[derive(Clone, Debug)]
enum WalkStep {
    /// One call on the instance's host.
    One(Step),
    /// A cold migration (to the other host) or a resize (on its host), as
    /// Nova drives it, ending in a confirm or a revert.
    Move {
        to_other_host: bool,
        bigger: bool,
        power_on: bool,
        end: End,
    },
    /// A live migration to the other host, as Nova drives it.
    Live(LiveEnd),
}

impl std::fmt::Display for WalkStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::One(step) => write!(f, "{step}"),
            Self::Move {
                to_other_host,
                bigger,
                power_on,
                end,
            } => write!(
                f,
                "{} ({}, finish power_on={power_on}, {end:?})",
                if *to_other_host {
                    "cold migration"
                } else {
                    "resize"
                },
                if *bigger { "m1.small" } else { "m1.tiny" },
            ),
            Self::Live(end) => write!(f, "live migration ({end:?})"),
        }
    }
}

/// The walk with `seed` on one host.
pub(crate) fn random_walk(seed: u64) -> CaseSpec {
    CaseSpec::new(move |ctx| Box::pin(walk(ctx, seed)))
        .exercises(&[M::Spawn, M::GetInfo, M::GetAvailableResource])
        .covers(&walk_methods())
        .tier(Tier::Core)
}

/// The walk with `seed` on two hosts (moves between them too).
pub(crate) fn two_host_walk(seed: u64) -> CaseSpec {
    random_walk(seed).two_hosts()
}

fn walk_methods() -> Vec<M> {
    let mut methods: Vec<M> = Step::single_host()
        .iter()
        .filter_map(Step::method)
        .collect();
    methods.extend([
        M::MigrateDiskAndPowerOff,
        M::FinishMigration,
        M::ConfirmMigration,
        M::FinishRevertMigration,
        M::CheckCanLiveMigrateDestination,
        M::CheckCanLiveMigrateSource,
        M::PreLiveMigration,
        M::LiveMigration,
        M::PostLiveMigrationAtDestination,
        M::RollbackLiveMigrationAtDestination,
    ]);
    methods
}

/// The walk steps a backend offers: its declared methods, the crash row only
/// with test hooks, moves with cold migration (to the other host only on
/// two hosts).
fn steps_for(hosts: &[HostUnderTest]) -> Vec<WalkStep> {
    let Some(host) = hosts.first() else {
        return Vec::new();
    };
    let capabilities = host.backend.driver.capabilities();
    let hooks = host.backend.hooks.is_some();
    let mut steps: Vec<WalkStep> = Step::single_host()
        .into_iter()
        .filter(|step| match step.method() {
            Some(method) => method.is_supported_by(&capabilities),
            None => hooks,
        })
        .map(WalkStep::One)
        .collect();
    if capabilities.supports(F::ColdMigration) {
        let targets: &[bool] = if hosts.len() > 1 {
            &[false, true]
        } else {
            &[false]
        };
        for to_other_host in targets {
            for (bigger, power_on, end) in [
                (true, true, End::Confirm),
                (false, false, End::Confirm),
                (true, false, End::Revert { power_on: true }),
                (false, true, End::Revert { power_on: false }),
            ] {
                steps.push(WalkStep::Move {
                    to_other_host: *to_other_host,
                    bigger,
                    power_on,
                    end,
                });
            }
        }
    }
    if capabilities.supports(F::LiveMigration) && hosts.len() > 1 {
        steps.extend(LIVE_ENDS.map(WalkStep::Live));
    }
    steps
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
    // `--seed` shifts every walk's seed (see `CaseContext::seed`).
    let seed = ctx.seed(seed);
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
    let hosts = ctx.host_count();
    let (minimal, failure) = shrink((ctx.factory(), hosts), &steps, &mut tree, prefix, first).await;
    let CaseError::Fail { expected, got } = failure else {
        return Err(failure);
    };
    let listing: Vec<String> = minimal
        .iter()
        .map(|(slot, step)| format!("slot {slot}: {}", show(&steps, *step)))
        .collect();
    Err(CaseError::fail(
        format!(
            "{expected} (random walk seed {seed}, shrunk to {} steps: [{}]; replay: {})",
            minimal.len(),
            listing.join(", "),
            ctx.case_id()
        ),
        got,
    ))
}

fn show(steps: &[WalkStep], index: usize) -> String {
    steps
        .get(index)
        .map_or_else(|| "?".into(), WalkStep::to_string)
}

/// Runs `actions` on `hosts` against the model; a failure comes with the
/// index of the action that failed.
async fn run(
    hosts: &[HostUnderTest],
    steps: &[WalkStep],
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
    // Slot 1's flavor has an ephemeral disk and swap, so its claim
    // (`root_gb + ephemeral_gb + swap`) differs from its root disk's size.
    let flavors = [
        Flavor::m1_tiny(),
        Flavor::m1_tiny().with_ephemeral_gb(1).with_swap_mb(512),
        Flavor::m1_small(),
    ];
    // Each slot's current instance and host; a spawn makes a new one with
    // the slot's name (a name taken while the old one lives, free again once
    // destroyed).
    let hosts_count = hosts.len().max(1);
    let mut slots: Vec<(Instance, usize)> = (0..SLOTS)
        .map(|slot| {
            let host = usize::from(slot) % hosts_count;
            (slot_instance(prefix, slot, &flavors), host)
        })
        .collect();
    let started = Instant::now();
    let result = async {
        for (at, (slot, index)) in actions.iter().enumerate() {
            if started.elapsed() > TIME_BUDGET {
                break;
            }
            let (Some(step), Some((current, host))) =
                (steps.get(*index), slots.get(usize::from(*slot)).cloned())
            else {
                continue;
            };
            let moved = match step {
                WalkStep::One(step) => {
                    let instance = match step {
                        Step::Spawn { .. } => slot_instance(prefix, *slot, &flavors),
                        _ => current.clone(),
                    };
                    let will_succeed = rig.predict(host, &instance, step).is_ok();
                    rig.step(host, &instance, step)
                        .await
                        .map_err(|error| (at, error))?;
                    will_succeed.then_some((instance, host))
                }
                WalkStep::Move {
                    to_other_host,
                    bigger,
                    power_on,
                    end,
                } => {
                    let dest = if *to_other_host {
                        (host + 1) % hosts_count
                    } else {
                        host
                    };
                    // A disk never shrinks (`validate::resize`): a move keeps
                    // the instance's flavor or grows its root disk to m1.small's,
                    // keeping its ephemeral disk and swap.
                    let flavor = if *bigger {
                        Flavor::m1_small()
                            .with_ephemeral_gb(current.flavor.ephemeral_gb)
                            .with_swap_mb(current.flavor.swap_mb)
                    } else {
                        current.flavor.clone()
                    };
                    one_move(&rig, &current, (host, dest), flavor, *power_on, *end)
                        .await
                        .map_err(|error| (at, error))?
                }
                WalkStep::Live(end) => {
                    let dest = (host + 1) % hosts_count;
                    live_move(&rig, &current, (host, dest), *end)
                        .await
                        .map_err(|error| (at, error))?
                }
            };
            if let (Some(moved), Some(slot)) = (moved, slots.get_mut(usize::from(*slot))) {
                *slot = moved;
            }
        }
        Ok(())
    }
    .await
    .map_err(|error: (usize, CaseError)| error);
    if tracker.is_none() {
        clean_up(hosts, &rig.world().involved).await;
    }
    result
}

/// A whole move of `instance` from host `source` to host `dest` (a resize
/// when they are the same): each call as Nova makes it, stopping where the
/// model says a call is refused (after checking the backend refuses it
/// too). Returns where the instance now is, if it moved or changed flavor.
async fn one_move(
    rig: &Rig<'_>,
    instance: &Instance,
    (source, dest): (usize, usize),
    flavor: Flavor,
    power_on: bool,
    end: End,
) -> Result<Option<(Instance, usize)>, CaseError> {
    let leave = Step::MigrateDiskAndPowerOff {
        dest,
        flavor: flavor.clone(),
    };
    if rig.predict(source, instance, &leave).is_err() {
        rig.step(source, instance, &leave).await?;
        return Ok(None);
    }
    rig.step(source, instance, &leave).await?;
    let mut resized = instance.clone();
    resized.flavor = flavor;
    let arrive = Step::FinishMigration {
        source,
        power_on,
        volumes: rig.volumes(source, instance.uuid),
    };
    let arrived = rig.predict(dest, &resized, &arrive).is_ok();
    rig.step(dest, &resized, &arrive).await?;
    match end {
        End::Confirm if arrived => {
            rig.step(source, &resized, &Step::ConfirmMigration { dest })
                .await?;
            Ok(Some((resized, dest)))
        }
        End::Confirm | End::Revert { .. } => {
            let power_on = match end {
                End::Revert { power_on } => power_on,
                End::Confirm => true,
            };
            if arrived && source != dest {
                rig.step(dest, &resized, &Step::Lifecycle(Op::Destroy))
                    .await?;
            }
            rig.step(source, instance, &Step::FinishRevertMigration { power_on })
                .await?;
            Ok(Some((instance.clone(), source)))
        }
    }
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

/// Destroys every instance of `involved` on every host of `hosts`, for
/// hosts a case made itself (the suite cleans up only its own).
pub(crate) async fn clean_up(hosts: &[HostUnderTest], involved: &[Instance]) {
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

/// `count` fresh hosts from `factory`, prepared as the suite prepares a
/// case's.
async fn fresh_hosts(
    factory: &Arc<dyn BackendFactory>,
    count: usize,
) -> Result<Vec<HostUnderTest>, CaseError> {
    let mut hosts = Vec::new();
    for (index, name) in [fixtures::HOST_A, fixtures::HOST_B]
        .into_iter()
        .take(count)
        .enumerate()
    {
        let backend = factory
            .create_host(index)
            .await
            .map_err(|e| CaseError::fail("a fresh backend from the factory", e.to_string()))?;
        hosts.push(HostUnderTest::prepare(name, backend).await?);
    }
    Ok(hosts)
}

/// Shrinks a failing walk: proptest simplifies the sequence; each candidate
/// runs on fresh backends; a candidate that still fails is kept. Returns the
/// smallest failing sequence found and its failure.
async fn shrink(
    (factory, hosts): (&Arc<dyn BackendFactory>, usize),
    steps: &[WalkStep],
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
            let Ok(hosts) = fresh_hosts(factory, hosts).await else {
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
