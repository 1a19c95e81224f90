#!/usr/bin/env bash
# Runs segments written by edgepipe in a current TensorFlow Lite (LiteRT 2.x from PyPI, in a
# virtualenv cached under ~/.cache/edgepipe): each model cut 2, 3 and 4 ways must load there
# and chain bit-exactly to the whole model: the repository's demo model always, and five models
# of ../shared/models (or $EDGEPIPE_TEST_DATA) when that data is there.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${EDGEPIPE_TEST_DATA:-../shared/models}
models=(models/efficientnet_lite0_uint8.tflite)
if [ -d "$data/coral" ]; then
  for m in coral/mobilenet_v1_0.25_128_quant coral/split_concat coral/tf2_mobilenet_v2_1.0_224_ptq \
           generated/keras_mobilenet_v2_1.0_224_random_logits_quant coral/mobilenet_v2_1.0_224_quant; do
    models+=("$data/$m.tflite")
  done
else
  echo "SKIP the test data's models in the LiteRT check: none at $data (set EDGEPIPE_TEST_DATA)"
fi
venv=${EDGEPIPE_CACHE:-$HOME/.cache/edgepipe}/litert-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import ai_edge_litert" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "ai-edge-litert==2.3.0" numpy
fi
cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for model in "${models[@]}"; do
  for n in 2 3 4; do
    stem=$(basename "$model" .tflite)
    out="$work/$stem-$n"
    if ! target/release/edgepipe segment "$model" -n "$n" --out-dir "$out" >/dev/null 2>"$work/err"; then
      grep -q "each segment needs one" "$work/err" && continue
      cat "$work/err"; exit 1
    fi
    segs=()
    for i in $(seq 0 $((n - 1))); do segs+=("$out/${stem}_segment_${i}_of_${n}.tflite"); done
    "$venv/bin/python" tools/litert_chain.py "$model" "${segs[@]}"
  done
done
echo "LiteRT check passed"
