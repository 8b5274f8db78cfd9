//! The fake passes the suite in every configuration the runner offers: each
//! node size, with latency on the busiest calls, and with features left
//! undeclared (whose cases are skipped and whose refusals are checked).

use std::sync::Arc;
use std::time::Duration;

use conformance::{RunOptions, Verdict};
use conformance_runner::FakeFactory;
use driver_api::{DriverMethod, Feature};
use driver_fake::NodeSize;

fn failures(factory: FakeFactory) -> Vec<String> {
    let report = conformance::run(Arc::new(factory), &RunOptions::default(), |_| {}).unwrap();
    report
        .broken()
        .map(|c| format!("{}: {}", c.id, c.verdict))
        .collect()
}

#[test]
fn every_node_size_passes() {
    for size in [NodeSize::Default, NodeSize::Small, NodeSize::Medium] {
        let failed = failures(FakeFactory::new().with_size(size));
        assert!(failed.is_empty(), "{size:?}: {failed:#?}");
    }
}

#[test]
fn latency_changes_no_verdict() {
    let factory = FakeFactory::new()
        .with_latency(DriverMethod::Spawn, Duration::from_millis(2))
        .with_latency(DriverMethod::GetInfo, Duration::from_millis(1))
        .with_latency(DriverMethod::Destroy, Duration::from_millis(1));
    let failed = failures(factory);
    assert!(failed.is_empty(), "{failed:#?}");
}

#[test]
fn undeclared_features_skip_their_cases_and_are_refused() {
    let factory = FakeFactory::new()
        .without(Feature::Pause)
        .without(Feature::LiveMigration);
    let report = conformance::run(Arc::new(factory), &RunOptions::default(), |_| {}).unwrap();
    assert!(
        report.is_success(),
        "{:#?}",
        report.broken().collect::<Vec<_>>()
    );
    let verdict = |id: &str| {
        report
            .cases
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.verdict.clone())
            .unwrap()
    };
    assert!(
        matches!(verdict("nova::pause"), Verdict::Skipped { reason } if reason.contains("pause"))
    );
    assert!(matches!(
        verdict("nova::live_migration"),
        Verdict::Skipped { .. }
    ));
    assert_eq!(verdict("capability::undeclared_pause"), Verdict::Pass);
    assert_eq!(
        verdict("capability::undeclared_live_migration"),
        Verdict::Pass
    );
}

#[test]
fn a_fake_declaring_nothing_refuses_every_optional_method() {
    let factory = FakeFactory::new().with_capabilities(driver_api::Capabilities::none());
    let report = conformance::run(Arc::new(factory), &RunOptions::default(), |_| {}).unwrap();
    assert!(
        report.is_success(),
        "{:#?}",
        report.broken().collect::<Vec<_>>()
    );
    let undeclared: Vec<_> = report
        .cases
        .iter()
        .filter(|c| c.id.starts_with("capability::undeclared_"))
        .collect();
    assert_eq!(undeclared.len(), Feature::ALL.len());
    assert!(undeclared.iter().all(|c| c.verdict == Verdict::Pass));
}
