//! The command line: choose the backend, then run
//! [`conformance::cli`]'s flags on it.

use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, ValueEnum};
use conformance::cli::RunArgs;
use conformance::BackendFactory;
use driver_api::Feature;
use driver_fake::NodeSize;

use crate::fake::FakeFactory;

/// Runs the conformance suite on a backend (the fake by default) and reports.
///
/// Every flag but the backend's is [`conformance::cli::RunArgs`], the same
/// command line a backend crate gets from `conformance::main!`.
#[derive(Debug, Parser)]
#[command(name = "conformance-runner", version)]
pub struct Args {
    /// The run: selection, reports, seed, concurrency.
    #[command(flatten)]
    pub run: RunArgs,
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
}

/// `--backend`: the table of backends, [`BackendKind`](crate::backends::BackendKind).
pub use crate::backends::BackendKind as BackendArg;

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
    use crate::libvirt::LibvirtFactory;
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

/// Runs the runner with parsed arguments; returns the process exit code
/// (0: every case passed or was skipped, 1: a case failed, 2: a case ended
/// in an error, or a usage or I/O error). The backend's flags are checked
/// first, with `--list` too.
pub fn run(args: &Args) -> ExitCode {
    match args.factory() {
        Ok(factory) => conformance::cli::run(factory, &args.run),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}
