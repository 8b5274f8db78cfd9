//! `live_migration`'s outcome as Nova's compute manager hears it: `post` on
//! success, `recover` (cancelled or in error) otherwise, and no callback when
//! the call is refused before anything moved.

use std::sync::Arc;

use driver_api::{
    DriverError, DriverMethod, DriverResult, Instance, LiveMigrateData, LiveMigrationCallbacks,
    MigrationStatus,
};

use crate::driver::LibvirtDriver;
use crate::live::LiveOutcome;

impl LibvirtDriver {
    /// Live-migrates `instance` to `dest` (the crate's `live` module
    /// describes the steps) and calls back the way its outcome asks.
    pub(crate) async fn live_migrate_reporting(
        &self,
        instance: &Instance,
        dest: &str,
        callbacks: Arc<dyn LiveMigrationCallbacks>,
        migrate_data: &LiveMigrateData,
    ) -> DriverResult<()> {
        let (uuid, to, data) = (instance.uuid, dest.to_owned(), migrate_data.clone());
        let outcome = self
            .run(DriverMethod::LiveMigration, move |hv| {
                hv.live_migrate(uuid, &to, &data)
            })
            .await;
        let reason = match outcome {
            Ok(LiveOutcome::Completed) => {
                callbacks.post(instance, dest, migrate_data).await;
                return Ok(());
            }
            Ok(LiveOutcome::Cancelled) => {
                callbacks
                    .recover(instance, dest, migrate_data, MigrationStatus::Cancelled)
                    .await;
                return Ok(());
            }
            Ok(LiveOutcome::Failed(error)) => error.to_string(),
            // Refused before anything moved (preconditions): no callback is due.
            Err(
                error @ (DriverError::InstanceNotFound { .. }
                | DriverError::InvalidState { .. }
                | DriverError::InvalidInput { .. }
                | DriverError::NotSupported { .. }
                | DriverError::ReadOnly { .. }),
            ) => return Err(error),
            Err(error) => error.to_string(),
        };
        callbacks
            .recover(instance, dest, migrate_data, MigrationStatus::Error)
            .await;
        Err(DriverError::MigrationFailed {
            instance: uuid,
            reason,
        })
    }
}
