//! Hostile input and protocol misuse: a value that breaks its
//! `driver_api::validate` rule is `InvalidInput`, a migration step out of
//! protocol is refused, and either way nothing changes. Every case runs on a
//! [`Rig`]: its instances are made by steps the reference model follows, and
//! after each refused call every observable of the backend (status, claims,
//! listings, volumes, consoles, events, ...) is compared with the model,
//! which the refusal left as it was ([`Rig::refused`]).

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use driver_api::{
    BlockDeviceInfo, BlockDeviceMapping, ConnectionInfo, InjectedFile, LiveMigrateData,
    LiveMigrationCallbacks, Migration, MigrationStatus,
};

use crate::case::CaseResult;
use crate::model::{Rig, Step};
use crate::prelude::*;

pub(crate) fn confirm_without_migration() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = rig.spawned(ctx, true).await?;
            let migration = Migration::new(instance.uuid, ctx.host_name(0), fixtures::HOST_B);
            ctx.step("confirm_migration of a running instance that never moved out");
            let result = ctx
                .driver()
                .confirm_migration(&migration, &instance, &[])
                .await;
            rig.refused(
                "confirm_migration with no migration in flight",
                &[&instance],
                ErrorKind::InvalidState,
                result,
            )
            .await
        })
    })
    .exercises(&[M::Spawn, M::ConfirmMigration, M::GetInfo, M::ListInstances])
}

pub(crate) fn confirm_with_another_record() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = rig.spawned(ctx, true).await?;
            let stranger = ctx.new_instance(Flavor::m1_tiny());
            let migration = Migration::new(stranger.uuid, ctx.host_name(0), fixtures::HOST_B);
            ctx.step("confirm_migration with another instance's migration record");
            let result = ctx
                .driver()
                .confirm_migration(&migration, &instance, &[])
                .await;
            rig.refused(
                "confirm_migration with another instance's record",
                &[&instance, &stranger],
                ErrorKind::InvalidInput,
                result,
            )
            .await
        })
    })
    .exercises(&[M::Spawn, M::ConfirmMigration, M::GetInfo, M::ListInstances])
}

/// `migrate_disk_and_power_off`: "`InvalidInput` for ... a `flavor` whose
/// root or ephemeral disk is smaller than the instance's current flavor's".
/// Refused before anything moves: the instance keeps running, its claim and
/// every other observable as the model says, with no event.
pub(crate) fn resize_to_smaller_disk() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let current = Flavor::m1_small().with_ephemeral_gb(2);
            let instance = ctx.new_instance(current.clone());
            rig.step(0, &instance, &Step::Spawn { power_on: true })
                .await?;
            let smaller_root = Flavor::m1_tiny().with_ephemeral_gb(2);
            let smaller_ephemeral = current.clone().with_ephemeral_gb(1);
            for (dest, flavor) in [
                (0, smaller_root),
                (0, smaller_ephemeral.clone()),
                (1, smaller_ephemeral),
            ] {
                let step = Step::MigrateDiskAndPowerOff { dest, flavor };
                rig.step(0, &instance, &step).await?;
            }
            rig.step(0, &instance, &Step::Lifecycle(Op::Destroy)).await
        })
    })
    .two_hosts()
    .exercises(&[M::Spawn, M::MigrateDiskAndPowerOff, M::Destroy])
}

pub(crate) fn revert_without_migration() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = rig.spawned(ctx, true).await?;
            rig.step(0, &instance, &Step::Lifecycle(Op::PowerOff))
                .await?;
            ctx.step("finish_revert_migration (power on) of an instance that never moved out");
            let result = ctx
                .driver()
                .finish_revert_migration(&instance, &[], &fixtures::no_block_devices(), true)
                .await;
            rig.refused(
                "finish_revert_migration with no migration in flight",
                &[&instance],
                ErrorKind::InvalidState,
                result,
            )
            .await
        })
    })
    .exercises(&[
        M::Spawn,
        M::PowerOff,
        M::FinishRevertMigration,
        M::GetInfo,
        M::ListInstances,
    ])
}

