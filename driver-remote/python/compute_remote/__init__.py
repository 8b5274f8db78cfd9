"""Serve a compute backend written in Python over the compute.v1 protocol.

The protocol is driver-remote's (``driver-remote/proto/compute/v1``); the Rust
``RemoteDriver`` and the conformance runner (``--backend remote``) are its
clients. A backend is a plain Python object with one method per RPC, named in
snake case (``GetInfo`` -> ``get_info``), taking the request message and
returning the response message (streaming RPCs: yielding the stream's
messages). A method it does not have answers NOT_SUPPORTED, as the contract's
default methods do; raising :class:`DriverError` answers that error, with the
fields a client needs to rebuild it.

The generated modules (``compute.v1.*_pb2``) are made from the .proto files
by :func:`compute_remote.generate.ensure_generated` on first import.
"""

from .generate import ensure_generated

ensure_generated()

from .errors import DriverError, ErrorKind  # noqa: E402
from .events import EventLog  # noqa: E402
from .server import Factory, serve  # noqa: E402

__all__ = ["DriverError", "ErrorKind", "EventLog", "Factory", "serve"]
