//! The runner's command line as a library (feature `cli`): what
//! `conformance-runner` and every [`main!`](crate::main) binary run.
//!
//! [`RunArgs`] are the flags (filters, `--skip`, `--exact`, `--tier`,
//! `--list`, `--json`, `--junit`, `--matrix`, `--seed`, `--fail-fast`,
//! `--jobs`, `--timeout`, `--allow-empty`, `--color`, `-q`); [`run`] runs
//! them on a factory; [`main`] is the whole program. Exit codes: 0 when every
//! selected case passed or was skipped, 1 when a case failed (the backend
//! broke the contract), 2 when a case ended in an error (the factory or the
//! harness failed), on a usage error (including a selection of no case) or
//! when a report cannot be written.

mod console;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, ValueEnum};

use crate::case::Tier;
use crate::factory::BackendFactory;
use crate::report::Report;
use crate::run::{select, RunOptions};

pub use console::Console;

/// The flags of a conformance run, shared by `conformance-runner` and every
/// [`main!`](crate::main) binary (flatten them into a larger command line
/// with `#[command(flatten)]`).
#[derive(Clone, Debug, clap::Args)]
pub struct RunArgs {
    /// Run only cases whose id contains one of these (e.g. `nova::`, `transition::pause`).
    pub filters: Vec<String>,
    /// Skip cases whose id contains this (repeatable).
    #[arg(long, value_name = "FILTER")]
    pub skip: Vec<String>,
    /// Filters and skips match whole case ids.
    #[arg(long)]
    pub exact: bool,
    /// List the selected cases instead of running them.
    #[arg(long)]
    pub list: bool,
    /// Run only one tier.
    #[arg(long, value_enum)]
    pub tier: Option<TierArg>,
    /// Write the JSON report here.
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Write the JUnit XML report here.
    #[arg(long, value_name = "PATH")]
    pub junit: Option<PathBuf>,
    /// Write the support matrix (Markdown) here.
    #[arg(long, value_name = "PATH")]
    pub matrix: Option<PathBuf>,
    /// Base seed of the random walks: walk n uses seed + n - 1 (replay one
    /// with `--seed S model::random_walk_1 --exact`).
    #[arg(long, value_name = "SEED")]
    pub seed: Option<u64>,
    /// Start no case after the first failure or error.
    #[arg(long)]
    pub fail_fast: bool,
    /// Cases run at once (1 to 1024).
    #[arg(long, value_name = "N", default_value_t = 16,
          value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub jobs: u16,
    /// Seconds one case may take (1 to 86400).
    #[arg(long, value_name = "SECS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub timeout: u64,
    /// Accept a selection of no case (exit 0); without it, a filter that
    /// selects nothing is a usage error (exit 2).
    #[arg(long)]
    pub allow_empty: bool,
    /// Colour on the console (auto: on a terminal, unless `NO_COLOR` is set).
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
    /// Print failures, errors and the summary only.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `--tier`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TierArg {
    /// Cases every backend must pass.
    Core,
    /// Cases of optional features.
    Optional,
}

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    /// On a terminal, unless `NO_COLOR` is set (non-empty).
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The command line of a [`main!`](crate::main) binary: [`RunArgs`] alone.
#[derive(Debug, Parser)]
#[command(
    version,
    about = "Runs the ComputeDriver conformance suite on this backend and reports."
)]
pub struct SuiteCli {
    /// The run's flags.
    #[command(flatten)]
    pub run: RunArgs,
}

impl RunArgs {
    /// The run options these flags select.
    pub fn options(&self) -> RunOptions {
        RunOptions {
            filters: self.filters.clone(),
            skip: self.skip.clone(),
            exact: self.exact,
            tier: self.tier.map(|t| match t {
                TierArg::Core => Tier::Core,
                TierArg::Optional => Tier::Optional,
            }),
            case_timeout: Duration::from_secs(self.timeout),
            concurrency: usize::from(self.jobs),
            seed: self.seed,
            fail_fast: self.fail_fast,
        }
    }

    /// Why the selection is refused: it selects no case and `--allow-empty`
    /// was not given (a typo in a CI filter must not go green).
    fn empty_selection_error(&self, options: &RunOptions) -> Option<String> {
        if self.allow_empty || !select(options).is_empty() {
            return None;
        }
        Some(format!(
            "no case selected (filters {:?}, --skip {:?}{}{}); check the ids with --list, \
             or pass --allow-empty to accept an empty run",
            options.filters,
            options.skip,
            if options.exact { ", --exact" } else { "" },
            options
                .tier
                .map_or_else(String::new, |t| format!(", --tier {t}")),
        ))
    }
}

/// Runs the flags `args` on backends from `factory`: lists or runs the
/// selected cases, prints one line per case and a summary, writes the
/// reports; returns the exit code (see the [module docs](self)).
pub fn run(factory: Arc<dyn BackendFactory>, args: &RunArgs) -> ExitCode {
    let options = args.options();
    if let Some(message) = args.empty_selection_error(&options) {
        eprintln!("error: {message}");
        return ExitCode::from(2);
    }
    let console = Console::new(args.color, args.quiet);
    if args.list {
        let cases = select(&options);
        for case in &cases {
            println!("{}: test", case.id);
        }
        println!("\n{} tests", cases.len());
        return ExitCode::SUCCESS;
    }
    let selected = select(&options).len();
    println!("\nrunning {selected} cases on {}", factory.name());
    let mut progress = console.progress(selected);
    let report = match crate::run::run(factory, &options, |case| progress.case_done(case)) {
        Ok(report) => report,
        Err(error) => {
            eprintln!("error: cannot start the runtime: {error}");
            return ExitCode::from(2);
        }
    };
    console.summary(&report);
    if let Err(message) = write_reports(args, &report) {
        eprintln!("error: {message}");
        return ExitCode::from(2);
    }
    ExitCode::from(report.exit_code())
}

fn write_reports(args: &RunArgs, report: &Report) -> Result<(), String> {
    let write = |path: &PathBuf, text: String| {
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    if let Some(path) = &args.json {
        write(path, report.to_json())?;
    }
    if let Some(path) = &args.junit {
        write(path, crate::report::to_junit(report))?;
    }
    if let Some(path) = &args.matrix {
        write(path, crate::report::to_matrix(report))?;
    }
    Ok(())
}

/// Sets up the process as a runner: `tracing` events printed to stderr when
/// `RUST_LOG` is set (e.g. `RUST_LOG=driver_fake=debug`), and a panic hook
/// that stays quiet for panics on the threads cases run on (the backend's;
/// each becomes its case's failure with the panic's message) and prints
/// every other panic as usual (the runner's own bugs stay visible).
pub fn init_process() {
    if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_default_env() {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .with_ansi(!no_color && std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .try_init();
    }
    crate::run::quiet_case_panics();
}

/// The whole program of a [`main!`](crate::main) binary: [`init_process`],
/// parse [`SuiteCli`] from the process's arguments, [`run`].
pub fn main(factory: Arc<dyn BackendFactory>) -> ExitCode {
    init_process();
    let cli = SuiteCli::parse();
    run(factory, &cli.run)
}
