//! `DriverError` as a gRPC status and back: the code follows the kind, the
//! details carry every field (`compute.v1.DriverErrorDetail` inside a
//! `google.rpc.Status`), so the client rebuilds the same variant.

use std::time::Duration;

use driver_api::uuid::Uuid;
use driver_api::{
    DriverError, DriverMethod, ErrorKind, InstanceRef, LifecycleOperation, RefusedOperation,
};
use prost::Message;
use tonic::{Code, Status};

use crate::proto;
use crate::wire::{duration_from_wire, duration_to_wire, read, uuid, FromWire, Malformed, ToWire};

/// The type URL of the detail message.
pub const DETAIL_TYPE_URL: &str = "type.googleapis.com/compute.v1.DriverErrorDetail";

/// `google.rpc.Status`, the conventional content of `grpc-status-details-bin`.
#[derive(Clone, PartialEq, Message)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
    #[prost(message, repeated, tag = "3")]
    details: Vec<prost_types::Any>,
}

/// The gRPC code of an error kind (the table in `errors.proto`).
pub fn code_of(kind: ErrorKind) -> Code {
    match kind {
        ErrorKind::InstanceNotFound | ErrorKind::NodeNotFound | ErrorKind::VolumeNotFound => {
            Code::NotFound
        }
        ErrorKind::InstanceExists | ErrorKind::DeviceBusy => Code::AlreadyExists,
        ErrorKind::InstanceNotRunning
        | ErrorKind::InvalidState
        | ErrorKind::InterfaceAttachFailed
        | ErrorKind::InterfaceDetachFailed => Code::FailedPrecondition,
        ErrorKind::MigrationFailed => Code::Aborted,
        ErrorKind::NotSupported => Code::Unimplemented,
        ErrorKind::ReadOnly => Code::PermissionDenied,
        ErrorKind::InsufficientResources => Code::ResourceExhausted,
        ErrorKind::InvalidInput => Code::InvalidArgument,
        ErrorKind::Timeout => Code::DeadlineExceeded,
        ErrorKind::Unavailable => Code::Unavailable,
        _ => Code::Internal,
    }
}

/// The detail message of an error: its kind and every field.
pub fn detail_of(error: &DriverError) -> proto::DriverErrorDetail {
    let mut detail = proto::DriverErrorDetail {
        kind: error.kind().to_wire(),
        message: error.to_string(),
        ..Default::default()
    };
    let instance_ref = |instance: &InstanceRef| proto::InstanceRef {
        by: Some(match instance {
            InstanceRef::Uuid(uuid) => proto::instance_ref::By::Uuid(uuid.to_string()),
            InstanceRef::Name(name) => proto::instance_ref::By::Name(name.clone()),
        }),
    };
    match error {
        DriverError::InstanceNotFound { instance }
        | DriverError::InstanceExists { instance }
        | DriverError::InstanceNotRunning { instance } => {
            detail.instance = Some(instance_ref(instance));
        }
        DriverError::InvalidState {
            instance,
            operation,
            status,
        } => {
            detail.instance_uuid = Some(instance.to_string());
            detail.operation = operation.name().to_owned();
            if let RefusedOperation::Lifecycle(row) = operation {
                detail.lifecycle_operation = Some(lifecycle_name(*row).to_owned());
            }
            detail.status = Some(status.to_wire());
        }
        DriverError::NotSupported { method, driver } | DriverError::ReadOnly { method, driver } => {
            detail.operation = method.name().to_owned();
            detail.driver = (*driver).to_owned();
        }
        DriverError::InsufficientResources {
            node,
            requested,
            free,
        } => {
            detail.node = node.clone();
            detail.requested = Some(requested.to_wire());
            detail.free = Some(free.to_wire());
        }
        DriverError::NodeNotFound { node } => detail.node = node.clone(),
        DriverError::DeviceBusy {
            instance,
            mountpoint,
        }
        | DriverError::VolumeNotFound {
            instance,
            mountpoint,
        } => {
            detail.instance_uuid = Some(instance.to_string());
            detail.mountpoint = mountpoint.clone();
        }
        DriverError::InterfaceAttachFailed {
            instance,
            vif,
            reason,
        }
        | DriverError::InterfaceDetachFailed {
            instance,
            vif,
            reason,
        } => {
            detail.instance_uuid = Some(instance.to_string());
            detail.vif = vif.to_string();
            detail.reason = reason.clone();
        }
        DriverError::MigrationFailed { instance, reason } => {
            detail.instance_uuid = Some(instance.to_string());
            detail.reason = reason.clone();
        }
        DriverError::InvalidInput { method, reason } => {
            detail.operation = method.name().to_owned();
            detail.reason = reason.clone();
        }
        DriverError::Timeout {
            method,
            instance,
            timeout,
        } => {
            detail.operation = method.name().to_owned();
            detail.instance_uuid = instance.map(|u| u.to_string());
            detail.timeout = Some(duration_to_wire(*timeout));
        }
        DriverError::Unavailable {
            driver,
            method,
            message,
        }
        | DriverError::Backend {
            driver,
            method,
            message,
            ..
        } => {
            detail.operation = method.name().to_owned();
            detail.driver = (*driver).to_owned();
            detail.backend_message = message.clone();
        }
        _ => {}
    }
    detail
}

