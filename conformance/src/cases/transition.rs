//! Every cell of the transition table, checked against the oracle
//! [`driver_api::transition`]: bring an instance to the row's status through
//! legal operations, apply the column's operation, then check the status
//! after, the event emitted, the claim, or `InvalidState` with nothing changed.

use driver_api::{transition, Outcome};

use crate::actions::lifecycle_method;
use crate::paths::path_to;
use crate::prelude::*;

pub(crate) use crate::prelude::{
    CRASHED, PAUSED, RESCUED, RUNNING, SHUTDOWN, SOFT_DELETED, SUSPENDED,
};

/// The case for one cell: `op` applied to an instance in `from`.
pub(crate) fn cell(op: Op, from: InstanceStatus) -> CaseSpec {
    let path = path_to(from).unwrap_or_default();
    let mut methods: Vec<M> = path.iter().filter_map(|o| lifecycle_method(*o)).collect();
    methods.extend(lifecycle_method(op));
    let spec = CaseSpec::new(move |ctx| Box::pin(check_cell(ctx, op, from)))
        .exercises(&[M::Spawn, M::GetInfo, M::GetAvailableResource])
        .exercises(&methods);
    if path.contains(&Op::Crash) {
        spec.needs_hooks()
    } else {
        spec
    }
}

async fn check_cell(ctx: &CaseContext, op: Op, from: InstanceStatus) -> crate::case::CaseResult {
    let instance = ctx.spawn_running().await?;
    ctx.bring_to(&instance, from).await?;
    let used_before = ctx.resources(0).await?.used();
    let mark = ctx.event_mark(0);
    let result = ctx.apply(&instance, op).await;
    let what = format!("{op} from {from}");
    match transition(from, op) {
        Err(_) => {
            expect_kind(&what, result, ErrorKind::InvalidState)?;
            ctx.expect_status(&instance, from).await?;
            ctx.expect_events(0, mark, &[]).await?;
            ctx.expect_used(0, used_before).await
        }
        Ok(expected) => {
            expect_ok(&what, result)?;
            let events: Vec<_> = expected
                .event
                .map(|e| (instance.uuid, e))
                .into_iter()
                .collect();
            match expected.outcome {
                Outcome::Becomes(status) => {
                    ctx.expect_status(&instance, status).await?;
                    ctx.expect_used(0, used_before).await?;
                }
                Outcome::Removed => {
                    ctx.expect_absent(0, &instance).await?;
                    ctx.expect_used(0, used_before.saturating_sub(&claim(&instance.flavor)))
                        .await?;
                }
            }
            ctx.expect_events(0, mark, &events).await
        }
    }
}
