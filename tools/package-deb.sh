#!/usr/bin/env bash
# Builds the Mendel package, edgepipe_<version>_arm64.deb, with dpkg-deb, from the aarch64
# binary that tools/aarch64-check.sh builds (Debian 12's cross toolchain: glibc 2.36, GCC 12).
#
# Mendel Linux 5 has glibc 2.28 and GCC 8's libstdc++ (GLIBCXX <= 3.4.25), older than what the
# binary needs, so the package carries its own runtime: the loader, glibc and libstdc++/libgcc_s
# of the cross toolchain, in /usr/lib/edgepipe. The binary's interpreter is
# /usr/lib/edgepipe/ld-linux-aarch64.so.1 and its RUNPATH /usr/lib/edgepipe (set with patchelf),
# so nothing in the environment changes and the programs it starts see the system's libraries.
# It also NEEDs every library of the bundle (libpthread, libdl, librt ... too), so that a board
# library it dlopens (libedgetpu.so.1, libusb-1.0.so.0, libtensorflowlite_c.so, found through the
# board's ld.so.cache and /usr/lib/aarch64-linux-gnu) binds to the bundled glibc, already loaded,
# and never pulls the board's 2.28 libpthread.so.0 next to the bundled libc.
#
# Installs: /usr/lib/edgepipe/edgepipe (+ runtime), /usr/bin/edgepipe (a symlink), the unit
# (/lib/systemd/system, enabled and started by postinst), sysusers.d and udev rules, the default
# configuration (/etc/edgepipe/edgepipe.toml, a conffile) and the demo model with its labels
# (/usr/share/edgepipe). The service is classifying camera frames from the first boot.
#
# usage: tools/package-deb.sh [BINARY] [OUT_DIR]   (prints the .deb's path on its last line)
# needs: dpkg-deb, patchelf, aarch64-linux-gnu-strip, libc6-arm64-cross, libstdc++6-arm64-cross
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-target/aarch64-unknown-linux-gnu/release/edgepipe}
out=${2:-target/deb}
[ -f "$binary" ] || { echo "package-deb: $binary not found (tools/aarch64-check.sh builds it)" >&2; exit 2; }
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
sysroot=/usr/aarch64-linux-gnu/lib
prefix=/usr/lib/edgepipe
# The runtime: glibc's loader and libraries (the 2.34+ stubs too: libpthread, libdl, librt...
# are what board libraries built against 2.28 ask for), GCC's C++ runtime.
runtime=(ld-linux-aarch64.so.1 libc.so.6 libm.so.6 libpthread.so.0 libdl.so.2 librt.so.1
         libresolv.so.2 libutil.so.1 libanl.so.1 libgcc_s.so.1 libstdc++.so.6)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root=$stage/root
install -d "$root$prefix" "$root/usr/bin" "$root/lib/systemd/system" "$root/usr/lib/sysusers.d" \
  "$root/lib/udev/rules.d" "$root/etc/edgepipe" "$root/usr/share/edgepipe" \
  "$root/usr/share/doc/edgepipe" "$root/usr/share/lintian/overrides" "$root/DEBIAN"

for lib in "${runtime[@]}"; do
  install -m 0644 "$(readlink -f "$sysroot/$lib")" "$root$prefix/$lib"
done
chmod 0755 "$root$prefix/ld-linux-aarch64.so.1"
install -m 0755 "$binary" "$root$prefix/edgepipe"
aarch64-linux-gnu-strip --strip-unneeded --remove-section=.comment "$root$prefix/edgepipe"
needed=$(patchelf --print-needed "$root$prefix/edgepipe")
add=()
for lib in "${runtime[@]}"; do
  [ "$lib" = ld-linux-aarch64.so.1 ] && continue
  grep -qx "$lib" <<< "$needed" || add+=(--add-needed "$lib")
done
for lib in $needed; do
  [ -f "$root$prefix/$lib" ] || { echo "package-deb: the binary needs $lib, which the bundle lacks" >&2; exit 1; }
done
# One change per call: patchelf 0.14 corrupts the string table when they are combined.
[ ${#add[@]} -eq 0 ] || patchelf "${add[@]}" "$root$prefix/edgepipe"
patchelf --set-rpath "$prefix" "$root$prefix/edgepipe"
patchelf --set-interpreter "$prefix/ld-linux-aarch64.so.1" "$root$prefix/edgepipe"
[ "$(patchelf --print-rpath "$root$prefix/edgepipe")" = "$prefix" ] || { echo "package-deb: RUNPATH not set" >&2; exit 1; }
ln -s ../lib/edgepipe/edgepipe "$root/usr/bin/edgepipe"

install -d "$root/usr/share/man/man1"
gzip -9n < tools/deb/edgepipe.1 > "$root/usr/share/man/man1/edgepipe.1.gz"
install -m 0644 systemd/edgepipe.service "$root/lib/systemd/system/edgepipe.service"
install -m 0644 systemd/edgepipe.sysusers "$root/usr/lib/sysusers.d/edgepipe.conf"
install -m 0644 board/udev/99-edgepipe.rules "$root/lib/udev/rules.d/99-edgepipe.rules"
install -m 0644 board/edgepipe.toml "$root/etc/edgepipe/edgepipe.toml"
install -m 0644 models/efficientnet_lite0_uint8.tflite models/imagenet_labels.txt "$root/usr/share/edgepipe/"
# The unit's Documentation= points at README.md: kept uncompressed.
install -m 0644 README.md "$root/usr/share/doc/edgepipe/README.md"
tools/deb/copyright.sh > "$root/usr/share/doc/edgepipe/copyright"
date_r=$(date -u -R -d "@$SOURCE_DATE_EPOCH")
printf 'edgepipe (%s) unstable; urgency=medium\n\n  * Release %s; see CHANGELOG.md in the sources.\n\n -- %s  %s\n' \
  "$version" "$version" "$(sed -n 's/^Maintainer: //p' tools/deb/control)" "$date_r" |
  gzip -9n > "$root/usr/share/doc/edgepipe/changelog.gz"
install -m 0644 tools/deb/lintian-overrides "$root/usr/share/lintian/overrides/edgepipe"
for script in postinst prerm postrm; do
  install -m 0755 "tools/deb/$script" "$root/DEBIAN/$script"
done
echo /etc/edgepipe/edgepipe.toml > "$root/DEBIAN/conffiles"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | LC_ALL=C sort | xargs md5sum) > "$root/DEBIAN/md5sums"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@SIZE@/$size/" tools/deb/control > "$root/DEBIAN/control"
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

mkdir -p "$out"
deb=$out/edgepipe_${version}_arm64.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >&2
echo "$deb"
