//! Nova's lifecycle scenarios: spawn, destroy, power, pause, suspend, rescue,
//! soft delete, reboot, snapshot.

use std::sync::{Arc, Mutex};

use driver_api::TaskState;

use crate::actions::lifecycle_method;
use crate::prelude::*;

/// Spawn, apply `ops` in order (each must succeed), then expect `expected`.
fn sequence(ops: &'static [Op], expected: InstanceStatus) -> CaseSpec {
    let methods: Vec<M> = ops.iter().filter_map(|op| lifecycle_method(*op)).collect();
    CaseSpec::new(move |ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            for op in ops {
                ctx.expect_apply(&instance, *op).await?;
            }
            ctx.expect_status(&instance, expected).await
        })
    })
    .exercises(&[M::Spawn, M::GetInfo])
    .exercises(&methods)
}

pub(crate) fn init_host() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            ctx.step("init_host myhostname");
            ctx.driver().init_host("myhostname").await?;
            ctx.step("get_available_nodes");
            let nodes = ctx.driver().get_available_nodes(false).await?;
            expect_eq(
                "nodes after init_host",
                vec!["myhostname".to_owned()],
                nodes,
            )
        })
    })
    .exercises(&[M::InitHost, M::GetAvailableNodes])
}

pub(crate) fn list_instances() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let before = ctx.names(0).await?;
            let instance = ctx.new_instance(Flavor::m1_tiny());
            ensure(
                !before.contains(&instance.name),
                "a fresh backend not to list the new name",
                format!("{before:?}"),
            )?;
            expect_ok("spawn", ctx.spawn_on(0, &instance, true).await)?;
            ctx.expect_listed(0, &instance).await
        })
    })
    .exercises(&[M::ListInstances, M::Spawn])
}

pub(crate) fn list_instance_uuids() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let before = ctx.uuids(0).await?;
            let instance = ctx.spawn_running().await?;
            let after = ctx.uuids(0).await?;
            expect_eq(
                "instances listed after one spawn",
                before.len() + 1,
                after.len(),
            )?;
            ensure(
                after.contains(&instance.uuid),
                format!("list_instance_uuids to contain {}", instance.uuid),
                format!("{after:?}"),
            )
        })
    })
    .exercises(&[M::ListInstanceUuids, M::Spawn])
}

pub(crate) fn spawn() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            ctx.step("get_num_instances");
            let before = ctx.driver().get_num_instances().await?;
            let instance = ctx.spawn_running().await?;
            ctx.expect_listed(0, &instance).await?;
            ctx.step("get_num_instances");
            let after = ctx.driver().get_num_instances().await?;
            expect_eq("get_num_instances after one spawn", before + 1, after)?;
            let listed = ctx.uuids(0).await?.len();
            expect_eq(
                "get_num_instances (as list_instance_uuids counts)",
                listed,
                after,
            )?;
            ctx.step(format!("instance_exists {}", instance.name));
            let exists = ctx.driver().instance_exists(&instance).await?;
            expect_eq("instance_exists", true, exists)?;
            ctx.expect_status(&instance, RUNNING).await
        })
    })
    .exercises(&[
        M::Spawn,
        M::ListInstances,
        M::ListInstanceUuids,
        M::GetNumInstances,
        M::InstanceExists,
        M::GetInfo,
    ])
}

/// The task-state calls a snapshot made.
type Calls = Arc<Mutex<Vec<(TaskState, TaskState)>>>;

fn recording_callback() -> (driver_api::TaskStateCallback, Calls) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let callback: driver_api::TaskStateCallback = Arc::new(move |state, expected| {
        if let Ok(mut calls) = sink.lock() {
            calls.push((state, expected));
        }
    });
    (callback, seen)
}

pub(crate) fn snapshot_not_running() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.new_instance(Flavor::m1_tiny());
            let (callback, seen) = recording_callback();
            ctx.step(format!("snapshot never-spawned {}", instance.name));
            let result = ctx
                .driver()
                .snapshot(&fixtures::context(), &instance, "snapshot-image", callback)
                .await;
            expect_kind(
                "snapshot of an unknown instance",
                result,
                ErrorKind::InstanceNotRunning,
            )?;
            let calls = seen.lock().map(|c| c.clone()).unwrap_or_default();
            expect_eq(
                "task-state callbacks of a refused snapshot",
                Vec::new(),
                calls,
            )
        })
    })
    .exercises(&[M::Snapshot])
}

