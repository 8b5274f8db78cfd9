//! The lifecycle table over libvirt: pause, suspend, power, reboot, rescue,
//! soft delete. Each operation asks the transition table first (through
//! [`Hypervisor::lifecycle`]); these are the libvirt steps for an allowed one.

use std::time::Duration;

use driver_api::{
    DriverError, DriverMethod, DriverResult, LifecycleOperation as Op, PowerState, RebootType,
};
use uuid::Uuid;
use virt::domain::{Domain, DomainState};
use virt::error::Error as VirtError;

use crate::disks;
use crate::domain_xml::{self, BootMode};
use crate::hypervisor::{backend, step_failed, step_msg, Hypervisor, HypervisorKind};
use crate::record::InstanceRecord;
use crate::spawn::{free_port, is_port_clash, PORT_ATTEMPTS};

/// How often a graceful shutdown presses the power button again.
pub const SHUTDOWN_RETRY: Duration = Duration::from_secs(5);

/// Size of the (empty) rescue disk, in MiB.
const RESCUE_DISK_MIB: u64 = 1024;

impl Hypervisor {
    /// Starts `uuid`'s inactive domain: a cold boot, or the restore of its
    /// managed save (which comes back running, and with the metadata and
    /// devices it had when saved, so both are brought up to date from the
    /// record in the persistent config).
    pub fn boot(&self, uuid: Uuid, dom: &Domain) -> DriverResult<()> {
        let restoring = dom.has_managed_save(0).map_err(step_failed("start"))?;
        let record = if restoring {
            Some(self.record_of(uuid, dom)?)
        } else {
            None
        };
        if restoring {
            dom.create().map_err(step_failed("start"))?;
        } else {
            self.start(uuid, dom, DriverMethod::PowerOn)?;
        }
        if let Some(record) = record {
            let info = dom.info().map_err(step_failed("start"))?;
            if info.state.is(DomainState::Paused) {
                dom.resume().map_err(step_failed("start"))?;
            }
            self.write_record(dom, &record)?;
            self.reconcile_volumes(dom, &record)?;
        }
        Ok(())
    }

    /// Stops a domain: asks the guest to shut down and waits up to `timeout`
    /// (zero: not at all), then forces it off; a managed save is discarded.
    pub fn halt(&self, dom: &Domain, timeout: Duration) -> DriverResult<()> {
        let from = self.power_state(dom)?;
        self.halt_from(dom, timeout, from)
    }

