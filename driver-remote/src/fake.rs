//! The fake as `compute-serve` serves it: Nova's node sizes, any number of
//! nodes, every capability (or some), the crash hook, read-only backends
//! seeded through the fake's state export, and pending backends (the fake
//! with latency).

use std::sync::Arc;
use std::time::Duration;

use conformance::{Backend, BackendFactory, BackendHooks, FactoryError};
use driver_api::{
    BlockDeviceInfo, Capabilities, ComputeDriver, DriverMethod, DriverResult, ImageMeta, Instance,
    RequestContext,
};
use driver_fake::{FakeDriver, FakeDriverBuilder, FaultLayer, NodeSize};

/// The latency of every mutating call of a pending backend
/// ([`BackendFactory::create_pending`]). Longer than in process (the
/// runner's fake waits 1 ms): a call the client drops is cancelled only
/// when the stream's reset reaches the server, and the call must still be
/// waiting then, on a busy machine too.
pub const PENDING_LATENCY: Duration = Duration::from_millis(20);

/// The host a read-only backend's seed instances are spawned on (the suite's
/// first host).
const SEED_HOST: &str = conformance::fixtures::HOST_A;

/// Makes fake backends.
#[derive(Clone, Debug)]
pub struct FakeSource {
    size: NodeSize,
    nodes: usize,
    capabilities: Capabilities,
}

impl Default for FakeSource {
    fn default() -> Self {
        Self {
            size: NodeSize::Default,
            nodes: 1,
            capabilities: Capabilities::all(),
        }
    }
}

impl FakeSource {
    /// Nova's default node size, one node, every capability.
    pub fn new() -> Self {
        Self::default()
    }

    /// Nodes of `size`.
    pub fn with_size(mut self, size: NodeSize) -> Self {
        self.size = size;
        self
    }

    /// `nodes` nodes (at least one): `fake-mini` alone, or `fake-mini-1` to
    /// `fake-mini-N`; `init_host` then sets the node list as the contract
    /// says.
    pub fn with_nodes(mut self, nodes: usize) -> Self {
        self.nodes = nodes.max(1);
        self
    }

    /// Declaring `capabilities`.
    pub fn with_capabilities(mut self, capabilities: Capabilities) -> Self {
        self.capabilities = capabilities;
        self
    }

    fn builder(&self) -> FakeDriverBuilder {
        let builder = FakeDriver::builder()
            .node_size(self.size)
            .capabilities(self.capabilities);
        if self.nodes == 1 {
            builder
        } else {
            builder.nodes((1..=self.nodes).map(|n| format!("fake-mini-{n}")))
        }
    }
}

/// The fake's crash hook.
#[derive(Debug)]
struct Crash(Arc<FakeDriver>);

#[conformance::async_trait]
impl BackendHooks for Crash {
    async fn crash(&self, instance: &Instance) -> DriverResult<()> {
        self.0.crash(instance.uuid)
    }
}

#[conformance::async_trait]
impl BackendFactory for FakeSource {
    fn name(&self) -> String {
        format!("fake ({:?} nodes)", self.size)
    }

    async fn create(&self) -> Result<Backend, FactoryError> {
        let fake = Arc::new(self.builder().build());
        Ok(Backend::new(fake.clone()).with_hooks(Arc::new(Crash(fake))))
    }

    /// The fake with [`PENDING_LATENCY`] on every mutating method: each such
    /// call waits before it changes anything, so its first poll is pending.
    async fn create_pending(&self) -> Result<Option<Backend>, FactoryError> {
        let fake = Arc::new(self.builder().build());
        let layer = DriverMethod::ALL
            .iter()
            .filter(|method| method.mutates())
            .fold(FaultLayer::new(fake.clone()), |layer, method| {
                layer.with_latency(*method, PENDING_LATENCY)
            });
        Ok(Some(
            Backend::new(Arc::new(layer)).with_hooks(Arc::new(Crash(fake))),
        ))
    }

    async fn create_read_only(&self, seed: &[Instance]) -> Result<Option<Backend>, FactoryError> {
        let create = |e: &dyn std::fmt::Display| FactoryError::Create(e.to_string());
        let seeder = self.builder().build();
        seeder.init_host(SEED_HOST).await.map_err(|e| create(&e))?;
        for instance in seed {
            seeder
                .spawn(
                    &RequestContext::admin(),
                    instance,
                    &ImageMeta::new("cirros"),
                    &[],
                    None,
                    &[],
                    &BlockDeviceInfo::default(),
                    true,
                )
                .await
                .map_err(|e| create(&e))?;
        }
        let read_only = self
            .builder()
            .read_only(true)
            .build_with_state(seeder.export_state())
            .map_err(|e| create(&e))?;
        Ok(Some(Backend::new(Arc::new(read_only))))
    }
}
