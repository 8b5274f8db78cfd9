//! `--backend remote`: the runner judges whatever a `compute.v1` server
//! serves, and refuses flags that do not apply to it.

use std::sync::Arc;

use clap::Parser;
use conformance_runner::cli::{run, Args};
use driver_remote::endpoint::{Endpoint, Listener};
use driver_remote::fake::FakeSource;
use driver_remote::server::{routes, Registry};

fn parse(argv: &[&str]) -> Args {
    Args::try_parse_from(std::iter::once("conformance-runner").chain(argv.iter().copied()))
        .expect("arguments")
}

#[test]
fn remote_flags_are_checked() {
    let needs_endpoint = parse(&["--backend", "remote"]).factory().err();
    assert!(needs_endpoint.is_some_and(|e| e.contains("--endpoint")));
    let bad_endpoint = parse(&["--backend", "remote", "--endpoint", "http://x"]).factory();
    assert!(bad_endpoint.is_err());
    let fake_with_endpoint = parse(&["--endpoint", "unix:/tmp/x.sock"]).factory().err();
    assert!(fake_with_endpoint.is_some_and(|e| e.contains("--backend remote")));
    let preset = parse(&[
        "--backend",
        "remote",
        "--endpoint",
        "unix:/x",
        "--preset",
        "small",
    ]);
    assert!(preset.factory().is_err());
    let plain_tcp = parse(&["--backend", "remote", "--endpoint", "tcp:127.0.0.1:1"]);
    // Accepted here; the connection itself refuses TCP without TLS.
    assert!(plain_tcp.factory().is_ok());
}

#[test]
fn the_runner_judges_a_served_fake() {
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime");
    let dir = tempfile::tempdir().expect("a directory");
    let path = dir.path().join("compute.sock");
    let endpoint = Endpoint::Unix(path.clone());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    server.block_on(async {
        let registry = Registry::new(Arc::new(FakeSource::new()))
            .await
            .expect("a fake");
        let listener = Listener::bind(&endpoint, None).await.expect("bound");
        tokio::spawn(listener.serve(routes(registry), async {
            let _ = stopped.await;
        }));
    });
    let endpoint = format!("unix:{}", path.display());
    let args = parse(&[
        "--backend",
        "remote",
        "--endpoint",
        &endpoint,
        "-q",
        "nova::",
    ]);
    assert_eq!(run(&args), std::process::ExitCode::SUCCESS);
    let _ = stop.send(());
}
