#!/usr/bin/env bash
# Runs segments written by edgepipe in a current TensorFlow Lite (LiteRT 2.3 from PyPI, in a
# virtualenv cached under ~/.cache/edgepipe): each model cut 2, 3 and 4 ways must load there
# and chain bit-exactly to the whole model (tools/litert_chain.py): the repository's demo model
# always, and every CPU model of ../shared/models/{coral,generated} (or $EDGEPIPE_TEST_DATA;
# eight today, InceptionV3 the largest) when that data is there.
#
#   tools/litert-check.sh                 the chain check above, and the schema checker's
#                                         self-test on models/schema/*.tflite
#   tools/litert-check.sh --schema-check  also: models/schema/*.tflite (post-1.15 fields) cut at
#                                         N = 2, 3, 4 and at explicit cut points, and every
#                                         segmentation of every model compared field by field
#                                         with its source (tools/schema_check.py)
# (EDGEPIPE_SCHEMA_CHECK=1 does the same as --schema-check; EDGEPIPE_BIN=path checks that
# edgepipe binary instead of building target/release/edgepipe.)
set -euo pipefail
cd "$(dirname "$0")/.."
schema=${EDGEPIPE_SCHEMA_CHECK:-0}
case "${1:-}" in
  --schema-check) schema=1 ;;
  "") ;;
  *) echo "usage: $0 [--schema-check]" >&2; exit 2 ;;
esac
data=${EDGEPIPE_TEST_DATA:-../shared/models}
models=(models/efficientnet_lite0_uint8.tflite)
if [ -d "$data/coral" ]; then
  for m in "$data"/coral/*.tflite "$data"/generated/*.tflite; do
    case "$m" in *_edgetpu.tflite) ;; *) models+=("$m") ;; esac  # every CPU model there
  done
else
  echo "SKIP the test data's models in the LiteRT check: none at $data (set EDGEPIPE_TEST_DATA)"
fi
schema_models=(models/schema/*.tflite)

# LiteRT and what it pulls in, each wheel pinned by its sha256.
venv=${EDGEPIPE_CACHE:-$HOME/.cache/edgepipe}/litert-venv
if [ ! -x "$venv/bin/python" ] || ! cmp -s tools/litert-requirements.lock "$venv/requirements.lock"; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --require-hashes --no-deps \
      -r tools/litert-requirements.lock
  cp tools/litert-requirements.lock "$venv/requirements.lock"
fi
py=$venv/bin/python

# The checker itself first: it must catch fields dropped on purpose.
"$py" tools/schema_check.py --self-test "${schema_models[@]}" | grep "self-test passed"

bin=${EDGEPIPE_BIN:-target/release/edgepipe}
[ -n "${EDGEPIPE_BIN:-}" ] || cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=()  # every failing check is run to the end, then named

# segment MODEL NAME ARGS...: cut into $work/NAME; prints the segment files in chain order,
# nothing when the model has too few ops for the cut.
segment() {
  local model=$1 name=$2 out="$work/$2"
  shift 2
  if ! "$bin" segment "$model" "$@" --out-dir "$out" >/dev/null 2>"$work/err"; then
    grep -q "each segment needs one" "$work/err" && return 0
    echo "FAILED: edgepipe segment $model $*:" >&2
    cat "$work/err" >&2
    failed+=("edgepipe segment $model $*")
    return 0
  fi
  printf '%s\n' "$out"/*_segment_*_of_*.tflite  # at most 9 segments: the glob's order is the chain's
}

# check MODEL [CUT-ARGS]...: every segmentation chains bit-exactly, and (with --schema-check)
# is field by field the source; one schema_check.py run per model (the source is read once).
check() {
  local model=$1 stem groups=() segs k=0
  stem=$(basename "$model" .tflite)
  shift
  for cut in "$@"; do
    k=$((k + 1))
    # shellcheck disable=SC2086 # a cut is "-n N" or "--cut-after OPS": split on purpose
    segment "$model" "$stem-$k" $cut > "$work/list"
    mapfile -t segs < "$work/list"
    [ "${#segs[@]}" -gt 0 ] || continue
    if ! "$py" tools/litert_chain.py "$model" "${segs[@]}" 2>"$work/err" | awk -v c="$cut" '{print $0 " (" c ")"}'; then
      grep -v "XNNPACK delegate" "$work/err" >&2
      failed+=("LiteRT chain of $model $cut")
    fi
    [ "${#groups[@]}" -gt 0 ] && groups+=(--)
    groups+=("${segs[@]}")
  done
  if [ "$schema" = 1 ] && [ "${#groups[@]}" -gt 0 ]; then
    "$py" tools/schema_check.py "$model" "${groups[@]}" || failed+=("schema check of $model")
  fi
}

for model in "${models[@]}"; do
  check "$model" "-n 2" "-n 3" "-n 4"
done
if [ "$schema" = 1 ]; then
  for model in "${schema_models[@]}"; do
    # The op count, and the name of the tensor op 1 writes (a cut point given by name).
    read -r ops name < <("$py" -c "import sys; from ai_edge_litert import schema_py_generated as S
g = S.Model.GetRootAs(open(sys.argv[1], 'rb').read(), 0).Subgraphs(0)
print(g.OperatorsLength(), g.Tensors(g.Operators(1).Outputs(0)).Name().decode())" "$model")
    check "$model" "-n 2" "-n 3" "-n 4" "--cut-after 0" "--cut-after $((ops - 2))" \
        "--cut-after $name,$((ops / 2)),$((ops - 2))"
  done
else
  echo "SKIP models/schema and the field-by-field check of segments: give --schema-check"
fi
if [ "${#failed[@]}" -gt 0 ]; then
  printf 'FAILED: %s\n' "${failed[@]}" >&2
  echo "LiteRT check FAILED (${#failed[@]})" >&2
  exit 1
fi
echo "LiteRT check passed"
