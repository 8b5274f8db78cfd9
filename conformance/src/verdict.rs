//! What came of a case.

use std::fmt;
use std::time::Duration;

use driver_api::{DriverMethod, Feature};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::case::{Hosts, Tier};

/// The verdict of one case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// The backend honoured the contract.
    Pass,
    /// The backend broke the contract.
    Fail {
        /// What the contract demands.
        expected: String,
        /// What the backend did.
        got: String,
        /// The steps the case took, in order, up to the failure.
        steps: Vec<String>,
    },
    /// The case does not apply to this backend.
    Skipped {
        /// Why: the undeclared capability or missing hook.
        reason: String,
    },
    /// The case could not judge the backend: the factory or the harness
    /// failed (an infrastructure problem, not a contract violation).
    Error {
        /// What went wrong.
        message: String,
        /// The steps the case took, in order, up to the error.
        steps: Vec<String>,
    },
}

impl Verdict {
    /// Whether the case passed.
    pub fn is_pass(&self) -> bool {
        matches!(self, Self::Pass)
    }

    /// Whether the case failed.
    pub fn is_fail(&self) -> bool {
        matches!(self, Self::Fail { .. })
    }

    /// Whether the case was skipped.
    pub fn is_skipped(&self) -> bool {
        matches!(self, Self::Skipped { .. })
    }

    /// The steps the case took before it failed or erred (none otherwise).
    pub fn steps(&self) -> &[String] {
        match self {
            Self::Fail { steps, .. } | Self::Error { steps, .. } => steps,
            Self::Pass | Self::Skipped { .. } => &[],
        }
    }

    /// Whether the case ended in an error of the factory or the harness.
    pub fn is_error(&self) -> bool {
        matches!(self, Self::Error { .. })
    }
}

impl fmt::Display for Verdict {
    /// One line for a pass or skip; for a failure, expected / got and the
    /// steps; for an error, the message and the steps.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Pass => f.write_str("ok"),
            Self::Skipped { reason } => write!(f, "skipped: {reason}"),
            Self::Error { message, steps } => {
                writeln!(
                    f,
                    "ERROR (the factory or the harness failed; not a contract violation)"
                )?;
                writeln!(f, "  error: {message}")?;
                write_steps(f, steps)
            }
            Self::Fail {
                expected,
                got,
                steps,
            } => {
                writeln!(f, "FAILED")?;
                writeln!(f, "  expected: {expected}")?;
                writeln!(f, "  got:      {got}")?;
                write_steps(f, steps)
            }
        }
    }
}

fn write_steps(f: &mut fmt::Formatter<'_>, steps: &[String]) -> fmt::Result {
    writeln!(f, "  steps:")?;
    for (n, step) in steps.iter().enumerate() {
        writeln!(f, "    {}. {step}", n + 1)?;
    }
    Ok(())
}

/// One case's entry in a report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CaseReport {
    /// The case id.
    pub id: String,
    /// Core or optional.
    pub tier: Tier,
    /// One or two hosts.
    pub hosts: Hosts,
    /// Features the case needs.
    #[schemars(schema_with = "crate::report::schema::features")]
    pub needs: Vec<Feature>,
    /// Methods the case exercises.
    #[schemars(schema_with = "crate::report::schema::methods")]
    pub exercises: Vec<DriverMethod>,
    /// The verdict.
    #[serde(flatten)]
    pub verdict: Verdict,
    /// How long the case took, in seconds.
    pub duration_s: f64,
}

impl CaseReport {
    /// The case's duration.
    pub fn duration(&self) -> Duration {
        Duration::from_secs_f64(self.duration_s.max(0.0))
    }

    /// The area: the part of the id before `::`.
    pub fn area(&self) -> &str {
        self.id.split("::").next().unwrap_or(&self.id)
    }
}
