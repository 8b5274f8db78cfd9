//! Fault and latency injection: what [`FaultLayer`](crate::FaultLayer)
//! injects into any backend.
//!
//! A [`Fault`] makes one method fail (once, N times, always, optionally for one
//! instance only); a latency delays one method through tokio's clock (so tests
//! under `tokio::time::pause()` stay instant); a [`FaultPreset`] reproduces one
//! of Nova's faulty fake drivers (its waiting live migration is the fake's own
//! behaviour: [`FakeDriverBuilder::live_migration_waits`](crate::FakeDriverBuilder::live_migration_waits)).
//!
//! Injection happens before the method changes anything: latency first, then
//! the scripted failure, then the change itself, which is synchronous. A failed
//! call therefore leaves no trace, and neither does a future dropped while it
//! waits.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use driver_api::{
    DriverError, DriverMethod, ErrorKind, InstanceStatus, PowerState, RefusedOperation,
    ResourceAmounts,
};
use uuid::Uuid;

use crate::store::lock;

/// How many times a [`Fault`] fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Times {
    /// Once, then it is gone.
    Once,
    /// This many times, then it is gone.
    N(u32),
    /// Every time.
    Always,
}

/// Where a fault fired: what its error is built from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FaultSite {
    /// The method.
    pub method: DriverMethod,
    /// The instance, for per-instance methods.
    pub instance: Option<Uuid>,
}

/// Builds the error of a [`Fault`].
pub type ErrorFactory = Arc<dyn Fn(FaultSite) -> DriverError + Send + Sync>;

/// The error a [`Fault`] fails with.
#[derive(Clone)]
#[non_exhaustive]
pub enum FaultError {
    /// An error of this kind, with the site's method and instance filled in.
    Kind(ErrorKind),
    /// Whatever the factory builds.
    Custom(ErrorFactory),
}

impl fmt::Debug for FaultError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Kind(kind) => f.debug_tuple("Kind").field(kind).finish(),
            Self::Custom(_) => f.write_str("Custom(..)"),
        }
    }
}

/// A scripted failure: `method` fails with `error`, `times` times, for every
/// instance or one.
///
/// ```
/// use driver_api::{DriverMethod, ErrorKind};
/// use driver_fake::{Fault, Times};
/// let fault = Fault::on(DriverMethod::Pause).error(ErrorKind::Timeout).times(Times::N(2));
/// assert_eq!(fault.method(), DriverMethod::Pause);
/// ```
#[derive(Clone, Debug)]
pub struct Fault {
    method: DriverMethod,
    instance: Option<Uuid>,
    times: Times,
    error: FaultError,
}

impl Fault {
    /// `method` fails once with a `Backend` error, for every instance.
    pub fn on(method: DriverMethod) -> Self {
        Self {
            method,
            instance: None,
            times: Times::Once,
            error: FaultError::Kind(ErrorKind::Backend),
        }
    }

    /// Fails with an error of `kind`.
    pub fn error(mut self, kind: ErrorKind) -> Self {
        self.error = FaultError::Kind(kind);
        self
    }

    /// Fails with what `factory` builds.
    pub fn error_with(
        mut self,
        factory: impl Fn(FaultSite) -> DriverError + Send + Sync + 'static,
    ) -> Self {
        self.error = FaultError::Custom(Arc::new(factory));
        self
    }

    /// Fires `times` times.
    pub fn times(mut self, times: Times) -> Self {
        self.times = times;
        self
    }

    /// Fires every time.
    pub fn always(self) -> Self {
        self.times(Times::Always)
    }

    /// Fires only for this instance.
    pub fn for_instance(mut self, uuid: Uuid) -> Self {
        self.instance = Some(uuid);
        self
    }

    /// The method it affects.
    pub fn method(&self) -> DriverMethod {
        self.method
    }

    fn matches(&self, site: FaultSite) -> bool {
        self.method == site.method && (self.instance.is_none() || self.instance == site.instance)
    }
}

