//! Per-instance operations beyond the transition table: spawn, info, volumes,
//! interfaces, files, passwords, snapshots, consoles, statistics.
//!
//! Every function here is synchronous: it runs after injected latency and
//! faults, under the instance's shard lock, and changes all or nothing.

use std::collections::BTreeMap;

use base64::Engine as _;
use driver_api::validate;
use driver_api::{
    BandwidthCounter, BlockDeviceInfo, BlockStats, ConnectionInfo, ConsolePoolInfo, CpuDiagnostics,
    Diagnostics, DiskDiagnostics, DriverError, DriverMethod, DriverResult, InjectedFile, Instance,
    InstanceDisk, InstanceInfo, InstanceRef, InstanceStatus, InterfaceStats, NicDiagnostics,
    PowerState, ResourceAmounts, Secret, SerialConsole, SpiceConsole, TaskState, TaskStateCallback,
    Vif, VncConsole, VolumeUsage,
};
use uuid::Uuid;

use crate::fake_driver::{FakeDriver, DRIVER_NAME};
use crate::store::{
    render_console, ConsoleEntry, InstanceExtras, InstanceRecord, NewInstance, NodeChoice, Port,
    Ports, Walk,
};

/// The root disk's name in statistics and diagnostics.
pub const ROOT_DISK: &str = "vda";

/// Files written at spawn, one per path (the last one wins).
pub(crate) fn dedupe_files(files: &[InjectedFile]) -> Vec<InjectedFile> {
    let mut out: Vec<InjectedFile> = Vec::with_capacity(files.len());
    for file in files {
        match out.iter_mut().find(|f| f.path == file.path) {
            Some(existing) => *existing = file.clone(),
            None => out.push(file.clone()),
        }
    }
    out
}

/// Interfaces of `network_info`; `InterfaceAttachFailed` on a duplicate id.
pub(crate) fn interfaces_of(uuid: Uuid, network_info: &[Vif]) -> DriverResult<Ports> {
    let mut out = Ports::default();
    for vif in network_info {
        if out.contains(vif.id) {
            return Err(DriverError::InterfaceAttachFailed {
                instance: uuid,
                vif: vif.id,
                reason: "duplicate VIF id in network info".to_owned(),
            });
        }
        out.push(Port::from(vif));
    }
    Ok(out)
}

/// Volumes of `block_device_info`; `DeviceBusy` on a duplicate mount device.
pub(crate) fn volumes_of(
    uuid: Uuid,
    block_device_info: &BlockDeviceInfo,
) -> DriverResult<BTreeMap<String, ConnectionInfo>> {
    let mut out = BTreeMap::new();
    for mapping in &block_device_info.block_device_mapping {
        if out
            .insert(
                mapping.mount_device.clone(),
                mapping.connection_info.clone(),
            )
            .is_some()
        {
            return Err(DriverError::DeviceBusy {
                instance: uuid,
                mountpoint: mapping.mount_device.clone(),
            });
        }
    }
    Ok(out)
}

fn extras_of(
    volumes: BTreeMap<String, ConnectionInfo>,
    injected_files: Vec<InjectedFile>,
) -> Option<Box<InstanceExtras>> {
    if volumes.is_empty() && injected_files.is_empty() {
        None
    } else {
        Some(Box::new(InstanceExtras {
            volumes,
            injected_files,
            ..InstanceExtras::default()
        }))
    }
}

/// [`validate::arrival`] as the `InvalidInput` of `method`.
pub(crate) fn arriving(
    method: DriverMethod,
    instance: &Instance,
    network_info: &[Vif],
    block_device_info: &BlockDeviceInfo,
) -> DriverResult<()> {
    validate::arrival(instance, network_info, block_device_info)
        .map_err(|violation| violation.into_error(method))
}

fn not_running(uuid: Uuid) -> DriverError {
    DriverError::InstanceNotRunning {
        instance: uuid.into(),
    }
}

/// Whether a console (VNC, SPICE, serial) exists: running or paused.
fn has_display(status: InstanceStatus) -> bool {
    matches!(status.state, PowerState::Running | PowerState::Paused)
}

