//! The synchronous core: one libvirt connection and what the driver keeps
//! beside it. Every method here blocks; the async trait impl calls them through
//! `spawn_blocking`.

use std::path::PathBuf;
use std::sync::{Arc, MutexGuard, RwLock};
use std::time::{Duration, Instant};

use driver_api::{
    transition, DriverError, DriverMethod, DriverResult, EventSlot, InstanceInfo, InstanceStatus,
    LifecycleEvent, LifecycleOperation, LifecycleTransition, PowerState,
};
use uuid::Uuid;
use virt::connect::Connect;
use virt::domain::{Domain, DomainInfo, DomainShutoffReason, DomainState, DomainStateReason};
use virt::enumutil::Enum;
use virt::error::Error as VirtError;
use virt::sys;

use crate::config::LibvirtConfig;
use crate::connection::{Availability, Connection};
use crate::domains::is_no_domain;
use crate::events::Watch;
use crate::index::{DomainIndex, Flags};
use crate::live::LiveState;
use crate::locks::{self, CatalogAndInstance, DriverLocks};
use crate::record::InstanceRecord;

/// The name the driver reports in `NotSupported`, `ReadOnly` and `Backend` errors.
pub const DRIVER_NAME: &str = "libvirt";

/// Which libvirt driver the connection reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HypervisorKind {
    /// libvirt's in-process `test:///` driver: no devices, no consoles.
    Test,
    /// QEMU (TCG or KVM) under libvirtd.
    Qemu,
    /// Anything else: only the lifecycle is offered.
    Other,
}

/// One connection plus the driver's own per-driver state.
pub struct Hypervisor {
    /// The supervised connection (see [`crate::connection`]).
    link: Connection,
    /// What it reached.
    pub kind: HypervisorKind,
    /// The configuration the driver was opened with.
    pub config: LibvirtConfig,
    /// Where disks and logs go.
    pub work_dir: PathBuf,
    owns_work_dir: bool,
    /// The hypervisor's host name.
    pub host_name: String,
    /// The managed nodes (`init_host` replaces them).
    pub nodes: RwLock<Vec<String>>,
    /// The one lifecycle-event listener.
    pub events: EventSlot,
    locks: DriverLocks,
    /// The driver's index of its domains (see [`crate::domains`]).
    pub(crate) index: RwLock<DomainIndex<Domain>>,
    /// libvirt's domain events and what was announced (see [`crate::events`]).
    pub(crate) watch: Watch,
    /// Live migrations in flight, both ways (see [`crate::live`]).
    pub(crate) live: LiveState,
}

impl std::fmt::Debug for Hypervisor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hypervisor")
            .field("kind", &self.kind)
            .field("uri", &self.config.uri)
            .field("work_dir", &self.work_dir)
            .finish_non_exhaustive()
    }
}

impl Drop for Hypervisor {
    fn drop(&mut self) {
        // No event about our own purge; the worker thread ends.
        self.unsubscribe();
        // Whether no domain of ours can still need a disk in the work directory.
        let released = if self.kind == HypervisorKind::Test || self.config.read_only {
            // libvirt's test driver keeps no disk files, and a read-only driver writes none:
            // nothing in the directory backs a guest.
            true
        } else if self.config.purge_on_drop {
            self.purge()
        } else {
            matches!(self.scan(), Ok(ours) if ours.is_empty())
        };
        // The domain handles go before the connection they hold.
        self.index_mut().clear();
        if self.owns_work_dir {
            if released {
                let _ = std::fs::remove_dir_all(&self.work_dir);
            } else {
                // A guest may still be running on these disks (the daemon died, a destroy
                // failed, or purging was off): losing them is worse than leaking a folder.
                tracing::warn!(
                    work_dir = %self.work_dir.display(),
                    "driver-libvirt: kept the work directory (guests' disks and logs): \
                     not every domain of this driver could be destroyed and undefined"
                );
            }
        }
    }
}

/// `Unavailable` for `method`: the connection is down.
fn unavailable(method: DriverMethod, message: String) -> DriverError {
    DriverError::Unavailable {
        driver: DRIVER_NAME,
        method,
        message,
    }
}

/// A `Backend` error for a failed libvirt call.
pub fn backend(method: DriverMethod) -> impl FnOnce(VirtError) -> DriverError {
    move |e| DriverError::backend(DRIVER_NAME, method, e)
}

/// The method a step's error names until [`answer_as`] gives it the method of
/// the call it failed in (every trait method's work runs through
/// `LibvirtDriver::run`, which does).
const STEP_METHOD: DriverMethod = DriverMethod::InitHost;

