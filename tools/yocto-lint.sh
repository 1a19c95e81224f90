#!/usr/bin/env bash
# Checks the Yocto layer: the crates list matches Cargo.lock, and oelint-adv (PyPI, in a venv
# cached under ~/.cache/edgepipe) finds nothing. Two checks are suppressed on purpose:
# homepageping (CI has no network) and autorev (the recipe follows the branch until a release
# pins SRCREV, as its comment says). The rules are scarthgap's (--release scarthgap), the
# layer's LAYERSERIES_COMPAT.
set -euo pipefail
cd "$(dirname "$0")/.."
generated=$(mktemp)
python3 tools/gen-crates-inc.py Cargo.lock "$generated" >/dev/null
if ! diff -u yocto/meta-edgepipe/recipes-apps/edgepipe/edgepipe-crates.inc "$generated"; then
  echo "edgepipe-crates.inc is stale: run tools/gen-crates-inc.py"
  exit 1
fi
venv=${EDGEPIPE_CACHE:-$HOME/.cache/edgepipe}/oelint-venv
if [ ! -x "$venv/bin/oelint-adv" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "oelint-adv==9.11.2"
fi
"$venv/bin/oelint-adv" --release scarthgap --quiet --noinfo --suppress oelint.vars.homepageping --suppress oelint.vars.autorev \
  yocto/meta-edgepipe/recipes-apps/edgepipe/edgepipe_0.1.0.bb
echo "yocto lint passed"
