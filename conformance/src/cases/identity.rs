//! Identity: UUIDs and names are unique, unknown instances are
//! `InstanceNotFound`, a failed spawn leaves no trace, listings show every state.
//! Every case but `unknown_instance_not_found` (a sweep of every method with
//! the suite's sample arguments, each answer checked against the trait's
//! identity rule) drives its steps through the reference model
//! ([`crate::model::Rig`]): each answer and every observable after it equal
//! the model's.

use driver_api::DriverError;

use crate::describe::describe_result;
use crate::invoke::{invoke_guarded, not_found_for_unknown};
use crate::model::intent::step_answering;
use crate::model::{Rig, Step};
use crate::prelude::*;

pub(crate) fn unknown_instance_not_found() -> CaseSpec {
    let targeted: Vec<M> = M::ALL
        .iter()
        .copied()
        .filter(|m| not_found_for_unknown(*m) || matches!(m, M::Destroy | M::Snapshot))
        .collect();
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let capabilities = ctx.capabilities();
            let unknown = ctx.new_instance(Flavor::m1_tiny());
            for method in M::ALL.iter().copied() {
                if !method.is_supported_by(&capabilities) {
                    continue;
                }
                let expected = if method == M::Destroy {
                    None
                } else if method == M::Snapshot {
                    Some(ErrorKind::InstanceNotRunning)
                } else if not_found_for_unknown(method) {
                    Some(ErrorKind::InstanceNotFound)
                } else {
                    continue;
                };
                ctx.step(format!("{method} on an unknown instance"));
                let answer = invoke_guarded(ctx.driver(), method, &unknown, ctx.host_name(0))
                    .await
                    .map_err(|panic| CaseError::fail(format!("{method}: no panic"), panic))?;
                let got = answer.as_ref().err().map(DriverError::kind);
                if got != expected {
                    return Err(CaseError::fail(
                        format!(
                            "{method} on an unknown instance: {}",
                            expected.map_or("Ok".to_owned(), |k| format!("Err({k:?})"))
                        ),
                        describe_result(&answer),
                    ));
                }
            }
            ctx.expect_absent(0, &unknown).await?;
            ctx.expect_used(0, ResourceAmounts::default()).await
        })
    })
    .covers(&targeted)
    .exercises(&[M::Destroy, M::GetInfo])
}

/// A second spawn of the same UUID is `InstanceExists` and changes nothing
/// (every observable compared with the model after each step).
pub(crate) fn spawn_duplicate_uuid() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = ctx.new_instance(Flavor::m1_tiny());
            let spawn = Step::Spawn { power_on: true };
            rig.step(0, &instance, &spawn).await?;
            rig.step(0, &instance, &spawn).await
        })
    })
    .exercises(&[M::Spawn, M::GetAvailableResource, M::ListInstanceUuids])
}

/// A spawn reusing a live instance's name is `InstanceExists`; the refused
/// twin is nowhere (every observable compared with the model).
pub(crate) fn spawn_duplicate_name() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let first = ctx.new_instance(Flavor::m1_tiny());
            let spawn = Step::Spawn { power_on: true };
            rig.step(0, &first, &spawn).await?;
            let twin = ctx
                .new_instance(Flavor::m1_tiny())
                .with_name(first.name.clone());
            rig.step(0, &twin, &spawn).await
        })
    })
    .exercises(&[
        M::Spawn,
        M::GetAvailableResource,
        M::ListInstanceUuids,
        M::GetInfo,
    ])
}

/// `spawn` with `power_on` false: `Shutdown`, listed, claimed, no event.
pub(crate) fn spawn_powered_off() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &instance, &Step::Spawn { power_on: false })
                .await?;
            ctx.expect_status(&instance, SHUTDOWN).await
        })
    })
    .exercises(&[M::Spawn, M::GetInfo, M::ListInstances, M::ListInstanceUuids])
}

pub(crate) fn spawn_unknown_node() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = ctx
                .new_instance(Flavor::m1_tiny())
                .with_node("conformance-no-such-node");
            let spawn = Step::Spawn { power_on: true };
            step_answering(&rig, 0, &instance, &spawn, Err(ErrorKind::NodeNotFound)).await
        })
    })
    .exercises(&[
        M::Spawn,
        M::GetInfo,
        M::ListInstances,
        M::GetAvailableResource,
    ])
}

/// `instance_exists` before spawn, after it and after destroy (read with
/// every other observable after each step).
pub(crate) fn instance_exists_tracks_lifetime() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &instance, &Step::Lifecycle(Op::Destroy))
                .await?;
            rig.step(0, &instance, &Step::Spawn { power_on: true })
                .await?;
            rig.step(0, &instance, &Step::Lifecycle(Op::Destroy)).await
        })
    })
    .exercises(&[M::InstanceExists, M::Spawn, M::Destroy])
}

pub(crate) fn listings_show_every_state() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            ctx.require_free(&vec![Flavor::m1_tiny(); 6]).await?;
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            // Each status reached by one row from running; the snapshot after
            // every step compares both listings and the count with the model.
            for row in [
                None,
                Some(Op::Pause),
                Some(Op::Suspend),
                Some(Op::PowerOff),
                Some(Op::SoftDelete),
                Some(Op::Rescue),
            ] {
                let instance = ctx.new_instance(Flavor::m1_tiny());
                rig.step(0, &instance, &Step::Spawn { power_on: true })
                    .await?;
                if let Some(op) = row {
                    rig.step(0, &instance, &Step::Lifecycle(op)).await?;
                }
            }
            let listed = rig.world().hosts.first().map_or(0, |h| h.instances.len());
            ctx.step("get_num_instances");
            expect_eq(
                "get_num_instances",
                listed,
                ctx.driver().get_num_instances().await?,
            )
        })
    })
    .exercises(&[
        M::Spawn,
        M::Pause,
        M::Suspend,
        M::PowerOff,
        M::SoftDelete,
        M::Rescue,
        M::ListInstances,
        M::ListInstanceUuids,
        M::GetNumInstances,
    ])
}

pub(crate) fn failed_spawn_leaves_nothing() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let free = ctx.resources(0).await?.free();
            let instance = ctx.new_instance(fixtures::oversized_flavor(&free, 1));
            let spawn = Step::Spawn { power_on: true };
            let too_big = Err(ErrorKind::InsufficientResources);
            step_answering(&rig, 0, &instance, &spawn, too_big).await?;
            // The same UUID (so the same VIF) again with m1.tiny: nothing of
            // the failure is left in the way.
            let retry = instance.clone().with_flavor(Flavor::m1_tiny());
            rig.step(0, &retry, &spawn).await
        })
    })
    .exercises(&[
        M::Spawn,
        M::GetInfo,
        M::ListInstances,
        M::GetAvailableResource,
    ])
}