impl FakeDriver {
    /// `spawn` after admission: validate everything, then create all at once
    /// (of the admin password, only whether one was given is kept).
    pub(crate) fn spawn_now(
        &self,
        instance: &Instance,
        injected_files: &[InjectedFile],
        admin_password_set: bool,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
        power_on: bool,
    ) -> DriverResult<()> {
        let uuid = instance.uuid;
        arriving(
            DriverMethod::Spawn,
            instance,
            network_info,
            block_device_info,
        )?;
        validate::injected_files("injected_files.path", injected_files)
            .map_err(|v| v.into_error(DriverMethod::Spawn))?;
        let interfaces = interfaces_of(uuid, network_info)?;
        // No volumes and no files (the common spawn): nothing to build.
        let extras =
            if block_device_info.block_device_mapping.is_empty() && injected_files.is_empty() {
                None
            } else {
                extras_of(
                    volumes_of(uuid, block_device_info)?,
                    dedupe_files(injected_files),
                )
            };
        self.create(NewInstance {
            uuid,
            name: &instance.name,
            node: NodeChoice::Requested(instance.node.as_deref()),
            claim: ResourceAmounts::of_flavor(&instance.flavor),
            root_gb: instance.flavor.root_gb,
            running: power_on,
            interfaces,
            extras,
            admin_password_set,
        })
    }

    /// `get_info`.
    #[inline]
    pub(crate) fn info_now(&self, uuid: Uuid) -> DriverResult<InstanceInfo> {
        self.store.read(uuid, info_of)
    }

    /// `list_instances`.
    pub(crate) fn names_now(&self) -> Vec<String> {
        let mut names = Vec::new();
        self.store.scan(Walk::Staggered, |instances| {
            // Per shard, as instances may come and go meanwhile (and one exact
            // reservation up front proved slower with glibc's allocator).
            names.reserve(instances.len());
            names.extend(instances.iter().map(|(_, _, name)| name.to_owned()));
        });
        names
    }

    /// `list_instance_uuids`.
    pub(crate) fn uuids_now(&self) -> Vec<Uuid> {
        let mut uuids = Vec::new();
        self.store.scan(Walk::Staggered, |instances| {
            uuids.extend(instances.iter().map(|(uuid, _, _)| *uuid));
        });
        uuids
    }

    /// `instance_exists`.
    pub(crate) fn exists_now(&self, uuid: Uuid) -> bool {
        self.store.contains(uuid)
    }

    /// `attach_volume`: `DeviceBusy` if the mountpoint is taken.
    pub(crate) fn attach_volume_now(
        &self,
        uuid: Uuid,
        connection_info: &ConnectionInfo,
        mountpoint: &str,
    ) -> DriverResult<()> {
        validate::mountpoint("mountpoint", mountpoint)
            .and_then(|()| validate::connection_info("connection_info", connection_info))
            .map_err(|v| v.into_error(DriverMethod::AttachVolume))?;
        self.with_record(uuid, |record| {
            let volumes = &mut record.extras_mut().volumes;
            if volumes.contains_key(mountpoint) {
                return Err(DriverError::DeviceBusy {
                    instance: uuid,
                    mountpoint: mountpoint.to_owned(),
                });
            }
            volumes.insert(mountpoint.to_owned(), connection_info.clone());
            Ok(())
        })
    }

    /// `detach_volume` (`new` is `None`) or `swap_volume` (`Some`):
    /// `VolumeNotFound` if nothing is at the mountpoint.
    pub(crate) fn replace_volume_now(
        &self,
        uuid: Uuid,
        mountpoint: &str,
        new: Option<&ConnectionInfo>,
    ) -> DriverResult<()> {
        let method = if new.is_some() {
            DriverMethod::SwapVolume
        } else {
            DriverMethod::DetachVolume
        };
        validate::mountpoint("mountpoint", mountpoint)
            .and_then(|()| match new {
                Some(info) => validate::connection_info("new_connection_info", info),
                None => Ok(()),
            })
            .map_err(|v| v.into_error(method))?;
        self.with_record(uuid, |record| {
            let slot = record
                .extras
                .as_mut()
                .and_then(|extras| extras.volumes.get_mut(mountpoint));
            let Some(slot) = slot else {
                return Err(DriverError::VolumeNotFound {
                    instance: uuid,
                    mountpoint: mountpoint.to_owned(),
                });
            };
            match new {
                Some(info) => *slot = info.clone(),
                None => {
                    record.extras_mut().volumes.remove(mountpoint);
                }
            }
            Ok(())
        })
    }

