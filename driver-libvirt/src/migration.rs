//! Cold migration and resize between two drivers (two hosts, or two
//! hypervisors on one machine): the source powers off and hands over its
//! disks, the destination defines the instance anew (copying the root disk
//! when it can read it), the source removes its copy on confirm or powers it
//! back on on revert. A same-host resize redefines the domain with the new
//! flavor and sets the root disk to its size, keeping the old flavor and,
//! when the size changes, a copy of the old root disk for a revert (as Nova
//! keeps the instance directory). Live migration is in `live`.

use std::path::Path;
use std::time::Duration;

use driver_api::validate;
use driver_api::{
    transition, BlockDeviceInfo, DiskInfo, DriverError, DriverMethod, DriverResult, Flavor,
    Instance, InstanceStatus, LifecycleOperation as Op, Migration, ResourceAmounts, Vif,
};
use uuid::Uuid;
use virt::domain::Domain;

use crate::disks;
use crate::domain_xml::BootMode;
use crate::hypervisor::{backend, Hypervisor, DRIVER_NAME};
use crate::record::{ColdMigration, InstanceRecord};
use crate::spawn::Creation;

impl Hypervisor {
    /// `migrate_disk_and_power_off` on the source: off (as `power_off`, no
    /// grace period), marked as migrating, its disks returned.
    /// `resize` is [`validate::resize`]'s verdict on the flavor change.
    pub fn migrate_out(
        &self,
        uuid: Uuid,
        dest: &str,
        resize: validate::Checked,
    ) -> DriverResult<DiskInfo> {
        validate::host_name("dest", dest)
            .and(resize)
            .map_err(|v| v.into_error(DriverMethod::MigrateDiskAndPowerOff))?;
        let _guard = self.lock_catalog_and(uuid);
        let (dom, mut record) = self.get(uuid)?;
        let from = self.status(&dom, &record)?;
        if record.cold_migration.is_some() {
            // One move at a time: a second would share (and a revert of it
            // would end) the first one's mark.
            return Err(not_migrating(
                uuid,
                DriverMethod::MigrateDiskAndPowerOff,
                from,
            ));
        }
        let step = transition(from, Op::PowerOff)
            .map_err(|_| DriverError::invalid_state(uuid, Op::PowerOff, from))?;
        self.halt(&dom, Duration::ZERO)?;
        record.cold_migration = Some(ColdMigration {
            dest: dest.to_owned(),
            flavor_before: None,
        });
        self.write_record(&dom, &record)?;
        if let Some(event) = step.event {
            self.emit(uuid, event);
        }
        self.disk_info_of(&dom, &record)
    }

    /// `finish_migration` on the destination.
    pub fn migrate_in(
        &self,
        migration: &Migration,
        instance: &Instance,
        disk_info: &DiskInfo,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
        power_on: bool,
    ) -> DriverResult<()> {
        validate::arrival(instance, network_info, block_device_info)
            .and_then(|()| validate::migration_of(migration, instance))
            .map_err(|v| v.into_error(DriverMethod::FinishMigration))?;
        let _guard = self.lock_catalog_and(instance.uuid);
        if migration.is_same_host() {
            if let Some((dom, record)) = self.find(instance.uuid)? {
                return self.resize_in_place(&dom, record, &instance.flavor, power_on);
            }
        }
        let managed = self.node_list();
        let node = [migration.dest_node.as_deref(), instance.node.as_deref()]
            .into_iter()
            .flatten()
            .find(|n| managed.iter().any(|m| m == n))
            .map(str::to_owned)
            .or_else(|| managed.first().cloned())
            .unwrap_or_default();
        let root_from = disk_info.first().map(|d| Path::new(d.path.as_str()));
        self.create_instance(Creation {
            instance,
            node,
            injected_files: &[],
            network_info,
            block_device_info,
            power_on,
            root_from,
        })
    }

