//! Live migration between two libvirt hosts: two libvirtd daemons, on two
//! machines or (as CI runs them) on one machine, the second in its own mount
//! and hostname namespaces (`.ci/libvirtd.sh start-peer`).
//!
//! The steps, as Nova drives them:
//!
//! - `check_can_live_migrate_destination` (destination): the instance is not
//!   here (nor on its way) and its flavor fits.
//! - `check_can_live_migrate_source` (source): `Running` or `Paused`, neither
//!   rescued nor soft-deleted, going to a valid host other than this one.
//! - `pre_live_migration` (destination): reserves the claim (counted in its
//!   resources, not listed as an instance) and tells the source, in
//!   [`LiveMigrateData::driver_data`], the domain name, instance directory,
//!   node and serial-console port the instance will have here.
//! - `live_migration` (source): hands the disk and log files over (hard
//!   links into the destination's directory: the hosts share storage), then
//!   `virDomainMigrate3` to the peer's libvirt (live, persistent there,
//!   undefined here, with the destination's domain name, and the domain XML
//!   and record rewritten for the destination's paths and port). On success
//!   its claim is released, `MigrationCompleted` emitted and `post` called;
//!   on failure or abort the hand-over is undone, the guest runs on here and
//!   `recover` is called.
//! - `post_live_migration_at_destination` (destination): adopts the arrived
//!   domain (indexed, the reservation becomes its claim; resumed if it was
//!   paused at the source) and emits `Started`.
//!   Until then the domain is there but the instance is not listed: its
//!   record arrives marked `arriving`, which the adoption clears.
//! - `rollback_live_migration_at_destination`: drops the reservation.
//! - `live_migration_abort` / `live_migration_force_complete` (source):
//!   cancel the migration job (`virDomainAbortJob`) / lift the bandwidth limit
//!   and allow any downtime, so that it converges at once. With no migration
//!   in flight both are no-ops.
//!
//! The source holds the instance's and the catalog's locks for the whole
//! migration (libvirt refuses other jobs on the domain meanwhile anyway);
//! abort and force-complete take no lock.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use driver_api::{
    validate, DriverError, DriverMethod, DriverResult, Instance, InstanceRef, InstanceStatus,
    LifecycleTransition, LiveMigrateData, PowerState, RefusedOperation, ResourceAmounts,
};
use uuid::Uuid;
use virt::connect::Connect;
use virt::domain::{Domain, MigrateParameters};
use virt::error::ErrorNumber;
use virt::sys;

use crate::domains::is_no_domain;
use crate::ffi;
use crate::hypervisor::{backend, backend_msg, Hypervisor, HypervisorKind};
use crate::live_handover::{
    file_pairs, hand_over, moved_to, rename_taps, rewrite_for_destination, undo_hand_over,
};
use crate::locks;
use crate::record::{InstanceFiles, InstanceRecord};
use crate::spawn::{free_port, Creation};

/// `driver_data` key: the domain name the instance gets on the destination.
pub const KEY_DOMAIN_NAME: &str = "libvirt.domain_name";
/// `driver_data` key: the destination driver's instance directory.
pub const KEY_INSTANCE_DIR: &str = "libvirt.instance_dir";
/// `driver_data` key: the node the destination claims on.
pub const KEY_NODE: &str = "libvirt.node";
/// `driver_data` key: the serial-console TCP port on the destination.
pub const KEY_SERIAL_PORT: &str = "libvirt.serial_port";

/// The highest bandwidth libvirt's QEMU driver accepts, in MiB/s ("no limit").
const UNLIMITED_MIB: u64 = (i64::MAX as u64) / (1024 * 1024);
/// The downtime a forced completion allows, in milliseconds.
const FORCED_DOWNTIME_MS: u64 = 10_000;

/// An instance on its way here, between `pre_live_migration` and
/// `post_live_migration_at_destination` (or the rollback).
#[derive(Clone, Debug)]
struct Incoming {
    node: String,
    claim: ResourceAmounts,
}

/// A live migration from here in flight.
#[derive(Debug)]
struct Outgoing {
    domain: Arc<Domain>,
    aborted: bool,
}

/// The driver's live migrations in flight, both ways.
#[derive(Debug, Default)]
pub struct LiveState {
    incoming: Mutex<HashMap<Uuid, Incoming>>,
    outgoing: Mutex<HashMap<Uuid, Outgoing>>,
}

