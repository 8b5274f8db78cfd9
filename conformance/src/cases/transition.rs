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

/// Every cell of the table, named `<operation>_from_<status>`: every
/// operation but the crash hook (a test hook, the `Crashed` row's way in)
/// from every reachable status, in table order.
pub(crate) fn cells() -> Vec<(String, CaseSpec)> {
    let operations = Op::ALL.into_iter().filter(|op| *op != Op::Crash);
    operations
        .flat_map(|op| {
            InstanceStatus::reachable().into_iter().map(move |from| {
                let name = format!("{}_from_{}", operation_name(op), status_name(from));
                (name, cell(op, from))
            })
        })
        .collect()
}

/// An operation as case ids name it (the two reboot rows apart).
fn operation_name(op: Op) -> &'static str {
    match op {
        Op::RebootSoft => "reboot_soft",
        Op::RebootHard => "reboot_hard",
        other => other.method_name(),
    }
}

/// A status as case ids name it.
fn status_name(status: InstanceStatus) -> &'static str {
    if status.rescued {
        "rescued"
    } else if status.soft_deleted {
        "soft_deleted"
    } else {
        status.state.name()
    }
}

/// The case for one cell: `op` applied to an instance in `from`.
fn cell(op: Op, from: InstanceStatus) -> CaseSpec {
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
