//! The driver's locks: a check and the change it allows must not interleave
//! with another change within one driver.
//!
//! - The catalog lock covers which instances exist, their names and their
//!   claims: spawn, destroy, migrations, listings and rescans take it.
//! - Each instance has a lock (striped: instances share a fixed set of
//!   locks) covering its state: lifecycle calls, volumes, snapshots and
//!   injected files take only that one, so calls on different instances run
//!   in parallel.
//!
//! Order: the catalog lock first, then an instance lock; never two instance
//! locks at once.

use std::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

use uuid::Uuid;

/// How many instance locks there are.
const STRIPES: usize = 64;

/// The catalog lock and the instance locks.
#[derive(Debug)]
pub struct DriverLocks {
    catalog: Mutex<()>,
    stripes: [Mutex<()>; STRIPES],
}

impl Default for DriverLocks {
    fn default() -> Self {
        Self {
            catalog: Mutex::new(()),
            stripes: std::array::from_fn(|_| Mutex::new(())),
        }
    }
}

/// Both locks an instance's creation or removal holds.
pub type CatalogAndInstance<'a> = (MutexGuard<'a, ()>, MutexGuard<'a, ()>);

/// Locks `lock`, recovering it if a panicking holder poisoned it: every
/// lock of the driver guards data that stays consistent at each step (a panic
/// is contained, never a reason to stop answering).
pub fn lock<T>(lock: &Mutex<T>) -> MutexGuard<'_, T> {
    lock.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Reads `lock`, recovering it if poisoned (see [`lock`]).
pub fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    lock.read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Writes `lock`, recovering it if poisoned (see [`lock`]).
pub fn write<T>(lock: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl DriverLocks {
    /// The catalog lock.
    pub fn catalog(&self) -> MutexGuard<'_, ()> {
        lock(&self.catalog)
    }

    /// The lock of `uuid`'s instance.
    pub fn instance(&self, uuid: Uuid) -> MutexGuard<'_, ()> {
        let (high, low) = uuid.as_u64_pair();
        let stripe = usize::try_from((high ^ low) % STRIPES as u64).unwrap_or(0);
        lock(&self.stripes[stripe])
    }

    /// The catalog lock, then the lock of `uuid`'s instance.
    pub fn catalog_and_instance(&self, uuid: Uuid) -> CatalogAndInstance<'_> {
        let catalog = self.catalog();
        (catalog, self.instance(uuid))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn different_instances_do_not_wait_for_each_other() {
        let locks = DriverLocks::default();
        let _a = locks.instance(Uuid::from_u128(1));
        // Held together on one thread: a deadlock here would hang the test.
        let _b = locks.instance(Uuid::from_u128(2));
        assert!(locks.catalog.try_lock().is_ok());
    }

    #[test]
    fn one_instance_has_one_lock() {
        let locks = DriverLocks::default();
        let uuid = Uuid::from_u128(0xfeed_0000_0000_0000_0000_0000_0000_0042);
        let _held = locks.instance(uuid);
        let (high, low) = uuid.as_u64_pair();
        let stripe = usize::try_from((high ^ low) % STRIPES as u64).unwrap();
        assert!(locks.stripes[stripe].try_lock().is_err());
        let (_catalog, _) = (locks.catalog(), ());
        assert!(locks.catalog.try_lock().is_err());
    }
}