/// Live-migration callbacks that count their calls.
#[derive(Debug, Default)]
struct Counted(Mutex<Vec<&'static str>>);

#[async_trait]
impl LiveMigrationCallbacks for Counted {
    async fn post(&self, _: &Instance, _: &str, _: &LiveMigrateData) {
        if let Ok(mut calls) = self.0.lock() {
            calls.push("post");
        }
    }

    async fn recover(&self, _: &Instance, _: &str, _: &LiveMigrateData, _: MigrationStatus) {
        if let Ok(mut calls) = self.0.lock() {
            calls.push("recover");
        }
    }
}

/// `live_migration` of a running instance to `dest` (`None`: this host), with
/// migrate data from the destination check of `checked_by` (`None`: `dest`
/// itself), must be `InvalidInput`, before any callback, with nothing changed.
async fn live_refused(
    ctx: &CaseContext,
    dest: Option<&str>,
    checked_by: Option<&str>,
) -> CaseResult {
    let log = |text: String| ctx.step(text);
    let rig = Rig::of(ctx, &log).await?;
    let instance = rig.spawned(ctx, true).await?;
    let dest = dest.unwrap_or(ctx.host_name(0)).to_owned();
    let checked_by = checked_by.unwrap_or(&dest).to_owned();
    let callbacks = Arc::new(Counted::default());
    ctx.step(format!(
        "live_migration to {dest:?} (destination check by {checked_by:?})"
    ));
    let result = ctx
        .driver()
        .live_migration(
            &fixtures::context(),
            &instance,
            &dest,
            callbacks.clone(),
            false,
            &fixtures::migrate_data(&checked_by),
        )
        .await;
    let calls = callbacks.0.lock().map(|c| c.clone()).unwrap_or_default();
    rig.refused(
        &format!("live_migration to {dest:?}"),
        &[&instance],
        ErrorKind::InvalidInput,
        result,
    )
    .await?;
    expect_eq("callbacks run", Vec::<&str>::new(), calls)
}

pub(crate) fn live_migration_to_own_host() -> CaseSpec {
    CaseSpec::new(|ctx| Box::pin(live_refused(ctx, None, None))).exercises(&[
        M::Spawn,
        M::LiveMigration,
        M::GetInfo,
        M::ListInstances,
    ])
}

pub(crate) fn live_migration_to_empty_host() -> CaseSpec {
    CaseSpec::new(|ctx| Box::pin(live_refused(ctx, Some(""), None))).exercises(&[
        M::Spawn,
        M::LiveMigration,
        M::GetInfo,
        M::ListInstances,
    ])
}

/// A destination no destination check vouched for (the migrate data came
/// from another host's check) is unknown to the protocol: refused.
pub(crate) fn live_migration_to_unchecked_host() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(live_refused(
            ctx,
            Some(fixtures::HOST_C),
            Some(fixtures::HOST_B),
        ))
    })
    .exercises(&[M::Spawn, M::LiveMigration, M::GetInfo, M::ListInstances])
}

pub(crate) fn live_source_check_to_own_host() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = rig.spawned(ctx, true).await?;
            let data = fixtures::migrate_data(ctx.host_name(0));
            ctx.step("check_can_live_migrate_source with this host as the destination");
            let result = ctx
                .driver()
                .check_can_live_migrate_source(&fixtures::context(), &instance, &data)
                .await;
            rig.refused(
                "check_can_live_migrate_source to its own host",
                &[&instance],
                ErrorKind::InvalidInput,
                result,
            )
            .await
        })
    })
    .exercises(&[
        M::Spawn,
        M::CheckCanLiveMigrateSource,
        M::GetInfo,
        M::ListInstances,
    ])
}

/// `spawn` of `instance` with `files` and `bdi` must be `InvalidInput` and
/// leave nothing behind (every observable as the model, without it).
async fn spawn_refused(
    ctx: &CaseContext,
    rig: &Rig<'_>,
    what: &str,
    instance: &Instance,
    files: &[InjectedFile],
    bdi: &BlockDeviceInfo,
) -> CaseResult {
    ctx.step(format!("spawn with {what}"));
    let result = ctx
        .driver()
        .spawn(
            &fixtures::context(),
            instance,
            &fixtures::image(),
            files,
            None,
            &[],
            bdi,
            true,
        )
        .await;
    rig.refused(
        &format!("spawn with {what}"),
        &[instance],
        ErrorKind::InvalidInput,
        result,
    )
    .await
}

pub(crate) fn spawn_rejects_bad_names() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let none = fixtures::no_block_devices();
            for (what, name) in [
                ("an empty name", String::new()),
                ("a NUL in the name", "vm\0x".to_owned()),
                ("a 256-byte name", "x".repeat(256)),
            ] {
                let instance = ctx.new_instance(Flavor::m1_tiny()).with_name(name);
                spawn_refused(ctx, &rig, what, &instance, &[], &none).await?;
            }
            Ok(())
        })
    })
    .exercises(&[M::Spawn, M::GetAvailableResource, M::ListInstances])
}

