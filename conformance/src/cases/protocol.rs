//! Protocol variants of cold migration and resize, every combination Nova
//! drives: `power_on` false and true at `finish_migration` and at
//! `finish_revert_migration`, confirm or revert, the old or a new flavor,
//! another instance left on the source, between two hosts and on one host
//! (a same-host resize). Every call's answer and every observable of both
//! hosts are compared with the reference model after each step.

use crate::case::CaseResult;
use crate::model::step::{mountpoint, volume_id, Step};
use crate::model::Rig;
use crate::prelude::*;

/// How a move ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum End {
    /// `confirm_migration` on the source.
    Confirm,
    /// `finish_revert_migration` on the source.
    Revert {
        /// Start the source copy again.
        power_on: bool,
    },
}

const ENDS: [End; 3] = [
    End::Confirm,
    End::Revert { power_on: false },
    End::Revert { power_on: true },
];

fn methods() -> [M; 5] {
    [
        M::Spawn,
        M::MigrateDiskAndPowerOff,
        M::FinishMigration,
        M::ConfirmMigration,
        M::FinishRevertMigration,
    ]
}

/// One move of a new instance from host `source` to host `dest` (the same
/// host for a resize), ending as `end`.
async fn one_move(
    ctx: &CaseContext,
    rig: &Rig<'_>,
    (source, dest): (usize, usize),
    new_flavor: Flavor,
    power_on: bool,
    end: End,
) -> CaseResult {
    ctx.step(format!(
        "-- move host {source} -> host {dest}, {}, finish power_on={power_on}, {end:?}",
        new_flavor.name
    ));
    let instance = ctx.new_instance(Flavor::m1_tiny());
    rig.step(source, &instance, &Step::Spawn { power_on: true })
        .await?;
    // With the volume feature, the instance moves with a volume, which
    // `finish_migration` receives in `block_device_info`.
    if ctx.capabilities().supports(F::Volumes) {
        rig.step(source, &instance, &Step::AttachVolume(0)).await?;
    }
    let moving = Step::MigrateDiskAndPowerOff {
        dest,
        flavor: new_flavor.clone(),
    };
    rig.step(source, &instance, &moving).await?;
    let mut resized = instance.clone();
    resized.flavor = new_flavor;
    let arrive = Step::FinishMigration {
        source,
        power_on,
        volumes: rig.volumes(source, instance.uuid),
    };
    rig.step(dest, &resized, &arrive).await?;
    match end {
        // Nova confirms with the instance as it is now: the new flavor.
        End::Confirm => {
            rig.step(source, &resized, &Step::ConfirmMigration { dest })
                .await?;
            rig.step(dest, &resized, &Step::Lifecycle(Op::Destroy))
                .await
        }
        // Nova destroys the destination's copy (not on a same-host resize),
        // then reverts on the source with the old flavor.
        End::Revert { power_on } => {
            if source != dest {
                rig.step(dest, &resized, &Step::Lifecycle(Op::Destroy))
                    .await?;
            }
            rig.step(source, &instance, &Step::FinishRevertMigration { power_on })
                .await?;
            rig.step(source, &instance, &Step::Lifecycle(Op::Destroy))
                .await
        }
    }
}

/// Every variant of a move between `source` and `dest`.
async fn variants(ctx: &CaseContext, source: usize, dest: usize) -> CaseResult {
    let log = |text: String| ctx.step(text);
    let rig = Rig::of(ctx, &log).await?;
    for bystander in [false, true] {
        let other = ctx.new_instance(Flavor::m1_tiny());
        if bystander {
            rig.step(source, &other, &Step::Spawn { power_on: true })
                .await?;
        }
        for flavor in [Flavor::m1_tiny(), Flavor::m1_small()] {
            for power_on in [false, true] {
                for end in ENDS {
                    one_move(ctx, &rig, (source, dest), flavor.clone(), power_on, end).await?;
                }
            }
        }
        if bystander {
            rig.step(source, &other, &Step::Lifecycle(Op::Destroy))
                .await?;
        }
    }
    Ok(())
}

/// Cold migration between two hosts, every variant.
pub(crate) fn cold_variants() -> CaseSpec {
    CaseSpec::new(|ctx| Box::pin(variants(ctx, 0, 1)))
        .long_running()
        .two_hosts()
        .exercises(&methods())
        .exercises(&[M::Destroy, M::GetInfo, M::GetAvailableResource])
        .covers(&[M::AttachVolume])
}

