//! The conformance runner binary; see the library docs for the flags.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // `RUST_LOG` honoured; a backend's panics (each reported by its case)
    // kept quiet, the runner's own printed.
    conformance::cli::init_process();
    let args = conformance_runner::cli::Args::parse();
    conformance_runner::cli::run(&args)
}
