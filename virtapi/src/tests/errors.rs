use std::time::Duration;

use driver_api::{DriverMethod, ErrorKind};
use uuid::Uuid;

use crate::{EventName, EventStatus, InstanceEventName, VirtApiError, VirtApiErrorKind};

fn one_of_each() -> Vec<(VirtApiError, VirtApiErrorKind)> {
    let uuid = Uuid::new_v4();
    vec![
        (
            VirtApiError::InstanceNotFound {
                instance_uuid: uuid,
            },
            VirtApiErrorKind::InstanceNotFound,
        ),
        (
            VirtApiError::UnexpectedTaskState {
                instance_uuid: uuid,
                expected: vec![None],
                actual: None,
            },
            VirtApiErrorKind::UnexpectedTaskState,
        ),
        (
            VirtApiError::AggregateNotFound { aggregate_id: 1 },
            VirtApiErrorKind::AggregateNotFound,
        ),
        (
            VirtApiError::AggregateMetadataNotFound {
                aggregate_id: 1,
                key: "k".into(),
            },
            VirtApiErrorKind::AggregateMetadataNotFound,
        ),
        (
            VirtApiError::SecurityGroupNotFound {
                security_group_id: 2,
            },
            VirtApiErrorKind::SecurityGroupNotFound,
        ),
        (
            VirtApiError::FlavorNotFound {
                instance_type_id: 3,
            },
            VirtApiErrorKind::FlavorNotFound,
        ),
        (
            VirtApiError::Timeout {
                instance_uuid: uuid,
                missing: vec![InstanceEventName::new(EventName::NetworkChanged)],
                timeout: Duration::from_secs(300),
            },
            VirtApiErrorKind::Timeout,
        ),
        (
            VirtApiError::EventFailed {
                instance_uuid: uuid,
                event: InstanceEventName::new(EventName::NetworkChanged),
                status: EventStatus::Failed,
            },
            VirtApiErrorKind::EventFailed,
        ),
        (
            VirtApiError::not_supported("provider_fw_rule_get_all", "modern"),
            VirtApiErrorKind::NotSupported,
        ),
        (
            VirtApiError::backend("instance_update", std::io::Error::other("db down")),
            VirtApiErrorKind::Backend,
        ),
    ]
}

#[test]
fn every_variant_has_its_kind_and_a_message() {
    for (error, kind) in one_of_each() {
        assert_eq!(error.kind(), kind);
        assert!(!error.to_string().is_empty());
    }
}

#[test]
fn timeout_message_names_the_missing_events() {
    let error = VirtApiError::Timeout {
        instance_uuid: Uuid::nil(),
        missing: vec![InstanceEventName::tagged(
            EventName::NetworkVifPlugged,
            "v1",
        )],
        timeout: Duration::from_secs(5),
    };
    let text = error.to_string();
    assert!(text.contains("v1"), "{text}");
    assert!(text.contains("5s"), "{text}");
}

#[test]
fn backend_keeps_its_source() {
    let error = VirtApiError::backend("instance_update", std::io::Error::other("db down"));
    let source = std::error::Error::source(&error).map(ToString::to_string);
    assert_eq!(source.as_deref(), Some("db down"));
}

#[test]
fn conversion_into_driver_errors_keeps_not_found_and_timeout() {
    for (error, kind) in one_of_each() {
        let expected = match kind {
            VirtApiErrorKind::InstanceNotFound => ErrorKind::InstanceNotFound,
            VirtApiErrorKind::Timeout => ErrorKind::Timeout,
            _ => ErrorKind::Backend,
        };
        let converted = error.into_driver_error(DriverMethod::Spawn);
        assert_eq!(converted.kind(), expected, "{converted}");
        if expected != ErrorKind::InstanceNotFound {
            assert_eq!(converted.method(), Some(DriverMethod::Spawn), "{converted}");
        }
        if expected == ErrorKind::Backend {
            assert!(std::error::Error::source(&converted).is_some());
        }
    }
}
