//! Locking that survives poisoning.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks a mutex, recovering from poisoning (a panicking listener or callback
/// never runs under one of our locks, so poisoning means a bug elsewhere; the
/// data is still consistent because every change is made in one step).
#[inline]
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
