//! Consoles: graphical and serial consoles need a running or paused guest; the
//! console log is there in any state. Every case drives its steps through
//! the reference model ([`crate::model::Rig`]): each console query is a step
//! judged by the model, and every observable after it (each declared
//! console of every instance among them) equals the model's.

use crate::model::guest_steps::ConsoleKind;
use crate::model::{Rig, Step};
use crate::prelude::*;

/// The console of `kind` opens while paused, is `InstanceNotRunning` while
/// shut down and `InstanceNotFound` for an unknown instance.
fn needs_running(kind: ConsoleKind) -> CaseSpec {
    CaseSpec::new(move |ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let console = Step::Console(kind);
            let instance = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &instance, &Step::Spawn { power_on: true })
                .await?;
            rig.step(0, &instance, &Step::Lifecycle(Op::Pause)).await?;
            rig.step(0, &instance, &console).await?;
            rig.step(0, &instance, &Step::Lifecycle(Op::PowerOff))
                .await?;
            rig.step(0, &instance, &console).await?;
            let unknown = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &unknown, &console).await
        })
    })
    .exercises(&[M::Spawn, M::Pause, M::PowerOff, kind.method()])
}

pub(crate) fn vnc_needs_running_guest() -> CaseSpec {
    needs_running(ConsoleKind::Vnc)
}

pub(crate) fn spice_needs_running_guest() -> CaseSpec {
    needs_running(ConsoleKind::Spice)
}

pub(crate) fn serial_needs_running_guest() -> CaseSpec {
    needs_running(ConsoleKind::Serial)
}

/// `get_console_output` of an unknown instance is `InstanceNotFound`.
pub(crate) fn output_of_unknown_instance() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let unknown = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &unknown, &Step::ConsoleOutput).await
        })
    })
    .exercises(&[M::GetConsoleOutput])
}
