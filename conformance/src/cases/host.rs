//! The host: init_host, disk figures, preconditions of guest-agent calls, and
//! isolation between two backends.

use crate::prelude::*;

pub(crate) fn init_host_rejects_empty_name() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            ctx.step("init_host \"\"");
            let result = ctx.driver().init_host("").await;
            expect_kind(
                "init_host with an empty name",
                result,
                ErrorKind::InvalidInput,
            )?;
            let nodes = ctx.driver().get_available_nodes(false).await?;
            expect_eq("nodes unchanged", vec![fixtures::HOST_A.to_owned()], nodes)
        })
    })
    .exercises(&[M::InitHost, M::GetAvailableNodes])
}

pub(crate) fn disk_available_least() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            ctx.step("get_disk_available_least");
            let least = ctx.driver().get_disk_available_least().await?;
            let resources = ctx.resources(0).await?;
            ensure(
                least <= i64::try_from(resources.local_gb).unwrap_or(i64::MAX),
                format!("at most the node's {} GiB", resources.local_gb),
                least.to_string(),
            )
        })
    })
    .exercises(&[M::GetDiskAvailableLeast, M::GetAvailableResource])
}

pub(crate) fn instance_on_disk() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            ctx.step(format!("instance_on_disk {}", instance.name));
            ctx.driver().instance_on_disk(&instance).await?;
            Ok(())
        })
    })
    .exercises(&[M::Spawn, M::InstanceOnDisk])
}

pub(crate) fn set_admin_password_needs_running() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            ctx.expect_apply(&instance, Op::PowerOff).await?;
            ctx.step("set_admin_password while shut down");
            let result = ctx
                .driver()
                .set_admin_password(&instance, driver_api::Secret::new(fixtures::NEW_PASSWORD))
                .await;
            expect_kind(
                "set_admin_password while shut down",
                result,
                ErrorKind::InstanceNotRunning,
            )
        })
    })
    .exercises(&[M::Spawn, M::PowerOff, M::SetAdminPassword])
}

pub(crate) fn crash_dump_needs_running() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            ctx.expect_apply(&instance, Op::PowerOff).await?;
            ctx.step("trigger_crash_dump while shut down");
            let result = ctx.driver().trigger_crash_dump(&instance).await;
            expect_kind(
                "trigger_crash_dump while shut down",
                result,
                ErrorKind::InstanceNotRunning,
            )?;
            ctx.expect_status(&instance, SHUTDOWN).await
        })
    })
    .exercises(&[M::Spawn, M::PowerOff, M::TriggerCrashDump, M::GetInfo])
}

pub(crate) fn backends_are_isolated() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            let on_b = ctx.uuids(1).await?;
            ensure(
                !on_b.contains(&instance.uuid),
                "host B not to list host A's instance",
                format!("{on_b:?}"),
            )?;
            ctx.expect_used(1, ResourceAmounts::default()).await?;
            expect_eq("events on host B", 0, ctx.events(1).len())?;
            let nodes_b = ctx.driver_on(1).get_available_nodes(false).await?;
            expect_eq("host B's nodes", vec![fixtures::HOST_B.to_owned()], nodes_b)
        })
    })
    .two_hosts()
    .exercises(&[
        M::Spawn,
        M::ListInstanceUuids,
        M::GetAvailableResource,
        M::GetAvailableNodes,
    ])
}

pub(crate) fn legacy_nwinfo() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            ctx.step("legacy_nwinfo");
            expect_eq(
                "legacy_nwinfo of a typed backend",
                false,
                ctx.driver().legacy_nwinfo(),
            )
        })
    })
    .exercises(&[M::LegacyNwinfo])
}
