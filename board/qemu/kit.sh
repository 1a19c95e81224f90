#!/usr/bin/env bash
# Prepares the hardware-in-the-loop kit for one architecture (amd64 or arm64), cached by kernel
# ABI under $EDGEPIPE_HIL_CACHE (default ~/.cache/edgepipe/hil):
#   <cache>/<abi>/<arch>/vmlinuz      Debian's stock kernel
#   <cache>/<abi>/<arch>/base.cpio.gz busybox, the modules (vivid and its stack, gpio-sim built
#                                     out of tree) and an /init that sets up the devices
#   <cache>/<abi>/<arch>/tests/       the bench's own test programs, built static
# Debian packages are fetched with `apt-get download` and unpacked with dpkg-deb; nothing is
# installed from them, and the arm64 ones use a private apt state (the host's is untouched).
#
# usage: board/qemu/kit.sh amd64|arm64      (prints the kit directory on its last line)
set -euo pipefail
arch=${1:?usage: kit.sh amd64|arm64}
case "$arch" in amd64 | arm64) ;; *) echo "kit.sh: unknown architecture $arch" >&2; exit 2 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
cache=${EDGEPIPE_HIL_CACHE:-$HOME/.cache/edgepipe/hil}
log() { echo "kit[$arch]: $*" >&2; }

# Host tools (idempotent).
need=(qemu-system-x86 qemu-system-arm kmod cpio gzip xz-utils bc make gcc libc6-dev gcc-aarch64-linux-gnu python3)
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

abi=$(apt-cache depends linux-image-amd64 | grep -o 'linux-image-[0-9][^ ]*-amd64' | head -1 | sed 's/^linux-image-//; s/-amd64$//')
[ -n "$abi" ] || { echo "kit.sh: cannot resolve the Debian kernel ABI (apt-get update?)" >&2; exit 1; }
kit=$cache/$abi/$arch
build_tests() {
  mkdir -p "$kit/tests"
  local cc=gcc
  [ "$arch" = arm64 ] && cc=aarch64-linux-gnu-gcc
  for t in capture gpio notify_listen sandbox_probe; do
    if [ ! -x "$kit/tests/$t" ] || [ "$here/tests/$t.c" -nt "$kit/tests/$t" ]; then
      "$cc" -static -O2 -Wall -o "$kit/tests/$t" "$here/tests/$t.c"
    fi
  done
}
if [ -f "$kit/ready" ]; then
  build_tests
  log "cached: $kit"
  echo "$kit"
  exit 0
fi
debs=$cache/debs
mkdir -p "$debs" "$kit"

# Packages. arm64 ones through a private apt configuration.
fetch() { (cd "$debs" && apt-get download "$@" >&2); }
if [ "$arch" = amd64 ]; then
  ls "$debs"/linux-image-"$abi"-amd64_*.deb >/dev/null 2>&1 || fetch "linux-image-$abi-amd64" "linux-headers-$abi-amd64" busybox-static
else
  if ! ls "$debs"/linux-image-"$abi"-arm64_*.deb >/dev/null 2>&1; then
    apt_dir=$cache/apt-arm64
    mkdir -p "$apt_dir/state/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/etc"
    touch "$apt_dir/state/status"
    opts=(-o "Dir::State=$apt_dir/state" -o "Dir::State::status=$apt_dir/state/status" -o "Dir::Cache=$apt_dir/cache"
          -o "APT::Architecture=arm64" -o "APT::Architectures=arm64" -o "Debug::NoLocking=1")
    apt-get "${opts[@]}" update -qq >&2
    (cd "$debs" && apt-get "${opts[@]}" download "linux-image-$abi-arm64:arm64" "linux-headers-$abi-arm64:arm64" "busybox-static:arm64" >&2)
  fi
fi
ls "$debs"/linux-headers-"$abi"-common_*.deb >/dev/null 2>&1 || fetch "linux-headers-$abi-common"
ls "$debs"/linux-kbuild-6.1_*_amd64.deb >/dev/null 2>&1 || fetch linux-kbuild-6.1
ls "$debs"/linux-source-6.1_*.deb >/dev/null 2>&1 || fetch linux-source-6.1

# Unpack what this architecture needs.
root=$kit/root
rm -rf "$root" && mkdir -p "$root"
for pkg in "linux-image-$abi-$arch" "linux-headers-$abi-$arch" "linux-headers-$abi-common" linux-kbuild-6.1; do
  deb=$(ls "$debs"/"${pkg}"_*.deb | grep -E "_(${arch}|all|amd64)\.deb$" | head -1)
  [ "$pkg" = linux-kbuild-6.1 ] && deb=$(ls "$debs"/linux-kbuild-6.1_*_amd64.deb | head -1)
  dpkg-deb -x "$deb" "$root"