/// Resize on one host (a same-host cold migration), every variant.
pub(crate) fn resize_same_host_variants() -> CaseSpec {
    CaseSpec::new(|ctx| Box::pin(variants(ctx, 0, 0)))
        .long_running()
        .exercises(&methods())
        .exercises(&[M::Destroy, M::GetInfo, M::GetAvailableResource])
        .covers(&[M::AttachVolume])
}

/// `finish_migration`'s two edges of "a same-host resize (`migration` comes
/// from this host and the instance is here, moving out)": a same-host record
/// for an instance destroyed since `migrate_disk_and_power_off` creates it
/// anew; a record from another host while the instance is here moving out
/// is `InstanceExists`, nothing resized.
pub(crate) fn finish_migration_edges() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let small = Flavor::m1_small();
            ctx.step("-- same-host record, the instance destroyed before finish_migration");
            let gone = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &gone, &Step::Spawn { power_on: true }).await?;
            let out = Step::MigrateDiskAndPowerOff {
                dest: 0,
                flavor: small.clone(),
            };
            rig.step(0, &gone, &out).await?;
            rig.step(0, &gone, &Step::Lifecycle(Op::Destroy)).await?;
            let mut arrived = gone.clone();
            arrived.flavor = small.clone();
            let finish = |source| Step::FinishMigration {
                source,
                power_on: true,
                volumes: Vec::new(),
            };
            rig.step(0, &arrived, &finish(0)).await?;
            rig.step(0, &arrived, &Step::Lifecycle(Op::Destroy)).await?;
            ctx.step("-- a record from host 1 while the instance is here, moving out to host 1");
            let moving = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &moving, &Step::Spawn { power_on: true })
                .await?;
            let out = Step::MigrateDiskAndPowerOff {
                dest: 1,
                flavor: small.clone(),
            };
            rig.step(0, &moving, &out).await?;
            let mut resized = moving.clone();
            resized.flavor = small;
            rig.step(0, &resized, &finish(1)).await?;
            rig.step(0, &moving, &Step::FinishRevertMigration { power_on: false })
                .await?;
            rig.step(0, &moving, &Step::Lifecycle(Op::Destroy)).await
        })
    })
    .two_hosts()
    .exercises(&methods())
    .exercises(&[M::Destroy, M::GetInfo, M::GetAvailableResource])
}

/// `post_live_migration_at_destination` with no reservation: "it is now
/// listed here, `Running`, with its claim (the reservation of
/// `pre_live_migration`, if any), the VIFs of `network_info` and the volumes
/// of `block_device_info`". The instance arrives with what the call gives (a
/// volume where declared, the VIF), then leaves by `destroy`.
pub(crate) fn post_without_reservation() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = ctx.new_instance(Flavor::m1_tiny());
            let volumes = if ctx.capabilities().supports(F::Volumes) {
                vec![(mountpoint(0), volume_id(instance.uuid, 0, false))]
            } else {
                Vec::new()
            };
            let post = Step::PostLiveMigrationAtDestination { volumes, vif: true };
            rig.step(1, &instance, &post).await?;
            rig.step(1, &instance, &Step::Lifecycle(Op::Destroy)).await
        })
    })
    .two_hosts()
    .exercises(&[M::PostLiveMigrationAtDestination, M::Destroy])
    .covers(&[M::AttachVolume])
}

/// How a live migration ends on the destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LiveEnd {
    /// `pre_live_migration`, `live_migration`, then
    /// `post_live_migration_at_destination` with the instance's volumes and
    /// VIF again (`again` true, as Nova passes them) or with none (what
    /// `pre_live_migration` was given stays).
    Post {
        /// Pass the volumes and the VIF at `post_live_migration_at_destination` too.
        again: bool,
    },
    /// `pre_live_migration`, then `rollback_live_migration_at_destination`
    /// (the move given up before it started).
    Rollback,
}

/// The live-migration variants a walk or a case drives.
/// Every variant calls `pre_live_migration` first: `live_migration`'s
/// precondition is the data it returned (a backend such as libvirt needs
/// what it carries).
pub(crate) const LIVE_ENDS: [LiveEnd; 3] = [
    LiveEnd::Post { again: true },
    LiveEnd::Post { again: false },
    LiveEnd::Rollback,
];

