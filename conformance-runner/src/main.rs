//! The conformance runner binary; see the library docs for the flags.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = conformance_runner::cli::Args::parse();
    // Backends' and listeners' panics are caught and reported as failures by
    // the suite; keep the default hook from printing each one as well.
    std::panic::set_hook(Box::new(|_| {}));
    conformance_runner::cli::run(&args)
}
