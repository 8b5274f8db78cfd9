//! Generated matrices: each step with a state precondition, from every
//! status the table can reach ([`InstanceStatus::reachable`]) and on an
//! unknown instance, twice in a row (the second call shows the no-op and
//! refusal rules), every answer and every observable compared with the
//! reference model after every call ([`crate::model::Rig`]). A refusal must
//! leave every observable as it was; a no-op must change nothing and emit
//! nothing.
//!
//! The `Crashed` row needs the backend's crash hook, so it is one case of
//! its own (`matrix::from_crashed`), skipped, not passed, without the hook.

use crate::case::CaseResult;
use crate::model::step::Step;
use crate::model::Rig;
use crate::paths::path_to;
use crate::prelude::*;

/// The steps each matrix case puts an instance through: what comes first
/// (to give the step something to act on), then the step itself.
pub(crate) struct Row {
    before: &'static [Step],
    step: Step,
}

/// Every row of the matrix, by case name.
pub(crate) fn rows() -> Vec<(&'static str, Row)> {
    let row = |step| Row { before: &[], step };
    vec![
        ("set_admin_password", row(Step::SetAdminPassword)),
        ("trigger_crash_dump", row(Step::TriggerCrashDump)),
        ("snapshot", row(Step::Snapshot)),
        ("inject_file", row(Step::InjectFile)),
        (
            "resume_state_on_host_boot",
            row(Step::ResumeStateOnHostBoot),
        ),
        ("plug_vifs", row(Step::PlugVifs)),
        ("unplug_vifs", row(Step::UnplugVifs)),
        ("attach_volume", row(Step::AttachVolume(0))),
        (
            "detach_volume",
            Row {
                before: &[Step::AttachVolume(0)],
                step: Step::DetachVolume(0),
            },
        ),
        (
            "swap_volume",
            Row {
                before: &[Step::AttachVolume(0)],
                step: Step::SwapVolume(0),
            },
        ),
        ("attach_interface", row(Step::AttachInterface(1))),
        ("detach_interface", row(Step::DetachInterface(0))),
        (
            "migrate_disk_and_power_off",
            row(Step::MigrateDiskAndPowerOff {
                dest: 0,
                flavor: Flavor::m1_tiny(),
            }),
        ),
    ]
}

fn methods_of(row: &Row) -> Vec<M> {
    row.before
        .iter()
        .chain(std::iter::once(&row.step))
        .filter_map(Step::method)
        .collect()
}

/// The statuses a matrix case covers: every reachable one but `Crashed`.
fn statuses() -> Vec<InstanceStatus> {
    InstanceStatus::reachable()
        .into_iter()
        .filter(|s| s.state != PowerState::Crashed)
        .collect()
}

/// The case for the row `name`: every status but `Crashed`, and unknown.
pub(crate) fn in_every_state(name: &'static str) -> CaseSpec {
    let Some((_, row)) = rows().into_iter().find(|(n, _)| *n == name) else {
        return CaseSpec::new(move |_| {
            Box::pin(async move { Err(CaseError::fail(format!("a matrix row {name}"), "none")) })
        });
    };
    let methods = methods_of(&row);
    CaseSpec::new(move |ctx| Box::pin(run_row(ctx, name, statuses())))
        .exercises(&[M::Spawn, M::Destroy, M::GetInfo])
        .exercises(&methods)
        .exercises(&path_methods())
}

/// The lifecycle methods that reach every status but `Crashed` (a matrix
/// case needs them all: it covers every status or none).
fn path_methods() -> Vec<M> {
    let mut methods: Vec<M> = statuses()
        .iter()
        .flat_map(|s| path_to(*s).unwrap_or_default())
        .filter_map(crate::actions::lifecycle_method)
        .collect();
    methods.sort();
    methods.dedup();
    methods
}

/// Every row from `Crashed` (needs the crash hook).
pub(crate) fn from_crashed() -> CaseSpec {
    let methods: Vec<M> = rows().iter().flat_map(|(_, r)| methods_of(r)).collect();
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let capabilities = ctx.capabilities();
            let crashed = vec![InstanceStatus::new(PowerState::Crashed)];
            for (name, row) in rows() {
                let declared = methods_of(&row)
                    .iter()
                    .all(|m| m.is_supported_by(&capabilities));
                if declared {
                    run_row(ctx, name, crashed.clone()).await?;
                }
            }
            Ok(())
        })
    })
    .needs_hooks()
    .exercises(&[M::Spawn, M::Destroy, M::GetInfo])
    .covers(&methods)
}

