#!/usr/bin/env bash
# Prepares the systemd guest's kit once, cached beside the arm64 bench kit
# ($EDGEPIPE_HIL_CACHE/<abi>/arm64-systemd/):
#   root.img        a Debian 12 arm64 root (ext4) made by debootstrap from Debian's archive,
#                   systemd as PID 1; the first stage runs here, the second (which must run
#                   arm64 code) in the guest itself, booted once for it
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
for tool in debootstrap mkfs.ext4; do
  command -v "$tool" >/dev/null || {
    log "installing debootstrap e2fsprogs"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap e2fsprogs >&2
    break
  }
done
started=$(date +%s)
# A first stage already done (stage1) is kept: only the modules and the second stage run again.
[ -f "$kit/root.img.stage1" ] || rm -rf "$kit"
mkdir -p "$kit"
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

# debootstrap, first stage (unpacks the packages; nothing runs).
rootfs=$work/rootfs
if [ ! -f "$kit/root.img.stage1" ]; then
debootstrap --arch=arm64 --foreign --variant=minbase \
  --include=systemd,systemd-sysv,udev,dbus,init-system-helpers,adduser \
  "$suite" "$rootfs" "$mirror" >&2
log "first stage: $(du -sh "$rootfs" | cut -f1) in $(($(date +%s) - started)) s"
truncate -s 2G "$kit/root.img.stage1"
mkfs.ext4 -q -F -L edgepipe-root -d "$rootfs" "$kit/root.img.stage1"
rm -rf "$rootfs"
fi
cp --sparse=always "$kit/root.img.stage1" "$kit/root.img"

# The second stage, in the guest (rootboot.sh sees edgepipe.setup=1). It prints
# EDGEPIPE-HIL SETUP DONE on the bench's data UART when it finished.
out=$work/setup
mkdir -p "$out"
"$here/systemd/scripts-cpio.sh" "$out/scripts.cpio.gz"
cat "$base/base.cpio.gz" "$kit/root.cpio.gz" "$out/scripts.cpio.gz" > "$out/initrd.gz"
python3 "$here/uart_host.py" "$out/uart.sock" "$out/uart.log" &
host=$!
second=$(date +%s)
rc=0
timeout 1800 qemu-system-aarch64 -M virt -cpu cortex-a53 -m 1024 -nographic -no-reboot \
  -kernel "$base/vmlinuz" -initrd "$out/initrd.gz" \
  -append "console=ttyAMA0 panic=-1 quiet edgepipe.root=/dev/vda edgepipe.setup=1" \
  -drive "file=$kit/root.img,format=raw,if=virtio" \
  -chardev "socket,path=$out/uart.sock,server=on,wait=on,id=u1" -device pci-serial,chardev=u1 \
  > "$out/console.log" 2>&1 || rc=$?
wait "$host" || true
if ! grep -q "EDGEPIPE-HIL SETUP DONE" "$out/uart.log"; then
  log "the second stage failed (qemu rc=$rc); tail of the logs:"
  tail -n 30 "$out/uart.log" >&2
  tail -n 30 "$out/console.log" >&2
  exit 1
fi
log "second stage in the guest: $(($(date +%s) - second)) s"
rm -rf "$work" "$kit/root.img.stage1"
touch "$kit/ready"
log "ready: $kit ($(du -sh --apparent-size "$kit/root.img" | cut -f1) image, $(du -sh "$kit/root.img" | cut -f1) used) in $(($(date +%s) - started)) s"
echo "$kit"
