//! What every case module imports.
#![allow(unused_imports)]

pub(crate) use std::time::Duration;

pub(crate) use driver_api::{
    DriverMethod as M, ErrorKind, Feature as F, Flavor, Instance, InstanceStatus,
    LifecycleOperation as Op, LifecycleTransition as Ev, PowerState, ResourceAmounts,
};

pub(crate) use crate::case::{CaseError, CaseSpec, Tier};
pub(crate) use crate::checks::{ensure, expect_eq, expect_kind, expect_ok};
pub(crate) use crate::context::CaseContext;
pub(crate) use crate::fixtures;

/// `Running`, plain.
pub(crate) const RUNNING: InstanceStatus = InstanceStatus::new(PowerState::Running);
/// `Paused`, plain.
pub(crate) const PAUSED: InstanceStatus = InstanceStatus::new(PowerState::Paused);
/// `Suspended`, plain.
pub(crate) const SUSPENDED: InstanceStatus = InstanceStatus::new(PowerState::Suspended);
/// `Shutdown`, plain.
pub(crate) const SHUTDOWN: InstanceStatus = InstanceStatus::new(PowerState::Shutdown);
/// `Running`, rescued.
pub(crate) const RESCUED: InstanceStatus = InstanceStatus::new(PowerState::Running).rescued();
/// `Shutdown`, soft-deleted.
pub(crate) const SOFT_DELETED: InstanceStatus =
    InstanceStatus::new(PowerState::Shutdown).soft_deleted();

/// What a flavor claims.
pub(crate) fn claim(flavor: &Flavor) -> ResourceAmounts {
    ResourceAmounts::of_flavor(flavor)
}
