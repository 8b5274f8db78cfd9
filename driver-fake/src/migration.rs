//! Cold and live migration between fake hosts.
//!
//! Each step is one call on one driver, as the caller drives the protocol; the
//! instance and its claim move exactly once:
//!
//! - cold: `migrate_disk_and_power_off` (source: off, keeps its claim) →
//!   `finish_migration` (destination: created and claimed; a same-host resize
//!   swaps the claim in place) → `confirm_migration` (source: removed and
//!   released; nothing for a same-host resize) or `finish_revert_migration`
//!   (source: back on, a same-host resize's claim restored).
//! - live: `check_can_live_migrate_destination` (capacity) →
//!   `check_can_live_migrate_source` → `pre_live_migration` (destination:
//!   reservation with its claim) → `live_migration` (source: removed,
//!   released, `MigrationCompleted`, then `post`; or `recover`) →
//!   `post_live_migration_at_destination` (reservation becomes a `Running`
//!   instance, `Started`) or `rollback_live_migration_at_destination`.

use std::collections::BTreeMap;
use std::sync::Arc;

use driver_api::{
    transition, validate, BlockDeviceInfo, ConnectionInfo, DiskInfo, DriverError, DriverMethod,
    DriverResult, Instance, InstanceDisk, InstanceRef, InstanceStatus, LifecycleOperation,
    LifecycleTransition, LiveMigrateData, LiveMigrationCallbacks, Migration, MigrationStatus,
    Outcome, PowerState, ResourceAmounts, Vif,
};
use uuid::Uuid;

/// How long a waiting live migration
/// ([`FakeDriverBuilder::live_migration_waits`](crate::FakeDriverBuilder::live_migration_waits))
/// waits before completing on its own (Nova: 50 polls of 0.1 s).
pub const LIVE_MIGRATION_WAIT_LIMIT: std::time::Duration = std::time::Duration::from_secs(5);

use crate::compact::{Name, Ports};
use crate::driver::{live_waiters, FakeDriver, LiveSignal, NewInstance, NodeChoice};
use crate::guest::{arriving, interfaces_of, volumes_of};
use crate::ledger::{NodeLedger, Shortfall};
use crate::names::NameKey;
use crate::record::{
    ColdMigrationMark, ConsoleEntry, ConsoleRing, IncomingMigration, InstanceExtras, InstanceRecord,
};
use crate::store::Shard;

const GIB: u64 = 1024 * 1024 * 1024;

fn exists(uuid: Uuid) -> DriverError {
    DriverError::InstanceExists {
        instance: uuid.into(),
    }
}

/// `InvalidState` unless the instance can live-migrate: running or paused,
/// neither rescued nor soft-deleted.
fn check_live(uuid: Uuid, status: InstanceStatus) -> DriverResult<()> {
    let movable = matches!(status.state, PowerState::Running | PowerState::Paused)
        && !status.rescued
        && !status.soft_deleted;
    if movable {
        Ok(())
    } else {
        Err(DriverError::invalid_state_of(
            uuid,
            DriverMethod::LiveMigration,
            status,
        ))
    }
}

/// Removes the waiting-migration entry when `live_migration` ends or is dropped.
struct Waiting<'a> {
    driver: &'a FakeDriver,
    uuid: Uuid,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        live_waiters(self.driver).remove(&self.uuid);
    }
}

impl FakeDriver {
    /// The ledger an arriving instance lands on: its node if managed here,
    /// else this driver's first node.
    fn arrival_ledger(&self, preferred: &[Option<&str>]) -> DriverResult<Arc<NodeLedger>> {
        let nodes = self.nodes.read();
        for name in preferred.iter().flatten() {
            if let Some(ledger) = nodes.managed_ledger(name) {
                return Ok(ledger.clone());
            }
        }
        nodes.resolve(None)
    }

    // ----- cold ---------------------------------------------------------------------

