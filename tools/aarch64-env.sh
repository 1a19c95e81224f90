# Environment for building edgepipe (and TensorFlow Lite inside the tflite crate) for aarch64
# with Debian's native cross toolchain. Source it: `source tools/aarch64-env.sh`.
# bindgen's clang finds the cross C++ headers of gcc-aarch64-linux-gnu on its own.
export CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc
export CXX_aarch64_unknown_linux_gnu=aarch64-linux-gnu-g++
export AR_aarch64_unknown_linux_gnu=aarch64-linux-gnu-ar
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
