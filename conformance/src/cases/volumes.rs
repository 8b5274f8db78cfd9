//! Volumes: attach in any state, busy mountpoints, detach of nothing, usage.
//! Every case drives its steps through the reference model
//! ([`crate::model::Rig`]): each answer and every observable after it (the
//! volume usage and the disks of the diagnostics among them) equal the
//! model's.

use std::time::SystemTime;

use crate::model::step::volume_id;
use crate::model::{Rig, Step};
use crate::prelude::*;

/// `attach_volume` on an unknown instance is `InstanceNotFound` and leaves
/// it unknown.
pub(crate) fn attach_unknown_instance() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let unknown = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &unknown, &Step::AttachVolume(0)).await
        })
    })
    .exercises(&[M::AttachVolume])
}

/// A second volume at a busy mountpoint is `DeviceBusy`; the first detaches,
/// and a detach once nothing is left is `VolumeNotFound`.
pub(crate) fn mountpoint_busy() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &instance, &Step::Spawn { power_on: true })
                .await?;
            rig.step(0, &instance, &Step::AttachVolume(0)).await?;
            rig.step(0, &instance, &Step::AttachSecondVolume(0)).await?;
            rig.step(0, &instance, &Step::DetachVolume(0)).await?;
            rig.step(0, &instance, &Step::DetachVolume(0)).await
        })
    })
    .exercises(&[M::Spawn, M::AttachVolume, M::DetachVolume])
}

/// A detach where nothing is attached is `VolumeNotFound`.
pub(crate) fn detach_nothing() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &instance, &Step::Spawn { power_on: true })
                .await?;
            rig.step(0, &instance, &Step::DetachVolume(1)).await
        })
    })
    .exercises(&[M::Spawn, M::DetachVolume])
}

/// A volume attaches and detaches while running, paused, suspended and shut
/// down, and the state stays as it was.
pub(crate) fn attach_in_every_state() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            ctx.require_free(&vec![Flavor::m1_tiny(); 4]).await?;
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            for into_state in [None, Some(Op::Pause), Some(Op::Suspend), Some(Op::PowerOff)] {
                let instance = ctx.new_instance(Flavor::m1_tiny());
                rig.step(0, &instance, &Step::Spawn { power_on: true })
                    .await?;
                if let Some(op) = into_state {
                    rig.step(0, &instance, &Step::Lifecycle(op)).await?;
                }
                rig.step(0, &instance, &Step::AttachVolume(0)).await?;
                rig.step(0, &instance, &Step::DetachVolume(0)).await?;
            }
            Ok(())
        })
    })
    .exercises(&[
        M::Spawn,
        M::Pause,
        M::Suspend,
        M::PowerOff,
        M::AttachVolume,
        M::DetachVolume,
        M::GetInfo,
    ])
}

/// A volume of `spawn`'s `block_device_info` is attached: its mountpoint is
/// busy, and it detaches.
pub(crate) fn spawn_attaches_block_devices() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &instance, &Step::SpawnWithVolume(1)).await?;
            rig.step(0, &instance, &Step::AttachSecondVolume(1)).await?;
            rig.step(0, &instance, &Step::DetachVolume(1)).await
        })
    })
    .exercises(&[M::Spawn, M::AttachVolume, M::DetachVolume])
}

/// `get_all_volume_usage` lists the attached volume once, and nothing for an
/// instance not on the host (compared after every step, and asked once more
/// here with both instances in one call).
pub(crate) fn usage_lists_attached() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = ctx.new_instance(Flavor::m1_tiny());
            let stranger = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &instance, &Step::Spawn { power_on: true })
                .await?;
            rig.step(0, &instance, &Step::AttachVolume(0)).await?;
            ctx.step("get_all_volume_usage [instance, an instance not on this host]");
            let usage = ctx
                .driver()
                .get_all_volume_usage(
                    &fixtures::context(),
                    &[instance.clone(), stranger.clone()],
                    SystemTime::UNIX_EPOCH,
                    None,
                )
                .await?;
            let ours: Vec<&str> = usage
                .iter()
                .filter(|u| u.instance_uuid == instance.uuid)
                .map(|u| u.volume.as_str())
                .collect();
            let attached = volume_id(instance.uuid, 0, false);
            expect_eq("the volumes reported", vec![attached.as_str()], ours)?;
            ensure(
                usage.iter().all(|u| u.instance_uuid != stranger.uuid),
                "no usage for an instance not on this host",
                format!("{usage:?}"),
            )?;
            rig.step(0, &stranger, &Step::DetachVolume(0)).await
        })
    })
    .exercises(&[
        M::Spawn,
        M::AttachVolume,
        M::DetachVolume,
        M::GetAllVolumeUsage,
    ])
}
