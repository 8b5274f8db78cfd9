//! A run's report and its renderings: JSON, JUnit XML, the support matrix.

mod context;
mod junit;
mod matrix;
pub(crate) mod schema;
mod skips;
mod xml;

use std::collections::BTreeMap;
use std::time::Duration;

use driver_api::Capabilities;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::verdict::CaseReport;

pub use context::{Environment, Selection};
pub use junit::to_junit;
pub use matrix::to_matrix;
pub use schema::report_json_schema;
pub use skips::skip_table;

/// The version of the JSON report's format ([`Report::format_version`]);
/// raised whenever a field changes meaning or disappears.
pub const REPORT_FORMAT_VERSION: u32 = 2;

/// Counts of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    /// Cases run.
    pub total: usize,
    /// Passed.
    pub passed: usize,
    /// Failed: the backend broke the contract.
    pub failed: usize,
    /// Skipped: the case does not apply to the backend.
    pub skipped: usize,
    /// Errors: the factory or the harness failed, so the case judged nothing.
    #[serde(default)]
    pub errors: usize,
}

/// Everything a run found out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Report {
    /// The format's version ([`REPORT_FORMAT_VERSION`]).
    pub format_version: u32,
    /// The factory's name for the backend.
    pub backend: String,
    /// The driver's own name (`driver_name`).
    pub driver: String,
    /// What the backend declares, when the factory could make one.
    #[schemars(schema_with = "schema::capabilities")]
    pub capabilities: Option<Capabilities>,
    /// Which cases were selected and how they ran.
    pub selection: Selection,
    /// When the run started (RFC 3339, UTC).
    pub timestamp: String,
    /// Where the run happened.
    pub environment: Environment,
    /// The counts.
    pub summary: Summary,
    /// Wall-clock time of the run, in seconds.
    pub duration_s: f64,
    /// One entry per case, in registry order.
    pub cases: Vec<CaseReport>,
}

impl Report {
    /// A report over `cases`, stamped now, in this environment, with the
    /// default selection (see [`with_selection`](Self::with_selection)).
    pub fn new(
        backend: String,
        driver: String,
        capabilities: Option<Capabilities>,
        cases: Vec<CaseReport>,
        duration: Duration,
    ) -> Self {
        let summary = Summary {
            total: cases.len(),
            passed: cases.iter().filter(|c| c.verdict.is_pass()).count(),
            failed: cases.iter().filter(|c| c.verdict.is_fail()).count(),
            skipped: cases.iter().filter(|c| c.verdict.is_skipped()).count(),
            errors: cases.iter().filter(|c| c.verdict.is_error()).count(),
        };
        let started = chrono::Utc::now() - chrono::Duration::from_std(duration).unwrap_or_default();
        Self {
            format_version: REPORT_FORMAT_VERSION,
            backend,
            driver,
            capabilities,
            selection: Selection::default(),
            timestamp: started.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            environment: Environment::current(),
            summary,
            duration_s: duration.as_secs_f64(),
            cases,
        }
    }

    /// The same report, recording `selection`.
    pub fn with_selection(mut self, selection: Selection) -> Self {
        self.selection = selection;
        self
    }

    /// Whether no case failed or ended in an error.
    pub fn is_success(&self) -> bool {
        self.summary.failed == 0 && self.summary.errors == 0
    }

    /// The process exit code the run deserves: 0 when every case passed or
    /// was skipped, 2 when a case ended in an error (the factory or the
    /// harness failed: the run judged nothing there), else 1 when a case
    /// failed.
    pub fn exit_code(&self) -> u8 {
        if self.summary.errors > 0 {
            2
        } else if self.summary.failed > 0 {
            1
        } else {
            0
        }
    }

    /// The report as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    /// The failed cases, in registry order.
    pub fn failures(&self) -> impl Iterator<Item = &CaseReport> {
        self.cases.iter().filter(|c| c.verdict.is_fail())
    }

    /// The cases that ended in an error, in registry order.
    pub fn errors(&self) -> impl Iterator<Item = &CaseReport> {
        self.cases.iter().filter(|c| c.verdict.is_error())
    }

    /// The cases that failed or ended in an error, in registry order: what
    /// keeps a run from succeeding.
    pub fn broken(&self) -> impl Iterator<Item = &CaseReport> {
        self.cases
            .iter()
            .filter(|c| c.verdict.is_fail() || c.verdict.is_error())
    }

    /// The failed cases, smallest first: fewest steps to the failure, then
    /// the shortest. When one wrong rule fails dozens of cases, the smallest
    /// are the likeliest to show the root.
    pub fn smallest_failures(&self) -> Vec<&CaseReport> {
        let mut failures: Vec<&CaseReport> = self.failures().collect();
        failures.sort_by(|a, b| {
            a.verdict
                .steps()
                .len()
                .cmp(&b.verdict.steps().len())
                .then(a.duration_s.total_cmp(&b.duration_s))
        });
        failures
    }

    /// How many cases each skip reason skipped.
    pub fn skips_by_reason(&self) -> BTreeMap<String, usize> {
        let mut reasons = BTreeMap::new();
        for case in &self.cases {
            if let crate::verdict::Verdict::Skipped { reason } = &case.verdict {
                *reasons.entry(reason.clone()).or_default() += 1;
            }
        }
        reasons
    }

    /// The closing line: `test result: ok. 250 passed; 0 failed; 12 skipped; finished in 0.31s`
    /// (`; N errors` before `finished` when there were any).
    pub fn summary_line(&self) -> String {
        let Summary {
            passed,
            failed,
            skipped,
            errors,
            ..
        } = self.summary;
        let errors = if errors > 0 {
            format!("{errors} errors; ")
        } else {
            String::new()
        };
        format!(
            "test result: {}. {passed} passed; {failed} failed; {skipped} skipped; {errors}finished in {:.2}s",
            if self.is_success() { "ok" } else { "FAILED" },
            self.duration_s
        )
    }
}
