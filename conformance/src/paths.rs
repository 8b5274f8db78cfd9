//! Paths of legal operations through the transition table.

use std::collections::{HashMap, VecDeque};

use driver_api::{transition, InstanceStatus, LifecycleOperation, Outcome, PowerState};

/// The shortest sequence of legal operations taking a freshly spawned,
/// running instance to `target`, preferring paths without the `crash` hook
/// (and without `destroy`). `None` if the table cannot reach `target`.
pub fn path_to(target: InstanceStatus) -> Option<Vec<LifecycleOperation>> {
    let without_crash: Vec<LifecycleOperation> = LifecycleOperation::ALL
        .iter()
        .copied()
        .filter(|op| !matches!(op, LifecycleOperation::Crash | LifecycleOperation::Destroy))
        .collect();
    search(target, &without_crash).or_else(|| {
        let with_crash: Vec<LifecycleOperation> = LifecycleOperation::ALL
            .iter()
            .copied()
            .filter(|op| *op != LifecycleOperation::Destroy)
            .collect();
        search(target, &with_crash)
    })
}

fn search(
    target: InstanceStatus,
    operations: &[LifecycleOperation],
) -> Option<Vec<LifecycleOperation>> {
    let start = InstanceStatus::new(PowerState::Running);
    let mut previous: HashMap<InstanceStatus, (InstanceStatus, LifecycleOperation)> =
        HashMap::new();
    let mut queue = VecDeque::from([start]);
    let mut seen = vec![start];
    while let Some(status) = queue.pop_front() {
        if status == target {
            let mut path = Vec::new();
            let mut at = status;
            while let Some((before, op)) = previous.get(&at) {
                path.push(*op);
                at = *before;
            }
            path.reverse();
            return Some(path);
        }
        for op in operations {
            if let Ok(t) = transition(status, *op) {
                if let Outcome::Becomes(next) = t.outcome {
                    if !seen.contains(&next) {
                        seen.push(next);
                        previous.insert(next, (status, *op));
                        queue.push_back(next);
                    }
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reachable_status_has_a_path() {
        for status in InstanceStatus::reachable() {
            let path = path_to(status);
            assert!(path.is_some(), "{status} unreachable");
        }
    }

    #[test]
    fn crash_is_used_only_for_crashed() {
        for status in InstanceStatus::reachable() {
            let path = path_to(status).unwrap_or_default();
            let crashes = path.contains(&LifecycleOperation::Crash);
            assert_eq!(crashes, status.state == PowerState::Crashed, "{status}");
        }
    }

    #[test]
    fn paused_is_one_pause_away() {
        let path = path_to(InstanceStatus::new(PowerState::Paused));
        assert_eq!(path, Some(vec![LifecycleOperation::Pause]));
    }
}