/// A `Backend` error for a failed libvirt call in an internal step (reading
/// metadata, listing, connecting, ...), named in the message.
pub fn step_failed<E: std::error::Error + Send + Sync + 'static>(
    step: &'static str,
) -> impl FnOnce(E) -> DriverError {
    move |e| DriverError::Backend {
        driver: DRIVER_NAME,
        method: STEP_METHOD,
        message: format!("{step}: {e}"),
        source: Some(Box::new(e)),
    }
}

/// A `Backend` error of an internal step with a message of our own.
pub fn step_msg(step: &'static str, message: impl Into<String>) -> DriverError {
    DriverError::Backend {
        driver: DRIVER_NAME,
        method: STEP_METHOD,
        message: format!("{step}: {}", message.into()),
        source: None,
    }
}

/// `error` as an answer of `method`: a `Backend` error raised anywhere in the
/// call's work (by a step, or by the work of another method it reuses) is
/// that call's failure.
pub fn answer_as(error: DriverError, method: DriverMethod) -> DriverError {
    match error {
        DriverError::Backend {
            driver,
            message,
            source,
            ..
        } => DriverError::Backend {
            driver,
            method,
            message,
            source,
        },
        other => other,
    }
}

/// A `Backend` error with a message of our own.
pub fn backend_msg(method: DriverMethod, message: impl Into<String>) -> DriverError {
    DriverError::Backend {
        driver: DRIVER_NAME,
        method,
        message: message.into(),
        source: None,
    }
}

/// `InstanceNotFound` when libvirt says the domain is gone, else a `Backend`
/// error.
pub fn gone_or_backend(uuid: Uuid, method: DriverMethod) -> impl FnOnce(VirtError) -> DriverError {
    move |e| {
        if is_no_domain(&e) {
            DriverError::instance_not_found(uuid)
        } else {
            backend(method)(e)
        }
    }
}

impl Hypervisor {
    /// Opens the connection (writing a private test node first when no URI is
    /// configured).
    pub fn open(config: LibvirtConfig) -> DriverResult<Self> {
        virt::error::clear_error_callback();
        let (work_dir, owns_work_dir) = match &config.work_dir {
            Some(dir) => (dir.clone(), false),
            None => (
                std::env::temp_dir().join(format!("driver-libvirt-{}", Uuid::new_v4().simple())),
                true,
            ),
        };
        std::fs::create_dir_all(&work_dir).map_err(|e| step_failed("connect")(e))?;
        let uri = match &config.uri {
            Some(uri) => uri.clone(),
            None => {
                let node = work_dir.join("test-node.xml");
                let xml = format!(
                    "<node><cpu><mhz>2000</mhz><model>x86_64</model><active>{cpus}</active>\
                     <nodes>1</nodes><sockets>1</sockets><cores>{cpus}</cores><threads>1</threads>\
                     </cpu><memory>{kib}</memory></node>",
                    cpus = config.test_node.cpus.max(1),
                    kib = config.test_node.memory_mib.saturating_mul(1024),
                );
                std::fs::write(&node, xml).map_err(|e| step_failed("connect")(e))?;
                let absolute =
                    std::fs::canonicalize(&node).map_err(|e| step_failed("connect")(e))?;
                format!("test://{}", absolute.to_string_lossy())
            }
        };
        let link = match Connection::open(&uri) {
            Ok(link) => link,
            Err(e) => {
                if owns_work_dir {
                    let _ = std::fs::remove_dir_all(&work_dir);
                }
                return Err(step_failed("connect")(e));
            }
        };
        let conn = link.get();
        let kind = match conn
            .driver_type()
            .map(|t| t.to_ascii_uppercase())
            .as_deref()
        {
            Ok("TEST") => HypervisorKind::Test,
            Ok("QEMU") => HypervisorKind::Qemu,
            _ => HypervisorKind::Other,
        };
        let host_name = conn.hostname().unwrap_or_else(|_| "localhost".to_owned());
        let default_node = config
            .node_name
            .clone()
            .unwrap_or_else(|| host_name.clone());
        drop(conn);
        let hv = Self {
            link,
            kind,
            work_dir,
            owns_work_dir,
            host_name,
            nodes: RwLock::new(vec![default_node]),
            config,
            events: EventSlot::default(),
            locks: DriverLocks::default(),
            index: RwLock::new(DomainIndex::default()),
            watch: Watch::default(),
            live: LiveState::default(),
        };
        hv.rescan()?;
        Ok(hv)
    }

    /// The current libvirt connection (a new one after a reconnect).
    pub fn conn(&self) -> Arc<Connect> {
        self.link.get()
    }

