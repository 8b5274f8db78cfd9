//! Power states, instance flags and the lifecycle transition table.
//!
//! [`transition`] is the one source of truth for what every lifecycle operation
//! does: the fake drives its instances with it, the conformance suite uses it as
//! its oracle, and [`render_table`] prints it for the documentation.
//!
//! # The table
//!
//! "no-op" is `Ok` with nothing changed and no event. The event column is the
//! lifecycle event emitted when the operation changes the power state.
//!
//! | operation | Running | Paused | Suspended | Shutdown | Crashed | event on change |
//! |---|---|---|---|---|---|---|
//! | pause | Paused | no-op | InvalidState | InvalidState | InvalidState | Paused |
//! | unpause | no-op | Running | InvalidState | InvalidState | InvalidState | Resumed |
//! | suspend | Suspended | Suspended | no-op | InvalidState | InvalidState | Suspended |
//! | resume | no-op | InvalidState | Running | InvalidState | InvalidState | Resumed |
//! | power_off | Shutdown | Shutdown | Shutdown | no-op | Shutdown | Stopped |
//! | power_on | no-op | Running | Running | Running | Running | Started |
//! | reboot (soft) | Running | InvalidState | InvalidState | InvalidState | InvalidState | none |
//! | reboot (hard) | Running | Running | Running | Running | Running | Started if it was not running |
//! | rescue | Running, rescued | InvalidState | InvalidState | Running, rescued | Running, rescued | Started if it was not running |
//! | unrescue | rescued: Running, not rescued; otherwise no-op | | | | | none |
//! | soft_delete | Shutdown, soft-deleted (any state; again: no-op) | | | | | Stopped if it was not shut down |
//! | restore | soft-deleted: Running; otherwise no-op | | | | | Started |
//! | destroy | removed (any state) | | | | | Stopped if it was not shut down |
//! | crash (test hook) | Crashed | Crashed | InvalidState | InvalidState | no-op | Stopped |
//!
//! Two rules on the flags, stricter than Nova (whose fake ignores both flags):
//!
//! - A **rescued** instance accepts only `unrescue`, `soft_delete` and `destroy`
//!   (Nova's API allows little else in vm state `rescued`); `rescue` again is
//!   `InvalidState`.
//! - A **soft-deleted** instance accepts only `restore`, `soft_delete` (a no-op)
//!   and `destroy`; everything else is `InvalidState`, so it cannot be brought
//!   back by a side door such as `power_on`.
//!
//! `spawn` is not in the table: it creates a `Running` instance (`Shutdown` when
//! asked not to power on), emitting `Started` when running.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::events::LifecycleTransition;
use crate::method::DriverMethod;

/// The power state of an instance, with Nova's (and libvirt's) codes.
///
/// Serialised as Nova's names: `pending`, `running`, `paused`, `shutdown`,
/// `crashed`, `suspended`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum PowerState {
    /// No state known (code 0, name `pending`); Nova's view of a vanished instance.
    #[serde(rename = "pending")]
    NoState = 0,
    /// Running (1).
    Running = 1,
    /// Paused: no CPU use, memory kept (3).
    Paused = 3,
    /// Powered off (4).
    Shutdown = 4,
    /// Crashed (6).
    Crashed = 6,
    /// Suspended: no CPU or memory use, state saved to disk (7).
    Suspended = 7,
}

impl PowerState {
    /// Every state, in code order.
    pub const ALL: [Self; 6] = [
        Self::NoState,
        Self::Running,
        Self::Paused,
        Self::Shutdown,
        Self::Crashed,
        Self::Suspended,
    ];

    /// The states an existing instance can be in (all but `NoState`), as the
    /// table's columns are ordered.
    pub const LIVE: [Self; 5] = [
        Self::Running,
        Self::Paused,
        Self::Suspended,
        Self::Shutdown,
        Self::Crashed,
    ];

