//! Instance events: the waits `wait_for_instance_event` registers and the
//! deliveries that satisfy them.
//!
//! A mutex guards the waits; a `watch` channel carries a change counter that
//! wakes every waiter after each delivery or registration, so no wake-up is lost
//! between checking and sleeping. Timeouts use `tokio::time`, so tests under
//! `tokio::time::pause()` finish at once.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::watch;
use uuid::Uuid;
use virtapi::{EventStatus, InstanceEvent, InstanceEventName, VirtApiError, VirtApiResult};

/// How many deliveries [`FakeVirtAPI::delivered_instance_events`](super::FakeVirtAPI::delivered_instance_events)
/// remembers (the oldest are forgotten first).
pub const DELIVERY_LOG_LIMIT: usize = 1024;

/// One registered wait.
#[derive(Debug)]
struct PendingWait {
    instance: Uuid,
    /// Every awaited name, in the order asked for, with its completed event once it came.
    slots: Vec<(InstanceEventName, Option<InstanceEvent>)>,
    /// The first awaited event that arrived with a status other than completed.
    failed: Option<InstanceEvent>,
}

impl PendingWait {
    fn missing(&self) -> Vec<InstanceEventName> {
        self.slots
            .iter()
            .filter(|(_, arrived)| arrived.is_none())
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// Takes `event` if this wait awaits it and has not had it yet.
    fn offer(&mut self, event: &InstanceEvent) -> bool {
        let name = event.event_name();
        let Some((_, slot)) = self
            .slots
            .iter_mut()
            .find(|(wanted, arrived)| *wanted == name && arrived.is_none())
        else {
            return false;
        };
        if event.status == EventStatus::Completed {
            *slot = Some(event.clone());
        } else if self.failed.is_none() {
            self.failed = Some(event.clone());
        }
        true
    }

    /// The wait's result once it is decided.
    fn outcome(&self) -> Option<VirtApiResult<Vec<InstanceEvent>>> {
        if let Some(failed) = &self.failed {
            return Some(Err(VirtApiError::EventFailed {
                instance_uuid: self.instance,
                event: failed.event_name(),
                status: failed.status,
            }));
        }
        self.slots
            .iter()
            .map(|(_, arrived)| arrived.clone())
            .collect::<Option<Vec<_>>>()
            .map(Ok)
    }
}

#[derive(Debug, Default)]
struct BoardState {
    waits: BTreeMap<u64, PendingWait>,
    next_wait: u64,
    delivered: VecDeque<(Uuid, InstanceEvent)>,
    auto_complete: bool,
}

/// The waits and deliveries of one `FakeVirtAPI`.
#[derive(Debug)]
pub(super) struct EventBoard {
    state: Mutex<BoardState>,
    changes: watch::Sender<u64>,
}

/// Removes its wait when dropped: on success, on timeout, and when the waiting
/// future is dropped mid-wait.
struct Registration<'a> {
    board: &'a EventBoard,
    id: u64,
}

impl Drop for Registration<'_> {
    fn drop(&mut self) {
        self.board.lock().waits.remove(&self.id);
    }
}

impl EventBoard {
    pub(super) fn new() -> Self {
        Self {
            state: Mutex::new(BoardState::default()),
            changes: watch::Sender::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, BoardState> {
        // Nothing panics while holding the lock; recover the data if a caller's did.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn announce(&self) {
        self.changes
            .send_modify(|count| *count = count.wrapping_add(1));
    }

    pub(super) fn set_auto_complete(&self, on: bool) {
        self.lock().auto_complete = on;
    }

    /// `VirtAPI::wait_for_instance_event`'s contract.
    pub(super) async fn wait(
        &self,
        instance: Uuid,
        event_names: Vec<InstanceEventName>,
        timeout: Duration,
    ) -> VirtApiResult<Vec<InstanceEvent>> {
        let mut names: Vec<InstanceEventName> = Vec::with_capacity(event_names.len());
        for name in event_names {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let mut changes = self.changes.subscribe();
        let registration = {
            let mut state = self.lock();
            if state.auto_complete {
                return Ok(names.into_iter().map(InstanceEvent::completed).collect());
            }
            let id = state.next_wait;
            state.next_wait = state.next_wait.wrapping_add(1);
            let slots = names.into_iter().map(|name| (name, None)).collect();
            state.waits.insert(
                id,
                PendingWait {
                    instance,
                    slots,
                    failed: None,
                },
            );
            Registration { board: self, id }
        };
        self.announce();
        let decided = tokio::time::timeout(timeout, async {
            loop {
                if let Some(outcome) = self.outcome_of(registration.id) {
                    return outcome;
                }
                if changes.changed().await.is_err() {
                    return Err(VirtApiError::Backend {
                        operation: "wait_for_instance_event",
                        message: "event board closed".to_owned(),
                        source: None,
                    });
                }
            }
        })
        .await;
        match decided {
            Ok(outcome) => outcome,
            // The last event may have landed as the clock ran out: it counts.
            Err(_elapsed) => self.outcome_of(registration.id).unwrap_or_else(|| {
                Err(VirtApiError::Timeout {
                    instance_uuid: instance,
                    missing: self.missing_of(registration.id),
                    timeout,
                })
            }),
        }
    }

    fn outcome_of(&self, id: u64) -> Option<VirtApiResult<Vec<InstanceEvent>>> {
        self.lock().waits.get(&id).and_then(PendingWait::outcome)
    }

    fn missing_of(&self, id: u64) -> Vec<InstanceEventName> {
        self.lock()
            .waits
            .get(&id)
            .map(PendingWait::missing)
            .unwrap_or_default()
    }

    /// Offers `event` to every wait for `instance`; returns how many took it.
    pub(super) fn deliver(&self, instance: Uuid, event: InstanceEvent) -> usize {
        let taken = {
            let mut state = self.lock();
            let taken = state
                .waits
                .values_mut()
                .filter(|wait| wait.instance == instance)
                .map(|wait| wait.offer(&event))
                .filter(|took| *took)
                .count();
            if state.delivered.len() >= DELIVERY_LOG_LIMIT {
                state.delivered.pop_front();
            }
            state.delivered.push_back((instance, event));
            taken
        };
        self.announce();
        taken
    }

    pub(super) fn delivered(&self) -> Vec<(Uuid, InstanceEvent)> {
        self.lock().delivered.iter().cloned().collect()
    }

    /// Every name some wait for `instance` still awaits (each once, sorted).
    pub(super) fn waiting_for(&self, instance: Uuid) -> Vec<InstanceEventName> {
        let mut names: Vec<InstanceEventName> = self
            .lock()
            .waits
            .values()
            .filter(|wait| wait.instance == instance && wait.failed.is_none())
            .flat_map(PendingWait::missing)
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// Resolves once some wait for `instance` awaits `name`.
    pub(super) async fn until_waiting_for(&self, instance: Uuid, name: &InstanceEventName) {
        let mut changes = self.changes.subscribe();
        while !self.waiting_for(instance).contains(name) {
            if changes.changed().await.is_err() {
                return;
            }
        }
    }
}
