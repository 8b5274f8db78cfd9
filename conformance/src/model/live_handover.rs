//! What a live migration carries between the suite's calls: the data the
//! protocol hands from step to step, and a record of the callbacks a backend
//! runs.

use std::collections::HashMap;
use std::sync::Mutex;

use driver_api::{Instance, LiveMigrateData, LiveMigrationCallbacks, MigrationStatus};
use uuid::Uuid;

use crate::fixtures;

/// Records the live-migration callbacks a backend runs, in order
/// (`post(dest)`, `recover(dest, status)`).
#[derive(Debug, Default)]
pub(crate) struct CallbackLog(Mutex<Vec<String>>);

impl CallbackLog {
    /// The callbacks run so far.
    pub(crate) fn calls(&self) -> Vec<String> {
        self.0.lock().map(|c| c.clone()).unwrap_or_default()
    }

    fn push(&self, call: String) {
        if let Ok(mut calls) = self.0.lock() {
            calls.push(call);
        }
    }
}

#[async_trait::async_trait]
impl LiveMigrationCallbacks for CallbackLog {
    async fn post(&self, _instance: &Instance, dest: &str, _data: &LiveMigrateData) {
        self.push(format!("post({dest})"));
    }

    async fn recover(
        &self,
        _instance: &Instance,
        dest: &str,
        _data: &LiveMigrateData,
        status: MigrationStatus,
    ) {
        self.push(format!("recover({dest}, {status:?})"));
    }
}

/// The live-migrate data the protocol hands from call to call, per
/// instance: what `check_can_live_migrate_destination` returned goes to
/// `check_can_live_migrate_source`, what that returned to
/// `pre_live_migration`, and what that returned to `live_migration`, as
/// Nova's compute manager passes it (a backend may carry what it needs in
/// [`LiveMigrateData::driver_data`]). A step whose host does not match the
/// data held (a walk that skipped the checks) gets fresh data naming its
/// destination.
#[derive(Debug, Default)]
pub(crate) struct HandedOver(Mutex<HashMap<Uuid, LiveMigrateData>>);

impl HandedOver {
    /// The data held for `instance` if it names `dest_host`, else fresh
    /// data naming `dest_host`.
    pub(crate) fn for_dest(&self, instance: Uuid, dest_host: &str) -> LiveMigrateData {
        self.0
            .lock()
            .ok()
            .and_then(|held| held.get(&instance).cloned())
            .filter(|data| data.dest_host == dest_host)
            .unwrap_or_else(|| fixtures::migrate_data(dest_host))
    }

    /// Holds what a step returned, for the next step of `instance`.
    pub(crate) fn hold(&self, instance: Uuid, data: LiveMigrateData) {
        if let Ok(mut held) = self.0.lock() {
            held.insert(instance, data);
        }
    }
}
