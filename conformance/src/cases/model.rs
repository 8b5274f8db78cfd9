//! Model-based: seeded random walks of lifecycle operations over two
//! instances, each step checked against the transition table (status,
//! events, claims), bounded in steps and in time.

use std::time::Instant;

use driver_api::{transition, Outcome};

use crate::actions::lifecycle_method;
use crate::case::CaseResult;
use crate::prelude::*;

/// Steps per walk.
const STEPS: usize = 40;
/// A walk stops early after this long (slow backends).
const TIME_BUDGET: Duration = Duration::from_secs(20);

/// A small, seedable PRNG (xorshift64*): walks are reproducible by seed.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let x = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
        usize::try_from(x % (n.max(1) as u64)).unwrap_or(0)
    }
}

/// The walk with `seed`.
pub(crate) fn random_walk(seed: u64) -> CaseSpec {
    let methods: Vec<M> = Op::ALL
        .iter()
        .filter_map(|op| lifecycle_method(*op))
        .collect();
    CaseSpec::new(move |ctx| Box::pin(walk(ctx, seed)))
        .exercises(&[M::Spawn, M::GetInfo, M::GetAvailableResource])
        .covers(&methods)
        .tier(Tier::Core)
}

async fn walk(ctx: &CaseContext, seed: u64) -> CaseResult {
    let seed = ctx.seed(seed);
    let capabilities = ctx.capabilities();
    let hooks = ctx.hooks(0).is_ok();
    let ops: Vec<Op> = Op::ALL
        .iter()
        .copied()
        .filter(|op| match lifecycle_method(*op) {
            Some(method) => method.is_supported_by(&capabilities),
            None => hooks,
        })
        .collect();
    ctx.step(format!("random walk, seed {seed}, operations {ops:?}"));
    let mut rng = Rng::new(seed);
    let mut live: Vec<(Instance, InstanceStatus)> = Vec::new();
    for _ in 0..2 {
        live.push((ctx.spawn_running().await?, RUNNING));
    }
    let started = Instant::now();
    for _ in 0..STEPS {
        if started.elapsed() > TIME_BUDGET {
            break;
        }
        let pick = rng.below(live.len());
        let op = ops[rng.below(ops.len())];
        let (instance, status) = live[pick].clone();
        let mark = ctx.event_mark(0);
        let result = ctx.apply(&instance, op).await;
        let what = format!("{op} from {status} (seed {seed})");
        match transition(status, op) {
            Err(_) => {
                expect_kind(&what, result, ErrorKind::InvalidState)?;
                ctx.expect_status(&instance, status).await?;
                ctx.expect_events(0, mark, &[]).await?;
            }
            Ok(expected) => {
                expect_ok(&what, result)?;
                let events: Vec<_> = expected
                    .event
                    .map(|e| (instance.uuid, e))
                    .into_iter()
                    .collect();
                ctx.expect_events(0, mark, &events).await?;
                match expected.outcome {
                    Outcome::Becomes(next) => {
                        ctx.expect_status(&instance, next).await?;
                        live[pick].1 = next;
                    }
                    Outcome::Removed => {
                        ctx.expect_absent(0, &instance).await?;
                        live[pick] = (ctx.spawn_running().await?, RUNNING);
                    }
                }
            }
        }
        let claims = live.iter().fold(ResourceAmounts::default(), |sum, (i, _)| {
            sum.saturating_add(&claim(&i.flavor))
        });
        ctx.expect_used(0, claims).await?;
    }
    Ok(())
}
