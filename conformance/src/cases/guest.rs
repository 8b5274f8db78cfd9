//! Guest-level calls and their preconditions: snapshot, crash dump, file
//! injection, reboot polling. Every case drives its steps through the
//! reference model ([`crate::model::Rig`]): each answer and every
//! observable after it equal the model's, so a refusal is checked to change
//! nothing.

use crate::model::{Rig, Step};
use crate::prelude::*;

/// `snapshot` of a soft-deleted instance is `InvalidState`; it stays
/// soft-deleted.
pub(crate) fn snapshot_refuses_soft_deleted() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &instance, &Step::Spawn { power_on: true })
                .await?;
            rig.step(0, &instance, &Step::Lifecycle(Op::SoftDelete))
                .await?;
            rig.step(0, &instance, &Step::Snapshot).await?;
            ctx.expect_status(&instance, SOFT_DELETED).await
        })
    })
    .exercises(&[M::Spawn, M::SoftDelete, M::Snapshot, M::GetInfo])
}

/// `trigger_crash_dump` while paused: `Ok`, still paused, no event.
pub(crate) fn crash_dump_while_paused() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &instance, &Step::Spawn { power_on: true })
                .await?;
            rig.step(0, &instance, &Step::Lifecycle(Op::Pause)).await?;
            let mark = ctx.event_mark(0);
            rig.step(0, &instance, &Step::TriggerCrashDump).await?;
            ctx.expect_status(&instance, PAUSED).await?;
            ctx.expect_events(0, mark, &[]).await
        })
    })
    .exercises(&[M::Spawn, M::Pause, M::TriggerCrashDump, M::GetInfo])
}

/// `inject_file` of a relative path is `InvalidInput` and changes nothing;
/// an absolute path written twice replaces it.
pub(crate) fn inject_file_rejects_relative_path() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &instance, &Step::Spawn { power_on: true })
                .await?;
            rig.step(0, &instance, &Step::InjectRelativeFile).await?;
            rig.step(0, &instance, &Step::InjectFile).await?;
            rig.step(0, &instance, &Step::InjectFile).await?;
            ctx.expect_status(&instance, RUNNING).await
        })
    })
    .exercises(&[M::Spawn, M::InjectFile, M::GetInfo])
}

/// `poll_rebooting_instances` leaves a running instance as it is and
/// ignores an instance not on the host (no error, nothing created).
pub(crate) fn poll_rebooting_ignores_strangers() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = ctx.new_instance(Flavor::m1_tiny());
            let stranger = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &instance, &Step::Spawn { power_on: true })
                .await?;
            rig.step(0, &instance, &Step::PollRebootingInstances)
                .await?;
            rig.step(0, &stranger, &Step::PollRebootingInstances)
                .await?;
            ctx.step("poll_rebooting_instances [instance, an instance not on this host]");
            ctx.driver()
                .poll_rebooting_instances(
                    Duration::from_secs(60),
                    &[instance.clone(), stranger.clone()],
                )
                .await?;
            rig.check("poll_rebooting_instances [instance, stranger]")
                .await
        })
    })
    .exercises(&[
        M::Spawn,
        M::PollRebootingInstances,
        M::GetInfo,
        M::ListInstances,
    ])
}