    /// Asks the guest to shut down (ACPI power button) and waits up to
    /// `timeout` for it to stop, pressing the button again every
    /// [`SHUTDOWN_RETRY`] (a press during boot, before the guest listens, is
    /// lost: Nova's libvirt driver retries the same way). Whether it stopped.
    pub fn shutdown_gracefully(&self, dom: &Domain, timeout: Duration) -> bool {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            if dom.shutdown().is_err() && !dom.is_active().unwrap_or(true) {
                return true;
            }
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if self.wait_inactive(dom, left.min(SHUTDOWN_RETRY)) {
                return true;
            }
            if left <= SHUTDOWN_RETRY {
                return false;
            }
        }
    }

    /// [`halt`](Self::halt) of a domain known to be in `from` just now: only
    /// the calls that state needs (from `Running` with no timeout, a single
    /// `destroy`).
    pub fn halt_from(&self, dom: &Domain, timeout: Duration, from: PowerState) -> DriverResult<()> {
        let active = match from {
            PowerState::Running | PowerState::Paused => true,
            PowerState::Shutdown => false,
            _ => dom.is_active().map_err(backend(DriverMethod::PowerOff))?,
        };
        if active {
            if from == PowerState::Running && !timeout.is_zero() {
                // No guest OS (or one ignoring ACPI) just means we force it below.
                if self.shutdown_gracefully(dom, timeout) {
                    return Ok(());
                }
            }
            if let Err(e) = dom.destroy() {
                if dom.is_active().map_err(backend(DriverMethod::PowerOff))? {
                    return Err(backend(DriverMethod::PowerOff)(e));
                }
            }
        }
        // Running, paused and shut-down domains have no managed save (it is
        // what makes an inactive domain `Suspended`).
        let may_have_save = !matches!(
            from,
            PowerState::Running | PowerState::Paused | PowerState::Shutdown
        );
        if may_have_save
            && dom
                .has_managed_save(0)
                .map_err(backend(DriverMethod::PowerOff))?
        {
            dom.managed_save_remove(0)
                .map_err(backend(DriverMethod::PowerOff))?;
        }
        if from == PowerState::Crashed && self.power_state(dom)? == PowerState::Crashed {
            // libvirt keeps "crashed" as the shut-off reason until the next
            // start: start it paused (no guest code runs) and destroy it, so
            // that it is plainly shut off.
            dom.create_with_flags(virt::sys::VIR_DOMAIN_START_PAUSED)
                .map_err(backend(DriverMethod::PowerOff))?;
            dom.destroy().map_err(backend(DriverMethod::PowerOff))?;
        }
        Ok(())
    }

    /// Defines the domain anew from `record` (the persistent config; a running
    /// domain picks it up at its next start) and indexes it.
    pub fn redefine(&self, record: &InstanceRecord, mode: BootMode) -> DriverResult<Domain> {
        let dom = self.define(record, mode).map_err(step_failed("define"))?;
        self.index_record(&dom, record)?;
        Ok(dom)
    }

    /// Defines the domain from `record`, without touching the index.
    pub fn define(&self, record: &InstanceRecord, mode: BootMode) -> Result<Domain, VirtError> {
        let xml = domain_xml::domain(
            &self.config,
            (
                &self.domain_name(record.uuid),
                self.domain_uuid(record.uuid),
            ),
            record,
            mode,
        );
        self.conn().define_domain_xml(&xml)
    }

    /// Starts `uuid`'s inactive domain from its persistent config: every cold
    /// start goes through here.
    ///
    /// A guest's serial-console port is picked free on the host, but it may be
    /// taken by the time QEMU binds it (a guest spawned at the same moment, or
    /// any process while this guest was off). QEMU then refuses to start; the
    /// guest gets a fresh port in its definition and starts again, a bounded
    /// number of times.
    pub fn start(&self, uuid: Uuid, dom: &Domain, method: DriverMethod) -> DriverResult<()> {
        let mut attempt = 0;
        loop {
            match dom.create() {
                Err(e) if attempt < PORT_ATTEMPTS && is_port_clash(&e) => {
                    attempt += 1;
                    let mut record = self.record_of(uuid, dom)?;
                    record.serial_port = Some(free_port(method)?);
                    let mode = if record.rescued {
                        BootMode::Rescue
                    } else {
                        BootMode::Normal
                    };
                    self.define(&record, mode).map_err(backend(method))?;
                }
                result => return result.map(|_| ()).map_err(backend(method)),
            }
        }
    }

    /// Real disks are made only for real hypervisors.
    pub fn makes_files(&self) -> bool {
        self.kind != HypervisorKind::Test
    }

    /// `pause`: libvirt's suspend (vCPUs stopped, memory kept).
    pub fn pause(&self, uuid: Uuid) -> DriverResult<()> {
        self.lifecycle(uuid, Op::Pause, |_, dom, _| {
            dom.suspend()
                .map_err(backend(DriverMethod::Pause))
                .map(|_| ())
        })
    }

    /// `unpause`: libvirt's resume.
    pub fn unpause(&self, uuid: Uuid) -> DriverResult<()> {
        self.lifecycle(uuid, Op::Unpause, |_, dom, _| {
            dom.resume()
                .map_err(backend(DriverMethod::Unpause))
                .map(|_| ())
        })
    }

    /// `suspend`: a managed save (memory to disk, QEMU gone).
    pub fn suspend(&self, uuid: Uuid) -> DriverResult<()> {
        self.lifecycle(uuid, Op::Suspend, |_, dom, _| {
            dom.managed_save(0).map_err(backend(DriverMethod::Suspend))
        })
    }

    /// `resume`: restores the managed save.
    pub fn resume(&self, uuid: Uuid) -> DriverResult<()> {
        self.lifecycle(uuid, Op::Resume, |hv, dom, _| hv.boot(uuid, dom))
    }

    /// `power_off`: ACPI shutdown, up to `timeout`, then destroy.
    pub fn power_off(&self, uuid: Uuid, timeout: Duration) -> DriverResult<()> {
        self.lifecycle(uuid, Op::PowerOff, |hv, dom, from| {
            hv.halt_from(dom, timeout, from.state)
        })
    }

    /// `power_on`: unpause, restore or boot, whichever the state needs.
    pub fn power_on(&self, uuid: Uuid) -> DriverResult<()> {
        self.lifecycle(uuid, Op::PowerOn, |hv, dom, from| match from.state {
            PowerState::Paused => dom
                .resume()
                .map_err(backend(DriverMethod::PowerOn))
                .map(|_| ()),
            _ => hv.boot(uuid, dom),
        })
    }

    /// `reboot`: soft asks the guest (shutdown, wait, start again) and falls
    /// back to a reset, as Nova's libvirt driver does; hard resets a running
    /// domain and (re)starts any other.
    pub fn reboot(&self, uuid: Uuid, reboot_type: RebootType) -> DriverResult<()> {
        let wait = self.config.soft_reboot_wait;
        self.lifecycle(uuid, Op::reboot(reboot_type), |hv, dom, from| {
            match (reboot_type, from.state) {
                (RebootType::Soft, _) => {
                    if hv.shutdown_gracefully(dom, wait) {
                        return hv.start(uuid, dom, DriverMethod::Reboot);
                    }
                    match dom.reset() {
                        Ok(_) => Ok(()),
                        // It went down just now after all: start it.
                        Err(_) if !dom.is_active().unwrap_or(true) => {
                            hv.start(uuid, dom, DriverMethod::Reboot)
                        }
                        Err(e) => Err(backend(DriverMethod::Reboot)(e)),
                    }
                }
                (RebootType::Hard, PowerState::Running) => dom
                    .reset()
                    .map_err(backend(DriverMethod::Reboot))
                    .map(|_| ()),
                (RebootType::Hard, _) => {
                    hv.halt(dom, Duration::ZERO)?;
                    hv.boot(uuid, dom)
                }
            }
        })
    }

    /// `rescue`: redefines the domain to boot an empty rescue disk (the root
    /// disk second) and restarts it.
    pub fn rescue(&self, uuid: Uuid) -> DriverResult<()> {
        self.lifecycle(uuid, Op::Rescue, |hv, dom, _| {
            let record = &mut hv.record_of(uuid, dom)?;
            if hv.makes_files() {
                disks::remove(&record.files.rescue_disk);
                disks::create_qcow2(
                    &hv.config.qemu_img,
                    DriverMethod::Rescue,
                    &record.files.rescue_disk,
                    RESCUE_DISK_MIB,
                )?;
            }
            record.rescued = true;
            let restarted = hv.redefine(record, BootMode::Rescue).and_then(|_| {
                hv.halt(dom, Duration::ZERO)?;
                hv.start(uuid, dom, DriverMethod::Rescue)
            });
            if let Err(e) = restarted {
                record.rescued = false;
                let _ = hv.redefine(record, BootMode::Normal);
                disks::remove(&record.files.rescue_disk);
                return Err(e);
            }
            Ok(())
        })
    }

    /// `unrescue`: back to the normal definition, restarted; the rescue disk
    /// is removed.
    pub fn unrescue(&self, uuid: Uuid) -> DriverResult<()> {
        self.lifecycle(uuid, Op::Unrescue, |hv, dom, _| {
            let record = &mut hv.record_of(uuid, dom)?;
            record.rescued = false;
            hv.redefine(record, BootMode::Normal)?;
            hv.halt(dom, Duration::ZERO)?;
            hv.start(uuid, dom, DriverMethod::Unrescue)?;
            disks::remove(&record.files.rescue_disk);
            Ok(())
        })
    }

    /// `soft_delete`: forced off (leaving rescue), flagged in the metadata.
    pub fn soft_delete(&self, uuid: Uuid) -> DriverResult<()> {
        self.lifecycle(uuid, Op::SoftDelete, |hv, dom, _| {
            let record = &mut hv.record_of(uuid, dom)?;
            hv.halt(dom, Duration::ZERO)?;
            let was_rescued = record.rescued;
            record.rescued = false;
            record.soft_deleted = true;
            if was_rescued {
                hv.redefine(record, BootMode::Normal)?;
                disks::remove(&record.files.rescue_disk);
            }
            hv.write_record(dom, record)
        })
    }

    /// `restore`: clears the flag and boots.
    pub fn restore(&self, uuid: Uuid) -> DriverResult<()> {
        self.lifecycle(uuid, Op::Restore, |hv, dom, _| {
            let record = &mut hv.record_of(uuid, dom)?;
            record.soft_deleted = false;
            hv.write_record(dom, record)?;
            hv.start(uuid, dom, DriverMethod::Restore)
        })
    }

    /// `resume_state_on_host_boot`: the compute service calls it for an
    /// instance that should be running after the host rebooted (Nova's
    /// libvirt driver hard-reboots it). One that runs is left alone, a paused
    /// or suspended one keeps that state, a soft-deleted one stays off; one
    /// that is off is started (from its rescue disk if rescued). Emits
    /// `Started` when it starts it.
    pub fn resume_state_on_host_boot(&self, uuid: Uuid) -> DriverResult<()> {
        let _guard = self.lock_instance(uuid);
        let (dom, flags) = self.known_or_not_found(uuid)?;
        let status = self.status_of(uuid, &dom, flags)?;
        if status.soft_deleted
            || !matches!(status.state, PowerState::Shutdown | PowerState::Crashed)
        {
            return Ok(());
        }
        self.start(uuid, &dom, DriverMethod::ResumeStateOnHostBoot)?;
        self.emit(uuid, driver_api::LifecycleTransition::Started);
        Ok(())
    }

    /// The crash test hook: kills the domain's QEMU process (`SIGKILL`, by
    /// the pid file a local libvirtd keeps), as a crashing emulator would;
    /// libvirt records the domain shut off, reason crashed: the contract's
    /// `Crashed`. Emits `Stopped`. QEMU on this machine only.
    pub fn crash(&self, uuid: Uuid) -> DriverResult<()> {
        self.lifecycle(uuid, Op::Crash, |hv, dom, _| {
            let name = hv.domain_name(uuid);
            let pid_file = hv.config.qemu_pid_dir.join(format!("{name}.pid"));
            let pid = std::fs::read_to_string(&pid_file)
                .map_err(|e| step_msg("crash", format!("{}: {e}", pid_file.display())))?;
            let pid = pid.trim();
            if pid.is_empty() || !pid.chars().all(|c| c.is_ascii_digit()) {
                return Err(step_msg(
                    "crash",
                    format!("bad pid {pid:?} in {}", pid_file.display()),
                ));
            }
            let status = std::process::Command::new("kill")
                .args(["-KILL", pid])
                .status()
                .map_err(|e| step_msg("crash", e.to_string()))?;
            if !status.success() {
                return Err(step_msg("crash", format!("kill -KILL {pid} failed")));
            }
            if !hv.wait_inactive(dom, Duration::from_secs(10)) {
                return Err(step_msg(
                    "crash",
                    "QEMU was killed but libvirt still runs the domain",
                ));
            }
            Ok(())
        })
    }

    /// `trigger_crash_dump`: an NMI to a running or paused guest (QEMU holds
    /// it for a paused vCPU until it runs). State unchanged, no event.
    pub fn crash_dump(&self, uuid: Uuid) -> DriverResult<()> {
        let _guard = self.lock_instance(uuid);
        let (dom, _) = self.get(uuid)?;
        if !matches!(
            self.power_state(&dom)?,
            PowerState::Running | PowerState::Paused
        ) {
            return Err(DriverError::InstanceNotRunning {
                instance: uuid.into(),
            });
        }
        crate::ffi::inject_nmi(&dom).map_err(crate::hypervisor::gone_or_backend(
            uuid,
            DriverMethod::TriggerCrashDump,
        ))
    }
}
