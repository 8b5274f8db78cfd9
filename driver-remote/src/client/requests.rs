//! The request messages several RPCs share, built from the trait's arguments.

use driver_api::{BlockDeviceInfo, Instance, RequestContext, Vif};

use crate::proto;
use crate::wire::{write_all, ToWire};

/// The instance as its optional message field.
pub(super) fn instance_field(instance: &Instance) -> Option<proto::Instance> {
    Some(instance.to_wire())
}

/// The request context as its optional message field.
pub(super) fn context_field(context: &RequestContext) -> Option<proto::RequestContext> {
    Some(context.to_wire())
}

/// The network info as its repeated message field.
pub(super) fn network_field(network_info: &[Vif]) -> Vec<proto::Vif> {
    write_all(network_info)
}

/// The block device info as its optional message field.
pub(super) fn block_field(block_device_info: &BlockDeviceInfo) -> Option<proto::BlockDeviceInfo> {
    Some(block_device_info.to_wire())
}

/// A request naming one instance.
pub(super) fn instance_request(instance: &Instance) -> proto::InstanceRequest {
    proto::InstanceRequest {
        instance: instance_field(instance),
    }
}

/// A request naming one instance and its network.
pub(super) fn network_request(
    instance: &Instance,
    network_info: &[Vif],
) -> proto::InstanceNetworkRequest {
    proto::InstanceNetworkRequest {
        instance: instance_field(instance),
        network_info: network_field(network_info),
    }
}

/// A request naming one instance, its network and its block devices.
pub(super) fn network_block_request(
    context: &RequestContext,
    instance: &Instance,
    network_info: &[Vif],
    block_device_info: &BlockDeviceInfo,
) -> proto::InstanceNetworkBlockRequest {
    proto::InstanceNetworkBlockRequest {
        context: context_field(context),
        instance: instance_field(instance),
        network_info: network_field(network_info),
        block_device_info: block_field(block_device_info),
    }
}
