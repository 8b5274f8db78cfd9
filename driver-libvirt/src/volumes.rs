//! Volumes: SCSI disks hot-plugged with `attach_device_flags` /
//! `detach_device_flags` (never `attach_device`, which in virt 0.5.0 reports
//! success on failure), recorded by mountpoint in the instance record.
//!
//! A volume's backing file is `connection_info.data["device_path"]` when given
//! (format `data["format"]`, default raw); otherwise the driver backs it with a
//! qcow2 file of its own in the work directory, named after the volume's
//! serial, which outlives the attachment as a volume does.

use std::path::PathBuf;

use driver_api::{ConnectionInfo, DriverError, DriverResult, PowerState};
use uuid::Uuid;
use virt::domain::Domain;
use virt::sys;

use crate::disks;
use crate::domain_xml::{self, disk_serial};
use crate::hypervisor::{backend, backend_msg, Hypervisor};
use crate::record::{InstanceRecord, VolumeRecord};

impl Hypervisor {
    /// The record of a volume about to be attached at `mountpoint` (making
    /// its backing file if the driver owns it).
    pub fn volume_record(
        &self,
        record: &InstanceRecord,
        connection_info: &ConnectionInfo,
        mountpoint: &str,
    ) -> DriverResult<VolumeRecord> {
        let used = record.volumes.values().map(|v| v.target.as_str());
        let target = domain_xml::target_for_mountpoint(mountpoint, used).ok_or_else(|| {
            DriverError::invalid_input("attach_volume", "no free SCSI target left")
        })?;
        let given = connection_info
            .data
            .get("device_path")
            .and_then(serde_json::Value::as_str)
            .filter(|p| p.starts_with('/'));
        let (source, format) = match given {
            Some(path) => (
                PathBuf::from(path),
                connection_info
                    .data
                    .get("format")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or("raw")
                    .to_owned(),
            ),
            None => {
                let id = connection_info
                    .serial
                    .as_deref()
                    .map(disk_serial)
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| format!("{}-{target}", record.uuid));
                let path = self.work_dir.join(format!("volume-{id}.qcow2"));
                if self.makes_files() && !path.exists() {
                    disks::create_qcow2(
                        &self.config.qemu_img,
                        "attach_volume",
                        &path,
                        self.config.volume_size_mib,
                    )?;
                }
                (path, "qcow2".to_owned())
            }
        };
        Ok(VolumeRecord {
            target,
            source,
            format,
            serial: connection_info.serial.clone(),
            connection_info: connection_info.clone(),
        })
    }

    /// The flags for a device change: live and persistent while QEMU runs,
    /// persistent only otherwise.
    fn device_flags(&self, dom: &Domain) -> DriverResult<u32> {
        Ok(if dom.is_active().map_err(backend("device"))? {
            sys::VIR_DOMAIN_AFFECT_LIVE | sys::VIR_DOMAIN_AFFECT_CONFIG
        } else {
            sys::VIR_DOMAIN_AFFECT_CONFIG
        })
    }

    /// `attach_volume`, in any power state.
    pub fn attach_volume(
        &self,
        uuid: Uuid,
        connection_info: &ConnectionInfo,
        mountpoint: &str,
    ) -> DriverResult<()> {
        let _guard = self.lock_instance(uuid);
        let (dom, mut record) = self.get(uuid)?;
        if record.volumes.contains_key(mountpoint) {
            return Err(DriverError::DeviceBusy {
                instance: uuid,
                mountpoint: mountpoint.to_owned(),
            });
        }
        let volume = self.volume_record(&record, connection_info, mountpoint)?;
        let xml = domain_xml::volume_disk(&volume);
        let flags = self.device_flags(&dom)?;
        dom.attach_device_flags(&xml, flags)
            .map_err(backend("attach_volume"))?;
        record.volumes.insert(mountpoint.to_owned(), volume);
        if let Err(e) = self.write_record(&dom, &record) {
            let _ = dom.detach_device_flags(&xml, flags);
            return Err(e);
        }
        Ok(())
    }

    /// `detach_volume`.
    pub fn detach_volume(&self, uuid: Uuid, mountpoint: &str) -> DriverResult<()> {
        let _guard = self.lock_instance(uuid);
        let (dom, mut record) = self.get(uuid)?;
        let Some(volume) = record.volumes.remove(mountpoint) else {
            return Err(DriverError::VolumeNotFound {
                instance: uuid,
                mountpoint: mountpoint.to_owned(),
            });
        };
        let flags = self.device_flags(&dom)?;
        dom.detach_device_flags(&domain_xml::volume_disk(&volume), flags)
            .map_err(backend("detach_volume"))?;
        self.write_record(&dom, &record)
    }

    /// `swap_volume`: the new volume takes the old one's place (same guest
    /// device), grown to `resize_to_gb` if that is larger.
    pub fn swap_volume(
        &self,
        uuid: Uuid,
        new_connection_info: &ConnectionInfo,
        mountpoint: &str,
        resize_to_gb: u64,
    ) -> DriverResult<()> {
        let _guard = self.lock_instance(uuid);
        let (dom, mut record) = self.get(uuid)?;
        let Some(old) = record.volumes.remove(mountpoint) else {
            return Err(DriverError::VolumeNotFound {
                instance: uuid,
                mountpoint: mountpoint.to_owned(),
            });
        };
        let mut new = self.volume_record(&record, new_connection_info, mountpoint)?;
        new.target = old.target.clone();
        if resize_to_gb > 0 && self.makes_files() {
            let bytes = resize_to_gb.saturating_mul(1 << 30);
            if disks::image_info(&self.config.qemu_img, "swap_volume", &new.source)?.virtual_size
                < bytes
            {
                disks::grow(&self.config.qemu_img, "swap_volume", &new.source, bytes)?;
            }
        }
        let flags = self.device_flags(&dom)?;
        dom.detach_device_flags(&domain_xml::volume_disk(&old), flags)
            .map_err(backend("swap_volume"))?;
        if let Err(e) = dom.attach_device_flags(&domain_xml::volume_disk(&new), flags) {
            let _ = dom.attach_device_flags(&domain_xml::volume_disk(&old), flags);
            return Err(backend("swap_volume")(e));
        }
        record.volumes.insert(mountpoint.to_owned(), new);
        self.write_record(&dom, &record)
    }

    /// After a restore from managed save the live domain has the devices it
    /// had when saved; plug or unplug the volumes changed since (the
    /// persistent config already has them).
    pub fn reconcile_volumes(&self, dom: &Domain, record: &InstanceRecord) -> DriverResult<()> {
        let xml = dom.xml_desc(0).map_err(backend("reconcile volumes"))?;
        let live = domain_xml::scsi_targets(&xml);
        for volume in record.volumes.values() {
            if !live.contains(&volume.target) {
                dom.attach_device_flags(
                    &domain_xml::volume_disk(volume),
                    sys::VIR_DOMAIN_AFFECT_LIVE,
                )
                .map_err(backend("reconcile volumes"))?;
            }
        }
        for target in live {
            if !record.volumes.values().any(|v| v.target == target) {
                let xml = format!(
                    "<disk type='file' device='disk'><target dev='{target}' bus='scsi'/></disk>"
                );
                dom.detach_device_flags(&xml, sys::VIR_DOMAIN_AFFECT_LIVE)
                    .map_err(backend("reconcile volumes"))?;
            }
        }
        Ok(())
    }

    /// `get_console_output`: the tail of the serial log (at most 100 KiB, as
    /// Nova returns).
    pub fn console_output(&self, uuid: Uuid) -> DriverResult<String> {
        const MAX_BYTES: usize = 100 * 1024;
        let (_, record) = self.get(uuid)?;
        match std::fs::read(&record.files.console_log) {
            Ok(bytes) => {
                let tail = &bytes[bytes.len().saturating_sub(MAX_BYTES)..];
                Ok(String::from_utf8_lossy(tail).into_owned())
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
            Err(e) => Err(DriverError::backend(
                crate::hypervisor::DRIVER_NAME,
                "get_console_output",
                e,
            )),
        }
    }

    /// `get_serial_console`: the TCP port of the interactive serial console,
    /// for a running or paused domain.
    pub fn serial_console(&self, uuid: Uuid) -> DriverResult<driver_api::SerialConsole> {
        let (dom, record) = self.get(uuid)?;
        let state = self.power_state(&dom)?;
        if !matches!(state, PowerState::Running | PowerState::Paused) {
            return Err(DriverError::InstanceNotRunning {
                instance: uuid.into(),
            });
        }
        let port = record
            .serial_port
            .ok_or_else(|| backend_msg("get_serial_console", "the domain has no serial console"))?;
        Ok(driver_api::SerialConsole::new("127.0.0.1", port))
    }

    /// `get_vnc_console`: the display's port, for a running or paused domain.
    pub fn vnc_console(&self, uuid: Uuid) -> DriverResult<driver_api::VncConsole> {
        let (dom, _) = self.get(uuid)?;
        let state = self.power_state(&dom)?;
        if !matches!(state, PowerState::Running | PowerState::Paused) {
            return Err(DriverError::InstanceNotRunning {
                instance: uuid.into(),
            });
        }
        let xml = dom.xml_desc(0).map_err(backend("get_vnc_console"))?;
        let port = domain_xml::vnc_port(&xml)
            .ok_or_else(|| backend_msg("get_vnc_console", "the domain has no VNC display"))?;
        Ok(driver_api::VncConsole::new("127.0.0.1", port))
    }
}
