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
# meta-clang); libedgetpu and a TFLite 2.x libtensorflowlite_c.so are loaded at run time.
DEPENDS += "clang-native"

PV = "0.1.0+git"

# Point EDGEPIPE_GIT_URI at your clone; pin SRCREV to a commit for a reproducible image.
EDGEPIPE_GIT_URI ?= "git://github.com/edgepipe/edgepipe.git;protocol=https;branch=main"
SRC_URI = "${EDGEPIPE_GIT_URI}"
SRCREV = "${AUTOREV}"

require ${BPN}-crates.inc

inherit cargo cargo-update-recipe-crates systemd useradd

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
}

FILES:${PN} += "${systemd_system_unitdir}/edgepipe.service ${nonarch_base_libdir}/udev/rules.d/99-edgepipe.rules"
CONFFILES:${PN} += "${sysconfdir}/edgepipe/edgepipe.toml"

RDEPENDS:${PN} += "libstdc++"
RRECOMMENDS:${PN} += "libedgetpu"