impl LiveState {
    /// The claims reserved for arriving instances on `node`.
    pub fn reserved_on(&self, node: &str) -> ResourceAmounts {
        locks::lock(&self.incoming)
            .values()
            .filter(|i| i.node == node)
            .fold(ResourceAmounts::default(), |sum, i| {
                sum.saturating_add(&i.claim)
            })
    }

    fn is_incoming(&self, uuid: Uuid) -> bool {
        locks::lock(&self.incoming).contains_key(&uuid)
    }
}

/// How a live migration that got under way ended.
#[derive(Debug)]
pub enum LiveOutcome {
    /// The instance runs on the destination; the source no longer has it.
    Completed,
    /// Aborted (`live_migration_abort`); the instance runs on here.
    Cancelled,
    /// Failed; the instance runs on here.
    Failed(DriverError),
}

/// `InvalidState` unless the instance can live-migrate: running or paused,
/// neither rescued nor soft-deleted.
fn movable(uuid: Uuid, status: InstanceStatus, method: DriverMethod) -> DriverResult<()> {
    let ok = matches!(status.state, PowerState::Running | PowerState::Paused)
        && !status.rescued
        && !status.soft_deleted;
    if ok {
        Ok(())
    } else {
        Err(DriverError::InvalidState {
            instance: uuid,
            operation: RefusedOperation::Method(method),
            status,
        })
    }
}

fn exists(uuid: Uuid) -> DriverError {
    DriverError::InstanceExists {
        instance: InstanceRef::Uuid(uuid),
    }
}

/// Whether `uri` names a libvirt on this machine (no host part).
fn is_local_uri(uri: &str) -> bool {
    uri.split_once("://")
        .is_some_and(|(_, rest)| rest.starts_with('/'))
}

impl Hypervisor {
    /// This host's name, as `init_host` gave it (its one node is named alike).
    pub fn own_host(&self) -> String {
        self.node_list()
            .first()
            .cloned()
            .unwrap_or_else(|| self.host_name.clone())
    }

    /// The node an arriving instance claims on: its own if managed here, else
    /// the first.
    fn arrival_node(&self, instance: &Instance) -> String {
        let managed = self.node_list();
        instance
            .node
            .as_deref()
            .filter(|n| managed.iter().any(|m| m == n))
            .map(str::to_owned)
            .or_else(|| managed.first().cloned())
            .unwrap_or_default()
    }

    /// `InsufficientResources` unless `instance`'s flavor fits on `node`; the
    /// free amounts otherwise.
    fn fits(&self, instance: &Instance, node: &str) -> DriverResult<ResourceAmounts> {
        let free = self.node_totals()?.saturating_sub(&self.node_used(node)?);
        let requested = ResourceAmounts::of_flavor(&instance.flavor);
        if requested.fits_in(&free) {
            Ok(free)
        } else {
            Err(DriverError::InsufficientResources {
                node: node.to_owned(),
                requested,
                free,
            })
        }
    }

    /// `check_can_live_migrate_destination`.
    pub fn check_live_destination(
        &self,
        instance: &Instance,
        block_migration: bool,
        disk_over_commit: bool,
    ) -> DriverResult<LiveMigrateData> {
        validate::instance(instance)
            .map_err(|v| v.into_error(DriverMethod::CheckCanLiveMigrateDestination))?;
        let uuid = instance.uuid;
        if self.known(uuid)?.is_some() || self.live.is_incoming(uuid) {
            return Err(exists(uuid));
        }
        let node = self.arrival_node(instance);
        let free = self.fits(instance, &node)?;
        let mut data = LiveMigrateData::new(self.own_host());
        data.block_migration = block_migration;
        data.disk_over_commit = disk_over_commit;
        data.disk_available_mb = free.local_gb.saturating_mul(1024);
        Ok(data)
    }

    /// `check_can_live_migrate_source`.
    pub fn check_live_source(
        &self,
        uuid: Uuid,
        data: &LiveMigrateData,
    ) -> DriverResult<LiveMigrateData> {
        let (dom, flags) = self.known_or_not_found(uuid)?;
        let status = self.status_of(uuid, &dom, flags)?;
        movable(uuid, status, DriverMethod::CheckCanLiveMigrateSource)?;
        let own = self.own_host();
        validate::live_destination(&data.dest_host, &own)
            .map_err(|v| v.into_error(DriverMethod::CheckCanLiveMigrateSource))?;
        let mut data = data.clone();
        data.source_host = Some(own);
        Ok(data)
    }

