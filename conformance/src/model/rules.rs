//! What each [`Step`] must answer and what it changes: the trait's rustdoc,
//! one rule per step, each citing the doc it follows.
//!
//! [`expect`] is called before the step runs on the backend; it changes the
//! world only when the step must succeed, so after a refusal the world (and
//! with it every observable) is exactly as before ("a method that fails
//! changes nothing").

use driver_api::{
    transition, ErrorKind, Instance, LifecycleOperation, LifecycleTransition, Outcome, PowerState,
};

use super::step::{mountpoint, slot_vif, volume_id, Step};
use super::{host_rules, live, migrate, HostModel, ModelInstance, World};

/// What a step must answer: `Ok`, or the error kind.
pub(crate) type Expected = Result<(), ErrorKind>;

/// Whether the guest has a display: `Running` or `Paused`
/// (`get_vnc_console`: "Needs `Running` or `Paused`"; the same for SPICE,
/// serial and `trigger_crash_dump`).
pub(crate) fn has_display(state: PowerState) -> bool {
    matches!(state, PowerState::Running | PowerState::Paused)
}

/// The answer of `step` for `instance` on host `host`, applying its effects
/// to `world` when it must succeed.
pub(crate) fn expect(world: &mut World, host: usize, instance: &Instance, step: &Step) -> Expected {
    world.involve(instance);
    // Rules added for host/idempotence/read-only/capability: the admission
    // of every step, then the host-level steps ([`super::host_rules`]).
    if let Some(model) = world.hosts.get(host) {
        if let Some(refused) = host_rules::refusal(model, step) {
            return Err(refused);
        }
        if let Some(answer) = host_rules::expect(model, instance, step) {
            return answer;
        }
    }
    if step.is_live() {
        return live::expect(world, host, instance, step);
    }
    let Some(model) = world.hosts.get_mut(host) else {
        return Err(ErrorKind::InvalidInput);
    };
    match step {
        Step::Spawn { power_on } => spawn(model, instance, *power_on),
        Step::MigrateDiskAndPowerOff { .. }
        | Step::FinishMigration { .. }
        | Step::ConfirmMigration { .. }
        | Step::FinishRevertMigration { .. } => migrate::expect(model, host, instance, step),
        // Steps added for volumes/interfaces/consoles/guest/resources
        Step::SpawnWithVolume(n) => spawn_with_volume(model, instance, *n),
        // `poll_rebooting_instances`: "Instances not on this host are
        // ignored; no error for them"; the model's instances are never stuck
        // rebooting (a reboot is done when it returns), so none is touched.
        Step::PollRebootingInstances => Ok(()),
        // `inject_file`: "`InvalidInput` for ... a path that breaks
        // `validate::file_path` (nothing written)", and by the trait's order
        // of refusals before anything is looked up, so for an unknown
        // instance too.
        Step::InjectRelativeFile => Err(ErrorKind::InvalidInput),
        _ => match model.instances.get(&instance.uuid) {
            None => unknown_instance(step),
            Some(_) => on_instance(model, instance, step),
        },
    }
}

/// The trait's identity rule: "Every per-instance method on an unknown
/// instance answers `InstanceNotFound`, except `destroy` (`Ok`) and
/// `snapshot` (`InstanceNotRunning`)".
fn unknown_instance(step: &Step) -> Expected {
    match step {
        Step::Lifecycle(LifecycleOperation::Destroy) => Ok(()),
        Step::Snapshot => Err(ErrorKind::InstanceNotRunning),
        _ => Err(ErrorKind::InstanceNotFound),
    }
}

/// `spawn`: "Preconditions: no instance with this UUID or name on the host;
/// the instance's node is managed and has free capacity for the flavor.
/// Resulting state: `Running` (`Shutdown` if `power_on` is false) ... every
/// VIF of `network_info` attached. Events: `Started` when powered on."
fn spawn(model: &mut HostModel, instance: &Instance, power_on: bool) -> Expected {
    if model.instances.contains_key(&instance.uuid)
        || model.name_taken(&instance.name, instance.uuid)
    {
        return Err(ErrorKind::InstanceExists);
    }
    let Some(node) = model.node_for(instance) else {
        return Err(ErrorKind::NodeNotFound);
    };
    let mut created = ModelInstance {
        instance: instance.clone(),
        node: node.clone(),
        status: driver_api::InstanceStatus::new(if power_on {
            PowerState::Running
        } else {
            PowerState::Shutdown
        }),
        volumes: Default::default(),
        vifs: Default::default(),
        flavor_before_resize: None,
        migrating: false,
    };
    if !model.fits(&node, &created.claim()) {
        return Err(ErrorKind::InsufficientResources);
    }
    let vif = slot_vif(instance.uuid, 0);
    created.vifs.insert(vif.id, vif.address);
    model.instances.insert(instance.uuid, created);
    if power_on {
        model
            .events
            .push((instance.uuid, LifecycleTransition::Started));
    }
    Ok(())
}

/// `spawn` with a volume: as [`spawn`], and "every volume of
/// `block_device_info` attached" (at its mountpoint, by its volume id).
fn spawn_with_volume(model: &mut HostModel, instance: &Instance, n: u8) -> Expected {
    spawn(model, instance, true)?;
    if let Some(created) = model.instances.get_mut(&instance.uuid) {
        created
            .volumes
            .insert(mountpoint(n), volume_id(instance.uuid, n, false));
    }
    Ok(())
}

