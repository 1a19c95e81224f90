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

# The firmware's own capture path against vivid.
if [ -x /payload/edgepipe ]; then
  ep() { /payload/lib/loader --library-path /payload/lib /payload/edgepipe "$@"; }
  ep capture --device /dev/video0 --size 640x480 --fps 25 --frames 100 --json > /tmp/cap.json
  echo "EDGEPIPE-HIL CAPTURE $(cat /tmp/cap.json)" >&3
  ep capture --device /dev/video0 --size 640x480 --fps 25 --frames 5 --convert 224x224 --check-colour-bars --json > /tmp/bars.json
  echo "EDGEPIPE-HIL BARS $(cat /tmp/bars.json)" >&3
  rc=0
  ep capture --device /dev/gpiochip0 --frames 1 > /tmp/notcap.log 2>&1 || rc=$?
  echo "EDGEPIPE-HIL NOTCAPTURE rc=$rc $(tr '\n' ' ' < /tmp/notcap.log)" >&3
  # The camera disappears mid-stream (driver unbound) and comes back (bound again).
  ep capture --device /dev/video0 --size 640x480 --fps 25 --frames 100 --json > /tmp/reopen.json 2>/tmp/reopen.log &
  capture=$!
  sleep 2
  echo vivid.0 > /sys/bus/platform/drivers/vivid/unbind
  sleep 1
  echo vivid.0 > /sys/bus/platform/drivers/vivid/bind
  wait $capture
  echo "EDGEPIPE-HIL REOPEN $(cat /tmp/reopen.json)" >&3
fi