/// Nova's faulty fake drivers, as presets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FaultPreset {
    /// `FakeRescheduleDriver`: the first spawn of each instance fails with
    /// `InsufficientResources` (Nova's `ComputeResourcesUnavailable`); later
    /// spawns of it succeed.
    Reschedule,
    /// `FakeBuildAbortDriver`: every spawn fails (a `Backend` error, "build
    /// aborted").
    BuildAbort,
    /// `FakeFinishMigrationFailDriver`: `finish_migration` fails (a `Backend`
    /// error, "virtual interface creation failed").
    FinishMigrationFail,
}

#[derive(Debug)]
struct ActiveFault {
    fault: Fault,
    remaining: Option<u32>,
}

#[derive(Debug, Default)]
struct Plan {
    faults: Vec<ActiveFault>,
    latency: HashMap<DriverMethod, Duration>,
    presets: HashSet<FaultPreset>,
    spawned_once: HashSet<Uuid>,
}

impl Plan {
    fn is_empty(&self) -> bool {
        self.faults.is_empty() && self.latency.is_empty() && self.presets.is_empty()
    }

    /// The error to fail with at `site`, consuming one firing. A custom
    /// factory comes back unbuilt: the caller runs it once the plan's lock is
    /// released, so that it may call into the driver (and its faults).
    fn take(&mut self, site: FaultSite, driver: &'static str) -> Option<Firing> {
        if let Some(index) = self.faults.iter().position(|f| f.fault.matches(site)) {
            let active = &mut self.faults[index];
            let error = match &active.fault.error {
                FaultError::Custom(factory) => Firing::Custom(factory.clone()),
                FaultError::Kind(kind) => Firing::Ready(build(*kind, site, driver)),
            };
            if let Some(remaining) = active.remaining.as_mut() {
                *remaining = remaining.saturating_sub(1);
                if *remaining == 0 {
                    self.faults.remove(index);
                }
            }
            return Some(error);
        }
        let preset_error = |message: &str| DriverError::Backend {
            driver,
            method: site.method,
            message: message.to_owned(),
            source: None,
        };
        match site.method {
            DriverMethod::Spawn if self.presets.contains(&FaultPreset::BuildAbort) => {
                Some(Firing::Ready(preset_error("build aborted (injected)")))
            }
            DriverMethod::Spawn if self.presets.contains(&FaultPreset::Reschedule) => {
                let uuid = site.instance?;
                self.spawned_once.insert(uuid).then(|| {
                    Firing::Ready(DriverError::InsufficientResources {
                        node: "(injected: reschedule)".to_owned(),
                        requested: ResourceAmounts::default(),
                        free: ResourceAmounts::default(),
                    })
                })
            }
            DriverMethod::FinishMigration
                if self.presets.contains(&FaultPreset::FinishMigrationFail) =>
            {
                Some(Firing::Ready(preset_error(
                    "virtual interface creation failed (injected)",
                )))
            }
            _ => None,
        }
    }
}

/// A fault that fires: its error, or the factory that builds it (run with no
/// lock held).
enum Firing {
    Ready(DriverError),
    Custom(ErrorFactory),
}

fn build(kind: ErrorKind, site: FaultSite, driver: &'static str) -> DriverError {
    let method = site.method;
    let uuid = site.instance.unwrap_or(Uuid::nil());
    let reason = "injected fault".to_owned();
    match kind {
        ErrorKind::InstanceNotFound => DriverError::instance_not_found(uuid),
        ErrorKind::InstanceExists => DriverError::InstanceExists {
            instance: uuid.into(),
        },
        ErrorKind::InstanceNotRunning => DriverError::InstanceNotRunning {
            instance: uuid.into(),
        },
        ErrorKind::InvalidState => DriverError::InvalidState {
            instance: uuid,
            operation: RefusedOperation::Method(method),
            status: InstanceStatus::new(PowerState::NoState),
        },
        ErrorKind::NotSupported => DriverError::not_supported(method, driver),
        ErrorKind::ReadOnly => DriverError::read_only(method, driver),
        ErrorKind::InsufficientResources => DriverError::InsufficientResources {
            node: "(injected)".to_owned(),
            requested: ResourceAmounts::default(),
            free: ResourceAmounts::default(),
        },
        ErrorKind::NodeNotFound => DriverError::NodeNotFound {
            node: "(injected)".to_owned(),
        },
        ErrorKind::DeviceBusy => DriverError::DeviceBusy {
            instance: uuid,
            mountpoint: "(injected)".to_owned(),
        },
        ErrorKind::VolumeNotFound => DriverError::VolumeNotFound {
            instance: uuid,
            mountpoint: "(injected)".to_owned(),
        },
        ErrorKind::InterfaceAttachFailed => DriverError::InterfaceAttachFailed {
            instance: uuid,
            vif: Uuid::nil(),
            reason,
        },
        ErrorKind::InterfaceDetachFailed => DriverError::InterfaceDetachFailed {
            instance: uuid,
            vif: Uuid::nil(),
            reason,
        },
        ErrorKind::MigrationFailed => DriverError::MigrationFailed {
            instance: uuid,
            reason,
        },
        ErrorKind::InvalidInput => DriverError::invalid_input(method, reason),
        ErrorKind::Timeout => DriverError::Timeout {
            method,
            instance: site.instance,
            timeout: Duration::ZERO,
        },
        ErrorKind::Unavailable => DriverError::Unavailable {
            driver,
            method,
            message: reason,
        },
        _ => DriverError::Backend {
            driver,
            method,
            message: reason,
            source: None,
        },
    }
}