    /// `attach_interface`: `InterfaceAttachFailed` if the VIF id is attached.
    pub(crate) fn attach_interface_now(&self, uuid: Uuid, vif: &Vif) -> DriverResult<()> {
        validate::mac("vif.address", &vif.address)
            .map_err(|v| v.into_error(DriverMethod::AttachInterface))?;
        self.with_record(uuid, |record| {
            if record.interfaces.contains(vif.id) {
                return Err(DriverError::InterfaceAttachFailed {
                    instance: uuid,
                    vif: vif.id,
                    reason: "a VIF with this id is already attached".to_owned(),
                });
            }
            record.interfaces.push(Port::from(vif));
            Ok(())
        })
    }

    /// `detach_interface`: `InterfaceDetachFailed` if the VIF id is not attached.
    pub(crate) fn detach_interface_now(&self, uuid: Uuid, vif: &Vif) -> DriverResult<()> {
        self.with_record(uuid, |record| {
            if record.interfaces.remove(vif.id) {
                Ok(())
            } else {
                Err(DriverError::InterfaceDetachFailed {
                    instance: uuid,
                    vif: vif.id,
                    reason: "no VIF with this id is attached".to_owned(),
                })
            }
        })
    }

    /// `inject_file`: decode, check, then write (replacing a file at the path).
    pub(crate) fn inject_file_now(
        &self,
        uuid: Uuid,
        b64_path: &str,
        b64_contents: &str,
    ) -> DriverResult<()> {
        let engine = base64::engine::general_purpose::STANDARD;
        let bad =
            |what: &str| DriverError::invalid_input(DriverMethod::InjectFile, what.to_owned());
        let path = engine
            .decode(b64_path)
            .map_err(|_| bad("path is not valid base64"))?;
        let path = String::from_utf8(path).map_err(|_| bad("path is not UTF-8"))?;
        validate::file_path("path", &path).map_err(|v| v.into_error(DriverMethod::InjectFile))?;
        let contents = engine
            .decode(b64_contents)
            .map_err(|_| bad("contents are not valid base64"))?;
        self.with_record(uuid, |record| {
            let files = &mut record.extras_mut().injected_files;
            match files.iter_mut().find(|f| f.path == path) {
                Some(file) => file.contents = contents,
                None => files.push(InjectedFile::new(path, contents)),
            }
            record.console.push(ConsoleEntry::FileInjected);
            Ok(())
        })
    }

    /// `set_admin_password`: needs `Running`. Keeps only the fact.
    pub(crate) fn set_password_now(&self, uuid: Uuid) -> DriverResult<()> {
        self.with_record(uuid, |record| {
            if record.status.state != PowerState::Running {
                return Err(not_running(uuid));
            }
            record.admin_password_set = true;
            record.console.push(ConsoleEntry::PasswordChanged);
            Ok(())
        })
    }

    /// `trigger_crash_dump`: needs `Running` or `Paused`; state unchanged.
    pub(crate) fn crash_dump_now(&self, uuid: Uuid) -> DriverResult<()> {
        self.with_record(uuid, |record| {
            if !has_display(record.status) {
                return Err(not_running(uuid));
            }
            record.console.push(ConsoleEntry::CrashDump);
            Ok(())
        })
    }

    /// `snapshot`: checks the instance, reports the two task states, then
    /// records the image.
    pub(crate) fn snapshot_now(
        &self,
        uuid: Uuid,
        image_id: &str,
        update_task_state: TaskStateCallback,
    ) -> DriverResult<()> {
        self.snapshot_check(uuid)?;
        update_task_state(TaskState::ImagePendingUpload, TaskState::ImageSnapshot);
        update_task_state(TaskState::ImageUploading, TaskState::ImagePendingUpload);
        self.snapshot_record(uuid, image_id)
    }

