"""Nova's exceptions answered as the contract's errors."""

from nova import exception

from compute_remote import DriverError, ErrorKind

DRIVER_NAME = "nova-fake"


def translated(call, vif=""):
    """Runs `call`, answering Nova's exceptions as the contract's errors
    (`vif`: the VIF an interface call is about; Nova's exceptions omit it)."""
    try:
        return call()
    except exception.InstanceNotFound as e:
        raise DriverError(
            ErrorKind.ERROR_KIND_INSTANCE_NOT_FOUND, str(e), instance=e.kwargs.get("instance_id")
        ) from e
    except exception.InstanceNotRunning as e:
        raise DriverError(
            ErrorKind.ERROR_KIND_INSTANCE_NOT_RUNNING, str(e), instance=e.kwargs.get("instance_id")
        ) from e
    except exception.InstanceExists as e:
        raise DriverError(ErrorKind.ERROR_KIND_INSTANCE_EXISTS, str(e)) from e
    except exception.InterfaceAttachFailed as e:
        raise DriverError(
            ErrorKind.ERROR_KIND_INTERFACE_ATTACH_FAILED,
            str(e),
            instance_uuid=e.kwargs.get("instance_uuid"),
            vif=vif,
            reason=str(e),
        ) from e
    except exception.InterfaceDetachFailed as e:
        raise DriverError(
            ErrorKind.ERROR_KIND_INTERFACE_DETACH_FAILED,
            str(e),
            instance_uuid=e.kwargs.get("instance_uuid"),
            vif=vif,
            reason=str(e),
        ) from e
    except NotImplementedError as e:
        raise DriverError(
            ErrorKind.ERROR_KIND_NOT_SUPPORTED, str(e) or "not implemented", driver=DRIVER_NAME
        ) from e