/// Runs `step`, and whether the model said it must succeed.
async fn went(
    rig: &Rig<'_>,
    host: usize,
    instance: &Instance,
    step: &Step,
) -> Result<bool, CaseError> {
    let will = rig.predict(host, instance, step).is_ok();
    rig.step(host, instance, step).await?;
    Ok(will)
}

/// A whole live migration of `instance` from host `source` to host `dest`,
/// each call as Nova makes it, stopping where the model says a call is
/// refused (after checking the backend refuses it too). Returns where the
/// instance now is, if it moved.
pub(crate) async fn live_move(
    rig: &Rig<'_>,
    instance: &Instance,
    (source, dest): (usize, usize),
    end: LiveEnd,
) -> Result<Option<(Instance, usize)>, CaseError> {
    let volumes = rig.volumes(source, instance.uuid);
    if !went(rig, dest, instance, &Step::LiveCheckDestination).await?
        || !went(rig, source, instance, &Step::LiveCheckSource { dest }).await?
    {
        return Ok(None);
    }
    let pre = Step::PreLiveMigration {
        volumes: volumes.clone(),
    };
    if !went(rig, dest, instance, &pre).await? {
        return Ok(None);
    }
    if end == LiveEnd::Rollback {
        let rollback = Step::RollbackLiveMigrationAtDestination;
        rig.step(dest, instance, &rollback).await?;
        // Idempotent: a second rollback changes nothing.
        rig.step(dest, instance, &rollback).await?;
        return Ok(None);
    }
    if !went(rig, source, instance, &Step::LiveMigration { dest }).await? {
        return Ok(None);
    }
    let again = !matches!(end, LiveEnd::Post { again: false });
    let post = Step::PostLiveMigrationAtDestination {
        volumes: if again { volumes } else { Vec::new() },
        vif: again,
    };
    let arrived = went(rig, dest, instance, &post).await?;
    // After the move the source no longer has the instance: abort and
    // force-complete answer for an unknown instance.
    for step in [Step::LiveMigrationAbort, Step::LiveMigrationForceComplete] {
        rig.step(source, instance, &step).await?;
    }
    Ok(arrived.then(|| (instance.clone(), dest)))
}

/// Every live-migration variant between the two hosts, each with a volume
/// (where declared) and with another instance left on the source.
pub(crate) fn live_variants() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let other = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &other, &Step::Spawn { power_on: true }).await?;
            // Running and paused instances move; a shut-down one is refused
            // at `check_can_live_migrate_source`.
            let mut variants = Vec::new();
            for end in LIVE_ENDS {
                for before in [None, Some(Op::Pause), Some(Op::PowerOff)] {
                    variants.push((end, before));
                }
            }
            for (end, before) in variants {
                ctx.step(format!(
                    "-- live migration host 0 -> host 1, {end:?}, after {before:?}"
                ));
                let instance = ctx.new_instance(Flavor::m1_tiny());
                rig.step(0, &instance, &Step::Spawn { power_on: true })
                    .await?;
                if ctx.capabilities().supports(F::Volumes) {
                    rig.step(0, &instance, &Step::AttachVolume(0)).await?;
                }
                if let Some(op) = before {
                    let step = Step::Lifecycle(op);
                    if step
                        .method()
                        .is_some_and(|m| m.is_supported_by(&ctx.capabilities()))
                    {
                        rig.step(0, &instance, &step).await?;
                    }
                }
                let at = match live_move(&rig, &instance, (0, 1), end).await? {
                    Some((_, host)) => host,
                    None => 0,
                };
                rig.step(at, &instance, &Step::Lifecycle(Op::Destroy))
                    .await?;
            }
            Ok(())
        })
    })
    .long_running()
    .two_hosts()
    .exercises(&[
        M::Spawn,
        M::Destroy,
        M::CheckCanLiveMigrateDestination,
        M::CheckCanLiveMigrateSource,
        M::PreLiveMigration,
        M::LiveMigration,
        M::PostLiveMigrationAtDestination,
        M::RollbackLiveMigrationAtDestination,
        M::LiveMigrationAbort,
        M::LiveMigrationForceComplete,
    ])
    .covers(&[M::AttachVolume])
}
