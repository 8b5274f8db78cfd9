//! The host: init_host, disk figures, preconditions of guest-agent calls, and
//! isolation between two backends. Every step runs through the reference
//! model ([`crate::model::Rig`]): each answer and every observable after it
//! equal the model's (a refusal is so checked to change nothing).

use crate::model::intent::step_answering;
use crate::model::{Rig, Step};
use crate::prelude::*;

/// `init_host ""` is `InvalidInput`; the node list and everything else stay
/// as they were (every observable compared with the model).
pub(crate) fn init_host_rejects_empty_name() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let bystander = ctx.new_instance(Flavor::m1_tiny());
            let empty = Step::InitHost { empty: true };
            let want = Err(ErrorKind::InvalidInput);
            step_answering(&rig, 0, &bystander, &empty, want).await
        })
    })
    .exercises(&[M::InitHost, M::GetAvailableNodes])
}

/// `get_disk_available_least` answers at most the node's local disk (the
/// step's own check), and changes nothing.
pub(crate) fn disk_available_least() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let bystander = ctx.new_instance(Flavor::m1_tiny());
            let least = Step::DiskAvailableLeast;
            step_answering(&rig, 0, &bystander, &least, Ok(())).await
        })
    })
    .exercises(&[M::GetDiskAvailableLeast, M::GetAvailableResource])
}

/// `instance_on_disk` of a running instance answers, and changes nothing.
pub(crate) fn instance_on_disk() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &instance, &Step::Spawn { power_on: true })
                .await?;
            step_answering(&rig, 0, &instance, &Step::InstanceOnDisk, Ok(())).await
        })
    })
    .exercises(&[M::Spawn, M::InstanceOnDisk])
}

/// Spawns a running instance and powers it off, through `rig`.
async fn shut_down(ctx: &CaseContext, rig: &Rig<'_>) -> Result<Instance, CaseError> {
    let instance = ctx.new_instance(Flavor::m1_tiny());
    rig.step(0, &instance, &Step::Spawn { power_on: true })
        .await?;
    rig.step(0, &instance, &Step::Lifecycle(Op::PowerOff))
        .await?;
    Ok(instance)
}

/// `set_admin_password` of a shut-down instance is `InstanceNotRunning` and
/// changes nothing.
pub(crate) fn set_admin_password_needs_running() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = shut_down(ctx, &rig).await?;
            let want = Err(ErrorKind::InstanceNotRunning);
            step_answering(&rig, 0, &instance, &Step::SetAdminPassword, want).await
        })
    })
    .exercises(&[M::Spawn, M::PowerOff, M::SetAdminPassword])
}

/// `trigger_crash_dump` of a shut-down instance is `InstanceNotRunning` and
/// changes nothing (the instance stays `Shutdown`).
pub(crate) fn crash_dump_needs_running() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = shut_down(ctx, &rig).await?;
            let want = Err(ErrorKind::InstanceNotRunning);
            step_answering(&rig, 0, &instance, &Step::TriggerCrashDump, want).await
        })
    })
    .exercises(&[M::Spawn, M::PowerOff, M::TriggerCrashDump, M::GetInfo])
}

/// An instance spawned on host A is on A only: host B lists nothing, claims
/// nothing, delivers no event and keeps its own node (every observable of
/// both hosts compared with the model after each step, which queries each
/// host about the other's instance); and the same from B's side.
pub(crate) fn backends_are_isolated() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let on_a = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &on_a, &Step::Spawn { power_on: true }).await?;
            let unknown_here = Err(ErrorKind::InstanceNotFound);
            step_answering(&rig, 1, &on_a, &Step::Invoke(M::GetInfo), unknown_here).await?;
            let on_b = ctx.new_instance(Flavor::m1_tiny());
            rig.step(1, &on_b, &Step::Spawn { power_on: true }).await?;
            step_answering(&rig, 0, &on_b, &Step::Invoke(M::GetInfo), unknown_here).await
        })
    })
    .two_hosts()
    .exercises(&[
        M::Spawn,
        M::ListInstanceUuids,
        M::GetAvailableResource,
        M::GetAvailableNodes,
    ])
}

/// `legacy_nwinfo` is `false` for a typed backend (the step's own check).
pub(crate) fn legacy_nwinfo() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let bystander = ctx.new_instance(Flavor::m1_tiny());
            step_answering(&rig, 0, &bystander, &Step::LegacyNwinfo, Ok(())).await
        })
    })
    .exercises(&[M::LegacyNwinfo])
}
