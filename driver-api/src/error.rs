//! `DriverError`: every way a contract method can fail.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

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
        /// The refused operation.
        operation: &'static str,
        /// The instance's status, unchanged.
        status: InstanceStatus,
    },
    /// The backend does not offer this operation (an undeclared capability).
    #[error("{driver} does not support {operation}")]
    NotSupported {
        /// The method.
        operation: &'static str,
        /// The backend.
        driver: &'static str,
    },
    /// The driver was opened read-only and this method would change something.
    #[error("{driver} is read-only: {operation} refused")]
    ReadOnly {
        /// The refused method.
        operation: &'static str,
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
    #[error("invalid input to {operation}: {reason}")]
    InvalidInput {
        /// The method.
        operation: &'static str,
        /// What is wrong (never the secret itself).
        reason: String,
    },
    /// The operation did not finish in time.
    #[error("{operation} timed out after {timeout:?}")]
    Timeout {
        /// The method.
        operation: &'static str,
        /// The instance, if the operation concerns one.
        instance: Option<Uuid>,
        /// How long it waited.
        timeout: Duration,
    },
    /// The hypervisor cannot be reached right now (its daemon restarted or
    /// died): nothing was done, and the same call may succeed later. A backend
    /// that supervises its connection answers this while it reconnects,
    /// instead of hanging or failing every call with `Backend`.
    #[error("{driver}: {operation} unavailable: {message}")]
    Unavailable {
        /// The backend.
        driver: &'static str,
        /// The method.
        operation: &'static str,
        /// Why, and when the backend tries again, in its words.
        message: String,
    },
    /// The layer below the driver failed.
    #[error("{driver}: {operation} failed: {message}")]
    Backend {
        /// The backend.
        driver: &'static str,
        /// The method.
        operation: &'static str,
        /// What failed, in the backend's words.
        message: String,
        /// The underlying error.
        #[source]
        source: Option<BoxError>,
    },
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

    /// `NotSupported` for `operation` on `driver`.
    pub fn not_supported(operation: &'static str, driver: &'static str) -> Self {
        Self::NotSupported { operation, driver }
    }

    /// `ReadOnly` for `operation` on `driver`.
    pub fn read_only(operation: &'static str, driver: &'static str) -> Self {
        Self::ReadOnly { operation, driver }
    }

    /// `InvalidInput` for `operation`.
    pub fn invalid_input(operation: &'static str, reason: impl Into<String>) -> Self {
        Self::InvalidInput {
            operation,
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
            operation: operation.method_name(),
            status,
        }
    }

    /// `Backend` wrapping a lower-level error.
    pub fn backend(
        driver: &'static str,
        operation: &'static str,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self::Backend {
            driver,
            operation,
            message: source.to_string(),
            source: Some(Box::new(source)),
        }
    }
}
