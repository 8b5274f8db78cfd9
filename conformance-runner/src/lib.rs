//! # conformance-runner: the suite on a chosen backend, from the command line
//!
//! `cargo run --release -p conformance-runner` runs every case on the fake and
//! prints one line per case and a summary; `--json`, `--junit` and
//! `--matrix` write the reports; `--backend libvirt` (built with the
//! `libvirt` feature) judges libvirt instead, and `--backend remote --endpoint
//! unix:PATH` any backend behind a `compute.v1` server (`driver-remote`). See [`cli::Args`] for every flag:
//! the backend's own, and [`conformance::cli::RunArgs`], the command line
//! every backend crate gets from `conformance::main!` (the same code).
//!
//! The library part offers the fake's [`FakeFactory`] to other crates' tests.
#![forbid(unsafe_code)]

pub mod cli;
pub mod fake;

pub use fake::{FakeFactory, FakeHooks, PENDING_LATENCY};
