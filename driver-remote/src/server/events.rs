//! One backend's lifecycle events, numbered, kept for late watchers and
//! broadcast to live ones.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use driver_api::{EventListener, LifecycleEvent};
use tokio::sync::broadcast;

/// How many events each backend keeps for a watcher that asks for older ones.
pub const KEPT_EVENTS: usize = 8192;

/// A numbered event.
pub type Numbered = (u64, LifecycleEvent);

#[derive(Debug, Default)]
struct Kept {
    last_seq: u64,
    events: VecDeque<Numbered>,
}

/// The event log of one backend: the listener the server registers on it.
#[derive(Debug)]
pub struct EventLog {
    kept: Mutex<Kept>,
    live: broadcast::Sender<Numbered>,
}

impl Default for EventLog {
    fn default() -> Self {
        Self {
            kept: Mutex::default(),
            live: broadcast::channel(KEPT_EVENTS).0,
        }
    }
}

impl EventLog {
    /// A listener that records every event into `log`.
    pub fn listener(log: &Arc<Self>) -> EventListener {
        let log = Arc::clone(log);
        Arc::new(move |event| log.record(event))
    }

    /// Numbers `event`, keeps it and sends it to the live watchers.
    pub fn record(&self, event: LifecycleEvent) {
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        kept.last_seq += 1;
        let numbered = (kept.last_seq, event);
        if kept.events.len() == KEPT_EVENTS {
            kept.events.pop_front();
        }
        kept.events.push_back(numbered);
        // No live watcher is not an error.
        let _ = self.live.send(numbered);
    }

    /// The sequence number of the last event recorded (0: none yet).
    pub fn last_seq(&self) -> u64 {
        self.kept
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .last_seq
    }

    /// The kept events after `after_seq`, and a receiver of every later one
    /// (taken under the same lock: nothing falls between the two).
    pub fn watch(&self, after_seq: u64) -> (Vec<Numbered>, broadcast::Receiver<Numbered>) {
        let kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        let backlog = kept
            .events
            .iter()
            .filter(|(seq, _)| *seq > after_seq)
            .copied()
            .collect();
        (backlog, self.live.subscribe())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driver_api::uuid::Uuid;
    use driver_api::LifecycleTransition;

    fn event(transition: LifecycleTransition) -> LifecycleEvent {
        LifecycleEvent::new(Uuid::nil(), transition)
    }

    #[test]
    fn a_watcher_gets_the_kept_events_after_its_seq_then_the_live_ones() {
        let log = EventLog::default();
        log.record(event(LifecycleTransition::Started));
        log.record(event(LifecycleTransition::Paused));
        let (backlog, mut live) = log.watch(1);
        assert_eq!(
            backlog
                .iter()
                .map(|(s, e)| (*s, e.transition))
                .collect::<Vec<_>>(),
            vec![(2, LifecycleTransition::Paused)]
        );
        log.record(event(LifecycleTransition::Resumed));
        let next = live.try_recv().map(|(s, e)| (s, e.transition));
        assert_eq!(next, Ok((3, LifecycleTransition::Resumed)));
        assert_eq!(log.last_seq(), 3);
    }

    #[test]
    fn only_the_last_events_are_kept() {
        let log = EventLog::default();
        for _ in 0..KEPT_EVENTS + 5 {
            log.record(event(LifecycleTransition::Started));
        }
        let (backlog, _) = log.watch(0);
        assert_eq!(backlog.len(), KEPT_EVENTS);
        assert_eq!(backlog.first().map(|(s, _)| *s), Some(6));
    }
}
