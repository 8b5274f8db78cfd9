//! Lifecycle events for changes the driver did not make: a guest stopped with
//! `virsh destroy`, a QEMU process killed, a guest that powered itself off or
//! was paused behind the driver's back.
//!
//! The driver subscribes to libvirt's domain lifecycle events on its
//! connection (QEMU under libvirtd; `test:///` lives in this process and only
//! this driver changes it). An event names a domain; a worker thread of the
//! driver (never libvirt's event-loop thread) takes the instance's lock, so it
//! waits for any call of the driver's own in progress, reads the domain's
//! state from libvirt, and compares it with the state the driver last
//! *announced* to its listener. Only a difference is emitted, so a change the
//! driver made itself (already announced when its call returned) is never
//! emitted twice, and a burst of libvirt events for one change gives one event.
//! After a reconnect, the rescan compares every domain the same way, so a guest
//! that died while the daemon was down is announced too.

use std::collections::HashMap;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock, Weak};

use driver_api::{LifecycleEvent, LifecycleTransition, PowerState};
use uuid::Uuid;
use virt::domain::Domain;

use crate::ffi::{self, LifecycleSubscription};
use crate::hypervisor::{Hypervisor, HypervisorKind};
use crate::locks;

/// The state classes a listener is told about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Announced {
    /// Running (or rescued).
    Running,
    /// Paused.
    Paused,
    /// Suspended.
    Suspended,
    /// Shut down or crashed (both announced as `Stopped`).
    Stopped,
}

impl Announced {
    /// The class of a power state.
    pub fn of(state: PowerState) -> Self {
        match state {
            PowerState::Running => Self::Running,
            PowerState::Paused => Self::Paused,
            PowerState::Suspended => Self::Suspended,
            _ => Self::Stopped,
        }
    }

    /// The class an emitted transition announces, if it announces one.
    pub fn after(transition: LifecycleTransition) -> Option<Self> {
        match transition {
            LifecycleTransition::Started | LifecycleTransition::Resumed => Some(Self::Running),
            LifecycleTransition::Paused => Some(Self::Paused),
            LifecycleTransition::Suspended => Some(Self::Suspended),
            LifecycleTransition::Stopped => Some(Self::Stopped),
            _ => None,
        }
    }

    /// The event that announces a move from `self` to `to`, if any.
    pub fn transition_to(self, to: Self) -> Option<LifecycleTransition> {
        if self == to {
            return None;
        }
        Some(match to {
            Self::Running if self == Self::Stopped => LifecycleTransition::Started,
            Self::Running => LifecycleTransition::Resumed,
            Self::Paused => LifecycleTransition::Paused,
            Self::Suspended => LifecycleTransition::Suspended,
            Self::Stopped => LifecycleTransition::Stopped,
        })
    }
}

/// What the driver last announced per instance, and its subscription.
#[derive(Debug, Default)]
pub struct Watch {
    announced: Mutex<HashMap<Uuid, Announced>>,
    subscription: Mutex<Option<LifecycleSubscription>>,
}

