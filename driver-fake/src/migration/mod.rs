//! Cold and live migration between fake hosts.
//!
//! Each step is one call on one driver, as the caller drives the protocol; the
//! instance and its claim move exactly once:
//!
//! - cold: `migrate_disk_and_power_off` (source: off, keeps its claim) →
//!   `finish_migration` (destination: created and claimed; a same-host resize
//!   swaps the claim in place) → `confirm_migration` (source: removed and
//!   released; nothing for a same-host resize) or `finish_revert_migration`
//!   (source: back on, a same-host resize's claim restored).
//! - live: `check_can_live_migrate_destination` (capacity) →
//!   `check_can_live_migrate_source` → `pre_live_migration` (destination:
//!   reservation with its claim) → `live_migration` (source: removed,
//!   released, `MigrationCompleted`, then `post`; or `recover`) →
//!   `post_live_migration_at_destination` (reservation becomes a `Running`
//!   instance, `Started`) or `rollback_live_migration_at_destination`.
//!
//! `cold.rs` holds the cold steps, `live.rs` the live ones; this module the
//! pieces both use.

mod cold;
mod live;

pub use live::LIVE_MIGRATION_WAIT_LIMIT;

use std::sync::Arc;

use driver_api::{
    transition, DriverError, DriverResult, InstanceStatus, LifecycleOperation, LifecycleTransition,
    Outcome,
};
use uuid::Uuid;

use crate::fake_driver::FakeDriver;
use crate::store::NodeLedger;

const GIB: u64 = 1024 * 1024 * 1024;

fn exists(uuid: Uuid) -> DriverError {
    DriverError::InstanceExists {
        instance: uuid.into(),
    }
}

impl FakeDriver {
    /// The ledger an arriving instance lands on: its node if managed here,
    /// else this driver's first node.
    fn arrival_ledger(&self, preferred: &[Option<&str>]) -> DriverResult<Arc<NodeLedger>> {
        let nodes = self.nodes.read();
        for name in preferred.iter().flatten() {
            if let Some(ledger) = nodes.managed_ledger(name) {
                return Ok(ledger.clone());
            }
        }
        nodes.resolve(None)
    }
}

/// Checks a power-on (when `power_on`): the new status and event, or
/// `InvalidState` (soft-deleted, rescued).
fn power_on_step(
    uuid: Uuid,
    status: InstanceStatus,
    power_on: bool,
) -> DriverResult<Option<(InstanceStatus, Option<LifecycleTransition>)>> {
    if !power_on {
        return Ok(None);
    }
    let op = LifecycleOperation::PowerOn;
    let step = transition(status, op)
        .map_err(|refused| DriverError::invalid_state(uuid, op, refused.from))?;
    match step.outcome {
        Outcome::Becomes(to) => Ok(Some((to, step.event))),
        Outcome::Removed => Err(DriverError::invalid_state(uuid, op, status)),
    }
}
