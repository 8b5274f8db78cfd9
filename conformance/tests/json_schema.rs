//! The JSON report's schema: `conformance/report.schema.json` is what the
//! report's types generate, and real reports validate against it.
//! After changing the report's types, regenerate the file with
//! `UPDATE_REPORT_SCHEMA=1 cargo test -p conformance --test json_schema`.

#[path = "../examples/minimal_backend.rs"]
#[allow(dead_code)]
mod minimal_backend;

use std::sync::Arc;
use std::time::Duration;

use conformance::{CaseReport, Hosts, Report, RunOptions, Tier, Verdict, REPORT_FORMAT_VERSION};
use driver_api::{DriverMethod, Feature};
use serde_json::Value;

const SCHEMA_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/report.schema.json");

fn checked_in() -> Value {
    let text = std::fs::read_to_string(SCHEMA_FILE).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn assert_valid(report: &Report) {
    let schema = checked_in();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let instance: Value = serde_json::from_str(&report.to_json()).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn the_schema_file_is_what_the_types_generate() {
    let generated = conformance::report_json_schema();
    if std::env::var_os("UPDATE_REPORT_SCHEMA").is_some() {
        let text = serde_json::to_string_pretty(&generated).unwrap() + "\n";
        std::fs::write(SCHEMA_FILE, text).unwrap();
    }
    assert_eq!(
        checked_in(),
        generated,
        "report.schema.json is stale: regenerate it with \
         UPDATE_REPORT_SCHEMA=1 cargo test -p conformance --test json_schema"
    );
}

#[test]
fn a_real_run_validates() {
    let options = RunOptions {
        filters: vec!["nova::".into()],
        seed: Some(3),
        ..RunOptions::default()
    };
    let report =
        conformance::run(Arc::new(minimal_backend::MinimalFactory), &options, |_| {}).unwrap();
    assert!(report.summary.passed > 0 && report.summary.skipped > 0);
    assert_eq!(report.format_version, REPORT_FORMAT_VERSION);
    assert_eq!(report.selection.filters, ["nova::"]);
    assert_eq!(report.selection.seed, Some(3));
    assert!(!report.environment.hostname.is_empty());
    assert!(report.timestamp.ends_with('Z'), "{}", report.timestamp);
    assert_valid(&report);
}

#[test]
fn failures_and_errors_validate() {
    let case = |id: &str, verdict| CaseReport {
        id: id.into(),
        tier: Tier::Core,
        hosts: Hosts::Two,
        needs: vec![Feature::LiveMigration],
        exercises: vec![DriverMethod::LiveMigration],
        verdict,
        duration_s: 0.5,
    };
    let report = Report::new(
        "b".into(),
        "d".into(),
        None,
        vec![
            case(
                "migration::a",
                Verdict::Fail {
                    expected: "x".into(),
                    got: "y".into(),
                    steps: vec!["one".into()],
                },
            ),
            case(
                "migration::b",
                Verdict::Error {
                    message: "factory down".into(),
                    steps: Vec::new(),
                },
            ),
        ],
        Duration::from_secs(1),
    );
    assert_eq!(report.summary.errors, 1);
    assert_eq!(report.exit_code(), 2);
    assert_valid(&report);
}

#[test]
fn the_schema_rejects_a_report_without_its_format_version() {
    let schema = checked_in();
    let mut instance: Value = serde_json::from_str(
        &Report::new("b".into(), "d".into(), None, Vec::new(), Duration::ZERO).to_json(),
    )
    .unwrap();
    instance.as_object_mut().unwrap().remove("format_version");
    assert!(!jsonschema::is_valid(&schema, &instance));
}
