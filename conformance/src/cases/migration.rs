//! Cold and live migration between two hosts: the instance and its claim move
//! exactly once, never lost, never on both hosts.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use driver_api::{
    ComputeDriver, DiskInfo, LiveMigrateData, LiveMigrationCallbacks, Migration, MigrationStatus,
};

use crate::case::CaseResult;
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

pub(crate) fn live_rollback_releases_reservation() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            let claim = claim(&instance.flavor);
            prepare_live(ctx, &instance).await?;
            ctx.step("rollback_live_migration_at_destination on B");
            ctx.driver_on(1)
                .rollback_live_migration_at_destination(
                    &fixtures::context(),
                    &instance,
                    &[],
                    &fixtures::no_block_devices(),
                    true,
                )
                .await?;
            ctx.expect_used(1, ResourceAmounts::default()).await?;
            ctx.expect_absent(1, &instance).await?;
            ctx.step("rollback_live_migration_at_destination on B again");
            ctx.driver_on(1)
                .rollback_live_migration_at_destination(
                    &fixtures::context(),
                    &instance,
                    &[],
                    &fixtures::no_block_devices(),
                    true,
                )
                .await?;
            ctx.expect_used(1, ResourceAmounts::default()).await?;
            ctx.expect_status(&instance, RUNNING).await?;
            ctx.expect_used(0, claim).await
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

pub(crate) fn live_destination_insufficient() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let destination = ctx.resources(1).await?;
            let flavor = fixtures::oversized_flavor(&destination.free(), 1);
            let instance = ctx.new_instance(flavor);
            let result = check_destination(
                ctx,
                &instance,
                "check_can_live_migrate_destination on B, flavor larger than B's free memory",
            )
            .await?;
            expect_kind(
                "a destination check that cannot fit",
                result,
                ErrorKind::InsufficientResources,
            )?;
            ctx.expect_used(1, ResourceAmounts::default()).await
        })
    })
    .two_hosts()
    .exercises(&[M::CheckCanLiveMigrateDestination, M::GetAvailableResource])
}

pub(crate) fn live_destination_already_has_instance() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.new_instance(Flavor::m1_tiny());
            expect_ok("spawn on B", ctx.spawn_on(1, &instance, true).await)?;
            let result = check_destination(
                ctx,
                &instance,
                "check_can_live_migrate_destination on B, which has the instance",
            )
            .await?;
            expect_kind(
                "a destination check for a present instance",
                result,
                ErrorKind::InstanceExists,
            )
        })
    })
    .two_hosts()
    .exercises(&[M::Spawn, M::CheckCanLiveMigrateDestination])
}

pub(crate) fn live_source_must_run() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            ctx.expect_apply(&instance, Op::PowerOff).await?;
            let data = fixtures::migrate_data(fixtures::HOST_B);
            ctx.step("check_can_live_migrate_source on A, instance shut down");
            let result = ctx
                .driver_on(0)
                .check_can_live_migrate_source(&fixtures::context(), &instance, &data)
                .await;
            expect_kind(
                "a source check of a stopped instance",
                result,
                ErrorKind::InvalidState,
            )
        })
    })
    .two_hosts()
    .exercises(&[M::Spawn, M::PowerOff, M::CheckCanLiveMigrateSource])
}