    /// `migrate_disk_and_power_off` on the source.
    pub(crate) fn migrate_out_now(&self, uuid: Uuid, dest: &str) -> DriverResult<DiskInfo> {
        validate::host_name("dest", dest)
            .map_err(|v| v.into_error(DriverMethod::MigrateDiskAndPowerOff))?;
        let (index, mut shard) = self.store.lock_uuid(&uuid);
        let record = shard
            .instances
            .get_mut(&uuid)
            .ok_or_else(|| DriverError::instance_not_found(uuid))?;
        if migrating_out(record) {
            // One move at a time: a second would share (and a revert of it
            // would end) the first one's mark.
            return Err(not_migrating(
                uuid,
                DriverMethod::MigrateDiskAndPowerOff,
                record.status,
            ));
        }
        let op = LifecycleOperation::PowerOff;
        let step = transition(record.status, op)
            .map_err(|refused| DriverError::invalid_state(uuid, op, refused.from))?;
        if let Outcome::Becomes(to) = step.outcome {
            record.status = to;
        }
        if step.event.is_some() {
            record.console.push(ConsoleEntry::Stopped);
        }
        record.extras_mut().cold_migration = Some(ColdMigrationMark {
            dest: dest.to_owned(),
            claim_before: None,
        });
        let disk = InstanceDisk::new(
            format!("/var/lib/fake/instances/{uuid}/disk"),
            "qcow2",
            record.claim.local_gb.saturating_mul(GIB),
        );
        let drain = match step.event {
            Some(event) => self.queue(&mut shard, uuid, event),
            None => false,
        };
        drop(shard);
        self.deliver(index, drain);
        Ok(vec![disk])
    }

    /// `finish_migration` on the destination.
    pub(crate) fn finish_migration_now(
        &self,
        migration: &Migration,
        instance: &Instance,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
        power_on: bool,
    ) -> DriverResult<()> {
        let uuid = instance.uuid;
        arriving(
            DriverMethod::FinishMigration,
            instance,
            network_info,
            block_device_info,
        )?;
        validate::migration_of(migration, instance)
            .map_err(|v| v.into_error(DriverMethod::FinishMigration))?;
        let claim = ResourceAmounts::of_flavor(&instance.flavor);
        if migration.is_same_host() && self.exists_now(uuid) {
            return self.resize_in_place(uuid, claim, power_on);
        }
        let interfaces = interfaces_of(uuid, network_info)?;
        let volumes = volumes_of(uuid, block_device_info)?;
        let ledger =
            self.arrival_ledger(&[migration.dest_node.as_deref(), instance.node.as_deref()])?;
        let extras = (!volumes.is_empty()).then(|| {
            Box::new(InstanceExtras {
                volumes,
                ..InstanceExtras::default()
            })
        });
        self.create(NewInstance {
            uuid,
            name: &instance.name,
            node: NodeChoice::Resolved(ledger),
            claim,
            running: power_on,
            interfaces,
            extras,
            admin_password_set: false,
        })
    }

    /// A same-host resize: the claim becomes `claim` (the old one is kept for a
    /// revert), and the instance powers on if asked.
    fn resize_in_place(
        &self,
        uuid: Uuid,
        claim: ResourceAmounts,
        power_on: bool,
    ) -> DriverResult<()> {
        let index = self.store.shard_of(&uuid);
        let drain = self.with_claim(index, |shard, exact| {
            let record = shard
                .instances
                .get(&uuid)
                .ok_or_else(|| DriverError::instance_not_found(uuid))?;
            let Some(mark) = record
                .extras
                .as_ref()
                .and_then(|e| e.cold_migration.clone())
            else {
                return Err(exists(uuid).into());
            };
            let event = power_on_step(uuid, record.status, power_on)?;
            let before = record.claim;
            self.reclaim_as(shard, uuid, &claim, exact)?;
            if let Some(record) = shard.instances.get_mut(&uuid) {
                record.extras_mut().cold_migration = Some(ColdMigrationMark {
                    claim_before: Some(mark.claim_before.unwrap_or(before)),
                    ..mark
                });
            }
            Ok(self.power_on_record(shard, uuid, event))
        })?;
        self.deliver(index, drain);
        Ok(())
    }

    /// Replaces the claim of a record on a locked shard by `claim`, all or
    /// nothing.
    fn reclaim_as(
        &self,
        shard: &mut Shard,
        uuid: Uuid,
        claim: &ResourceAmounts,
        exact: bool,
    ) -> Result<(), Shortfall> {
        let Some(record) = shard.instances.get_mut(&uuid) else {
            return Err(DriverError::instance_not_found(uuid).into());
        };
        let (node, old) = (record.node, record.claim);
        let ledger = self.ledger_by_id(node)?;
        shard.accounts.release(node, &old);
        if let Err(shortfall) = shard.accounts.claim(&ledger, claim, exact) {
            shard.accounts.restore(node, &old);
            return Err(shortfall);
        }
        if let Some(record) = shard.instances.get_mut(&uuid) {
            record.claim = *claim;
        }
        Ok(())
    }

