//! Protocol variants of cold migration and resize, every combination Nova
//! drives: `power_on` false and true at `finish_migration` and at
//! `finish_revert_migration`, confirm or revert, the old or a new flavor,
//! another instance left on the source, between two hosts and on one host
//! (a same-host resize). Every call's answer and every observable of both
//! hosts are compared with the reference model after each step.

use crate::case::CaseResult;
use crate::model::step::Step;
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
        .two_hosts()
        .exercises(&methods())
        .exercises(&[M::Destroy, M::GetInfo, M::GetAvailableResource])
        .covers(&[M::AttachVolume])
}

/// Resize on one host (a same-host cold migration), every variant.
pub(crate) fn resize_same_host_variants() -> CaseSpec {
    CaseSpec::new(|ctx| Box::pin(variants(ctx, 0, 0)))
        .exercises(&methods())
        .exercises(&[M::Destroy, M::GetInfo, M::GetAvailableResource])
        .covers(&[M::AttachVolume])
}
