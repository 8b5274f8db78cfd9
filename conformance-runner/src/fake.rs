//! The fake backend for the suite: a fresh [`FakeDriver`] per case, with its
//! crash hook, and read-only backends seeded through the fake's state export.

use std::sync::Arc;
use std::time::Duration;

use conformance::{Backend, BackendFactory, BackendHooks, FactoryError};
use driver_api::{
    BlockDeviceInfo, Capabilities, ComputeDriver, DriverMethod, DriverResult, Feature, ImageMeta,
    Instance, RequestContext,
};
use driver_fake::{FakeDriver, FakeDriverBuilder, FaultLayer, NodeSize};

/// The latency of every mutating call of the fake that
/// [`BackendFactory::create_pending`] makes.
pub const PENDING_LATENCY: Duration = Duration::from_millis(1);

/// Makes fake backends: Nova's node sizes, all or some capabilities.
#[derive(Clone, Debug)]
pub struct FakeFactory {
    size: NodeSize,
    capabilities: Capabilities,
    latency: Vec<(DriverMethod, Duration)>,
}

impl Default for FakeFactory {
    fn default() -> Self {
        Self {
            size: NodeSize::Default,
            capabilities: Capabilities::all(),
            latency: Vec::new(),
        }
    }
}

impl FakeFactory {
    /// Nova's default node size, every capability.
    pub fn new() -> Self {
        Self::default()
    }

    /// The same, with nodes of `size`.
    pub fn with_size(mut self, size: NodeSize) -> Self {
        self.size = size;
        self
    }

    /// The same, declaring `capabilities`.
    pub fn with_capabilities(mut self, capabilities: Capabilities) -> Self {
        self.capabilities = capabilities;
        self
    }

    /// The same, without `feature`.
    pub fn without(mut self, feature: Feature) -> Self {
        self.capabilities = self.capabilities.without(feature);
        self
    }

    /// The same, with every call of `method` delayed by `delay` (the suite
    /// must not depend on timing).
    pub fn with_latency(mut self, method: DriverMethod, delay: Duration) -> Self {
        self.latency.push((method, delay));
        self
    }

    /// A fake as this factory configures it (writable; its latencies are a
    /// layer, added by [`layered`](Self::layered)).
    pub fn build(&self) -> FakeDriver {
        self.builder().build()
    }

    fn builder(&self) -> FakeDriverBuilder {
        FakeDriver::builder()
            .node_size(self.size)
            .capabilities(self.capabilities)
    }

    /// `fake` as the suite drives it: under a [`FaultLayer`] with the
    /// factory's latencies, if it has any.
    pub fn layered(&self, fake: Arc<FakeDriver>) -> Arc<dyn ComputeDriver> {
        if self.latency.is_empty() {
            return fake;
        }
        let mut layer = FaultLayer::new(fake);
        for (method, delay) in &self.latency {
            layer = layer.with_latency(*method, *delay);
        }
        Arc::new(layer)
    }
}

/// The fake's crash hook (`FakeDriver::crash`), for a backend built on the
/// fake (the runner's factory, the suite's mutants).
#[derive(Debug)]
pub struct FakeHooks(pub Arc<FakeDriver>);

#[conformance::async_trait]
impl BackendHooks for FakeHooks {
    async fn crash(&self, instance: &Instance) -> DriverResult<()> {
        self.0.crash(instance.uuid)
    }
}

#[conformance::async_trait]
impl BackendFactory for FakeFactory {
    fn name(&self) -> String {
        format!("fake ({:?} nodes)", self.size)
    }

    async fn create(&self) -> Result<Backend, FactoryError> {
        let fake = Arc::new(self.build());
        Ok(Backend::new(self.layered(fake.clone())).with_hooks(Arc::new(FakeHooks(fake))))
    }

    /// The fake with [`PENDING_LATENCY`] on every mutating method: each such
    /// call waits before it changes anything, so its first poll is pending.
    async fn create_pending(&self) -> Result<Option<Backend>, FactoryError> {
        let fake = Arc::new(self.build());
        let mut layer = FaultLayer::new(fake.clone());
        for method in DriverMethod::ALL.iter().filter(|m| m.mutates()) {
            layer = layer.with_latency(*method, PENDING_LATENCY);
        }
        Ok(Some(
            Backend::new(Arc::new(layer)).with_hooks(Arc::new(FakeHooks(fake))),
        ))
    }

    /// Seeds a writable fake, exports its state and builds a read-only fake
    /// holding that state.
    async fn create_read_only(&self, seed: &[Instance]) -> Result<Option<Backend>, FactoryError> {
        let create = |e: &dyn std::fmt::Display| FactoryError::Create(e.to_string());
        let seeder = self.build();
        seeder
            .init_host(conformance::fixtures::HOST_A)
            .await
            .map_err(|e| create(&e))?;
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
        Ok(Some(Backend::new(self.layered(Arc::new(read_only)))))
    }
}
