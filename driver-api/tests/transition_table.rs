//! The transition table, checked cell by cell against the table written in the
//! contract (`contract.md`), plus the flag rules stated in `driver_api::state`.

use driver_api::{
    render_table, transition, InstanceStatus, LifecycleOperation as Op, LifecycleTransition as Ev,
    Outcome, PowerState as S,
};

/// The expected cell: `None` is InvalidState; `Some((outcome, event))`.
type Cell = Option<(Outcome, Option<Ev>)>;

fn to(state: S, event: Option<Ev>) -> Cell {
    Some((Outcome::Becomes(InstanceStatus::new(state)), event))
}

fn rescued(event: Option<Ev>) -> Cell {
    Some((
        Outcome::Becomes(InstanceStatus::new(S::Running).rescued()),
        event,
    ))
}

fn soft_deleted(event: Option<Ev>) -> Cell {
    Some((
        Outcome::Becomes(InstanceStatus::new(S::Shutdown).soft_deleted()),
        event,
    ))
}

fn removed(event: Option<Ev>) -> Cell {
    Some((Outcome::Removed, event))
}

const COLUMNS: [S; 5] = [S::Running, S::Paused, S::Suspended, S::Shutdown, S::Crashed];

/// Rows of contract.md, columns Running, Paused, Suspended, Shutdown, Crashed,
/// for instances that are neither rescued nor soft-deleted. `noop(s)` is the
/// unchanged state with no event.
fn expected(op: Op, from: S) -> Cell {
    let noop = to(from, None);
    let x: Cell = None;
    let row: [Cell; 5] = match op {
        Op::Pause => [to(S::Paused, Some(Ev::Paused)), noop, x, x, x],
        Op::Unpause => [noop, to(S::Running, Some(Ev::Resumed)), x, x, x],
        Op::Suspend => [
            to(S::Suspended, Some(Ev::Suspended)),
            to(S::Suspended, Some(Ev::Suspended)),
            noop,
            x,
            x,
        ],
        Op::Resume => [noop, x, to(S::Running, Some(Ev::Resumed)), x, x],
        Op::PowerOff => {
            let off = to(S::Shutdown, Some(Ev::Stopped));
            [off, off, off, noop, off]
        }
        Op::PowerOn => {
            let on = to(S::Running, Some(Ev::Started));
            [noop, on, on, on, on]
        }
        Op::RebootSoft => [to(S::Running, None), x, x, x, x],
        Op::RebootHard => {
            let started = to(S::Running, Some(Ev::Started));
            [to(S::Running, None), started, started, started, started]
        }
        Op::Rescue => [
            rescued(None),
            x,
            x,
            rescued(Some(Ev::Started)),
            rescued(Some(Ev::Started)),
        ],
        Op::Unrescue => [noop, noop, noop, noop, noop],
        Op::SoftDelete => {
            let sd = soft_deleted(Some(Ev::Stopped));
            [sd, sd, sd, soft_deleted(None), sd]
        }
        Op::Restore => [noop, noop, noop, noop, noop],
        Op::Destroy => {
            let gone = removed(Some(Ev::Stopped));
            [gone, gone, gone, removed(None), gone]
        }
        Op::Crash => [
            to(S::Crashed, Some(Ev::Stopped)),
            to(S::Crashed, Some(Ev::Stopped)),
            x,
            x,
            noop,
        ],
    };
    let column = COLUMNS
        .iter()
        .position(|c| *c == from)
        .unwrap_or(usize::MAX);
    row.get(column).copied().flatten()
}

fn actual(from: InstanceStatus, op: Op) -> Cell {
    transition(from, op).ok().map(|t| (t.outcome, t.event))
}

#[test]
fn every_plain_state_times_every_operation_matches_the_contract() {
    let mut checked = 0;
    for op in Op::ALL {
        for state in COLUMNS {
            let from = InstanceStatus::new(state);
            assert_eq!(actual(from, op), expected(op, state), "{op} from {state}");
            checked += 1;
        }
    }
    assert_eq!(checked, Op::ALL.len() * COLUMNS.len());
}

