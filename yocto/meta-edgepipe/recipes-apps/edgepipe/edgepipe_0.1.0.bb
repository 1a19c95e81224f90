SUMMARY = "One TFLite model segmented and pipelined across Coral Edge TPUs"
DESCRIPTION = "edgepipe captures camera frames through V4L2, runs them through the segments \
               of one TensorFlow Lite model on the Edge TPUs (PCIe and USB), and writes each \
               classification to GPIO lines and a UART. A systemd service."
HOMEPAGE = "https://github.com/edgepipe/edgepipe"
BUGTRACKER = "https://github.com/edgepipe/edgepipe/issues"
SECTION = "console/utils"
LICENSE = "MIT"
LIC_FILES_CHKSUM = "file://LICENSE;md5=4f3c084f74e7f162a4409c19189887d5"

# The tflite crate builds TensorFlow Lite 1.15.5 with make and runs bindgen (libclang, from
# meta-clang's clang-native); libedgetpu and a TFLite 2.x libtensorflowlite_c.so are loaded at
# run time.
DEPENDS += "clang-native"

PV = "0.1.0+git"

# Point EDGEPIPE_GIT_URI at your clone; pin SRCREV to a commit for a reproducible image.
EDGEPIPE_GIT_URI ?= "git://github.com/edgepipe/edgepipe.git;protocol=https;branch=main"
SRC_URI = "${EDGEPIPE_GIT_URI}"
SRCREV = "${AUTOREV}"
# The git fetcher unpacks into ${WORKDIR}/git (scarthgap).
S = "${WORKDIR}/git"

require ${BPN}-crates.inc

inherit cargo cargo-update-recipe-crates systemd useradd

# Edition 2024 and the dependencies need Rust >= 1.88; scarthgap's own is 1.75. The layer
# depends on meta-lts-mixins' scarthgap/rust branch (collection scarthgap-rust-mixin), whose
# layer.conf sets RUSTVERSION to a current release (1.91 at the time of writing).

# bindgen (the tflite crate) loads meta-clang's native libclang and parses the target's headers
# in the recipe sysroot.
export LIBCLANG_PATH = "${STAGING_LIBDIR_NATIVE}"
export BINDGEN_EXTRA_CLANG_ARGS = "--sysroot=${RECIPE_SYSROOT} --target=${HOST_SYS}"

# TensorFlow Lite's own flags. The tflite crate hands CC/CXX/CFLAGS/CXXFLAGS from the
# environment to TensorFlow Lite's make as command-line variables, and poky's exported
# CFLAGS/CXXFLAGS would then replace the Makefile's (-O3 -DNDEBUG -fPIC --std=c++11 and the
# aarch64 target's -march=armv8-a -funsafe-math-optimizations -ftree-vectorize). With
# TARGET_TOOLCHAIN_PREFIX set the crate passes none of them: make uses
# ${TARGET_PREFIX}gcc/g++/ar from the cross toolchain with its own flags, plus the sysroot and
# the build-path maps through the Makefile's EXTRA_CXXFLAGS (which its CFLAGS include too).
export TARGET_TOOLCHAIN_PREFIX = "${TARGET_PREFIX}"
export TFLITE_RS_MAKE_TARGET_TOOLCHAIN_PREFIX = "${TARGET_PREFIX}"
export TFLITE_RS_MAKE_EXTRA_CXXFLAGS = "--sysroot=${RECIPE_SYSROOT} ${DEBUG_PREFIX_MAP}"
export TFLITE_RS_MAKE_PARALLELISM = "${@oe.utils.cpu_count()}"

SYSTEMD_SERVICE:${PN} = "edgepipe.service"
SYSTEMD_AUTO_ENABLE:${PN} = "enable"

USERADD_PACKAGES = "${PN}"
GROUPADD_PARAM:${PN} = "--system gpio; --system apex; --system plugdev"
USERADD_PARAM:${PN} = "--system --no-create-home --home-dir /nonexistent --shell /sbin/nologin \
                       --groups video,dialout,gpio,apex,plugdev --user-group edgepipe"

do_install:append() {
    install -d ${D}${systemd_system_unitdir}
    install -m 0644 ${S}/systemd/edgepipe.service ${D}${systemd_system_unitdir}/edgepipe.service
    install -d ${D}${sysconfdir}/edgepipe
    install -m 0644 ${S}/board/edgepipe.toml ${D}${sysconfdir}/edgepipe/edgepipe.toml
    install -d ${D}${nonarch_base_libdir}/udev/rules.d
    install -m 0644 ${S}/board/udev/99-edgepipe.rules ${D}${nonarch_base_libdir}/udev/rules.d/99-edgepipe.rules
    # The demo model and its labels: the default configuration classifies with them on the
    # CPU, so the enabled service is running from the first boot.
    install -d ${D}${datadir}/edgepipe
    install -m 0644 ${S}/models/efficientnet_lite0_uint8.tflite ${D}${datadir}/edgepipe/
    install -m 0644 ${S}/models/imagenet_labels.txt ${D}${datadir}/edgepipe/
}

# (${datadir}/edgepipe, the model, is in FILES:${PN} by default.)
FILES:${PN} += "${systemd_system_unitdir}/edgepipe.service ${nonarch_base_libdir}/udev/rules.d/99-edgepipe.rules"
CONFFILES:${PN} += "${sysconfdir}/edgepipe/edgepipe.toml"

# meta-tensorflow-lite's package names: libedgetpu-std or libedgetpu-max (they conflict; pick
# with EDGEPIPE_EDGETPU) and libtensorflow-lite-c (the TFLite 2.x the libedgetpu is built
# against, for `provider = "system:/usr/lib/libtensorflowlite_c.so"`).
EDGEPIPE_EDGETPU ??= "libedgetpu-std"
RDEPENDS:${PN} += "libstdc++"
RRECOMMENDS:${PN} += "${EDGEPIPE_EDGETPU} libtensorflow-lite-c"
