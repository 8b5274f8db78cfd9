"""Nova's own ``nova.virt.fake.FakeDriver`` as a compute.v1 backend.

Each method translates the request into the call Nova's compute manager makes,
calls Nova's fake, and translates the answer back. The adapter adds no rule of
its own: what Nova's fake does is what the suite judges. Where the protocol
needs a value Nova's objects do not carry (the hosts of LiveMigrateData), the
adapter passes on what the caller gave, as Nova's conductor does.

Declared features are the contract's feature groups whose every method Nova's
fake implements; the others are left out (not declared, methods absent), so the
suite skips their cases with that reason instead of failing them.
"""

import itertools
import threading

from nova.compute import task_states
from nova.virt import fake

from compute.v1 import compute_pb2, model_pb2
from compute_remote import DriverError, ErrorKind, EventLog

from . import convert
from .migration import MigrationCalls
from .translate import DRIVER_NAME, translated

# Feature groups whose every method Nova 34's FakeDriver implements. Left out:
# console_pool, file_injection, firewall (the methods left Nova), diagnostics
# (no interface_stats), disk_info (no get_disk_available_least), usage_counters
# (no get_all_bw_counters), host_stats (no get_host_stats; get_host_uptime
# raises NotImplementedError).
FEATURES = [
    model_pb2.FEATURE_POWER_CONTROL,
    model_pb2.FEATURE_REBOOT,
    model_pb2.FEATURE_PAUSE,
    model_pb2.FEATURE_SUSPEND,
    model_pb2.FEATURE_RESCUE,
    model_pb2.FEATURE_SOFT_DELETE,
    model_pb2.FEATURE_SNAPSHOT,
    model_pb2.FEATURE_VOLUMES,
    model_pb2.FEATURE_INTERFACES,
    model_pb2.FEATURE_VIF_PLUGGING,
    model_pb2.FEATURE_VNC_CONSOLE,
    model_pb2.FEATURE_SPICE_CONSOLE,
    model_pb2.FEATURE_SERIAL_CONSOLE,
    model_pb2.FEATURE_CONSOLE_OUTPUT,
    model_pb2.FEATURE_LIVE_MIGRATION,
    model_pb2.FEATURE_COLD_MIGRATION,
    model_pb2.FEATURE_ADMIN_PASSWORD,
    model_pb2.FEATURE_HOST_POWER,
    model_pb2.FEATURE_HOST_MAINTENANCE,
    model_pb2.FEATURE_HOST_ENABLE,
    model_pb2.FEATURE_HOST_BOOT_RECOVERY,
    model_pb2.FEATURE_CRASH_DUMP,
]

_HOST_POWER = {
    model_pb2.HOST_POWER_ACTION_STARTUP: "startup",
    model_pb2.HOST_POWER_ACTION_SHUTDOWN: "shutdown",
    model_pb2.HOST_POWER_ACTION_REBOOT: "reboot",
}
_HOST_POWER_BACK = {name: wire for wire, name in _HOST_POWER.items()}


