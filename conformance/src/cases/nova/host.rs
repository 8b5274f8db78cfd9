//! Nova's scenarios on the host: addresses, resources, nodes, host actions,
//! events, live migration.

use std::sync::{Arc, Mutex};

use driver_api::{HostPowerAction, HostStatus, LifecycleEvent};
use uuid::Uuid;

use crate::prelude::*;

pub(crate) fn get_host_ip_addr() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            ctx.step("get_host_ip_addr");
            let ip = ctx.driver().get_host_ip_addr().await?;
            ensure(ip.is_ipv4(), "an IPv4 address", ip.to_string())
        })
    })
    .exercises(&[M::GetHostIpAddr])
}

pub(crate) fn get_available_resource() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let node = ctx.node(0).await?;
            let resources = ctx.resources(0).await?;
            ensure(
                resources.vcpus > 0,
                "vcpus > 0",
                resources.vcpus.to_string(),
            )?;
            ensure(
                resources.memory_mb > 0,
                "memory_mb > 0",
                resources.memory_mb.to_string(),
            )?;
            ensure(
                resources.local_gb > 0,
                "local_gb > 0",
                resources.local_gb.to_string(),
            )?;
            ensure(
                !resources.hypervisor_type.is_empty(),
                "a hypervisor_type",
                "an empty one",
            )?;
            ensure(
                resources.hypervisor_version > 0,
                "an integer hypervisor_version > 0",
                resources.hypervisor_version.to_string(),
            )?;
            expect_eq(
                "hypervisor_hostname",
                node,
                resources.hypervisor_hostname.clone(),
            )?;
            let hypervisor = resources.hypervisor_type.to_lowercase();
            ensure(
                resources
                    .supported_instances
                    .iter()
                    .any(|s| s.hypervisor_type.to_lowercase() == hypervisor),
                format!("supported_instances to name hypervisor type {hypervisor}"),
                format!("{:?}", resources.supported_instances),
            )?;
            ensure(
                resources.used().fits_in(&resources.total()),
                "used within total",
                format!("used {:?} of {:?}", resources.used(), resources.total()),
            )
        })
    })
    .exercises(&[M::GetAvailableNodes, M::GetAvailableResource])
}

pub(crate) fn get_available_nodes() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            ctx.step("get_available_nodes(refresh=false)");
            let nodes = ctx.driver().get_available_nodes(false).await?;
            expect_eq(
                "nodes after init_host",
                vec![fixtures::HOST_A.to_owned()],
                nodes,
            )?;
            ctx.step("get_available_nodes(refresh=true)");
            let refreshed = ctx.driver().get_available_nodes(true).await?;
            expect_eq(
                "nodes after a refresh",
                vec![fixtures::HOST_A.to_owned()],
                refreshed,
            )
        })
    })
    .exercises(&[M::GetAvailableNodes])
}

pub(crate) fn get_host_cpu_stats() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            ctx.step("get_host_cpu_stats");
            let stats = ctx.driver().get_host_cpu_stats().await?;
            let total = stats
                .kernel
                .saturating_add(stats.idle)
                .saturating_add(stats.user)
                .saturating_add(stats.iowait);
            ensure(
                total > 0,
                "some CPU time on a running host",
                format!("{stats:?}"),
            )
        })
    })
    .exercises(&[M::GetHostCpuStats])
}

pub(crate) fn get_host_uptime() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            ctx.step("get_host_uptime");
            ctx.driver().get_host_uptime().await?;
            Ok(())
        })
    })
    .exercises(&[M::GetHostUptime])
}

pub(crate) fn get_host_stats() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            ctx.step("get_host_stats(refresh=true)");
            let stats = ctx.driver().get_host_stats(true).await?;
            let nodes = ctx.driver().get_available_nodes(false).await?;
            expect_eq("one host-stats entry per node", nodes.len(), stats.len())?;
            for entry in &stats {
                ensure(
                    entry.disk_total > 0 && entry.host_memory_total > 0,
                    "disk_total and host_memory_total > 0",
                    format!("{entry:?}"),
                )?;
                ensure(
                    entry.disk_used <= entry.disk_total
                        && entry.host_memory_free <= entry.host_memory_total,
                    "used disk and free memory within totals",
                    format!("{entry:?}"),
                )?;
            }
            Ok(())
        })
    })
    .exercises(&[M::GetHostStats, M::GetAvailableNodes])
}

