//! Report renderings of a failure: the JUnit failure carries expected / got
//! and the steps; the matrix marks the exercised method broken; the verdict's
//! text lists the steps in order.

use std::time::Duration;

use conformance::{CaseReport, Hosts, Report, Tier, Verdict};
use driver_api::{Capabilities, DriverMethod, Feature};

fn failed_pause() -> CaseReport {
    CaseReport {
        id: "nova::pause".into(),
        tier: Tier::Optional,
        hosts: Hosts::One,
        needs: vec![Feature::Pause],
        exercises: vec![
            DriverMethod::Spawn,
            DriverMethod::Pause,
            DriverMethod::GetInfo,
        ],
        verdict: Verdict::Fail {
            expected: "get_info of vm: paused".into(),
            got: "running".into(),
            steps: vec!["spawn vm".into(), "pause vm".into(), "get_info vm".into()],
        },
        duration_s: 0.001,
    }
}

fn report() -> Report {
    Report::new(
        "test backend".into(),
        "broken".into(),
        Some(Capabilities::all().without(Feature::SpiceConsole)),
        vec![failed_pause()],
        Duration::from_millis(3),
    )
}

#[test]
fn junit_carries_expected_got_and_steps() {
    let xml = conformance::to_junit(&report());
    assert!(xml.contains("<failure"), "{xml}");
    assert!(
        xml.contains("expected get_info of vm: paused, got running"),
        "{xml}"
    );
    assert!(xml.contains("2. pause vm"), "{xml}");
    assert!(xml.contains("failures=\"1\""), "{xml}");
}

#[test]
fn matrix_marks_the_exercised_methods_broken() {
    let matrix = conformance::to_matrix(&report());
    let pause = matrix
        .lines()
        .find(|l| l.starts_with("| `pause` |"))
        .unwrap();
    assert!(pause.contains("❌"), "{pause}");
    let spice = matrix
        .lines()
        .find(|l| l.starts_with("| `get_spice_console` |"))
        .unwrap();
    assert!(
        spice.contains("| no |") && spice.contains("not run"),
        "{spice}"
    );
}

#[test]
fn summary_and_verdict_text() {
    let report = report();
    assert!(!report.is_success());
    assert_eq!(report.summary.failed, 1);
    assert!(report
        .summary_line()
        .starts_with("test result: FAILED. 0 passed; 1 failed; 0 skipped"));
    let text = report.cases[0].verdict.to_string();
    let pause_at = text.find("2. pause vm").unwrap();
    let spawn_at = text.find("1. spawn vm").unwrap();
    assert!(spawn_at < pause_at, "{text}");
    let back: Report = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(back, report);
}

#[test]
fn smallest_failures_come_first_and_errors_have_their_own_count() {
    let mut big = failed_pause();
    big.id = "transition::pause_from_paused".into();
    let mut small = failed_pause();
    small.id = "nova::pause_alone".into();
    small.verdict = Verdict::Fail {
        expected: "paused".into(),
        got: "running".into(),
        steps: vec!["pause vm".into()],
    };
    let mut error = failed_pause();
    error.id = "nova::unpause".into();
    error.verdict = Verdict::Error {
        message: "the factory gave no backend".into(),
        steps: Vec::new(),
    };
    let report = Report::new(
        "b".into(),
        "d".into(),
        None,
        vec![big, small, error],
        Duration::from_millis(3),
    );
    let order: Vec<&str> = report
        .smallest_failures()
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(
        order,
        ["nova::pause_alone", "transition::pause_from_paused"]
    );
    assert_eq!(report.summary.failed, 2);
    assert_eq!(report.summary.errors, 1);
    assert_eq!(report.exit_code(), 2);
    assert!(
        report.summary_line().contains("1 errors;"),
        "{}",
        report.summary_line()
    );
}
