"""The contract's errors on the wire (errors.proto): kind, gRPC code, details."""

import grpc
from google.protobuf import any_pb2
from google.rpc import status_pb2

from compute.v1 import errors_pb2

ErrorKind = errors_pb2.ErrorKind

# errors.proto's table: the gRPC code of each error kind.
_CODES = {
    ErrorKind.ERROR_KIND_INSTANCE_NOT_FOUND: grpc.StatusCode.NOT_FOUND,
    ErrorKind.ERROR_KIND_NODE_NOT_FOUND: grpc.StatusCode.NOT_FOUND,
    ErrorKind.ERROR_KIND_VOLUME_NOT_FOUND: grpc.StatusCode.NOT_FOUND,
    ErrorKind.ERROR_KIND_INSTANCE_EXISTS: grpc.StatusCode.ALREADY_EXISTS,
    ErrorKind.ERROR_KIND_DEVICE_BUSY: grpc.StatusCode.ALREADY_EXISTS,
    ErrorKind.ERROR_KIND_INSTANCE_NOT_RUNNING: grpc.StatusCode.FAILED_PRECONDITION,
    ErrorKind.ERROR_KIND_INVALID_STATE: grpc.StatusCode.FAILED_PRECONDITION,
    ErrorKind.ERROR_KIND_INTERFACE_ATTACH_FAILED: grpc.StatusCode.FAILED_PRECONDITION,
    ErrorKind.ERROR_KIND_INTERFACE_DETACH_FAILED: grpc.StatusCode.FAILED_PRECONDITION,
    ErrorKind.ERROR_KIND_MIGRATION_FAILED: grpc.StatusCode.ABORTED,
    ErrorKind.ERROR_KIND_NOT_SUPPORTED: grpc.StatusCode.UNIMPLEMENTED,
    ErrorKind.ERROR_KIND_READ_ONLY: grpc.StatusCode.PERMISSION_DENIED,
    ErrorKind.ERROR_KIND_INSUFFICIENT_RESOURCES: grpc.StatusCode.RESOURCE_EXHAUSTED,
    ErrorKind.ERROR_KIND_INVALID_INPUT: grpc.StatusCode.INVALID_ARGUMENT,
    ErrorKind.ERROR_KIND_TIMEOUT: grpc.StatusCode.DEADLINE_EXCEEDED,
    ErrorKind.ERROR_KIND_UNAVAILABLE: grpc.StatusCode.UNAVAILABLE,
    ErrorKind.ERROR_KIND_BACKEND: grpc.StatusCode.INTERNAL,
}


class DriverError(Exception):
    """A contract error: `kind` (errors.proto's ErrorKind) and the variant's
    fields, named as in DriverErrorDetail (``instance_uuid=``, ``operation=``,
    ``reason=``, ...). ``instance`` is a UUID string (errors naming an instance
    by name pass ``instance_name=``). Never put a secret in a field."""

    def __init__(self, kind, message, instance=None, instance_name=None, **fields):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.instance = instance
        self.instance_name = instance_name
        self.fields = fields

    def detail(self):
        """The DriverErrorDetail a client rebuilds the error from."""
        detail = errors_pb2.DriverErrorDetail(kind=self.kind, message=self.message, **self.fields)
        if self.instance is not None:
            detail.instance.uuid = self.instance
        elif self.instance_name is not None:
            detail.instance.name = self.instance_name
        return detail

    def abort(self, context):
        """Ends the call with this error's status and details."""
        packed = any_pb2.Any()
        packed.Pack(self.detail())
        status = status_pb2.Status(
            code=_CODES[self.kind].value[0], message=self.message, details=[packed]
        )
        context.abort_with_status(_RichStatus(_CODES[self.kind], self.message, status))


class _RichStatus(grpc.Status):
    """A status carrying `grpc-status-details-bin` (what grpcio-status builds)."""

    def __init__(self, code, details, status):
        self.code = code
        self.details = details
        self.trailing_metadata = (("grpc-status-details-bin", status.SerializeToString()),)


def not_supported(operation, driver):
    """NotSupported: `driver` does not implement `operation`."""
    return DriverError(
        ErrorKind.ERROR_KIND_NOT_SUPPORTED,
        f"{driver} does not support {operation}",
        operation=operation,
        driver=driver,
    )


def invalid_input(reason):
    """InvalidInput: a request the protocol cannot carry to the backend."""
    return DriverError(ErrorKind.ERROR_KIND_INVALID_INPUT, f"invalid input: {reason}", reason=reason)


def backend(message, driver):
    """Backend: the backend failed in its own words."""
    return DriverError(
        ErrorKind.ERROR_KIND_BACKEND, f"{driver}: {message}", driver=driver, backend_message=message
    )
