#!/usr/bin/env bash
# The conformance suite judges Nova's own fake (nova.virt.fake.FakeDriver, Nova 34) over the
# compute.v1 protocol, through the Python adapter in this folder.
#
#   bash driver-remote/python/nova-verdict.sh [REPORT_DIR]
#
# Installs the pinned Python packages (requirements-nova.txt) into a virtualenv cached under
# ~/.cache/compute-driver (keyed by the file's hash), serves Nova's fake on a unix socket, runs
# the conformance runner against it (reports in REPORT_DIR, default target/nova-verdict), stops
# the server by PID, and compares the cases that failed with nova-fake-verdict.txt, the verdict
# the README publishes: any difference (a new failure, or a listed one that now passes) fails.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
REPORTS="${1:-$ROOT/target/nova-verdict}"
mkdir -p "$REPORTS"

HASH=$(sha256sum "$HERE/requirements-nova.txt" | cut -c1-12)
VENV="${XDG_CACHE_HOME:-$HOME/.cache}/compute-driver/nova-venv-$HASH"
if [[ ! -x "$VENV/bin/python" ]] || ! "$VENV/bin/python" -c "import nova, grpc_tools, grpc_status" 2>/dev/null; then
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --upgrade pip
    "$VENV/bin/pip" install --quiet -r "$HERE/requirements-nova.txt"
fi

cargo build --release -q -p conformance-runner

SOCKET="$REPORTS/nova-fake.sock"
rm -f "$SOCKET"
( cd "$HERE" && exec "$VENV/bin/python" -W ignore -m nova_fake_adapter --listen "unix:$SOCKET" ) \
    > "$REPORTS/nova-fake-server.log" 2>&1 &
SERVER=$!
stop_server() { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; }
trap stop_server EXIT
for _ in $(seq 1 300); do
    [[ -S "$SOCKET" ]] && break
    kill -0 "$SERVER" 2>/dev/null || { cat "$REPORTS/nova-fake-server.log"; exit 1; }
    sleep 0.1
done
[[ -S "$SOCKET" ]] || { echo "nova-verdict: the adapter did not listen within 30 s" >&2; exit 1; }

set +e
"$ROOT/target/release/conformance-runner" --backend remote --endpoint "unix:$SOCKET" \
    --json "$REPORTS/nova-fake.json" --junit "$REPORTS/nova-fake.junit.xml" \
    --matrix "$REPORTS/nova-fake-matrix.md" > "$REPORTS/nova-fake-run.txt" 2>&1
CODE=$?
set -e
stop_server
trap - EXIT
tail -n 3 "$REPORTS/nova-fake-run.txt"
# Exit 1 is "cases failed" (expected: Nova's fake breaks rules); anything else is a broken run.
if [[ $CODE -ne 0 && $CODE -ne 1 ]]; then
    cat "$REPORTS/nova-fake-run.txt"
    echo "nova-verdict: the runner exited $CODE" >&2
    exit 1
fi

"$VENV/bin/python" "$HERE/verdict.py" "$REPORTS/nova-fake.json" > "$REPORTS/nova-fake-verdict.md"
cat "$REPORTS/nova-fake-verdict.md"
"$VENV/bin/python" - "$REPORTS/nova-fake.json" "$HERE/nova-fake-verdict.txt" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
failed = sorted(c["id"] for c in report["cases"] if c["verdict"] in ("fail", "error"))
expected = sorted(
    line.split()[0] for line in open(sys.argv[2])
    if line.strip() and not line.startswith("#")
)
new = [c for c in failed if c not in expected]
fixed = [c for c in expected if c not in failed]
counts = {}
for c in report["cases"]:
    counts[c["verdict"]] = counts.get(c["verdict"], 0) + 1
print("nova-verdict:", ", ".join(f"{n} {v}" for v, n in sorted(counts.items())))
for c in new:
    print("nova-verdict: fails but is not in nova-fake-verdict.txt:", c)
for c in fixed:
    print("nova-verdict: listed in nova-fake-verdict.txt but did not fail:", c)
sys.exit(1 if new or fixed else 0)
PY
