//! Cold and live migration between two hosts: the instance and its claim move
//! exactly once, never lost, never on both hosts. Every case but
//! `live_migration_moves_instance` (Nova's scenario, registered as
//! `nova::live_migration`) drives its steps through the reference
//! model ([`crate::model::Rig`]): each answer and every observable of both
//! hosts after it equal the model's.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use driver_api::{ComputeDriver, LiveMigrateData, LiveMigrationCallbacks, MigrationStatus};

use crate::case::CaseResult;
use crate::model::intent::step_answering;
use crate::model::{Rig, Step};
use crate::prelude::*;

/// Records which live-migration callback ran; `post` drives the destination.
#[derive(Debug)]
struct Callbacks {
    destination: Arc<dyn ComputeDriver>,
    calls: Mutex<Vec<String>>,
    post_result: Mutex<Option<String>>,
}

#[async_trait]
impl LiveMigrationCallbacks for Callbacks {
    async fn post(&self, instance: &Instance, dest: &str, _data: &LiveMigrateData) {
        if let Ok(mut calls) = self.calls.lock() {
            calls.push(format!("post({dest})"));
        }
        let result = self
            .destination
            .post_live_migration_at_destination(
                &fixtures::context(),
                instance,
                &[],
                false,
                &fixtures::no_block_devices(),
            )
            .await;
        if let (Err(error), Ok(mut slot)) = (result, self.post_result.lock()) {
            *slot = Some(crate::describe::describe_error(&error));
        }
    }

    async fn recover(
        &self,
        _instance: &Instance,
        dest: &str,
        _data: &LiveMigrateData,
        status: MigrationStatus,
    ) {
        if let Ok(mut calls) = self.calls.lock() {
            calls.push(format!("recover({dest}, {status:?})"));
        }
    }
}

/// `check_can_live_migrate_destination` on B for `instance` coming from A,
/// with both hosts' current resources (the outer error: reading them failed).
async fn check_destination(
    ctx: &CaseContext,
    instance: &Instance,
    step: &str,
) -> Result<driver_api::DriverResult<LiveMigrateData>, CaseError> {
    let source = ctx.resources(0).await?;
    let destination = ctx.resources(1).await?;
    ctx.step(step);
    Ok(ctx
        .driver_on(1)
        .check_can_live_migrate_destination(
            &fixtures::context(),
            instance,
            &source,
            &destination,
            false,
            false,
        )
        .await)
}

/// Runs the destination and source checks and `pre_live_migration`.
async fn prepare_live(
    ctx: &CaseContext,
    instance: &Instance,
) -> Result<LiveMigrateData, CaseError> {
    let data =
        check_destination(ctx, instance, "check_can_live_migrate_destination on B").await??;
    ctx.step("check_can_live_migrate_source on A");
    let data = ctx
        .driver_on(0)
        .check_can_live_migrate_source(&fixtures::context(), instance, &data)
        .await?;
    ctx.step("pre_live_migration on B");
    let data = ctx
        .driver_on(1)
        .pre_live_migration(
            &fixtures::context(),
            instance,
            &fixtures::no_block_devices(),
            &[],
            &data,
        )
        .await?;
    Ok(data)
}

