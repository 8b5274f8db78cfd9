#!/usr/bin/env bash
# Runs the bench workload on Nova's own Python FakeDriver, so the README's comparison can be
# redone by anyone. Optional: needs Python 3.10+ and network access to PyPI.
#
#   bash bench/nova/run.sh [N] [THREADS]        # defaults: 100000 1
#
# Creates a virtualenv in target/nova-venv with nova from PyPI (NOVA_VERSION, default the
# newest), then runs bench/nova/nova_fake_bench.py, which prints ops/s per operation and
# bytes per instance, like `driver-bench`.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-100000}
THREADS=${2:-1}
VENV=target/nova-venv
if [[ ! -x "$VENV/bin/python" ]]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --upgrade pip
    "$VENV/bin/pip" install --quiet "nova${NOVA_VERSION:+==$NOVA_VERSION}"
fi
"$VENV/bin/python" bench/nova/nova_fake_bench.py "$N" "$THREADS"
