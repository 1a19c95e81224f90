#!/usr/bin/env bash
# Builds edgepipe for the Coral Dev Board with cross-rs, reading cross.toml (cross itself reads
# only `Cross.toml`; CROSS_CONFIG makes it read ours), then checks that the binary's symbol
# versions fit Mendel 5 (glibc <= 2.28, GLIBCXX <= 3.4.25). Needs cross and Docker or Podman.
#
# usage: tools/cross-build.sh [cargo build args...]
#
# Verified here (CI, tools/cross-build.sh --check-config): that cross.toml parses, is the file
# this wrapper hands to cross, names the Debian 10 image, sets LIBCLANG_PATH to its libclang 7,
# and that tools/symbol-floor.sh rejects a binary above the floor. NOT verified here (no
# Docker): the image build with its pre-build, the build inside it, and the resulting binary.
set -euo pipefail
cd "$(dirname "$0")/.."
export CROSS_CONFIG=$PWD/cross.toml
target=aarch64-unknown-linux-gnu
if [ "${1:-}" = --check-config ]; then
  python3 - "$CROSS_CONFIG" "$target" <<'PY'
import sys, tomllib
cfg = tomllib.load(open(sys.argv[1], "rb"))["target"][sys.argv[2]]
assert cfg["image"] == "docker.io/library/debian:10", cfg["image"]
env = dict(p.split("=", 1) for p in cfg["env"]["passthrough"] if "=" in p)
assert env["LIBCLANG_PATH"] == "/usr/lib/llvm-7/lib", env
assert any("libclang-7-dev" in c for c in cfg["pre-build"]), cfg["pre-build"]
assert env["CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER"] == "aarch64-linux-gnu-gcc"
print(f"cross.toml: {sys.argv[1]} parses; image {cfg['image']}, LIBCLANG_PATH {env['LIBCLANG_PATH']}")
PY
  exit 0
fi
command -v cross >/dev/null || { echo "cross-build: cross is not installed (cargo install cross)" >&2; exit 2; }
echo "CROSS_CONFIG=$CROSS_CONFIG cross build --release --target $target $*"
cross build --release --target "$target" "$@"
tools/symbol-floor.sh "target/$target/release/edgepipe" 2.28 3.4.25
