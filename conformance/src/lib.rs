//! # conformance: does a backend honour the `ComputeDriver` contract?
//!
//! One registry of cases ([`registry`]), each with a stable id
//! `<area>::<case>`, a [`Tier`], the [`Feature`](driver_api::Feature)s it
//! needs and an async body over a [`CaseContext`]. A [`BackendFactory`] gives
//! every case a fresh, isolated backend (two for migration cases); everything
//! a case spawns is destroyed afterwards, pass or fail.
//!
//! Two front ends share the registry:
//!
//! - **In a backend's own tests**, one line generates one `#[test]` per case
//!   (`cargo test` lists and filters them; the backend needs no Tokio):
//!
//!   ```ignore
//!   // tests/conformance.rs
//!   conformance::suite!(my_backend::MyFactory::default());
//!   ```
//!
//!   `cargo test --test conformance nova::` runs Nova's scenarios only.
//!
//! - **The runner API** ([`run`]) runs the selected cases concurrently and
//!   returns a [`Report`], which renders as JSON ([`Report::to_json`]), JUnit
//!   XML ([`to_junit`]) and a support matrix ([`to_matrix`]). The
//!   `conformance-runner` binary is this API behind a command line; a backend
//!   outside this workspace can call it from its own binary (see
//!   `examples/minimal_backend.rs`).
//!
//! ## Verdicts
//!
//! [`Verdict::Pass`], [`Verdict::Fail`] (what was expected, what came back,
//! and the steps the case took), or [`Verdict::Skipped`] with the reason: a
//! feature the backend does not declare, or a test hook (crash) its factory
//! does not offer. A declared feature answering `NotSupported` fails; an
//! undeclared one answering anything but `NotSupported` fails too
//! (`capability::undeclared_*`).
#![forbid(unsafe_code)]

mod actions;
mod case;
mod catalogue;
pub mod checks;
mod context;
mod describe;
mod execute;
mod factory;
pub mod fixtures;
#[doc(hidden)]
pub mod harness;
mod invoke;
pub mod paths;
mod prelude;
mod report;
mod run;
mod verdict;

pub(crate) mod cases;

pub use actions::{lifecycle_method, show_events};
pub use async_trait::async_trait;
pub use case::{BoxFuture, Case, CaseBody, CaseError, CaseResult, CaseSpec, Hosts, Tier};
pub use catalogue::registry;
pub use context::CaseContext;
pub use describe::{describe_error, describe_result};
pub use execute::execute;
pub use factory::{Backend, BackendFactory, BackendHooks, FactoryError};
pub use harness::CaseFailed;
pub use report::{to_junit, to_matrix, Report, Summary};
pub use run::{run, run_async, select, RunOptions};
pub use verdict::{CaseReport, Verdict};

/// The Tokio the suite runs on, for backends that want the same one.
pub use tokio;

/// Generates one `#[test]` per case of the suite, each running the case on a
/// fresh backend from `$factory` (an expression evaluated in every test, of a
/// type implementing [`BackendFactory`]).
///
/// ```ignore
/// // tests/conformance.rs of a backend crate: the whole integration.
/// conformance::suite!(my_backend::MyFactory::default());
/// ```
///
/// Each area becomes a module and each case a test named like its id
/// (`nova::spawn`, `transition::pause_from_running`), so `cargo test nova::`
/// filters as usual. A skipped case passes and prints why.
#[macro_export]
macro_rules! suite {
    ($factory:expr) => {
        $crate::__with_catalogue!(suite($factory));
    };
}
