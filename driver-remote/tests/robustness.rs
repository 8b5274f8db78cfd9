//! A call dropped by its client leaves the served backend with no partial
//! state; a server that dies or stalls mid-call gives the client a typed
//! error, never a hang.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use conformance::{Backend, BackendFactory, FactoryError};
use driver_api::layer::DriverLayer;
use driver_api::{
    BlockDeviceInfo, ComputeDriver, DriverMethod, DriverResult, ErrorKind, Flavor, ImageMeta,
    Instance, InstanceInfo, RequestContext, ResourceAmounts, Secret, Vif,
};
use driver_fake::{FakeDriver, FaultLayer};
use driver_remote::client::RemoteDriver;
use driver_remote::endpoint::{connect, Endpoint, Listener};
use driver_remote::server::{routes, Registry};
use tokio::sync::{oneshot, Notify};
use uuid::Uuid;

/// Longer than any test runs: a call delayed this long only ends by being
/// dropped.
const STALL: Duration = Duration::from_secs(600);
/// The bound on waiting for what must happen.
const PATIENCE: Duration = Duration::from_secs(30);

/// Signals when a call reaches the backend and when its future ends.
#[derive(Debug, Default)]
struct Probe {
    entered: Notify,
    ended: Notify,
    completed: AtomicBool,
}

/// Notifies `ended` when the call's future goes, finished or dropped.
struct EndGuard(Arc<Probe>);

impl Drop for EndGuard {
    fn drop(&mut self) {
        self.0.ended.notify_one();
    }
}

/// The fake, with every `spawn` and `get_info` probed.
#[derive(Debug)]
struct Probed {
    inner: FaultLayer<FakeDriver>,
    probe: Arc<Probe>,
}

#[driver_api::async_trait]
impl DriverLayer for Probed {
    type Inner = FaultLayer<FakeDriver>;

    fn inner(&self) -> &FaultLayer<FakeDriver> {
        &self.inner
    }

    async fn spawn(
        &self,
        context: &RequestContext,
        instance: &Instance,
        image_meta: &ImageMeta,
        injected_files: &[driver_api::InjectedFile],
        admin_password: Option<Secret>,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
        power_on: bool,
    ) -> DriverResult<()> {
        let _guard = EndGuard(self.probe.clone());
        self.probe.entered.notify_one();
        let result = ComputeDriver::spawn(
            &self.inner,
            context,
            instance,
            image_meta,
            injected_files,
            admin_password,
            network_info,
            block_device_info,
            power_on,
        )
        .await;
        self.probe.completed.store(true, Ordering::SeqCst);
        result
    }

    async fn get_info(&self, instance: &Instance) -> DriverResult<InstanceInfo> {
        self.probe.entered.notify_one();
        ComputeDriver::get_info(&self.inner, instance).await
    }
}

/// Backends of one probed fake, slowed on `method`.
struct ProbedFactory {
    probe: Arc<Probe>,
    slow: DriverMethod,
}

#[conformance::async_trait]
impl BackendFactory for ProbedFactory {
    fn name(&self) -> String {
        "probed fake".into()
    }

    async fn create(&self) -> Result<Backend, FactoryError> {
        let inner = FaultLayer::new(FakeDriver::builder().build()).with_latency(self.slow, STALL);
        let probed = Probed {
            inner,
            probe: self.probe.clone(),
        };
        Ok(Backend::new(Arc::new(probed)))
    }
}

/// Serves a probed fake on a unix socket in `runtime`; returns its endpoint.
fn serve_in(
    runtime: &tokio::runtime::Runtime,
    dir: &tempfile::TempDir,
    probe: &Arc<Probe>,
    slow: DriverMethod,
) -> (Endpoint, oneshot::Sender<()>) {
    let endpoint = Endpoint::Unix(dir.path().join("compute.sock"));
    let factory = ProbedFactory {
        probe: probe.clone(),
        slow,
    };
    let (stop, stopped) = oneshot::channel::<()>();
    let bound = endpoint.clone();
    runtime.block_on(async move {
        let registry = Registry::new(Arc::new(factory)).await.expect("a fake");
        let listener = Listener::bind(&bound, None).await.expect("bound");
        tokio::spawn(listener.serve(routes(registry), async {
            let _ = stopped.await;
        }));
    });
    (endpoint, stop)
}

