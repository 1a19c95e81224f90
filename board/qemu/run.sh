#!/usr/bin/env bash
# Boots the bench guest for ARCH with PAYLOAD_DIR appended to the base initramfs (its files
# land in /payload; /payload/test.sh is run), collects the data UART (uart.log) and the console
# (console.log) into OUT_DIR, and exits 0 only when the guest reported
# `EDGEPIPE-HIL RESULT PASS`. A boot that times out is retried once.
#
# usage: board/qemu/run.sh amd64|arm64 PAYLOAD_DIR OUT_DIR [TIMEOUT_S]
set -euo pipefail
arch=${1:?usage: run.sh ARCH PAYLOAD_DIR OUT_DIR [TIMEOUT_S]}
payload=${2:?payload dir}
out=${3:?out dir}
limit=${4:-180}
here=$(cd "$(dirname "$0")" && pwd)
kit=$("$here/kit.sh" "$arch" | tail -1)
mkdir -p "$out"
out=$(cd "$out" && pwd)

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/payload"
cp -a "$payload"/. "$stage/payload/"
cp "$kit"/tests/* "$stage/payload/"
(cd "$stage" && find payload | cpio -o -H newc --quiet | gzip -1) > "$stage/payload.cpio.gz"
cat "$kit/base.cpio.gz" "$stage/payload.cpio.gz" > "$out/initrd.gz"

boot() {
  local sock=$stage/uart.sock
  rm -f "$sock" "$out/uart.log" "$out/console.log"
  local machine
  case "$arch" in
    amd64) machine=(qemu-system-x86_64 -M pc -m 512 -append "console=ttyS0 panic=-1 quiet"
                    -device isa-serial,chardev=u1,index=1) ;;
    arm64) machine=(qemu-system-aarch64 -M virt -cpu cortex-a53 -m 512 -append "console=ttyAMA0 panic=-1 quiet"
                    -device pci-serial,chardev=u1) ;;
  esac
  python3 "$here/uart_host.py" "$sock" "$out/uart.log" &
  local host=$!
  local started=$(date +%s.%N)
  local rc=0
  timeout "$limit" "${machine[@]}" -nographic -no-reboot -kernel "$kit/vmlinuz" -initrd "$out/initrd.gz" \
    -chardev "socket,path=$sock,server=on,wait=on,id=u1" > "$out/console.log" 2>&1 || rc=$?
  wait "$host" || true
  echo "hil[$arch]: qemu exited $rc after $(echo "$(date +%s.%N) - $started" | bc | cut -c1-6) s"
  return $rc
}

if ! boot; then
  echo "hil[$arch]: boot failed or timed out; retrying once"
  boot || true
fi
if grep -q "EDGEPIPE-HIL RESULT PASS" "$out/uart.log" 2>/dev/null; then
  echo "hil[$arch]: PASS"
  exit 0
fi
echo "hil[$arch]: FAIL"
echo "--- uart.log (tail)"; tail -40 "$out/uart.log" 2>/dev/null || true
echo "--- console.log (tail)"; tail -40 "$out/console.log" 2>/dev/null || true
exit 1