    /// Runs `f` (one contract method's blocking work) under connection
    /// supervision. While the connection is down, `f` is not run: the call
    /// makes one reconnect attempt when the backoff allows (rebuilding the
    /// index from libvirt when it succeeds) or answers
    /// [`DriverError::Unavailable`] at once. When `f` fails with a `Backend`
    /// error because the connection broke under it, the answer is
    /// `Unavailable` too (retryable; whether a mutation half-happened is
    /// libvirt's to say, and the index is rebuilt from libvirt on reconnect).
    /// `test:///` lives in this process and is never supervised.
    pub fn supervised<T>(
        self: &Arc<Self>,
        method: DriverMethod,
        f: impl FnOnce(&Self) -> DriverResult<T>,
    ) -> DriverResult<T> {
        if self.kind == HypervisorKind::Test {
            return f(self);
        }
        match self.link.ensure_up() {
            Availability::Up => {}
            Availability::Reopened => {
                // Events again, on the new connection; then the index, with
                // what changed while the connection was down announced.
                self.subscribe();
                if let Err(e) = self.rescan() {
                    return Err(unavailable(
                        method,
                        format!("reconnected, but rescan failed: {e}"),
                    ));
                }
            }
            Availability::Down(message) => return Err(unavailable(method, message)),
        }
        match f(self) {
            Err(DriverError::Backend { message, .. }) if self.link.check_after_failure() => Err(
                unavailable(method, format!("libvirt connection lost ({message})")),
            ),
            other => other,
        }
    }

    /// Destroys and undefines every domain of ours (best effort); `true` when
    /// libvirt answered and every one of them is gone.
    fn purge(&self) -> bool {
        let Ok(domains) = self.scan() else {
            return false;
        };
        let mut all_gone = true;
        for (dom, _) in domains {
            if dom.is_active().unwrap_or(true) && dom.destroy().is_err() {
                all_gone = false;
            }
            let mut flags =
                sys::VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | sys::VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA;
            if self.kind == HypervisorKind::Qemu {
                flags |= sys::VIR_DOMAIN_UNDEFINE_NVRAM;
            }
            if dom.undefine_flags(flags).is_err() {
                all_gone = false;
            }
        }
        all_gone
    }

