//! A run's report and its renderings: JSON, JUnit XML, the support matrix.

mod junit;
mod matrix;

use std::time::Duration;

use driver_api::Capabilities;
use serde::{Deserialize, Serialize};

use crate::verdict::CaseReport;

pub use junit::to_junit;
pub use matrix::to_matrix;

/// Counts of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Cases run.
    pub total: usize,
    /// Passed.
    pub passed: usize,
    /// Failed.
    pub failed: usize,
    /// Skipped.
    pub skipped: usize,
}

/// Everything a run found out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The factory's name for the backend.
    pub backend: String,
    /// The driver's own name (`driver_name`).
    pub driver: String,
    /// What the backend declares, when the factory could make one.
    pub capabilities: Option<Capabilities>,
    /// The counts.
    pub summary: Summary,
    /// Wall-clock time of the run, in seconds.
    pub duration_s: f64,
    /// One entry per case, in registry order.
    pub cases: Vec<CaseReport>,
}

impl Report {
    /// A report over `cases`.
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
        };
        Self {
            backend,
            driver,
            capabilities,
            summary,
            duration_s: duration.as_secs_f64(),
            cases,
        }
    }

    /// Whether no case failed.
    pub fn is_success(&self) -> bool {
        self.summary.failed == 0
    }

    /// The report as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    /// The failed cases.
    pub fn failures(&self) -> impl Iterator<Item = &CaseReport> {
        self.cases.iter().filter(|c| c.verdict.is_fail())
    }

    /// The closing line: `test result: ok. 250 passed; 0 failed; 12 skipped; finished in 0.31s`.
    pub fn summary_line(&self) -> String {
        let Summary {
            passed,
            failed,
            skipped,
            ..
        } = self.summary;
        format!(
            "test result: {}. {passed} passed; {failed} failed; {skipped} skipped; finished in {:.2}s",
            if failed == 0 { "ok" } else { "FAILED" },
            self.duration_s
        )
    }
}