pub(crate) fn snapshot_running() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            let (callback, seen) = recording_callback();
            let mark = ctx.event_mark(0);
            ctx.step(format!("snapshot {}", instance.name));
            ctx.driver()
                .snapshot(&fixtures::context(), &instance, "snapshot-image", callback)
                .await?;
            let calls = seen.lock().map(|c| c.clone()).unwrap_or_default();
            expect_eq(
                "task-state callbacks",
                vec![
                    (TaskState::ImagePendingUpload, TaskState::ImageSnapshot),
                    (TaskState::ImageUploading, TaskState::ImagePendingUpload),
                ],
                calls,
            )?;
            ctx.expect_status(&instance, RUNNING).await?;
            ctx.expect_events(0, mark, &[]).await
        })
    })
    .exercises(&[M::Spawn, M::Snapshot, M::GetInfo])
}

pub(crate) fn reboot() -> CaseSpec {
    sequence(&[Op::RebootSoft], RUNNING)
}

pub(crate) fn rescue() -> CaseSpec {
    sequence(&[Op::Rescue], RESCUED)
}

pub(crate) fn unrescue_unrescued_instance() -> CaseSpec {
    sequence(&[Op::Unrescue], RUNNING)
}

pub(crate) fn unrescue_rescued_instance() -> CaseSpec {
    sequence(&[Op::Rescue, Op::Unrescue], RUNNING)
}

pub(crate) fn power_off() -> CaseSpec {
    sequence(&[Op::PowerOff], SHUTDOWN)
}

pub(crate) fn power_on_running() -> CaseSpec {
    sequence(&[Op::PowerOn], RUNNING)
}

pub(crate) fn power_on_powered_off() -> CaseSpec {
    sequence(&[Op::PowerOff, Op::PowerOn], RUNNING)
}

pub(crate) fn soft_delete() -> CaseSpec {
    sequence(&[Op::SoftDelete], SOFT_DELETED)
}

pub(crate) fn restore_running() -> CaseSpec {
    sequence(&[Op::Restore], RUNNING)
}

pub(crate) fn restore_soft_deleted() -> CaseSpec {
    sequence(&[Op::SoftDelete, Op::Restore], RUNNING)
}

pub(crate) fn pause() -> CaseSpec {
    sequence(&[Op::Pause], PAUSED)
}

pub(crate) fn unpause_unpaused_instance() -> CaseSpec {
    sequence(&[Op::Unpause], RUNNING)
}

pub(crate) fn unpause_paused_instance() -> CaseSpec {
    sequence(&[Op::Pause, Op::Unpause], RUNNING)
}

pub(crate) fn suspend() -> CaseSpec {
    sequence(&[Op::Suspend], SUSPENDED)
}

pub(crate) fn resume_unsuspended_instance() -> CaseSpec {
    sequence(&[Op::Resume], RUNNING)
}

pub(crate) fn resume_suspended_instance() -> CaseSpec {
    sequence(&[Op::Suspend, Op::Resume], RUNNING)
}

pub(crate) fn destroy_instance_nonexistent() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.new_instance(Flavor::m1_tiny());
            let result = ctx.apply(&instance, Op::Destroy).await;
            expect_ok("destroy of a never-spawned instance", result)?;
            ctx.expect_used(0, ResourceAmounts::default()).await
        })
    })
    .exercises(&[M::Destroy, M::GetAvailableResource])
}

pub(crate) fn destroy_instance() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            ctx.expect_listed(0, &instance).await?;
            ctx.expect_apply(&instance, Op::Destroy).await?;
            ctx.expect_absent(0, &instance).await
        })
    })
    .exercises(&[
        M::Spawn,
        M::Destroy,
        M::ListInstances,
        M::ListInstanceUuids,
        M::GetInfo,
    ])
}

