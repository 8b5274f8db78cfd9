//! `DriverError`: every way a contract method can fail.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::method::DriverMethod;
use crate::model::instance::InstanceRef;
use crate::model::resources::ResourceAmounts;
use crate::state::{InstanceStatus, LifecycleOperation};

/// A boxed error from below the driver (libvirt, I/O, ...).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The result of a contract method.
pub type DriverResult<T> = Result<T, DriverError>;

/// Every way a [`ComputeDriver`](crate::ComputeDriver) method can fail.
///
/// Struct variants carry what a caller needs to act; [`DriverError::kind`] gives
/// a `Copy` [`ErrorKind`] for matching across backends. No variant ever carries a
/// secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DriverError {
    /// No instance with this identity on this host.
    #[error("instance {instance} not found")]
    InstanceNotFound {
        /// The missing instance.
        instance: InstanceRef,
    },
    /// An instance with this UUID or name already exists on this host.
    #[error("instance {instance} already exists")]
    InstanceExists {
        /// The clashing instance (by UUID, or by name when only the name clashes).
        instance: InstanceRef,
    },
    /// The instance is not running (Nova's answer to a snapshot of an unknown instance).
    #[error("instance {instance} is not running")]
    InstanceNotRunning {
        /// The instance.
        instance: InstanceRef,
    },
    /// The transition table refuses this operation in the instance's current status.
    #[error("cannot {operation} instance {instance} while it is {status}")]
    InvalidState {
        /// The instance.
        instance: Uuid,
        /// The refused operation: a row of the transition table, or a method
        /// refused by its own protocol.
        operation: RefusedOperation,
        /// The instance's status, unchanged.
        status: InstanceStatus,
    },
    /// The backend does not offer this operation (an undeclared capability).
    #[error("{driver} does not support {method}")]
    NotSupported {
        /// The method.
        method: DriverMethod,
        /// The backend.
        driver: &'static str,
    },
    /// The driver was opened read-only and this method would change something.
    #[error("{driver} is read-only: {method} refused")]
    ReadOnly {
        /// The refused method.
        method: DriverMethod,
        /// The backend.
        driver: &'static str,
    },
    /// The node lacks free capacity for the request; nothing was claimed.
    #[error("insufficient resources on node {node}: requested {requested:?}, free {free:?}")]
    InsufficientResources {
        /// The node.
        node: String,
        /// What was asked for.
        requested: ResourceAmounts,
        /// What was free.
        free: ResourceAmounts,
    },
    /// The driver does not manage this node.
    #[error("node {node} is not managed by this driver")]
    NodeNotFound {
        /// The unknown node.
        node: String,
    },
    /// A device is already attached at this mountpoint.
    #[error("mountpoint {mountpoint} of instance {instance} is busy")]
    DeviceBusy {
        /// The instance.
        instance: Uuid,
        /// The busy mountpoint.
        mountpoint: String,
    },
    /// No volume is attached at this mountpoint.
    #[error("no volume at {mountpoint} on instance {instance}")]
    VolumeNotFound {
        /// The instance.
        instance: Uuid,
        /// The empty mountpoint.
        mountpoint: String,
    },
    /// Attaching the interface failed (Nova's `InterfaceAttachFailed`).
    #[error("failed to attach interface {vif} to instance {instance}: {reason}")]
    InterfaceAttachFailed {
        /// The instance.
        instance: Uuid,
        /// The VIF.
        vif: Uuid,
        /// Why.
        reason: String,
    },
    /// Detaching the interface failed (Nova's `InterfaceDetachFailed`).
    #[error("failed to detach interface {vif} from instance {instance}: {reason}")]
    InterfaceDetachFailed {
        /// The instance.
        instance: Uuid,
        /// The VIF.
        vif: Uuid,
        /// Why.
        reason: String,
    },
    /// A migration cannot proceed or failed.
    #[error("migration of instance {instance} failed: {reason}")]
    MigrationFailed {
        /// The instance.
        instance: Uuid,
        /// Why.
        reason: String,
    },
    /// An argument is malformed (bad base64, empty name, ...); nothing changed.
    #[error("invalid input to {method}: {reason}")]
    InvalidInput {
        /// The method.
        method: DriverMethod,
        /// What is wrong (never the secret itself).
        reason: String,
    },
    /// The operation did not finish in time.
    #[error("{method} timed out after {timeout:?}")]
    Timeout {
        /// The method.
        method: DriverMethod,
        /// The instance, if the operation concerns one.
        instance: Option<Uuid>,
        /// How long it waited.
        timeout: Duration,
    },
    /// The hypervisor cannot be reached right now (its daemon restarted or
    /// died): nothing was done, and the same call may succeed later. A backend
    /// that supervises its connection answers this while it reconnects,
    /// instead of hanging or failing every call with `Backend`.
    #[error("{driver}: {method} unavailable: {message}")]
    Unavailable {
        /// The backend.
        driver: &'static str,
        /// The method.
        method: DriverMethod,
        /// Why, and when the backend tries again, in its words.
        message: String,
    },
    /// The layer below the driver failed.
    #[error("{driver}: {method} failed: {message}")]
    Backend {
        /// The backend.
        driver: &'static str,
        /// The method.
        method: DriverMethod,
        /// What failed, in the backend's words.
        message: String,
        /// The underlying error.
        #[source]
        source: Option<BoxError>,
    },
}