async fn live_migrate(ctx: &CaseContext) -> CaseResult {
    let instance = ctx.spawn_running().await?;
    let claim = claim(&instance.flavor);
    let data = prepare_live(ctx, &instance).await?;
    let callbacks = Arc::new(Callbacks {
        destination: ctx.driver_on(1).clone(),
        calls: Mutex::new(Vec::new()),
        post_result: Mutex::new(None),
    });
    let (mark_a, mark_b) = (ctx.event_mark(0), ctx.event_mark(1));
    ctx.step("live_migration A -> B");
    ctx.driver_on(0)
        .live_migration(
            &fixtures::context(),
            &instance,
            fixtures::HOST_B,
            callbacks.clone(),
            false,
            &data,
        )
        .await?;
    let calls = callbacks
        .calls
        .lock()
        .map(|c| c.clone())
        .unwrap_or_default();
    expect_eq(
        "callbacks called",
        vec![format!("post({})", fixtures::HOST_B)],
        calls,
    )?;
    let post = callbacks
        .post_result
        .lock()
        .map(|r| r.clone())
        .unwrap_or(None);
    expect_eq("post_live_migration_at_destination result", None, post)?;
    ctx.step("check_can_live_migrate_destination_cleanup on B");
    ctx.driver_on(1)
        .check_can_live_migrate_destination_cleanup(&fixtures::context(), &data)
        .await?;
    ctx.expect_absent(0, &instance).await?;
    ctx.expect_listed(1, &instance).await?;
    ctx.expect_status_on(1, &instance, RUNNING).await?;
    ctx.expect_used(0, ResourceAmounts::default()).await?;
    ctx.expect_used(1, claim).await?;
    let completed: Vec<_> = ctx
        .events_since(0, mark_a)
        .into_iter()
        .filter(|e| e.transition == Ev::MigrationCompleted && e.instance_uuid == instance.uuid)
        .collect();
    expect_eq(
        "MigrationCompleted events on the source",
        1,
        completed.len(),
    )?;
    ctx.expect_events(1, mark_b, &[(instance.uuid, Ev::Started)])
        .await
}

pub(crate) fn live_migration_moves_instance() -> CaseSpec {
    CaseSpec::new(|ctx| Box::pin(live_migrate(ctx)))
        .two_hosts()
        .exercises(&[
            M::Spawn,
            M::CheckCanLiveMigrateDestination,
            M::CheckCanLiveMigrateSource,
            M::PreLiveMigration,
            M::LiveMigration,
            M::PostLiveMigrationAtDestination,
            M::CheckCanLiveMigrateDestinationCleanup,
            M::GetAvailableResource,
        ])
}

/// Spawns a running m1.tiny instance on A and prepares its live migration to
/// B up to `pre_live_migration` (each step through the rig).
async fn prepare_live_through(rig: &Rig<'_>, instance: &Instance) -> CaseResult {
    rig.step(0, instance, &Step::Spawn { power_on: true })
        .await?;
    rig.step(1, instance, &Step::LiveCheckDestination).await?;
    rig.step(0, instance, &Step::LiveCheckSource { dest: 1 })
        .await?;
    let pre = Step::PreLiveMigration {
        volumes: Vec::new(),
    };
    step_answering(rig, 1, instance, &pre, Ok(())).await
}

/// A rollback on the destination releases its reservation; a second changes
/// nothing; the source keeps the instance running with its claim.
pub(crate) fn live_rollback_releases_reservation() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = ctx.new_instance(Flavor::m1_tiny());
            prepare_live_through(&rig, &instance).await?;
            let rollback = Step::RollbackLiveMigrationAtDestination;
            rig.step(1, &instance, &rollback).await?;
            rig.step(1, &instance, &rollback).await
        })
    })
    .two_hosts()
    .exercises(&[
        M::Spawn,
        M::CheckCanLiveMigrateDestination,
        M::CheckCanLiveMigrateSource,
        M::PreLiveMigration,
        M::RollbackLiveMigrationAtDestination,
    ])
}

/// The destination check of a flavor larger than B's free memory is
/// `InsufficientResources` and changes nothing.
pub(crate) fn live_destination_insufficient() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let destination = ctx.resources(1).await?;
            let flavor = fixtures::oversized_flavor(&destination.free(), 1);
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = ctx.new_instance(flavor);
            let check = Step::LiveCheckDestination;
            let want = Err(ErrorKind::InsufficientResources);
            step_answering(&rig, 1, &instance, &check, want).await
        })
    })
    .two_hosts()
    .exercises(&[M::CheckCanLiveMigrateDestination, M::GetAvailableResource])
}

