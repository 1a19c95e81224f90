#!/usr/bin/env bash
# Builds edgepipe for aarch64 with Debian's native cross toolchain, runs `segment` and `verify`
# under qemu-aarch64 on a real model, and checks that the segments are byte-identical to the
# ones the x86_64 build writes. Needs: gcc/g++-aarch64-linux-gnu, qemu-user-static, the rustup
# target aarch64-unknown-linux-gnu (.ci/run installs them) and ../shared/models.
#
# usage: tools/aarch64-check.sh [MODEL] [N]
set -euo pipefail
cd "$(dirname "$0")/.."

data=${EDGEPIPE_TEST_DATA:-../shared/models}
model=${1:-$data/coral/mobilenet_v1_0.25_128_quant.tflite}
n=${2:-3}
if [ ! -f "$model" ]; then
  echo "SKIP aarch64 check: $model not found (set EDGEPIPE_TEST_DATA)"
  exit 0
fi

target=aarch64-unknown-linux-gnu
source tools/aarch64-env.sh

cargo build --release --target "$target"
cargo build --release
host_bin=target/release/edgepipe
arm_bin=target/$target/release/edgepipe
qemu() { qemu-aarch64-static -L /usr/aarch64-linux-gnu "$@"; }

file "$arm_bin" 2>/dev/null | grep -q aarch64 || { echo "not an aarch64 binary: $arm_bin"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stem=$(basename "$model" .tflite)

"$host_bin" segment "$model" -n "$n" --out-dir "$work/x86_64" >/dev/null
start=$(date +%s.%N)
qemu "$arm_bin" segment "$model" -n "$n" --out-dir "$work/aarch64"
echo "aarch64 segment under qemu: $(echo "$(date +%s.%N) - $start" | bc) s"

for i in $(seq 0 $((n - 1))); do
  f=${stem}_segment_${i}_of_${n}.tflite
  if ! cmp -s "$work/x86_64/$f" "$work/aarch64/$f"; then
    echo "FAIL: $f differs between x86_64 and aarch64"
    exit 1
  fi
  echo "same bytes: $f $(sha256sum < "$work/aarch64/$f" | cut -c1-16)"
done

segments=$(for i in $(seq 0 $((n - 1))); do echo "$work/aarch64/${stem}_segment_${i}_of_${n}.tflite"; done)
# shellcheck disable=SC2086
qemu "$arm_bin" verify "$model" $segments --count 2 --input "$data/coral/cat.bmp"
echo "aarch64 check passed"
