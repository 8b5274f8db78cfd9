//! Volumes: SCSI disks hot-plugged with `attach_device_flags` /
//! `detach_device_flags` (never `attach_device`, which in virt 0.5.0 reports
//! success on failure), recorded by mountpoint in the instance record.
//!
//! A volume's backing file is `connection_info.data["device_path"]` when given
//! (format `data["format"]`, default raw); otherwise the driver backs it with a
//! qcow2 file of its own in the work directory, named after the volume's
//! serial, which outlives the attachment as a volume does.

use std::path::PathBuf;

use driver_api::validate;
use driver_api::{ConnectionInfo, DriverError, DriverMethod, DriverResult, VolumeConnector};
use uuid::Uuid;
use virt::domain::Domain;
use virt::sys;

use crate::disks;
use crate::domain_xml::{self, disk_serial};
use crate::hypervisor::{backend, step_failed, Hypervisor};
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
            DriverError::invalid_input(DriverMethod::AttachVolume, "no free SCSI target left")
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
                        DriverMethod::AttachVolume,
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
        Ok(if dom.is_active().map_err(step_failed("device"))? {
            sys::VIR_DOMAIN_AFFECT_LIVE | sys::VIR_DOMAIN_AFFECT_CONFIG
        } else {
            sys::VIR_DOMAIN_AFFECT_CONFIG
        })
    }

    /// `get_volume_connector`: this host's IP, a made-up iSCSI initiator
    /// name and the host name.
    pub fn volume_connector(&self) -> VolumeConnector {
        VolumeConnector::new(
            self.config.host_ip.to_string(),
            format!("iqn.2026-01.invalid.hvdriver:{}", self.host_name),
            self.host_name.clone(),
        )
    }

    /// `attach_volume`, in any power state: the mountpoint and connection
    /// info are checked first.
    pub fn attach_volume(
        &self,
        uuid: Uuid,
        connection_info: &ConnectionInfo,
        mountpoint: &str,
    ) -> DriverResult<()> {
        validate::mountpoint("mountpoint", mountpoint)
            .and_then(|()| validate::connection_info("connection_info", connection_info))
            .map_err(|v| v.into_error(DriverMethod::AttachVolume))?;
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
            .map_err(backend(DriverMethod::AttachVolume))?;
        record.volumes.insert(mountpoint.to_owned(), volume);
        if let Err(e) = self.write_record(&dom, &record) {
            let _ = dom.detach_device_flags(&xml, flags);
            return Err(e);
        }
        Ok(())
    }

    /// `detach_volume` (the mountpoint checked first).
    pub fn detach_volume(&self, uuid: Uuid, mountpoint: &str) -> DriverResult<()> {
        validate::mountpoint("mountpoint", mountpoint)
            .map_err(|v| v.into_error(DriverMethod::DetachVolume))?;
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
            .map_err(backend(DriverMethod::DetachVolume))?;
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
        validate::mountpoint("mountpoint", mountpoint)
            .and_then(|()| validate::connection_info("new_connection_info", new_connection_info))
            .map_err(|v| v.into_error(DriverMethod::SwapVolume))?;
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
            if disks::image_info(&self.config.qemu_img, DriverMethod::SwapVolume, &new.source)?
                .virtual_size
                < bytes
            {
                disks::grow(
                    &self.config.qemu_img,
                    DriverMethod::SwapVolume,
                    &new.source,
                    bytes,
                )?;
            }
        }
        let flags = self.device_flags(&dom)?;
        dom.detach_device_flags(&domain_xml::volume_disk(&old), flags)
            .map_err(backend(DriverMethod::SwapVolume))?;
        if let Err(e) = dom.attach_device_flags(&domain_xml::volume_disk(&new), flags) {
            let _ = dom.attach_device_flags(&domain_xml::volume_disk(&old), flags);
            return Err(backend(DriverMethod::SwapVolume)(e));
        }
        record.volumes.insert(mountpoint.to_owned(), new);
        self.write_record(&dom, &record)
    }

    /// After a restore from managed save the live domain has the devices it
    /// had when saved; plug or unplug the volumes changed since (the
    /// persistent config already has them).
    pub fn reconcile_volumes(&self, dom: &Domain, record: &InstanceRecord) -> DriverResult<()> {
        let xml = dom.xml_desc(0).map_err(step_failed("reconcile volumes"))?;
        let live = domain_xml::scsi_targets(&xml);
        for volume in record.volumes.values() {
            if !live.contains(&volume.target) {
                dom.attach_device_flags(
                    &domain_xml::volume_disk(volume),
                    sys::VIR_DOMAIN_AFFECT_LIVE,
                )
                .map_err(step_failed("reconcile volumes"))?;
            }
        }
        for target in live {
            if !record.volumes.values().any(|v| v.target == target) {
                let xml = format!(
                    "<disk type='file' device='disk'><target dev='{target}' bus='scsi'/></disk>"
                );
                dom.detach_device_flags(&xml, sys::VIR_DOMAIN_AFFECT_LIVE)
                    .map_err(step_failed("reconcile volumes"))?;
            }
        }
        Ok(())
    }
}