    /// `pre_live_migration`: reserves the claim and tells the source where
    /// the instance goes here.
    pub fn pre_live(
        &self,
        instance: &Instance,
        network_info: &[driver_api::Vif],
        block_device_info: &driver_api::BlockDeviceInfo,
        data: &LiveMigrateData,
    ) -> DriverResult<LiveMigrateData> {
        validate::arrival(instance, network_info, block_device_info)
            .map_err(|v| v.into_error(DriverMethod::PreLiveMigration))?;
        let uuid = instance.uuid;
        let _guard = self.lock_catalog_and(uuid);
        if self.live.is_incoming(uuid) || self.uuid_taken(uuid)? {
            return Err(exists(uuid));
        }
        if self.index().name_taken(&instance.name) {
            return Err(DriverError::InstanceExists {
                instance: InstanceRef::Name(instance.name.clone()),
            });
        }
        let node = self.arrival_node(instance);
        self.fits(instance, &node)?;
        let mut data = data.clone();
        if self.kind == HypervisorKind::Qemu && self.config.serial_console {
            let port = free_port(DriverMethod::PreLiveMigration)?;
            data.driver_data
                .insert(KEY_SERIAL_PORT.to_owned(), port.to_string());
        }
        data.driver_data
            .insert(KEY_DOMAIN_NAME.to_owned(), self.domain_name(uuid));
        data.driver_data.insert(
            KEY_INSTANCE_DIR.to_owned(),
            self.work_dir.to_string_lossy().into_owned(),
        );
        data.driver_data.insert(KEY_NODE.to_owned(), node.clone());
        locks::lock(&self.live.incoming).insert(
            uuid,
            Incoming {
                node,
                claim: ResourceAmounts::of_flavor(&instance.flavor),
            },
        );
        Ok(data)
    }

    /// `live_migration` on the source. `Err`: refused before anything moved
    /// (no callback is due); `Ok`: how the migration ended.
    pub fn live_migrate(
        &self,
        uuid: Uuid,
        dest: &str,
        data: &LiveMigrateData,
    ) -> DriverResult<LiveOutcome> {
        validate::live_migration_target(dest, &self.own_host(), data)
            .map_err(|v| v.into_error(DriverMethod::LiveMigration))?;
        let _guard = self.lock_catalog_and(uuid);
        let (dom, record) = self.get(uuid)?;
        let status = self.status(&dom, &record)?;
        movable(uuid, status, DriverMethod::LiveMigration)?;
        {
            let mut outgoing = locks::lock(&self.live.outgoing);
            if outgoing.contains_key(&uuid) {
                return Err(DriverError::InvalidState {
                    instance: uuid,
                    operation: RefusedOperation::Method(DriverMethod::LiveMigration),
                    status,
                });
            }
            outgoing.insert(
                uuid,
                Outgoing {
                    domain: Arc::clone(&dom),
                    aborted: false,
                },
            );
        }
        let result = self.migrate_now(&dom, &record, dest, data);
        let aborted = locks::lock(&self.live.outgoing)
            .remove(&uuid)
            .is_some_and(|o| o.aborted);
        Ok(match result {
            Ok(()) => {
                self.index_mut().remove(uuid);
                self.emit(uuid, LifecycleTransition::MigrationCompleted);
                LiveOutcome::Completed
            }
            Err(_) if aborted => LiveOutcome::Cancelled,
            Err(e) => LiveOutcome::Failed(e),
        })
    }

