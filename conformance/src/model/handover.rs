//! What a live migration hands from one call to the next, as Nova's compute
//! manager does: the migrate data `pre_live_migration` answers on the
//! destination is what `live_migration` on the source is given. A backend
//! may put there what only the destination knows
//! (`LiveMigrateData::driver_data`: where the instance's files and domain go).

use std::collections::HashMap;
use std::sync::Mutex;

use driver_api::LiveMigrateData;
use uuid::Uuid;

use crate::fixtures;

/// The migrate data each `pre_live_migration` answered, by instance and
/// destination host; the next `pre_live_migration` of the instance on that
/// host replaces it.
#[derive(Debug, Default)]
pub(crate) struct Handovers(Mutex<HashMap<(Uuid, String), LiveMigrateData>>);

impl Handovers {
    /// Keeps what `pre_live_migration` of `instance` on `dest` answered.
    pub(crate) fn keep(&self, instance: Uuid, dest: &str, data: LiveMigrateData) {
        if let Ok(mut kept) = self.0.lock() {
            kept.insert((instance, dest.to_owned()), data);
        }
    }

    /// The migrate data for `live_migration` of `instance` to `dest`: what
    /// its `pre_live_migration` there answered, else (no such call yet) the
    /// check data of `dest`.
    pub(crate) fn for_move(&self, instance: Uuid, dest: &str) -> LiveMigrateData {
        self.0
            .lock()
            .ok()
            .and_then(|kept| kept.get(&(instance, dest.to_owned())).cloned())
            .unwrap_or_else(|| fixtures::migrate_data(dest))
    }
}
