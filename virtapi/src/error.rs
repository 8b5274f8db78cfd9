//! `VirtApiError`: every way a [`VirtAPI`](crate::VirtAPI) method can fail.

use std::time::Duration;

use driver_api::{BoxError, DriverError, DriverMethod, TaskState};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::model::event::{EventStatus, InstanceEventName};

/// The result of a [`VirtAPI`](crate::VirtAPI) method.
pub type VirtApiResult<T> = Result<T, VirtApiError>;

/// Every way a [`VirtAPI`](crate::VirtAPI) method can fail.
///
/// Struct variants carry what a caller needs to act;
/// [`VirtApiError::kind`] gives a `Copy` [`VirtApiErrorKind`] for matching
/// across implementations.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VirtApiError {
    /// No instance with this UUID.
    #[error("instance {instance_uuid} not found")]
    InstanceNotFound {
        /// The missing instance.
        instance_uuid: Uuid,
    },
    /// `instance_update`'s task-state guard did not hold; nothing changed
    /// (Nova's `UnexpectedTaskStateError`).
    #[error("instance {instance_uuid}: expected task state {expected:?}, found {actual:?}")]
    UnexpectedTaskState {
        /// The instance.
        instance_uuid: Uuid,
        /// The task states the guard accepted.
        expected: Vec<Option<TaskState>>,
        /// The instance's task state, unchanged.
        actual: Option<TaskState>,
    },
    /// No aggregate with this id.
    #[error("aggregate {aggregate_id} not found")]
    AggregateNotFound {
        /// The missing aggregate.
        aggregate_id: i64,
    },
    /// The aggregate has no metadata under this key.
    #[error("aggregate {aggregate_id} has no metadata key {key:?}")]
    AggregateMetadataNotFound {
        /// The aggregate.
        aggregate_id: i64,
        /// The missing key.
        key: String,
    },
    /// No security group with this id.
    #[error("security group {security_group_id} not found")]
    SecurityGroupNotFound {
        /// The missing group.
        security_group_id: i64,
    },
    /// No flavor (instance type) with this id.
    #[error("flavor {instance_type_id} not found")]
    FlavorNotFound {
        /// The missing flavor's database id.
        instance_type_id: i64,
    },
    /// Not every awaited event arrived in time.
    #[error("instance {instance_uuid}: timed out after {timeout:?} waiting for {missing:?}")]
    Timeout {
        /// The instance.
        instance_uuid: Uuid,
        /// The events that had not arrived, in the order they were asked for.
        missing: Vec<InstanceEventName>,
        /// How long the caller waited.
        timeout: Duration,
    },
    /// An awaited event arrived with a status other than completed.
    #[error("instance {instance_uuid}: event {event} arrived with status {status}")]
    EventFailed {
        /// The instance.
        instance_uuid: Uuid,
        /// The event.
        event: InstanceEventName,
        /// Its status (never [`EventStatus::Completed`]).
        status: EventStatus,
    },
    /// The implementation does not offer this method.
    #[error("{implementer} does not support {operation}")]
    NotSupported {
        /// The method.
        operation: &'static str,
        /// The implementation.
        implementer: &'static str,
    },
    /// The layer behind the implementation (database, conductor, ...) failed.
    #[error("{operation} failed: {message}")]
    Backend {
        /// The method.
        operation: &'static str,
        /// What failed.
        message: String,
        /// The underlying error.
        #[source]
        source: Option<BoxError>,
    },
}

/// The kind of a [`VirtApiError`], for matching across implementations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum VirtApiErrorKind {
    /// [`VirtApiError::InstanceNotFound`].
    InstanceNotFound,
    /// [`VirtApiError::UnexpectedTaskState`].
    UnexpectedTaskState,
    /// [`VirtApiError::AggregateNotFound`].
    AggregateNotFound,
    /// [`VirtApiError::AggregateMetadataNotFound`].
    AggregateMetadataNotFound,
    /// [`VirtApiError::SecurityGroupNotFound`].
    SecurityGroupNotFound,
    /// [`VirtApiError::FlavorNotFound`].
    FlavorNotFound,
    /// [`VirtApiError::Timeout`].
    Timeout,
    /// [`VirtApiError::EventFailed`].
    EventFailed,
    /// [`VirtApiError::NotSupported`].
    NotSupported,
    /// [`VirtApiError::Backend`].
    Backend,
}

impl VirtApiError {
    /// The error's kind.
    pub fn kind(&self) -> VirtApiErrorKind {
        match self {
            Self::InstanceNotFound { .. } => VirtApiErrorKind::InstanceNotFound,
            Self::UnexpectedTaskState { .. } => VirtApiErrorKind::UnexpectedTaskState,
            Self::AggregateNotFound { .. } => VirtApiErrorKind::AggregateNotFound,
            Self::AggregateMetadataNotFound { .. } => VirtApiErrorKind::AggregateMetadataNotFound,
            Self::SecurityGroupNotFound { .. } => VirtApiErrorKind::SecurityGroupNotFound,
            Self::FlavorNotFound { .. } => VirtApiErrorKind::FlavorNotFound,
            Self::Timeout { .. } => VirtApiErrorKind::Timeout,
            Self::EventFailed { .. } => VirtApiErrorKind::EventFailed,
            Self::NotSupported { .. } => VirtApiErrorKind::NotSupported,
            Self::Backend { .. } => VirtApiErrorKind::Backend,
        }
    }

    /// `NotSupported` for `operation` on `implementer`.
    pub fn not_supported(operation: &'static str, implementer: &'static str) -> Self {
        Self::NotSupported {
            operation,
            implementer,
        }
    }

    /// `Backend` wrapping a lower-level error.
    pub fn backend(
        operation: &'static str,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self::Backend {
            operation,
            message: source.to_string(),
            source: Some(Box::new(source)),
        }
    }
}

impl VirtApiError {
    /// How a driver reports a failed VirtAPI call from its own `method`.
    ///
    /// `InstanceNotFound` stays `InstanceNotFound` and `Timeout` stays
    /// `Timeout`, both of `method`; every other error becomes
    /// [`DriverError::Backend`] of `method` with the VirtAPI error as its
    /// source.
    ///
    /// ```
    /// use driver_api::{DriverMethod, ErrorKind};
    /// use uuid::Uuid;
    /// use virtapi::VirtApiError;
    ///
    /// let missing = VirtApiError::InstanceNotFound { instance_uuid: Uuid::nil() };
    /// let error = missing.into_driver_error(DriverMethod::Spawn);
    /// assert_eq!(error.kind(), ErrorKind::InstanceNotFound);
    /// ```
    pub fn into_driver_error(self, method: DriverMethod) -> DriverError {
        match self {
            VirtApiError::InstanceNotFound { instance_uuid } => {
                DriverError::instance_not_found(instance_uuid)
            }
            VirtApiError::Timeout {
                instance_uuid,
                timeout,
                ..
            } => DriverError::Timeout {
                method,
                instance: Some(instance_uuid),
                timeout,
            },
            other => DriverError::backend("virtapi", method, other),
        }
    }
}
