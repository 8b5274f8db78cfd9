//! What a report records about its run: the selection and the environment.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::case::Tier;
use crate::run::RunOptions;

/// Which cases the run selected and how it ran them (enough to re-run it).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Selection {
    /// Filters (a case runs when its id contains one; all when empty).
    pub filters: Vec<String>,
    /// Skip patterns.
    pub skip: Vec<String>,
    /// Whether filters and skips matched whole ids.
    pub exact: bool,
    /// The tier run, when only one was.
    pub tier: Option<Tier>,
    /// The base seed of the seeded cases (random walks), when one was given.
    pub seed: Option<u64>,
    /// Cases run at once.
    pub jobs: usize,
    /// Seconds one case could take.
    pub timeout_s: f64,
}

impl Selection {
    /// The selection `options` make.
    pub fn of(options: &RunOptions) -> Self {
        Self {
            filters: options.filters.clone(),
            skip: options.skip.clone(),
            exact: options.exact,
            tier: options.tier,
            seed: options.seed,
            jobs: options.concurrency,
            timeout_s: options.case_timeout.as_secs_f64(),
        }
    }
}

/// Where the run happened.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Environment {
    /// The machine's host name.
    pub hostname: String,
    /// The operating system (`linux`, ...).
    pub os: String,
    /// The CPU architecture (`x86_64`, ...).
    pub arch: String,
    /// The version of the conformance suite.
    pub suite_version: String,
}

impl Environment {
    /// The environment of this process.
    pub fn current() -> Self {
        Self {
            hostname: gethostname::gethostname().to_string_lossy().into_owned(),
            os: std::env::consts::OS.to_owned(),
            arch: std::env::consts::ARCH.to_owned(),
            suite_version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }
}
