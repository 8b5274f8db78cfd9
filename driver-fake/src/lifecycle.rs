//! The transition table applied to one instance: a row changes the record's
//! status and console and pushes the row's event; `destroy` removes it.

use driver_api::{
    transition, DriverError, DriverResult, Instance, InstanceStatus, LifecycleOperation,
    LifecycleTransition, Outcome, PowerState, TaskState,
};
use uuid::Uuid;

use crate::fake_driver::FakeDriver;
use crate::store::{ConsoleEntry, InstanceRecord};

/// The event a removal emits: the table's `destroy` row (`Stopped` unless the
/// instance was shut down).
pub(crate) fn destroy_event(status: InstanceStatus) -> Option<LifecycleTransition> {
    transition(status, LifecycleOperation::Destroy)
        .ok()
        .and_then(|step| step.event)
}

impl FakeDriver {
    /// Applies one row of the transition table to an instance (not `Destroy`,
    /// see [`destroy_now`](Self::destroy_now)), emitting its event after the
    /// change.
    #[inline]
    pub(crate) fn apply(&self, uuid: Uuid, operation: LifecycleOperation) -> DriverResult<()> {
        self.apply_when(uuid, operation, |_| true)
    }

    /// [`apply`](Self::apply), only when the instance's status satisfies
    /// `when` (checked under the same lock); otherwise `Ok` with nothing
    /// changed.
    #[inline]
    pub(crate) fn apply_when(
        &self,
        uuid: Uuid,
        operation: LifecycleOperation,
        when: impl FnOnce(InstanceStatus) -> bool,
    ) -> DriverResult<()> {
        self.store.update(uuid, |record| {
            let from = record.status;
            if !when(from) {
                return Ok(((), None));
            }
            let step = transition(from, operation)
                .map_err(|refused| DriverError::invalid_state(uuid, operation, refused.from))?;
            let Outcome::Becomes(to) = step.outcome else {
                // Only `destroy` removes; callers route it to `destroy_now`.
                return Err(DriverError::invalid_state(uuid, operation, from));
            };
            let reboot = matches!(
                operation,
                LifecycleOperation::RebootSoft | LifecycleOperation::RebootHard
            );
            if step.is_noop(from) && !reboot {
                return Ok(((), None));
            }
            record.status = to;
            let entry = match operation {
                _ if reboot => Some(ConsoleEntry::Rebooted),
                LifecycleOperation::Crash => Some(ConsoleEntry::Crashed),
                LifecycleOperation::Unrescue => Some(ConsoleEntry::Unrescued),
                _ => step.event.and_then(ConsoleEntry::of_event),
            };
            if let Some(entry) = entry {
                record.console.push(entry);
            }
            Ok(((), step.event))
        })
    }

    /// `destroy`: removes the instance, its name and its claim, emitting the
    /// table's `destroy` event. `Ok` for an instance not here.
    #[inline]
    pub(crate) fn destroy_now(&self, uuid: Uuid) -> DriverResult<()> {
        self.store
            .remove(uuid, |record, _| Ok(destroy_event(record.status)))
            .map(drop)
    }

    /// `resume_state_on_host_boot`: powers on an instance the host's reboot
    /// left shut down or crashed (not a soft-deleted one); nothing otherwise.
    pub(crate) fn resume_on_boot_now(&self, uuid: Uuid) -> DriverResult<()> {
        self.apply_when(uuid, LifecycleOperation::PowerOn, |status| {
            !status.soft_deleted
                && matches!(status.state, PowerState::Shutdown | PowerState::Crashed)
        })
    }

    /// `poll_rebooting_instances`: hard-reboots each instance still marked
    /// rebooting.
    pub(crate) fn poll_rebooting_now(&self, instances: &[Instance]) -> DriverResult<()> {
        for instance in instances {
            if matches!(
                instance.task_state,
                Some(TaskState::Rebooting | TaskState::RebootingHard)
            ) {
                // Not here, or refused by the table: nothing to unstick.
                let _ = self.apply(instance.uuid, LifecycleOperation::RebootHard);
            }
        }
        Ok(())
    }

    /// Removes an instance in one step if `check` allows it, emitting `event`
    /// (or, with `None`, the table's `destroy` event). Whether it was here.
    pub(crate) fn remove_checked(
        &self,
        uuid: Uuid,
        event: Option<LifecycleTransition>,
        check: impl FnOnce(&InstanceRecord) -> DriverResult<()>,
    ) -> DriverResult<bool> {
        self.store.remove(uuid, |record, _| {
            check(record)?;
            Ok(event.or_else(|| destroy_event(record.status)))
        })
    }
}