/// A step on an instance the host has.
fn on_instance(model: &mut HostModel, instance: &Instance, step: &Step) -> Expected {
    let uuid = instance.uuid;
    let Some(current) = model.instances.get_mut(&uuid) else {
        return Err(ErrorKind::InstanceNotFound);
    };
    let status = current.status;
    match step {
        Step::Lifecycle(op) => {
            // The transition table: "An `Err` is the contract's
            // `InvalidState`; the instance must stay exactly as it was."
            let Ok(change) = transition(status, *op) else {
                return Err(ErrorKind::InvalidState);
            };
            match change.outcome {
                Outcome::Becomes(next) => current.status = next,
                // `destroy`: "gone from every listing; its claim released,
                // its volumes and interfaces detached".
                Outcome::Removed => {
                    model.instances.remove(&uuid);
                }
            }
            model.events.extend(change.event.map(|event| (uuid, event)));
            Ok(())
        }
        // `attach_volume`: "in any power state ... `DeviceBusy` when something
        // is attached there already".
        Step::AttachVolume(n) => {
            let at = mountpoint(*n);
            if current.volumes.contains_key(&at) {
                return Err(ErrorKind::DeviceBusy);
            }
            current
                .volumes
                .insert(at, volume_id(instance.uuid, *n, false));
            Ok(())
        }
        // `detach_volume`: "`VolumeNotFound` when nothing is attached there".
        Step::DetachVolume(n) => match current.volumes.remove(&mountpoint(*n)) {
            Some(_) => Ok(()),
            None => Err(ErrorKind::VolumeNotFound),
        },
        // `swap_volume`: "Replaces the volume at `mountpoint` ...
        // `VolumeNotFound`".
        Step::SwapVolume(n) => match current.volumes.get_mut(&mountpoint(*n)) {
            Some(volume) => {
                *volume = volume_id(instance.uuid, *n, true);
                Ok(())
            }
            None => Err(ErrorKind::VolumeNotFound),
        },
        // `attach_interface`: "`InterfaceAttachFailed` when a VIF with this id
        // is attached".
        Step::AttachInterface(n) => {
            let vif = slot_vif(uuid, *n);
            if current.vifs.contains_key(&vif.id) {
                return Err(ErrorKind::InterfaceAttachFailed);
            }
            current.vifs.insert(vif.id, vif.address);
            Ok(())
        }
        // `detach_interface`: "`InterfaceDetachFailed` when no VIF with this
        // id is attached".
        Step::DetachInterface(n) => match current.vifs.remove(&slot_vif(uuid, *n).id) {
            Some(_) => Ok(()),
            None => Err(ErrorKind::InterfaceDetachFailed),
        },
        // `set_admin_password`: "Needs a `Running` instance ...
        // `InstanceNotRunning`".
        Step::SetAdminPassword if status.state != PowerState::Running => {
            Err(ErrorKind::InstanceNotRunning)
        }
        // `trigger_crash_dump`: "`InstanceNotRunning` unless `Running` or
        // `Paused`. State unchanged, no event."
        Step::TriggerCrashDump if !has_display(status.state) => Err(ErrorKind::InstanceNotRunning),
        // `snapshot`: "`InvalidState` when soft-deleted. The instance's state
        // is unchanged; no event."
        Step::Snapshot if status.soft_deleted => Err(ErrorKind::InvalidState),
        // `resume_state_on_host_boot`: "one `Shutdown` or `Crashed`, not
        // soft-deleted, is started (the table's `power_on` row, `Started`);
        // one `Running`, `Paused` or `Suspended`, or soft-deleted, is left
        // exactly as it is, with no event".
        Step::ResumeStateOnHostBoot
            if !status.soft_deleted
                && matches!(status.state, PowerState::Shutdown | PowerState::Crashed) =>
        {
            let change = transition(status, LifecycleOperation::PowerOn)
                .map_err(|_| ErrorKind::InvalidState)?;
            if let Outcome::Becomes(next) = change.outcome {
                current.status = next;
            }
            model.events.extend(change.event.map(|event| (uuid, event)));
            Ok(())
        }
        // `inject_file` ("Works in any state"), `plug_vifs` / `unplug_vifs`
        // ("the VIFs' host side", idempotent), and the cases above that pass
        // their precondition: nothing observable changes.
        Step::SetAdminPassword
        | Step::TriggerCrashDump
        | Step::Snapshot
        | Step::InjectFile
        | Step::ResumeStateOnHostBoot
        | Step::PlugVifs
        | Step::UnplugVifs => Ok(()),
        Step::Spawn { .. }
        | Step::MigrateDiskAndPowerOff { .. }
        | Step::FinishMigration { .. }
        | Step::ConfirmMigration { .. }
        | Step::FinishRevertMigration { .. } => Err(ErrorKind::InvalidInput),
        // Steps added for volumes/interfaces/consoles/guest/resources
        // `attach_volume`: "`DeviceBusy` when something is attached there
        // already", whichever volume it is.
        Step::AttachSecondVolume(n) => {
            let at = mountpoint(*n);
            if current.volumes.contains_key(&at) {
                return Err(ErrorKind::DeviceBusy);
            }
            current
                .volumes
                .insert(at, volume_id(instance.uuid, *n, true));
            Ok(())
        }
        // `get_vnc_console` (and SPICE, serial: "Same preconditions and
        // errors"): "Needs `Running` or `Paused` ... `InstanceNotRunning`".
        Step::Console(_) if !has_display(status.state) => Err(ErrorKind::InstanceNotRunning),
        // `get_console_output`: "in any state"; a query changes nothing.
        Step::Console(_) | Step::ConsoleOutput => Ok(()),
        _ => Err(ErrorKind::InvalidInput),
    }
}
