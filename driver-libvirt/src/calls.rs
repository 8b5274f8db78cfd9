//! How the trait's calls reach libvirt: the capability and read-only checks
//! first, then the blocking work, on tokio's blocking pool or, for
//! `test:///`, right on the caller's thread.
//!
//! Every libvirt call blocks. Over a socket (QEMU under libvirtd) a call can
//! take milliseconds to seconds, so it runs on the blocking pool. libvirt's
//! `test:///` driver lives in this process and does no I/O: a per-instance
//! call takes a few microseconds, less than the two thread hand-offs of
//! `spawn_blocking`, which would otherwise bound every such call to some tens
//! of thousands per second. Those calls run inline, as a short section under
//! a std mutex would. Calls that walk every domain (listings, the by-name
//! lookups, which may list) take time in proportion to the number of domains
//! and still go to the pool.

use std::sync::Arc;

use driver_api::{DriverMethod, DriverResult, Instance};
use uuid::Uuid;

use crate::driver::LibvirtDriver;
use crate::hypervisor::{answer_as, backend_msg, Hypervisor, HypervisorKind, DRIVER_NAME};

/// Whether `method` may walk every domain of the hypervisor.
fn walks_every_domain(method: DriverMethod) -> bool {
    matches!(
        method,
        DriverMethod::ListInstances
            | DriverMethod::ListInstanceUuids
            | DriverMethod::BlockStats
            | DriverMethod::InterfaceStats
            | DriverMethod::GetDiagnostics
            | DriverMethod::GetInstanceDiskInfo
            | DriverMethod::GetAllBwCounters
            | DriverMethod::GetAllVolumeUsage
    )
}

impl LibvirtDriver {
    /// Runs `f` after the capability and read-only checks for `method`:
    /// inline on `test:///` (unless it walks every domain), else on the
    /// blocking pool.
    pub(crate) async fn run<T, F>(&self, method: DriverMethod, f: F) -> DriverResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Hypervisor) -> DriverResult<T> + Send + 'static,
    {
        method.admit(&self.caps, self.hv.config.read_only, DRIVER_NAME)?;
        let outcome = if self.hv.kind == HypervisorKind::Test && !walks_every_domain(method) {
            f(&self.hv)
        } else {
            let hv = Arc::clone(&self.hv);
            tokio::task::spawn_blocking(move || hv.supervised(method, f))
                .await
                .map_err(|e| backend_msg(method, e.to_string()))?
        };
        outcome.map_err(|error| answer_as(error, method))
    }

    /// [`run`](Self::run) for a call that needs only the instance's UUID.
    pub(crate) async fn run_on<T>(
        &self,
        method: DriverMethod,
        instance: &Instance,
        f: fn(&Hypervisor, Uuid) -> DriverResult<T>,
    ) -> DriverResult<T>
    where
        T: Send + 'static,
    {
        let uuid = instance.uuid;
        self.run(method, move |hv| f(hv, uuid)).await
    }

    /// [`run`](Self::run) for a call that names the instance by its libvirt
    /// domain name.
    pub(crate) async fn run_named<T>(
        &self,
        method: DriverMethod,
        instance_name: &str,
        f: fn(&Hypervisor, &str) -> DriverResult<T>,
    ) -> DriverResult<T>
    where
        T: Send + 'static,
    {
        let name = instance_name.to_owned();
        self.run(method, move |hv| f(hv, &name)).await
    }
}
