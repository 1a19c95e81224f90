#!/usr/bin/env bash
# Regenerates src/model/schema_gen.rs, the field table of the current TensorFlow Lite schema,
# from the registry-served ai-edge-litert wheel (pinned by version and hash; never committed).
# To follow a newer schema: bump VERSION, WHEEL and SHA256, run this, review the diff.
# `--check` (CI) only verifies that the committed file is what the pinned wheel generates.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=2.3.0
# One fixed wheel, whatever the host: the schema file is the same in every platform's wheel.
WHEEL=ai_edge_litert-2.3.0-cp311-cp311-manylinux_2_27_x86_64.whl
SHA256=1f15078a6725d2357d9de9221664c29afa0545d807559c5f7199ce5e40b96b23
cache=${EDGEPIPE_CACHE:-$HOME/.cache/edgepipe}/wheels
mkdir -p "$cache"
if [ ! -f "$cache/$WHEEL" ]; then
  python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 \
    --platform manylinux_2_27_x86_64 "ai-edge-litert==$VERSION" -d "$cache"
fi
echo "$SHA256  $cache/$WHEEL" | sha256sum -c --quiet -
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("ai_edge_litert/schema_py_generated.py", sys.argv[2])' \
  "$cache/$WHEEL" "$work"
out=src/model/schema_gen.rs
[ "${1:-}" = --check ] && out=$work/schema_gen.rs
python3 tools/gen-schema-table.py "$work/ai_edge_litert/schema_py_generated.py" "$out" \
  "ai_edge_litert/schema_py_generated.py of the ai-edge-litert $VERSION wheel ($WHEEL, sha256 $SHA256)"
rustfmt --edition 2024 "$out"
if [ "${1:-}" = --check ]; then
  diff -u src/model/schema_gen.rs "$out" >/dev/null || {
    echo "src/model/schema_gen.rs is not what tools/gen-schema-table.sh generates; run it" >&2
    exit 1
  }
  echo "src/model/schema_gen.rs is up to date"
else
  echo "wrote $out"
fi
