#!/usr/bin/env bash
# Installs what the libvirt backend needs to build (libvirt-dev, pkg-config) and to run its
# tier-2 tests (a root libvirtd without systemd driving TCG QEMU guests).
#
# Idempotent: when every package is already installed it does nothing (no apt-get update).
#
# Notes:
# - Always --no-install-recommends: recommends pull in a different QEMU stack.
# - Never libvirt-daemon-system: it wants systemd. .ci/libvirtd.sh starts the daemon by hand.
# - qemu-utils is listed on purpose: the machine may come with a newer, backported qemu-utils
#   (qemu-img 10.x) that Debian's qemu-system-common 7.2 cannot coexist with; apt removes it
#   when qemu-system-x86 is installed. Installing bookworm's qemu-utils keeps `qemu-img`.
set -euo pipefail

PACKAGES=(
    libvirt-dev
    pkg-config
    libvirt-daemon
    libvirt-daemon-driver-qemu
    libvirt-clients
    qemu-system-x86
    qemu-utils
    tini
)

missing=()
for p in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    if [[ "$status" != "install ok installed" ]]; then
        missing+=("$p")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-libvirt: all packages already installed" >&2
    exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
    echo "install-libvirt: must run as root (missing: ${missing[*]})" >&2
    exit 1
fi

echo "install-libvirt: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
APT_OPTS=(-q -o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0)
apt-get "${APT_OPTS[@]}" update >&2
# Install the whole list (not only the missing ones) so that apt resolves them together.
apt-get "${APT_OPTS[@]}" install -y --no-install-recommends "${PACKAGES[@]}" >&2

for cmd in libvirtd virsh tini qemu-system-x86_64 qemu-img pkg-config; do
    command -v "$cmd" >/dev/null || { echo "install-libvirt: $cmd missing after install" >&2; exit 1; }
done
pkg-config --exists libvirt || { echo "install-libvirt: pkg-config cannot find libvirt" >&2; exit 1; }
echo "install-libvirt: done" >&2