    /// Nova's integer code.
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// The state for one of Nova's codes.
    pub const fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0 => Self::NoState,
            1 => Self::Running,
            3 => Self::Paused,
            4 => Self::Shutdown,
            6 => Self::Crashed,
            7 => Self::Suspended,
            _ => return None,
        })
    }

    /// Nova's name (`power_state.STATE_MAP`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::NoState => "pending",
            Self::Running => "running",
            Self::Paused => "paused",
            Self::Shutdown => "shutdown",
            Self::Crashed => "crashed",
            Self::Suspended => "suspended",
        }
    }
}

impl fmt::Display for PowerState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Power state plus the two flags a hypervisor keeps about an instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceStatus {
    /// The power state.
    pub state: PowerState,
    /// Booted from a rescue image.
    pub rescued: bool,
    /// Soft-deleted: kept, shut down, waiting for restore or destroy.
    pub soft_deleted: bool,
}

impl InstanceStatus {
    /// A status in `state` with both flags clear.
    pub const fn new(state: PowerState) -> Self {
        Self {
            state,
            rescued: false,
            soft_deleted: false,
        }
    }

    /// The same status, rescued.
    pub const fn rescued(mut self) -> Self {
        self.rescued = true;
        self
    }

    /// The same status, soft-deleted.
    pub const fn soft_deleted(mut self) -> Self {
        self.soft_deleted = true;
        self
    }

    /// Every status the table can produce: each live state with both flags
    /// clear, `Running` rescued, and `Shutdown` soft-deleted.
    pub fn reachable() -> Vec<Self> {
        let mut all: Vec<Self> = PowerState::LIVE.iter().map(|s| Self::new(*s)).collect();
        all.push(Self::new(PowerState::Running).rescued());
        all.push(Self::new(PowerState::Shutdown).soft_deleted());
        all
    }
}

impl fmt::Display for InstanceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.state)?;
        if self.rescued {
            f.write_str(", rescued")?;
        }
        if self.soft_deleted {
            f.write_str(", soft-deleted")?;
        }
        Ok(())
    }
}

/// Soft or hard reboot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum RebootType {
    /// Ask the guest OS to restart (ACPI); only a running guest can.
    Soft,
    /// Reset the virtual machine, from any state.
    Hard,
}

/// An operation of the transition table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LifecycleOperation {
    /// `pause`.
    Pause,
    /// `unpause`.
    Unpause,
    /// `suspend`.
    Suspend,
    /// `resume`.
    Resume,
    /// `power_off`.
    PowerOff,
    /// `power_on`.
    PowerOn,
    /// `reboot` with [`RebootType::Soft`].
    RebootSoft,
    /// `reboot` with [`RebootType::Hard`].
    RebootHard,
    /// `rescue`.
    Rescue,
    /// `unrescue`.
    Unrescue,
    /// `soft_delete`.
    SoftDelete,
    /// `restore`.
    Restore,
    /// `destroy`.
    Destroy,
    /// A crash of the guest (a test hook, not a trait method).
    Crash,
}

impl LifecycleOperation {
    /// Every operation, in table order.
    pub const ALL: [Self; 14] = [
        Self::Pause,
        Self::Unpause,
        Self::Suspend,
        Self::Resume,
        Self::PowerOff,
        Self::PowerOn,
        Self::RebootSoft,
        Self::RebootHard,
        Self::Rescue,
        Self::Unrescue,
        Self::SoftDelete,
        Self::Restore,
        Self::Destroy,
        Self::Crash,
    ];

