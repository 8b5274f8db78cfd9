"""compute.v1 messages to Nova's objects and back: only translation, no policy.

Nova's objects are built the way Nova's compute manager builds them for a
driver call; nothing here decides an outcome.
"""

import json
import zlib

from nova import context as nova_context
from nova import objects
from nova.compute import power_state, task_states
from nova.network import model as network_model
from nova.virt import event as virtevent

from compute.v1 import model_pb2

# Nova's power_state codes and the protocol's PowerState.
_POWER = {
    power_state.NOSTATE: model_pb2.POWER_STATE_NO_STATE,
    power_state.RUNNING: model_pb2.POWER_STATE_RUNNING,
    power_state.PAUSED: model_pb2.POWER_STATE_PAUSED,
    power_state.SHUTDOWN: model_pb2.POWER_STATE_SHUTDOWN,
    power_state.CRASHED: model_pb2.POWER_STATE_CRASHED,
    power_state.SUSPENDED: model_pb2.POWER_STATE_SUSPENDED,
}
_POWER_BACK = {wire: nova for nova, wire in _POWER.items()}

# Nova's lifecycle transitions are numbered from 0, the protocol's from 1.
_TRANSITION_OFFSET = 1


def power(nova_state):
    """Nova's power state code as the protocol's PowerState."""
    return _POWER.get(nova_state, model_pb2.POWER_STATE_NO_STATE)


def context(wire):
    """A RequestContext (no credentials travel)."""
    if wire is None:
        return nova_context.get_admin_context()
    return nova_context.RequestContext(
        user_id=wire.user_id or None,
        project_id=wire.project_id or None,
        request_id=wire.request_id or None,
        is_admin=wire.is_admin,
    )


def flavor(wire):
    """objects.Flavor."""
    return objects.Flavor(
        id=wire.id,
        flavorid=wire.flavor_id,
        name=wire.name,
        vcpus=wire.vcpus,
        memory_mb=wire.memory_mb,
        root_gb=wire.root_gb,
        ephemeral_gb=wire.ephemeral_gb,
        swap=wire.swap_mb,
        extra_specs=dict(wire.extra_specs),
    )


def instance(wire, host):
    """objects.Instance as the compute manager hands it over. Its `name` is
    the protocol's name: the adapter sets Nova's `instance_name_template` to
    ``%(display_name)s`` (see __init__.py) and puts the name there."""
    fields = dict(
        # A database id, stable per UUID: Nova's name template needs one.
        id=zlib.crc32(wire.uuid.encode()) & 0x7FFFFFFF,
        uuid=wire.uuid,
        display_name=wire.name,
        host=wire.host if wire.HasField("host") else host,
        flavor=flavor(wire.flavor),
        image_ref=wire.image_ref,
        metadata=dict(wire.metadata),
        system_metadata={},
        project_id=wire.project_id or None,
        user_id=wire.user_id or None,
        vm_state="active",
        task_state=None,
        power_state=_POWER_BACK.get(wire.power_state, power_state.NOSTATE),
    )
    if wire.HasField("node"):
        fields["node"] = wire.node
    return objects.Instance(**fields)


def image_meta(wire):
    """objects.ImageMeta (free-form properties Nova does not know are dropped,
    as Nova's ImageMetaProps drops them)."""
    data = {"properties": {}}
    if wire is None:
        return objects.ImageMeta.from_dict(data)
    for key in ("id", "name", "disk_format", "container_format"):
        if wire.HasField(key):
            data[key] = getattr(wire, key)
    data["min_ram"] = wire.min_ram_mb
    data["min_disk"] = wire.min_disk_gb
    return objects.ImageMeta.from_dict(data)


def network_info(vifs):
    """A NetworkInfo of Nova VIFs."""
    return network_model.NetworkInfo([vif(v) for v in vifs])


def vif(wire):
    """One Nova VIF."""
    subnets = [
        network_model.Subnet(
            cidr=s.cidr,
            gateway=network_model.IP(address=s.gateway) if s.HasField("gateway") else None,
            ips=[network_model.FixedIP(address=ip) for ip in s.ips],
        )
        for s in wire.network.subnets
    ]
    network = network_model.Network(
        id=wire.network.id,
        label=wire.network.label,
        bridge=wire.network.bridge if wire.network.HasField("bridge") else None,
        subnets=subnets,
    )
    return network_model.VIF(
        id=wire.id,
        address=wire.address,
        network=network,
        type=wire.vif_type,
        devname=wire.devname if wire.HasField("devname") else None,
    )


def connection_info(wire):
    """Nova's connection_info dict (`data` values are JSON documents)."""
    info = {
        "driver_volume_type": wire.driver_volume_type,
        "data": {key: json.loads(value) for key, value in wire.data_json.items()},
    }
    if wire.HasField("serial"):
        info["serial"] = wire.serial
    return info


