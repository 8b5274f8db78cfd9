#!/usr/bin/env bash
# Builds the tier-2 test guest: a Linux kernel from Debian's packages and a busybox initramfs
# that prints to the serial console and powers off on the ACPI power button (so a graceful
# shutdown, a soft reboot and console output can be tested on a real OS). No network: the
# packages come through apt, like every other install step.
#
#   .ci/guest-image.sh <dir>    writes <dir>/vmlinuz and <dir>/initrd.gz (kept between runs:
#                               rebuilt only when the kernel or busybox version changes)
#
# The guest's init mounts /proc, /sys and /dev, loads the ACPI button and evdev modules, starts
# busybox acpid (power button -> poweroff -f), prints "hvd-guest: up" and waits.
set -euo pipefail

[[ $# -eq 1 ]] || { echo "usage: $0 <dir>" >&2; exit 2; }
mkdir -p "$1"
OUT=$(cd "$1" && pwd -P)
KERNEL_META=linux-image-cloud-amd64

kernel_pkg=$(apt-cache depends "$KERNEL_META" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -n1)
if [[ -z "$kernel_pkg" ]]; then
    apt-get -q -o DPkg::Lock::Timeout=300 update >&2
    kernel_pkg=$(apt-cache depends "$KERNEL_META" | sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -n1)
fi
[[ -n "$kernel_pkg" ]] || { echo "guest-image: no $KERNEL_META in apt" >&2; exit 1; }
busybox_version=$(apt-cache policy busybox-static | sed -n 's/^ *Candidate: *//p')
# The image's own version: bump when the init script changes.
IMAGE_VERSION=2
stamp="v$IMAGE_VERSION $kernel_pkg $busybox_version"
if [[ -s "$OUT/vmlinuz" && -s "$OUT/initrd.gz" && "$(cat "$OUT/stamp" 2>/dev/null)" == "$stamp" ]]; then
    echo "guest-image: up to date ($stamp)" >&2
    exit 0
fi

WORK=$(mktemp -d)
chmod 755 "$WORK" # apt's download user must be able to write there
trap 'rm -rf "$WORK"' EXIT
(cd "$WORK" && apt-get -q download "$kernel_pkg" busybox-static >&2)
dpkg-deb -x "$WORK"/linux-image-*.deb "$WORK/kernel"
dpkg-deb -x "$WORK"/busybox-static_*.deb "$WORK/busybox"
release=${kernel_pkg#linux-image-}
modules="$WORK/kernel/lib/modules/$release/kernel"

root="$WORK/root"
mkdir -p "$root"/{bin,dev,proc,sys,etc/acpi/PWRF,lib/modules,tmp}
cp "$WORK/busybox/bin/busybox" "$root/bin/busybox"
for m in drivers/acpi/button.ko drivers/input/evdev.ko; do
    cp "$modules/$m" "$root/lib/modules/"
done
cat >"$root/etc/acpi/PWRF/00000080" <<'SCRIPT'
#!/bin/busybox sh
echo "hvd-guest: power button, powering off"
sync
/bin/busybox poweroff -f
SCRIPT
chmod +x "$root/etc/acpi/PWRF/00000080"
cat >"$root/init" <<'SCRIPT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
insmod /lib/modules/button.ko
insmod /lib/modules/evdev.ko
acpid -f -c /etc/acpi -l /dev/console &
acpid=$!
# "up" only once acpid listens (holds an input device open): a power button
# pressed after it is never lost.
i=0
while [ $i -lt 100 ] && ! ls -l /proc/$acpid/fd 2>/dev/null | grep -q /dev/input; do
    usleep 50000
    i=$((i + 1))
done
echo "hvd-guest: up"
while true; do sleep 3600; done
SCRIPT
chmod +x "$root/init"
# busybox's own cpio: nothing more to install.
(cd "$root" && find . | "$root/bin/busybox" cpio -o -H newc 2>/dev/null | gzip -9) >"$OUT/initrd.gz.tmp"
cp "$WORK/kernel/boot/vmlinuz-$release" "$OUT/vmlinuz.tmp"
mv "$OUT/initrd.gz.tmp" "$OUT/initrd.gz"
mv "$OUT/vmlinuz.tmp" "$OUT/vmlinuz"
echo "$stamp" >"$OUT/stamp"
echo "guest-image: built $OUT (kernel $release, busybox $busybox_version)" >&2
