//! Idempotence: repeat a call, get the same answer, and nothing changes (no
//! second event, no second claim). Every step runs through the reference
//! model ([`crate::model::Rig`]): each answer and every observable after it
//! equal the model's, so a repeat is checked to change nothing.

use crate::actions::lifecycle_method;
use crate::model::intent::step_answering;
use crate::model::{Rig, Step};
use crate::prelude::*;

/// Spawn, apply `setup`, apply `op` once, then again: each answer and every
/// observable after it equal the model's (the repeat: `Ok`, nothing
/// changed, no second event).
fn twice(setup: &'static [Op], op: Op) -> CaseSpec {
    let mut methods: Vec<M> = setup.iter().filter_map(|o| lifecycle_method(*o)).collect();
    methods.extend(lifecycle_method(op));
    CaseSpec::new(move |ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &instance, &Step::Spawn { power_on: true })
                .await?;
            for step in setup {
                rig.step(0, &instance, &Step::Lifecycle(*step)).await?;
            }
            rig.step(0, &instance, &Step::Lifecycle(op)).await?;
            ensure(
                rig.predict(0, &instance, &Step::Lifecycle(op)).is_ok(),
                format!("the model: {op} again is Ok"),
                "refused",
            )?;
            rig.step(0, &instance, &Step::Lifecycle(op)).await
        })
    })
    .exercises(&[M::Spawn, M::GetInfo, M::GetAvailableResource])
    .exercises(&methods)
}

pub(crate) fn power_off_twice() -> CaseSpec {
    twice(&[], Op::PowerOff)
}

pub(crate) fn power_on_twice() -> CaseSpec {
    twice(&[Op::PowerOff], Op::PowerOn)
}

pub(crate) fn pause_twice() -> CaseSpec {
    twice(&[], Op::Pause)
}

pub(crate) fn suspend_twice() -> CaseSpec {
    twice(&[], Op::Suspend)
}

pub(crate) fn soft_delete_twice() -> CaseSpec {
    twice(&[], Op::SoftDelete)
}

pub(crate) fn restore_twice() -> CaseSpec {
    twice(&[Op::SoftDelete], Op::Restore)
}

pub(crate) fn unrescue_twice() -> CaseSpec {
    twice(&[Op::Rescue], Op::Unrescue)
}

/// Destroy, then destroy again: `Ok`, no event, nothing claimed (every
/// observable compared with the model).
pub(crate) fn destroy_twice() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &instance, &Step::Spawn { power_on: true })
                .await?;
            let destroy = Step::Lifecycle(Op::Destroy);
            rig.step(0, &instance, &destroy).await?;
            rig.step(0, &instance, &destroy).await
        })
    })
    .exercises(&[M::Spawn, M::Destroy, M::GetAvailableResource])
}

/// `init_host` again with the host's own name: `Ok`, its node list and the
/// running instance on it unchanged (every observable compared with the
/// model).
pub(crate) fn init_host_twice() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &instance, &Step::Spawn { power_on: true })
                .await?;
            let again = Step::InitHost { empty: false };
            step_answering(&rig, 0, &instance, &again, Ok(())).await
        })
    })
    .exercises(&[
        M::InitHost,
        M::Spawn,
        M::GetAvailableNodes,
        M::GetAvailableResource,
    ])
}

/// Maintenance mode on twice, then off twice: each answers the mode asked
/// for, and nothing else changes (every observable compared with the model).
pub(crate) fn host_maintenance_twice() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let bystander = ctx.new_instance(Flavor::m1_tiny());
            for on in [true, true, false, false] {
                let step = Step::HostMaintenanceMode { on };
                step_answering(&rig, 0, &bystander, &step, Ok(())).await?;
            }
            Ok(())
        })
    })
    .exercises(&[M::HostMaintenanceMode])
}

/// `set_host_enabled` false twice: each answers `Disabled`, and nothing else
/// changes (every observable compared with the model).
pub(crate) fn set_host_enabled_twice() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let bystander = ctx.new_instance(Flavor::m1_tiny());
            for _ in 0..2 {
                let step = Step::SetHostEnabled { enabled: false };
                step_answering(&rig, 0, &bystander, &step, Ok(())).await?;
            }
            Ok(())
        })
    })
    .exercises(&[M::SetHostEnabled])
}

/// `plug_vifs` twice, then `unplug_vifs` twice: each `Ok`, the instance
/// untouched (every observable compared with the model).
pub(crate) fn plug_vifs_twice() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &instance, &Step::Spawn { power_on: true })
                .await?;
            for step in [
                Step::PlugVifs,
                Step::PlugVifs,
                Step::UnplugVifs,
                Step::UnplugVifs,
            ] {
                rig.step(0, &instance, &step).await?;
            }
            Ok(())
        })
    })
    .exercises(&[M::Spawn, M::PlugVifs, M::UnplugVifs, M::GetInfo])
}
