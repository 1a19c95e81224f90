#!/usr/bin/env bash
# Assembles a bench payload in OUT_DIR: the self-test (board/qemu/selftest) and, when BINARY is
# given, that edgepipe binary with the shared libraries it needs for ARCH (the host's for
# amd64, the cross glibc and libstdc++ for arm64), run in the guest through its own loader.
#
# usage: board/qemu/payload.sh amd64|arm64 OUT_DIR [BINARY]
set -euo pipefail
arch=${1:?usage: payload.sh ARCH OUT_DIR [BINARY]}
out=${2:?out dir}
binary=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$out" && mkdir -p "$out"
cp "$here"/selftest/* "$out/"
[ -n "$binary" ] || exit 0
cp "$binary" "$out/edgepipe"
mkdir -p "$out/lib"
case "$arch" in
  amd64)
    ldd "$binary" | grep -o '/[^ ]*' | while read -r lib; do cp -L "$lib" "$out/lib/"; done
    ln -sf ld-linux-x86-64.so.2 "$out/lib/loader"
    ;;
  arm64)
    for lib in ld-linux-aarch64.so.1 libc.so.6 libm.so.6 libgcc_s.so.1 libstdc++.so.6; do
      cp -L "/usr/aarch64-linux-gnu/lib/$lib" "$out/lib/"
    done
    ln -sf ld-linux-aarch64.so.1 "$out/lib/loader"
    ;;
esac