    /// The catalog lock: which instances exist, their names and claims
    /// (see [`crate::locks`]).
    pub fn lock_catalog(&self) -> MutexGuard<'_, ()> {
        self.locks.catalog()
    }

    /// The lock of one instance's state.
    pub fn lock_instance(&self, uuid: Uuid) -> MutexGuard<'_, ()> {
        self.locks.instance(uuid)
    }

    /// The catalog lock and the instance's, for its creation or removal.
    pub fn lock_catalog_and(&self, uuid: Uuid) -> CatalogAndInstance<'_> {
        self.locks.catalog_and_instance(uuid)
    }

    /// `init_host`: `host` becomes the one managed node.
    pub fn init_host(&self, host: String) -> DriverResult<()> {
        *locks::write(&self.nodes) = vec![host];
        Ok(())
    }

    /// The managed nodes.
    pub fn node_list(&self) -> Vec<String> {
        locks::read(&self.nodes).clone()
    }

    /// The domain name of an instance.
    pub fn domain_name(&self, uuid: Uuid) -> String {
        format!("{}{}", self.config.domain_prefix, uuid)
    }

    /// The libvirt UUID of an instance's domain: derived from the instance
    /// UUID and the prefix, so that drivers with different prefixes are
    /// separate hosts even on one hypervisor (a cold migration between them
    /// defines the same instance twice, as two hosts would).
    pub fn domain_uuid(&self, uuid: Uuid) -> Uuid {
        Uuid::new_v5(&uuid, self.config.domain_prefix.as_bytes())
    }

    /// Emits `transition` for `uuid`.
    pub fn emit(&self, uuid: Uuid, transition: LifecycleTransition) {
        self.note_announced(uuid, transition);
        self.events.emit(LifecycleEvent::new(uuid, transition));
    }

    /// The contract's power state of a domain.
    pub fn power_state(&self, dom: &Domain) -> DriverResult<PowerState> {
        let info = dom.info().map_err(backend(DriverMethod::GetInfo))?;
        self.power_state_of(dom, &info)
    }

    /// The contract's power state of a domain whose `info` was just read (a
    /// shut-off domain costs two more calls: managed save, shutoff reason).
    pub fn power_state_of(&self, dom: &Domain, info: &DomainInfo) -> DriverResult<PowerState> {
        Ok(match info.state {
            s if s.is(DomainState::Running) || s.is(DomainState::Blocked) => PowerState::Running,
            // Being shut down: still running until it is off.
            s if s.is(DomainState::Shutdown) => PowerState::Running,
            s if s.is(DomainState::Paused) => PowerState::Paused,
            s if s.is(DomainState::Crashed) => PowerState::Crashed,
            s if s.is(DomainState::PMSuspended) => PowerState::Suspended,
            s if s.is(DomainState::Shutoff) => {
                if dom
                    .has_managed_save(0)
                    .map_err(backend(DriverMethod::GetInfo))?
                {
                    PowerState::Suspended
                } else if Self::stopped_by_crash(dom) {
                    PowerState::Crashed
                } else {
                    PowerState::Shutdown
                }
            }
            _ => PowerState::NoState,
        })
    }

    /// Whether a shut-off domain went down because QEMU died (libvirt's
    /// shutoff reason `crashed`), which is the contract's `Crashed`.
    fn stopped_by_crash(dom: &Domain) -> bool {
        match dom.state() {
            Ok((_, Enum::Known(DomainStateReason::Shutoff(reason)))) => {
                reason.is(DomainShutoffReason::Crashed)
            }
            _ => false,
        }
    }

    /// Power state and flags.
    pub fn status(&self, dom: &Domain, record: &InstanceRecord) -> DriverResult<InstanceStatus> {
        Ok(Flags::of(record).with_state(self.power_state(dom)?))
    }

    /// Power state (read now) and the given flags of `uuid`'s domain;
    /// `InstanceNotFound` if libvirt no longer has it.
    pub fn status_of(
        &self,
        uuid: Uuid,
        dom: &Domain,
        flags: Flags,
    ) -> DriverResult<InstanceStatus> {
        let info = dom
            .info()
            .map_err(gone_or_backend(uuid, DriverMethod::GetInfo))?;
        Ok(flags.with_state(self.power_state_of(dom, &info)?))
    }

    /// `get_info`: the flags and the size (the claim) from the index,
    /// everything else from one `info` call (two more for a shut-off domain).
    pub fn instance_info(&self, uuid: Uuid) -> DriverResult<InstanceInfo> {
        let (dom, flags) = self.known_or_not_found(uuid)?;
        let raw = dom
            .info()
            .map_err(gone_or_backend(uuid, DriverMethod::GetInfo))?;
        let mut info = InstanceInfo::new(self.power_state_of(&dom, &raw)?);
        info.rescued = flags.rescued;
        info.soft_deleted = flags.soft_deleted;
        // The instance's size is its flavor's (the claim), even where the
        // configuration gives guests less (see `get_info` on the trait).
        match self.index().get(uuid).map(|entry| entry.claim) {
            Some(claim) => {
                info.num_cpu = u32::try_from(claim.vcpus).unwrap_or(u32::MAX);
                info.max_mem_kb = claim.memory_mb.saturating_mul(1024);
            }
            None => {
                info.num_cpu = raw.nr_virt_cpu;
                info.max_mem_kb = raw.max_mem;
            }
        }
        info.mem_kb = raw.memory;
        // test:/// answers the wall clock as CPU time: no figure at all is
        // more honest.
        info.cpu_time_ns = if self.kind == HypervisorKind::Test {
            0
        } else {
            raw.cpu_time
        };
        Ok(info)
    }

    /// Runs one lifecycle operation by the table: looks the instance up, asks
    /// [`transition`] (refusing with `InvalidState`), does nothing for a no-op,
    /// otherwise runs `act`, checks the result against the table and emits the
    /// table's event. `act` reads the record itself if it needs it; whatever
    /// it stores goes through [`write_record`](Self::write_record) or
    /// [`redefine`](Self::redefine), which keep the index in step.
    pub fn lifecycle(
        &self,
        uuid: Uuid,
        operation: LifecycleOperation,
        act: impl FnOnce(&Self, &Domain, InstanceStatus) -> DriverResult<()>,
    ) -> DriverResult<()> {
        let _guard = self.lock_instance(uuid);
        let (dom, flags) = self.known_or_not_found(uuid)?;
        let from = self.status_of(uuid, &dom, flags)?;
        let step = transition(from, operation)
            .map_err(|_| DriverError::invalid_state(uuid, operation, from))?;
        // A reboot leaves a running guest running, yet restarts it: the table
        // shows no change of status, but the guest must still be rebooted.
        let restarts = matches!(
            operation,
            LifecycleOperation::RebootSoft | LifecycleOperation::RebootHard
        );
        if step.is_noop(from) && !restarts {
            return Ok(());
        }
        act(self, &dom, from)?;
        if let driver_api::Outcome::Becomes(expected) = step.outcome {
            let now = self.status_of(uuid, &dom, self.flags_now(uuid, flags))?;
            if now != expected {
                return Err(step_msg(
                    operation.method_name(),
                    format!("libvirt left the instance {now}, expected {expected}"),
                ));
            }
        }
        if let Some(event) = step.event {
            self.emit(uuid, event);
        }
        Ok(())
    }

    /// Waits up to `timeout` for the domain to stop; whether it did.
    pub fn wait_inactive(&self, dom: &Domain, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if !dom.is_active().unwrap_or(true) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
