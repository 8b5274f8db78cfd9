//! The live-migration protocol, as the trait documents it
//! (`check_can_live_migrate_destination`, `check_can_live_migrate_source`,
//! `pre_live_migration`, `live_migration` and its callbacks,
//! `post_live_migration_at_destination`,
//! `rollback_live_migration_at_destination`, `live_migration_abort`,
//! `live_migration_force_complete`). The caller drives it one call per host:
//! the destination's reservation holds the claim (and the name) from
//! `pre_live_migration` until it becomes the instance or is rolled back.

use driver_api::{ErrorKind, Instance, InstanceStatus, LifecycleTransition, PowerState};

use super::rules::Expected;
use super::step::{slot_vif, Step};
use super::{HostModel, ModelInstance, World};

/// The answer of a live-migration step on host `host` of `world`.
pub(crate) fn expect(world: &mut World, host: usize, instance: &Instance, step: &Step) -> Expected {
    let dest_name = |dest: &usize| world.hosts.get(*dest).map(|h| h.name.clone());
    match step {
        Step::LiveCheckSource { dest } => {
            let dest = dest_name(dest);
            let model = world.hosts.get(host).ok_or(ErrorKind::InvalidInput)?;
            check_source(model, instance, dest.as_deref())
        }
        Step::LiveMigration { dest } => {
            let dest = dest_name(dest).unwrap_or_default();
            let model = world.hosts.get_mut(host).ok_or(ErrorKind::InvalidInput)?;
            migrate(model, instance, &dest)?;
            world.callbacks.push(format!("post({dest})"));
            Ok(())
        }
        _ => {
            let model = world.hosts.get_mut(host).ok_or(ErrorKind::InvalidInput)?;
            on_destination(model, instance, step)
        }
    }
}

/// Whether the instance can live-migrate (`check_can_live_migrate_source`,
/// `live_migration`): "`Running` or `Paused` and neither rescued nor
/// soft-deleted".
fn movable(status: InstanceStatus) -> bool {
    matches!(status.state, PowerState::Running | PowerState::Paused)
        && !status.rescued
        && !status.soft_deleted
}

/// `check_can_live_migrate_source`: "Errors: `InstanceNotFound`,
/// `InvalidState` unless `Running` or `Paused` and neither rescued nor
/// soft-deleted, `InvalidInput` when `dest_check_data.dest_host` is not a
/// valid host name other than this host." Nothing changes.
fn check_source(model: &HostModel, instance: &Instance, dest: Option<&str>) -> Expected {
    let current = model
        .instances
        .get(&instance.uuid)
        .ok_or(ErrorKind::InstanceNotFound)?;
    if !movable(current.status) {
        return Err(ErrorKind::InvalidState);
    }
    match dest {
        Some(dest) if dest != model.name => Ok(()),
        _ => Err(ErrorKind::InvalidInput),
    }
}

/// `live_migration`: "`dest` must be a valid host name other than this host,
/// and the host whose `check_can_live_migrate_destination` produced
/// `migrate_data` ... otherwise `InvalidInput` before anything moves and
/// before any callback. On success the instance leaves this host (its claim
/// released, `MigrationCompleted` emitted) and `callbacks.post` is called."
/// The steps call it only after `check_can_live_migrate_source` passed, as
/// Nova does, with the migrate data `pre_live_migration` answered on `dest`
/// ([`super::live_handover`]; a mismatch of host is
/// `bad_input::live_migration_to_unchecked_host`'s).
fn migrate(model: &mut HostModel, instance: &Instance, dest: &str) -> Expected {
    if dest.is_empty() || dest == model.name {
        return Err(ErrorKind::InvalidInput);
    }
    let uuid = instance.uuid;
    let current = model
        .instances
        .get(&uuid)
        .ok_or(ErrorKind::InstanceNotFound)?;
    if !movable(current.status) {
        return Err(ErrorKind::InvalidState);
    }
    model.instances.remove(&uuid);
    model
        .events
        .push((uuid, LifecycleTransition::MigrationCompleted));
    Ok(())
}

