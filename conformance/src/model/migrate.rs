//! The cold-migration and resize protocol, as the trait documents it
//! (`migrate_disk_and_power_off`, `finish_migration`, `confirm_migration`,
//! `finish_revert_migration`). The caller drives it one call per host; the
//! instance and its claim are on exactly the hosts the steps say.

use driver_api::{
    transition, validate, ErrorKind, Flavor, Instance, InstanceStatus, LifecycleOperation, Outcome,
    PowerState,
};

use super::rules::Expected;
use super::step::{slot_vif, Step};
use super::{HostModel, ModelInstance};

/// The answer of a migration step on `model` (host `host`, where it runs).
pub(crate) fn expect(
    model: &mut HostModel,
    host: usize,
    instance: &Instance,
    step: &Step,
) -> Expected {
    match step {
        Step::MigrateDiskAndPowerOff { flavor, .. } => power_off_for_move(model, instance, flavor),
        Step::FinishMigration {
            source,
            power_on,
            volumes,
        } => finish(model, instance, *source == host, *power_on, volumes),
        Step::ConfirmMigration { .. } => confirm(model, instance),
        Step::FinishRevertMigration { power_on } => revert(model, instance, *power_on),
        _ => Err(ErrorKind::InvalidInput),
    }
}

/// Applies the `power_on` row to `current` when `power_on` (the event goes to
/// `events`); refused as the table refuses it.
fn power_on_if(
    current: &mut ModelInstance,
    power_on: bool,
) -> Result<Option<driver_api::LifecycleTransition>, ErrorKind> {
    if !power_on {
        return Ok(None);
    }
    let change = transition(current.status, LifecycleOperation::PowerOn)
        .map_err(|_| ErrorKind::InvalidState)?;
    if let Outcome::Becomes(next) = change.outcome {
        current.status = next;
    }
    Ok(change.event)
}

/// `migrate_disk_and_power_off`: "powers the instance off ... The instance
/// stays here, `Shutdown`, with its claim, until `confirm_migration` or
/// `finish_revert_migration`. Events: `Stopped` unless already off. Errors:
/// `InstanceNotFound`, `InvalidState` (also when the instance is already
/// moving out), `InvalidInput` for ... a `flavor` whose root or ephemeral
/// disk is smaller than the instance's current flavor's"
/// ([`validate::resize`]).
fn power_off_for_move(model: &mut HostModel, instance: &Instance, flavor: &Flavor) -> Expected {
    validate::resize(&instance.flavor, flavor).map_err(|_| ErrorKind::InvalidInput)?;
    let uuid = instance.uuid;
    let current = model
        .instances
        .get_mut(&uuid)
        .ok_or(ErrorKind::InstanceNotFound)?;
    if current.migrating {
        return Err(ErrorKind::InvalidState);
    }
    let change = transition(current.status, LifecycleOperation::PowerOff)
        .map_err(|_| ErrorKind::InvalidState)?;
    if let Outcome::Becomes(next) = change.outcome {
        current.status = next;
    }
    current.migrating = true;
    model.events.extend(change.event.map(|e| (uuid, e)));
    Ok(())
}

