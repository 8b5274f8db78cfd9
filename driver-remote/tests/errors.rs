//! Every `DriverError` variant crosses the wire as a status and comes back
//! the same variant with the same fields; a bare status (a dead server, a
//! proxy) becomes a typed error too.

use std::time::Duration;

use driver_api::uuid::Uuid;
use driver_api::{
    DriverError, DriverMethod, InstanceRef, InstanceStatus, LifecycleOperation, PowerState,
    RefusedOperation, ResourceAmounts,
};
use driver_remote::status::{code_of, to_status, CallSite};
use tonic::{Code, Status};

const SITE: CallSite = CallSite {
    method: DriverMethod::Pause,
    driver: "remote",
    deadline: Duration::from_secs(7),
};

fn every_variant() -> Vec<DriverError> {
    let id = Uuid::new_v4();
    vec![
        DriverError::instance_not_found(id),
        DriverError::instance_not_found(InstanceRef::Name("vm-1".into())),
        DriverError::InstanceExists {
            instance: InstanceRef::Name("vm-2".into()),
        },
        DriverError::InstanceNotRunning {
            instance: InstanceRef::Uuid(id),
        },
        DriverError::InvalidState {
            instance: id,
            operation: LifecycleOperation::Pause.into(),
            status: InstanceStatus::new(PowerState::Shutdown).soft_deleted(),
        },
        DriverError::InvalidState {
            instance: id,
            operation: LifecycleOperation::Crash.into(),
            status: InstanceStatus::new(PowerState::Suspended),
        },
        DriverError::InvalidState {
            instance: id,
            operation: LifecycleOperation::RebootHard.into(),
            status: InstanceStatus::new(PowerState::Suspended),
        },
        DriverError::InvalidState {
            instance: id,
            operation: DriverMethod::ConfirmMigration.into(),
            status: InstanceStatus::new(PowerState::Running),
        },
        DriverError::not_supported(DriverMethod::GetSpiceConsole, "remote"),
        DriverError::read_only(DriverMethod::Spawn, "remote"),
        DriverError::InsufficientResources {
            node: "n".into(),
            requested: ResourceAmounts::new(1, 2, 3),
            free: ResourceAmounts::new(0, 1, 2),
        },
        DriverError::NodeNotFound {
            node: "nowhere".into(),
        },
        DriverError::DeviceBusy {
            instance: id,
            mountpoint: "/dev/vdb".into(),
        },
        DriverError::VolumeNotFound {
            instance: id,
            mountpoint: "/dev/vdc".into(),
        },
        DriverError::InterfaceAttachFailed {
            instance: id,
            vif: Uuid::new_v4(),
            reason: "taken".into(),
        },
        DriverError::InterfaceDetachFailed {
            instance: id,
            vif: Uuid::new_v4(),
            reason: "gone".into(),
        },
        DriverError::MigrationFailed {
            instance: id,
            reason: "aborted".into(),
        },
        DriverError::invalid_input(DriverMethod::InjectFile, "bad base64"),
        DriverError::Timeout {
            method: DriverMethod::PowerOff,
            instance: Some(id),
            timeout: Duration::from_millis(1500),
        },
        DriverError::Timeout {
            method: DriverMethod::InitHost,
            instance: None,
            timeout: Duration::from_secs(3),
        },
        DriverError::Unavailable {
            driver: "remote",
            method: DriverMethod::GetInfo,
            message: "restarting".into(),
        },
        DriverError::Backend {
            driver: "remote",
            method: DriverMethod::Spawn,
            message: "disk full".into(),
            source: None,
        },
    ]
}

#[test]
fn every_variant_comes_back_the_same() {
    for error in every_variant() {
        let status = to_status(&error);
        assert_eq!(status.code(), code_of(error.kind()), "{error}");
        let back = SITE.error_from_status(&status);
        assert_eq!(back.kind(), error.kind());
        // Same variant, same fields: the display text says every field.
        assert_eq!(back.to_string(), error.to_string());
        assert_eq!(back.is_retryable(), error.is_retryable());
        // The refused operation exactly: a table row (soft or hard reboot,
        // the crash hook) or a method refused by its own protocol.
        if let (
            DriverError::InvalidState { operation: a, .. },
            DriverError::InvalidState { operation: b, .. },
        ) = (&back, &error)
        {
            assert_eq!(a, b);
        }
    }
}

#[test]
fn a_refused_method_is_not_mistaken_for_a_table_row() {
    let error = DriverError::InvalidState {
        instance: Uuid::new_v4(),
        operation: DriverMethod::Pause.into(),
        status: InstanceStatus::new(PowerState::Shutdown),
    };
    let back = SITE.error_from_status(&to_status(&error));
    assert!(matches!(
        back,
        DriverError::InvalidState {
            operation: RefusedOperation::Method(DriverMethod::Pause),
            ..
        }
    ));
}

#[test]
fn a_bare_status_is_still_typed() {
    let unavailable = SITE.error_from_status(&Status::unavailable("connection refused"));
    assert!(matches!(
        unavailable,
        DriverError::Unavailable {
            method: DriverMethod::Pause,
            ..
        }
    ));
    assert!(unavailable.is_retryable());
    let reset = SITE.error_from_status(&Status::unknown("h2 protocol error: stream reset"));
    assert!(reset.is_retryable());
    let late = SITE.error_from_status(&Status::deadline_exceeded("too slow"));
    assert!(
        matches!(late, DriverError::Timeout { timeout, .. } if timeout == Duration::from_secs(7))
    );
    let other = SITE.error_from_status(&Status::new(Code::DataLoss, "?"));
    assert!(matches!(
        other,
        DriverError::Backend {
            method: DriverMethod::Pause,
            ..
        }
    ));
}

#[test]
fn unreadable_details_are_a_backend_error_not_a_panic() {
    let garbage = Status::with_details(Code::NotFound, "x", vec![0xff, 0x01, 0x02].into());
    let error = SITE.error_from_status(&garbage);
    assert!(matches!(error, DriverError::Backend { .. }));
}
