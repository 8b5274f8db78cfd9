//! [`LibvirtDriver`]: the value a caller holds, its connection and the
//! public methods beyond the contract (accessors for tests and diagnostics,
//! the `crash` test hook, `rescan`); the contract itself is in
//! `compute_driver.rs`.

use std::sync::Arc;

use driver_api::{Capabilities, DriverError, DriverMethod, DriverResult, Instance};
use uuid::Uuid;

use crate::capabilities;
use crate::config::LibvirtConfig;
use crate::hypervisor::{backend_msg, Hypervisor, HypervisorKind, DRIVER_NAME};

/// A [`ComputeDriver`](driver_api::ComputeDriver) over one libvirt connection.
///
/// Cheap to clone (the connection is shared). See the crate docs for the
/// mapping of each method to libvirt.
///
/// When the last clone is dropped, the driver stops listening to libvirt's
/// events, purges its domains if configured to, and removes its own work
/// directory unless a guest may still need it. If the driver's event worker is
/// handling an event at that moment, this runs on the worker a moment later
/// (after one libvirt call), not in the caller's `drop`.
#[derive(Clone, Debug)]
pub struct LibvirtDriver {
    pub(crate) hv: Arc<Hypervisor>,
    pub(crate) caps: Capabilities,
    /// Another connection this one keeps open (a read-only fixture keeps its
    /// seeding driver, so that the seeds live exactly as long as it does).
    pub(crate) companion: Option<Arc<Hypervisor>>,
}

impl LibvirtDriver {
    /// Opens the connection `config` describes (by default a private
    /// `test:///` hypervisor).
    pub async fn connect(config: LibvirtConfig) -> DriverResult<Self> {
        let hv = tokio::task::spawn_blocking(move || Hypervisor::open(config))
            .await
            .map_err(|e| backend_msg(DriverMethod::InitHost, e.to_string()))??;
        let caps = capabilities::for_connection(hv.kind, hv.is_local(), &hv.config);
        let hv = Arc::new(hv);
        hv.subscribe();
        Ok(Self {
            hv,
            caps,
            companion: None,
        })
    }

    /// The same driver, keeping `other` (and its connection) alive as long as
    /// it lives.
    pub fn keeping_alive(mut self, other: &LibvirtDriver) -> Self {
        self.companion = Some(Arc::clone(&other.hv));
        self
    }

    /// Whether the connection reached libvirt's `test:///` driver.
    pub fn is_test_driver(&self) -> bool {
        self.hv.kind == HypervisorKind::Test
    }

    /// The configuration the driver was opened with.
    pub fn config(&self) -> &LibvirtConfig {
        &self.hv.config
    }

    /// Where the driver keeps disks and console logs.
    pub fn work_dir(&self) -> &std::path::Path {
        &self.hv.work_dir
    }

    /// The libvirt domain name of an instance.
    pub fn domain_name(&self, uuid: Uuid) -> String {
        self.hv.domain_name(uuid)
    }

    /// The shared libvirt connection (for tests and diagnostics).
    pub fn connection(&self) -> Arc<virt::connect::Connect> {
        self.hv.conn()
    }

    /// Whether [`crash`](Self::crash) works here: QEMU under a libvirtd on
    /// this machine.
    pub fn can_crash(&self) -> bool {
        self.hv.kind == HypervisorKind::Qemu && self.hv.is_local()
    }

    /// Test hook: crashes the guest for real by killing its QEMU process;
    /// libvirt then reports it shut off because it crashed, which the driver
    /// reports as `Crashed`, and `Stopped` is emitted (the table's `crash`
    /// row). `NotSupported` where [`can_crash`](Self::can_crash) is false;
    /// `InvalidState` unless `Running` or `Paused`. (Not a contract method:
    /// its errors name `trigger_crash_dump`, the method closest to it.)
    pub async fn crash(&self, instance: &Instance) -> DriverResult<()> {
        if !self.can_crash() {
            return Err(DriverError::not_supported(
                DriverMethod::TriggerCrashDump,
                DRIVER_NAME,
            ));
        }
        let uuid = instance.uuid;
        let hv = Arc::clone(&self.hv);
        tokio::task::spawn_blocking(move || hv.crash(uuid))
            .await
            .map_err(|e| backend_msg(DriverMethod::TriggerCrashDump, e.to_string()))?
    }

    /// Rebuilds the driver's index of its domains from their metadata.
    ///
    /// The driver answers lookups, claims and flags from an index it builds
    /// when it connects and keeps in step with every change it makes; the
    /// records in the domains' metadata stay the truth. One driver value is
    /// meant to be the only writer for its prefix: if another driver changes
    /// instances under the same prefix, a listing picks up the domains it
    /// added or removed, and a rescan everything else (flags, claims).
    /// (Not a contract method: its errors name `list_instance_uuids`.)
    pub async fn rescan(&self) -> DriverResult<()> {
        let hv = Arc::clone(&self.hv);
        tokio::task::spawn_blocking(move || hv.rescan())
            .await
            .map_err(|e| backend_msg(DriverMethod::ListInstanceUuids, e.to_string()))?
    }
}
