//! How the host-level steps (and a call with sample arguments) are called
//! on a backend. A host-level step ignores the instance it is given, except
//! to name it in the log; where the trait says what a call answers beyond
//! `Ok`, the suite checks it here and reports a wrong value as an
//! `InvalidInput` that says so (the step then fails, expecting `Ok`).

use std::fmt;

use driver_api::{DriverError, DriverMethod, DriverResult, HostStatus, Instance, MaintenanceMode};

use super::step::{Step, Target};
use crate::invoke::invoke_guarded;

/// Describes a step of this module.
pub(crate) fn describe(step: &Step, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match step {
        Step::InitHost { empty: true } => write!(f, "init_host \"\""),
        Step::InitHost { empty: false } => write!(f, "init_host (its own name)"),
        Step::HostMaintenanceMode { on } => write!(f, "host_maintenance_mode {on}"),
        Step::SetHostEnabled { enabled } => write!(f, "set_host_enabled {enabled}"),
        Step::Invoke(method) => write!(f, "{method} (sample arguments)"),
        other => write!(f, "{other:?}"),
    }
}

/// The suite's check of a value a call answered.
fn suite_check(method: DriverMethod, want: &str, got: impl fmt::Debug) -> DriverError {
    DriverError::invalid_input(
        method,
        format!("(the suite's check) {method} answered {got:?}, not {want}"),
    )
}

/// Calls `step` for `instance` on `target`'s backend.
pub(crate) async fn call(
    target: &Target<'_>,
    instance: &Instance,
    step: &Step,
) -> DriverResult<()> {
    let d = &target.backend.driver;
    let here = target
        .host_names
        .get(target.index)
        .map_or("", String::as_str);
    match step {
        Step::InitHost { empty } => d.init_host(if *empty { "" } else { here }).await,
        Step::HostMaintenanceMode { on } => {
            let want = if *on {
                MaintenanceMode::OnMaintenance
            } else {
                MaintenanceMode::OffMaintenance
            };
            let got = d.host_maintenance_mode(here, *on).await?;
            if got == want {
                Ok(())
            } else {
                Err(suite_check(
                    DriverMethod::HostMaintenanceMode,
                    &format!("{want:?}"),
                    got,
                ))
            }
        }
        Step::SetHostEnabled { enabled } => {
            let want = if *enabled {
                HostStatus::Enabled
            } else {
                HostStatus::Disabled
            };
            let got = d.set_host_enabled(here, *enabled).await?;
            if got == want {
                Ok(())
            } else {
                Err(suite_check(
                    DriverMethod::SetHostEnabled,
                    &format!("{want:?}"),
                    got,
                ))
            }
        }
        // "Disk available to instances ... in GiB": at most the local disk
        // of the host's first node.
        Step::DiskAvailableLeast => {
            let least = d.get_disk_available_least().await?;
            let node = d.get_available_nodes(false).await?;
            let node = node.first().map_or("", String::as_str);
            let local_gb = d.get_available_resource(node).await?.local_gb;
            if least <= i64::try_from(local_gb).unwrap_or(i64::MAX) {
                Ok(())
            } else {
                let want = format!("at most the node's {local_gb} GiB");
                Err(suite_check(
                    DriverMethod::GetDiskAvailableLeast,
                    &want,
                    least,
                ))
            }
        }
        Step::InstanceOnDisk => d.instance_on_disk(instance).await.map(|_| ()),
        Step::LegacyNwinfo => match d.legacy_nwinfo() {
            false => Ok(()),
            true => Err(suite_check(DriverMethod::LegacyNwinfo, "false", true)),
        },
        Step::Invoke(method) => invoke_guarded(d, *method, instance, here)
            .await
            .unwrap_or_else(|panic| Err(suite_check(*method, "an answer, not a panic", panic)))
            .or_else(|error| named_right(*method, error)),
        other => Err(DriverError::invalid_input(
            other.method().unwrap_or(DriverMethod::InitHost),
            format!("{other} is not a host-level step"),
        )),
    }
}

/// `NotSupported` names the method refused (`DriverError::NotSupported`'s
/// `method`); one naming another method is reported as the suite's check.
fn named_right(method: DriverMethod, error: DriverError) -> DriverResult<()> {
    match &error {
        DriverError::NotSupported { method: named, .. } if *named != method => Err(suite_check(
            method,
            &format!("NotSupported naming {method}"),
            format!("NotSupported naming {named}"),
        )),
        _ => Err(error),
    }
}
