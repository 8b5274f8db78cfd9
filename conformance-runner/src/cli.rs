//! The command line: choose the backend, then run
//! [`conformance::cli`]'s flags on it.

use std::path::PathBuf;
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
    /// A second libvirtd for `--backend libvirt --uri URI`: the second host of two-host
    /// cases runs there, and live migration between the two is declared and judged
    /// (`.ci/libvirtd.sh start-peer`).
    #[arg(long, value_name = "URI")]
    pub peer_uri: Option<String>,
    /// Node size of the fake (Nova's presets).
    #[arg(long, value_enum, default_value_t = PresetArg::Default)]
    pub preset: PresetArg,
    /// Make the fake leave a feature undeclared (repeatable), e.g. `--without spice_console`.
    #[arg(long, value_name = "FEATURE")]
    pub without: Vec<String>,
    /// The server for `--backend remote`: `unix:PATH` or `tcp:HOST:PORT` (TLS).
    #[arg(long, value_name = "ENDPOINT")]
    pub endpoint: Option<String>,
    /// PEM CA that signed the server's certificate (`tcp:` endpoints).
    #[arg(long, value_name = "PEM")]
    pub tls_ca: Option<PathBuf>,
    /// PEM client certificate, for a server that asks for one (mutual TLS).
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM key of `--tls-cert`.
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// The name on the server's certificate, when it is not the endpoint's host.
    #[arg(long, value_name = "NAME")]
    pub tls_domain: Option<String>,
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
        let remote_flags = self.endpoint.is_some()
            || self.tls_ca.is_some()
            || self.tls_cert.is_some()
            || self.tls_domain.is_some();
        if remote_flags && self.backend != BackendArg::Remote {
            return Err("--endpoint and --tls-* apply to --backend remote".to_owned());
        }
        match self.backend {
            BackendArg::Remote => self.remote_factory(),
            BackendArg::Fake => {
                if self.uri.is_some() {
                    return Err("--uri applies to --backend libvirt".to_owned());
                }
                if self.peer_uri.is_some() {
                    return Err("--peer-uri applies to --backend libvirt".to_owned());
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
                if self.peer_uri.is_some() && self.uri.is_none() {
                    return Err("--peer-uri needs --uri (the first libvirtd)".to_owned());
                }
                libvirt_factory(self.uri.as_deref(), self.peer_uri.as_deref())
            }
        }
    }
}

impl Args {
    fn remote_factory(&self) -> Result<Arc<dyn BackendFactory>, String> {
        use driver_remote::client::RemoteFactory;
        use driver_remote::endpoint::{ClientTls, Endpoint};

        if self.uri.is_some() || self.preset != PresetArg::Default || !self.without.is_empty() {
            return Err(
                "--uri, --preset and --without do not apply to --backend remote (the server chooses)"
                    .to_owned(),
            );
        }
        let endpoint: Endpoint = self
            .endpoint
            .as_deref()
            .ok_or("--backend remote needs --endpoint unix:PATH or tcp:HOST:PORT")?
            .parse()
            .map_err(|e| format!("{e}"))?;
        let mut factory = RemoteFactory::new(endpoint);
        if let Some(ca) = &self.tls_ca {
            let identity = self.tls_cert.as_deref().zip(self.tls_key.as_deref());
            let mut tls = ClientTls::from_files(ca, identity).map_err(|e| e.to_string())?;
            if let Some(domain) = &self.tls_domain {
                tls = tls.with_domain(domain.clone());
            }
            factory = factory.with_tls(tls);
        } else if self.tls_cert.is_some() || self.tls_domain.is_some() {
            return Err("--tls-cert and --tls-domain need --tls-ca".to_owned());
        }
        Ok(Arc::new(factory))
    }
}

#[cfg(feature = "libvirt")]
fn libvirt_factory(
    uri: Option<&str>,
    peer_uri: Option<&str>,
) -> Result<Arc<dyn BackendFactory>, String> {
    use crate::libvirt::LibvirtFactory;
    Ok(match (uri, peer_uri) {
        (None, _) => Arc::new(LibvirtFactory::test()),
        (Some(uri), None) => Arc::new(LibvirtFactory::qemu(uri)),
        (Some(uri), Some(peer)) => Arc::new(LibvirtFactory::qemu(uri).with_peer(peer)),
    })
}

#[cfg(not(feature = "libvirt"))]
fn libvirt_factory(
    _uri: Option<&str>,
    _peer_uri: Option<&str>,
) -> Result<Arc<dyn BackendFactory>, String> {
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
