//! The command line: select cases, choose the backend, run, print, report.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use conformance::{BackendFactory, CaseReport, Report, RunOptions, Tier, Verdict};
use driver_api::Feature;
use driver_fake::NodeSize;

use crate::fake::FakeFactory;

/// Runs the conformance suite on a backend (the fake by default) and reports.
#[derive(Debug, Parser)]
#[command(name = "conformance-runner", version)]
pub struct Args {
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
    /// The backend to judge.
    #[arg(long, value_enum, default_value_t = BackendArg::Fake)]
    pub backend: BackendArg,
    /// libvirt URI for `--backend libvirt` (default: private `test:///` hypervisors).
    #[arg(long)]
    pub uri: Option<String>,
    /// Node size of the fake (Nova's presets).
    #[arg(long, value_enum, default_value_t = PresetArg::Default)]
    pub preset: PresetArg,
    /// Make the fake leave a feature undeclared (repeatable), e.g. `--without spice_console`.
    #[arg(long, value_name = "FEATURE")]
    pub without: Vec<String>,
    /// Write the JSON report here.
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Write the JUnit XML report here.
    #[arg(long, value_name = "PATH")]
    pub junit: Option<PathBuf>,
    /// Write the support matrix (Markdown) here.
    #[arg(long, value_name = "PATH")]
    pub matrix: Option<PathBuf>,
    /// Cases run at once.
    #[arg(long, default_value_t = 16)]
    pub jobs: usize,
    /// Seconds one case may take.
    #[arg(long, default_value_t = 60)]
    pub timeout: u64,
    /// Print failures and the summary only.
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

/// `--backend`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum BackendArg {
    /// The in-memory fake (`driver-fake`).
    Fake,
    /// libvirt (`driver-libvirt`; build with `--features libvirt`).
    Libvirt,
}

/// `--preset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PresetArg {
    /// 1000 vCPU, 800000 MiB, 600000 GiB.
    Default,
    /// 2 vCPU, 8192 MiB, 1028 GiB.
    Small,
    /// 10 vCPU, 8192 MiB, 1028 GiB.
    Medium,
}

impl Args {
    /// The run options these arguments select.
    pub fn options(&self) -> RunOptions {
        RunOptions {
            filters: self.filters.clone(),
            skip: self.skip.clone(),
            exact: self.exact,
            tier: self.tier.map(|t| match t {
                TierArg::Core => Tier::Core,
                TierArg::Optional => Tier::Optional,
            }),
            case_timeout: Duration::from_secs(self.timeout.max(1)),
            concurrency: self.jobs.max(1),
        }
    }

    /// The backend factory these arguments select.
    pub fn factory(&self) -> Result<Arc<dyn BackendFactory>, String> {
        match self.backend {
            BackendArg::Fake => {
                if self.uri.is_some() {
                    return Err("--uri applies to --backend libvirt".to_owned());
                }
                let size = match self.preset {
                    PresetArg::Default => NodeSize::Default,
                    PresetArg::Small => NodeSize::Small,
                    PresetArg::Medium => NodeSize::Medium,
                };
                let mut factory = FakeFactory::new().with_size(size);
                for name in &self.without {
                    let feature = Feature::from_name(name)
                        .ok_or_else(|| format!("unknown feature {name:?} for --without"))?;
                    factory = factory.without(feature);
                }
                Ok(Arc::new(factory))
            }
            BackendArg::Libvirt => {
                if self.preset != PresetArg::Default || !self.without.is_empty() {
                    return Err("--preset and --without apply to --backend fake".to_owned());
                }
                libvirt_factory(self.uri.as_deref())
            }
        }
    }
}

#[cfg(feature = "libvirt")]
fn libvirt_factory(uri: Option<&str>) -> Result<Arc<dyn BackendFactory>, String> {
    use driver_libvirt::factory::LibvirtFactory;
    Ok(match uri {
        None => Arc::new(LibvirtFactory::test()),
        Some(uri) => Arc::new(LibvirtFactory::qemu(uri)),
    })
}

#[cfg(not(feature = "libvirt"))]
fn libvirt_factory(_uri: Option<&str>) -> Result<Arc<dyn BackendFactory>, String> {
    Err(
        "this conformance-runner was built without libvirt support; rebuild with \
         `cargo run --release -p conformance-runner --features libvirt -- --backend libvirt` \
         (needs libvirt's C library, see README)"
            .to_owned(),
    )
}

fn progress_line(case: &CaseReport) -> String {
    match &case.verdict {
        Verdict::Pass => format!("test {} ... ok", case.id),
        Verdict::Fail { .. } => format!("test {} ... FAILED", case.id),
        Verdict::Skipped { reason } => format!("test {} ... skipped ({reason})", case.id),
    }
}

/// `declares every feature` or the undeclared ones, so skips make sense.
fn declared_line(report: &Report) -> String {
    let Some(capabilities) = report.capabilities else {
        return format!(
            "{}: capabilities unknown (the factory failed)",
            report.driver
        );
    };
    let undeclared: Vec<&str> = Feature::ALL
        .iter()
        .filter(|f| !capabilities.supports(**f))
        .map(|f| f.name())
        .collect();
    if undeclared.is_empty() {
        format!("{} declares every feature", report.driver)
    } else {
        format!(
            "{} does not declare: {}",
            report.driver,
            undeclared.join(", ")
        )
    }
}

fn write_reports(args: &Args, report: &Report) -> Result<(), String> {
    let write = |path: &PathBuf, text: String| {
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    if let Some(path) = &args.json {
        write(path, report.to_json())?;
    }
    if let Some(path) = &args.junit {
        write(path, conformance::to_junit(report))?;
    }
    if let Some(path) = &args.matrix {
        write(path, conformance::to_matrix(report))?;
    }
    Ok(())
}

/// Runs the runner with parsed arguments; returns the process exit code
/// (0: every case passed or was skipped, 1: a case failed, 2: a usage or I/O
/// error).
pub fn run(args: &Args) -> ExitCode {
    let options = args.options();
    if args.list {
        let cases = conformance::select(&options);
        for case in &cases {
            println!("{}: test", case.id);
        }
        println!("\n{} tests", cases.len());
        return ExitCode::SUCCESS;
    }
    let factory = match args.factory() {
        Ok(factory) => factory,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let selected = conformance::select(&options).len();
    println!("\nrunning {selected} cases on {}", factory.name());
    let quiet = args.quiet;
    let report = match conformance::run(factory, &options, |case| {
        if !quiet || case.verdict.is_fail() {
            println!("{}", progress_line(case));
        }
    }) {
        Ok(report) => report,
        Err(error) => {
            eprintln!("error: cannot start the runtime: {error}");
            return ExitCode::from(2);
        }
    };
    let failures: Vec<&CaseReport> = report.failures().collect();
    if !failures.is_empty() {
        println!("\nfailures:\n");
        for case in &failures {
            println!("---- {} ----\n{}", case.id, case.verdict);
        }
        println!("failures:");
        for case in &failures {
            println!("    {}", case.id);
        }
    }
    println!("\n{}", declared_line(&report));
    println!("{}", report.summary_line());
    if let Err(message) = write_reports(args, &report) {
        eprintln!("error: {message}");
        return ExitCode::from(2);
    }
    if report.is_success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