/// The faults, latencies and presets of one layer; changeable at any time
/// through [`FaultLayer::faults`](crate::FaultLayer::faults).
#[derive(Debug, Default)]
pub struct FaultInjector {
    armed: AtomicBool,
    plan: Mutex<Plan>,
}

impl FaultInjector {
    fn update(&self, change: impl FnOnce(&mut Plan)) {
        let mut plan = lock(&self.plan);
        change(&mut plan);
        self.armed.store(!plan.is_empty(), Ordering::Release);
    }

    /// Adds a scripted failure (faults are tried in the order added).
    pub fn inject(&self, fault: Fault) {
        let remaining = match fault.times {
            Times::Once => Some(1),
            Times::N(n) => Some(n),
            Times::Always => None,
        };
        if remaining == Some(0) {
            return;
        }
        self.update(|plan| plan.faults.push(ActiveFault { fault, remaining }));
    }

    /// Delays every call of `method` by `delay` (zero removes the delay).
    ///
    /// The delay is a `tokio::time::sleep`: calls must run inside a tokio
    /// runtime with its time driver enabled (`enable_time`, or
    /// `#[tokio::test]`), as tokio requires of every timer.
    pub fn set_latency(&self, method: DriverMethod, delay: Duration) {
        self.update(|plan| {
            if delay.is_zero() {
                plan.latency.remove(&method);
            } else {
                plan.latency.insert(method, delay);
            }
        });
    }

    /// Turns a preset on.
    pub fn enable(&self, preset: FaultPreset) {
        self.update(|plan| {
            plan.presets.insert(preset);
        });
    }

    /// Turns a preset off.
    pub fn disable(&self, preset: FaultPreset) {
        self.update(|plan| {
            plan.presets.remove(&preset);
        });
    }

    /// Whether a preset is on.
    pub fn is_enabled(&self, preset: FaultPreset) -> bool {
        self.armed.load(Ordering::Acquire) && lock(&self.plan).presets.contains(&preset)
    }

    /// Removes every fault, latency and preset.
    pub fn clear(&self) {
        self.update(|plan| *plan = Plan::default());
    }

    /// How many scripted faults are still pending.
    pub fn pending(&self) -> usize {
        lock(&self.plan).faults.len()
    }

    /// Whether any fault, latency or preset is set; when not, a call goes
    /// straight through.
    #[inline]
    pub(crate) fn is_armed(&self) -> bool {
        self.armed.load(Ordering::Acquire)
    }

    /// Runs before a call reaches the backend: waits out its latency, then
    /// fails if a fault fires.
    pub(crate) async fn before_armed(
        &self,
        site: FaultSite,
        driver: &'static str,
    ) -> Result<(), DriverError> {
        let delay = lock(&self.plan).latency.get(&site.method).copied();
        if let Some(delay) = delay {
            tokio::time::sleep(delay).await;
        }
        let firing = lock(&self.plan).take(site, driver);
        match firing {
            Some(Firing::Ready(error)) => Err(error),
            // The plan's lock is released: the factory may use the driver.
            Some(Firing::Custom(factory)) => Err(factory(site)),
            None => Ok(()),
        }
    }
}