/// The status a server answers for `error`.
pub fn to_status(error: &DriverError) -> Status {
    let code = code_of(error.kind());
    let message = error.to_string();
    let detail = detail_of(error);
    let rpc = RpcStatus {
        code: code as i32,
        message: message.clone(),
        details: vec![prost_types::Any {
            type_url: DETAIL_TYPE_URL.to_owned(),
            value: detail.encode_to_vec(),
        }],
    };
    Status::with_details(code, message, rpc.encode_to_vec().into())
}

/// The status a server answers for a request it cannot read: the kind is
/// `InvalidInput`, as a backend answers for an argument it refuses.
pub fn malformed_request(method: DriverMethod, malformed: &Malformed) -> Status {
    to_status(&DriverError::invalid_input(method, malformed.to_string()))
}

/// Who rebuilds errors: the method called and the client's driver name
/// (what the `&'static str` fields of a variant get when the wire names
/// something this side does not know).
#[derive(Clone, Copy, Debug)]
pub struct CallSite {
    /// The method called.
    pub method: DriverMethod,
    /// The client's driver name.
    pub driver: &'static str,
    /// The call's deadline, for a `Timeout` rebuilt from a bare status.
    pub deadline: Duration,
}

impl CallSite {
    /// The contract method named on the wire, or else the method called.
    fn method_named(&self, name: &str) -> DriverMethod {
        DriverMethod::from_name(name).unwrap_or(self.method)
    }

    /// What an `InvalidState` refused: the transition table's row when the
    /// wire names one, else the method named (or called).
    fn refused(&self, detail: &proto::DriverErrorDetail) -> Result<RefusedOperation, Malformed> {
        match detail.lifecycle_operation.as_deref() {
            Some(name) => LifecycleOperation::ALL
                .into_iter()
                .find(|row| lifecycle_name(*row) == name)
                .map(RefusedOperation::Lifecycle)
                .ok_or_else(|| {
                    Malformed::new("error.lifecycle_operation", format!("unknown row {name:?}"))
                }),
            None => Ok(RefusedOperation::Method(
                self.method_named(&detail.operation),
            )),
        }
    }

    /// The error a client returns for `status`.
    pub fn error_from_status(&self, status: &Status) -> DriverError {
        match self.detail_from_status(status) {
            Some(Ok(error)) => error,
            Some(Err(malformed)) => self.backend(format!("unreadable error: {malformed}")),
            None => self.error_from_code(status),
        }
    }

    /// An error for an answer this side cannot read.
    pub fn malformed_answer(&self, malformed: &Malformed) -> DriverError {
        self.backend(format!("unreadable answer: {malformed}"))
    }

    fn backend(&self, message: String) -> DriverError {
        DriverError::Backend {
            driver: self.driver,
            method: self.method,
            message,
            source: None,
        }
    }

    fn error_from_code(&self, status: &Status) -> DriverError {
        let method = self.method;
        match status.code() {
            // A connection refused, reset or closed mid-call.
            Code::Unavailable | Code::Cancelled | Code::Unknown => DriverError::Unavailable {
                driver: self.driver,
                method,
                message: format!("{:?}: {}", status.code(), status.message()),
            },
            Code::DeadlineExceeded => DriverError::Timeout {
                method,
                instance: None,
                timeout: self.deadline,
            },
            code => self.backend(format!("{code:?}: {}", status.message())),
        }
    }

