//! `compute-serve`: a backend behind a `compute.v1` endpoint.
//!
//! ```text
//! compute-serve --listen unix:/run/compute.sock
//! compute-serve --listen unix:/run/compute.sock --backend libvirt   # feature libvirt: test:///
//! compute-serve --listen tcp:0.0.0.0:7070 --tls-cert server.pem --tls-key server.key \
//!     --tls-client-ca clients-ca.pem --preset small --nodes 4
//! ```
//!
//! Prints `listening on ENDPOINT` once bound; stops on SIGINT or SIGTERM,
//! removing its socket file.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, ValueEnum};
use conformance::BackendFactory;
use driver_api::{Capabilities, Feature};
use driver_fake::NodeSize;
use driver_remote::endpoint::{Endpoint, Listener, ServerTls};
use driver_remote::fake::FakeSource;
use driver_remote::server::{routes, Registry};

/// Serves a ComputeDriver backend over gRPC (package compute.v1).
#[derive(Debug, Parser)]
#[command(name = "compute-serve", version)]
struct Args {
    /// Where to listen: unix:PATH (created mode 0600) or tcp:HOST:PORT (TLS only).
    #[arg(long)]
    listen: Endpoint,
    /// The backend.
    #[arg(long, value_enum, default_value_t = BackendKind::Fake)]
    backend: BackendKind,
    /// The libvirtd each libvirt backend connects to (default: a private
    /// `test:///` hypervisor per backend).
    #[arg(long)]
    uri: Option<String>,
    /// The fake's node size (Nova's presets).
    #[arg(long, value_enum, default_value_t = Preset::Default)]
    preset: Preset,
    /// How many nodes each fake backend manages (until init_host).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=4096))]
    nodes: u16,
    /// Leave a feature undeclared (repeatable): spice_console, pause, ...
    #[arg(long = "without", value_parser = parse_feature)]
    without: Vec<Feature>,
    /// PEM certificate (chain) of the server, for tcp:.
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// PEM private key of the server, for tcp:.
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// PEM CA whose certificates clients must present (mutual TLS).
    #[arg(long, requires = "tls_cert")]
    tls_client_ca: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum BackendKind {
    /// The in-memory fake (driver-fake).
    Fake,
    /// libvirt (driver-libvirt); needs the binary built with feature `libvirt`.
    Libvirt,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Preset {
    /// Nova's FakeDriver: 1000 vCPU, 800000 MiB, 600000 GiB.
    Default,
    /// Nova's SmallFakeDriver.
    Small,
    /// Nova's MediumFakeDriver.
    Medium,
}

fn parse_feature(name: &str) -> Result<Feature, String> {
    Feature::from_name(name).ok_or_else(|| format!("unknown feature {name:?}"))
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("compute-serve: cannot start a Tokio runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("compute-serve: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let size = match args.preset {
        Preset::Default => NodeSize::Default,
        Preset::Small => NodeSize::Small,
        Preset::Medium => NodeSize::Medium,
    };
    let capabilities = args
        .without
        .iter()
        .fold(Capabilities::all(), |caps, feature| caps.without(*feature));
    let factory: Arc<dyn BackendFactory> = match args.backend {
        BackendKind::Fake => Arc::new(
            FakeSource::new()
                .with_size(size)
                .with_nodes(usize::from(args.nodes))
                .with_capabilities(capabilities),
        ),
        BackendKind::Libvirt => libvirt(args.uri.as_deref())?,
    };
    if args.uri.is_some() && !matches!(args.backend, BackendKind::Libvirt) {
        return Err("--uri applies to --backend libvirt".into());
    }
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(ServerTls::from_files(
            cert,
            key,
            args.tls_client_ca.as_deref(),
        )?),
        _ => None,
    };
    let registry = Registry::new(factory).await?;
    let listener = Listener::bind(&args.listen, tls).await?;
    println!("listening on {}", listener.local_endpoint()?);
    listener.serve(routes(registry), shutdown()).await?;
    Ok(())
}

/// Libvirt backends: connections to `uri`, or private `test:///` hypervisors.
#[cfg(feature = "libvirt")]
fn libvirt(uri: Option<&str>) -> Result<Arc<dyn BackendFactory>, Box<dyn std::error::Error>> {
    Ok(Arc::new(match uri {
        Some(uri) => conformance_runner::LibvirtFactory::qemu(uri),
        None => conformance_runner::LibvirtFactory::test(),
    }))
}

/// Without feature `libvirt`: a refusal that says how to get it.
#[cfg(not(feature = "libvirt"))]
fn libvirt(_uri: Option<&str>) -> Result<Arc<dyn BackendFactory>, Box<dyn std::error::Error>> {
    Err("--backend libvirt needs compute-serve built with feature libvirt".into())
}

/// Completes on SIGINT or SIGTERM.
async fn shutdown() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut terminate) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