    fn resize_in_place(
        &self,
        dom: &Domain,
        mut record: InstanceRecord,
        flavor: &Flavor,
        power_on: bool,
    ) -> DriverResult<()> {
        let uuid = record.uuid;
        let Some(mark) = record.cold_migration.clone() else {
            return Err(DriverError::InstanceExists {
                instance: uuid.into(),
            });
        };
        let from = self.status(dom, &record)?;
        let step = if power_on {
            Some(
                transition(from, Op::PowerOn)
                    .map_err(|_| DriverError::invalid_state(uuid, Op::PowerOn, from))?,
            )
        } else {
            None
        };
        let others = self
            .node_used(&record.node)?
            .saturating_sub(&record.claim());
        let free = self.node_totals()?.saturating_sub(&others);
        let requested = ResourceAmounts::of_flavor(flavor);
        if !requested.fits_in(&free) {
            return Err(DriverError::InsufficientResources {
                node: record.node.clone(),
                requested,
                free,
            });
        }
        record.cold_migration = Some(ColdMigration {
            flavor_before: Some(mark.flavor_before.unwrap_or_else(|| record.flavor.clone())),
            ..mark
        });
        let resized = self.resize_root(&record, flavor)?;
        record.flavor = flavor.clone();
        if let Err(e) = self.redefine(&record, BootMode::Normal) {
            // Nothing changed: the root disk as it was.
            match resized {
                Some(RootResize { kept: true, .. }) => {
                    let _ = self.restore_root(&record, DriverMethod::FinishMigration);
                }
                Some(RootResize { from, kept: false }) => {
                    let _ = disks::set_size(
                        &self.config.qemu_img,
                        DriverMethod::FinishMigration,
                        &record.files.root_disk,
                        (disks::root_bytes(flavor), from),
                    );
                }
                None => {}
            }
            return Err(e);
        }
        if let Some(step) = step.filter(|s| !s.is_noop(from)) {
            self.boot(uuid, dom)?;
            if let Some(event) = step.event {
                self.emit(uuid, event);
            }
        }
        Ok(())
    }

    /// A same-host resize's root disk set to `flavor`'s size, the disk as it
    /// was kept beside it for a revert (unless a copy is kept already: the
    /// first one is the disk before the move). Nothing to do (`None`) when
    /// the size stays or the hypervisor makes no files; on an error nothing
    /// changed.
    fn resize_root(
        &self,
        record: &InstanceRecord,
        flavor: &Flavor,
    ) -> DriverResult<Option<RootResize>> {
        if !self.makes_files() {
            return Ok(None);
        }
        let method = DriverMethod::FinishMigration;
        let root = &record.files.root_disk;
        let bytes = disks::root_bytes(flavor);
        let current = disks::image_info(&self.config.qemu_img, method, root)?.virtual_size;
        if current == bytes {
            return Ok(None);
        }
        let copy = disks::pre_resize_copy(root);
        let keep = !copy.exists();
        if keep {
            std::fs::copy(root, &copy).map_err(|e| DriverError::backend(DRIVER_NAME, method, e))?;
        }
        if let Err(e) = disks::set_size(&self.config.qemu_img, method, root, (current, bytes)) {
            if keep {
                disks::remove(&copy);
            }
            return Err(e);
        }
        Ok(Some(RootResize {
            from: current,
            kept: keep,
        }))
    }

    /// The root disk as it was before a same-host resize, where a copy was
    /// kept (the copy goes).
    fn restore_root(&self, record: &InstanceRecord, method: DriverMethod) -> DriverResult<()> {
        let root = &record.files.root_disk;
        let copy = disks::pre_resize_copy(root);
        if !self.makes_files() || !copy.exists() {
            return Ok(());
        }
        std::fs::rename(&copy, root).map_err(|e| DriverError::backend(DRIVER_NAME, method, e))
    }

