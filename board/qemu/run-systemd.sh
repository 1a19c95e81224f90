#!/usr/bin/env bash
# Boots the systemd guest: the arm64 bench kernel and devices (vivid, gpio-sim, the data UART),
# then the cached Debian root (systemd-kit.sh) as PID 1, writes discarded (snapshot). The
# payload goes in as a tar on a second disk: the package DEB, the test (systemd/test.sh and its
# unit), the probe, and APP_DIR (the bench's configuration edgepipe.toml, its segments and
# labels). Collects uart.log (the data UART's host end), report.log (the report UART) and
# console.log into OUT_DIR, prints the boot and run times, and exits 0 when the guest reported
# `EDGEPIPE-HIL RESULT DONE`. A boot that times out is retried once.
#
# usage: board/qemu/run-systemd.sh DEB APP_DIR OUT_DIR [TIMEOUT_S]
set -euo pipefail
deb=${1:?usage: run-systemd.sh DEB APP_DIR OUT_DIR [TIMEOUT_S]}
app=${2:?app dir}
out=${3:?out dir}
limit=${4:-900}
here=$(cd "$(dirname "$0")" && pwd)
kit=$("$here/systemd-kit.sh" | tail -1)
base=$(dirname "$kit")/arm64
mkdir -p "$out"
out=$(cd "$out" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/payload/app"
cp "$deb" "$stage/payload/edgepipe.deb"
cp "$here/systemd/test.sh" "$here/systemd/edgepipe-hil.service" "$base/tests/sandbox_probe" "$stage/payload/"
cp -a "$app"/. "$stage/payload/app/"
tar -C "$stage/payload" -cf "$stage/payload.tar" .
# A raw disk is read in whole sectors.
truncate -s %512 "$stage/payload.tar"
"$here/systemd/scripts-cpio.sh" "$stage/scripts.cpio.gz"
cat "$base/base.cpio.gz" "$kit/root.cpio.gz" "$stage/scripts.cpio.gz" > "$stage/initrd.gz"

boot() {
  local sock=$stage/uart.sock
  rm -f "$sock" "$out/uart.log" "$out/report.log" "$out/console.log"
  python3 "$here/uart_host.py" "$sock" "$out/uart.log" &
  local host=$!
  local started=$(date +%s.%N)
  local rc=0
  timeout "$limit" qemu-system-aarch64 -M virt -cpu cortex-a53 -m 1024 -nographic -no-reboot \
    -kernel "$base/vmlinuz" -initrd "$stage/initrd.gz" \
    -append "console=ttyAMA0 panic=-1 quiet edgepipe.root=/dev/vda systemd.show_status=0" \
    -drive "file=$kit/root.img,format=raw,if=virtio,snapshot=on" \
    -drive "file=$stage/payload.tar,format=raw,if=virtio,readonly=on" \
    -chardev "socket,path=$sock,server=on,wait=on,id=u1" -device pci-serial,chardev=u1 \
    -chardev "file,path=$out/report.log,id=u2" -device pci-serial,chardev=u2 \
    > "$out/console.log" 2>&1 || rc=$?
  wait "$host" || true
  echo "hil[systemd]: qemu exited $rc after $(echo "$(date +%s.%N) - $started" | bc | cut -c1-6) s"
  return $rc
}
if ! boot; then
  echo "hil[systemd]: boot failed or timed out; retrying once"
  boot || true
fi
if grep -q "EDGEPIPE-HIL RESULT DONE" "$out/report.log" 2>/dev/null; then
  echo "hil[systemd]: DONE"
  exit 0
fi
echo "hil[systemd]: FAIL"
echo "--- report.log (tail)"; tail -40 "$out/report.log" 2>/dev/null || true
echo "--- uart.log (tail)"; tail -20 "$out/uart.log" 2>/dev/null || true
echo "--- console.log (tail)"; tail -60 "$out/console.log" 2>/dev/null || true
exit 1
