#!/bin/sh
# The planner's benchmark on simulated Edge TPUs (the fake libedgetpu's latency model,
# tests/fake_edgetpu, sim=1): for each model and each count of PCIe TPUs, `edgepipe plan`
# then `edgepipe bench --plan best,libcoral,data_parallel` measures the three in one run.
# Prints one table row per (model, TPUs): measured req/s of the plan, of libcoral's
# equal-parameter N-way pipeline, of data parallelism, and the plan's predicted req/s.
#
# Usage: tools/plan-bench.sh [COUNTS] [MODELS...]   (default: "1 2 3 4 6 8", the demo model,
# the MobileNets and InceptionV3 from ../shared/models). Needs target/release/edgepipe (or
# $EDGEPIPE_EXE: a copy, so that rebuilding during the run changes nothing). Prints the load
# average before and after: simulated TPUs use no CPU, but the host's share is load-sensitive.
# Simulated TPUs sleep, so they use no CPU; the host copies tensors between stages.
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
counts=${1:-"1 2 3 4 6 8"}
[ $# -gt 0 ] && shift
shared=${EDGEPIPE_TEST_DATA:-$repo/../shared/models}
if [ $# -eq 0 ]; then
  set -- "$repo/models/efficientnet_lite0_uint8.tflite" \
    "$shared/coral/mobilenet_v1_0.25_128_quant.tflite" \
    "$shared/coral/mobilenet_v2_1.0_224_quant.tflite" \
    "$shared/generated/keras_inception_v3_299_random_logits_quant.tflite"
fi
exe=${EDGEPIPE_EXE:-$repo/target/release/edgepipe}
requests=${PLAN_BENCH_REQUESTS:-200}
work=$(mktemp -d /tmp/edgepipe-plan-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
header=$(find "$repo/target/release/build" -path '*tensorflow/lite/c/c_api_internal.h' | head -n 1)
include=${header%/tensorflow/lite/c/c_api_internal.h}
cc -shared -fPIC -O1 -I"$include" "$repo/tests/fake_edgetpu/fake_edgetpu.c" \
  -o "$work/libedgetpu.so.1" -ldl
devices=""
for i in 0 1 2 3 4 5 6 7; do devices="$devices${devices:+,}pci:/dev/apex_$i"; done
printf 'devices=%s\nsim=1\n' "$devices" > "$work/fake_edgetpu.conf"
export EDGEPIPE_EDGETPU_LIB="$work/libedgetpu.so.1" EDGEPIPE_LOCK_DIR="$work/locks"
mkdir -p "$work/locks"
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-44s %4s %10s %10s %10s %10s %7s %7s  %s\n' model tpus plan libcoral data-par \
  predicted vs-best meas/pr "plan stages"
for model in "$@"; do
  for n in $counts; do
    list=$(printf 'pci,%.0s' $(seq "$n")); list=${list%,}
    out="$work/$(basename "$model" .tflite)_$n"
    "$exe" plan "$model" --devices "$list" --out-dir "$out" --json > "$out.plan.json" 2>/dev/null
    files=$(json "','.join(d['plan_files'])" < "$out.plan.json")
    shape=$(json "' | '.join('%d..%d x%d' % (s['start'], s['end'], sum(s['replicas'])) for s in d['plans'][0]['stages'])" < "$out.plan.json")
    # The best plan may be one of the baselines: then the columns differ by run-to-run noise.
    same=$(json "(lambda k: ' (= data-par)' if k(d['plans'][0]) == k(d['data_parallel']) else ' (= libcoral)' if k(d['plans'][0]) == k(d['libcoral']) else '')(lambda p: [(s['start'], s['end'], s['replicas']) for s in p['stages']])" < "$out.plan.json")
    shape="$shape$same"
    "$exe" bench --plan "$files" -k "$requests" --json > "$out.bench.json" 2>/dev/null
    json "'%-44s %4d %10.1f %10.1f %10.1f %10.1f %7.2f %7.3f  %s' % ('$(basename "$model")', $n, d['plans'][0]['per_s'], d['plans'][1]['per_s'], d['plans'][2]['per_s'], d['plans'][0]['predicted_per_s'], d['plans'][0]['per_s'] / max(d['plans'][1]['per_s'], d['plans'][2]['per_s']), d['plans'][0]['ratio'], '$shape')" < "$out.bench.json"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
