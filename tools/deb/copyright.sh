#!/bin/sh
# Writes the package's debian/copyright (machine-readable format) to stdout: edgepipe (MIT), the
# demo model and its labels, and the bundled runtime (glibc, GCC's runtime libraries) from
# Debian's cross toolchain packages. Run by tools/package-deb.sh from the repository root.
set -eu
cat <<HEAD
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: edgepipe
Source: https://github.com/edgepipe/edgepipe

Files: *
Copyright: 2026 The edgepipe authors
License: MIT
HEAD
sed -n '5,$p' LICENSE | sed 's/^$/./; s/^/ /'
cat <<MODEL

Files: usr/share/edgepipe/efficientnet_lite0_uint8.tflite
Copyright: 2020 ML Illustrated (weights); 2026 The edgepipe authors (conversion)
License: Apache-2.0
 On Debian systems the full text is in /usr/share/common-licenses/Apache-2.0.

Files: usr/share/edgepipe/imagenet_labels.txt
Copyright: 2016 Soumith Chintala and the torchvision contributors
License: BSD-3-Clause
MODEL
sed -n '6,$p' models/LICENSE-torchvision | sed 's/^$/./; s/^/ /'
cat <<RUNTIME

Files: usr/lib/edgepipe/ld-linux-aarch64.so.1 usr/lib/edgepipe/libc.so.6
 usr/lib/edgepipe/libm.so.6 usr/lib/edgepipe/libpthread.so.0 usr/lib/edgepipe/libdl.so.2
 usr/lib/edgepipe/librt.so.1 usr/lib/edgepipe/libresolv.so.2 usr/lib/edgepipe/libutil.so.1
 usr/lib/edgepipe/libanl.so.1
Copyright: 1991-2023 Free Software Foundation, Inc. and the GNU C Library contributors
License: LGPL-2.1+
 The GNU C Library, from Debian's libc6-arm64-cross. On Debian systems the full text
 is in /usr/share/common-licenses/LGPL-2.1.

Files: usr/lib/edgepipe/libgcc_s.so.1 usr/lib/edgepipe/libstdc++.so.6
Copyright: 1986-2023 Free Software Foundation, Inc.
License: GPL-3+ with GCC-Runtime-Library-Exception-3.1
 GCC's runtime libraries, from Debian's libgcc-s1-arm64-cross and libstdc++6-arm64-cross.
 On Debian systems the GPL is in /usr/share/common-licenses/GPL-3; the GCC Runtime Library
 Exception 3.1 is at https://www.gnu.org/licenses/gcc-exception-3.1.html.
RUNTIME