    /// The migration itself: files handed over, the domain migrated; on
    /// failure the hand-over is undone.
    fn migrate_now(
        &self,
        dom: &Domain,
        record: &InstanceRecord,
        dest: &str,
        data: &LiveMigrateData,
    ) -> DriverResult<()> {
        const OP: DriverMethod = DriverMethod::LiveMigration;
        let peer_uri = self.config.live_migration_peers.get(dest).ok_or_else(|| {
            backend_msg(
                OP,
                format!("no live-migration peer is configured for host {dest}"),
            )
        })?;
        let fact = |key: &str| {
            data.driver_data.get(key).ok_or_else(|| {
                backend_msg(
                    OP,
                    format!("the migration data lacks {key}: pre_live_migration did not run on the destination"),
                )
            })
        };
        let dest_name = fact(KEY_DOMAIN_NAME)?;
        let dest_dir = PathBuf::from(fact(KEY_INSTANCE_DIR)?);
        let mut moved = record.clone();
        moved.files = InstanceFiles {
            root_disk: moved_to(&record.files.root_disk, &dest_dir),
            rescue_disk: moved_to(&record.files.rescue_disk, &dest_dir),
            console_log: moved_to(&record.files.console_log, &dest_dir),
        };
        for volume in moved.volumes.values_mut() {
            if volume.source.starts_with(&self.work_dir) {
                volume.source = moved_to(&volume.source, &dest_dir);
            }
        }
        if let Some(node) = data.driver_data.get(KEY_NODE) {
            moved.node = node.clone();
        }
        // Not listed on the destination until its post adopts it.
        moved.arriving = true;
        if record.serial_port.is_some() {
            let port = fact(KEY_SERIAL_PORT)?
                .parse::<u16>()
                .map_err(|e| backend_msg(OP, format!("bad {KEY_SERIAL_PORT}: {e}")))?;
            moved.serial_port = Some(port);
        }
        let xml_flags = sys::VIR_DOMAIN_XML_MIGRATABLE | sys::VIR_DOMAIN_XML_SECURE;
        let live_xml = dom.xml_desc(xml_flags).map_err(backend(OP))?;
        let persistent_xml = dom
            .xml_desc(xml_flags | sys::VIR_DOMAIN_XML_INACTIVE)
            .map_err(backend(OP))?;
        let mut live_xml = rewrite_for_destination(&live_xml, record, &moved);
        if is_local_uri(peer_uri) {
            live_xml = rename_taps(&live_xml, record, &self.domain_name(record.uuid), dest_name);
        }
        let params = MigrateParameters {
            dest_name: Some(dest_name.clone()),
            dest_xml: Some(live_xml),
            persist_xml: Some(rewrite_for_destination(&persistent_xml, record, &moved)),
            uri: self.config.live_migration_uri.clone(),
            bandwidth: self.config.live_migration_bandwidth_mib,
            ..MigrateParameters::default()
        };
        let flags = sys::VIR_MIGRATE_LIVE
            | sys::VIR_MIGRATE_PERSIST_DEST
            | sys::VIR_MIGRATE_UNDEFINE_SOURCE
            // The disks are on storage both hosts see (handed over below), which
            // libvirt cannot tell from a local filesystem.
            | sys::VIR_MIGRATE_UNSAFE;
        let linked = hand_over(&file_pairs(record, &moved))?;
        if self.abort_requested(record.uuid) {
            undo_hand_over(&linked);
            return Err(backend_msg(OP, "aborted before the migration started"));
        }
        let result = Connect::open(Some(peer_uri))
            .and_then(|peer| dom.migrate3(&peer, params, flags).map(drop))
            .map_err(backend(OP));
        match result {
            // Our names of the files go; the destination's stay.
            Ok(()) => undo_hand_over(
                &file_pairs(&moved, record)
                    .into_iter()
                    .filter(|(dest, ours)| dest != ours)
                    .map(|(_, ours)| ours.to_path_buf())
                    .collect::<Vec<_>>(),
            ),
            Err(_) => undo_hand_over(&linked),
        }
        result
    }

    fn abort_requested(&self, uuid: Uuid) -> bool {
        locks::lock(&self.live.outgoing)
            .get(&uuid)
            .is_some_and(|o| o.aborted)
    }