done
dpkg-deb -x "$(ls "$debs"/busybox-static_*_"$arch".deb | head -1)" "$root/busybox"
cp "$root/boot/vmlinuz-$abi-$arch" "$kit/vmlinuz"

# gpio-sim, out of tree: Debian builds it nowhere. Three files from the kernel source.
src=$cache/gpio-sim-src
if [ ! -f "$src/gpio-sim-core.c" ]; then
  mkdir -p "$src"
  tmp=$(mktemp -d)
  dpkg-deb --fsys-tarfile "$(ls "$debs"/linux-source-6.1_*.deb | head -1)" | tar -x -C "$tmp" --wildcards '*/linux-source-6.1.tar.xz'
  tar -xJf "$tmp"/usr/src/linux-source-6.1.tar.xz -C "$tmp" linux-source-6.1/drivers/gpio/gpio-sim.c \
    linux-source-6.1/drivers/gpio/gpiolib.h linux-source-6.1/kernel/irq/irq_sim.c
  cp "$tmp/linux-source-6.1/drivers/gpio/gpio-sim.c" "$src/gpio-sim-core.c"
  cp "$tmp/linux-source-6.1/drivers/gpio/gpiolib.h" "$src/"
  # irq_to_desc is not exported to modules; generic_handle_irq does the same work.
  sed 's/handle_simple_irq(irq_to_desc(irqnum))/generic_handle_irq(irqnum)/' \
    "$tmp/linux-source-6.1/kernel/irq/irq_sim.c" > "$src/irq_sim.c"
  grep -q 'generic_handle_irq(irqnum)' "$src/irq_sim.c" || { echo "kit.sh: irq_sim.c patch did not apply" >&2; exit 1; }
  rm -rf "$tmp"
fi
headers=$root/usr/src/linux-headers-$abi-$arch
common=$root/usr/src/linux-headers-$abi-common
kbuild=$root/usr/lib/linux-kbuild-6.1
# The headers point at /usr/src and /usr/lib by absolute path: point them here.
sed -i "s|/usr/src/linux-headers-$abi-common|$common|g" "$headers/Makefile"
for link in scripts tools; do
  if [ -L "$headers/$link" ]; then ln -sfn "$kbuild/$link" "$headers/$link"; fi
done
build=$kit/gpio-sim
rm -rf "$build" && mkdir -p "$build"
cp "$src"/* "$build/"
cat > "$build/Kbuild" <<'EOF'
obj-m := gpio-sim.o
gpio-sim-y := gpio-sim-core.o irq_sim.o
ccflags-y := -I$(src)
EOF
cross=()
[ "$arch" = arm64 ] && cross=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
make -s -C "$headers" M="$build" "${cross[@]}" modules >&2
[ -f "$build/gpio-sim.ko" ] || { echo "kit.sh: gpio-sim.ko was not built" >&2; exit 1; }

# The base initramfs.
initrd=$kit/initrd
rm -rf "$initrd" && mkdir -p "$initrd"/{bin,sbin,proc,sys,dev,tmp,etc,modules,payload}
cp "$root/busybox/bin/busybox" "$initrd/bin/busybox"
for applet in sh mount mkdir insmod cat echo ls sleep poweroff stty grep sed cut tr head tail date printf test timeout dd od wc seq readlink basename true false kill; do
  ln -sf busybox "$initrd/bin/$applet"
done
modules=$root/lib/modules/$abi-$arch
for m in rc-core cec mc videodev videobuf2-common videobuf2-v4l2 videobuf2-memops videobuf2-vmalloc \
         videobuf2-dma-contig v4l2-dv-timings v4l2-tpg vivid configfs; do
  f=$(find "$modules" -name "$m.ko*" | head -1)
  if [ -z "$f" ]; then
    log "module $m not found (built in?)"
    continue
  fi
  case "$f" in
    *.xz) xz -dc "$f" > "$initrd/modules/$m.ko" ;;
    *.zst) zstd -dcq "$f" > "$initrd/modules/$m.ko" ;;
    *) cp "$f" "$initrd/modules/$m.ko" ;;
  esac
  echo "$m" >> "$initrd/modules/order"
done
cp "$build/gpio-sim.ko" "$initrd/modules/gpio-sim.ko"
echo gpio-sim >> "$initrd/modules/order"
cp "$here/init" "$initrd/init"
chmod +x "$initrd/init"
(cd "$initrd" && find . | cpio -o -H newc --quiet | gzip -9) > "$kit/base.cpio.gz"

# The bench's own test programs, static.
build_tests
rm -rf "$root" "$initrd"
touch "$kit/ready"
log "ready: $kit ($(du -sh "$kit" | cut -f1))"
echo "$kit"
