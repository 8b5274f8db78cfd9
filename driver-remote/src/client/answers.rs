//! Answer messages read back into the model's types: each reader fails with
//! the field that was [`Malformed`], never with a panic.

use std::net::IpAddr;
use std::time::Duration;

use driver_api::uuid::Uuid;
use driver_api::{HostStatus, MaintenanceMode};

use crate::proto;
use crate::wire::{duration_from_wire, uuid, FromWire, Malformed};

/// An `Ack`: nothing to read.
pub(super) fn ack(_: proto::Ack) -> Result<(), Malformed> {
    Ok(())
}

/// A message that is the model's type on the wire.
pub(super) fn read<T: FromWire<P>, P>(wire: P) -> Result<T, Malformed> {
    T::from_wire(wire)
}

/// A repeated field of the model's type.
pub(super) fn list<T: FromWire<P>, P>(values: Vec<P>) -> Result<Vec<T>, Malformed> {
    values.into_iter().map(T::from_wire).collect()
}

/// The host's address.
pub(super) fn ip_address(answer: proto::IpAddress) -> Result<IpAddr, Malformed> {
    answer
        .address
        .parse()
        .map_err(|_| Malformed::new("address", "not an IP address"))
}

/// The host's uptime.
pub(super) fn uptime(answer: prost_types::Duration) -> Result<Duration, Malformed> {
    duration_from_wire("uptime", Some(answer))
}

/// The instances' UUIDs.
pub(super) fn uuids(answer: proto::InstanceUuids) -> Result<Vec<Uuid>, Malformed> {
    answer
        .uuids
        .iter()
        .map(|text| uuid("uuids", text))
        .collect()
}

/// The number of instances.
pub(super) fn count(answer: proto::Count) -> Result<usize, Malformed> {
    usize::try_from(answer.count).map_err(|_| Malformed::new("count", "beyond usize"))
}

/// Whether the host is on maintenance.
pub(super) fn maintenance(
    answer: proto::HostMaintenanceModeResponse,
) -> Result<MaintenanceMode, Malformed> {
    Ok(if answer.on_maintenance {
        MaintenanceMode::OnMaintenance
    } else {
        MaintenanceMode::OffMaintenance
    })
}

/// Whether the host is enabled.
pub(super) fn host_status(answer: proto::SetHostEnabledResponse) -> Result<HostStatus, Malformed> {
    Ok(if answer.enabled {
        HostStatus::Enabled
    } else {
        HostStatus::Disabled
    })
}