impl Watch {
    fn announced(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, Announced>> {
        locks::lock(&self.announced)
    }

    /// Replaces the subscription; the old one is deregistered after the lock
    /// is released.
    fn set_subscription(&self, subscription: Option<LifecycleSubscription>) {
        let old = std::mem::replace(&mut *locks::lock(&self.subscription), subscription);
        drop(old);
    }
}

/// libvirt's event loop: one per process (libvirt allows one event
/// implementation per process), started by the first driver that subscribes
/// and shared by every connection after it. It holds no driver state: each
/// driver's callbacks carry their own.
pub fn ensure_event_loop() -> Result<(), String> {
    static EVENT_LOOP: OnceLock<Result<(), String>> = OnceLock::new();
    EVENT_LOOP
        .get_or_init(|| {
            virt::event::event_register_default_impl().map_err(|e| e.to_string())?;
            std::thread::Builder::new()
                .name("libvirt-events".to_owned())
                .spawn(|| loop {
                    if virt::event::event_run_default_impl().is_err() {
                        std::thread::sleep(std::time::Duration::from_millis(100));
                    }
                })
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
        .clone()
}

impl Hypervisor {
    /// Whether this driver listens to libvirt's domain events.
    pub fn watches_events(&self) -> bool {
        self.kind != HypervisorKind::Test
    }

    /// Subscribes to the current connection's domain lifecycle events,
    /// handled by a worker thread holding only a weak reference to the driver
    /// (it ends when the subscription and the driver are gone). Called at
    /// connect and again after each reconnect.
    pub fn subscribe(self: &Arc<Self>) {
        if !self.watches_events() {
            return;
        }
        if let Err(e) = ensure_event_loop() {
            tracing::warn!(error = %e, "driver-libvirt: no libvirt event loop: external changes are seen only when polled");
            return;
        }
        let (tx, rx) = mpsc::channel::<String>();
        let sink: ffi::DomainSink = Box::new(move |name: &str| {
            // The worker is gone only when the driver is: nothing to tell.
            let _ = tx.send(name.to_owned());
        });
        match ffi::subscribe_lifecycle(self.conn(), sink) {
            Ok(subscription) => {
                self.watch.set_subscription(Some(subscription));
                let weak: Weak<Self> = Arc::downgrade(self);
                let spawned = std::thread::Builder::new()
                    .name("driver-libvirt-events".to_owned())
                    .spawn(move || {
                        while let Ok(name) = rx.recv() {
                            let Some(hv) = weak.upgrade() else { break };
                            hv.on_domain_event(&name);
                        }
                    });
                if let Err(e) = spawned {
                    tracing::warn!(error = %e, "driver-libvirt: no event worker thread");
                    self.watch.set_subscription(None);
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "driver-libvirt: could not subscribe to domain events");
            }
        }
    }

    /// Drops the subscription (the worker thread then ends).
    pub fn unsubscribe(&self) {
        self.watch.set_subscription(None);
    }

    /// One libvirt lifecycle event for the domain `name`.
    fn on_domain_event(&self, name: &str) {
        let Some(uuid) = self.uuid_of_name(name) else {
            return;
        };
        let _guard = self.lock_instance(uuid);
        let Some((dom, _)) = self.index().domain_and_flags(uuid) else {
            self.watch.announced().remove(&uuid);
            return;
        };
        if let Ok(state) = self.power_state(&dom) {
            self.announce(uuid, Announced::of(state));
        }
    }

    /// Records `now` as `uuid`'s state and emits the event for the move from
    /// what was announced before, if there was a move.
    fn announce(&self, uuid: Uuid, now: Announced) {
        let before = self.watch.announced().insert(uuid, now);
        if let Some(transition) = before.and_then(|before| before.transition_to(now)) {
            self.events.emit(LifecycleEvent::new(uuid, transition));
        }
    }

    /// Notes what an emitted event announced.
    pub fn note_announced(&self, uuid: Uuid, transition: LifecycleTransition) {
        if self.watches_events() {
            if let Some(class) = Announced::after(transition) {
                self.watch.announced().insert(uuid, class);
            }
        }
    }

    /// A new instance in the index: its current state is the baseline.
    pub fn note_new_instance(&self, uuid: Uuid, dom: &Domain) {
        if self.watches_events() {
            if let Ok(state) = self.power_state(dom) {
                self.watch.announced().insert(uuid, Announced::of(state));
            }
        }
    }

    /// After a rescan: each domain's state against what was announced (a
    /// change while the connection was down is announced now).
    pub fn reconcile(&self, uuid: Uuid, dom: &Domain) {
        if self.watches_events() {
            if let Ok(state) = self.power_state(dom) {
                self.announce(uuid, Announced::of(state));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_between_classes_announce_the_table_events() {
        use Announced::*;
        use LifecycleTransition as T;
        assert_eq!(Running.transition_to(Running), None);
        assert_eq!(Stopped.transition_to(Running), Some(T::Started));
        assert_eq!(Paused.transition_to(Running), Some(T::Resumed));
        assert_eq!(Suspended.transition_to(Running), Some(T::Resumed));
        assert_eq!(Running.transition_to(Paused), Some(T::Paused));
        assert_eq!(Running.transition_to(Suspended), Some(T::Suspended));
        assert_eq!(Paused.transition_to(Stopped), Some(T::Stopped));
        assert_eq!(Announced::of(PowerState::Crashed), Stopped);
        assert_eq!(Announced::of(PowerState::Shutdown), Stopped);
        for t in [T::Started, T::Stopped, T::Paused, T::Resumed, T::Suspended] {
            let after = Announced::after(t).unwrap();
            // The event a driver emits for a change is the one a watcher
            // would emit for the same move (Started/Resumed depend on `from`).
            let from = if t == T::Started {
                Stopped
            } else if t == T::Resumed {
                Paused
            } else {
                Running
            };
            assert_eq!(from.transition_to(after), Some(t));
        }
        assert_eq!(Announced::after(T::MigrationCompleted), None);
    }
}