    /// `confirm_migration` on the source: removes the source copy (nothing for
    /// a same-host resize). Idempotent: an instance no longer here is `Ok`.
    /// `InvalidInput` for another instance's record; `InvalidState` (nothing
    /// removed) for an instance here that is not migrating out.
    pub(crate) fn confirm_migration_now(
        &self,
        migration: &Migration,
        instance: &Instance,
    ) -> DriverResult<()> {
        let uuid = instance.uuid;
        validate::migration_of(migration, instance)
            .map_err(|v| v.into_error(DriverMethod::ConfirmMigration))?;
        if migration.is_same_host() {
            return self
                .with_record(uuid, |record| {
                    if let Some(extras) = record.extras.as_mut() {
                        extras.cold_migration = None;
                    }
                    Ok(())
                })
                .or_else(|error| match error {
                    DriverError::InstanceNotFound { .. } => Ok(()),
                    other => Err(other),
                });
        }
        self.remove_checked(uuid, None, |record| {
            if migrating_out(record) {
                Ok(())
            } else {
                Err(not_migrating(
                    uuid,
                    DriverMethod::ConfirmMigration,
                    record.status,
                ))
            }
        })
        .map(drop)
    }

    /// `finish_revert_migration` on the source.
    pub(crate) fn revert_migration_now(&self, uuid: Uuid, power_on: bool) -> DriverResult<()> {
        let index = self.store.shard_of(&uuid);
        let drain = self.with_claim(index, |shard, exact| {
            let record = shard
                .instances
                .get(&uuid)
                .ok_or_else(|| DriverError::instance_not_found(uuid))?;
            if !migrating_out(record) {
                return Err(not_migrating(
                    uuid,
                    DriverMethod::FinishRevertMigration,
                    record.status,
                )
                .into());
            }
            let event = power_on_step(uuid, record.status, power_on)?;
            let before = record
                .extras
                .as_ref()
                .and_then(|e| e.cold_migration.as_ref())
                .and_then(|m| m.claim_before);
            if let Some(before) = before {
                self.reclaim_as(shard, uuid, &before, exact)?;
            }
            if let Some(extras) = shard
                .instances
                .get_mut(&uuid)
                .and_then(|r| r.extras.as_mut())
            {
                extras.cold_migration = None;
            }
            Ok(self.power_on_record(shard, uuid, event))
        })?;
        self.deliver(index, drain);
        Ok(())
    }

    /// Powers a record on after a checked [`power_on_step`]; returns whether to drain.
    fn power_on_record(
        &self,
        shard: &mut crate::store::Shard,
        uuid: Uuid,
        event: Option<(InstanceStatus, Option<LifecycleTransition>)>,
    ) -> bool {
        let Some((to, event)) = event else {
            return false;
        };
        if let Some(record) = shard.instances.get_mut(&uuid) {
            record.status = to;
            if event.is_some() {
                record.console.push(ConsoleEntry::Started);
            }
        }
        match event {
            Some(event) => self.queue(shard, uuid, event),
            None => false,
        }
    }

    // ----- live ---------------------------------------------------------------------

    /// `check_can_live_migrate_destination`.
    pub(crate) fn check_destination_now(
        &self,
        instance: &Instance,
        block_migration: bool,
        disk_over_commit: bool,
    ) -> DriverResult<LiveMigrateData> {
        let uuid = instance.uuid;
        validate::instance(instance)
            .map_err(|v| v.into_error(DriverMethod::CheckCanLiveMigrateDestination))?;
        if self.store.lock_uuid(&uuid).1.holds(&uuid) {
            return Err(exists(uuid));
        }
        let ledger = self.arrival_ledger(&[instance.node.as_deref()])?;
        let claim = ResourceAmounts::of_flavor(&instance.flavor);
        let free = ledger
            .capacity()
            .saturating_sub(&self.store.used(ledger.id()));
        if !claim.fits_in(&free) {
            return Err(ledger.insufficient(&claim, free));
        }
        let mut data = LiveMigrateData::new(self.host());
        data.block_migration = block_migration;
        data.disk_over_commit = disk_over_commit;
        data.disk_available_mb = free.local_gb.saturating_mul(1024);
        data.filename = "fake".to_owned();
        Ok(data)
    }

    /// `check_can_live_migrate_source`.
    pub(crate) fn check_source_now(
        &self,
        uuid: Uuid,
        dest_check_data: &LiveMigrateData,
    ) -> DriverResult<LiveMigrateData> {
        self.with_record(uuid, |record| check_live(uuid, record.status))?;
        validate::live_destination(&dest_check_data.dest_host, &self.host())
            .map_err(|v| v.into_error(DriverMethod::CheckCanLiveMigrateSource))?;
        let mut data = dest_check_data.clone();
        data.source_host = Some(self.host());
        Ok(data)
    }