fn server_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime")
}

async fn client(endpoint: &Endpoint, deadline: Duration) -> RemoteDriver {
    let channel = connect(endpoint, None).await.expect("connected");
    RemoteDriver::attach(channel, None, deadline)
        .await
        .expect("described")
}

fn vm() -> Instance {
    Instance::new(Uuid::new_v4(), Flavor::m1_small()).with_name("vm-dropped")
}

async fn spawn(driver: &RemoteDriver, instance: &Instance) -> DriverResult<()> {
    driver
        .spawn(
            &RequestContext::admin(),
            instance,
            &ImageMeta::new("cirros"),
            &[],
            Some(Secret::new("hunter2")),
            &[],
            &BlockDeviceInfo::default(),
            true,
        )
        .await
}

#[test]
fn a_call_dropped_by_its_client_leaves_nothing() {
    let server = server_runtime();
    let dir = tempfile::tempdir().expect("a directory");
    let probe = Arc::new(Probe::default());
    let (endpoint, _stop) = serve_in(&server, &dir, &probe, DriverMethod::Spawn);
    let client_runtime = server_runtime();
    client_runtime.block_on(async {
        let shared = Arc::new(client(&endpoint, PATIENCE).await);
        let driver: &RemoteDriver = &shared;
        driver.init_host("compute").await.expect("init_host");
        let instance = vm();
        let call = {
            let (driver, instance) = (shared.clone(), instance.clone());
            tokio::spawn(async move { spawn(&driver, &instance).await })
        };
        tokio::time::timeout(PATIENCE, probe.entered.notified())
            .await
            .expect("the spawn never reached the backend");
        // The client goes away mid-call: the server must drop the backend's call.
        call.abort();
        tokio::time::timeout(PATIENCE, probe.ended.notified())
            .await
            .expect("the server kept running a call its client dropped");
        assert!(!probe.completed.load(Ordering::SeqCst));
        assert_eq!(driver.list_instances().await.ok(), Some(Vec::new()));
        assert_eq!(driver.instance_exists(&instance).await.ok(), Some(false));
        let used = driver
            .get_available_resource("fake-mini")
            .await
            .expect("resources")
            .used();
        assert_eq!(used, ResourceAmounts::default());
    });
}

#[test]
fn a_server_that_dies_mid_call_is_unavailable() {
    let server = server_runtime();
    let dir = tempfile::tempdir().expect("a directory");
    let probe = Arc::new(Probe::default());
    let (endpoint, _stop) = serve_in(&server, &dir, &probe, DriverMethod::GetInfo);
    let client_runtime = server_runtime();
    let driver = client_runtime.block_on(client(&endpoint, PATIENCE));
    let call = client_runtime.spawn(async move { driver.get_info(&vm()).await });
    client_runtime.block_on(async {
        tokio::time::timeout(PATIENCE, probe.entered.notified())
            .await
            .expect("the call never reached the backend");
    });
    // The server's process goes: every task and connection with it.
    server.shutdown_background();
    let answer = client_runtime.block_on(call).expect("joined");
    let error = answer.expect_err("a dead server answered");
    assert_eq!(error.kind(), ErrorKind::Unavailable, "{error}");
    assert!(error.is_retryable());
}

#[test]
fn a_server_that_never_answers_times_out() {
    let server = server_runtime();
    let dir = tempfile::tempdir().expect("a directory");
    let probe = Arc::new(Probe::default());
    let (endpoint, _stop) = serve_in(&server, &dir, &probe, DriverMethod::GetInfo);
    let client_runtime = server_runtime();
    let answer = client_runtime.block_on(async {
        let driver = client(&endpoint, Duration::from_millis(200)).await;
        driver.get_info(&vm()).await
    });
    let error = answer.expect_err("a stalled server answered");
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error}");
}
