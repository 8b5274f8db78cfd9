//! Consoles: graphical and serial consoles need a running or paused guest; the
//! console log is there in any state.

use crate::prelude::*;

#[derive(Clone, Copy)]
enum Kind {
    Vnc,
    Spice,
    Serial,
}

async fn open(ctx: &CaseContext, kind: Kind, instance: &Instance) -> driver_api::DriverResult<()> {
    let d = ctx.driver();
    match kind {
        Kind::Vnc => d.get_vnc_console(instance).await.map(drop),
        Kind::Spice => d.get_spice_console(instance).await.map(drop),
        Kind::Serial => d.get_serial_console(instance).await.map(drop),
    }
}

fn needs_running(kind: Kind, method: M) -> CaseSpec {
    CaseSpec::new(move |ctx| {
        Box::pin(async move {
            let instance = ctx.spawn_running().await?;
            ctx.expect_apply(&instance, Op::Pause).await?;
            ctx.step(format!("{method} while paused"));
            expect_ok(
                &format!("{method} while paused"),
                open(ctx, kind, &instance).await,
            )?;
            ctx.expect_apply(&instance, Op::PowerOff).await?;
            ctx.step(format!("{method} while shut down"));
            let off = open(ctx, kind, &instance).await;
            expect_kind(
                &format!("{method} while shut down"),
                off,
                ErrorKind::InstanceNotRunning,
            )?;
            let unknown = ctx.new_instance(Flavor::m1_tiny());
            ctx.step(format!("{method} of an unknown instance"));
            let missing = open(ctx, kind, &unknown).await;
            expect_kind(
                &format!("{method} of an unknown instance"),
                missing,
                ErrorKind::InstanceNotFound,
            )
        })
    })
    .exercises(&[M::Spawn, M::Pause, M::PowerOff, method])
}

pub(crate) fn vnc_needs_running_guest() -> CaseSpec {
    needs_running(Kind::Vnc, M::GetVncConsole)
}

pub(crate) fn spice_needs_running_guest() -> CaseSpec {
    needs_running(Kind::Spice, M::GetSpiceConsole)
}

pub(crate) fn serial_needs_running_guest() -> CaseSpec {
    needs_running(Kind::Serial, M::GetSerialConsole)
}

pub(crate) fn output_of_unknown_instance() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let unknown = ctx.new_instance(Flavor::m1_tiny());
            ctx.step("get_console_output of an unknown instance");
            let result = ctx.driver().get_console_output(&unknown).await;
            expect_kind(
                "console output of an unknown instance",
                result,
                ErrorKind::InstanceNotFound,
            )
        })
    })
    .exercises(&[M::GetConsoleOutput])
}