    /// `pre_live_migration`: reserves the name and the claim on the destination.
    pub(crate) fn pre_live_now(
        &self,
        instance: &Instance,
        block_device_info: &BlockDeviceInfo,
        network_info: &[Vif],
    ) -> DriverResult<()> {
        let uuid = instance.uuid;
        arriving(
            DriverMethod::PreLiveMigration,
            instance,
            network_info,
            block_device_info,
        )?;
        let interfaces = interfaces_of(uuid, network_info)?;
        let volumes = volumes_of(uuid, block_device_info)?;
        let ledger = self.arrival_ledger(&[instance.node.as_deref()])?;
        let claim = ResourceAmounts::of_flavor(&instance.flavor);
        self.reserve_incoming(uuid, &instance.name, ledger, claim, interfaces, volumes)
    }

    /// Reserves UUID, name and claim for an arriving instance, all or nothing.
    pub(crate) fn reserve_incoming(
        &self,
        uuid: Uuid,
        name: &str,
        ledger: Arc<NodeLedger>,
        claim: ResourceAmounts,
        interfaces: Ports,
        volumes: BTreeMap<String, ConnectionInfo>,
    ) -> DriverResult<()> {
        let mut reservation = Some((interfaces, volumes));
        self.with_claim(self.store.shard_of(&uuid), |shard, exact| {
            if shard.holds(&uuid) {
                return Err(exists(uuid).into());
            }
            let name_key = NameKey::new(name);
            let named = self
                .store
                .lock_name(&name_key)
                .insert_with(&name_key, uuid, || {
                    shard.accounts.claim(&ledger, &claim, exact)
                })?;
            if !named {
                return Err(DriverError::InstanceExists {
                    instance: InstanceRef::Name(name.to_owned()),
                }
                .into());
            }
            let key = Name::new(name);
            let (interfaces, volumes) = reservation.take().unwrap_or_default();
            shard.incoming.insert(
                uuid,
                IncomingMigration {
                    name: key,
                    node: ledger.id(),
                    claim,
                    interfaces,
                    volumes,
                },
            );
            Ok(())
        })
    }

    /// `live_migration` after admission: waits if the driver was built to
    /// (Nova's `FakeLiveMigrateDriver`), then moves the instance out and calls
    /// exactly one callback.
    pub(crate) async fn live_migrate_now(
        &self,
        instance: &Instance,
        dest: &str,
        callbacks: Arc<dyn LiveMigrationCallbacks>,
        migrate_data: &LiveMigrateData,
    ) -> DriverResult<()> {
        let uuid = instance.uuid;
        validate::live_destination(dest, &self.host())
            .map_err(|v| v.into_error(DriverMethod::LiveMigration))?;
        self.with_record(uuid, |record| check_live(uuid, record.status))?;
        if self.live_migration_waits {
            let (sender, receiver) = tokio::sync::oneshot::channel();
            {
                let mut waiters = live_waiters(self);
                if waiters.contains_key(&uuid) {
                    let status = self.with_record(uuid, |r| Ok(r.status))?;
                    return Err(DriverError::invalid_state_of(
                        uuid,
                        DriverMethod::LiveMigration,
                        status,
                    ));
                }
                waiters.insert(uuid, sender);
            }
            let waiting = Waiting { driver: self, uuid };
            let signal = match tokio::time::timeout(LIVE_MIGRATION_WAIT_LIMIT, receiver).await {
                Ok(Ok(signal)) => signal,
                _ => LiveSignal::Complete,
            };
            drop(waiting);
            if signal == LiveSignal::Abort {
                callbacks
                    .recover(instance, dest, migrate_data, MigrationStatus::Cancelled)
                    .await;
                return Ok(());
            }
        }
        if let Err(error) = self.take_for_migration(uuid) {
            callbacks
                .recover(instance, dest, migrate_data, MigrationStatus::Error)
                .await;
            return Err(DriverError::MigrationFailed {
                instance: uuid,
                reason: error.to_string(),
            });
        }
        callbacks.post(instance, dest, migrate_data).await;
        Ok(())
    }

    /// Removes a migratable instance in one step, emitting `MigrationCompleted`.
    fn take_for_migration(&self, uuid: Uuid) -> DriverResult<()> {
        self.remove_checked(
            uuid,
            Some(LifecycleTransition::MigrationCompleted),
            |record| check_live(uuid, record.status),
        )?
        .map(|_| ())
        .ok_or_else(|| DriverError::instance_not_found(uuid))
    }

