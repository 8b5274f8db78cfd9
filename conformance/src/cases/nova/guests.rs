//! Nova's scenarios on a guest: diagnostics, consoles, volumes, file injection,
//! firewall.

use base64_free::encode;

use crate::prelude::*;

/// Base64 without a dependency: the suite only encodes short ASCII strings.
mod base64_free {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    /// Standard, padded base64 of `input`.
    pub(crate) fn encode(input: &str) -> String {
        let bytes = input.as_bytes();
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                chunk.get(1).copied().unwrap_or(0),
                chunk.get(2).copied().unwrap_or(0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
                } else {
                    out.push('=');
                }
            }
        }
        out
    }
}

pub(crate) fn get_diagnostics() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            ctx.step(format!("get_diagnostics {}", instance.name));
            let diagnostics = ctx.driver().get_diagnostics(&instance.name).await?;
            expect_eq("diagnostics state", PowerState::Running, diagnostics.state)
        })
    })
    .exercises(&[M::Spawn, M::GetDiagnostics])
}

pub(crate) fn get_instance_diagnostics() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            ctx.expect_apply(&instance, Op::Pause).await?;
            ctx.step(format!("get_diagnostics {}", instance.name));
            let diagnostics = ctx.driver().get_diagnostics(&instance.name).await?;
            let info = expect_ok("get_info", ctx.info(0, &instance).await)?;
            expect_eq(
                "diagnostics state (as get_info)",
                info.state,
                diagnostics.state,
            )
        })
    })
    .exercises(&[M::Spawn, M::Pause, M::GetDiagnostics, M::GetInfo])
}

pub(crate) fn block_stats() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            ctx.step(format!("block_stats {} vda", instance.name));
            ctx.driver().block_stats(&instance.name, "vda").await?;
            ctx.step("block_stats of an unknown name");
            let unknown = ctx
                .driver()
                .block_stats("conformance-no-such-vm", "vda")
                .await;
            expect_kind(
                "block_stats of an unknown name",
                unknown,
                ErrorKind::InstanceNotFound,
            )
        })
    })
    .exercises(&[M::Spawn, M::BlockStats])
}

pub(crate) fn interface_stats() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.new_instance(Flavor::m1_tiny());
            let vif = fixtures::vif();
            let devname = vif.devname.clone().unwrap_or_else(|| vif.id.to_string());
            expect_ok(
                "spawn",
                ctx.spawn_with(0, &instance, true, std::slice::from_ref(&vif))
                    .await,
            )?;
            ctx.step(format!("interface_stats {} {devname}", instance.name));
            ctx.driver()
                .interface_stats(&instance.name, &devname)
                .await?;
            ctx.step("interface_stats of an unknown name");
            let unknown = ctx
                .driver()
                .interface_stats("conformance-no-such-vm", &devname)
                .await;
            expect_kind(
                "interface_stats of an unknown name",
                unknown,
                ErrorKind::InstanceNotFound,
            )
        })
    })
    .exercises(&[M::Spawn, M::InterfaceStats])
}

pub(crate) fn get_instance_disk_info() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            ctx.step(format!("get_instance_disk_info {}", instance.name));
            let disks = ctx.driver().get_instance_disk_info(&instance.name).await?;
            ensure(!disks.is_empty(), "at least the root disk", "no disk")
        })
    })
    .exercises(&[M::Spawn, M::GetInstanceDiskInfo])
}

pub(crate) fn get_console_output() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            ctx.step(format!("get_console_output {}", instance.name));
            ctx.driver().get_console_output(&instance).await?;
            ctx.expect_apply(&instance, Op::PowerOff).await?;
            ctx.step("get_console_output of the stopped instance");
            ctx.driver().get_console_output(&instance).await?;
            Ok(())
        })
    })
    .exercises(&[M::Spawn, M::GetConsoleOutput, M::PowerOff])
}

pub(crate) fn get_vnc_console() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            ctx.step(format!("get_vnc_console {}", instance.name));
            let console = ctx.driver().get_vnc_console(&instance).await?;
            ensure(!console.host.is_empty(), "a VNC host", "an empty host")?;
            ensure(console.port > 0, "a VNC port", "port 0")
        })
    })
    .exercises(&[M::Spawn, M::GetVncConsole])
}

