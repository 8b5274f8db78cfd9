//! Spawn and destroy: the domain's whole life, and nothing left behind.

use std::path::Path;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use driver_api::validate;
use driver_api::{
    transition, BlockDeviceInfo, DriverError, DriverMethod, DriverResult, InjectedFile, Instance,
    InstanceRef, LifecycleOperation, LifecycleTransition, PowerState, ResourceAmounts, Vif,
};
use virt::sys;

use crate::disks;
use crate::domain_xml::{self, BootMode};
use crate::hypervisor::{backend, Hypervisor, HypervisorKind};
use crate::record::{InstanceFiles, InstanceRecord, VifRecord};

/// What [`Hypervisor::create_instance`] makes.
pub struct Creation<'a> {
    /// The instance, with the flavor to claim.
    pub instance: &'a Instance,
    /// The (managed) node to claim on.
    pub node: String,
    /// Files to record.
    pub injected_files: &'a [InjectedFile],
    /// VIFs, as NICs.
    pub network_info: &'a [Vif],
    /// Volumes to attach.
    pub block_device_info: &'a BlockDeviceInfo,
    /// Start it.
    pub power_on: bool,
    /// A disk to copy as the root disk (a cold migration's).
    pub root_from: Option<&'a Path>,
}

impl Hypervisor {
    /// `spawn`: checks identity and capacity, makes the disks, defines the
    /// domain (volumes and VIFs included) and starts it when `power_on`.
    /// Any failure undoes everything it did.
    pub fn spawn(
        &self,
        instance: &Instance,
        injected_files: &[InjectedFile],
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
        power_on: bool,
    ) -> DriverResult<()> {
        validate::arrival(instance, network_info, block_device_info)
            .and_then(|()| validate::injected_files("injected_files.path", injected_files))
            .map_err(|v| v.into_error(DriverMethod::Spawn))?;
        let _guard = self.lock_catalog_and(instance.uuid);
        let node = match &instance.node {
            Some(node) => node.clone(),
            None => self.node_list().first().cloned().unwrap_or_default(),
        };
        self.check_node(&node)?;
        self.create_instance(Creation {
            instance,
            node,
            injected_files,
            network_info,
            block_device_info,
            power_on,
            root_from: None,
        })
    }

    /// Creates an instance (for `spawn` and `finish_migration`; the caller
    /// holds the catalog lock and the instance's, and chose a managed node):
    /// identity and capacity checks, disks, definition, start, index. Any
    /// failure undoes what it did.
    pub fn create_instance(&self, creation: Creation<'_>) -> DriverResult<()> {
        let Creation {
            instance,
            node,
            injected_files,
            network_info,
            block_device_info,
            power_on,
            root_from,
        } = creation;
        let uuid = instance.uuid;
        if self.uuid_taken(uuid)? {
            return Err(DriverError::InstanceExists {
                instance: InstanceRef::Uuid(uuid),
            });
        }
        let (name_taken, used) = {
            let index = self.index();
            (index.name_taken(&instance.name), index.used(&node))
        };
        let used = used.saturating_add(&self.live.reserved_on(&node));
        if name_taken {
            return Err(DriverError::InstanceExists {
                instance: InstanceRef::Name(instance.name.clone()),
            });
        }
        let free = self.node_totals()?.saturating_sub(&used);
        let requested = ResourceAmounts::of_flavor(&instance.flavor);
        if !requested.fits_in(&free) {
            return Err(DriverError::InsufficientResources {
                node,
                requested,
                free,
            });
        }

        let files = InstanceFiles {
            root_disk: self.work_dir.join(format!("{uuid}-root.qcow2")),
            rescue_disk: self.work_dir.join(format!("{uuid}-rescue.qcow2")),
            console_log: self.work_dir.join(format!("{uuid}-console.log")),
        };
        let mut record = InstanceRecord::new(
            uuid,
            instance.name.clone(),
            node,
            instance.flavor.clone(),
            instance.image_ref.clone(),
            files,
        );
        for file in injected_files {
            record
                .injected_files
                .insert(file.path.clone(), STANDARD.encode(&file.contents));
        }
        for vif in network_info {
            let devname = vif.devname.clone().filter(|d| domain_xml::is_tap_name(d));
            record.vifs.insert(
                vif.id,
                VifRecord {
                    mac: vif.address.clone(),
                    devname,
                },
            );
        }
        for mapping in &block_device_info.block_device_mapping {
            if record.volumes.contains_key(&mapping.mount_device) {
                return Err(DriverError::DeviceBusy {
                    instance: uuid,
                    mountpoint: mapping.mount_device.clone(),
                });
            }
            let volume =
                self.volume_record(&record, &mapping.connection_info, &mapping.mount_device)?;
            record.volumes.insert(mapping.mount_device.clone(), volume);
        }

        if self.makes_files() {
            self.make_root_disk(&record, root_from)?;
        }
        if self.kind == HypervisorKind::Qemu && self.config.serial_console {
            record.serial_port = Some(free_port(DriverMethod::Spawn)?);
        }
        let dom = match self.define(&record, BootMode::Normal) {
            Ok(dom) => dom,
            Err(e) => {
                self.remove_files(&record, true);
                return Err(backend(DriverMethod::Spawn)(e));
            }
        };
        if power_on {
            if let Err(e) = self.start(uuid, &dom, DriverMethod::Spawn) {
                let _ = dom.undefine_flags(self.undefine_flags());
                self.remove_files(&record, true);
                return Err(e);
            }
        }
        if let Err(e) = self.index_record(&dom, &record) {
            // Unreachable for an admitted claim; never leave a domain the
            // index does not know.
            let _ = dom.destroy();
            let _ = dom.undefine_flags(self.undefine_flags());
            self.remove_files(&record, true);
            return Err(e);
        }
        if power_on {
            self.emit(uuid, LifecycleTransition::Started);
        }
        Ok(())
    }

