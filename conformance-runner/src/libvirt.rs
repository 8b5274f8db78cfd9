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
//! - Tier 2 with a peer, `LibvirtFactory::qemu(uri).with_peer(peer_uri)`: the
//!   second host of a two-host case is a connection to the libvirtd at
//!   `peer_uri` (`.ci/libvirtd.sh start-peer`: another host on this machine),
//!   and every backend may live-migrate between the suite's two hosts
//!   (`conformance-a` at `uri`, `conformance-b` at `peer_uri`, the migration
//!   stream on 127.0.0.1), so live migration is declared and judged.
//!
//! On a local QEMU libvirtd the backends offer the crash hook: the guest's QEMU
//! process is killed, which libvirt records as a crash. (Not on the peer: its
//! QEMU pid files are inside its own mount namespace; the suite's crash cases
//! use one host.)
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
    peer: Option<String>,
}

impl LibvirtFactory {
    /// Tier 1: private `test:///` hypervisors.
    pub fn test() -> Self {
        Self {
            uri: None,
            peer: None,
        }
    }

    /// Tier 2: connections to the libvirtd at `uri`.
    pub fn qemu(uri: impl Into<String>) -> Self {
        Self {
            uri: Some(uri.into()),
            peer: None,
        }
    }

    /// The same, with the second host of two-host cases on the libvirtd at
    /// `peer_uri`, and live migration between the two (see the module docs).
    /// Ignored on tier 1.
    pub fn with_peer(mut self, peer_uri: impl Into<String>) -> Self {
        self.peer = Some(peer_uri.into());
        self
    }

    /// The peer's URI, if one is configured.
    pub fn peer(&self) -> Option<&str> {
        self.peer.as_deref()
    }

    /// The URI, if not `test:///`.
    pub fn uri(&self) -> Option<&str> {
        self.uri.as_deref()
    }

    fn config(&self, shared_test: bool, on_peer: bool) -> LibvirtConfig {
        let prefix = format!("hvd-{}-", &Uuid::new_v4().simple().to_string()[..12]);
        let config = match (&self.uri, shared_test) {
            (Some(uri), _) => {
                let here = match (&self.peer, on_peer) {
                    (Some(peer), true) => peer.clone(),
                    _ => uri.clone(),
                };
                let config = LibvirtConfig::small_guests(here);
                match &self.peer {
                    Some(peer) => config
                        .with_live_migration_peer(conformance::fixtures::HOST_A, uri.clone())
                        .with_live_migration_peer(conformance::fixtures::HOST_B, peer.clone())
                        .with_live_migration_uri("tcp://127.0.0.1"),
                    None => config,
                }
            }
            (None, true) => LibvirtConfig::for_uri("test:///default"),
            // Small enough (4 CPUs × 16 = 64 vCPUs) for the suite to fill it.
            (None, false) => LibvirtConfig::test().with_test_node(4, 16 * 1024),
        };
        config.with_prefix(prefix).with_purge_on_drop(true)
    }

    async fn backend(&self, on_peer: bool) -> Result<Backend, FactoryError> {
        let on_peer = on_peer && self.uri.is_some() && self.peer.is_some();
        let driver = LibvirtDriver::connect(self.config(false, on_peer))
            .await
            .map_err(create_error)?;
        let backend = Backend::new(Arc::new(driver.clone()));
        Ok(if driver.can_crash() && !on_peer {
            backend.with_hooks(Arc::new(CrashByKill { driver }))
        } else {
            backend
        })
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
        match (&self.uri, &self.peer) {
            (None, _) => "libvirt (test:///)".to_owned(),
            (Some(uri), None) => format!("libvirt ({uri})"),
            (Some(uri), Some(peer)) => format!("libvirt ({uri}, peer {peer})"),
        }
    }

    async fn create(&self) -> Result<Backend, FactoryError> {
        self.backend(false).await
    }

    async fn create_host(&self, index: usize) -> Result<Backend, FactoryError> {
        self.backend(index == 1).await
    }

    async fn create_read_only(&self, seed: &[Instance]) -> Result<Option<Backend>, FactoryError> {
        let config = self.config(true, false);
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
