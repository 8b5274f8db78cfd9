//! `CreateBackendRequest.pending`: the remote factory's `create_pending`
//! asks the server for a backend whose mutating calls stay pending at their
//! first poll; a server whose factory has none answers with no backend, and
//! a pending read-only backend is refused.

use std::sync::Arc;
use std::time::Duration;

use conformance::{Backend, BackendFactory, FactoryError};
use driver_api::{BlockDeviceInfo, Flavor, ImageMeta, Instance, RequestContext};
use driver_remote::client::RemoteFactory;
use driver_remote::endpoint::{connect, Endpoint, Listener};
use driver_remote::fake::FakeSource;
use driver_remote::proto::backend_factory_client::BackendFactoryClient;
use driver_remote::proto::CreateBackendRequest;
use driver_remote::server::{routes, Registry};
use tokio::sync::oneshot;
use uuid::Uuid;

/// The fake's plain backends only: no pending (nor read-only) mode.
#[derive(Debug)]
struct PlainOnly(FakeSource);

#[conformance::async_trait]
impl BackendFactory for PlainOnly {
    fn name(&self) -> String {
        "plain only".to_owned()
    }

    async fn create(&self) -> Result<Backend, FactoryError> {
        self.0.create().await
    }
}

/// Serves `factory` on a unix socket in `dir` until the sender is dropped.
async fn serve(
    factory: Arc<dyn BackendFactory>,
    dir: &tempfile::TempDir,
) -> (Endpoint, oneshot::Sender<()>) {
    let endpoint = Endpoint::Unix(dir.path().join("compute.sock"));
    let registry = Registry::new(factory).await.expect("a registry");
    let listener = Listener::bind(&endpoint, None).await.expect("bound");
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(listener.serve(routes(registry), async {
        let _ = stopped.await;
    }));
    (endpoint, stop)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pending_backend_crosses_the_wire_and_its_dropped_spawn_leaves_nothing() {
    let dir = tempfile::tempdir().expect("a directory");
    let (endpoint, _stop) = serve(Arc::new(FakeSource::new()), &dir).await;
    let factory = RemoteFactory::new(endpoint).with_connections(1);
    let backend = factory
        .create_pending()
        .await
        .expect("created")
        .expect("the server's fake offers a pending backend");
    let driver = backend.driver;
    driver.init_host("host-a").await.expect("init_host");
    let vm = Instance::new(Uuid::new_v4(), Flavor::m1_tiny()).with_name("pending-vm");
    let context = RequestContext::admin();
    let (image, devices) = (ImageMeta::new("cirros"), BlockDeviceInfo::default());
    let spawn = || driver.spawn(&context, &vm, &image, &[], None, &[], &devices, true);
    let first_poll = tokio::time::timeout(Duration::ZERO, spawn()).await;
    assert!(
        first_poll.is_err(),
        "the spawn was still pending: {first_poll:?}"
    );
    // Longer than the server's latency: a spawn that was not dropped would
    // have landed by now.
    tokio::time::sleep(driver_remote::fake::PENDING_LATENCY * 5).await;
    assert!(!driver.instance_exists(&vm).await.expect("asked"));
    assert!(driver.list_instances().await.expect("listed").is_empty());
    spawn().await.expect("spawned in full");
    assert!(driver.instance_exists(&vm).await.expect("asked"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_factory_without_a_pending_mode_offers_none_over_the_wire() {
    let dir = tempfile::tempdir().expect("a directory");
    let (endpoint, _stop) = serve(Arc::new(PlainOnly(FakeSource::new())), &dir).await;
    let factory = RemoteFactory::new(endpoint);
    assert!(factory.create_pending().await.expect("asked").is_none());
    assert!(factory
        .create_read_only(&[])
        .await
        .expect("asked")
        .is_none());
    assert!(factory.create().await.is_ok(), "a plain backend still");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pending_read_only_backend_is_refused() {
    let dir = tempfile::tempdir().expect("a directory");
    let (endpoint, _stop) = serve(Arc::new(FakeSource::new()), &dir).await;
    let channel = connect(&endpoint, None).await.expect("connected");
    let refused = BackendFactoryClient::new(channel)
        .create_backend(CreateBackendRequest {
            read_only: true,
            seed: Vec::new(),
            pending: true,
        })
        .await
        .expect_err("refused");
    assert_eq!(refused.code(), tonic::Code::InvalidArgument);
    assert!(
        refused.message().contains("pending"),
        "{}",
        refused.message()
    );
}