pub(crate) fn get_spice_console() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            ctx.step(format!("get_spice_console {}", instance.name));
            let console = ctx.driver().get_spice_console(&instance).await?;
            ensure(!console.host.is_empty(), "a SPICE host", "an empty host")?;
            ensure(console.port > 0, "a SPICE port", "port 0")?;
            ensure(
                console.tls_port != Some(console.port),
                "a TLS port distinct from the plain port",
                format!("both {}", console.port),
            )
        })
    })
    .exercises(&[M::Spawn, M::GetSpiceConsole])
}

pub(crate) fn get_serial_console() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            ctx.step(format!("get_serial_console {}", instance.name));
            let console = ctx.driver().get_serial_console(&instance).await?;
            ensure(
                !console.host.is_empty(),
                "a serial console host",
                "an empty host",
            )?;
            ensure(console.port > 0, "a serial console port", "port 0")
        })
    })
    .exercises(&[M::Spawn, M::GetSerialConsole])
}

pub(crate) fn get_console_pool_info() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            ctx.step("get_console_pool_info vnc");
            let pool = ctx
                .driver()
                .get_console_pool_info(driver_api::ConsoleType::Vnc)
                .await?;
            ensure(
                !pool.address.is_empty(),
                "a pool address",
                "an empty address",
            )?;
            ensure(
                !pool.username.is_empty(),
                "a pool user name",
                "an empty user name",
            )?;
            let shown = format!("{pool:?}");
            ensure(
                pool.password.is_empty() || !shown.contains(pool.password.expose()),
                "the pool password hidden from Debug",
                "Debug shows it",
            )
        })
    })
    .exercises(&[M::GetConsolePoolInfo])
}

pub(crate) fn get_volume_connector() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            ctx.step("get_volume_connector");
            let connector = ctx.driver().get_volume_connector(&instance).await?;
            ensure(!connector.ip.is_empty(), "a connector ip", "empty")?;
            ensure(
                !connector.initiator.is_empty(),
                "a connector initiator",
                "empty",
            )?;
            ensure(!connector.host.is_empty(), "a connector host", "empty")
        })
    })
    .exercises(&[M::Spawn, M::GetVolumeConnector])
}

async fn attach(
    ctx: &CaseContext,
    instance: &Instance,
    volume: &str,
) -> driver_api::DriverResult<()> {
    ctx.step(format!(
        "attach_volume {volume} to {} at {}",
        instance.name,
        fixtures::MOUNTPOINT
    ));
    ctx.driver()
        .attach_volume(&fixtures::volume(volume), instance, fixtures::MOUNTPOINT)
        .await
}

async fn detach(
    ctx: &CaseContext,
    instance: &Instance,
    volume: &str,
) -> driver_api::DriverResult<()> {
    ctx.step(format!(
        "detach_volume {volume} from {} at {}",
        instance.name,
        fixtures::MOUNTPOINT
    ));
    ctx.driver()
        .detach_volume(&fixtures::volume(volume), instance, fixtures::MOUNTPOINT)
        .await
}

pub(crate) fn attach_detach_volume() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            expect_ok("attach_volume", attach(ctx, &instance, "vol-0001").await)?;
            expect_ok("detach_volume", detach(ctx, &instance, "vol-0001").await)?;
            let again = detach(ctx, &instance, "vol-0001").await;
            expect_kind("a second detach", again, ErrorKind::VolumeNotFound)
        })
    })
    .exercises(&[M::Spawn, M::AttachVolume, M::DetachVolume])
}

pub(crate) fn swap_volume() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            expect_ok("attach_volume", attach(ctx, &instance, "vol-old").await)?;
            ctx.step("swap_volume vol-old -> vol-new, 2 GiB");
            ctx.driver()
                .swap_volume(
                    &fixtures::volume("vol-old"),
                    &fixtures::volume("vol-new"),
                    &instance,
                    fixtures::MOUNTPOINT,
                    2,
                )
                .await?;
            expect_ok(
                "detach_volume of the new volume",
                detach(ctx, &instance, "vol-new").await,
            )?;
            let again = detach(ctx, &instance, "vol-new").await;
            expect_kind(
                "a detach after the swapped volume left",
                again,
                ErrorKind::VolumeNotFound,
            )
        })
    })
    .exercises(&[M::Spawn, M::AttachVolume, M::SwapVolume, M::DetachVolume])
}

