//! External instance events: what `wait_for_instance_event` waits for.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The name of an external instance event (Nova's `InstanceExternalEvent`
/// names), serialised as Nova spells them (`network-vif-plugged`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum EventName {
    /// The instance's network information changed.
    NetworkChanged,
    /// A VIF was plugged (tag: the VIF id); what a spawn waits for.
    NetworkVifPlugged,
    /// A VIF was unplugged (tag: the VIF id).
    NetworkVifUnplugged,
    /// A VIF was deleted (tag: the VIF id).
    NetworkVifDeleted,
    /// A volume was extended (tag: the volume id).
    VolumeExtended,
    /// The power state changed outside Nova (tag: the new state).
    PowerUpdate,
    /// An accelerator request was bound (tag: the request id).
    AcceleratorRequestBound,
    /// A volume was re-imaged (tag: the volume id).
    VolumeReimaged,
}

impl EventName {
    /// Nova's spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NetworkChanged => "network-changed",
            Self::NetworkVifPlugged => "network-vif-plugged",
            Self::NetworkVifUnplugged => "network-vif-unplugged",
            Self::NetworkVifDeleted => "network-vif-deleted",
            Self::VolumeExtended => "volume-extended",
            Self::PowerUpdate => "power-update",
            Self::AcceleratorRequestBound => "accelerator-request-bound",
            Self::VolumeReimaged => "volume-reimaged",
        }
    }
}

impl fmt::Display for EventName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An event a caller waits for: a name and an optional tag (Nova's
/// `(name, tag)` pair, displayed `name-tag`).
///
/// ```
/// use uuid::Uuid;
/// use virtapi::{EventName, InstanceEventName};
///
/// let vif = Uuid::nil();
/// let plugged = InstanceEventName::network_vif_plugged(vif);
/// assert_eq!(plugged.to_string(), format!("network-vif-plugged-{vif}"));
/// assert_eq!(InstanceEventName::new(EventName::NetworkChanged).to_string(), "network-changed");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct InstanceEventName {
    /// The event's name.
    pub name: EventName,
    /// The tag telling events of one name apart (usually a VIF or volume id).
    pub tag: Option<String>,
}

impl InstanceEventName {
    /// An untagged event name.
    pub fn new(name: EventName) -> Self {
        Self { name, tag: None }
    }

    /// A tagged event name.
    pub fn tagged(name: EventName, tag: impl Into<String>) -> Self {
        Self {
            name,
            tag: Some(tag.into()),
        }
    }

    /// `network-vif-plugged` for one VIF: what a spawn waits for per interface.
    pub fn network_vif_plugged(vif: Uuid) -> Self {
        Self::tagged(EventName::NetworkVifPlugged, vif.to_string())
    }
}

impl fmt::Display for InstanceEventName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.tag {
            Some(tag) => write!(f, "{}-{tag}", self.name),
            None => write!(f, "{}", self.name),
        }
    }
}

/// How the action behind an event ended (Nova's event `status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum EventStatus {
    /// It succeeded: the only status that satisfies a wait.
    Completed,
    /// It failed.
    Failed,
    /// It is still under way.
    InProgress,
}

impl fmt::Display for EventStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::InProgress => "in-progress",
        })
    }
}

/// An external event about one instance, as delivered to the compute service.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InstanceEvent {
    /// The event's name.
    pub name: EventName,
    /// The event's tag.
    pub tag: Option<String>,
    /// How the action ended.
    pub status: EventStatus,
}

impl InstanceEvent {
    /// An event with the given name and status.
    pub fn new(event: InstanceEventName, status: EventStatus) -> Self {
        Self {
            name: event.name,
            tag: event.tag,
            status,
        }
    }

    /// A completed event.
    pub fn completed(event: InstanceEventName) -> Self {
        Self::new(event, EventStatus::Completed)
    }

    /// A failed event.
    pub fn failed(event: InstanceEventName) -> Self {
        Self::new(event, EventStatus::Failed)
    }

    /// The `(name, tag)` this event answers.
    pub fn event_name(&self) -> InstanceEventName {
        InstanceEventName {
            name: self.name,
            tag: self.tag.clone(),
        }
    }
}
