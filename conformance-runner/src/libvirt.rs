//! [`LibvirtFactory`]: fresh, isolated libvirt backends for the conformance
//! suite (feature `libvirt`).
//!
//! - Tier 1, `LibvirtFactory::test()`: every backend is a private `test:///`
//!   hypervisor, in process.
//! - Tier 2, `LibvirtFactory::qemu(uri)`: every backend is a new connection to
//!   the libvirtd at `uri` with its own domain prefix (so backends never see
//!   each other's instances or claims), small TCG guests, and its domains
//!   destroyed when it is dropped.
//!
//! On a local QEMU libvirtd the backends offer the crash hook: the guest's QEMU
//! process is killed, which libvirt records as a crash.
//!
//! Read-only backends are seeded by a writable driver on the same hypervisor
//! (`test:///default` on tier 1, which is shared within the process) with the
//! same prefix; the read-only driver keeps the seeder alive, and the seeds are
//! destroyed when both go.

use std::sync::Arc;

use conformance::{Backend, BackendFactory, BackendHooks, FactoryError};
use driver_api::{BlockDeviceInfo, ComputeDriver, ImageMeta, Instance, RequestContext};
use uuid::Uuid;

use driver_libvirt::{LibvirtConfig, LibvirtDriver};

/// Makes libvirt backends for the suite; see the module docs.
#[derive(Clone, Debug, Default)]
pub struct LibvirtFactory {
    uri: Option<String>,
}

impl LibvirtFactory {
    /// Tier 1: private `test:///` hypervisors.
    pub fn test() -> Self {
        Self { uri: None }
    }

    /// Tier 2: connections to the libvirtd at `uri`.
    pub fn qemu(uri: impl Into<String>) -> Self {
        Self {
            uri: Some(uri.into()),
        }
    }

    /// The URI, if not `test:///`.
    pub fn uri(&self) -> Option<&str> {
        self.uri.as_deref()
    }

    fn config(&self, shared_test: bool) -> LibvirtConfig {
        let prefix = format!("hvd-{}-", &Uuid::new_v4().simple().to_string()[..12]);
        let config = match (&self.uri, shared_test) {
            (Some(uri), _) => LibvirtConfig::small_guests(uri.clone()),
            (None, true) => LibvirtConfig::for_uri("test:///default"),
            // Small enough (4 CPUs × 16 = 64 vCPUs) for the suite to fill it.
            (None, false) => LibvirtConfig::test().with_test_node(4, 16 * 1024),
        };
        config.with_prefix(prefix).with_purge_on_drop(true)
    }
}

/// The crash hook on local QEMU: [`LibvirtDriver::crash`] (kills QEMU).
struct CrashByKill {
    driver: LibvirtDriver,
}

#[conformance::async_trait]
impl BackendHooks for CrashByKill {
    async fn crash(&self, instance: &Instance) -> driver_api::DriverResult<()> {
        self.driver.crash(instance).await
    }
}

fn create_error(e: impl std::fmt::Display) -> FactoryError {
    FactoryError::Create(e.to_string())
}

#[conformance::async_trait]
impl BackendFactory for LibvirtFactory {
    fn name(&self) -> String {
        match &self.uri {
            None => "libvirt (test:///)".to_owned(),
            Some(uri) => format!("libvirt ({uri})"),
        }
    }

    async fn create(&self) -> Result<Backend, FactoryError> {
        let driver = LibvirtDriver::connect(self.config(false))
            .await
            .map_err(create_error)?;
        let backend = Backend::new(Arc::new(driver.clone()));
        Ok(if driver.can_crash() {
            backend.with_hooks(Arc::new(CrashByKill { driver }))
        } else {
            backend
        })
    }

    async fn create_read_only(&self, seed: &[Instance]) -> Result<Option<Backend>, FactoryError> {
        let config = self.config(true);
        let seeder = LibvirtDriver::connect(config.clone())
            .await
            .map_err(create_error)?;
        for instance in seed {
            seeder
                .spawn(
                    &RequestContext::default(),
                    instance,
                    &ImageMeta::new(instance.image_ref.clone()),
                    &[],
                    None,
                    &[],
                    &BlockDeviceInfo::default(),
                    true,
                )
                .await
                .map_err(create_error)?;
        }
        let read_only =
            LibvirtDriver::connect(config.with_read_only(true).with_purge_on_drop(false))
                .await
                .map_err(create_error)?
                .keeping_alive(&seeder);
        Ok(Some(Backend::new(Arc::new(read_only))))
    }
}