/// The steps on the destination, and abort and force-complete on the
/// source.
fn on_destination(model: &mut HostModel, instance: &Instance, step: &Step) -> Expected {
    let uuid = instance.uuid;
    match step {
        // `check_can_live_migrate_destination`: "`InsufficientResources`
        // when the destination node cannot hold the flavor,
        // `InstanceExists` when the instance is already here". Nothing
        // changes.
        Step::LiveCheckDestination => {
            if model.holds(uuid) {
                return Err(ErrorKind::InstanceExists);
            }
            let node = model.node_for(instance).ok_or(ErrorKind::NodeNotFound)?;
            if model.fits(
                &node,
                &driver_api::ResourceAmounts::of_flavor(&instance.flavor),
            ) {
                Ok(())
            } else {
                Err(ErrorKind::InsufficientResources)
            }
        }
        // `pre_live_migration`: "reserves its resources and its name, with
        // the VIFs of `network_info` and the volumes of `block_device_info`
        // ... `InsufficientResources`, `InstanceExists`".
        Step::PreLiveMigration { volumes } => {
            let reserved = arriving(model, instance, volumes, true)?;
            model.incoming.insert(uuid, reserved);
            Ok(())
        }
        // `post_live_migration_at_destination`: "the instance has arrived;
        // it is now listed here, `Running`, with its claim (the reservation
        // of `pre_live_migration`, if any) ... with the VIFs and volumes
        // given here, or, where none are given, those given to
        // `pre_live_migration`. Emits `Started`. Errors: `InstanceExists`,
        // `InsufficientResources`."
        Step::PostLiveMigrationAtDestination { volumes, vif } => {
            if model.instances.contains_key(&uuid) {
                return Err(ErrorKind::InstanceExists);
            }
            let mut arrived = match model.incoming.remove(&uuid) {
                Some(reserved) => reserved,
                None => arriving(model, instance, &[], false)?,
            };
            if !volumes.is_empty() {
                arrived.volumes = volumes.iter().cloned().collect();
            }
            if *vif {
                let vif = slot_vif(uuid, 0);
                arrived.vifs = [(vif.id, vif.address)].into_iter().collect();
            }
            arrived.status = InstanceStatus::new(PowerState::Running);
            model.instances.insert(uuid, arrived);
            model.events.push((uuid, LifecycleTransition::Started));
            Ok(())
        }
        // `rollback_live_migration_at_destination`: "releasing the
        // reservation. Idempotent."
        Step::RollbackLiveMigrationAtDestination => {
            model.incoming.remove(&uuid);
            Ok(())
        }
        // `live_migration_abort`, `live_migration_force_complete`:
        // "Errors: `InstanceNotFound`"; with no live migration in progress
        // nothing changes.
        _ if model.instances.contains_key(&uuid) => Ok(()),
        _ => Err(ErrorKind::InstanceNotFound),
    }
}

/// An instance arriving on `model` (a reservation of `pre_live_migration`,
/// or `post_live_migration_at_destination` without one): `InstanceExists`
/// when its UUID or name is held here, `InsufficientResources` when its
/// flavor does not fit on its node.
fn arriving(
    model: &HostModel,
    instance: &Instance,
    volumes: &[(String, String)],
    vif: bool,
) -> Result<ModelInstance, ErrorKind> {
    let uuid = instance.uuid;
    if model.holds(uuid) || model.name_taken(&instance.name, uuid) {
        return Err(ErrorKind::InstanceExists);
    }
    let node = model.node_for(instance).ok_or(ErrorKind::NodeNotFound)?;
    let vifs = if vif {
        let vif = slot_vif(uuid, 0);
        [(vif.id, vif.address)].into_iter().collect()
    } else {
        Default::default()
    };
    let arrived = ModelInstance {
        instance: instance.clone(),
        node: node.clone(),
        status: InstanceStatus::new(PowerState::Running),
        volumes: volumes.iter().cloned().collect(),
        vifs,
        flavor_before_resize: None,
        migrating: false,
    };
    if !model.fits(&node, &arrived.claim()) {
        return Err(ErrorKind::InsufficientResources);
    }
    Ok(arrived)
}
