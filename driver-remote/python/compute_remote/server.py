"""The compute.v1 services over a set of Python backends.

Handlers are built from the generated service descriptors, so every RPC of the
.proto is served: a backend method named after the RPC in snake case answers
it; an RPC the backend has no method for answers NOT_SUPPORTED.
"""

import logging
import os
import re
import threading
import uuid
from concurrent import futures

import grpc

from compute.v1 import compute_pb2

from .errors import DriverError, backend as backend_error, invalid_input, not_supported

LOG = logging.getLogger("compute_remote")

BACKEND_HEADER = "compute-backend"
EVENT_SEQ_HEADER = "compute-event-seq"
# Largest message accepted, either way (as the Rust server).
MAX_MESSAGE_BYTES = 64 << 20
# RPCs streaming the progress of one call, ended by a `done` step.
_PROGRESS = {"Snapshot", "LiveMigration"}


def snake(name):
    """`GetInfo` -> `get_info`."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class Factory:
    """What a server serves: `create(read_only, seed)` makes a fresh isolated
    backend (or returns None when it has no read-only mode); `name` is its name
    for reports. A backend has `events` (an EventLog) and `driver_name`."""

    name = "python"

    def create(self, read_only, seed):
        raise NotImplementedError


class _Registry:
    def __init__(self, factory):
        self.factory = factory
        self.lock = threading.Lock()
        self.backends = {"": factory.create(False, [])}

    def get(self, context):
        wanted = dict(context.invocation_metadata()).get(BACKEND_HEADER, "")
        with self.lock:
            found = self.backends.get(wanted)
        if found is None:
            context.abort(grpc.StatusCode.NOT_FOUND, f"no backend {wanted!r} on this server")
        return found

    def add(self, backend):
        key = str(uuid.uuid4())
        with self.lock:
            self.backends[key] = backend
        return key

    def drop(self, key):
        if key:
            with self.lock:
                dropped = self.backends.pop(key, None)
            if dropped is not None:
                dropped.events.close()


def _call(backend, rpc, request, context):
    method = getattr(backend, snake(rpc), None)
    if method is None:
        raise not_supported(snake(rpc), backend.driver_name)
    return method(request, context)


def _answer(error, context):
    if isinstance(error, DriverError):
        error.abort(context)
    LOG.exception("backend failed")
    backend_error(f"{type(error).__name__}: {error}", "python").abort(context)


def _unary(registry, rpc):
    def handle(request, context):
        backend = registry.get(context)
        try:
            reply = _call(backend, rpc, request, context)
        except Exception as error:  # noqa: BLE001 - every failure becomes a status
            _answer(error, context)
        context.send_initial_metadata(((EVENT_SEQ_HEADER, str(backend.events.last_seq())),))
        return reply

    return handle


def _progress(registry, rpc, reply_type):
    def handle(request, context):
        backend = registry.get(context)
        try:
            for step in _call(backend, rpc, request, context):
                yield step
        except Exception as error:  # noqa: BLE001
            _answer(error, context)
        done = reply_type()
        done.done.event_seq = backend.events.last_seq()
        yield done

    return handle


def _watch(registry):
    def handle(request, context):
        backend = registry.get(context)
        seq = request.after_seq
        while context.is_active() and not backend.events.closed():
            for number, event in backend.events.after(seq, 0.2):
                seq = number
                yield compute_pb2.EventNotice(seq=number, event=event)

    return handle


def _factory_handlers(registry):
    def describe_factory(request, context):
        return compute_pb2.FactoryDescription(name=registry.factory.name)

    def create_backend(request, context):
        try:
            made = registry.factory.create(request.read_only, list(request.seed))
        except DriverError as error:
            error.abort(context)
        reply = compute_pb2.CreateBackendResponse()
        if made is not None:
            reply.backend_id = registry.add(made)
            reply.has_crash_hook = hasattr(made, "crash")
        return reply

    def drop_backend(request, context):
        registry.drop(request.backend_id)
        return compute_pb2.Ack()

    def crash(request, context):
        with registry.lock:
            backend = registry.backends.get(request.backend_id)
        if backend is None or not hasattr(backend, "crash"):
            not_supported("crash", "python").abort(context)
        try:
            backend.crash(request, context)
        except Exception as error:  # noqa: BLE001
            _answer(error, context)
        return compute_pb2.Ack()

    return {
        "DescribeFactory": describe_factory,
        "CreateBackend": create_backend,
        "DropBackend": drop_backend,
        "Crash": crash,
    }


def _handler(service, implementations):
    handlers = {}
    for method in service.methods:
        request = _message_class(method.input_type)
        reply = _message_class(method.output_type)
        make = (
            grpc.unary_stream_rpc_method_handler
            if method.server_streaming
            else grpc.unary_unary_rpc_method_handler
        )
        handlers[method.name] = make(
            implementations(method.name, reply),
            request_deserializer=request.FromString,
            response_serializer=reply.SerializeToString,
        )
    return grpc.method_handlers_generic_handler(service.full_name, handlers)


def _message_class(descriptor):
    from google.protobuf import message_factory

    return message_factory.GetMessageClass(descriptor)


def serve(factory, listen, max_workers=512):
    """Serves `factory`'s backends on `listen` (``unix:PATH`` or
    ``tcp:HOST:PORT``, plain: put TLS in front, or keep it to loopback) until
    the process ends. A unix socket is created with mode 0600. Returns the
    started grpc.Server. Every open WatchEvents stream holds one of the
    `max_workers` threads (grpcio's synchronous server), and a client keeps one
    per backend it uses: size it for the backends in use at once, plus calls."""
    registry = _Registry(factory)
    services = compute_pb2.DESCRIPTOR.services_by_name
    factory_impls = _factory_handlers(registry)

    def driver_impl(name, reply):
        if name == "WatchEvents":
            return _watch(registry)
        if name in _PROGRESS:
            return _progress(registry, name, reply)
        return _unary(registry, name)

    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=max_workers),
        options=[
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
        ],
    )
    server.add_generic_rpc_handlers(
        (
            _handler(services["ComputeDriver"], driver_impl),
            _handler(services["BackendFactory"], lambda name, reply: factory_impls[name]),
        )
    )
    kind, _, where = listen.partition(":")
    if kind == "unix":
        if os.path.exists(where):
            os.unlink(where)
        old = os.umask(0o177)
        try:
            server.add_insecure_port(f"unix:{where}")
            server.start()
        finally:
            os.umask(old)
    elif kind == "tcp":
        server.add_insecure_port(where)
        server.start()
    else:
        raise invalid_input(f"listen address {listen!r}: expected unix:PATH or tcp:HOST:PORT")
    return server
