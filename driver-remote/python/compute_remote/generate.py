"""Generates the protocol's Python modules from the .proto files (one source).

The modules land in ``compute_remote/_generated`` (not committed), which is put
on ``sys.path`` so that the generated code's own imports
(``from compute.v1 import model_pb2``) resolve. They are made again whenever a
.proto file is newer than them.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO_ROOT = os.environ.get(
    "COMPUTE_PROTO_ROOT", os.path.join(HERE, "..", "..", "proto")
)
OUT = os.path.join(HERE, "_generated")


def _protos():
    folder = os.path.join(PROTO_ROOT, "compute", "v1")
    return sorted(
        os.path.join(folder, name) for name in os.listdir(folder) if name.endswith(".proto")
    )


def _stale(protos):
    stamp = os.path.join(OUT, "compute", "v1", "compute_pb2_grpc.py")
    if not os.path.exists(stamp):
        return True
    made = os.path.getmtime(stamp)
    return any(os.path.getmtime(p) > made for p in protos)


def ensure_generated():
    """Makes the modules if they are missing or older than a .proto file."""
    protos = _protos()
    if _stale(protos):
        from grpc_tools import protoc

        os.makedirs(os.path.join(OUT, "compute", "v1"), exist_ok=True)
        include = os.path.join(os.path.dirname(protoc.__file__), "_proto")
        code = protoc.main(
            [
                "grpc_tools.protoc",
                f"-I{PROTO_ROOT}",
                f"-I{include}",
                f"--python_out={OUT}",
                f"--grpc_python_out={OUT}",
                *protos,
            ]
        )
        if code != 0:
            raise RuntimeError(f"protoc failed ({code}) on {PROTO_ROOT}")
    if OUT not in sys.path:
        sys.path.insert(0, OUT)