/// What [`DriverError::InvalidState`] refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RefusedOperation {
    /// A row of the transition table ([`transition`](crate::transition)).
    Lifecycle(LifecycleOperation),
    /// A method refused by its own protocol (a migration step out of order,
    /// ...).
    Method(DriverMethod),
}

impl RefusedOperation {
    /// The contract method refused; `None` for the crash test hook, which is
    /// not a method.
    pub const fn method(self) -> Option<DriverMethod> {
        match self {
            Self::Lifecycle(operation) => operation.method(),
            Self::Method(method) => Some(method),
        }
    }

    /// The method's name (`reboot` for both reboot rows, `crash` for the test
    /// hook).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Lifecycle(operation) => operation.method_name(),
            Self::Method(method) => method.name(),
        }
    }
}

impl std::fmt::Display for RefusedOperation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl From<LifecycleOperation> for RefusedOperation {
    fn from(operation: LifecycleOperation) -> Self {
        Self::Lifecycle(operation)
    }
}

impl From<DriverMethod> for RefusedOperation {
    fn from(method: DriverMethod) -> Self {
        Self::Method(method)
    }
}

/// The kind of a [`DriverError`], for matching across backends (`Copy`, serde).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ErrorKind {
    /// [`DriverError::InstanceNotFound`].
    InstanceNotFound,
    /// [`DriverError::InstanceExists`].
    InstanceExists,
    /// [`DriverError::InstanceNotRunning`].
    InstanceNotRunning,
    /// [`DriverError::InvalidState`].
    InvalidState,
    /// [`DriverError::NotSupported`].
    NotSupported,
    /// [`DriverError::ReadOnly`].
    ReadOnly,
    /// [`DriverError::InsufficientResources`].
    InsufficientResources,
    /// [`DriverError::NodeNotFound`].
    NodeNotFound,
    /// [`DriverError::DeviceBusy`].
    DeviceBusy,
    /// [`DriverError::VolumeNotFound`].
    VolumeNotFound,
    /// [`DriverError::InterfaceAttachFailed`].
    InterfaceAttachFailed,
    /// [`DriverError::InterfaceDetachFailed`].
    InterfaceDetachFailed,
    /// [`DriverError::MigrationFailed`].
    MigrationFailed,
    /// [`DriverError::InvalidInput`].
    InvalidInput,
    /// [`DriverError::Timeout`].
    Timeout,
    /// [`DriverError::Unavailable`].
    Unavailable,
    /// [`DriverError::Backend`].
    Backend,
}

