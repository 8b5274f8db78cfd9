//! The runner with a JSON report, and each case's verdict read back from it.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use conformance::BackendFactory;
use conformance_runner::cli::{run, Args};

/// Each case id and its verdict (`pass`, `fail`, `error`, `skipped`).
pub type Verdicts = BTreeMap<String, String>;

/// Runs the runner with `argv` (its backend from the flags, or `factory`
/// when given) and a JSON report `dir/report`; asserts it succeeded and
/// returns the verdicts.
pub fn verdicts(
    argv: &[&str],
    factory: Option<Arc<dyn BackendFactory>>,
    dir: &Path,
    report: &str,
) -> Verdicts {
    let json = dir.join(report);
    let json_arg = json.to_str().expect("a UTF-8 path");
    let args = Args::try_parse_from(
        ["conformance-runner", "-q", "--json", json_arg]
            .into_iter()
            .chain(argv.iter().copied()),
    )
    .expect("arguments");
    let code = match factory {
        Some(factory) => conformance::cli::run(factory, &args.run),
        None => run(&args),
    };
    assert_eq!(code, ExitCode::SUCCESS, "runner {argv:?}");
    let text = std::fs::read_to_string(&json).expect("the report");
    let report: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let cases = report["cases"].as_array().expect("cases");
    cases
        .iter()
        .map(|case| {
            let id = case["id"].as_str().expect("an id").to_owned();
            let verdict = case["verdict"].as_str().expect("a verdict").to_owned();
            (id, verdict)
        })
        .collect()
}

/// The cases whose verdicts differ, as `id: LOCAL in process, REMOTE remote`;
/// panics unless both ran the same cases, and if anything failed remotely.
pub fn differences(in_process: &Verdicts, remote: &Verdicts) -> Vec<String> {
    assert_eq!(
        remote.keys().collect::<Vec<_>>(),
        in_process.keys().collect::<Vec<_>>(),
        "the same cases ran"
    );
    assert!(
        remote.values().all(|v| v == "pass" || v == "skipped"),
        "nothing failed"
    );
    remote
        .iter()
        .filter(|(id, verdict)| in_process[*id] != **verdict)
        .map(|(id, verdict)| format!("{id}: {} in process, {verdict} remote", in_process[id]))
        .collect()
}
