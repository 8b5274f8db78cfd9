//! Guest-level calls and their preconditions: snapshot, crash dump, file
//! injection, reboot polling.

use std::sync::Arc;

use crate::prelude::*;

pub(crate) fn snapshot_refuses_soft_deleted() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            ctx.expect_apply(&instance, Op::SoftDelete).await?;
            ctx.step("snapshot of the soft-deleted instance");
            let result = ctx
                .driver()
                .snapshot(
                    &fixtures::context(),
                    &instance,
                    "snapshot-image",
                    Arc::new(|_, _| {}),
                )
                .await;
            expect_kind(
                "snapshot of a soft-deleted instance",
                result,
                ErrorKind::InvalidState,
            )?;
            ctx.expect_status(&instance, SOFT_DELETED).await
        })
    })
    .exercises(&[M::Spawn, M::SoftDelete, M::Snapshot, M::GetInfo])
}

pub(crate) fn crash_dump_while_paused() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            ctx.expect_apply(&instance, Op::Pause).await?;
            let mark = ctx.event_mark(0);
            ctx.step("trigger_crash_dump while paused");
            ctx.driver().trigger_crash_dump(&instance).await?;
            ctx.expect_status(&instance, PAUSED).await?;
            ctx.expect_events(0, mark, &[]).await
        })
    })
    .exercises(&[M::Spawn, M::Pause, M::TriggerCrashDump, M::GetInfo])
}

pub(crate) fn inject_file_rejects_relative_path() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            ctx.step("inject_file b64('testfile') (relative)");
            let result = ctx
                .driver()
                .inject_file(&instance, "dGVzdGZpbGU=", "dGVzdGNvbnRlbnRz")
                .await;
            expect_kind(
                "inject_file of a relative path",
                result,
                ErrorKind::InvalidInput,
            )?;
            ctx.step("inject_file b64('/etc/hostname') twice (replaces)");
            let path = "L2V0Yy9ob3N0bmFtZQ==";
            ctx.driver().inject_file(&instance, path, "dm0x").await?;
            ctx.driver().inject_file(&instance, path, "dm0y").await?;
            ctx.expect_status(&instance, RUNNING).await
        })
    })
    .exercises(&[M::Spawn, M::InjectFile, M::GetInfo])
}

pub(crate) fn poll_rebooting_ignores_strangers() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            let stranger = ctx.new_instance(Flavor::m1_tiny());
            ctx.step("poll_rebooting_instances [instance, an instance not on this host]");
            ctx.driver()
                .poll_rebooting_instances(
                    Duration::from_secs(60),
                    &[instance.clone(), stranger.clone()],
                )
                .await?;
            ctx.expect_status(&instance, RUNNING).await?;
            ctx.expect_absent(0, &stranger).await
        })
    })
    .exercises(&[
        M::Spawn,
        M::PollRebootingInstances,
        M::GetInfo,
        M::ListInstances,
    ])
}
