//! Every cell of the transition table, checked against the reference model
//! (built on [`driver_api::transition`]): bring an instance to the row's
//! status through legal operations, apply the column's operation; after every
//! step the answer (`Ok` or `InvalidState`) and every observable (status,
//! flags, figures, listings, claims, consoles, counters, events) must be what
//! the model says.

use crate::actions::lifecycle_method;
use crate::model::{Rig, Step};
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
    let log = |text: String| ctx.step(text);
    let rig = Rig::of(ctx, &log).await?;
    let instance = ctx.new_instance(Flavor::m1_tiny());
    rig.step(0, &instance, &Step::Spawn { power_on: true })
        .await?;
    for on_the_way in path_to(from).unwrap_or_default() {
        rig.step(0, &instance, &Step::Lifecycle(on_the_way)).await?;
    }
    rig.step(0, &instance, &Step::Lifecycle(op)).await
}