    /// The root disk: a copy of `root_from` (a migrated disk) when given and
    /// present, else empty; at least the flavor's size.
    fn make_root_disk(
        &self,
        record: &InstanceRecord,
        root_from: Option<&Path>,
    ) -> DriverResult<()> {
        let root = &record.files.root_disk;
        let bytes = disks::root_bytes(&record.flavor);
        match root_from.filter(|p| p.is_file()) {
            Some(source) => {
                std::fs::copy(source, root).map_err(|e| {
                    DriverError::backend(
                        crate::hypervisor::DRIVER_NAME,
                        DriverMethod::FinishMigration,
                        e,
                    )
                })?;
                let size =
                    disks::image_info(&self.config.qemu_img, DriverMethod::FinishMigration, root)?;
                if size.virtual_size < bytes {
                    disks::grow(
                        &self.config.qemu_img,
                        DriverMethod::FinishMigration,
                        root,
                        bytes,
                    )?;
                }
                Ok(())
            }
            None => disks::create_qcow2(
                &self.config.qemu_img,
                DriverMethod::Spawn,
                root,
                bytes >> 20,
            ),
        }
    }

    /// `destroy`: off, undefined (managed save and snapshot metadata too),
    /// files removed, out of the index; `Ok` for an unknown instance.
    pub fn destroy(&self, instance: &Instance, destroy_disks: bool) -> DriverResult<()> {
        let uuid = instance.uuid;
        let _guard = self.lock_catalog_and(uuid);
        let Some((dom, flags)) = self.known(uuid)? else {
            return Ok(());
        };
        let from = match self.status_of(uuid, &dom, flags) {
            Ok(from) => from,
            Err(DriverError::InstanceNotFound { .. }) => {
                // Gone already (removed behind the driver's back).
                self.index_mut().remove(uuid);
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        let event = transition(from, LifecycleOperation::Destroy)
            .ok()
            .and_then(|t| t.event);
        // Only real hypervisors have files to remove, named in the record.
        let record = if self.makes_files() {
            self.read_record(&dom)?
        } else {
            None
        };
        let active = match from.state {
            PowerState::Running | PowerState::Paused => true,
            PowerState::Shutdown => false,
            _ => dom.is_active().map_err(backend(DriverMethod::Destroy))?,
        };
        if active {
            if let Err(e) = dom.destroy() {
                if dom.is_active().map_err(backend(DriverMethod::Destroy))? {
                    return Err(backend(DriverMethod::Destroy)(e));
                }
            }
        }
        dom.undefine_flags(self.undefine_flags())
            .map_err(backend(DriverMethod::Destroy))?;
        self.index_mut().remove(uuid);
        if let Some(record) = &record {
            self.remove_files(record, destroy_disks);
        }
        if let Some(event) = event {
            self.emit(uuid, event);
        }
        Ok(())
    }

    /// The flags that undefine a domain with everything libvirt keeps for it.
    pub fn undefine_flags(&self) -> u32 {
        let mut flags =
            sys::VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | sys::VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA;
        if self.kind == HypervisorKind::Qemu {
            flags |= sys::VIR_DOMAIN_UNDEFINE_NVRAM;
        }
        flags
    }

    /// Removes the files the driver made for an instance (disks only when
    /// `disks_too`).
    pub fn remove_files(&self, record: &InstanceRecord, disks_too: bool) {
        if !self.makes_files() {
            return;
        }
        disks::remove(&record.files.console_log);
        disks::remove(&record.files.rescue_disk);
        if disks_too {
            disks::remove(&record.files.root_disk);
            disks::remove(&disks::pre_resize_copy(&record.files.root_disk));
        }
    }
}

/// How many times a start gives the guest a new serial-console port after a
/// clash before it reports the failure.
pub(crate) const PORT_ATTEMPTS: u32 = 8;

/// Whether QEMU failed because the port it was given was taken meanwhile.
pub(crate) fn is_port_clash(error: &virt::error::Error) -> bool {
    let message = error.message();
    message.contains("Address already in use")
        || message.contains("Failed to find an available port")
}

/// A TCP port of 127.0.0.1 free right now (the kernel picks it), for a
/// guest's serial console.
pub(crate) fn free_port(method: DriverMethod) -> DriverResult<u16> {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|e| DriverError::backend(crate::hypervisor::DRIVER_NAME, method, e))
}
