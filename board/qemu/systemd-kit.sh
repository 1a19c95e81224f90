#!/usr/bin/env bash
# Prepares the systemd guest's kit once, cached beside the arm64 bench kit
# ($EDGEPIPE_HIL_CACHE/<abi>/arm64-systemd/):
#   root.img        a Debian 12 arm64 root (ext4) made by debootstrap from Debian's archive,
#                   systemd as PID 1 (its second stage runs under qemu-aarch64-static)
#   root.cpio.gz    what the bench's initramfs needs on top to mount it: the virtio block and
#                   ext4 modules in load order and the busybox applets rootboot.sh uses (the
#                   scripts themselves, init and rootboot.sh, are appended fresh at each boot)
# The kernel, vivid, gpio-sim and the base initramfs come from the arm64 kit (kit.sh arm64).
#
# usage: board/qemu/systemd-kit.sh      (prints the kit directory on its last line)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${EDGEPIPE_HIL_CACHE:-$HOME/.cache/edgepipe/hil}
suite=${EDGEPIPE_SYSTEMD_SUITE:-bookworm}
mirror=${EDGEPIPE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
log() { echo "systemd-kit: $*" >&2; }
base=$("$here/kit.sh" arm64 | tail -1)
kit=$(dirname "$base")/arm64-systemd
if [ -f "$kit/ready" ]; then
  log "cached: $kit"
  echo "$kit"
  exit 0
fi
for tool in debootstrap mkfs.ext4 qemu-aarch64-static; do
  command -v "$tool" >/dev/null || {
    log "installing debootstrap e2fsprogs"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap e2fsprogs qemu-user-static >&2
    break
  }
done
started=$(date +%s)
rm -rf "$kit" && mkdir -p "$kit"
abi=$(basename "$(dirname "$base")")

# The modules that mount the root: from the same kernel package as the bench kit's kernel.
work=$kit/work
rm -rf "$work"
mkdir -p "$work/kernel" "$work/initrd/modules" "$work/initrd/bin"
dpkg-deb -x "$(ls "$cache"/debs/linux-image-"$abi"-arm64_*.deb | head -1)" "$work/kernel"
modules=$work/kernel/lib/modules/$abi-arm64
depmod -b "$work/kernel" "$abi-arm64"
: > "$work/initrd/modules/order-root"
for f in $(for m in virtio_pci virtio_blk ext4; do modprobe -d "$work/kernel" -S "$abi-arm64" --show-depends "$m"; done | awk '$1 == "insmod" { print $2 }'); do
  m=$(basename "$f" | sed 's/\.ko.*$//')
  grep -qx "$m" "$work/initrd/modules/order-root" && continue
  case "$f" in
    *.xz) xz -dc "$f" > "$work/initrd/modules/$m.ko" ;;
    *.zst) zstd -dcq "$f" > "$work/initrd/modules/$m.ko" ;;
    *) cp "$f" "$work/initrd/modules/$m.ko" ;;
  esac
  echo "$m" >> "$work/initrd/modules/order-root"
done
log "root modules: $(tr '\n' ' ' < "$work/initrd/modules/order-root")"
for applet in chroot switch_root tar umount sync mknod rm cp ln chmod; do
  ln -sf busybox "$work/initrd/bin/$applet"
done
(cd "$work/initrd" && find . | cpio -o -H newc --quiet | gzip -1) > "$kit/root.cpio.gz"

# debootstrap. Its second stage runs the packages' arm64 maintainer scripts: here, under
# qemu-aarch64-static through binfmt_misc, registered for this step only (booting the guest for
# it under TCG took more than 30 minutes on a loaded 2-core machine). What this script mounted
# or registered is removed again when it exits.
binfmt=/proc/sys/fs/binfmt_misc
mounted=0 registered=0
release_binfmt() {
  if [ "$registered" = 1 ]; then echo -1 > "$binfmt/edgepipe-aarch64" || true; fi
  if [ "$mounted" = 1 ]; then umount "$binfmt" || true; fi
}
trap release_binfmt EXIT
if [ ! -e "$binfmt/register" ]; then mount -t binfmt_misc binfmt_misc "$binfmt"; mounted=1; fi
if ! grep -qs "qemu-aarch64" "$binfmt"/*; then
  # qemu's own aarch64 ELF magic and mask; F: the interpreter is opened now, so the chroot
  # needs no copy of it.
  printf '%s' ':edgepipe-aarch64:M::\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00:\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:/usr/bin/qemu-aarch64-static:F' > "$binfmt/register"
  registered=1
fi
rootfs=$work/rootfs
debootstrap --arch=arm64 --foreign --variant=minbase \
  --include=systemd,systemd-sysv,udev,dbus,init-system-helpers,adduser \
  "$suite" "$rootfs" "$mirror" >&2
log "first stage: $(du -sh "$rootfs" | cut -f1) in $(($(date +%s) - started)) s"
second=$(date +%s)
chroot "$rootfs" /debootstrap/debootstrap --second-stage >&2
log "second stage (qemu-aarch64): $(($(date +%s) - second)) s"
# The bench's root: a hostname, no root password on the console, no getty on the PCI UARTs,
# the journal in memory, an empty machine id for systemd to fill at boot.
echo edgepipe-hil > "$rootfs/etc/hostname"
chroot "$rootfs" passwd -d root > /dev/null
chroot "$rootfs" systemctl mask serial-getty@ttyS0.service serial-getty@ttyS1.service \
  systemd-timesyncd.service apt-daily.timer apt-daily-upgrade.timer > /dev/null 2>&1 || true
mkdir -p "$rootfs/etc/systemd/journald.conf.d"
printf '[Journal]\nStorage=volatile\nRuntimeMaxUse=16M\n' > "$rootfs/etc/systemd/journald.conf.d/hil.conf"
: > "$rootfs/etc/machine-id"
rm -rf "$rootfs/var/cache/apt/archives/"*.deb
release_binfmt
mounted=0 registered=0
truncate -s 2G "$kit/root.img"
mkfs.ext4 -q -F -L edgepipe-root -d "$rootfs" "$kit/root.img"
rm -rf "$rootfs"
rm -rf "$work"
touch "$kit/ready"
log "ready: $kit ($(du -sh --apparent-size "$kit/root.img" | cut -f1) image, $(du -sh "$kit/root.img" | cut -f1) used) in $(($(date +%s) - started)) s"
echo "$kit"