impl DriverError {
    /// The error's kind.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::InstanceNotFound { .. } => ErrorKind::InstanceNotFound,
            Self::InstanceExists { .. } => ErrorKind::InstanceExists,
            Self::InstanceNotRunning { .. } => ErrorKind::InstanceNotRunning,
            Self::InvalidState { .. } => ErrorKind::InvalidState,
            Self::NotSupported { .. } => ErrorKind::NotSupported,
            Self::ReadOnly { .. } => ErrorKind::ReadOnly,
            Self::InsufficientResources { .. } => ErrorKind::InsufficientResources,
            Self::NodeNotFound { .. } => ErrorKind::NodeNotFound,
            Self::DeviceBusy { .. } => ErrorKind::DeviceBusy,
            Self::VolumeNotFound { .. } => ErrorKind::VolumeNotFound,
            Self::InterfaceAttachFailed { .. } => ErrorKind::InterfaceAttachFailed,
            Self::InterfaceDetachFailed { .. } => ErrorKind::InterfaceDetachFailed,
            Self::MigrationFailed { .. } => ErrorKind::MigrationFailed,
            Self::InvalidInput { .. } => ErrorKind::InvalidInput,
            Self::Timeout { .. } => ErrorKind::Timeout,
            Self::Unavailable { .. } => ErrorKind::Unavailable,
            Self::Backend { .. } => ErrorKind::Backend,
        }
    }

    /// Whether the same call may succeed if retried later with nothing else
    /// changed: only [`DriverError::Unavailable`] promises that.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Unavailable { .. })
    }

    /// `InstanceNotFound` for an instance named by UUID or name.
    pub fn instance_not_found(instance: impl Into<InstanceRef>) -> Self {
        Self::InstanceNotFound {
            instance: instance.into(),
        }
    }

    /// `NotSupported` for `method` on `driver`.
    pub fn not_supported(method: DriverMethod, driver: &'static str) -> Self {
        Self::NotSupported { method, driver }
    }

    /// `ReadOnly` for `method` on `driver`.
    pub fn read_only(method: DriverMethod, driver: &'static str) -> Self {
        Self::ReadOnly { method, driver }
    }

    /// `InvalidInput` for `method`.
    pub fn invalid_input(method: DriverMethod, reason: impl Into<String>) -> Self {
        Self::InvalidInput {
            method,
            reason: reason.into(),
        }
    }

    /// `InvalidState` for a refused lifecycle operation on `instance`.
    pub fn invalid_state(
        instance: Uuid,
        operation: LifecycleOperation,
        status: InstanceStatus,
    ) -> Self {
        Self::InvalidState {
            instance,
            operation: RefusedOperation::Lifecycle(operation),
            status,
        }
    }

    /// `InvalidState` for `method`, refused by its own protocol (a migration
    /// step out of order, a snapshot of an instance that cannot take one).
    pub fn invalid_state_of(instance: Uuid, method: DriverMethod, status: InstanceStatus) -> Self {
        Self::InvalidState {
            instance,
            operation: RefusedOperation::Method(method),
            status,
        }
    }

    /// The contract method the error answers, when it names one.
    pub fn method(&self) -> Option<DriverMethod> {
        match self {
            Self::NotSupported { method, .. }
            | Self::ReadOnly { method, .. }
            | Self::InvalidInput { method, .. }
            | Self::Timeout { method, .. }
            | Self::Unavailable { method, .. }
            | Self::Backend { method, .. } => Some(*method),
            Self::InvalidState { operation, .. } => operation.method(),
            _ => None,
        }
    }

    /// `Backend` wrapping a lower-level error.
    pub fn backend(
        driver: &'static str,
        method: DriverMethod,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self::Backend {
            driver,
            method,
            message: source.to_string(),
            source: Some(Box::new(source)),
        }
    }
}