async fn run_row(ctx: &CaseContext, name: &str, statuses: Vec<InstanceStatus>) -> CaseResult {
    let Some((_, row)) = rows().into_iter().find(|(n, _)| *n == name) else {
        return Err(CaseError::fail(format!("a matrix row {name}"), "none"));
    };
    let log = |text: String| ctx.step(text);
    let rig = Rig::of(ctx, &log).await?;
    for status in statuses {
        ctx.step(format!("-- {name} from {status}"));
        let instance = ctx.new_instance(Flavor::m1_tiny());
        rig.step(0, &instance, &Step::Spawn { power_on: true })
            .await?;
        let path = path_to(status)
            .ok_or_else(|| CaseError::fail(format!("a path to {status}"), "none"))?;
        for op in path {
            rig.step(0, &instance, &Step::Lifecycle(op)).await?;
        }
        for step in row.before {
            rig.step(0, &instance, step).await?;
        }
        rig.step(0, &instance, &row.step).await?;
        rig.step(0, &instance, &row.step).await?;
        rig.step(0, &instance, &Step::Lifecycle(Op::Destroy))
            .await?;
    }
    ctx.step(format!("-- {name} on an unknown instance"));
    let unknown = ctx.new_instance(Flavor::m1_tiny());
    for step in row.before {
        rig.step(0, &unknown, step).await?;
    }
    rig.step(0, &unknown, &row.step).await
}

/// Every console read (by the snapshot) in every status but `Crashed`.
pub(crate) fn consoles_in_every_state() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            for status in statuses() {
                let instance = ctx.new_instance(Flavor::m1_tiny());
                rig.step(0, &instance, &Step::Spawn { power_on: true })
                    .await?;
                for op in path_to(status).unwrap_or_default() {
                    rig.step(0, &instance, &Step::Lifecycle(op)).await?;
                }
                rig.step(0, &instance, &Step::Lifecycle(Op::Destroy))
                    .await?;
            }
            Ok(())
        })
    })
    .exercises(&[M::Spawn, M::Destroy, M::GetInfo])
    .exercises(&path_methods())
    .covers(&[
        M::GetVncConsole,
        M::GetSpiceConsole,
        M::GetSerialConsole,
        M::GetConsoleOutput,
    ])
}

/// Isolation: every step on host B for host A's instance answers as for an
/// unknown instance, and neither host's observables move.
pub(crate) fn isolation() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let instance = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &instance, &Step::Spawn { power_on: true })
                .await?;
            let capabilities = ctx.driver_on(1).capabilities();
            for step in Step::on_one_host() {
                let offered = match step.method() {
                    Some(method) => method.is_supported_by(&capabilities),
                    None => false,
                };
                if offered && !matches!(step, Step::Spawn { .. }) {
                    rig.step(1, &instance, &step).await?;
                }
            }
            Ok(())
        })
    })
    .two_hosts()
    .exercises(&[M::Spawn, M::GetInfo])
    .covers(
        &Step::on_one_host()
            .iter()
            .filter_map(Step::method)
            .collect::<Vec<_>>(),
    )
}

/// Identity over an instance's life: its UUID and its name are taken while
/// it lives (a second spawn with either is `InstanceExists`), and its name is
/// free again once it is destroyed; the by-name methods then answer for the
/// new instance.
pub(crate) fn name_reused_after_destroy() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let first = ctx.new_instance(Flavor::m1_tiny());
            let mut same_name = ctx.new_instance(Flavor::m1_tiny());
            same_name.name = first.name.clone();
            let mut same_uuid = ctx.new_instance(Flavor::m1_tiny());
            same_uuid.uuid = first.uuid;
            let spawn = Step::Spawn { power_on: true };
            rig.step(0, &first, &spawn).await?;
            rig.step(0, &same_name, &spawn).await?;
            rig.step(0, &same_uuid, &spawn).await?;
            rig.step(0, &first, &Step::Lifecycle(Op::Destroy)).await?;
            rig.step(0, &same_name, &Step::Spawn { power_on: false })
                .await?;
            rig.step(0, &same_name, &Step::Lifecycle(Op::Destroy)).await
        })
    })
    .exercises(&[M::Spawn, M::Destroy, M::GetInfo, M::ListInstances])
}