class NovaFakeBackend(MigrationCalls):
    """One Nova FakeDriver, started as nova-compute starts it (`init_host`)."""

    driver_name = DRIVER_NAME

    def __init__(self, host, read_only=False):
        self.host = host
        self.events = EventLog()
        self.nova = fake.FakeDriver(fake.FakeVirtAPI(), read_only=read_only)
        self.nova.register_event_listener(
            lambda event: self.events.push(convert.lifecycle_event(event))
        )
        self.nova.init_host(host)

    def _instance(self, wire):
        return convert.instance(wire, self.host)

    # --- identity and events -------------------------------------------------

    def describe(self, request, context):
        return compute_pb2.DescribeResponse(
            driver_name=DRIVER_NAME,
            legacy_nwinfo=False,
            capabilities=model_pb2.Capabilities(
                supports_recreate=bool(self.nova.capabilities.get("supports_evacuate")),
                has_imagecache=bool(self.nova.capabilities.get("has_imagecache")),
                features=FEATURES,
            ),
        )

    def emit_event(self, request, context):
        self.nova.emit_event(convert.nova_lifecycle_event(request.event))
        return compute_pb2.Ack()

    # --- host ----------------------------------------------------------------

    def init_host(self, request, context):
        translated(lambda: self.nova.init_host(request.host))
        self.host = request.host
        return compute_pb2.Ack()

    def get_available_nodes(self, request, context):
        nodes = translated(lambda: self.nova.get_available_nodes(request.refresh)) or []
        return compute_pb2.NodeNames(nodes=nodes)

    def get_available_resource(self, request, context):
        status = translated(lambda: self.nova.get_available_resource(request.nodename))
        if not status:
            # Nova answers {} for a node it does not manage; the protocol has
            # no empty NodeResources, so this is NodeNotFound.
            raise DriverError(
                ErrorKind.ERROR_KIND_NODE_NOT_FOUND,
                f"node {request.nodename!r} not managed here",
                node=request.nodename,
            )
        return convert.node_resources(status)

    def host_power_action(self, request, context):
        done = translated(lambda: self.nova.host_power_action(_HOST_POWER[request.action]))
        return compute_pb2.HostPowerActionResponse(action=_HOST_POWER_BACK[done])

    def host_maintenance_mode(self, request, context):
        answer = translated(lambda: self.nova.host_maintenance_mode(request.host, request.mode))
        return compute_pb2.HostMaintenanceModeResponse(on_maintenance=answer == "on_maintenance")

    def set_host_enabled(self, request, context):
        answer = translated(lambda: self.nova.set_host_enabled(request.enabled))
        return compute_pb2.SetHostEnabledResponse(enabled=answer == "enabled")

    # --- instances -----------------------------------------------------------

    def spawn(self, request, context):
        instance = self._instance(request.instance)
        files = [(f.path, f.contents) for f in request.injected_files]
        password = request.admin_password if request.HasField("admin_password") else None
        translated(
            lambda: self.nova.spawn(
                convert.context(request.context),
                instance,
                convert.image_meta(request.image_meta),
                files,
                password,
                {},
                network_info=convert.network_info(request.network_info),
                block_device_info=convert.block_device_info(request.block_device_info),
                power_on=request.power_on,
            )
        )
        return compute_pb2.Ack()

    def destroy(self, request, context):
        translated(
            lambda: self.nova.destroy(
                convert.context(None),
                self._instance(request.instance),
                convert.network_info(request.network_info),
                block_device_info=convert.block_device_info(request.block_device_info),
                destroy_disks=request.destroy_disks,
            )
        )
        return compute_pb2.Ack()

    def get_info(self, request, context):
        info = translated(lambda: self.nova.get_info(self._instance(request.instance)))
        # Nova's InstanceInfo carries the power state only.
        return model_pb2.InstanceInfo(state=convert.power(info.state))

    def list_instances(self, request, context):
        return compute_pb2.InstanceNames(names=translated(self.nova.list_instances))

    def list_instance_uuids(self, request, context):
        return compute_pb2.InstanceUuids(uuids=translated(self.nova.list_instance_uuids))

    def get_num_instances(self, request, context):
        return compute_pb2.Count(count=translated(self.nova.get_num_instances))

    def instance_exists(self, request, context):
        found = translated(lambda: self.nova.instance_exists(self._instance(request.instance)))
        return compute_pb2.BoolValue(value=found)

    def reboot(self, request, context):
        kind = "HARD" if request.reboot_type == model_pb2.REBOOT_TYPE_HARD else "SOFT"
        translated(
            lambda: self.nova.reboot(
                convert.context(request.context),
                self._instance(request.instance),
                convert.network_info(request.network_info),
                kind,
                block_device_info=convert.block_device_info(request.block_device_info),
            )
        )
        return compute_pb2.Ack()

    def poll_rebooting_instances(self, request, context):
        instances = [self._instance(i) for i in request.instances]
        translated(lambda: self.nova.poll_rebooting_instances(request.timeout.seconds, instances))
        return compute_pb2.Ack()

    def power_off(self, request, context):
        translated(
            lambda: self.nova.power_off(
                self._instance(request.instance), timeout=request.timeout.seconds
            )
        )
        return compute_pb2.Ack()

    def power_on(self, request, context):
        translated(
            lambda: self.nova.power_on(
                convert.context(request.context),
                self._instance(request.instance),
                convert.network_info(request.network_info),
                block_device_info=convert.block_device_info(request.block_device_info),
            )
        )
        return compute_pb2.Ack()

    def pause(self, request, context):
        translated(lambda: self.nova.pause(self._instance(request.instance)))
        return compute_pb2.Ack()

    def unpause(self, request, context):
        translated(lambda: self.nova.unpause(self._instance(request.instance)))
        return compute_pb2.Ack()

    def suspend(self, request, context):
        translated(
            lambda: self.nova.suspend(convert.context(None), self._instance(request.instance))
        )
        return compute_pb2.Ack()

    def resume(self, request, context):
        translated(
            lambda: self.nova.resume(
                convert.context(request.context),
                self._instance(request.instance),
                convert.network_info(request.network_info),
                block_device_info=convert.block_device_info(request.block_device_info),
            )
        )
        return compute_pb2.Ack()

    def rescue(self, request, context):
        translated(
            lambda: self.nova.rescue(
                convert.context(request.context),
                self._instance(request.instance),
                convert.network_info(request.network_info),
                convert.image_meta(request.image_meta),
                request.rescue_password,
                None,
                None,
            )
        )
        return compute_pb2.Ack()

    def unrescue(self, request, context):
        translated(
            lambda: self.nova.unrescue(convert.context(None), self._instance(request.instance))
        )
        return compute_pb2.Ack()

    def soft_delete(self, request, context):
        translated(lambda: self.nova.soft_delete(self._instance(request.instance)))
        return compute_pb2.Ack()

    def restore(self, request, context):
        translated(lambda: self.nova.restore(self._instance(request.instance)))
        return compute_pb2.Ack()

    def snapshot(self, request, context):
        updates = []

        # As Nova's compute manager hands it to a driver's snapshot: the
        # expected state defaults to IMAGE_SNAPSHOT.
        def update_task_state(task_state, expected_state=task_states.IMAGE_SNAPSHOT):
            updates.append(
                compute_pb2.TaskStateUpdate(
                    task_state=convert.task_state(task_state),
                    expected_task_state=convert.task_state(expected_state),
                )
            )

        translated(
            lambda: self.nova.snapshot(
                convert.context(request.context),
                self._instance(request.instance),
                request.image_id,
                update_task_state,
            )
        )
        for update in updates:
            yield compute_pb2.SnapshotProgress(update=update)

    def set_admin_password(self, request, context):
        translated(
            lambda: self.nova.set_admin_password(self._instance(request.instance), request.new_pass)
        )
        return compute_pb2.Ack()

    def resume_state_on_host_boot(self, request, context):
        translated(
            lambda: self.nova.resume_state_on_host_boot(
                convert.context(request.context),
                self._instance(request.instance),
                convert.network_info(request.network_info),
                None,
                block_device_info=convert.block_device_info(request.block_device_info),
            )
        )
        return compute_pb2.Ack()

    def trigger_crash_dump(self, request, context):
        translated(lambda: self.nova.trigger_crash_dump(self._instance(request.instance)))
        return compute_pb2.Ack()

    # --- consoles ------------------------------------------------------------

    def get_console_output(self, request, context):
        text = translated(
            lambda: self.nova.get_console_output(
                convert.context(None), self._instance(request.instance)
            )
        )
        return compute_pb2.ConsoleOutput(output=text)

    def get_vnc_console(self, request, context):
        c = translated(
            lambda: self.nova.get_vnc_console(convert.context(None), self._instance(request.instance))
        )
        return model_pb2.VncConsole(
            host=c.host, port=c.port, internal_access_path=c.internal_access_path
        )

    def get_spice_console(self, request, context):
        c = translated(
            lambda: self.nova.get_spice_console(
                convert.context(None), self._instance(request.instance)
            )
        )
        return model_pb2.SpiceConsole(
            host=c.host, port=c.port, tls_port=c.tlsPort, internal_access_path=c.internal_access_path
        )

    def get_serial_console(self, request, context):
        c = translated(
            lambda: self.nova.get_serial_console(
                convert.context(None), self._instance(request.instance)
            )
        )
        return model_pb2.SerialConsole(host=c.host, port=c.port)

    # --- volumes and interfaces ----------------------------------------------

    def attach_volume(self, request, context):
        translated(
            lambda: self.nova.attach_volume(
                convert.context(None),
                convert.connection_info(request.connection_info),
                self._instance(request.instance),
                request.mountpoint,
            )
        )
        return compute_pb2.Ack()

    def detach_volume(self, request, context):
        translated(
            lambda: self.nova.detach_volume(
                convert.context(None),
                convert.connection_info(request.connection_info),
                self._instance(request.instance),
                request.mountpoint,
            )
        )
        return compute_pb2.Ack()

    def swap_volume(self, request, context):
        translated(
            lambda: self.nova.swap_volume(
                convert.context(None),
                convert.connection_info(request.old_connection_info),
                convert.connection_info(request.new_connection_info),
                self._instance(request.instance),
                request.mountpoint,
                request.resize_to_gb,
            )
        )
        return compute_pb2.Ack()

    def get_volume_connector(self, request, context):
        c = translated(lambda: self.nova.get_volume_connector(self._instance(request.instance)))
        return model_pb2.VolumeConnector(
            ip=str(c.get("ip") or ""),
            initiator=c.get("initiator", ""),
            host=c.get("host") or "",
            multipath=bool(c.get("multipath", False)),
            wwpns=c.get("wwpns", []),
        )

    def attach_interface(self, request, context):
        translated(
            lambda: self.nova.attach_interface(
                convert.context(None),
                self._instance(request.instance),
                convert.image_meta(request.image_meta),
                convert.vif(request.vif),
            ),
            vif=request.vif.id,
        )
        return compute_pb2.Ack()

    def detach_interface(self, request, context):
        translated(
            lambda: self.nova.detach_interface(
                convert.context(None), self._instance(request.instance), convert.vif(request.vif)
            ),
            vif=request.vif.id,
        )
        return compute_pb2.Ack()

    def plug_vifs(self, request, context):
        translated(
            lambda: self.nova.plug_vifs(
                self._instance(request.instance), convert.network_info(request.network_info)
            )
        )
        return compute_pb2.Ack()

    def unplug_vifs(self, request, context):
        translated(
            lambda: self.nova.unplug_vifs(
                self._instance(request.instance), convert.network_info(request.network_info)
            )
        )
        return compute_pb2.Ack()


class NovaFakeFactory:
    """Fresh Nova fakes, one per conformance case, each on its own host."""

    name = "nova.virt.fake.FakeDriver (Nova 34, through the Python adapter)"

    def __init__(self):
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()

    def create(self, read_only, seed):
        with self._lock:
            host = f"nova-host-{next(self._numbers)}"
        backend = NovaFakeBackend(host, read_only=read_only)
        # A read-only backend's instances, spawned as the suite asks (Nova's
        # fake accepts the read_only flag and ignores it).
        for wire in seed:
            backend.nova.spawn(
                convert.context(None),
                backend._instance(wire),
                convert.image_meta(None),
                [],
                None,
                {},
                network_info=convert.network_info([]),
            )
        return backend
