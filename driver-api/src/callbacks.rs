//! Callbacks a driver calls back into during long operations.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;

use crate::model::instance::{Instance, TaskState};
use crate::model::migration::{LiveMigrateData, MigrationStatus};

/// `snapshot`'s progress callback: `(task_state, expected_task_state)`.
///
/// Nova's `update_task_state(task_state, expected_task_state=IMAGE_SNAPSHOT)`.
pub type TaskStateCallback = Arc<dyn Fn(TaskState, TaskState) + Send + Sync>;

/// What `live_migration` calls when it finishes: `post` on success, `recover`
/// on failure (Nova's `post_method` and `recover_method`).
///
/// Exactly one of the two is called, exactly once, before `live_migration`
/// returns. The callbacks are async so that a caller can drive the destination
/// host (`post_live_migration_at_destination`) from them.
#[async_trait]
pub trait LiveMigrationCallbacks: Send + Sync + fmt::Debug {
    /// The instance now runs on `dest`; the source no longer has it.
    async fn post(&self, instance: &Instance, dest: &str, migrate_data: &LiveMigrateData);

    /// The migration failed or was aborted (`status` says which); the instance
    /// is still on the source, as it was.
    async fn recover(
        &self,
        instance: &Instance,
        dest: &str,
        migrate_data: &LiveMigrateData,
        status: MigrationStatus,
    );
}
