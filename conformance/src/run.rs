//! The runner API: select cases, run them concurrently, collect a report.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::task::JoinSet;

use crate::case::{Case, Tier};
use crate::catalogue::registry;
use crate::execute::{execute_seeded, panic_message};
use crate::factory::{Backend, BackendFactory};
use crate::report::{Report, Selection};
use crate::verdict::{CaseReport, Verdict};

/// The name of the threads [`run`] runs cases on (a panic hook can tell a
/// backend's panic, which its case reports, from the runner's own).
pub const CASE_THREAD: &str = "conformance-case";

/// Installs a panic hook that stays quiet for panics on the threads cases
/// run on ([`CASE_THREAD`]: a backend's or a listener's panic, which its
/// case reports as a failure with the message) and prints every other panic
/// with the hook that was there before (the runner's own bugs stay visible).
/// For a program's `main`; [`suite!`](crate::suite) and
/// `conformance::main!` call it.
pub fn quiet_case_panics() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name() != Some(CASE_THREAD) {
            default_hook(info);
        }
    }));
}

/// Which cases to run and how.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Run only cases whose id contains one of these (all when empty).
    pub filters: Vec<String>,
    /// Skip cases whose id contains one of these.
    pub skip: Vec<String>,
    /// Filters and skips match whole ids instead of substrings.
    pub exact: bool,
    /// Run only this tier (all when `None`).
    pub tier: Option<Tier>,
    /// How long one case may take before it fails.
    pub case_timeout: Duration,
    /// How many cases run at once.
    pub concurrency: usize,
    /// The base seed of the seeded cases (random walks); `None`: each walk
    /// uses its number (see [`CaseContext::seed`](crate::CaseContext::seed)).
    pub seed: Option<u64>,
    /// Stop starting cases after the first failure or error (cases already
    /// running finish; the rest are left out of the report).
    pub fail_fast: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            filters: Vec::new(),
            skip: Vec::new(),
            exact: false,
            tier: None,
            case_timeout: Duration::from_secs(60),
            concurrency: 16,
            seed: None,
            fail_fast: false,
        }
    }
}

impl RunOptions {
    fn matches(&self, pattern: &str, id: &str) -> bool {
        if self.exact {
            pattern == id
        } else {
            id.contains(pattern)
        }
    }

    /// Whether the options select `case`.
    pub fn selects(&self, case: &Case) -> bool {
        let included =
            self.filters.is_empty() || self.filters.iter().any(|f| self.matches(f, &case.id));
        let skipped = self.skip.iter().any(|s| self.matches(s, &case.id));
        let tier_ok = self.tier.is_none_or(|t| t == case.tier);
        included && !skipped && tier_ok
    }
}

/// The cases of the registry the options select, in registry order.
pub fn select(options: &RunOptions) -> Vec<Case> {
    registry()
        .into_iter()
        .filter(|c| options.selects(c))
        .collect()
}

/// Runs the selected cases on backends from `factory`, calling `progress`
/// as each case finishes; returns the report (cases in registry order).
///
/// Call it inside a Tokio runtime; [`run`] builds one for you.
pub async fn run_async(
    factory: Arc<dyn BackendFactory>,
    options: &RunOptions,
    mut progress: impl FnMut(&CaseReport),
) -> Report {
    let started = Instant::now();
    let cases = select(options);
    let (driver, capabilities) = match probe(&factory).await {
        Some(backend) => (
            backend.driver.driver_name().to_owned(),
            Some(backend.driver.capabilities()),
        ),
        None => (String::from("(the factory failed)"), None),
    };
    let mut results: Vec<Option<CaseReport>> = vec![None; cases.len()];
    // Long-running cases first (each group in registry order), so that the
    // run is not left waiting on one that started late.
    let mut pending = cases
        .iter()
        .cloned()
        .enumerate()
        .filter(|(_, case)| case.long_running)
        .chain(
            cases
                .iter()
                .cloned()
                .enumerate()
                .filter(|(_, case)| !case.long_running),
        );
    let mut running = JoinSet::new();
    let limit = options.concurrency.max(1);
    let timeout = options.case_timeout;
    let seed = options.seed;
    let mut stopping = false;
    let mut launched = vec![false; cases.len()];
    let mut task_case = std::collections::HashMap::new();
    loop {
        while running.len() < limit && !stopping {
            let Some((index, case)) = pending.next() else {
                break;
            };
            let factory = factory.clone();
            if let Some(slot) = launched.get_mut(index) {
                *slot = true;
            }
            let task = running
                .spawn(async move { (index, execute_seeded(&case, factory, timeout, seed).await) });
            task_case.insert(task.id(), index);
        }
        let Some(joined) = running.join_next().await else {
            break;
        };
        let (index, report) = match joined {
            Ok(finished) => finished,
            // The harness itself panicked (the body's panics are caught
            // inside): an error of the runner, with its message.
            Err(error) => {
                let Some(&index) = task_case.get(&error.id()) else {
                    continue;
                };
                let Some(case) = cases.get(index) else {
                    continue;
                };
                let mut report = lost(case);
                report.verdict = Verdict::Error {
                    message: format!("the harness panicked: {}", panic_message(error)),
                    steps: Vec::new(),
                };
                (index, report)
            }
        };
        stopping |= options.fail_fast && (report.verdict.is_fail() || report.verdict.is_error());
        progress(&report);
        if let Some(slot) = results.get_mut(index) {
            *slot = Some(report);
        }
    }
    let reports = results
        .into_iter()
        .zip(cases.iter())
        .enumerate()
        .filter_map(|(index, (report, case))| match report {
            Some(report) => Some(report),
            // Never started because of --fail-fast: not part of the run.
            None if !launched.get(index).copied().unwrap_or(false) => None,
            None => Some(lost(case)),
        })
        .collect();
    Report::new(
        factory.name(),
        driver,
        capabilities,
        reports,
        started.elapsed(),
    )
    .with_selection(Selection::of(options))
}

/// One backend from `factory`, to read what it declares; `None` when the
/// factory fails or panics (each case then reports the error itself).
pub(crate) async fn probe(factory: &Arc<dyn BackendFactory>) -> Option<Backend> {
    let factory = factory.clone();
    match tokio::spawn(async move { factory.create().await }).await {
        Ok(Ok(backend)) => Some(backend),
        Ok(Err(_)) | Err(_) => None,
    }
}

fn lost(case: &Case) -> CaseReport {
    CaseReport {
        id: case.id.clone(),
        tier: case.tier,
        hosts: case.hosts,
        needs: case.needs.clone(),
        exercises: case.exercises.clone(),
        verdict: Verdict::Error {
            message: "the runner lost the case's task before it reached a verdict".into(),
            steps: Vec::new(),
        },
        duration_s: 0.0,
    }
}

/// Runs the selected cases on a runtime of its own; see [`run_async`].
///
/// ```no_run
/// # fn factory() -> std::sync::Arc<dyn conformance::BackendFactory> { unimplemented!() }
/// let report = conformance::run(factory(), &conformance::RunOptions::default(), |case| {
///     println!("{} {}", case.id, case.verdict);
/// })?;
/// std::process::exit(i32::from(report.exit_code()));
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn run(
    factory: Arc<dyn BackendFactory>,
    options: &RunOptions,
    progress: impl FnMut(&CaseReport),
) -> std::io::Result<Report> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .thread_name(CASE_THREAD)
        .enable_all()
        .build()?;
    Ok(runtime.block_on(run_async(factory, options, progress)))
}
