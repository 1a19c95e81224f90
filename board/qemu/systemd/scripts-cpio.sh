#!/usr/bin/env bash
# Writes OUT.cpio.gz holding the bench's current /init and /rootboot.sh, appended after the
# cached initramfs parts so that a changed script needs no kit rebuild.
# usage: board/qemu/systemd/scripts-cpio.sh OUT.cpio.gz
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: scripts-cpio.sh OUT.cpio.gz}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
install -m 0755 "$here/../init" "$tmp/init"
install -m 0755 "$here/rootboot.sh" "$tmp/rootboot.sh"
(cd "$tmp" && printf 'init\nrootboot.sh\n' | cpio -o -H newc --quiet | gzip -1) > "$out"