    /// `post_live_migration_at_destination`: adopts the arrived domain; when
    /// nothing arrived, the instance is created here, running (as a fresh
    /// arrival).
    pub fn post_live(
        &self,
        instance: &Instance,
        network_info: &[driver_api::Vif],
        block_device_info: &driver_api::BlockDeviceInfo,
    ) -> DriverResult<()> {
        validate::arrival(instance, network_info, block_device_info)
            .map_err(|v| v.into_error(DriverMethod::PostLiveMigrationAtDestination))?;
        const OP: DriverMethod = DriverMethod::PostLiveMigrationAtDestination;
        let uuid = instance.uuid;
        let _guard = self.lock_catalog_and(uuid);
        let reservation = locks::lock(&self.live.incoming).get(&uuid).cloned();
        if reservation.is_none() && self.index().contains(uuid) {
            return Err(exists(uuid));
        }
        let arrived = match self.conn().lookup_domain_by_name(&self.domain_name(uuid)) {
            Ok(dom) => Some(dom),
            Err(e) if is_no_domain(&e) => None,
            Err(e) => return Err(backend(OP)(e)),
        };
        let node = reservation
            .as_ref()
            .map_or_else(|| self.arrival_node(instance), |r| r.node.clone());
        match arrived {
            Some(dom) => {
                let mut record = self
                    .read_record(&dom)?
                    .ok_or_else(|| backend_msg(OP, "the arrived domain carries no record"))?;
                // The contract's arrival is `Running`: a guest paused at
                // the source arrives paused (libvirt keeps the state).
                if self.power_state(&dom)? == driver_api::PowerState::Paused {
                    dom.resume().map_err(backend(OP))?;
                }
                record.node = node;
                record.cold_migration = None;
                record.arriving = false;
                self.write_record(&dom, &record)?;
                locks::lock(&self.live.incoming).remove(&uuid);
                self.emit(uuid, LifecycleTransition::Started);
                Ok(())
            }
            None => {
                locks::lock(&self.live.incoming).remove(&uuid);
                self.create_instance(Creation {
                    instance,
                    node,
                    injected_files: &[],
                    network_info,
                    block_device_info,
                    power_on: true,
                    root_from: None,
                })
            }
        }
    }

    /// `rollback_live_migration_at_destination`: the reservation goes.
    /// Idempotent.
    pub fn rollback_live(&self, uuid: Uuid) -> DriverResult<()> {
        let _guard = self.lock_catalog_and(uuid);
        locks::lock(&self.live.incoming).remove(&uuid);
        Ok(())
    }

    /// The domain of `uuid`'s migration in flight, marking it aborted when
    /// `abort`.
    fn outgoing(&self, uuid: Uuid, abort: bool) -> Option<Arc<Domain>> {
        let mut outgoing = locks::lock(&self.live.outgoing);
        let entry = outgoing.get_mut(&uuid)?;
        entry.aborted |= abort;
        Some(Arc::clone(&entry.domain))
    }

    /// `live_migration_abort`.
    pub fn abort_live(&self, uuid: Uuid) -> DriverResult<()> {
        let Some(dom) = self.outgoing(uuid, true) else {
            self.known_or_not_found(uuid)?;
            return Ok(());
        };
        match ffi::abort_job(&dom) {
            // No job yet (the migration checks the mark before it starts) or
            // none any more (or the domain already left): nothing to cancel.
            Err(e) if e.code().is(ErrorNumber::OperationInvalid) || is_no_domain(&e) => Ok(()),
            other => other.map_err(backend(DriverMethod::LiveMigrationAbort)),
        }
    }

    /// `live_migration_force_complete`.
    pub fn force_complete_live(&self, uuid: Uuid) -> DriverResult<()> {
        const OP: DriverMethod = DriverMethod::LiveMigrationForceComplete;
        let Some(dom) = self.outgoing(uuid, false) else {
            self.known_or_not_found(uuid)?;
            return Ok(());
        };
        let lifted = dom
            .migrate_set_max_speed(UNLIMITED_MIB, 0)
            .and_then(|()| dom.migrate_set_max_downtime(FORCED_DOWNTIME_MS, 0));
        match lifted {
            // Not migrating (yet, or any more: the domain may have left).
            Err(e) if e.code().is(ErrorNumber::OperationInvalid) || is_no_domain(&e) => Ok(()),
            other => other.map_err(backend(OP)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_running_or_paused_instances_move() {
        let uuid = Uuid::from_u128(1);
        for state in [PowerState::Running, PowerState::Paused] {
            assert!(movable(
                uuid,
                InstanceStatus::new(state),
                DriverMethod::LiveMigration
            )
            .is_ok());
        }
        for state in [
            PowerState::Shutdown,
            PowerState::Suspended,
            PowerState::Crashed,
        ] {
            assert!(movable(
                uuid,
                InstanceStatus::new(state),
                DriverMethod::LiveMigration
            )
            .is_err());
        }
        let mut rescued = InstanceStatus::new(PowerState::Running);
        rescued.rescued = true;
        assert!(movable(uuid, rescued, DriverMethod::LiveMigration).is_err());
    }
}
