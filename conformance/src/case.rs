//! What a case is: an id, a tier, the features it needs, the hosts it uses, the
//! methods it exercises and an async body over a [`CaseContext`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use driver_api::{DriverError, DriverMethod, Feature};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::context::CaseContext;
use crate::describe::describe_error;
use crate::factory::FactoryError;

/// A boxed, sendable future borrowing the case context.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The body of a case: an async function over the case context.
pub type CaseBody = Arc<dyn for<'a> Fn(&'a CaseContext) -> BoxFuture<'a, CaseResult> + Send + Sync>;

/// What a case body returns: `Ok` for a pass.
pub type CaseResult = Result<(), CaseError>;

/// Why a case body stopped before passing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaseError {
    /// The backend broke the contract: what was expected and what came back.
    Fail {
        /// What the contract demands.
        expected: String,
        /// What the backend did.
        got: String,
    },
    /// The case does not apply to this backend.
    Skip {
        /// Why (names the undeclared capability or missing hook).
        reason: String,
    },
    /// The case could not judge the backend: its factory (or the harness)
    /// failed, which says nothing about the contract.
    Error {
        /// What went wrong.
        message: String,
    },
}

impl CaseError {
    /// A failure: `expected` vs `got`.
    pub fn fail(expected: impl Into<String>, got: impl Into<String>) -> Self {
        Self::Fail {
            expected: expected.into(),
            got: got.into(),
        }
    }

    /// A skip with a reason.
    pub fn skip(reason: impl Into<String>) -> Self {
        Self::Skip {
            reason: reason.into(),
        }
    }

    /// An error of the factory or the harness (not a contract violation).
    pub fn error(message: impl Into<String>) -> Self {
        Self::Error {
            message: message.into(),
        }
    }
}

impl From<FactoryError> for CaseError {
    /// The factory could not make a backend: an error, not a failure.
    fn from(error: FactoryError) -> Self {
        Self::error(error.to_string())
    }
}

impl From<DriverError> for CaseError {
    /// An unexpected driver error: the case expected the call to succeed.
    fn from(error: DriverError) -> Self {
        if error.kind() == driver_api::ErrorKind::NotSupported {
            // Cases run only when their features are declared.
            Self::fail(
                "Ok (the feature is declared: a declared capability never answers NotSupported)",
                describe_error(&error),
            )
        } else {
            Self::fail("Ok", describe_error(&error))
        }
    }
}

impl fmt::Display for CaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Fail { expected, got } => write!(f, "expected {expected}, got {got}"),
            Self::Skip { reason } => write!(f, "skipped: {reason}"),
            Self::Error { message } => write!(f, "error: {message}"),
        }
    }
}

/// Core cases hold for every backend; optional ones for a declared feature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// Every backend must pass it (mandatory methods, capability honesty).
    Core,
    /// Exercises an optional feature; skipped when the feature is not declared.
    Optional,
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Core => "core",
            Self::Optional => "optional",
        })
    }
}

/// How many hosts (backends) a case drives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Hosts {
    /// One backend.
    One,
    /// Two backends, distinct host names (migration cases).
    Two,
}

/// One case of the suite.
#[derive(Clone)]
pub struct Case {
    /// Stable id, `<area>::<case>`.
    pub id: String,
    /// Core or optional.
    pub tier: Tier,
    /// Features the backend must declare, else the case is skipped.
    pub needs: Vec<Feature>,
    /// Whether the case needs the backend's test hooks (crashing an instance).
    pub needs_hooks: bool,
    /// One or two hosts.
    pub hosts: Hosts,
    /// The contract methods the case exercises (for coverage and the support matrix).
    pub exercises: Vec<DriverMethod>,
    /// Whether the case runs long (a long sequence of calls, each of which
    /// may start a real guest): the runner starts such cases first, so that
    /// one of them does not end the run alone.
    pub long_running: bool,
    /// The body.
    pub body: CaseBody,
}

impl Case {
    /// The area: the part of the id before `::`.
    pub fn area(&self) -> &str {
        self.id.split("::").next().unwrap_or(&self.id)
    }

    /// The name: the part of the id after `::`.
    pub fn name(&self) -> &str {
        self.id.split_once("::").map_or(&*self.id, |(_, n)| n)
    }
}

impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Case")
            .field("id", &self.id)
            .field("tier", &self.tier)
            .field("needs", &self.needs)
            .field("hosts", &self.hosts)
            .field("exercises", &self.exercises)
            .finish_non_exhaustive()
    }
}

/// A case without its id: what each case constructor returns; the catalogue
/// gives it its id.
pub struct CaseSpec {
    tier: Option<Tier>,
    needs: Vec<Feature>,
    needs_hooks: bool,
    hosts: Hosts,
    exercises: Vec<DriverMethod>,
    long_running: bool,
    body: CaseBody,
}

impl CaseSpec {
    /// A one-host case with `body`; tier derived from its needs unless set.
    pub fn new<F>(body: F) -> Self
    where
        F: for<'a> Fn(&'a CaseContext) -> BoxFuture<'a, CaseResult> + Send + Sync + 'static,
    {
        Self {
            tier: None,
            needs: Vec::new(),
            needs_hooks: false,
            hosts: Hosts::One,
            exercises: Vec::new(),
            long_running: false,
            body: Arc::new(body),
        }
    }

    /// Declares the methods the body calls; their features become needs.
    pub fn exercises(mut self, methods: &[DriverMethod]) -> Self {
        for method in methods {
            if let Some(feature) = method.feature() {
                self = self.needs(&[feature]);
            }
        }
        self.covers(methods)
    }

    /// Declares methods the body calls whatever the capabilities (no needs added).
    pub fn covers(mut self, methods: &[DriverMethod]) -> Self {
        for method in methods {
            if !self.exercises.contains(method) {
                self.exercises.push(*method);
            }
        }
        self
    }

    /// Adds needed features.
    pub fn needs(mut self, features: &[Feature]) -> Self {
        for feature in features {
            if !self.needs.contains(feature) {
                self.needs.push(*feature);
            }
        }
        self
    }

    /// Needs the backend's test hooks.
    pub fn needs_hooks(mut self) -> Self {
        self.needs_hooks = true;
        self
    }

    /// Runs on two hosts.
    pub fn two_hosts(mut self) -> Self {
        self.hosts = Hosts::Two;
        self
    }

    /// Runs long: started before the others (see [`Case::long_running`]).
    pub fn long_running(mut self) -> Self {
        self.long_running = true;
        self
    }

    /// Forces the tier.
    pub fn tier(mut self, tier: Tier) -> Self {
        self.tier = Some(tier);
        self
    }

    /// The case, with its id.
    pub fn into_case(self, id: impl Into<String>) -> Case {
        let tier = self
            .tier
            .unwrap_or(if self.needs.is_empty() && !self.needs_hooks {
                Tier::Core
            } else {
                Tier::Optional
            });
        Case {
            id: id.into(),
            tier,
            needs: self.needs,
            needs_hooks: self.needs_hooks,
            hosts: self.hosts,
            exercises: self.exercises,
            long_running: self.long_running,
            body: self.body,
        }
    }
}
