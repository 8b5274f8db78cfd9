//! [`FaultLayer`]: fault and latency injection over any backend.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use driver_api::layer::{CallSite, DriverLayer, Gate};
use driver_api::{
    ComputeDriver, DriverMethod, DriverResult, Instance, LiveMigrateData, LiveMigrationCallbacks,
    MigrationStatus, RequestContext,
};
use uuid::Uuid;

use crate::faults::{Fault, FaultInjector, FaultPreset, FaultSite};

/// Finds the UUID of an instance by name, for faults aimed at one instance
/// through the by-name methods (`block_stats`, `get_diagnostics`, ...).
type NameResolver<D> = Box<dyn Fn(&D, &str) -> Option<Uuid> + Send + Sync>;

/// A layer that injects the faults and latencies of its [`FaultInjector`]
/// into any backend, the fake, libvirt or a user's own: before a call reaches
/// the inner driver it waits out the method's latency (tokio time), then fails
/// if a fault fires, so a failed call never reaches the backend and leaves no
/// trace there. With nothing armed every call goes straight through.
///
/// A failed `live_migration` also calls the callbacks' `recover` with
/// [`MigrationStatus::Error`], as the contract asks of any failure of it.
///
/// ```
/// use driver_api::{DriverMethod, ErrorKind};
/// use driver_fake::{FakeDriver, Fault, FaultLayer};
/// let driver = FaultLayer::new(FakeDriver::new())
///     .with_fault(Fault::on(DriverMethod::Pause).error(ErrorKind::Timeout));
/// assert_eq!(driver.faults().pending(), 1);
/// ```
pub struct FaultLayer<D> {
    inner: D,
    faults: FaultInjector,
    names: Option<NameResolver<D>>,
}

impl<D: fmt::Debug> fmt::Debug for FaultLayer<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FaultLayer")
            .field("inner", &self.inner)
            .field("faults", &self.faults)
            .finish_non_exhaustive()
    }
}

impl<D: ComputeDriver> FaultLayer<D> {
    /// `inner` with nothing armed.
    pub fn new(inner: D) -> Self {
        Self {
            inner,
            faults: FaultInjector::default(),
            names: None,
        }
    }

    /// Aims faults for one instance at the by-name methods too, finding
    /// instances by name with `resolve`.
    pub fn resolving_names(
        mut self,
        resolve: impl Fn(&D, &str) -> Option<Uuid> + Send + Sync + 'static,
    ) -> Self {
        self.names = Some(Box::new(resolve));
        self
    }

    /// Adds a scripted failure.
    pub fn with_fault(self, fault: Fault) -> Self {
        self.faults.inject(fault);
        self
    }

    /// Delays every call of `method` by `delay` (tokio time).
    pub fn with_latency(self, method: DriverMethod, delay: Duration) -> Self {
        self.faults.set_latency(method, delay);
        self
    }

    /// Turns a fault preset on.
    pub fn with_preset(self, preset: FaultPreset) -> Self {
        self.faults.enable(preset);
        self
    }

    /// The faults, latencies and presets, changeable at any time.
    pub fn faults(&self) -> &FaultInjector {
        &self.faults
    }

    /// The wrapped driver.
    pub fn get_ref(&self) -> &D {
        &self.inner
    }

    /// The wrapped driver, unwrapped.
    pub fn into_inner(self) -> D {
        self.inner
    }

    fn site(&self, site: CallSite<'_>) -> FaultSite {
        let instance = site.instance.or_else(|| {
            let name = site.instance_name?;
            self.names.as_ref()?(&self.inner, name)
        });
        FaultSite {
            method: site.method,
            instance,
        }
    }
}

#[async_trait]
impl<D: ComputeDriver + fmt::Debug> DriverLayer for FaultLayer<D> {
    type Inner = D;

    fn inner(&self) -> &D {
        &self.inner
    }

    #[inline]
    fn intercept<'a>(&'a self, site: CallSite<'a>) -> Option<Gate<'a>> {
        if !self.faults.is_armed() {
            return None;
        }
        let site = self.site(site);
        Some(Box::pin(
            self.faults.before_armed(site, self.inner.driver_name()),
        ))
    }

    async fn live_migration(
        &self,
        context: &RequestContext,
        instance: &Instance,
        dest: &str,
        callbacks: Arc<dyn LiveMigrationCallbacks>,
        block_migration: bool,
        migrate_data: &LiveMigrateData,
    ) -> DriverResult<()> {
        if self.faults.is_armed() {
            let site = FaultSite {
                method: DriverMethod::LiveMigration,
                instance: Some(instance.uuid),
            };
            let gate = self.faults.before_armed(site, self.inner.driver_name());
            if let Err(error) = gate.await {
                callbacks
                    .recover(instance, dest, migrate_data, MigrationStatus::Error)
                    .await;
                return Err(error);
            }
        }
        self.inner
            .live_migration(
                context,
                instance,
                dest,
                callbacks,
                block_migration,
                migrate_data,
            )
            .await
    }
}
