//! The `cargo test` front end that [`suite!`](crate::suite) generates: one
//! libtest-style test per case, a skipped case reported as *ignored* with
//! its reason, and the skips counted by reason after the summary.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

pub use libtest_mimic::{Arguments, Conclusion};
use libtest_mimic::{Completion, Failed, Trial};

use crate::case::Case;
use crate::catalogue::registry;
use crate::execute::{execute, skip_reason};
use crate::factory::{Backend, BackendFactory};
use crate::report::skip_table;
use crate::run::{probe, CASE_THREAD};
use crate::verdict::Verdict;

/// How long one generated test may take.
pub const TEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Skip reasons and how many cases each one skipped.
type SkipTally = Arc<Mutex<BTreeMap<String, usize>>>;

fn count_skip(tally: &SkipTally, reason: &str) {
    let mut tally = tally.lock().unwrap_or_else(PoisonError::into_inner);
    *tally.entry(reason.to_owned()).or_default() += 1;
}

/// Runs the suite on backends from `factory` as a `harness = false` test
/// binary: parses libtest's command line (filters, `--exact`, `--skip`,
/// `--list`, `--test-threads`, `--format`, ...), runs the selected cases and
/// returns libtest's exit code (101 when a case failed or erred).
///
/// A case whose features the backend does not declare, or whose hooks its
/// factory does not offer, is decided before it runs (one backend is made
/// up front to read its capabilities) and reported `ignored (reason)`; so is
/// a case that finds out it does not apply while running (no read-only
/// mode). A case whose factory or harness failed fails with `error: ...`.
pub fn run_suite(factory: Arc<dyn BackendFactory>) -> ExitCode {
    crate::run::quiet_case_panics();
    match run_with(&Arguments::from_args(), factory) {
        Ok(conclusion) => conclusion.exit_code(),
        Err(error) => {
            eprintln!("error: cannot build a Tokio runtime: {error}");
            ExitCode::from(2)
        }
    }
}

/// [`run_suite`] with parsed arguments; returns libtest's conclusion
/// (counts of passed, failed, ignored and filtered-out cases).
pub fn run_with(args: &Arguments, factory: Arc<dyn BackendFactory>) -> std::io::Result<Conclusion> {
    let runtime = Arc::new(
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name(CASE_THREAD)
            .enable_all()
            .build()?,
    );
    let probe = if args.list {
        None
    } else {
        runtime.block_on(probe(&factory))
    };
    let tally = SkipTally::default();
    let trials = registry()
        .into_iter()
        .map(|case| trial(case, probe.as_ref(), &factory, &runtime, &tally))
        .collect();
    let conclusion = libtest_mimic::run(args, trials);
    let tally = tally.lock().unwrap_or_else(PoisonError::into_inner);
    print!("{}", skip_table("ignored (skipped, not passed)", &tally));
    Ok(conclusion)
}

fn trial(
    case: Case,
    probe: Option<&Backend>,
    factory: &Arc<dyn BackendFactory>,
    runtime: &Arc<tokio::runtime::Runtime>,
    tally: &SkipTally,
) -> Trial {
    let decided = probe.and_then(|backend| skip_reason(&case, [backend]));
    let factory = factory.clone();
    let runtime = runtime.clone();
    let tally = tally.clone();
    Trial::ignorable_test(case.id.clone(), move || {
        if let Some(reason) = decided {
            count_skip(&tally, &reason);
            return Ok(Completion::ignored_with(reason));
        }
        let report = runtime.block_on(execute(&case, factory, TEST_TIMEOUT));
        match report.verdict {
            Verdict::Pass => Ok(Completion::Completed),
            Verdict::Skipped { reason } => {
                count_skip(&tally, &reason);
                Ok(Completion::ignored_with(reason))
            }
            verdict @ (Verdict::Fail { .. } | Verdict::Error { .. }) => {
                Err(Failed::from(format!("{}: {verdict}", case.id)))
            }
        }
    })
}
