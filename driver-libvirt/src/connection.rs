//! The libvirt connection and its supervision: a broken connection (libvirtd
//! restarted or died) is noticed after a failed call, answered with a typed,
//! retryable [`DriverError::Unavailable`], and reopened with backoff; the
//! driver then rebuilds its index from libvirt (see
//! [`Hypervisor::supervised`](crate::hypervisor::Hypervisor::supervised)).
//!
//! While the connection is down, no call reaches libvirt: each one either
//! makes the next reconnect attempt (when the backoff has elapsed and no other
//! call is already trying) or answers `Unavailable` at once, so a dead daemon
//! never makes a caller wait for more than one `virConnectOpen`.

use std::sync::{Arc, Mutex, RwLock, TryLockError};
use std::time::{Duration, Instant};

use virt::connect::Connect;
use virt::error::Error as VirtError;

use crate::locks;

/// The first wait between reconnect attempts; it doubles after each failed
/// attempt up to [`MAX_BACKOFF`].
pub const FIRST_BACKOFF: Duration = Duration::from_millis(100);
/// The longest wait between reconnect attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Whether the connection is usable, and when to try again if not.
#[derive(Debug, Clone, Copy)]
enum Health {
    Up,
    Down {
        next_attempt: Instant,
        backoff: Duration,
    },
}

/// What [`Connection::ensure_up`] found.
#[derive(Debug)]
pub enum Availability {
    /// The connection was up.
    Up,
    /// The connection was down and has just been reopened: the caller must
    /// rebuild what it derived from the old one.
    Reopened,
    /// The connection is down; the message says why and when the next attempt is.
    Down(String),
}

/// One supervised libvirt connection.
#[derive(Debug)]
pub struct Connection {
    uri: String,
    current: RwLock<Arc<Connect>>,
    health: Mutex<Health>,
}

impl Connection {
    /// Opens `uri`.
    pub fn open(uri: &str) -> Result<Self, VirtError> {
        if !uri.starts_with("test:") {
            // Before the first open: libvirt's remote driver then keeps the
            // connection alive (keepalive) and delivers domain events.
            if let Err(e) = crate::events::ensure_event_loop() {
                tracing::warn!(error = %e, "driver-libvirt: no libvirt event loop");
            }
        }
        let conn = Connect::open(Some(uri))?;
        Ok(Self {
            uri: uri.to_owned(),
            current: RwLock::new(Arc::new(conn)),
            health: Mutex::new(Health::Up),
        })
    }

    /// The current connection.
    pub fn get(&self) -> Arc<Connect> {
        Arc::clone(&locks::read(&self.current))
    }

    /// Whether the connection is marked down.
    pub fn is_down(&self) -> bool {
        matches!(self.health(), Health::Down { .. })
    }

    fn health(&self) -> Health {
        *locks::lock(&self.health)
    }

    /// After a failed call: whether the connection itself is broken (libvirt
    /// says it is not alive, or cannot say). Marks it down when so.
    pub fn check_after_failure(&self) -> bool {
        if matches!(self.get().is_alive(), Ok(true)) {
            return false;
        }
        let mut health = locks::lock(&self.health);
        if matches!(*health, Health::Up) {
            tracing::warn!(uri = %self.uri, "driver-libvirt: the libvirt connection is broken; reconnecting with backoff");
            *health = Health::Down {
                next_attempt: Instant::now(),
                backoff: FIRST_BACKOFF,
            };
        }
        true
    }

    /// Makes sure the connection is up: when it is down and the backoff has
    /// elapsed (and no other caller is already trying), reopens it once.
    pub fn ensure_up(&self) -> Availability {
        if !self.is_down() {
            return Availability::Up;
        }
        // One reconnect attempt at a time; the others answer at once.
        let mut health = match self.health.try_lock() {
            Ok(health) => health,
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(TryLockError::WouldBlock) => {
                return Availability::Down("libvirt connection lost; reconnecting".to_owned())
            }
        };
        let Health::Down {
            next_attempt,
            backoff,
        } = *health
        else {
            return Availability::Up;
        };
        let now = Instant::now();
        if now < next_attempt {
            return Availability::Down(format!(
                "libvirt connection lost; next reconnect attempt in {} ms",
                (next_attempt - now).as_millis()
            ));
        }
        match Connect::open(Some(&self.uri)) {
            Ok(conn) => {
                *locks::write(&self.current) = Arc::new(conn);
                *health = Health::Up;
                tracing::info!(uri = %self.uri, "driver-libvirt: reconnected to libvirt");
                Availability::Reopened
            }
            Err(e) => {
                let next = backoff.saturating_mul(2).min(MAX_BACKOFF);
                *health = Health::Down {
                    next_attempt: now + backoff,
                    backoff: next,
                };
                Availability::Down(format!(
                    "libvirt connection lost; reconnect failed ({}); next attempt in {} ms",
                    e.message(),
                    backoff.as_millis()
                ))
            }
        }
    }
}