#[test]
fn a_rescued_instance_accepts_only_unrescue_soft_delete_and_destroy() {
    let from = InstanceStatus::new(S::Running).rescued();
    for op in Op::ALL {
        let got = actual(from, op);
        let want = match op {
            Op::Unrescue => to(S::Running, None),
            Op::SoftDelete => soft_deleted(Some(Ev::Stopped)),
            Op::Destroy => removed(Some(Ev::Stopped)),
            Op::Restore => Some((Outcome::Becomes(from), None)),
            _ => None,
        };
        assert_eq!(got, want, "{op} from {from}");
    }
}

#[test]
fn a_soft_deleted_instance_accepts_only_restore_soft_delete_and_destroy() {
    let from = InstanceStatus::new(S::Shutdown).soft_deleted();
    for op in Op::ALL {
        let got = actual(from, op);
        let want = match op {
            Op::Restore => to(S::Running, Some(Ev::Started)),
            Op::SoftDelete => Some((Outcome::Becomes(from), None)),
            Op::Destroy => removed(None),
            _ => None,
        };
        assert_eq!(got, want, "{op} from {from}");
    }
}

#[test]
fn no_state_only_allows_removal() {
    let from = InstanceStatus::new(S::NoState);
    for op in Op::ALL {
        let want = (op == Op::Destroy).then_some((Outcome::Removed, None));
        assert_eq!(actual(from, op), want, "{op} from {from}");
    }
}

#[test]
fn refusals_name_the_operation_and_leave_the_status() {
    let from = InstanceStatus::new(S::Shutdown);
    let err = transition(from, Op::Pause).err();
    let err = err.map(|e| (e.operation, e.from, e.to_string()));
    assert_eq!(
        err,
        Some((
            Op::Pause,
            from,
            "pause is not allowed in state shutdown".to_owned()
        ))
    );
}

#[test]
fn every_reachable_status_is_closed_under_the_table() {
    let reachable = InstanceStatus::reachable();
    for from in &reachable {
        for op in Op::ALL {
            if let Ok(t) = transition(*from, op) {
                if let Outcome::Becomes(to) = t.outcome {
                    assert!(reachable.contains(&to), "{op} from {from} gives {to}");
                }
            }
        }
    }
}

#[test]
fn an_event_is_emitted_exactly_when_the_power_state_changes_or_an_instance_stops_existing() {
    for from in InstanceStatus::reachable() {
        for op in Op::ALL {
            let Ok(t) = transition(from, op) else {
                continue;
            };
            match t.outcome {
                Outcome::Becomes(to) if to.state != from.state => {
                    assert!(
                        t.event.is_some(),
                        "{op} from {from}: state changed silently"
                    )
                }
                Outcome::Becomes(_) if op != Op::RebootHard => {
                    assert_eq!(t.event, None, "{op} from {from}: event without change")
                }
                _ => {}
            }
        }
    }
}

#[test]
fn the_rendered_table_has_a_row_per_operation_and_a_column_per_status() {
    let table = render_table();
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 2 + Op::ALL.len());
    let columns = InstanceStatus::reachable().len();
    for line in &lines {
        assert_eq!(line.matches('|').count(), columns + 2, "{line}");
    }
    assert!(lines
        .iter()
        .any(|l| l.starts_with("| pause | paused (Paused) | no-op |")));
}

#[test]
fn power_state_codes_and_names_are_novas() {
    let pairs: Vec<(u8, &str)> = S::ALL.iter().map(|s| (s.code(), s.name())).collect();
    assert_eq!(
        pairs,
        vec![
            (0, "pending"),
            (1, "running"),
            (3, "paused"),
            (4, "shutdown"),
            (6, "crashed"),
            (7, "suspended")
        ]
    );
    for state in S::ALL {
        assert_eq!(S::from_code(state.code()), Some(state));
        let json = serde_json::to_string(&state).unwrap();
        assert_eq!(json, format!("\"{}\"", state.name()));
    }
    assert_eq!(S::from_code(2), None);
}
