//! The runner (`conformance-runner`'s library, as its binary runs it) with a
//! JSON report, read back as each case's verdict.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use clap::Parser;
use conformance_runner::cli::{run, Args};

/// Each case id and its verdict (`pass`, `skipped`, `fail`, ...).
pub type Verdicts = BTreeMap<String, String>;

/// Runs the runner with `argv` and a JSON report `dir/report`; each case id
/// and its verdict. The run must exit 0 (nothing failed).
pub fn verdicts(argv: &[&str], dir: &Path, report: &str) -> Verdicts {
    let json = dir.join(report);
    let json_arg = json.to_str().expect("a UTF-8 path");
    let args = Args::try_parse_from(
        ["conformance-runner", "-q", "--json", json_arg]
            .into_iter()
            .chain(argv.iter().copied()),
    )
    .expect("arguments");
    assert_eq!(run(&args), ExitCode::SUCCESS, "runner {argv:?}");
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

/// How many cases of `verdicts` ended as `verdict`.
pub fn count(verdicts: &Verdicts, verdict: &str) -> usize {
    verdicts.values().filter(|v| *v == verdict).count()
}

/// The cases whose verdicts differ between `remote` and `in_process`, as
/// `id: VERDICT in process, VERDICT remote` (after checking both ran the
/// same cases).
pub fn differences(remote: &Verdicts, in_process: &Verdicts) -> Vec<String> {
    assert_eq!(
        remote.keys().collect::<Vec<_>>(),
        in_process.keys().collect::<Vec<_>>(),
        "the same cases ran"
    );
    remote
        .iter()
        .filter(|(id, verdict)| in_process[*id] != **verdict)
        .map(|(id, verdict)| format!("{id}: {} in process, {verdict} remote", in_process[id]))
        .collect()
}