    fn detail_from_status(&self, status: &Status) -> Option<Result<DriverError, Malformed>> {
        let rpc = RpcStatus::decode(status.details()).ok()?;
        let any = rpc
            .details
            .into_iter()
            .find(|a| a.type_url == DETAIL_TYPE_URL)?;
        Some(
            proto::DriverErrorDetail::decode(any.value.as_slice())
                .map_err(|e| Malformed::new("error detail", e.to_string()))
                .and_then(|detail| self.rebuild(detail)),
        )
    }

    fn rebuild(&self, detail: proto::DriverErrorDetail) -> Result<DriverError, Malformed> {
        let kind = ErrorKind::from_wire(detail.kind)?;
        let method = self.method_named(&detail.operation);
        let driver = self.driver;
        let instance_uuid = || -> Result<Uuid, Malformed> {
            uuid(
                "error.instance_uuid",
                detail.instance_uuid.as_deref().unwrap_or_default(),
            )
        };
        let instance_ref = || -> Result<InstanceRef, Malformed> {
            let by = detail.instance.clone().and_then(|r| r.by);
            match by {
                Some(proto::instance_ref::By::Uuid(text)) => {
                    Ok(InstanceRef::Uuid(uuid("error.instance", &text)?))
                }
                Some(proto::instance_ref::By::Name(name)) => Ok(InstanceRef::Name(name)),
                None => Err(Malformed::missing("error.instance")),
            }
        };
        Ok(match kind {
            ErrorKind::InstanceNotFound => DriverError::InstanceNotFound {
                instance: instance_ref()?,
            },
            ErrorKind::InstanceExists => DriverError::InstanceExists {
                instance: instance_ref()?,
            },
            ErrorKind::InstanceNotRunning => DriverError::InstanceNotRunning {
                instance: instance_ref()?,
            },
            ErrorKind::InvalidState => DriverError::InvalidState {
                instance: instance_uuid()?,
                operation: self.refused(&detail)?,
                status: read("error.status", detail.status)?,
            },
            ErrorKind::NotSupported => DriverError::NotSupported { method, driver },
            ErrorKind::ReadOnly => DriverError::ReadOnly { method, driver },
            ErrorKind::InsufficientResources => DriverError::InsufficientResources {
                node: detail.node,
                requested: read("error.requested", detail.requested)?,
                free: read("error.free", detail.free)?,
            },
            ErrorKind::NodeNotFound => DriverError::NodeNotFound { node: detail.node },
            ErrorKind::DeviceBusy => DriverError::DeviceBusy {
                instance: instance_uuid()?,
                mountpoint: detail.mountpoint,
            },
            ErrorKind::VolumeNotFound => DriverError::VolumeNotFound {
                instance: instance_uuid()?,
                mountpoint: detail.mountpoint,
            },
            ErrorKind::InterfaceAttachFailed => DriverError::InterfaceAttachFailed {
                instance: instance_uuid()?,
                vif: uuid("error.vif", &detail.vif)?,
                reason: detail.reason,
            },
            ErrorKind::InterfaceDetachFailed => DriverError::InterfaceDetachFailed {
                instance: instance_uuid()?,
                vif: uuid("error.vif", &detail.vif)?,
                reason: detail.reason,
            },
            ErrorKind::MigrationFailed => DriverError::MigrationFailed {
                instance: instance_uuid()?,
                reason: detail.reason,
            },
            ErrorKind::InvalidInput => DriverError::InvalidInput {
                method,
                reason: detail.reason,
            },
            ErrorKind::Timeout => DriverError::Timeout {
                method,
                instance: match detail.instance_uuid.as_deref() {
                    Some(text) => Some(uuid("error.instance_uuid", text)?),
                    None => None,
                },
                timeout: duration_from_wire("error.timeout", detail.timeout)?,
            },
            ErrorKind::Unavailable => DriverError::Unavailable {
                driver,
                method,
                message: detail.backend_message,
            },
            _ => DriverError::Backend {
                driver,
                method,
                message: detail.backend_message,
                source: None,
            },
        })
    }
}

/// A transition-table row's wire name: its serde name (snake case).
fn lifecycle_name(row: LifecycleOperation) -> &'static str {
    match row {
        LifecycleOperation::RebootSoft => "reboot_soft",
        LifecycleOperation::RebootHard => "reboot_hard",
        other => other.method_name(),
    }
}