pub(crate) fn set_host_enabled() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let host = fixtures::HOST_A;
            ctx.step("set_host_enabled false");
            let off = ctx.driver().set_host_enabled(host, false).await?;
            expect_eq("set_host_enabled(false)", HostStatus::Disabled, off)?;
            ctx.step("set_host_enabled true");
            let on = ctx.driver().set_host_enabled(host, true).await?;
            expect_eq("set_host_enabled(true)", HostStatus::Enabled, on)
        })
    })
    .exercises(&[M::SetHostEnabled])
}

fn host_power_action(action: HostPowerAction) -> CaseSpec {
    CaseSpec::new(move |ctx| {
        Box::pin(async move {
            ctx.step(format!("host_power_action {action}"));
            let done = ctx
                .driver()
                .host_power_action(fixtures::HOST_A, action)
                .await?;
            expect_eq("the action performed", action, done)
        })
    })
    .exercises(&[M::HostPowerAction])
}

pub(crate) fn host_power_action_reboot() -> CaseSpec {
    host_power_action(HostPowerAction::Reboot)
}

pub(crate) fn host_power_action_shutdown() -> CaseSpec {
    host_power_action(HostPowerAction::Shutdown)
}

pub(crate) fn host_power_action_startup() -> CaseSpec {
    host_power_action(HostPowerAction::Startup)
}

fn event(transition: Ev) -> LifecycleEvent {
    LifecycleEvent::new(
        Uuid::from_u128(0xc0ff_ee00_0000_4000_8000_0000_0000_0057),
        transition,
    )
}

pub(crate) fn events() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let seen = Arc::new(Mutex::new(Vec::new()));
            let sink = seen.clone();
            ctx.step("register_event_listener (a list)");
            ctx.driver()
                .register_event_listener(Some(Arc::new(move |e: LifecycleEvent| {
                    if let Ok(mut events) = sink.lock() {
                        events.push(e);
                    }
                })));
            let (e1, e2, e3, e4) = (
                event(Ev::Started),
                event(Ev::Paused),
                event(Ev::Resumed),
                event(Ev::Stopped),
            );
            ctx.step("emit_event Started, Paused");
            ctx.driver().emit_event(e1);
            ctx.driver().emit_event(e2);
            let got = seen.lock().map(|v| v.clone()).unwrap_or_default();
            expect_eq("events delivered", vec![e1, e2], got)?;
            ctx.step("emit_event Resumed, Stopped");
            ctx.driver().emit_event(e3);
            ctx.driver().emit_event(e4);
            let got = seen.lock().map(|v| v.clone()).unwrap_or_default();
            expect_eq("events delivered", vec![e1, e2, e3, e4], got)
        })
    })
    .exercises(&[M::RegisterEventListener, M::EmitEvent])
}

pub(crate) fn event_bad_callback() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            ctx.step("register_event_listener (panics: Hit Me!)");
            ctx.driver()
                .register_event_listener(Some(Arc::new(|_e: LifecycleEvent| {
                    std::panic::panic_any("Hit Me! (a deliberate listener panic: the conformance suite checks the driver contains it)");
                })));
            let driver = ctx.driver().clone();
            ctx.step("emit_event Started");
            let emitted = tokio::spawn(async move { driver.emit_event(event(Ev::Started)) }).await;
            ensure(
                emitted.is_ok(),
                "emit_event to contain the listener's panic",
                "the panic escaped emit_event",
            )?;
            ctx.step("the driver still serves: spawn after the panic");
            ctx.driver().register_event_listener(Some(ctx.recorder(0)));
            let instance = ctx.spawn_running().await?;
            ctx.expect_status(&instance, RUNNING).await
        })
    })
    .exercises(&[M::RegisterEventListener, M::EmitEvent, M::Spawn, M::GetInfo])
}

pub(crate) fn live_migration() -> CaseSpec {
    crate::cases::migration::live_migration_moves_instance()
}
