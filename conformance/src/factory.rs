//! How the suite gets backends: a factory of fresh, isolated backends.

use std::sync::Arc;

use async_trait::async_trait;
use driver_api::{ComputeDriver, DriverResult, Instance};

/// A factory could not produce a backend.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FactoryError {
    /// The backend could not be created or connected.
    #[error("cannot create the backend: {0}")]
    Create(String),
}

/// What a backend offers beyond the contract, for cases that need it.
///
/// Test hooks reach states the trait cannot (a crashed guest). A backend
/// without them runs every case but those, which are skipped.
#[async_trait]
pub trait BackendHooks: Send + Sync {
    /// Crashes the guest: it goes `Crashed` and `Stopped` is emitted (the
    /// table's `crash` row).
    async fn crash(&self, instance: &Instance) -> DriverResult<()>;
}

/// One backend the factory made: the driver and its optional test hooks.
#[derive(Clone)]
pub struct Backend {
    /// The driver under test.
    pub driver: Arc<dyn ComputeDriver>,
    /// Test hooks into the same backend, if it has any.
    pub hooks: Option<Arc<dyn BackendHooks>>,
}

impl Backend {
    /// A backend without hooks.
    pub fn new(driver: Arc<dyn ComputeDriver>) -> Self {
        Self {
            driver,
            hooks: None,
        }
    }

    /// The same backend with test hooks.
    pub fn with_hooks(mut self, hooks: Arc<dyn BackendHooks>) -> Self {
        self.hooks = Some(hooks);
        self
    }
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backend")
            .field("driver", &self.driver.driver_name())
            .field("hooks", &self.hooks.is_some())
            .finish()
    }
}

/// Produces a fresh, isolated backend on every call.
///
/// The suite calls [`create_host`](Self::create_host) (by default
/// [`create`](Self::create)) once per case (twice for a two-host case, then
/// gives each backend its own host name through `init_host`), so no case sees
/// another's instances, events or claims.
///
/// ```
/// use std::sync::Arc;
/// use conformance::{Backend, BackendFactory, FactoryError};
///
/// struct MyFactory;
///
/// #[conformance::async_trait]
/// impl BackendFactory for MyFactory {
///     fn name(&self) -> String {
///         "my-backend".into()
///     }
///     async fn create(&self) -> Result<Backend, FactoryError> {
///         # let driver: Arc<dyn driver_api::ComputeDriver> = unimplemented!();
///         Ok(Backend::new(driver))
///     }
/// }
/// ```
#[async_trait]
pub trait BackendFactory: Send + Sync {
    /// The backend's name in reports.
    fn name(&self) -> String;

    /// A fresh backend, sharing nothing with those made before.
    async fn create(&self) -> Result<Backend, FactoryError>;

    /// A fresh backend for host `index` of a case (0: the first host, 1: the
    /// second host of a two-host case, the destination of its migrations).
    /// By default [`create`](Self::create) for every host; a factory whose
    /// hosts must be different hypervisors (live migration between two
    /// libvirt daemons) makes the second host's backend on the other one.
    async fn create_host(&self, index: usize) -> Result<Backend, FactoryError> {
        let _ = index;
        self.create().await
    }

    /// A fresh backend opened **read-only** whose host already holds every
    /// `seed` instance, `Running`, with its flavor claimed on the default
    /// node. `None` (the default) means the backend has no read-only mode; the
    /// read-only cases are then skipped. Whatever the seeding leaves behind is
    /// the factory's to clean up.
    async fn create_read_only(&self, seed: &[Instance]) -> Result<Option<Backend>, FactoryError> {
        let _ = seed;
        Ok(None)
    }

    /// A fresh backend whose mutating calls do not complete on their first
    /// poll (the work waits on something: latency, I/O), for the
    /// `cancellation` cases, which drop a call after that first poll and
    /// check the trait's rule that a future dropped before completion
    /// changes nothing. `None` (the default) means the backend cannot offer
    /// one; those cases are then skipped. A call that completes on its first
    /// poll anyway is judged as a completed call.
    async fn create_pending(&self) -> Result<Option<Backend>, FactoryError> {
        Ok(None)
    }
}

#[async_trait]
impl<T: BackendFactory + ?Sized> BackendFactory for Arc<T> {
    fn name(&self) -> String {
        (**self).name()
    }

    async fn create(&self) -> Result<Backend, FactoryError> {
        (**self).create().await
    }

    async fn create_host(&self, index: usize) -> Result<Backend, FactoryError> {
        (**self).create_host(index).await
    }

    async fn create_read_only(&self, seed: &[Instance]) -> Result<Option<Backend>, FactoryError> {
        (**self).create_read_only(seed).await
    }

    async fn create_pending(&self) -> Result<Option<Backend>, FactoryError> {
        (**self).create_pending().await
    }
}
