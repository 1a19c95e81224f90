#!/usr/bin/env bash
# Installs what building and testing edgepipe needs on Debian 12 (as root, or with sudo):
# clang/libclang for the tflite crate's bindgen, make and g++ for TensorFlow Lite 1.15.5, the
# aarch64 cross toolchain and qemu-user for the target build check, python3-venv for the
# LiteRT check, patchelf and lintian for the Mendel package, rustfmt and clippy; then LiteRT's
# C library for the litert engine (tools/fetch-litert.sh).
# Idempotent: installs only what is missing.
set -euo pipefail
packages=(clang libclang-dev make g++ gcc-aarch64-linux-gnu g++-aarch64-linux-gnu qemu-user-static bc file python3 python3-venv patchelf lintian)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
rustup component add rustfmt clippy >/dev/null 2>&1 || true
rustup target add aarch64-unknown-linux-gnu >/dev/null
# LiteRT's C library for the `litert` engine (a pinned PyPI wheel, checked; as this user).
"$(dirname "$0")/fetch-litert.sh"