    /// `confirm_migration` on the source: the source copy goes (nothing but
    /// the mark for a same-host resize). Idempotent; `InvalidState` (nothing
    /// removed) for an instance here that is not moving out.
    pub fn confirm_migration(
        &self,
        migration: &Migration,
        instance: &Instance,
    ) -> DriverResult<()> {
        validate::migration_of(migration, instance)
            .map_err(|v| v.into_error(DriverMethod::ConfirmMigration))?;
        let uuid = instance.uuid;
        let _guard = self.lock_catalog_and(uuid);
        let Some((dom, mut record)) = self.find(uuid)? else {
            return Ok(());
        };
        if migration.is_same_host() {
            record.cold_migration = None;
            self.write_record(&dom, &record)?;
            if self.makes_files() {
                disks::remove(&disks::pre_resize_copy(&record.files.root_disk));
            }
            return Ok(());
        }
        if record.cold_migration.is_none() {
            let status = self.status(&dom, &record)?;
            return Err(not_migrating(uuid, DriverMethod::ConfirmMigration, status));
        }
        if dom
            .is_active()
            .map_err(backend(DriverMethod::ConfirmMigration))?
        {
            dom.destroy()
                .map_err(backend(DriverMethod::ConfirmMigration))?;
        }
        dom.undefine_flags(self.undefine_flags())
            .map_err(backend(DriverMethod::ConfirmMigration))?;
        self.index_mut().remove(uuid);
        self.remove_files(&record, true);
        Ok(())
    }

    /// `finish_revert_migration` on the source: the old flavor back after a
    /// same-host resize, powered on when asked; `InvalidState` (nothing
    /// changed) unless the instance is moving out.
    pub fn revert_migration(&self, uuid: Uuid, power_on: bool) -> DriverResult<()> {
        let _guard = self.lock_catalog_and(uuid);
        let (dom, mut record) = self.get(uuid)?;
        let before = self.status(&dom, &record)?;
        if record.cold_migration.is_none() {
            return Err(not_migrating(
                uuid,
                DriverMethod::FinishRevertMigration,
                before,
            ));
        }
        if power_on {
            transition(before, Op::PowerOn)
                .map_err(|_| DriverError::invalid_state(uuid, Op::PowerOn, before))?;
        }
        if let Some(flavor) = record.cold_migration.take().and_then(|m| m.flavor_before) {
            record.flavor = flavor;
            self.redefine(&record, BootMode::Normal)?;
            // A running guest restarts into its old size and root disk (no
            // state change, no event); any other picks them up at its next
            // start.
            let running = before.state == driver_api::PowerState::Running;
            if running {
                self.halt(&dom, Duration::ZERO)?;
            }
            self.restore_root(&record, DriverMethod::FinishRevertMigration)?;
            if running {
                self.start(uuid, &dom, DriverMethod::FinishRevertMigration)?;
            }
        } else {
            self.write_record(&dom, &record)?;
        }
        if power_on {
            let from = self.status(&dom, &record)?;
            let step = transition(from, Op::PowerOn)
                .map_err(|_| DriverError::invalid_state(uuid, Op::PowerOn, from))?;
            if !step.is_noop(from) {
                if from.state == driver_api::PowerState::Paused {
                    dom.resume()
                        .map_err(backend(DriverMethod::FinishRevertMigration))?;
                } else {
                    self.boot(uuid, &dom)?;
                }
                if let Some(event) = step.event {
                    self.emit(uuid, event);
                }
            }
        }
        Ok(())
    }
}

/// What a same-host resize did to the root disk.
#[derive(Clone, Copy, Debug)]
struct RootResize {
    /// Its size before, in bytes.
    from: u64,
    /// Whether the disk before was kept beside it by this resize.
    kept: bool,
}

/// `InvalidState` for a confirm or revert of an instance not moving out (or
/// a second move out of one that is).
fn not_migrating(uuid: Uuid, method: DriverMethod, status: InstanceStatus) -> DriverError {
    DriverError::invalid_state_of(uuid, method, status)
}