    /// The trait method's name (`reboot` for both reboot types, `crash` for the hook).
    pub const fn method_name(self) -> &'static str {
        match self {
            Self::Pause => "pause",
            Self::Unpause => "unpause",
            Self::Suspend => "suspend",
            Self::Resume => "resume",
            Self::PowerOff => "power_off",
            Self::PowerOn => "power_on",
            Self::RebootSoft | Self::RebootHard => "reboot",
            Self::Rescue => "rescue",
            Self::Unrescue => "unrescue",
            Self::SoftDelete => "soft_delete",
            Self::Restore => "restore",
            Self::Destroy => "destroy",
            Self::Crash => "crash",
        }
    }

    /// The contract method of the operation; `None` for [`Self::Crash`], a
    /// test hook.
    pub const fn method(self) -> Option<DriverMethod> {
        Some(match self {
            Self::Pause => DriverMethod::Pause,
            Self::Unpause => DriverMethod::Unpause,
            Self::Suspend => DriverMethod::Suspend,
            Self::Resume => DriverMethod::Resume,
            Self::PowerOff => DriverMethod::PowerOff,
            Self::PowerOn => DriverMethod::PowerOn,
            Self::RebootSoft | Self::RebootHard => DriverMethod::Reboot,
            Self::Rescue => DriverMethod::Rescue,
            Self::Unrescue => DriverMethod::Unrescue,
            Self::SoftDelete => DriverMethod::SoftDelete,
            Self::Restore => DriverMethod::Restore,
            Self::Destroy => DriverMethod::Destroy,
            Self::Crash => return None,
        })
    }

    /// The reboot operation for a reboot type.
    pub const fn reboot(reboot_type: RebootType) -> Self {
        match reboot_type {
            RebootType::Soft => Self::RebootSoft,
            RebootType::Hard => Self::RebootHard,
        }
    }
}

impl fmt::Display for LifecycleOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RebootSoft => f.write_str("reboot (soft)"),
            Self::RebootHard => f.write_str("reboot (hard)"),
            other => f.write_str(other.method_name()),
        }
    }
}

/// What an allowed operation does to an instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Outcome {
    /// The instance stays, now in this status (possibly unchanged).
    Becomes(InstanceStatus),
    /// The instance is removed and its resources released (`destroy`).
    Removed,
}

/// The result of an allowed operation: what becomes of the instance and the
/// event to emit, if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Transition {
    /// What becomes of the instance.
    pub outcome: Outcome,
    /// The lifecycle event to emit, after the change.
    pub event: Option<LifecycleTransition>,
}

impl Transition {
    /// Whether nothing changes and no event is emitted.
    pub fn is_noop(&self, from: InstanceStatus) -> bool {
        self.event.is_none() && self.outcome == Outcome::Becomes(from)
    }
}

/// An operation the table refuses in the instance's current status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IllegalTransition {
    /// The refused operation.
    pub operation: LifecycleOperation,
    /// The instance's status, unchanged.
    pub from: InstanceStatus,
}

impl fmt::Display for IllegalTransition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is not allowed in state {}",
            self.operation, self.from
        )
    }
}

