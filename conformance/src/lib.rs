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
//! whole backend in 133 lines that passes the core tier), then any of:
//!
//! - **one line in your crate's tests** ([`suite!`], in a `harness = false`
//!   test target) — one libtest test per case, listed and filtered by `cargo
//!   test` as usual, no Tokio needed on your side:
//!
//!   ```ignore
//!   // tests/conformance.rs
//!   conformance::suite!(my_backend::MyFactory::default());
//!   ```
//!
//!   `cargo test --test conformance nova::` runs Nova's scenarios only;
//!   `cargo test --test conformance -- --exact transition::pause_from_running`
//!   one cell. A case that does not apply is reported *ignored* with its
//!   reason, never passed, and the skips are counted by reason.
//!
//! - **one line for a runner binary** (`conformance::main!`, feature `cli`): the whole
//!   command line of `conformance-runner` (filters, tiers, `--list`,
//!   `--json`, `--junit`, `--matrix`, `--seed`, `--fail-fast`, ...) for your
//!   backend; `examples/main_macro.rs` is one.
//!
//! - **the runner API** ([`run`]) from your own code: it runs the selected
//!   cases concurrently and returns an `io::Result<`[`Report`]`>`, which
//!   renders as JSON ([`Report::to_json`], schema: [`report_json_schema`]),
//!   JUnit XML ([`to_junit`]) and a support matrix ([`to_matrix`]). The
//!   `conformance-runner` binary is `cli` with the fake and libvirt built in.
//!
//! ## What the cases check
//!
//! | area | what |
//! |---|---|
//! | `nova` | every scenario of Nova's `test_virt_drivers.py` (64 current + Grizzly-only), asserting results (see [`nova_map`]) |
//! | `transition` | every cell of the transition table: reach the row's status by legal operations, apply the operation; after every step the answer and every observable equal the reference model's |
//! | `resources` | `*_used` equals the sum of the flavors after spawn, destroy, failures; `InsufficientResources` per dimension |
//! | `identity` | duplicate UUID or name, unknown instances (every per-instance method), failed spawns leave nothing, listings show every state |
//! | `events` | one event per change, in order, listener replacement, a listener calling back into the driver (no deadlock; the listener it registers gets the next event), a panicking listener contained |
//! | `idempotence` | repeat a call: same answer, no second event or claim |
//! | `volumes`, `interfaces`, `consoles`, `guest`, `host` | devices, consoles' preconditions, host actions, isolation of two backends |
//! | `migration` | cold (confirm, revert) and live (post, rollback, checks) between two hosts: moved exactly once |
//! | `capability` | an undeclared feature answers `NotSupported` (never `Ok`, never a panic), one case per feature; a declared one never does |
//! | `read_only` | every mutating method refused with `ReadOnly`, nothing changed |
//! | `bad_input` | values that break a `driver_api::validate` rule, and migration steps out of protocol: refused, nothing changed |
//! | `cancellation` | every step dropped after its first poll changes nothing |
//! | `secrets` | no password in the backend's `Debug` or in any error or value it returns |
//! | `matrix` | each precondition step from every reachable status and on an unknown instance, twice; consoles in every status; isolation of every step across two hosts; name reuse; compared with the model after every call |
//! | `model` | seeded random walks over the whole single-host method set with the reference model as oracle, shrunk on failure, bounded in steps and time |
//!
//! ## The reference model
//!
//! Every case outside `nova` (which keeps the assertions of Nova's own
//! tests) runs its steps on the backend and on a reference model of the
//! contract (plain, in memory, built on [`driver_api::transition`], each rule
//! citing the trait's doc), except the method sweep
//! `identity::unknown_instance_not_found`, the listener-registration cases of
//! `events` and the mutations `capability::declared_never_not_supported`
//! calls with sample arguments. After every step the answer and every
//! observable the backend declares, on every host, are compared with the
//! model's: a refusal must change nothing, a no-op emit nothing, a gone
//! instance be gone from every query.
//!
//! ## Verdicts
//!
//! [`Verdict::Pass`], [`Verdict::Fail`] (what was expected, what came back,
//! and the steps the case took), [`Verdict::Error`] (the factory or the
//! harness failed: the case judged nothing), or [`Verdict::Skipped`] with the
//! reason: a feature the backend does not declare, a test hook (crash) or a
//! read-only mode its factory does not offer. A declared feature answering
//! `NotSupported` fails; an undeclared one answering anything but
//! `NotSupported` fails too (`capability::undeclared_*`).
#![forbid(unsafe_code)]

mod actions;
mod case;
mod catalogue;
pub mod checks;
#[cfg(feature = "cli")]
pub mod cli;
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
pub use execute::{execute, execute_seeded};
pub use factory::{Backend, BackendFactory, BackendHooks, FactoryError};
pub use report::{
    report_json_schema, skip_table, to_junit, to_matrix, Environment, Report, Selection, Summary,
    REPORT_FORMAT_VERSION,
};
pub use run::{quiet_case_panics, run, run_async, select, RunOptions, CASE_THREAD};
pub use verdict::{CaseReport, Verdict};

/// The Tokio the suite runs on, for backends that want the same one.
pub use tokio;

/// A backend's own conformance runner in one line (feature `cli`): generates
/// a `main` with `conformance-runner`'s whole command line (the same code,
/// [`cli::main`]) over backends from `$factory`.
///
/// ```toml
/// # Cargo.toml of the backend crate
/// [dev-dependencies]
/// conformance = { version = "0.1", features = ["cli"] }
///
/// [[example]]          # or a [[bin]], with conformance in [dependencies]
/// name = "conformance"
/// ```
///
/// ```ignore
/// // examples/conformance.rs
/// conformance::main!(my_backend::MyFactory::default());
/// ```
///
/// `cargo run --example conformance -- nova:: --junit nova.xml --json
/// report.json --matrix matrix.md --seed 7 --fail-fast` then judges the
/// backend with every flag of the runner (`--help` lists them; exit code 0
/// pass, 1 failure, 2 error or usage error). `conformance/examples/main_macro.rs`
/// is a whole example.
#[cfg(feature = "cli")]
#[macro_export]
macro_rules! main {
    ($factory:expr) => {
        fn main() -> ::std::process::ExitCode {
            $crate::cli::main(::std::sync::Arc::new($factory))
        }
    };
}

/// The whole suite as a `cargo test` target: generates the `main` of a
/// `harness = false` test binary that runs every case on fresh backends from
/// `$factory` (an expression of a type implementing [`BackendFactory`]).
///
/// ```toml
/// # Cargo.toml of the backend crate
/// [dev-dependencies]
/// conformance = "0.1"
///
/// [[test]]
/// name = "conformance"
/// harness = false
/// ```
///
/// ```ignore
/// // tests/conformance.rs: the whole integration.
/// conformance::suite!(my_backend::MyFactory::default());
/// ```
///
/// Each case is a test named like its id (`nova::spawn`,
/// `transition::pause_from_running`), listed and filtered with libtest's
/// usual arguments (`cargo test --test conformance nova::`, `-- --exact`,
/// `--skip`, `--list`). A case that does not apply to the backend is
/// reported **ignored, with its reason** (`test nova::pause ... ignored
/// (needs pause, which my-backend does not declare)`), never as passed;
/// after libtest's summary line the skips are counted by reason. A failure
/// prints expected / got and the steps; an error (the factory failed) says
/// so. Without `harness = false` the target compiles but runs no case.
#[macro_export]
macro_rules! suite {
    ($factory:expr) => {
        fn main() -> ::std::process::ExitCode {
            $crate::harness::run_suite(::std::sync::Arc::new($factory))
        }
    };
}
