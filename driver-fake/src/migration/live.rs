//! Live migration: the checks, `pre_live_migration`, `live_migration` (and
//! its waiting variant), force-complete and abort, post and rollback at the
//! destination.

use std::collections::BTreeMap;
use std::sync::Arc;

use driver_api::{
    validate, BlockDeviceInfo, ConnectionInfo, DriverError, DriverMethod, DriverResult, Instance,
    InstanceStatus, LifecycleTransition, LiveMigrateData, LiveMigrationCallbacks, MigrationStatus,
    PowerState, ResourceAmounts, Vif,
};
use uuid::Uuid;

use super::exists;
use crate::fake_driver::{live_waiters, FakeDriver, LiveSignal};
use crate::guest::{arriving, interfaces_of, volumes_of};
use crate::store::{InstanceExtras, NewInstance, NodeChoice};

/// How long a waiting live migration
/// ([`FakeDriverBuilder::live_migration_waits`](crate::FakeDriverBuilder::live_migration_waits))
/// waits before completing on its own (Nova: 50 polls of 0.1 s).
pub const LIVE_MIGRATION_WAIT_LIMIT: std::time::Duration = std::time::Duration::from_secs(5);

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
        if self.store.holds(uuid) {
            return Err(exists(uuid));
        }
        let ledger = self.arrival_ledger(&[instance.node.as_deref()])?;
        let claim = ResourceAmounts::of_flavor(&instance.flavor);
        let free = ledger.capacity().saturating_sub(&self.store.used(&ledger));
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

    /// `pre_live_migration`: reserves the name and the claim on the
    /// destination; the caller's migrate data back.
    pub(crate) fn pre_live_now(
        &self,
        instance: &Instance,
        block_device_info: &BlockDeviceInfo,
        network_info: &[Vif],
        migrate_data: &LiveMigrateData,
    ) -> DriverResult<LiveMigrateData> {
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
        let root_gb = instance.flavor.root_gb;
        self.store.reserve(
            uuid,
            &instance.name,
            ledger,
            (claim, root_gb),
            interfaces,
            volumes,
        )?;
        Ok(migrate_data.clone())
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
        validate::live_migration_target(dest, &self.host(), migrate_data)
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
        .then_some(())
        .ok_or_else(|| DriverError::instance_not_found(uuid))
    }

    /// `live_migration_force_complete`: a waiting live migration, if any,
    /// completes now.
    pub(crate) fn force_live_now(&self, uuid: Uuid) -> DriverResult<()> {
        self.signal_live_now(uuid, LiveSignal::Complete)
    }

    /// `live_migration_abort`: a waiting live migration, if any, ends cancelled.
    pub(crate) fn abort_live_now(&self, uuid: Uuid) -> DriverResult<()> {
        self.signal_live_now(uuid, LiveSignal::Abort)
    }

    /// Signals a waiting live migration, if any (`InstanceNotFound` unless
    /// the instance is here).
    fn signal_live_now(&self, uuid: Uuid, signal: LiveSignal) -> DriverResult<()> {
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
        let mut given = Some((interfaces, volumes));
        let arrived = self.store.arrive(uuid, |incoming| {
            let (interfaces, volumes) = given.take().unwrap_or_default();
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
            (interfaces, extras_of_volumes(volumes))
        })?;
        if let (false, Some((interfaces, volumes))) = (arrived, given) {
            let ledger = self.arrival_ledger(&[instance.node.as_deref()])?;
            return self.create(NewInstance {
                uuid,
                name: &instance.name,
                node: NodeChoice::Resolved(ledger),
                claim: ResourceAmounts::of_flavor(&instance.flavor),
                root_gb: instance.flavor.root_gb,
                running: true,
                interfaces,
                extras: extras_of_volumes(volumes),
                admin_password_set: false,
            });
        }
        Ok(())
    }

    /// `rollback_live_migration_at_destination`: releases the reservation.
    /// Idempotent.
    pub(crate) fn rollback_live_now(&self, uuid: Uuid) -> DriverResult<()> {
        self.store.cancel_reservation(uuid);
        Ok(())
    }
}

/// The extras of an arriving instance with `volumes` (none without).
fn extras_of_volumes(volumes: BTreeMap<String, ConnectionInfo>) -> Option<Box<InstanceExtras>> {
    (!volumes.is_empty()).then(|| {
        Box::new(InstanceExtras {
            volumes,
            ..InstanceExtras::default()
        })
    })
}
