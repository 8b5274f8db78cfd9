//! Conversions between the model of `driver-api` and the messages of
//! `compute.v1`.
//!
//! [`ToWire`] never fails; [`FromWire`] checks everything a hostile peer could
//! send (a missing message, an unknown enum value, a malformed UUID or
//! address, a bad JSON document) and answers [`Malformed`] naming the field,
//! never a panic.

mod enums;
mod inputs;
mod outputs;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use driver_api::uuid::Uuid;

/// A message that does not describe a value of the model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed {field}: {reason}")]
#[non_exhaustive]
pub struct Malformed {
    /// The field (message path) at fault.
    pub field: &'static str,
    /// What is wrong with it.
    pub reason: String,
}

impl Malformed {
    /// A malformed `field`, for `reason`.
    pub fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self {
            field,
            reason: reason.into(),
        }
    }

    /// A required message `field` that is absent.
    pub fn missing(field: &'static str) -> Self {
        Self::new(field, "missing")
    }
}

/// A model value that has a message form.
pub trait ToWire<P> {
    /// The message.
    fn to_wire(&self) -> P;
}

/// A model value read back from its message form.
pub trait FromWire<P>: Sized {
    /// The value, or what is malformed.
    fn from_wire(wire: P) -> Result<Self, Malformed>;
}

/// A required message field.
pub fn required<P>(field: &'static str, value: Option<P>) -> Result<P, Malformed> {
    value.ok_or_else(|| Malformed::missing(field))
}

/// A required message field, read back.
pub fn read<T: FromWire<P>, P>(field: &'static str, value: Option<P>) -> Result<T, Malformed> {
    T::from_wire(required(field, value)?)
}

/// Every element of a repeated field, read back.
pub fn read_all<T: FromWire<P>, P>(values: Vec<P>) -> Result<Vec<T>, Malformed> {
    values.into_iter().map(T::from_wire).collect()
}

/// Every element of a slice, as messages.
pub fn write_all<T: ToWire<P>, P>(values: &[T]) -> Vec<P> {
    values.iter().map(ToWire::to_wire).collect()
}

/// A UUID in canonical text.
pub fn uuid(field: &'static str, text: &str) -> Result<Uuid, Malformed> {
    Uuid::parse_str(text).map_err(|e| Malformed::new(field, e.to_string()))
}

/// A duration as `google.protobuf.Duration` (saturating at its range).
pub fn duration_to_wire(duration: Duration) -> prost_types::Duration {
    prost_types::Duration {
        seconds: i64::try_from(duration.as_secs()).unwrap_or(i64::MAX),
        nanos: i32::try_from(duration.subsec_nanos()).unwrap_or(0),
    }
}

/// A `google.protobuf.Duration` that is not negative.
pub fn duration_from_wire(
    field: &'static str,
    wire: Option<prost_types::Duration>,
) -> Result<Duration, Malformed> {
    let wire = required(field, wire)?;
    let seconds = u64::try_from(wire.seconds).map_err(|_| Malformed::new(field, "negative"))?;
    let nanos = u32::try_from(wire.nanos)
        .ok()
        .filter(|n| *n < 1_000_000_000)
        .ok_or_else(|| Malformed::new(field, "nanos out of range"))?;
    Ok(Duration::new(seconds, nanos))
}

/// A time as `google.protobuf.Timestamp` (times before 1970 and beyond its
/// range saturate).
pub fn time_to_wire(time: SystemTime) -> prost_types::Timestamp {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    prost_types::Timestamp {
        seconds: i64::try_from(since.as_secs()).unwrap_or(i64::MAX),
        nanos: i32::try_from(since.subsec_nanos()).unwrap_or(0),
    }
}

/// A `google.protobuf.Timestamp` at or after 1970.
pub fn time_from_wire(
    field: &'static str,
    wire: Option<prost_types::Timestamp>,
) -> Result<SystemTime, Malformed> {
    let wire = required(field, wire)?;
    let since = duration_from_wire(
        field,
        Some(prost_types::Duration {
            seconds: wire.seconds,
            nanos: wire.nanos,
        }),
    )?;
    UNIX_EPOCH
        .checked_add(since)
        .ok_or_else(|| Malformed::new(field, "out of range"))
}

#[cfg(test)]
mod tests;
