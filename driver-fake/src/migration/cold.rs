//! Cold migration and resize: `migrate_disk_and_power_off`,
//! `finish_migration`, `confirm_migration`, `finish_revert_migration`.

use driver_api::{
    transition, validate, BlockDeviceInfo, DiskInfo, DriverError, DriverMethod, DriverResult,
    Flavor, Instance, InstanceDisk, InstanceStatus, LifecycleOperation, LifecycleTransition,
    Migration, Outcome, ResourceAmounts, Vif,
};
use uuid::Uuid;

use super::{exists, power_on_step, GIB};
use crate::fake_driver::FakeDriver;
use crate::guest::{arriving, interfaces_of, volumes_of};
use crate::store::{
    ColdMigrationMark, ConsoleEntry, InstanceExtras, InstanceRecord, NewInstance, NodeChoice,
};

impl FakeDriver {
    /// `migrate_disk_and_power_off` on the source, from the instance's
    /// `current` flavor to `new`.
    pub(crate) fn migrate_out_now(
        &self,
        uuid: Uuid,
        dest: &str,
        (current, new): (&Flavor, &Flavor),
    ) -> DriverResult<DiskInfo> {
        validate::host_name("dest", dest)
            .and(validate::resize(current, new))
            .map_err(|v| v.into_error(DriverMethod::MigrateDiskAndPowerOff))?;
        self.store.update(uuid, |record| {
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
                root_gb_before: None,
            });
            let disk = InstanceDisk::new(
                format!("/var/lib/fake/instances/{uuid}/disk"),
                "qcow2",
                record.root_gb.saturating_mul(GIB),
            );
            Ok((vec![disk], step.event))
        })
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
            return self.resize_in_place(uuid, claim, instance.flavor.root_gb, power_on);
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
            root_gb: instance.flavor.root_gb,
            running: power_on,
            interfaces,
            extras,
            admin_password_set: false,
        })
    }

    /// A same-host resize: the claim becomes `claim` and the root disk
    /// `root_gb` (the old ones are kept for a revert), and the instance powers
    /// on if asked.
    fn resize_in_place(
        &self,
        uuid: Uuid,
        claim: ResourceAmounts,
        root_gb: u64,
        power_on: bool,
    ) -> DriverResult<()> {
        self.store.update_claim(
            uuid,
            &self.nodes,
            |record| {
                let Some(mark) = record
                    .extras
                    .as_ref()
                    .and_then(|e| e.cold_migration.clone())
                else {
                    return Err(exists(uuid));
                };
                let event = power_on_step(uuid, record.status, power_on)?;
                let mark = ColdMigrationMark {
                    claim_before: Some(mark.claim_before.unwrap_or(record.claim)),
                    root_gb_before: Some(mark.root_gb_before.unwrap_or(record.root_gb)),
                    ..mark
                };
                Ok((Some(claim), (mark, event)))
            },
            |record, (mark, event)| {
                record.root_gb = root_gb;
                record.extras_mut().cold_migration = Some(mark);
                power_on_record(record, event)
            },
        )
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
        self.store.update_claim(
            uuid,
            &self.nodes,
            |record| {
                if !migrating_out(record) {
                    return Err(not_migrating(
                        uuid,
                        DriverMethod::FinishRevertMigration,
                        record.status,
                    ));
                }
                let event = power_on_step(uuid, record.status, power_on)?;
                let mark = record
                    .extras
                    .as_ref()
                    .and_then(|e| e.cold_migration.as_ref());
                let before = mark.and_then(|m| m.claim_before);
                let root_before = mark.and_then(|m| m.root_gb_before);
                Ok((before, (root_before, event)))
            },
            |record, (root_before, event)| {
                if let Some(root_gb) = root_before {
                    record.root_gb = root_gb;
                }
                if let Some(extras) = record.extras.as_mut() {
                    extras.cold_migration = None;
                }
                power_on_record(record, event)
            },
        )
    }
}

/// Powers a record on after a checked [`power_on_step`]; the event to emit.
fn power_on_record(
    record: &mut InstanceRecord,
    event: Option<(InstanceStatus, Option<LifecycleTransition>)>,
) -> Option<LifecycleTransition> {
    let (to, event) = event?;
    record.status = to;
    if event.is_some() {
        record.console.push(ConsoleEntry::Started);
    }
    event
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
