//! Lifecycle events and the one-listener slot every driver keeps.

use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A lifecycle transition, with Nova's codes (`nova/virt/event.py`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum LifecycleTransition {
    /// The instance started running (0).
    Started = 0,
    /// The instance stopped (1).
    Stopped = 1,
    /// The instance was paused (2).
    Paused = 2,
    /// The instance resumed running after pause or suspend (3).
    Resumed = 3,
    /// The instance was suspended (4).
    Suspended = 4,
    /// A live migration switched to post-copy (5).
    PostcopyStarted = 5,
    /// A live migration completed on the source (6).
    MigrationCompleted = 6,
}

impl LifecycleTransition {
    /// Every transition, in code order.
    pub const ALL: [Self; 7] = [
        Self::Started,
        Self::Stopped,
        Self::Paused,
        Self::Resumed,
        Self::Suspended,
        Self::PostcopyStarted,
        Self::MigrationCompleted,
    ];

    /// Nova's integer code.
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// Nova's display name (`Started`, `Postcopy started`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Started => "Started",
            Self::Stopped => "Stopped",
            Self::Paused => "Paused",
            Self::Resumed => "Resumed",
            Self::Suspended => "Suspended",
            Self::PostcopyStarted => "Postcopy started",
            Self::MigrationCompleted => "Migration completed",
        }
    }
}

impl fmt::Display for LifecycleTransition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One lifecycle event of one instance (Nova's `LifecycleEvent`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifecycleEvent {
    /// The instance.
    pub instance_uuid: Uuid,
    /// What happened.
    pub transition: LifecycleTransition,
    /// When.
    pub timestamp: SystemTime,
}

impl LifecycleEvent {
    /// An event stamped now.
    pub fn new(instance_uuid: Uuid, transition: LifecycleTransition) -> Self {
        Self {
            instance_uuid,
            transition,
            timestamp: SystemTime::now(),
        }
    }
}

impl fmt::Display for LifecycleEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "<LifecycleEvent: {} => {}>",
            self.instance_uuid, self.transition
        )
    }
}

/// The callback a compute service registers for lifecycle events.
pub type EventListener = Arc<dyn Fn(LifecycleEvent) + Send + Sync>;

/// The one-listener slot of Nova's `ComputeDriver`, for backends to embed.
///
/// Registering replaces the previous listener; emitting with no listener drops
/// the event; a listener that panics is contained (the panic is caught and the
/// driver goes on). Events are delivered synchronously, in the order
/// [`EventSlot::emit`] is called.
///
/// A panic is contained only when the build unwinds (`panic = "unwind"`, the default).
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use driver_api::{EventSlot, LifecycleEvent, LifecycleTransition};
///
/// let slot = EventSlot::default();
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let sink = seen.clone();
/// slot.register(Some(Arc::new(move |e: LifecycleEvent| sink.lock().unwrap().push(e.transition))));
/// slot.emit(LifecycleEvent::new(uuid::Uuid::nil(), LifecycleTransition::Started));
/// assert_eq!(*seen.lock().unwrap(), vec![LifecycleTransition::Started]);
/// ```
#[derive(Default)]
pub struct EventSlot {
    listener: RwLock<Option<EventListener>>,
}

impl EventSlot {
    /// Registers `listener`, replacing any previous one; `None` unregisters.
    pub fn register(&self, listener: Option<EventListener>) {
        match self.listener.write() {
            Ok(mut slot) => *slot = listener,
            Err(poisoned) => *poisoned.into_inner() = listener,
        }
    }

    /// Whether a listener is registered.
    pub fn has_listener(&self) -> bool {
        self.current().is_some()
    }

    /// Delivers `event` to the listener, if any. Returns whether the listener ran
    /// to completion (`false` if there was none or it panicked).
    pub fn emit(&self, event: LifecycleEvent) -> bool {
        let Some(listener) = self.current() else {
            return false;
        };
        catch_unwind(AssertUnwindSafe(|| listener(event))).is_ok()
    }

    fn current(&self) -> Option<EventListener> {
        match self.listener.read() {
            Ok(slot) => slot.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

impl fmt::Debug for EventSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventSlot")
            .field("has_listener", &self.has_listener())
            .finish()
    }
}
