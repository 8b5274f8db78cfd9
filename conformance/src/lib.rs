//! # conformance: does a backend honour the `ComputeDriver` contract?
//!
//! One registry of cases ([`registry`]), each with a stable id
//! `<area>::<case>`, a [`Tier`], the [`Feature`](driver_api::Feature)s it
//! needs, the methods it exercises and an async body over a [`CaseContext`].
//! A [`BackendFactory`] gives every case a fresh, isolated backend (two for
//! migration cases, named `conformance-a` and `conformance-b` through
//! `init_host`); everything a case spawns is destroyed afterwards, pass or fail.
//!
//! ## Plugging a backend in
//!
//! Write a factory (see [`BackendFactory`]; `examples/minimal_backend.rs` is a
//! whole backend in about 150 lines that passes the core tier), then either:
//!
//! - **one line in your crate's tests** — one `#[test]` per case, listed and
//!   filtered by `cargo test` as usual, no Tokio needed on your side:
//!
//!   ```ignore
//!   // tests/conformance.rs
//!   conformance::suite!(my_backend::MyFactory::default());
//!   ```
//!
//!   `cargo test --test conformance nova::` runs Nova's scenarios only;
//!   `cargo test --test conformance -- --exact transition::pause_from_running`
//!   one cell. A skipped case passes and prints its reason (`--nocapture`).
//!
//! - **the runner API** ([`run`]) from your own binary: it runs the selected
//!   cases concurrently and returns a [`Report`], which renders as JSON
//!   ([`Report::to_json`]), JUnit XML ([`to_junit`]) and a support matrix
//!   ([`to_matrix`]). The `conformance-runner` binary is this API behind a
//!   command line, with the fake and libvirt built in.
//!
//! ## What the cases check
//!
//! | area | what |
//! |---|---|
//! | `nova` | every scenario of Nova's `test_virt_drivers.py` (64 current + Grizzly-only), asserting results (see [`nova_map`]) |
//! | `transition` | every cell of the transition table: reach the row's status by legal operations, apply the operation; after every step the answer and every observable equal the reference model's |
//! | `resources` | `*_used` equals the sum of the flavors after spawn, destroy, failures; `InsufficientResources` per dimension |
//! | `identity` | duplicate UUID or name, unknown instances (every per-instance method), failed spawns leave nothing, listings show every state |
//! | `events` | one event per change, in order, listener replacement, a panicking listener contained |
//! | `idempotence` | repeat a call: same answer, no second event or claim |
//! | `volumes`, `interfaces`, `consoles`, `host` | devices, consoles' preconditions, host actions, isolation of two backends |
//! | `migration` | cold (confirm, revert) and live (post, rollback, checks) between two hosts: moved exactly once |
//! | `capability` | an undeclared feature answers `NotSupported` (never `Ok`, never a panic), one case per feature; a declared one never does |
//! | `read_only` | every mutating method refused with `ReadOnly`, nothing changed |
//! | `secrets` | no password in the backend's `Debug` or in any error or value it returns |
//! | `matrix` | each precondition step from every reachable status and on an unknown instance, twice; consoles in every status; isolation of every step across two hosts; name reuse; compared with the model after every call |
//! | `model` | seeded random walks over the whole single-host method set with the reference model as oracle, shrunk on failure, bounded in steps and time |
//!
//! ## The reference model
//!
//! The cases of `transition`, `matrix`, `model` and the migration variants
//! run every step on the backend and on a reference model of the contract
//! (plain, in memory, built on [`driver_api::transition`], each rule citing
//! the trait's doc), then compare the answer and every observable the
//! backend declares, on every host, with the model's: a refusal must change
//! nothing, a no-op emit nothing, a gone instance be gone from every query.
//!
//! ## Verdicts
//!
//! [`Verdict::Pass`], [`Verdict::Fail`] (what was expected, what came back,
//! and the steps the case took), or [`Verdict::Skipped`] with the reason: a
//! feature the backend does not declare, a test hook (crash) or a read-only
//! mode its factory does not offer. A declared feature answering
//! `NotSupported` fails; an undeclared one answering anything but
//! `NotSupported` fails too (`capability::undeclared_*`).
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
mod model;
pub mod nova_map;
pub mod paths;
mod prelude;
mod report;
mod run;
mod snapshot;
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
