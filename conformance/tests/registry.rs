//! The registry itself: ids, coverage of every method, every transition cell,
//! every feature.

use std::collections::BTreeSet;

use conformance::{registry, Tier};
use driver_api::{DriverMethod, Feature, InstanceStatus, LifecycleOperation};

#[test]
fn ids_are_unique_and_well_formed() {
    let cases = registry();
    let mut seen = BTreeSet::new();
    for case in &cases {
        assert!(seen.insert(case.id.clone()), "duplicate id {}", case.id);
        let (area, name) = case.id.split_once("::").expect("area::name");
        assert!(
            !area.is_empty() && !name.is_empty() && !name.contains("::"),
            "{}",
            case.id
        );
    }
}

#[test]
fn there_are_well_over_150_cases() {
    assert!(registry().len() > 200, "only {} cases", registry().len());
}

#[test]
fn every_method_is_exercised_by_some_case() {
    let cases = registry();
    let missing: Vec<&str> = DriverMethod::ALL
        .iter()
        .filter(|m| !cases.iter().any(|c| c.exercises.contains(m)))
        .map(|m| m.name())
        .collect();
    assert!(missing.is_empty(), "methods without a case: {missing:?}");
}

fn status_name(status: InstanceStatus) -> String {
    if status.rescued {
        "rescued".into()
    } else if status.soft_deleted {
        "soft_deleted".into()
    } else {
        status.state.name().into()
    }
}

fn op_name(op: LifecycleOperation) -> String {
    match op {
        LifecycleOperation::RebootSoft => "reboot_soft".into(),
        LifecycleOperation::RebootHard => "reboot_hard".into(),
        other => other.method_name().into(),
    }
}

#[test]
fn every_transition_cell_has_a_case() {
    let ids: BTreeSet<String> = registry().into_iter().map(|c| c.id).collect();
    let mut cells = 0;
    for status in InstanceStatus::reachable() {
        for op in LifecycleOperation::ALL {
            if op == LifecycleOperation::Crash {
                continue;
            }
            let id = format!("transition::{}_from_{}", op_name(op), status_name(status));
            assert!(ids.contains(&id), "no case {id}");
            cells += 1;
        }
    }
    let transition_cases = ids
        .iter()
        .filter(|id| id.starts_with("transition::"))
        .count();
    assert_eq!(cells, transition_cases);
}

#[test]
fn every_feature_has_an_undeclared_case_in_the_core_tier() {
    let cases = registry();
    for feature in Feature::ALL {
        let id = format!("capability::undeclared_{}", feature.name());
        let case = cases.iter().find(|c| c.id == id);
        assert!(
            case.is_some_and(|c| c.tier == Tier::Core && c.needs.is_empty()),
            "{id}"
        );
    }
}

#[test]
fn optional_cases_need_a_feature_or_a_hook_or_a_read_only_backend() {
    for case in registry() {
        if case.tier == Tier::Core {
            assert!(
                case.needs.is_empty(),
                "{} is core but needs {:?}",
                case.id,
                case.needs
            );
        } else {
            assert!(
                !case.needs.is_empty() || case.needs_hooks || case.id.starts_with("read_only::"),
                "{} is optional for no reason",
                case.id
            );
        }
    }
}

#[test]
fn crashed_cells_need_hooks() {
    for case in registry() {
        if case.id.ends_with("_from_crashed") {
            assert!(case.needs_hooks, "{}", case.id);
        }
    }
}

#[test]
fn every_nova_scenario_is_mapped_to_registered_cases() {
    use conformance::nova_map::{NovaScenario, NOVA_SCENARIOS};
    let ids: BTreeSet<String> = registry().into_iter().map(|c| c.id).collect();
    let current = NOVA_SCENARIOS
        .iter()
        .filter(|(n, _)| !n.ends_with("(Grizzly)"))
        .count();
    assert_eq!(current, 64, "Nova's _VirtDriverTestCase has 64 tests");
    for (name, scenario) in NOVA_SCENARIOS {
        match scenario {
            NovaScenario::Case(cases) => {
                for id in *cases {
                    assert!(
                        ids.contains(*id),
                        "{name} maps to {id}, which is not registered"
                    );
                }
            }
            NovaScenario::NotApplicable(reason) => assert!(!reason.is_empty(), "{name}"),
        }
    }
    let mapped = NOVA_SCENARIOS
        .iter()
        .filter(|(_, s)| matches!(s, NovaScenario::Case(_)))
        .count();
    assert!(mapped >= 65, "{mapped}");
}

#[test]
fn every_nova_case_is_in_the_map() {
    use conformance::nova_map::{NovaScenario, NOVA_SCENARIOS};
    let mapped: BTreeSet<&str> = NOVA_SCENARIOS
        .iter()
        .filter_map(|(_, s)| match s {
            NovaScenario::Case(cases) => Some(cases.iter().copied()),
            NovaScenario::NotApplicable(_) => None,
        })
        .flatten()
        .collect();
    for case in registry().into_iter().filter(|c| c.area() == "nova") {
        assert!(
            mapped.contains(case.id.as_str()),
            "{} is in no Nova mapping",
            case.id
        );
    }
}
