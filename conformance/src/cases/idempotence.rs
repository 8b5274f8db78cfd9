//! Idempotence: repeat a call, get the same answer, and nothing changes (no
//! second event, no second claim).

use crate::actions::lifecycle_method;
use crate::prelude::*;

/// Spawn, apply `op` once, then again: the second answers the same and
/// changes nothing.
fn twice(setup: &'static [Op], op: Op) -> CaseSpec {
    let mut methods: Vec<M> = setup.iter().filter_map(|o| lifecycle_method(*o)).collect();
    methods.extend(lifecycle_method(op));
    CaseSpec::new(move |ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            for step in setup {
                ctx.expect_apply(&instance, *step).await?;
            }
            ctx.expect_apply(&instance, op).await?;
            let status = ctx.status_on(0, &instance).await?;
            let used = ctx.resources(0).await?.used();
            let mark = ctx.event_mark(0);
            let again = ctx.apply(&instance, op).await;
            expect_ok(&format!("{op} again"), again)?;
            ctx.expect_status(&instance, status).await?;
            ctx.expect_used(0, used).await?;
            ctx.expect_events(0, mark, &[]).await
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

pub(crate) fn destroy_twice() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            ctx.expect_apply(&instance, Op::Destroy).await?;
            let mark = ctx.event_mark(0);
            ctx.expect_apply(&instance, Op::Destroy).await?;
            ctx.expect_events(0, mark, &[]).await?;
            ctx.expect_absent(0, &instance).await?;
            ctx.expect_used(0, ResourceAmounts::default()).await
        })
    })
    .exercises(&[M::Spawn, M::Destroy, M::GetAvailableResource])
}

pub(crate) fn init_host_twice() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            ctx.step("init_host again, same name");
            ctx.driver().init_host(fixtures::HOST_A).await?;
            let nodes = ctx.driver().get_available_nodes(false).await?;
            expect_eq("nodes", vec![fixtures::HOST_A.to_owned()], nodes)?;
            ctx.expect_listed(0, &instance).await?;
            ctx.expect_used(0, claim(&instance.flavor)).await
        })
    })
    .exercises(&[
        M::InitHost,
        M::Spawn,
        M::GetAvailableNodes,
        M::GetAvailableResource,
    ])
}

pub(crate) fn host_maintenance_twice() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            use driver_api::MaintenanceMode;
            let host = fixtures::HOST_A;
            for _ in 0..2 {
                ctx.step("host_maintenance_mode on");
                let on = ctx.driver().host_maintenance_mode(host, true).await?;
                expect_eq("maintenance on", MaintenanceMode::OnMaintenance, on)?;
            }
            for _ in 0..2 {
                ctx.step("host_maintenance_mode off");
                let off = ctx.driver().host_maintenance_mode(host, false).await?;
                expect_eq("maintenance off", MaintenanceMode::OffMaintenance, off)?;
            }
            Ok(())
        })
    })
    .exercises(&[M::HostMaintenanceMode])
}

pub(crate) fn set_host_enabled_twice() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            use driver_api::HostStatus;
            for _ in 0..2 {
                ctx.step("set_host_enabled false");
                let off = ctx
                    .driver()
                    .set_host_enabled(fixtures::HOST_A, false)
                    .await?;
                expect_eq("disabled", HostStatus::Disabled, off)?;
            }
            Ok(())
        })
    })
    .exercises(&[M::SetHostEnabled])
}

pub(crate) fn plug_vifs_twice() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            let vifs = [fixtures::vif()];
            for _ in 0..2 {
                ctx.step("plug_vifs");
                ctx.driver().plug_vifs(&instance, &vifs).await?;
            }
            for _ in 0..2 {
                ctx.step("unplug_vifs");
                ctx.driver().unplug_vifs(&instance, &vifs).await?;
            }
            ctx.expect_status(&instance, RUNNING).await
        })
    })
    .exercises(&[M::Spawn, M::PlugVifs, M::UnplugVifs, M::GetInfo])
}
