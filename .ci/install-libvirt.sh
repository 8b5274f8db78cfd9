#!/usr/bin/env bash
# Installs what the libvirt backend needs to build (libvirt-dev, pkg-config) and to run its
# tier-2 tests (a root libvirtd without systemd driving TCG QEMU guests).
#
# Works on a fresh machine and on one already set up; idempotent: when every package is
# installed and the QEMU tools agree on their version it does nothing (no apt-get update).
#
# Notes:
# - Always --no-install-recommends: recommends pull in a different QEMU stack.
# - Never libvirt-daemon-system: it wants systemd. .ci/libvirtd.sh starts the daemon by hand.
# - The machine image may ship a backported qemu-utils (qemu-img 10.x, from a source apt no
#   longer lists) that the distribution's qemu-system-common (7.2) refuses to sit beside
#   ("qemu-utils : Breaks: qemu-system-common"). apt keeps an installed newer version unless told
#   otherwise, so the whole QEMU stack is installed pinned to the version the distribution
#   offers for qemu-system-x86, with --allow-downgrades.
set -euo pipefail

PACKAGES=(
    libvirt-dev
    pkg-config
    libvirt-daemon
    libvirt-daemon-driver-qemu
    libvirt-clients
    tini
)
# Installed together at one version (the distribution's candidate for qemu-system-x86).
# (qemu-system-data is architecture-independent, versioned without the binNMU suffix, and comes
# in as a dependency.)
QEMU_PACKAGES=(
    qemu-system-x86
    qemu-system-common
    qemu-utils
)

installed_version() {
    local status
    status=$(dpkg-query -W -f='${Status} ${Version}' "$1" 2>/dev/null || true)
    if [[ "$status" == "install ok installed "* ]]; then
        echo "${status#install ok installed }"
    fi
}

# The major version a QEMU tool reports of itself ("qemu-img version 7.2.19 (...)" -> 7).
tool_major() {
    "$1" --version 2>/dev/null | sed -n 's/.*version \([0-9][0-9]*\)\..*/\1/p' | head -n1
}

consistent() {
    local p
    for p in "${PACKAGES[@]}" "${QEMU_PACKAGES[@]}"; do
        [[ -n "$(installed_version "$p")" ]] || return 1
    done
    local v
    v=$(installed_version qemu-system-x86)
    for p in "${QEMU_PACKAGES[@]}"; do
        [[ "$(installed_version "$p")" == "$v" ]] || return 1
    done
    local a b
    a=$(tool_major qemu-img)
    b=$(tool_major qemu-system-x86_64)
    [[ -n "$a" && "$a" == "$b" ]]
}

if consistent; then
    echo "install-libvirt: all packages installed, QEMU $(installed_version qemu-system-x86)" >&2
    exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
    echo "install-libvirt: must run as root" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
APT_OPTS=(-q -o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0)
apt-get "${APT_OPTS[@]}" update >&2

QEMU_VERSION=$(apt-cache policy qemu-system-x86 | sed -n 's/^ *Candidate: *//p')
if [[ -z "$QEMU_VERSION" || "$QEMU_VERSION" == "(none)" ]]; then
    echo "install-libvirt: the distribution offers no qemu-system-x86" >&2
    exit 1
fi
pinned=()
for p in "${QEMU_PACKAGES[@]}"; do
    pinned+=("$p=$QEMU_VERSION")
done
echo "install-libvirt: installing ${PACKAGES[*]} and QEMU $QEMU_VERSION" >&2
# One transaction so apt resolves everything together; the pins take any backport down.
apt-get "${APT_OPTS[@]}" install -y --no-install-recommends --allow-downgrades \
    "${PACKAGES[@]}" "${pinned[@]}" >&2

for cmd in libvirtd virsh tini qemu-system-x86_64 qemu-img pkg-config; do
    command -v "$cmd" >/dev/null || { echo "install-libvirt: $cmd missing after install" >&2; exit 1; }
done
pkg-config --exists libvirt || { echo "install-libvirt: pkg-config cannot find libvirt" >&2; exit 1; }
img=$(tool_major qemu-img)
sys=$(tool_major qemu-system-x86_64)
if [[ -z "$img" || "$img" != "$sys" ]]; then
    echo "install-libvirt: qemu-img ($img) and qemu-system-x86_64 ($sys) disagree on the major version" >&2
    exit 1
fi
echo "install-libvirt: done (QEMU $QEMU_VERSION; qemu-img and qemu-system-x86_64 both $img.x)" >&2
