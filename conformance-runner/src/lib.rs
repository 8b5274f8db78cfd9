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
//! Every backend meets the suite here: [`BackendKind`] is the table of
//! backends (the runner's `--backend`, the bench's too), [`FakeFactory`] and,
//! with feature `libvirt`, `LibvirtFactory` make them for the suite.
#![forbid(unsafe_code)]

pub mod backends;
pub mod cli;
pub mod fake;
#[cfg(feature = "libvirt")]
pub mod libvirt;

pub use backends::BackendKind;
pub use fake::{FakeFactory, FakeHooks, PENDING_LATENCY};
#[cfg(feature = "libvirt")]
pub use libvirt::LibvirtFactory;