pub(crate) fn spawn_rejects_bad_file_paths() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let none = fixtures::no_block_devices();
            for path in ["../../etc/passwd", "", "/etc/../passwd"] {
                let instance = ctx.new_instance(Flavor::m1_tiny());
                let files = [InjectedFile::new(path, "x")];
                let what = format!("injected file {path:?}");
                spawn_refused(ctx, &rig, &what, &instance, &files, &none).await?;
            }
            Ok(())
        })
    })
    .exercises(&[M::Spawn, M::GetAvailableResource, M::ListInstances])
}

pub(crate) fn spawn_rejects_bad_mountpoints() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            for mountpoint in ["vdb", "", "/dev/../../etc/passwd"] {
                let instance = ctx.new_instance(Flavor::m1_tiny());
                let mut bdi = BlockDeviceInfo::default();
                bdi.block_device_mapping.push(BlockDeviceMapping::new(
                    fixtures::volume("vol-bad"),
                    mountpoint,
                ));
                let what = format!("a volume at {mountpoint:?}");
                spawn_refused(ctx, &rig, &what, &instance, &[], &bdi).await?;
            }
            Ok(())
        })
    })
    .exercises(&[M::Spawn, M::GetAvailableResource, M::ListInstances])
}

pub(crate) fn attach_volume_rejects_bad_mountpoints() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = rig.spawned(ctx, true).await?;
            let volume: ConnectionInfo = fixtures::volume("vol-bad");
            for mountpoint in ["", "vdb", "/dev/../../etc/passwd", "/dev/vd\0b"] {
                ctx.step(format!("attach_volume at {mountpoint:?}"));
                let result = ctx
                    .driver()
                    .attach_volume(&volume, &instance, mountpoint)
                    .await;
                rig.refused(
                    &format!("attach_volume at {mountpoint:?}"),
                    &[&instance],
                    ErrorKind::InvalidInput,
                    result,
                )
                .await?;
            }
            // Nothing was attached: a good mountpoint takes a volume.
            rig.step(0, &instance, &Step::AttachVolume(0)).await
        })
    })
    .exercises(&[M::Spawn, M::AttachVolume, M::GetInfo])
}

pub(crate) fn inject_file_rejects_traversal() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = rig.spawned(ctx, true).await?;
            // Base64 of the path; the contents are b64("x").
            for (path, b64_path) in [
                ("/etc/../passwd", "L2V0Yy8uLi9wYXNzd2Q="),
                ("/etc//motd", "L2V0Yy8vbW90ZA=="),
                ("", ""),
            ] {
                ctx.step(format!("inject_file at {path:?}"));
                let result = ctx.driver().inject_file(&instance, b64_path, "eA==").await;
                rig.refused(
                    &format!("inject_file at {path:?}"),
                    &[&instance],
                    ErrorKind::InvalidInput,
                    result,
                )
                .await?;
            }
            Ok(())
        })
    })
    .exercises(&[M::Spawn, M::InjectFile, M::GetInfo])
}

pub(crate) fn finish_migration_rejects_bad_input() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let unnamed = ctx.new_instance(Flavor::m1_tiny()).with_name("");
            let stranger = ctx.new_instance(Flavor::m1_tiny());
            let named = ctx.new_instance(Flavor::m1_tiny());
            for (what, instance, owner) in [
                ("an empty name", &unnamed, unnamed.uuid),
                ("another instance's record", &named, stranger.uuid),
            ] {
                let migration = Migration::new(owner, fixtures::HOST_B, ctx.host_name(0));
                ctx.step(format!("finish_migration with {what}"));
                let result = ctx
                    .driver()
                    .finish_migration(
                        &fixtures::context(),
                        &migration,
                        instance,
                        &Vec::new(),
                        &[],
                        &fixtures::image(),
                        false,
                        &fixtures::no_block_devices(),
                        true,
                    )
                    .await;
                rig.refused(
                    &format!("finish_migration with {what}"),
                    &[instance],
                    ErrorKind::InvalidInput,
                    result,
                )
                .await?;
            }
            Ok(())
        })
    })
    .exercises(&[
        M::FinishMigration,
        M::GetAvailableResource,
        M::ListInstances,
    ])
}
