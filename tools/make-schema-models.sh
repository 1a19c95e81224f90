#!/usr/bin/env bash
# Regenerates the schema test models under models/schema/ (small Keras models whose .tflite
# carry fields added to TensorFlow Lite's schema after 1.15; see models/schema/README.md) from
# pinned PyPI packages, reproducibly byte for byte:
#   tools/make-schema-models.sh           write models/schema/*.tflite, print their sha256
#   tools/make-schema-models.sh --check   build into a temporary folder and compare with the
#                                         committed files (exit 1 when a byte differs)
# TensorFlow (tensorflow-cpu 2.15.1 and every package it pulls in) is installed from
# tools/schema_models/requirements.lock with --require-hashes into a venv cached under
# ${EDGEPIPE_CACHE:-~/.cache/edgepipe}. Needs python3 (3.11, x86_64) with venv and pip, and PyPI
# once (~250 MB). About 30 s after the download.
set -euo pipefail
cd "$(dirname "$0")/.."
here=tools/schema_models
venv=${EDGEPIPE_CACHE:-$HOME/.cache/edgepipe}/tf-2.15.1-venv
check=0
case "${1:-}" in
  --check) check=1 ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

if [ ! -x "$venv/bin/python" ] || ! cmp -s "$here/requirements.lock" "$venv/requirements.lock"; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check --require-hashes --no-deps \
      -r "$here/requirements.lock"
  cp "$here/requirements.lock" "$venv/requirements.lock"
fi

out=models/schema
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if [ "$check" = 1 ]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out" "$log"' EXIT
fi
mkdir -p "$out"
# TF_DETERMINISTIC_OPS and one thread: the converter's calibration runs the float model.
TF_CPP_MIN_LOG_LEVEL=2 TF_DETERMINISTIC_OPS=1 TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1 \
  PYTHONHASHSEED=0 "$venv/bin/python" "$here/make_schema_models.py" --out "$out" 2> "$log" \
  || { cat "$log" >&2; exit 1; }
(cd "$out" && sha256sum ./*.tflite)
if [ "$check" = 1 ]; then
  status=0
  for f in "$out"/*.tflite; do
    if ! cmp -s "$f" "models/schema/$(basename "$f")"; then
      echo "DIFFERS from the committed file: models/schema/$(basename "$f")" >&2
      status=1
    fi
  done
  [ "$status" = 0 ] && echo "schema models: the committed files are what the script makes"
  exit "$status"
fi
