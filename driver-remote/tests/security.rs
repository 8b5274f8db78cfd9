//! TCP is TLS only, mutual TLS refuses whoever lacks a certificate of the
//! right CA, and a unix socket is its owner's alone.

use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;

use driver_api::ComputeDriver;
use driver_remote::client::RemoteDriver;
use driver_remote::endpoint::{connect, ClientTls, Endpoint, EndpointError, Listener, ServerTls};
use driver_remote::fake::FakeSource;
use driver_remote::proto;
use driver_remote::proto::compute_driver_client::ComputeDriverClient;
use driver_remote::server::{routes, Registry};
use rcgen::ExtendedKeyUsagePurpose;
use tokio::sync::oneshot;

mod common;
use common::certs::Ca;

/// A fake served on a free loopback port; stops when the sender drops.
async fn serve(tls: Option<ServerTls>) -> Result<(Endpoint, oneshot::Sender<()>), EndpointError> {
    let registry = Registry::new(Arc::new(FakeSource::new()))
        .await
        .expect("a fake");
    let listener = Listener::bind(&"tcp:127.0.0.1:0".parse()?, tls).await?;
    let endpoint = listener.local_endpoint()?;
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(listener.serve(routes(registry), async {
        let _ = stopped.await;
    }));
    Ok((endpoint, stop))
}

/// Whether a client with `tls` gets an answer from the server at `endpoint`.
async fn answered(endpoint: &Endpoint, tls: &ClientTls) -> bool {
    let Ok(channel) = connect(endpoint, Some(tls)).await else {
        return false;
    };
    match RemoteDriver::connect(channel).await {
        Ok(driver) => driver.list_instances().await.is_ok(),
        Err(_) => false,
    }
}

fn mutual(server_ca: &Ca, client_ca: &Ca) -> ServerTls {
    let (cert, key) = server_ca.issue(ExtendedKeyUsagePurpose::ServerAuth);
    ServerTls::new(cert, key).with_client_ca(&client_ca.pem)
}

#[tokio::test]
async fn tls_serves_the_contract() {
    let ca = Ca::new("server ca");
    let (cert, key) = ca.issue(ExtendedKeyUsagePurpose::ServerAuth);
    let (endpoint, _stop) = serve(Some(ServerTls::new(cert, key)))
        .await
        .expect("served");
    let tls = ClientTls::new(&ca.pem).with_domain("localhost");
    let channel = connect(&endpoint, Some(&tls)).await.expect("connected");
    let driver = RemoteDriver::connect(channel).await.expect("described");
    driver.init_host("compute").await.expect("init_host");
    assert_eq!(
        driver.get_available_nodes(false).await.ok(),
        Some(vec!["fake-mini".to_owned()])
    );
}

#[tokio::test]
async fn mutual_tls_serves_a_client_of_its_ca() {
    let (server_ca, client_ca) = (Ca::new("server ca"), Ca::new("client ca"));
    let (endpoint, _stop) = serve(Some(mutual(&server_ca, &client_ca)))
        .await
        .expect("served");
    let (cert, key) = client_ca.issue(ExtendedKeyUsagePurpose::ClientAuth);
    let tls = ClientTls::new(&server_ca.pem)
        .with_domain("localhost")
        .with_identity(cert, key);
    assert!(answered(&endpoint, &tls).await);
}

#[tokio::test]
async fn mutual_tls_refuses_a_client_without_a_certificate() {
    let (server_ca, client_ca) = (Ca::new("server ca"), Ca::new("client ca"));
    let (endpoint, _stop) = serve(Some(mutual(&server_ca, &client_ca)))
        .await
        .expect("served");
    let tls = ClientTls::new(&server_ca.pem).with_domain("localhost");
    assert!(!answered(&endpoint, &tls).await);
}

#[tokio::test]
async fn mutual_tls_refuses_a_certificate_of_another_ca() {
    let (server_ca, client_ca) = (Ca::new("server ca"), Ca::new("client ca"));
    let (endpoint, _stop) = serve(Some(mutual(&server_ca, &client_ca)))
        .await
        .expect("served");
    let stranger = Ca::new("stranger ca");
    let (cert, key) = stranger.issue(ExtendedKeyUsagePurpose::ClientAuth);
    let tls = ClientTls::new(&server_ca.pem)
        .with_domain("localhost")
        .with_identity(cert, key);
    assert!(!answered(&endpoint, &tls).await);
}

#[tokio::test]
async fn a_client_refuses_a_server_of_another_ca() {
    let ca = Ca::new("server ca");
    let (cert, key) = ca.issue(ExtendedKeyUsagePurpose::ServerAuth);
    let (endpoint, _stop) = serve(Some(ServerTls::new(cert, key)))
        .await
        .expect("served");
    let impostor_trust = Ca::new("other ca");
    let tls = ClientTls::new(&impostor_trust.pem).with_domain("localhost");
    assert!(!answered(&endpoint, &tls).await);
}

#[tokio::test]
async fn a_plain_client_gets_nothing_from_a_tls_server() {
    let ca = Ca::new("server ca");
    let (cert, key) = ca.issue(ExtendedKeyUsagePurpose::ServerAuth);
    let (endpoint, _stop) = serve(Some(ServerTls::new(cert, key)))
        .await
        .expect("served");
    let Endpoint::Tcp { host, port } = &endpoint else {
        panic!("served on {endpoint}");
    };
    let plain = tonic::transport::Endpoint::from_shared(format!("http://{host}:{port}"))
        .expect("an address");
    let answer = match plain.connect().await {
        Ok(channel) => ComputeDriverClient::new(channel)
            .describe(proto::DescribeRequest {})
            .await
            .is_ok(),
        Err(_) => false,
    };
    assert!(!answer, "a plain-text client was answered");
}

#[tokio::test]
async fn tcp_without_tls_is_refused_on_both_sides() {
    let endpoint: Endpoint = "tcp:127.0.0.1:0".parse().expect("an endpoint");
    assert!(matches!(
        Listener::bind(&endpoint, None).await,
        Err(EndpointError::PlainTcp(_))
    ));
    assert!(matches!(
        connect(&endpoint, None).await,
        Err(EndpointError::PlainTcp(_))
    ));
}

#[tokio::test]
async fn a_unix_socket_is_its_owners_alone_and_goes_with_the_server() {
    let dir = tempfile::tempdir().expect("a directory");
    let path = dir.path().join("compute.sock");
    let endpoint = Endpoint::Unix(path.clone());
    let registry = Registry::new(Arc::new(FakeSource::new()))
        .await
        .expect("a fake");
    let listener = Listener::bind(&endpoint, None).await.expect("bound");
    let mode = std::fs::metadata(&path)
        .expect("the socket")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "socket mode {mode:o}");
    // Nothing else was left beside it.
    let entries: Vec<_> = std::fs::read_dir(dir.path()).expect("listing").collect();
    assert_eq!(entries.len(), 1);
    // An existing path is never replaced.
    assert!(matches!(
        Listener::bind(&endpoint, None).await,
        Err(EndpointError::Exists(_))
    ));
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(listener.serve(routes(registry), async {
        let _ = stopped.await;
    }));
    let channel = connect(&endpoint, None).await.expect("connected");
    let driver = RemoteDriver::connect(channel).await.expect("described");
    assert!(driver.list_instances().await.is_ok());
    drop(driver);
    let _ = stop.send(());
    server.await.expect("joined").expect("served");
    assert!(!path.exists(), "the socket file outlived its server");
}