    /// `snapshot`, first half: `InstanceNotRunning` if unknown, `InvalidState`
    /// if soft-deleted.
    fn snapshot_check(&self, uuid: Uuid) -> DriverResult<()> {
        let status = self
            .store
            .read(uuid, |record| record.status)
            .map_err(|_| not_running(uuid))?;
        if status.soft_deleted {
            return Err(DriverError::invalid_state_of(
                uuid,
                DriverMethod::Snapshot,
                status,
            ));
        }
        Ok(())
    }

    /// `snapshot`, second half: records the image (after the callbacks ran).
    fn snapshot_record(&self, uuid: Uuid, image_id: &str) -> DriverResult<()> {
        self.with_record(uuid, |record| {
            record.extras_mut().snapshots.push(image_id.to_owned());
            record.console.push(ConsoleEntry::Snapshot);
            Ok(())
        })
        .map_err(|error| match error {
            DriverError::InstanceNotFound { .. } => not_running(uuid),
            other => other,
        })
    }

    /// Whether an instance has a display now; `InstanceNotFound` if unknown.
    fn displayed(&self, uuid: Uuid) -> DriverResult<()> {
        self.with_record(uuid, |record| {
            if has_display(record.status) {
                Ok(())
            } else {
                Err(not_running(uuid))
            }
        })
    }

    /// `get_vnc_console`.
    pub(crate) fn vnc_now(&self, uuid: Uuid) -> DriverResult<VncConsole> {
        self.displayed(uuid)?;
        let mut console = VncConsole::new("fakevncconsole.com", 6969);
        console.internal_access_path = Some("FAKE".to_owned());
        Ok(console)
    }

    /// `get_spice_console`.
    pub(crate) fn spice_now(&self, uuid: Uuid) -> DriverResult<SpiceConsole> {
        self.displayed(uuid)?;
        let mut console = SpiceConsole::new("fakespiceconsole.com", 6969, Some(6970));
        console.internal_access_path = Some("FAKE".to_owned());
        Ok(console)
    }

    /// `get_serial_console`.
    pub(crate) fn serial_now(&self, uuid: Uuid) -> DriverResult<SerialConsole> {
        self.displayed(uuid)?;
        Ok(SerialConsole::new("fakeserialconsole.com", 6969))
    }

    /// `get_console_output`: the banner plus what happened, in any state.
    pub(crate) fn console_output_now(&self, uuid: Uuid) -> DriverResult<String> {
        self.with_record(uuid, |record| Ok(render_console(&record.console.entries())))
    }

    /// `block_stats`: zero counters (any disk id, as Nova's fake).
    pub(crate) fn block_stats_now(&self, name: &str) -> DriverResult<BlockStats> {
        self.store.by_name(name, |_, _| BlockStats::default())
    }

    /// `interface_stats`: zero counters (any interface id, as Nova's fake).
    pub(crate) fn interface_stats_now(&self, name: &str) -> DriverResult<InterfaceStats> {
        self.store.by_name(name, |_, _| InterfaceStats::default())
    }

    /// `get_diagnostics`: consistent with `get_info`.
    pub(crate) fn diagnostics_now(&self, name: &str) -> DriverResult<Diagnostics> {
        let uptime = self.started.elapsed().as_secs();
        self.store.by_name(name, |_, record| {
            let info = info_of(record);
            let mut diagnostics = Diagnostics::new(info.state, DRIVER_NAME);
            diagnostics.uptime_s = if info.state == PowerState::Shutdown {
                0
            } else {
                uptime
            };
            diagnostics.cpu_details = (0..info.num_cpu)
                .map(|id| CpuDiagnostics { id, time_ns: 0 })
                .collect();
            diagnostics.nic_details = record
                .interfaces
                .iter()
                .map(|i| NicDiagnostics::new(i.address(), InterfaceStats::default()))
                .collect();
            diagnostics.disk_details = std::iter::once(ROOT_DISK.to_owned())
                .chain(disk_names(record))
                .map(|d| DiskDiagnostics::new(d, BlockStats::default()))
                .collect();
            diagnostics.memory_max_kb = info.max_mem_kb;
            diagnostics.memory_used_kb = info.mem_kb;
            diagnostics
        })
    }

