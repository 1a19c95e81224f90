#!/bin/sh
# The bench's self-test payload: camera, GPIO and UART through the guest's real drivers.
set -e
cd /payload
./capture /dev/video0 10 640 480 25
./gpio drive "$HIL_GPIO_LABEL" "$HIL_GPIO_SYSFS" relay0,relay1,led-ok,led-fault,heartbeat
./gpio watch "$HIL_GPIO_LABEL" "$HIL_GPIO_SYSFS" button
# UART, guest to host: a line the host checks byte for byte.
echo "EDGEPIPE-HIL LINE guest->host 0123456789 abcdefghijklmnopqrstuvwxyz $(uname -m)" >&3
# UART, host to guest: ask the host to send a line back, read it from the tty.
token="token-$(date +%s)-$$"
echo "EDGEPIPE-HIL ASK $token" >&3
IFS= read -r reply <&3
echo "uart: host sent '$reply'"
[ "$reply" = "$token" ]
echo "EDGEPIPE-HIL GOT $reply" >&3

# The firmware itself, when the payload carries it: its main job on the embedded default.
if [ -x /payload/edgepipe ]; then
  /payload/lib/loader --library-path /payload/lib /payload/edgepipe demo --count 20 --out-dir /tmp/demo > /tmp/demo.log 2>&1
  cat /tmp/demo.log
  echo "EDGEPIPE-HIL EDGEPIPE $(tail -1 /tmp/demo.log)" >&3
fi