/// `finish_migration`: "creates the migrated instance with its (new) flavor,
/// claiming it here, with the VIFs of `network_info` and the volumes of
/// `block_device_info`; `Running` when `power_on`, else `Shutdown`. Events:
/// `Started` when powered on. Errors: `InstanceExists`,
/// `InsufficientResources`." On a same-host resize ("`migration` comes from
/// this host and the instance is here, moving out") the instance is not
/// created again: its flavor and claim become the new flavor's, it keeps its
/// volumes, and it starts when `power_on`. Anything else that finds the
/// instance here is `InstanceExists`; a same-host record for an instance no
/// longer here creates it.
fn finish(
    model: &mut HostModel,
    instance: &Instance,
    from_here: bool,
    power_on: bool,
    volumes: &[(String, String)],
) -> Expected {
    let uuid = instance.uuid;
    if let Some(current) = model.instances.get(&uuid) {
        if !(current.migrating && from_here) {
            return Err(ErrorKind::InstanceExists);
        }
        let mut resized = current.clone();
        resized.flavor_before_resize = Some(
            current
                .flavor_before_resize
                .clone()
                .unwrap_or_else(|| current.instance.flavor.clone()),
        );
        resized.instance.flavor = instance.flavor.clone();
        let node = resized.node.clone();
        let others = model.used_on(&node).saturating_sub(&current.claim());
        let total = model
            .nodes
            .iter()
            .find(|(name, _)| *name == node)
            .map(|(_, total)| *total)
            .unwrap_or_default();
        if !resized.claim().fits_in(&total.saturating_sub(&others)) {
            return Err(ErrorKind::InsufficientResources);
        }
        let event = power_on_if(&mut resized, power_on)?;
        model.instances.insert(uuid, resized);
        model.events.extend(event.map(|e| (uuid, e)));
        return Ok(());
    }
    if model.name_taken(&instance.name, uuid) {
        return Err(ErrorKind::InstanceExists);
    }
    let node = model.node_for(instance).ok_or(ErrorKind::NodeNotFound)?;
    let vif = slot_vif(uuid, 0);
    let arrived = ModelInstance {
        instance: instance.clone(),
        node: node.clone(),
        status: InstanceStatus::new(if power_on {
            PowerState::Running
        } else {
            PowerState::Shutdown
        }),
        volumes: volumes.iter().cloned().collect(),
        vifs: [(vif.id, vif.address)].into_iter().collect(),
        flavor_before_resize: None,
        migrating: false,
    };
    if !model.fits(&node, &arrived.claim()) {
        return Err(ErrorKind::InsufficientResources);
    }
    model.instances.insert(uuid, arrived);
    if power_on {
        model
            .events
            .push((uuid, driver_api::LifecycleTransition::Started));
    }
    Ok(())
}

/// `confirm_migration`: "the source copy is destroyed and its claim released
/// (nothing happens for a same-host resize). Preconditions: ... an instance
/// still here is moving out (`migrate_disk_and_power_off` ran, no confirm or
/// revert since; else `InvalidState`) ... Events: none (the instance was shut
/// down). Idempotent: an instance no longer here is `Ok`." The steps always
/// pass this instance's own record.
fn confirm(model: &mut HostModel, instance: &Instance) -> Expected {
    let uuid = instance.uuid;
    if model.instances.get(&uuid).is_some_and(|i| !i.migrating) {
        return Err(ErrorKind::InvalidState);
    }
    let same_host = model
        .instances
        .get(&uuid)
        .is_some_and(|i| i.flavor_before_resize.is_some());
    if same_host {
        if let Some(current) = model.instances.get_mut(&uuid) {
            current.flavor_before_resize = None;
            current.migrating = false;
        }
    } else {
        model.instances.remove(&uuid);
    }
    Ok(())
}

/// `finish_revert_migration`: "the source copy is powered back on when
/// `power_on`. Events: `Started` when powered on. Errors:
/// `InstanceNotFound`, `InvalidState` (nothing changed) when the instance is
/// not moving out." A same-host resize gets its old flavor (and claim) back.
fn revert(model: &mut HostModel, instance: &Instance, power_on: bool) -> Expected {
    let uuid = instance.uuid;
    let current = model
        .instances
        .get(&uuid)
        .ok_or(ErrorKind::InstanceNotFound)?;
    if !current.migrating {
        return Err(ErrorKind::InvalidState);
    }
    let mut reverted = current.clone();
    if let Some(before) = reverted.flavor_before_resize.take() {
        reverted.instance.flavor = before;
    }
    reverted.migrating = false;
    let event = power_on_if(&mut reverted, power_on)?;
    model.instances.insert(uuid, reverted);
    model.events.extend(event.map(|e| (uuid, e)));
    Ok(())
}