    /// `get_all_bw_counters`: one zero counter per interface of each instance
    /// present here.
    pub(crate) fn bw_counters_now(
        &self,
        instances: &[Instance],
    ) -> DriverResult<Vec<BandwidthCounter>> {
        let mut out = Vec::new();
        for instance in instances {
            let _ = self.with_record(instance.uuid, |record| {
                out.extend(
                    record
                        .interfaces
                        .iter()
                        .map(|i| BandwidthCounter::new(instance.uuid, i.address(), 0, 0)),
                );
                Ok(())
            });
        }
        Ok(out)
    }

    /// `get_all_volume_usage`: one zero entry per attached volume of each
    /// instance present here.
    pub(crate) fn volume_usage_now(&self, instances: &[Instance]) -> Vec<VolumeUsage> {
        let mut out = Vec::new();
        for instance in instances {
            let _ = self.with_record(instance.uuid, |record| {
                if let Some(extras) = record.extras.as_deref() {
                    out.extend(extras.volumes.iter().map(|(mountpoint, info)| {
                        let volume = info.serial.clone().unwrap_or_else(|| mountpoint.clone());
                        VolumeUsage::new(volume, instance.uuid, BlockStats::default())
                    }));
                }
                Ok(())
            });
        }
        out
    }

    /// `get_instance_disk_info`: the root disk, of the flavor's `root_gb`.
    pub(crate) fn disk_info_now(&self, name: &str) -> DriverResult<Vec<InstanceDisk>> {
        self.store.by_name(name, |uuid, record| {
            vec![InstanceDisk::new(
                format!("/var/lib/fake/instances/{uuid}/disk"),
                "qcow2",
                record.root_gb.saturating_mul(1024 * 1024 * 1024),
            )]
        })
    }

    /// `instance_exists`.
    pub(crate) fn instance_exists_now(&self, uuid: Uuid) -> DriverResult<bool> {
        Ok(self.exists_now(uuid))
    }

    /// `instance_on_disk`: `true` for an instance here, `InstanceNotFound`
    /// otherwise.
    pub(crate) fn on_disk_now(&self, uuid: Uuid) -> DriverResult<bool> {
        self.require(uuid).map(|()| true)
    }

    /// `InstanceNotFound` unless the instance is here.
    pub(crate) fn require(&self, uuid: Uuid) -> DriverResult<()> {
        if self.exists_now(uuid) {
            Ok(())
        } else {
            Err(DriverError::InstanceNotFound {
                instance: InstanceRef::Uuid(uuid),
            })
        }
    }
}

/// `get_console_pool_info`: Nova's fake's pool.
pub(crate) fn console_pool_info() -> ConsolePoolInfo {
    ConsolePoolInfo::new("127.0.0.1", "fakeuser", Secret::new("fakepassword"))
}

/// The device names of an instance's volumes (`/dev/vdb` is `vdb`).
fn disk_names(record: &InstanceRecord) -> Vec<String> {
    record
        .extras
        .as_deref()
        .map(|extras| {
            extras
                .volumes
                .keys()
                .map(|m| m.rsplit('/').next().unwrap_or(m).to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// `get_info` of a record: state, flags, and figures from its claim.
#[inline]
pub(crate) fn info_of(record: &InstanceRecord) -> InstanceInfo {
    let mut info = InstanceInfo::new(record.status.state);
    info.rescued = record.status.rescued;
    info.soft_deleted = record.status.soft_deleted;
    info.max_mem_kb = record.claim.memory_mb.saturating_mul(1024);
    info.mem_kb = if has_display(record.status) {
        info.max_mem_kb
    } else {
        0
    };
    info.num_cpu = u32::try_from(record.claim.vcpus).unwrap_or(u32::MAX);
    info
}