/// The destination check on a host that has the instance already is
/// `InstanceExists` and changes nothing.
pub(crate) fn live_destination_already_has_instance() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = ctx.new_instance(Flavor::m1_tiny());
            rig.step(1, &instance, &Step::Spawn { power_on: true })
                .await?;
            let check = Step::LiveCheckDestination;
            let want = Err(ErrorKind::InstanceExists);
            step_answering(&rig, 1, &instance, &check, want).await
        })
    })
    .two_hosts()
    .exercises(&[M::Spawn, M::CheckCanLiveMigrateDestination])
}

/// The source check of a shut-down instance is `InvalidState` and changes
/// nothing.
pub(crate) fn live_source_must_run() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &instance, &Step::Spawn { power_on: true })
                .await?;
            rig.step(0, &instance, &Step::Lifecycle(Op::PowerOff))
                .await?;
            let check = Step::LiveCheckSource { dest: 1 };
            let want = Err(ErrorKind::InvalidState);
            step_answering(&rig, 0, &instance, &check, want).await
        })
    })
    .two_hosts()
    .exercises(&[M::Spawn, M::PowerOff, M::CheckCanLiveMigrateSource])
}

/// Cold-migrates a new running m1.tiny instance from A to B as m1.small, up
/// to `finish_migration` (powered on), each step through the rig; returns
/// the instance as A has it and as B has it.
async fn cold_to_destination(
    ctx: &CaseContext,
    rig: &Rig<'_>,
) -> Result<(Instance, Instance), CaseError> {
    let instance = ctx.new_instance(Flavor::m1_tiny());
    rig.step(0, &instance, &Step::Spawn { power_on: true })
        .await?;
    let out = Step::MigrateDiskAndPowerOff {
        dest: 1,
        flavor: Flavor::m1_small(),
    };
    step_answering(rig, 0, &instance, &out, Ok(())).await?;
    let resized = instance.clone().with_flavor(Flavor::m1_small());
    let finish = Step::FinishMigration {
        source: 0,
        power_on: true,
        volumes: Vec::new(),
    };
    step_answering(rig, 1, &resized, &finish, Ok(())).await?;
    Ok((instance, resized))
}

const COLD: &[M] = &[
    M::Spawn,
    M::MigrateDiskAndPowerOff,
    M::FinishMigration,
    M::GetAvailableResource,
    M::GetInfo,
];

/// Confirm on the source removes its copy and claim; a second confirm
/// changes nothing.
pub(crate) fn cold_confirm_moves_instance() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let (instance, _resized) = cold_to_destination(ctx, &rig).await?;
            let confirm = Step::ConfirmMigration { dest: 1 };
            step_answering(&rig, 0, &instance, &confirm, Ok(())).await?;
            step_answering(&rig, 0, &instance, &confirm, Ok(())).await
        })
    })
    .two_hosts()
    .exercises(COLD)
    .exercises(&[M::ConfirmMigration, M::ListInstances])
}

/// A revert: the destination's copy destroyed, the source's powered on
/// again with its old claim.
pub(crate) fn cold_revert_restores_source() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let (instance, resized) = cold_to_destination(ctx, &rig).await?;
            rig.step(1, &resized, &Step::Lifecycle(Op::Destroy)).await?;
            let revert = Step::FinishRevertMigration { power_on: true };
            step_answering(&rig, 0, &instance, &revert, Ok(())).await
        })
    })
    .two_hosts()
    .exercises(COLD)
    .exercises(&[M::FinishRevertMigration, M::Destroy])
}

/// `finish_migration` of a flavor larger than B's free vCPUs is
/// `InsufficientResources` and creates nothing.
pub(crate) fn cold_finish_insufficient() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let destination = ctx.resources(1).await?;
            let big = fixtures::oversized_flavor(&destination.free(), 0);
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = ctx.new_instance(big);
            let finish = Step::FinishMigration {
                source: 0,
                power_on: true,
                volumes: Vec::new(),
            };
            let want = Err(ErrorKind::InsufficientResources);
            step_answering(&rig, 1, &instance, &finish, want).await
        })
    })
    .two_hosts()
    .exercises(&[M::FinishMigration, M::GetAvailableResource])
}
