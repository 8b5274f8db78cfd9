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
//! process is killed, which libvirt records as a crash. On a peer started by
//! `.ci/libvirtd.sh start-peer` too: its QEMU pid files, in its own mount
//! namespace under `/run/libvirt/qemu`, are seen from outside under
//! `<statedir>/ns/run/qemu` (the statedir holds the socket, `run/libvirt-sock`);
//! a peer started otherwise offers no hook (the random two-host walks then
//! cannot crash a guest on it).
//!
//! Read-only backends are seeded by a writable driver on the same hypervisor
//! (`test:///default` on tier 1, which is shared within the process) with the
//! same prefix; the read-only driver keeps the seeder alive, and the seeds are
//! destroyed when both go.

use std::path::PathBuf;
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

    /// Where the peer's QEMU pid files are seen from here (see the module
    /// docs); `None` without a peer started by `.ci/libvirtd.sh start-peer`.
    fn peer_qemu_pid_dir(&self) -> Option<PathBuf> {
        self.peer.as_deref().and_then(start_peer_qemu_pid_dir)
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
                let mut config = LibvirtConfig::small_guests(here);
                if let Some(pid_dir) = on_peer.then(|| self.peer_qemu_pid_dir()).flatten() {
                    config.qemu_pid_dir = pid_dir;
                }
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
        Ok(
            if driver.can_crash() && (!on_peer || self.peer_qemu_pid_dir().is_some()) {
                backend.with_hooks(Arc::new(CrashByKill { driver }))
            } else {
                backend
            },
        )
    }
}

/// Where the peer's QEMU pid files are seen from here, if the peer was
/// started by `.ci/libvirtd.sh start-peer` (see the module docs): the
/// statedir is the parent of the directory of the URI's `socket`.
fn start_peer_qemu_pid_dir(peer_uri: &str) -> Option<PathBuf> {
    let (_, query) = peer_uri.split_once('?')?;
    let socket = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("socket="))?;
    let state = PathBuf::from(socket).parent()?.parent()?.to_path_buf();
    let pid_dir = state.join("ns").join("run").join("qemu");
    (state.join("peer").exists() && pid_dir.is_dir()).then_some(pid_dir)
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
        // Seeded on the node the suite's host serves (`init_host`, as the
        // fake's factory seeds), so the read-only driver, after its own
        // `init_host` of that name, claims the seeded instances there.
        seeder
            .init_host(conformance::fixtures::HOST_A)
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

#[cfg(test)]
mod tests {
    use super::start_peer_qemu_pid_dir;

    #[test]
    fn peer_pid_dir_follows_the_start_peer_layout() {
        let state = std::env::temp_dir().join(format!("peer-layout-{}", uuid::Uuid::new_v4()));
        let uri = format!("qemu:///system?socket={}/run/libvirt-sock", state.display());
        let pid_dir = state.join("ns/run/qemu");
        std::fs::create_dir_all(&pid_dir).unwrap();
        // No peer marker: not a peer's statedir.
        assert_eq!(start_peer_qemu_pid_dir(&uri), None);
        std::fs::write(state.join("peer"), "").unwrap();
        assert_eq!(start_peer_qemu_pid_dir(&uri), Some(pid_dir));
        assert_eq!(start_peer_qemu_pid_dir("qemu:///system"), None);
        assert_eq!(start_peer_qemu_pid_dir("qemu:///system?mode=x"), None);
        std::fs::remove_dir_all(&state).unwrap();
    }
}
