//! The minimal example backend passes the core tier, and the suite skips what
//! it does not declare.

#[path = "../examples/minimal_backend.rs"]
#[allow(dead_code)]
mod minimal_backend;

use std::sync::Arc;

use conformance::{run, RunOptions, Tier, Verdict};

#[test]
fn passes_the_core_tier() {
    let options = RunOptions {
        tier: Some(Tier::Core),
        ..RunOptions::default()
    };
    let report = run(Arc::new(minimal_backend::MinimalFactory), &options, |_| {}).unwrap();
    let failures: Vec<String> = report
        .broken()
        .map(|c| format!("{}: {}", c.id, c.verdict))
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(report.summary.passed > 50);
}

#[test]
fn optional_cases_are_skipped_with_the_missing_feature() {
    let options = RunOptions {
        filters: vec!["nova::pause".into()],
        exact: true,
        ..RunOptions::default()
    };
    let report = run(Arc::new(minimal_backend::MinimalFactory), &options, |_| {}).unwrap();
    assert_eq!(report.cases.len(), 1);
    match &report.cases[0].verdict {
        Verdict::Skipped { reason } => assert!(reason.contains("pause"), "{reason}"),
        other => panic!("expected a skip, got {other:?}"),
    }
}

#[test]
fn reports_render() {
    let options = RunOptions {
        filters: vec!["nova::".into()],
        ..RunOptions::default()
    };
    let report = run(Arc::new(minimal_backend::MinimalFactory), &options, |_| {}).unwrap();
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["summary"]["total"], report.cases.len());
    let junit = conformance::to_junit(&report);
    assert!(junit.contains("<testsuite name=\"nova\""), "{junit}");
    assert!(junit.contains("<skipped"));
    let matrix = conformance::to_matrix(&report);
    assert!(matrix.contains("| `spawn` | mandatory | yes |"), "{matrix}");
    assert!(matrix.contains("| `pause` | pause | no |"), "{matrix}");
}
