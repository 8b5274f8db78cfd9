//! The runner binary: listing, filtering, reports, exit codes.

use std::process::Command;

fn runner() -> Command {
    Command::new(env!("CARGO_BIN_EXE_conformance-runner"))
}

#[test]
fn lists_every_case_libtest_style() {
    let output = runner().arg("--list").output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("nova::spawn: test"), "{text}");
    assert!(text.contains("transition::pause_from_running: test"));
    let count = text.lines().filter(|l| l.ends_with(": test")).count();
    assert_eq!(count, conformance::registry().len());
}

#[test]
fn filters_skip_and_exact_select_cases() {
    let output = runner()
        .args(["--list", "--exact", "nova::pause", "nova::suspend"])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        text.lines().filter(|l| l.ends_with(": test")).count(),
        2,
        "{text}"
    );
    let output = runner()
        .args(["--list", "nova::", "--skip", "nova::pause"])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("nova::spawn: test"));
    assert!(!text.contains("nova::pause: test"));
    assert!(text.contains("nova::unpause_paused_instance: test"));
}

#[test]
fn runs_and_writes_the_three_reports() {
    let dir = std::env::temp_dir().join(format!("conformance-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (json, junit, matrix) = (dir.join("r.json"), dir.join("r.xml"), dir.join("m.md"));
    let output = runner()
        .arg("events::")
        .arg("--json")
        .arg(&json)
        .arg("--junit")
        .arg(&junit)
        .arg("--matrix")
        .arg(&matrix)
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains("test events::listener_replaced ... ok"),
        "{text}"
    );
    assert!(text.contains("test result: ok."), "{text}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["summary"]["failed"], 0);
    assert!(report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["verdict"] == "pass"));
    assert!(std::fs::read_to_string(&junit)
        .unwrap()
        .contains("<testsuite name=\"events\""));
    assert!(std::fs::read_to_string(&matrix)
        .unwrap()
        .contains("| `register_event_listener` |"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn undeclared_features_are_skipped_with_a_reason() {
    let output = runner()
        .args([
            "--without",
            "pause",
            "--exact",
            "nova::pause",
            "capability::undeclared_pause",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains("test nova::pause ... skipped (needs pause, which fake does not declare)"),
        "{text}"
    );
    assert!(
        text.contains("test capability::undeclared_pause ... ok"),
        "{text}"
    );
}

#[test]
fn unknown_feature_is_a_usage_error() {
    let output = runner().args(["--without", "teleport"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn flags_of_the_other_backend_are_usage_errors() {
    let output = runner().args(["--uri", "qemu:///system"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let text = String::from_utf8(output.stderr).unwrap();
    assert!(
        text.contains("--uri applies to --backend libvirt"),
        "{text}"
    );
    let output = runner()
        .args(["--backend", "libvirt", "--preset", "small"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let output = runner()
        .args(["--peer-uri", "qemu:///system"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let text = String::from_utf8(output.stderr).unwrap();
    assert!(
        text.contains("--peer-uri applies to --backend libvirt"),
        "{text}"
    );
}

#[cfg(not(feature = "libvirt"))]
#[test]
fn libvirt_without_the_feature_is_a_clear_error() {
    let output = runner().args(["--backend", "libvirt"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let text = String::from_utf8(output.stderr).unwrap();
    assert!(text.contains("--features libvirt"), "{text}");
}

#[test]
fn a_selection_of_no_case_is_a_usage_error_naming_the_filters() {
    for args in [
        &["nova::no_such_case"][..],
        &["--exact", "nova::"],
        &["--skip", ""],
        &["--list", "nova::no_such_case"],
    ] {
        let output = runner().args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let text = String::from_utf8(output.stderr).unwrap();
        assert!(text.contains("no case selected"), "{args:?}: {text}");
        assert!(text.contains("--allow-empty"), "{text}");
    }
    let output = runner()
        .args(["nova::no_such_case", "--allow-empty"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn list_validates_the_flags_like_a_run() {
    let output = runner()
        .args(["--list", "--without", "bogus"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let output = runner().args(["--list", "--jobs", "0"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn zero_jobs_or_timeout_are_refused_clearly() {
    for (flag, value) in [("--jobs", "0"), ("--timeout", "0"), ("--jobs", "100000")] {
        let output = runner().args([flag, value]).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{flag} {value}");
        let text = String::from_utf8(output.stderr).unwrap();
        assert!(text.contains(flag) && text.contains("is not in"), "{text}");
    }
}

#[test]
fn the_json_report_records_the_selection_and_the_seed() {
    let dir = std::env::temp_dir().join(format!("runner-seed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let json = dir.join("report.json");
    let output = runner()
        .args(["model::random_walk_1", "--exact", "--seed", "42", "--json"])
        .arg(&json)
        .output()
        .unwrap();
    assert!(output.status.success());
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["format_version"], conformance::REPORT_FORMAT_VERSION);
    assert_eq!(report["selection"]["seed"], 42);
    assert_eq!(report["selection"]["exact"], true);
    assert_eq!(report["selection"]["filters"][0], "model::random_walk_1");
    let steps = report["cases"][0]["verdict"].clone();
    assert_eq!(steps, "pass");
}

#[test]
fn rust_log_prints_the_backends_tracing_events_without_colour_into_a_pipe() {
    let output = runner()
        .args(["nova::spawn", "--exact", "-q"])
        .env("RUST_LOG", "driver_fake=trace")
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stderr).unwrap();
    assert!(text.contains("operation=\"spawn\""), "{text}");
    assert!(!text.contains('\u{1b}'), "{text}");
    let output = runner()
        .args(["nova::spawn", "--exact", "-q"])
        .output()
        .unwrap();
    assert!(String::from_utf8(output.stderr).unwrap().is_empty());
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let plain = runner().args(["nova::spawn", "--exact"]).output().unwrap();
    assert!(!String::from_utf8(plain.stdout).unwrap().contains('\u{1b}'));
    let coloured = runner()
        .args(["nova::spawn", "--exact", "--color", "always"])
        .output()
        .unwrap();
    let text = String::from_utf8(coloured.stdout).unwrap();
    assert!(text.contains("\u{1b}[32mok\u{1b}[0m"), "{text}");
}