pub(crate) fn attach_detach_different_power_states() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            ctx.expect_apply(&instance, Op::PowerOff).await?;
            expect_ok(
                "attach_volume while off",
                attach(ctx, &instance, "vol-0002").await,
            )?;
            ctx.expect_apply(&instance, Op::PowerOn).await?;
            ctx.expect_status(&instance, RUNNING).await?;
            expect_ok(
                "detach_volume while running",
                detach(ctx, &instance, "vol-0002").await,
            )
        })
    })
    .exercises(&[
        M::Spawn,
        M::PowerOff,
        M::AttachVolume,
        M::PowerOn,
        M::DetachVolume,
        M::GetInfo,
    ])
}

pub(crate) fn inject_file() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            ctx.step("inject_file b64('/testfile') b64('testcontents')");
            ctx.driver()
                .inject_file(&instance, &encode("/testfile"), &encode("testcontents"))
                .await?;
            ctx.step("inject_file with a path that is not base64");
            let bad = ctx
                .driver()
                .inject_file(&instance, "%%% not base64 %%%", &encode("x"))
                .await;
            expect_kind("inject_file of bad base64", bad, ErrorKind::InvalidInput)
        })
    })
    .exercises(&[M::Spawn, M::InjectFile])
}

pub(crate) fn ensure_filtering_for_instance() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            ctx.step("ensure_filtering_rules_for_instance, twice");
            let vifs = [fixtures::vif()];
            ctx.driver()
                .ensure_filtering_rules_for_instance(&instance, &vifs)
                .await?;
            ctx.driver()
                .ensure_filtering_rules_for_instance(&instance, &vifs)
                .await?;
            ctx.expect_status(&instance, RUNNING).await
        })
    })
    .exercises(&[M::Spawn, M::EnsureFilteringRulesForInstance, M::GetInfo])
}

pub(crate) fn unfilter_instance() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            let vifs = [fixtures::vif()];
            ctx.step("ensure_filtering_rules_for_instance then unfilter_instance, twice");
            ctx.driver()
                .ensure_filtering_rules_for_instance(&instance, &vifs)
                .await?;
            ctx.driver().unfilter_instance(&instance, &vifs).await?;
            ctx.driver().unfilter_instance(&instance, &vifs).await?;
            ctx.expect_status(&instance, RUNNING).await
        })
    })
    .exercises(&[
        M::Spawn,
        M::EnsureFilteringRulesForInstance,
        M::UnfilterInstance,
        M::GetInfo,
    ])
}

pub(crate) fn refresh_security_group_rules() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            ctx.step("refresh_security_group_rules 1");
            ctx.driver().refresh_security_group_rules(1).await?;
            ctx.step(format!("refresh_instance_security_rules {}", instance.name));
            ctx.driver()
                .refresh_instance_security_rules(&instance)
                .await?;
            ctx.expect_status(&instance, RUNNING).await
        })
    })
    .exercises(&[
        M::Spawn,
        M::RefreshSecurityGroupRules,
        M::RefreshInstanceSecurityRules,
        M::GetInfo,
    ])
}

pub(crate) fn refresh_security_group_members() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            ctx.step("refresh_security_group_members 1");
            ctx.driver().refresh_security_group_members(1).await?;
            Ok(())
        })
    })
    .exercises(&[M::RefreshSecurityGroupMembers])
}

pub(crate) fn refresh_provider_fw_rules() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            ctx.step("refresh_provider_fw_rules, twice");
            ctx.driver().refresh_provider_fw_rules().await?;
            ctx.driver().refresh_provider_fw_rules().await?;
            Ok(())
        })
    })
    .exercises(&[M::RefreshProviderFwRules])
}