/// The transition table: what `operation` does to an instance in `from`.
///
/// Pure and total: every (status, operation) pair has an answer. An `Err` is
/// the contract's `InvalidState`; the instance must stay exactly as it was.
///
/// ```
/// use driver_api::{transition, InstanceStatus, LifecycleOperation, LifecycleTransition, Outcome, PowerState};
///
/// let running = InstanceStatus::new(PowerState::Running);
/// let paused = transition(running, LifecycleOperation::Pause).unwrap();
/// assert_eq!(paused.outcome, Outcome::Becomes(InstanceStatus::new(PowerState::Paused)));
/// assert_eq!(paused.event, Some(LifecycleTransition::Paused));
///
/// let off = InstanceStatus::new(PowerState::Shutdown);
/// assert!(transition(off, LifecycleOperation::Pause).is_err());
/// ```
pub fn transition(
    from: InstanceStatus,
    operation: LifecycleOperation,
) -> Result<Transition, IllegalTransition> {
    use LifecycleOperation as Op;
    use LifecycleTransition as Ev;
    use PowerState::{Crashed, NoState, Paused, Running, Shutdown, Suspended};

    let illegal = Err(IllegalTransition { operation, from });
    let noop = Ok(Transition {
        outcome: Outcome::Becomes(from),
        event: None,
    });
    let to = |state: PowerState, event: Option<Ev>| {
        Ok(Transition {
            outcome: Outcome::Becomes(InstanceStatus::new(state)),
            event,
        })
    };
    let state = from.state;
    let stopped_unless_off = (state != Shutdown).then_some(Ev::Stopped);
    let started_unless_running = (state != Running).then_some(Ev::Started);

    if state == NoState {
        // Not a state an existing instance can hold; only removal is meaningful.
        return match operation {
            Op::Destroy => Ok(Transition {
                outcome: Outcome::Removed,
                event: None,
            }),
            _ => illegal,
        };
    }
    match operation {
        Op::Destroy => {
            return Ok(Transition {
                outcome: Outcome::Removed,
                event: stopped_unless_off,
            })
        }
        Op::SoftDelete if from.soft_deleted => return noop,
        Op::SoftDelete => {
            return Ok(Transition {
                outcome: Outcome::Becomes(InstanceStatus::new(Shutdown).soft_deleted()),
                event: stopped_unless_off,
            })
        }
        Op::Restore if from.soft_deleted => return to(Running, Some(Ev::Started)),
        Op::Restore => return noop,
        _ if from.soft_deleted => return illegal,
        Op::Unrescue if from.rescued => return to(state, None),
        Op::Unrescue => return noop,
        _ if from.rescued => return illegal,
        _ => {}
    }
    match (operation, state) {
        (Op::Pause, Running) => to(Paused, Some(Ev::Paused)),
        (Op::Pause, Paused) => noop,
        (Op::Unpause, Running) => noop,
        (Op::Unpause, Paused) => to(Running, Some(Ev::Resumed)),
        (Op::Suspend, Running | Paused) => to(Suspended, Some(Ev::Suspended)),
        (Op::Suspend, Suspended) => noop,
        (Op::Resume, Running) => noop,
        (Op::Resume, Suspended) => to(Running, Some(Ev::Resumed)),
        (Op::PowerOff, Shutdown) => noop,
        (Op::PowerOff, _) => to(Shutdown, Some(Ev::Stopped)),
        (Op::PowerOn, Running) => noop,
        (Op::PowerOn, _) => to(Running, Some(Ev::Started)),
        (Op::RebootSoft, Running) => to(Running, None),
        (Op::RebootHard, _) => to(Running, started_unless_running),
        (Op::Rescue, Running | Shutdown | Crashed) => Ok(Transition {
            outcome: Outcome::Becomes(InstanceStatus::new(Running).rescued()),
            event: started_unless_running,
        }),
        (Op::Crash, Running | Paused) => to(Crashed, Some(Ev::Stopped)),
        (Op::Crash, Crashed) => noop,
        _ => illegal,
    }
}

/// Renders the table as Markdown: one row per operation, one column per
/// reachable status, each cell the outcome and event (or `InvalidState`).
///
/// Generated from [`transition`] itself, so it can never disagree with it.
pub fn render_table() -> String {
    let statuses = InstanceStatus::reachable();
    let mut out = String::from("| operation |");
    for status in &statuses {
        out.push_str(&format!(" {status} |"));
    }
    out.push('\n');
    out.push_str("|---|");
    out.push_str(&"---|".repeat(statuses.len()));
    out.push('\n');
    for operation in LifecycleOperation::ALL {
        out.push_str(&format!("| {operation} |"));
        for status in &statuses {
            let cell = match transition(*status, operation) {
                Err(_) => "InvalidState".to_owned(),
                Ok(t) if t.is_noop(*status) => "no-op".to_owned(),
                Ok(t) => {
                    let outcome = match t.outcome {
                        Outcome::Removed => "removed".to_owned(),
                        Outcome::Becomes(s) => s.to_string(),
                    };
                    match t.event {
                        Some(e) => format!("{outcome} ({})", e.name()),
                        None => outcome,
                    }
                }
            };
            out.push_str(&format!(" {cell} |"));
        }
        out.push('\n');
    }
    out
}
