//! Volumes: attach in any state, busy mountpoints, detach of nothing, usage.

use std::time::SystemTime;

use driver_api::{BlockDeviceInfo, BlockDeviceMapping};

use crate::prelude::*;

async fn attach(
    ctx: &CaseContext,
    instance: &Instance,
    volume: &str,
    mount: &str,
) -> driver_api::DriverResult<()> {
    ctx.step(format!(
        "attach_volume {volume} to {} at {mount}",
        instance.name
    ));
    ctx.driver()
        .attach_volume(&fixtures::volume(volume), instance, mount)
        .await
}

async fn detach(
    ctx: &CaseContext,
    instance: &Instance,
    volume: &str,
    mount: &str,
) -> driver_api::DriverResult<()> {
    ctx.step(format!(
        "detach_volume {volume} from {} at {mount}",
        instance.name
    ));
    ctx.driver()
        .detach_volume(&fixtures::volume(volume), instance, mount)
        .await
}

pub(crate) fn attach_unknown_instance() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let unknown = ctx.new_instance(Flavor::m1_tiny());
            let result = attach(ctx, &unknown, "vol-a", "/dev/vdb").await;
            expect_kind(
                "attach to an unknown instance",
                result,
                ErrorKind::InstanceNotFound,
            )
        })
    })
    .exercises(&[M::AttachVolume])
}

pub(crate) fn mountpoint_busy() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            expect_ok("attach", attach(ctx, &instance, "vol-a", "/dev/vdb").await)?;
            let busy = attach(ctx, &instance, "vol-b", "/dev/vdb").await;
            expect_kind("attach at a busy mountpoint", busy, ErrorKind::DeviceBusy)?;
            expect_ok(
                "detach the first volume",
                detach(ctx, &instance, "vol-a", "/dev/vdb").await,
            )?;
            let again = detach(ctx, &instance, "vol-a", "/dev/vdb").await;
            expect_kind(
                "detach after the only volume left",
                again,
                ErrorKind::VolumeNotFound,
            )
        })
    })
    .exercises(&[M::Spawn, M::AttachVolume, M::DetachVolume])
}

pub(crate) fn detach_nothing() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            let result = detach(ctx, &instance, "vol-a", "/dev/vdc").await;
            expect_kind(
                "detach where nothing is attached",
                result,
                ErrorKind::VolumeNotFound,
            )
        })
    })
    .exercises(&[M::Spawn, M::DetachVolume])
}

pub(crate) fn attach_in_every_state() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            ctx.require_free(&vec![Flavor::m1_tiny(); 4]).await?;
            for (n, target) in [RUNNING, PAUSED, SUSPENDED, SHUTDOWN]
                .into_iter()
                .enumerate()
            {
                let instance = ctx.spawn_running().await?;
                ctx.bring_to(&instance, target).await?;
                let volume = format!("vol-state-{n}");
                expect_ok(
                    &format!("attach while {target}"),
                    attach(ctx, &instance, &volume, "/dev/vdb").await,
                )?;
                ctx.expect_status(&instance, target).await?;
                expect_ok(
                    &format!("detach while {target}"),
                    detach(ctx, &instance, &volume, "/dev/vdb").await,
                )?;
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

pub(crate) fn spawn_attaches_block_devices() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.new_instance(Flavor::m1_tiny());
            let mut devices = BlockDeviceInfo::default();
            devices.block_device_mapping.push(BlockDeviceMapping::new(
                fixtures::volume("vol-boot"),
                "/dev/vdc",
            ));
            ctx.step("spawn with vol-boot at /dev/vdc");
            ctx.track(&instance);
            ctx.driver()
                .spawn(
                    &fixtures::context(),
                    &instance,
                    &fixtures::image(),
                    &[],
                    Some(fixtures::admin_password()),
                    &[],
                    &devices,
                    true,
                )
                .await?;
            let busy = attach(ctx, &instance, "vol-other", "/dev/vdc").await;
            expect_kind(
                "attach over the spawned volume",
                busy,
                ErrorKind::DeviceBusy,
            )?;
            expect_ok(
                "detach the spawned volume",
                detach(ctx, &instance, "vol-boot", "/dev/vdc").await,
            )
        })
    })
    .exercises(&[M::Spawn, M::AttachVolume, M::DetachVolume])
}

pub(crate) fn usage_lists_attached() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            let stranger = ctx.new_instance(Flavor::m1_tiny());
            expect_ok(
                "attach",
                attach(ctx, &instance, "vol-usage", "/dev/vdb").await,
            )?;
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
            let ours: Vec<_> = usage
                .iter()
                .filter(|u| u.instance_uuid == instance.uuid)
                .collect();
            expect_eq("usage entries of the instance", 1, ours.len())?;
            expect_eq("the volume reported", "vol-usage", ours[0].volume.as_str())?;
            ensure(
                usage.iter().all(|u| u.instance_uuid != stranger.uuid),
                "no usage for an instance not on this host",
                format!("{usage:?}"),
            )
        })
    })
    .exercises(&[M::Spawn, M::AttachVolume, M::GetAllVolumeUsage])
}
