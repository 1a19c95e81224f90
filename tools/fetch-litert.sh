#!/usr/bin/env bash
# Installs LiteRT's C library (libLiteRt.so, the CompiledModel C API) for edgepipe's `litert`
# engine: downloads the pinned ai-edge-litert wheel for this host's architecture from PyPI,
# checks its sha256, and extracts the library into the cache edgepipe searches:
#   ${EDGEPIPE_CACHE:-~/.cache/edgepipe}/litert/2.3.0/<arch>/libLiteRt.so
# The library does not link libpython: any program can dlopen it. Idempotent (an installed,
# checked library is kept). Needs python3 with pip, and unzip or python3's zipfile.
#
# usage: tools/fetch-litert.sh [--arch x86_64|aarch64] [--print-path]
set -euo pipefail
version=2.3.0
arch=$(uname -m)
print_path=
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) arch=$2; shift 2 ;;
    --print-path) print_path=1; shift ;;
    *) echo "usage: $0 [--arch x86_64|aarch64] [--print-path]" >&2; exit 2 ;;
  esac
done
# sha256 of the cp311 manylinux_2_27 wheels on PyPI, and of the library inside them.
case "$arch" in
  x86_64)
    wheel_sha=1f15078a6725d2357d9de9221664c29afa0545d807559c5f7199ce5e40b96b23
    lib_sha=eec47eb35e2924b3166015887e652a58edc9af823ae38e02bf83bef2548300bb ;;
  aarch64)
    wheel_sha=853fc608f96da87bd5f3458465dfb9abbf18d5ae6b94eceacead407146f175ae
    lib_sha=b57687dc234d2b8b0598aef5a9c961ed24263df8f8b3f56adbee1cff618e544b ;;
  *) echo "fetch-litert: no ai-edge-litert $version wheel is pinned for $arch" >&2; exit 2 ;;
esac
dir=${EDGEPIPE_CACHE:-$HOME/.cache/edgepipe}/litert/$version/$arch
lib=$dir/libLiteRt.so
sha() { sha256sum "$1" | cut -d' ' -f1; }
if [ -f "$lib" ] && [ -f "$dir/wheel.sha256" ] && [ "$(cat "$dir/wheel.sha256")" = "$wheel_sha" ] &&
   { [ -z "$lib_sha" ] || [ "$(sha "$lib")" = "$lib_sha" ]; }; then
  [ -n "$print_path" ] && echo "$lib" || echo "LiteRT $version ($arch): $lib (already installed)"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pip=(python3 -m pip)
if ! python3 -m pip --version >/dev/null 2>&1; then
  # Debian's python3 has no pip without python3-pip: a throwaway virtualenv has one.
  python3 -m venv "$work/venv"
  pip=("$work/venv/bin/python" -m pip)
fi
"${pip[@]}" download --quiet --disable-pip-version-check "ai-edge-litert==$version" --no-deps \
  --only-binary=:all: --platform "manylinux_2_27_$arch" --python-version 3.11 -d "$work" >&2
wheel=$(ls "$work"/ai_edge_litert-"$version"-*.whl)
got=$(sha "$wheel")
if [ "$got" != "$wheel_sha" ]; then
  echo "fetch-litert: $(basename "$wheel") has sha256 $got, expected $wheel_sha: refusing it" >&2
  exit 1
fi
python3 - "$wheel" "$work" <<'EOF'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    z.extract("ai_edge_litert/libLiteRt.so", sys.argv[2])
EOF
if [ -n "$lib_sha" ] && [ "$(sha "$work/ai_edge_litert/libLiteRt.so")" != "$lib_sha" ]; then
  echo "fetch-litert: libLiteRt.so in the wheel has an unexpected sha256: refusing it" >&2
  exit 1
fi
mkdir -p "$dir"
install -m 0644 "$work/ai_edge_litert/libLiteRt.so" "$lib.tmp"
mv "$lib.tmp" "$lib"
echo "$wheel_sha" > "$dir/wheel.sha256"
[ -n "$print_path" ] && echo "$lib" || echo "LiteRT $version ($arch): installed $lib"