pub(crate) fn get_info() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            let info = expect_ok("get_info", ctx.info(0, &instance).await)?;
            expect_eq("get_info state", PowerState::Running, info.state)?;
            expect_eq("get_info rescued", false, info.rescued)?;
            expect_eq("get_info soft_deleted", false, info.soft_deleted)
        })
    })
    .exercises(&[M::Spawn, M::GetInfo])
}

pub(crate) fn get_info_for_unknown_instance() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx
                .new_instance(Flavor::m1_tiny())
                .with_name("I just made this name up");
            let result = ctx.info(0, &instance).await;
            expect_kind(
                "get_info of an unknown instance",
                result,
                ErrorKind::InstanceNotFound,
            )
        })
    })
    .exercises(&[M::GetInfo])
}

pub(crate) fn set_admin_password() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            ctx.step(format!("set_admin_password {}", instance.name));
            ctx.driver()
                .set_admin_password(&instance, driver_api::Secret::new(fixtures::NEW_PASSWORD))
                .await?;
            ctx.expect_status(&instance, RUNNING).await
        })
    })
    .exercises(&[M::Spawn, M::SetAdminPassword, M::GetInfo])
}

pub(crate) fn resume_state_on_host_boot() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            ctx.step(format!("resume_state_on_host_boot {}", instance.name));
            ctx.driver()
                .resume_state_on_host_boot(
                    &fixtures::context(),
                    &instance,
                    &[],
                    &fixtures::no_block_devices(),
                )
                .await?;
            ctx.expect_status(&instance, RUNNING).await
        })
    })
    .exercises(&[M::Spawn, M::ResumeStateOnHostBoot, M::GetInfo])
}

pub(crate) fn poll_rebooting_instances() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            ctx.step("poll_rebooting_instances 10s [instance]");
            ctx.driver()
                .poll_rebooting_instances(Duration::from_secs(10), std::slice::from_ref(&instance))
                .await?;
            ctx.expect_status(&instance, RUNNING).await
        })
    })
    .exercises(&[M::Spawn, M::PollRebootingInstances, M::GetInfo])
}

pub(crate) fn trigger_crash_dump() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            let mark = ctx.event_mark(0);
            ctx.step(format!("trigger_crash_dump {}", instance.name));
            ctx.driver().trigger_crash_dump(&instance).await?;
            ctx.expect_status(&instance, RUNNING).await?;
            ctx.expect_events(0, mark, &[]).await
        })
    })
    .exercises(&[M::Spawn, M::TriggerCrashDump, M::GetInfo])
}

pub(crate) fn migrate_disk_and_power_off() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            ctx.step(format!(
                "migrate_disk_and_power_off {} to dest_host",
                instance.name
            ));
            let disks = ctx
                .driver()
                .migrate_disk_and_power_off(
                    &fixtures::context(),
                    &instance,
                    "dest_host",
                    &Flavor::m1_small(),
                    &[],
                    &fixtures::no_block_devices(),
                )
                .await?;
            ensure(!disks.is_empty(), "the instance's disks", "no disk")?;
            ctx.expect_status(&instance, SHUTDOWN).await?;
            ctx.expect_listed(0, &instance).await
        })
    })
    .exercises(&[
        M::Spawn,
        M::MigrateDiskAndPowerOff,
        M::GetInfo,
        M::ListInstances,
    ])
}

pub(crate) fn live_migration_force_complete() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            ctx.step(format!("live_migration_force_complete {}", instance.name));
            ctx.driver()
                .live_migration_force_complete(&instance)
                .await?;
            ctx.expect_status(&instance, RUNNING).await?;
            ctx.expect_listed(0, &instance).await
        })
    })
    .exercises(&[M::Spawn, M::LiveMigrationForceComplete, M::GetInfo])
}

pub(crate) fn live_migration_abort() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            ctx.step(format!("live_migration_abort {}", instance.name));
            ctx.driver().live_migration_abort(&instance).await?;
            ctx.expect_status(&instance, RUNNING).await?;
            ctx.expect_listed(0, &instance).await
        })
    })
    .exercises(&[M::Spawn, M::LiveMigrationAbort, M::GetInfo])
}