/// Cold-migrates a running tiny instance from A to B as m1.small, up to
/// `finish_migration`; returns the resized instance and its migration record.
async fn cold_to_destination(
    ctx: &CaseContext,
) -> Result<(Instance, Instance, Migration), CaseError> {
    let instance = ctx.spawn_running().await?;
    let resized = instance.clone().with_flavor(Flavor::m1_small());
    let node_b = ctx.node(1).await?;
    let migration =
        Migration::new(instance.uuid, fixtures::HOST_A, fixtures::HOST_B).with_dest_node(node_b);
    let mark_a = ctx.event_mark(0);
    ctx.step("migrate_disk_and_power_off on A (to B, m1.small)");
    let disks: DiskInfo = ctx
        .driver_on(0)
        .migrate_disk_and_power_off(
            &fixtures::context(),
            &instance,
            fixtures::HOST_B,
            &Flavor::m1_small(),
            &[],
            &fixtures::no_block_devices(),
        )
        .await?;
    ctx.expect_status(&instance, SHUTDOWN).await?;
    ctx.expect_events(0, mark_a, &[(instance.uuid, Ev::Stopped)])
        .await?;
    ctx.expect_used(0, claim(&instance.flavor)).await?;
    let mark_b = ctx.event_mark(1);
    ctx.step("finish_migration on B (power on)");
    ctx.driver_on(1)
        .finish_migration(
            &fixtures::context(),
            &migration,
            &resized,
            &disks,
            &[],
            &fixtures::image(),
            true,
            &fixtures::no_block_devices(),
            true,
        )
        .await?;
    ctx.expect_status_on(1, &resized, RUNNING).await?;
    ctx.expect_events(1, mark_b, &[(instance.uuid, Ev::Started)])
        .await?;
    ctx.expect_used(1, claim(&resized.flavor)).await?;
    Ok((instance, resized, migration))
}

const COLD: &[M] = &[
    M::Spawn,
    M::MigrateDiskAndPowerOff,
    M::FinishMigration,
    M::GetAvailableResource,
    M::GetInfo,
];

pub(crate) fn cold_confirm_moves_instance() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let (instance, resized, migration) = cold_to_destination(ctx).await?;
            ctx.step("confirm_migration on A");
            ctx.driver_on(0)
                .confirm_migration(&migration, &instance, &[])
                .await?;
            ctx.expect_absent(0, &instance).await?;
            ctx.expect_used(0, ResourceAmounts::default()).await?;
            ctx.expect_listed(1, &resized).await?;
            ctx.expect_used(1, claim(&resized.flavor)).await?;
            ctx.step("confirm_migration on A again");
            ctx.driver_on(0)
                .confirm_migration(&migration, &instance, &[])
                .await?;
            ctx.expect_used(1, claim(&resized.flavor)).await
        })
    })
    .two_hosts()
    .exercises(COLD)
    .exercises(&[M::ConfirmMigration, M::ListInstances])
}

pub(crate) fn cold_revert_restores_source() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let (instance, resized, _migration) = cold_to_destination(ctx).await?;
            ctx.step("destroy on B (revert)");
            ctx.driver_on(1)
                .destroy(&resized, &[], &fixtures::no_block_devices(), true)
                .await?;
            let mark = ctx.event_mark(0);
            ctx.step("finish_revert_migration on A (power on)");
            ctx.driver_on(0)
                .finish_revert_migration(&instance, &[], &fixtures::no_block_devices(), true)
                .await?;
            ctx.expect_status(&instance, RUNNING).await?;
            ctx.expect_events(0, mark, &[(instance.uuid, Ev::Started)])
                .await?;
            ctx.expect_used(0, claim(&instance.flavor)).await?;
            ctx.expect_absent(1, &resized).await?;
            ctx.expect_used(1, ResourceAmounts::default()).await
        })
    })
    .two_hosts()
    .exercises(COLD)
    .exercises(&[M::FinishRevertMigration, M::Destroy])
}

pub(crate) fn cold_finish_insufficient() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let destination = ctx.resources(1).await?;
            let big = fixtures::oversized_flavor(&destination.free(), 0);
            let instance = ctx.new_instance(big);
            ctx.track(&instance);
            let migration = Migration::new(instance.uuid, fixtures::HOST_A, fixtures::HOST_B);
            ctx.step("finish_migration on B with a flavor larger than B's free vCPUs");
            let result = ctx
                .driver_on(1)
                .finish_migration(
                    &fixtures::context(),
                    &migration,
                    &instance,
                    &Vec::new(),
                    &[],
                    &fixtures::image(),
                    true,
                    &fixtures::no_block_devices(),
                    true,
                )
                .await;
            expect_kind(
                "finish_migration that cannot fit",
                result,
                ErrorKind::InsufficientResources,
            )?;
            ctx.expect_absent(1, &instance).await?;
            ctx.expect_used(1, ResourceAmounts::default()).await
        })
    })
    .two_hosts()
    .exercises(&[M::FinishMigration, M::GetAvailableResource])
}