def block_device_info(wire):
    """Nova's block_device_info dict."""
    if wire is None:
        return None
    info = {
        "root_device_name": wire.root_device_name if wire.HasField("root_device_name") else None,
        "ephemerals": [
            {"device_name": e.device_name, "size": e.size_gb} for e in wire.ephemerals
        ],
        "block_device_mapping": [
            {
                "connection_info": connection_info(m.connection_info),
                "mount_device": m.mount_device,
                "delete_on_termination": m.delete_on_termination,
            }
            for m in wire.block_device_mapping
        ],
        "swap": None,
    }
    if wire.HasField("swap"):
        info["swap"] = {"device_name": wire.swap.device_name, "swap_size": wire.swap.swap_size_mb}
    return info


def migration(wire):
    """objects.Migration."""
    fields = dict(
        uuid=wire.id,
        instance_uuid=wire.instance_uuid,
        source_compute=wire.source_compute,
        dest_compute=wire.dest_compute,
        status=model_pb2.MigrationStatus.Name(wire.status)
        .removeprefix("MIGRATION_STATUS_")
        .lower(),
    )
    if wire.HasField("source_node"):
        fields["source_node"] = wire.source_node
    if wire.HasField("dest_node"):
        fields["dest_node"] = wire.dest_node
    return objects.Migration(**fields)


def live_migrate_data(wire):
    """objects.LibvirtLiveMigrateData (Nova's fake's kind) from the protocol's."""
    data = objects.LibvirtLiveMigrateData()
    data.filename = wire.filename
    data.block_migration = wire.block_migration
    data.disk_over_commit = wire.disk_over_commit
    data.disk_available_mb = wire.disk_available_mb
    data.is_shared_block_storage = wire.is_shared_block_storage
    data.is_shared_instance_path = wire.is_shared_instance_path
    return data


def live_migrate_data_back(data, dest_host, source_host=None):
    """The protocol's LiveMigrateData from Nova's object. Nova's object does
    not name the hosts: the conductor knows them; the adapter passes them on."""
    wire = model_pb2.LiveMigrateData(dest_host=dest_host)
    if source_host is not None:
        wire.source_host = source_host

    def field(name, default):
        return getattr(data, name) if data.obj_attr_is_set(name) else default

    wire.filename = field("filename", "") or ""
    wire.block_migration = bool(field("block_migration", False))
    wire.disk_over_commit = bool(field("disk_over_commit", False))
    wire.disk_available_mb = int(field("disk_available_mb", 0) or 0)
    wire.is_shared_block_storage = bool(field("is_shared_block_storage", False))
    wire.is_shared_instance_path = bool(field("is_shared_instance_path", False))
    return wire


def task_state(value):
    """A Nova task state string as the protocol's TaskState."""
    if value is None:
        return model_pb2.TASK_STATE_UNSPECIFIED
    return model_pb2.TaskState.Value("TASK_STATE_" + value.upper())


def lifecycle_event(nova_event):
    """A Nova LifecycleEvent as the protocol's."""
    wire = model_pb2.LifecycleEvent(
        instance_uuid=nova_event.uuid,
        transition=nova_event.transition + _TRANSITION_OFFSET,
    )
    if nova_event.timestamp is not None:
        wire.timestamp.FromDatetime(nova_event.timestamp)
    return wire


def nova_lifecycle_event(wire):
    """The protocol's LifecycleEvent as Nova's."""
    when = wire.timestamp.ToDatetime() if wire.HasField("timestamp") else None
    return virtevent.LifecycleEvent(
        wire.instance_uuid, wire.transition - _TRANSITION_OFFSET, timestamp=when
    )


def node_resources(status):
    """get_available_resource's dict as NodeResources."""
    cpu = json.loads(status["cpu_info"]) if status.get("cpu_info") else {}
    topology = cpu.get("topology", {})
    wire = model_pb2.NodeResources(
        vcpus=status["vcpus"],
        memory_mb=status["memory_mb"],
        local_gb=status["local_gb"],
        vcpus_used=status["vcpus_used"],
        memory_mb_used=status["memory_mb_used"],
        local_gb_used=status["local_gb_used"],
        hypervisor_type=status["hypervisor_type"],
        hypervisor_version=status["hypervisor_version"],
        hypervisor_hostname=status["hypervisor_hostname"],
        host_hostname=status.get("host_hostname", ""),
        disk_available_least=status.get("disk_available_least", 0),
        uuid=status.get("uuid", ""),
        cpu_info=model_pb2.CpuInfo(
            arch=cpu.get("arch", ""),
            model=cpu.get("model", ""),
            vendor=cpu.get("vendor", ""),
            features=cpu.get("features", []),
            topology=model_pb2.CpuTopology(
                sockets=topology.get("sockets", 0),
                cores=topology.get("cores", 0),
                threads=topology.get("threads", 0),
            ),
        ),
        supported_instances=[
            model_pb2.SupportedInstance(arch=a, hypervisor_type=h, vm_mode=m)
            for a, h, m in status.get("supported_instances", [])
        ],
    )
    if status.get("numa_topology") is not None:
        wire.numa_topology = json.dumps(status["numa_topology"])
    return wire