    /// `live_migration_force_complete` (`Complete`) / `live_migration_abort`
    /// (`Abort`): signals a waiting live migration, if any.
    pub(crate) fn signal_live_now(&self, uuid: Uuid, signal: LiveSignal) -> DriverResult<()> {
        self.require(uuid)?;
        if let Some(sender) = live_waiters(self).remove(&uuid) {
            let _ = sender.send(signal);
        }
        Ok(())
    }

    /// `post_live_migration_at_destination`: the reservation (or, without one,
    /// a fresh claim) becomes a `Running` instance.
    pub(crate) fn post_live_now(
        &self,
        instance: &Instance,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        let uuid = instance.uuid;
        arriving(
            DriverMethod::PostLiveMigrationAtDestination,
            instance,
            network_info,
            block_device_info,
        )?;
        let interfaces = interfaces_of(uuid, network_info)?;
        let volumes = volumes_of(uuid, block_device_info)?;
        let (index, mut shard) = self.store.lock_uuid(&uuid);
        if shard.instances.contains_key(&uuid) {
            return Err(exists(uuid));
        }
        let Some(incoming) = shard.incoming.remove(&uuid) else {
            drop(shard);
            let ledger = self.arrival_ledger(&[instance.node.as_deref()])?;
            let extras = (!volumes.is_empty()).then(|| {
                Box::new(InstanceExtras {
                    volumes,
                    ..InstanceExtras::default()
                })
            });
            return self.create(NewInstance {
                uuid,
                name: &instance.name,
                node: NodeChoice::Resolved(ledger),
                claim: ResourceAmounts::of_flavor(&instance.flavor),
                running: true,
                interfaces,
                extras,
                admin_password_set: false,
            });
        };
        let interfaces = if interfaces.is_empty() {
            incoming.interfaces
        } else {
            interfaces
        };
        let volumes = if volumes.is_empty() {
            incoming.volumes
        } else {
            volumes
        };
        let mut console = ConsoleRing::default();
        console.push(ConsoleEntry::Started);
        let name = shard.name_text.push(incoming.name.as_str());
        shard.instances.insert(
            uuid,
            InstanceRecord {
                name,
                node: incoming.node,
                claim: incoming.claim,
                interfaces,
                extras: (!volumes.is_empty()).then(|| {
                    Box::new(InstanceExtras {
                        volumes,
                        ..InstanceExtras::default()
                    })
                }),
                console,
                status: InstanceStatus::new(PowerState::Running),
                admin_password_set: false,
            },
        );
        let drain = self.queue(&mut shard, uuid, LifecycleTransition::Started);
        drop(shard);
        self.deliver(index, drain);
        Ok(())
    }

    /// `rollback_live_migration_at_destination`: releases the reservation.
    /// Idempotent.
    pub(crate) fn rollback_live_now(&self, uuid: Uuid) {
        let (_, mut shard) = self.store.lock_uuid(&uuid);
        if let Some(incoming) = shard.incoming.remove(&uuid) {
            self.store.release_name(incoming.name.as_str(), uuid);
            shard.accounts.release(incoming.node, &incoming.claim);
        }
    }
}

/// Whether `migrate_disk_and_power_off` moved this instance out (and no
/// confirm or revert has ended that yet).
fn migrating_out(record: &InstanceRecord) -> bool {
    record
        .extras
        .as_ref()
        .is_some_and(|extras| extras.cold_migration.is_some())
}

/// `InvalidState` for a confirm or revert of an instance not migrating out
/// (or a second move out of one that is).
fn not_migrating(uuid: Uuid, method: DriverMethod, status: InstanceStatus) -> DriverError {
    DriverError::invalid_state_of(uuid, method, status)
}

/// Checks a power-on (when `power_on`): the new status and event, or
/// `InvalidState` (soft-deleted, rescued).
fn power_on_step(
    uuid: Uuid,
    status: InstanceStatus,
    power_on: bool,
) -> DriverResult<Option<(InstanceStatus, Option<LifecycleTransition>)>> {
    if !power_on {
        return Ok(None);
    }
    let op = LifecycleOperation::PowerOn;
    let step = transition(status, op)
        .map_err(|refused| DriverError::invalid_state(uuid, op, refused.from))?;
    match step.outcome {
        Outcome::Becomes(to) => Ok(Some((to, step.event))),
        Outcome::Removed => Err(DriverError::invalid_state(uuid, op, status)),
    }
}
