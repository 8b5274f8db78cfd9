//! How the live-migration steps are called on a backend: each call as Nova
//! makes it, the migrate data one call answers handed to the next
//! ([`super::live_handover`]).

use std::sync::Arc;

use driver_api::{DriverError, DriverMethod, DriverResult, Instance, LiveMigrationCallbacks, Vif};

use super::step::{slot_vif, with_volumes, Step, Target};
use crate::fixtures;

/// Calls a live-migration step.
pub(crate) async fn call(
    target: &Target<'_>,
    instance: &Instance,
    step: &Step,
) -> DriverResult<()> {
    let d = &target.backend.driver;
    let ctx = fixtures::context();
    let spawn_vif = [slot_vif(instance.uuid, 0)];
    let here = target.host(target.index);
    match step {
        Step::LiveCheckDestination => {
            let node = d.get_available_nodes(false).await?;
            let node = node.first().map_or("", String::as_str);
            let resources = d.get_available_resource(node).await?;
            let data = d
                .check_can_live_migrate_destination(
                    &ctx, instance, &resources, &resources, false, false,
                )
                .await?;
            target.handed_over.hold(instance.uuid, data);
            Ok(())
        }
        Step::LiveCheckSource { dest } => {
            let data = target
                .handed_over
                .for_dest(instance.uuid, target.host(*dest));
            let data = d
                .check_can_live_migrate_source(&ctx, instance, &data)
                .await?;
            target.handed_over.hold(instance.uuid, data);
            Ok(())
        }
        Step::PreLiveMigration { volumes } => {
            let data = target.handed_over.for_dest(instance.uuid, here);
            let data = d
                .pre_live_migration(&ctx, instance, &with_volumes(volumes), &spawn_vif, &data)
                .await?;
            target.handed_over.hold(instance.uuid, data);
            Ok(())
        }
        Step::LiveMigration { dest } => {
            let dest = target.host(*dest);
            let callbacks: Arc<dyn LiveMigrationCallbacks> = target.callbacks.clone();
            let data = target.handed_over.for_dest(instance.uuid, dest);
            d.live_migration(&ctx, instance, dest, callbacks, false, &data)
                .await
        }
        Step::PostLiveMigrationAtDestination { volumes, vif } => {
            let vifs: &[Vif] = if *vif { &spawn_vif } else { &[] };
            d.post_live_migration_at_destination(
                &ctx,
                instance,
                vifs,
                false,
                &with_volumes(volumes),
            )
            .await
        }
        Step::RollbackLiveMigrationAtDestination => {
            d.rollback_live_migration_at_destination(
                &ctx,
                instance,
                &spawn_vif,
                &fixtures::no_block_devices(),
                true,
            )
            .await
        }
        Step::LiveMigrationAbort => d.live_migration_abort(instance).await,
        Step::LiveMigrationForceComplete => d.live_migration_force_complete(instance).await,
        _ => Err(DriverError::invalid_input(
            step.method().unwrap_or(DriverMethod::LiveMigration),
            format!("{step} is not a live-migration step"),
        )),
    }
}
