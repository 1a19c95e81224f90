#!/usr/bin/env bash
# Builds the Mendel package (tools/package-deb.sh) from the aarch64 binary and checks it:
# - lintian finds no error or warning (the overrides it carries say why each is expected);
# - its contents (listed);
# - the packaged binary starts through its own loader and libraries only: under qemu-aarch64
#   with the package's files as the whole root (-L), it runs `segment`, `verify` and
#   `demo --frames 4`; the busybox guest of the bench (tests/hil.rs) runs it with no system
#   libc at all;
# - what the binary itself needs (objdump -T), the reason for the bundled runtime.
# Needs: the aarch64 binary (tools/aarch64-check.sh), dpkg-deb, patchelf, lintian,
# qemu-user-static, ../shared/models.
#
# usage: tools/deb-check.sh [MODEL]
set -euo pipefail
cd "$(dirname "$0")/.."
data=${EDGEPIPE_TEST_DATA:-../shared/models}
model=${1:-$data/coral/mobilenet_v1_0.25_128_quant.tflite}
deb=$(tools/package-deb.sh | tail -1)
echo "package: $deb ($(du -h "$deb" | cut -f1))"
dpkg-deb -I "$deb" | sed -n '/Package:/,$p'
echo "--- contents"
dpkg-deb -c "$deb" | awk '{ printf "%s %10s %s %s %s\n", $1, $3, $6, $7, $8 }'
echo "--- lintian"
lintian --fail-on error,warning --display-info "$deb"
echo "lintian: no error or warning"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg-deb -x "$deb" "$root"
bin=$root/usr/lib/edgepipe/edgepipe
echo "--- the binary"
echo "interpreter $(patchelf --print-interpreter "$bin"), runpath $(patchelf --print-rpath "$bin")"
echo "needs $(patchelf --print-needed "$bin" | tr '\n' ' ')"
tools/symbol-floor.sh "$bin" 2.28 3.4.25 || echo "(so it runs on Mendel with the glibc and libstdc++ it carries)"
[ "$(patchelf --print-interpreter "$bin")" = /usr/lib/edgepipe/ld-linux-aarch64.so.1 ]
# qemu-aarch64 with the package as the whole root: nothing from the host's cross sysroot.
ep() { qemu-aarch64-static -L "$root" "$bin" "$@"; }
ep --version
if [ ! -f "$model" ]; then
  echo "SKIP segment/verify: $model not found (set EDGEPIPE_TEST_DATA)"
else
  work=$root/tmp/check
  mkdir -p "$work"
  ep segment "$model" -n 2 --out-dir "$work" > /dev/null
  stem=$(basename "$model" .tflite)
  ep verify "$model" "$work/${stem}_segment_0_of_2.tflite" "$work/${stem}_segment_1_of_2.tflite" --count 2
fi
out=$(ep demo --frames 4 --out-dir "$root/tmp/demo")
echo "$out" | grep "^EP1	C	" | head -4
[ "$(echo "$out" | grep -c "^EP1	C	")" -ge 4 ] || { echo "FAIL: demo gave fewer than 4 results"; exit 1; }
echo "deb check passed: $deb"
