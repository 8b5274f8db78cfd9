//! What the host-level steps must answer, and the two refusals that come
//! before any rule of a step: an undeclared method and a mutation of a
//! read-only backend. Each rule cites the trait doc it follows.

use driver_api::{ErrorKind, Instance};

use super::rules::Expected;
use super::step::Step;
use super::HostModel;
use crate::invoke::not_found_for_unknown;

/// The admission of `step` on `model`, before its own rule: the trait's
/// "A method of a `Feature` that `capabilities` does not declare answers
/// `NotSupported`" ("Every optional method's default body answers
/// `NotSupported`"), then "A driver opened read-only ... refuses every
/// method that `mutates` with `ReadOnly`, changing nothing", in that order
/// (`DriverMethod::admit`: "An undeclared feature answers `NotSupported`
/// even read-only"). `init_host` is "Not refused in read-only mode".
pub(crate) fn refusal(model: &HostModel, step: &Step) -> Option<ErrorKind> {
    let method = step.method()?;
    if !method.is_supported_by(&model.capabilities) {
        return Some(ErrorKind::NotSupported);
    }
    let refused_read_only = !matches!(step, Step::InitHost { .. });
    (model.read_only && method.mutates() && refused_read_only).then_some(ErrorKind::ReadOnly)
}

/// The answer of a host-level step (or a call with sample arguments) on
/// `model`; `None` for the steps [`super::rules`] answers. None of them
/// changes anything the model holds.
pub(crate) fn expect(model: &HostModel, instance: &Instance, step: &Step) -> Option<Expected> {
    let known = model.instances.contains_key(&instance.uuid);
    Some(match step {
        // `init_host`: "the node list is `[host]` ... Idempotent ... Errors:
        // `InvalidInput` for an empty host name." The host's own name again
        // leaves its node list `[host]` as it is.
        Step::InitHost { empty: true } => Err(ErrorKind::InvalidInput),
        Step::InitHost { empty: false } => Ok(()),
        // `host_maintenance_mode`: "Puts the host into (`mode == true`) or
        // out of maintenance. Idempotent." `set_host_enabled`: "Enables or
        // disables the host for new instances. Idempotent." No instance and
        // no claim changes (the call checks the mode answered).
        Step::HostMaintenanceMode { .. } | Step::SetHostEnabled { .. } => Ok(()),
        // `get_disk_available_least` and `legacy_nwinfo` are queries of the
        // host (the call checks their values: at most the node's disk,
        // "Always `false` for typed backends").
        Step::DiskAvailableLeast | Step::LegacyNwinfo => Ok(()),
        // `instance_on_disk`: "Whether the instance's files are reachable
        // from this host": a query of an instance the host has; an unknown
        // one follows the trait's identity rule ("Every per-instance method
        // on an unknown instance answers `InstanceNotFound`").
        Step::InstanceOnDisk if known => Ok(()),
        Step::InstanceOnDisk => Err(ErrorKind::InstanceNotFound),
        // Any other method with sample arguments: past the admission above,
        // the model knows only the identity rule for an unknown instance
        // (the methods that name one, `crate::invoke::not_found_for_unknown`).
        // Anything else it does not judge: it answers `InvalidInput`, which
        // a case checks against its intent before running such a step
        // ([`super::intent`]), so it never runs one the model cannot judge.
        Step::Invoke(method) if !known && not_found_for_unknown(*method) => {
            Err(ErrorKind::InstanceNotFound)
        }
        Step::Invoke(_) => Err(ErrorKind::InvalidInput),
        _ => return None,
    })
}
