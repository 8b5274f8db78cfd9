//! The issue's bar, through the real binaries' code paths: the runner
//! (`conformance-runner --backend remote`) judges a `compute-serve --backend
//! fake` process over a unix socket and over mutual TLS, and every case ends
//! as it ends on the fake in process: the same cases pass, the same are
//! skipped, none fails. That includes the cancellation case, on the pending
//! backend the server's factory offers (`CreateBackendRequest.pending`: the
//! fake with latency): calls dropped after their first poll over the wire
//! leave nothing behind.

use std::path::Path;

use rcgen::ExtendedKeyUsagePurpose;

mod common;
use common::certs::Ca;
use common::served::ComputeServe;
use common::verdicts::{count, differences, verdicts, Verdicts};

/// The case that needs a pending backend (`create_pending`), which the
/// remote factory asks of the server.
const NEEDS_PENDING_BACKEND: &str = "cancellation::dropped_calls_change_nothing";

/// The remote run's verdicts equal the in-process fake's, case by case (so
/// the passed and skipped counts are equal too), the cancellation case
/// passed on both, and nothing failed.
fn assert_as_in_process(remote: &Verdicts, dir: &Path) {
    let in_process = verdicts(&["--backend", "fake"], dir, "in-process.json");
    assert_eq!(
        differences(remote, &in_process),
        Vec::<String>::new(),
        "verdicts that differ"
    );
    assert_eq!(
        (count(remote, "pass"), count(remote, "skipped")),
        (count(&in_process, "pass"), count(&in_process, "skipped")),
        "(passed, skipped): remote, in process"
    );
    assert_eq!(
        remote.get(NEEDS_PENDING_BACKEND).map(String::as_str),
        Some("pass"),
        "the cancellation case ran over the wire"
    );
    assert!(remote.values().all(|v| v == "pass" || v == "skipped"));
}

#[test]
fn the_runner_passes_the_served_fake_over_a_unix_socket() {
    let dir = tempfile::tempdir().expect("a directory");
    let socket = dir.path().join("compute.sock");
    let listen = format!("unix:{}", socket.display());
    let server = ComputeServe::start(&["--backend", "fake", "--listen", &listen]);
    let endpoint = server.endpoint.to_string();
    let remote = verdicts(
        &["--backend", "remote", "--endpoint", &endpoint],
        dir.path(),
        "remote.json",
    );
    assert_as_in_process(&remote, dir.path());
}

#[test]
fn the_runner_passes_the_served_fake_over_mutual_tls() {
    let dir = tempfile::tempdir().expect("a directory");
    let (server_ca, client_ca) = (Ca::new("server ca"), Ca::new("client ca"));
    let (server_cert, server_key) = server_ca.issue(ExtendedKeyUsagePurpose::ServerAuth);
    let (client_cert, client_key) = client_ca.issue(ExtendedKeyUsagePurpose::ClientAuth);
    let write = |name: &str, pem: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, pem).expect("a PEM file");
        path.to_str().expect("a UTF-8 path").to_owned()
    };
    let server_cert = write("server.pem", &server_cert);
    let server_key = write("server.key", &server_key);
    let clients_ca = write("clients-ca.pem", &client_ca.pem);
    let servers_ca = write("servers-ca.pem", &server_ca.pem);
    let client_cert = write("client.pem", &client_cert);
    let client_key = write("client.key", &client_key);
    let server = ComputeServe::start(&[
        "--backend",
        "fake",
        "--listen",
        "tcp:127.0.0.1:0",
        "--tls-cert",
        &server_cert,
        "--tls-key",
        &server_key,
        "--tls-client-ca",
        &clients_ca,
    ]);
    let endpoint = server.endpoint.to_string();
    let remote = verdicts(
        &[
            "--backend",
            "remote",
            "--endpoint",
            &endpoint,
            "--tls-ca",
            &servers_ca,
            "--tls-cert",
            &client_cert,
            "--tls-key",
            &client_key,
            "--tls-domain",
            "localhost",
        ],
        dir.path(),
        "remote.json",
    );
    assert_as_in_process(&remote, dir.path());
}
