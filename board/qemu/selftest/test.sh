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
# Reported as frame=top-1 pairs (spaces as _; nothing after = when no class passed).
if [ -x /payload/edgepipe ]; then
  rc=0
  /payload/lib/loader --library-path /payload/lib /payload/edgepipe demo --frames 4 --out-dir /tmp/demo > /tmp/demo.out 2> /tmp/demo.err || rc=$?
  tail -3 /tmp/demo.err
  pairs=$(grep "^EP1	C	" /tmp/demo.out | cut -f3,6 | sed 's/	[^:]*:[^:]*:/=/; s/	.*$/=/; s/ /_/g' | tr '\n' ',' || true)
  echo "EDGEPIPE-HIL DEMO rc=$rc frames=$pairs" >&3
fi

# The Mendel package's binary as the package installs it, in this guest without any system
# libc (busybox is static): it must start through its own loader and libraries, and find a
# board library (a stand-in libedgetpu in /usr/lib/aarch64-linux-gnu) by name.
if [ -d /payload/debroot ]; then
  nolibc=1
  for f in /lib/ld-linux-aarch64.so.1 /lib/aarch64-linux-gnu/libc.so.6 /usr/lib/aarch64-linux-gnu/libc.so.6; do
    [ ! -e "$f" ] || nolibc=0
  done
  mkdir -p /usr/lib/aarch64-linux-gnu /usr/bin
  cp -a /payload/debroot/usr/lib/edgepipe /usr/lib/
  ln -sf /usr/lib/edgepipe/edgepipe /usr/bin/edgepipe
  cp /payload/libedgetpu.so.1 /usr/lib/aarch64-linux-gnu/
  echo "devices=pci:/dev/apex_0" > /usr/lib/aarch64-linux-gnu/fake_edgetpu.conf
  rc=0
  /usr/bin/edgepipe demo --frames 4 --out-dir /tmp/bdemo > /tmp/bdemo.out 2> /tmp/bdemo.err || rc=$?
  tail -2 /tmp/bdemo.err
  results=$(grep -c "^EP1	C	" /tmp/bdemo.out || true)
  drc=0
  /usr/bin/edgepipe devices > /tmp/bdev.out 2>&1 || drc=$?
  echo "EDGEPIPE-HIL BUNDLED nolibc=$nolibc rc=$rc results=$results devices_rc=$drc devices=$(tr ' \n' '_;' < /tmp/bdev.out)" >&3
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

# Outputs: replayed classifications drive gpio-sim lines through the firmware's rules (read back
# after every frame), the protocol lines go out on the UART, and a command from the host is
# answered.
if [ -x /payload/edgepipe ]; then
  cat > /tmp/outputs.toml <<CONF
[uart]
device = "$HIL_UART"
[gpio]
heartbeat = { chip = "edgepipe-sim", line = "heartbeat" }
[[gpio.rules]]
chip = "edgepipe-sim"
line = "relay0"
labels = ["cat"]
threshold = 0.5
on_after = 2
off_after = 2
[[gpio.rules]]
chip = "edgepipe-sim"
line = "led-fault"
labels = ["dog"]
active_low = true
CONF
  printf 'cat 0.9\ncat 0.9\ncat 0.9\ndog 0.8\ndog 0.8\ncat 0.3\n-\ncat 0.9\n' > /tmp/replay.txt
  # One stdin line per frame, each after the previous frame was read back; the last one, which
  # releases the lines, only after their safe state was read.
  (i=0; while [ $i -lt 9 ]; do
     [ $i -eq 8 ] || echo next
     while [ ! -e /tmp/ack$i ]; do sleep 0.05; done
     i=$((i+1))
   done; echo release) |
    ep outputs --config /tmp/outputs.toml --replay /tmp/replay.txt --step-on-stdin --serve-ms 3000 > /tmp/steps.log 2> /tmp/outputs.err &
  outputs=$!
  relay="" fault="" beat=""
  i=0
  while [ $i -lt 8 ]; do
    n=0
    while ! grep -q "^step $i\$" /tmp/steps.log; do
      sleep 0.05; n=$((n + 1)); [ $n -lt 400 ] || { cat /tmp/outputs.err; exit 1; }
    done
    relay="$relay$(cat "$HIL_GPIO_SYSFS/sim_gpio0/value")"
    fault="$fault$(cat "$HIL_GPIO_SYSFS/sim_gpio3/value")"
    beat="$beat$(cat "$HIL_GPIO_SYSFS/sim_gpio4/value")"
    if [ $i -eq 0 ]; then
      # While the lines are held, a second process asking for them must fail at start.
      rc=0
      ep outputs --config /tmp/outputs.toml --replay /tmp/replay.txt > /tmp/busy.log 2>&1 || rc=$?
      echo "EDGEPIPE-HIL BUSY rc=$rc $(tr '\n' ' ' < /tmp/busy.log)" >&3
    fi
    : > /tmp/ack$i
    i=$((i + 1))
  done
  echo "EDGEPIPE-HIL GPIO relay0=$relay led-fault=$fault heartbeat=$beat" >&3
  echo "EDGEPIPE-HIL ASK status" >&3
  n=0
  while ! grep -q "^safe\$" /tmp/steps.log; do
    sleep 0.05; n=$((n + 1)); [ $n -lt 400 ] || { cat /tmp/outputs.err; exit 1; }
  done
  echo "EDGEPIPE-HIL GPIO-SAFE relay0=$(cat "$HIL_GPIO_SYSFS/sim_gpio0/value") led-fault=$(cat "$HIL_GPIO_SYSFS/sim_gpio3/value") heartbeat=$(cat "$HIL_GPIO_SYSFS/sim_gpio4/value")" >&3
  : > /tmp/ack8
  wait $outputs
fi

# The appliance: `edgepipe run` on vivid with 2 CPU segments, under a notify socket; SIGTERM
# after a few seconds of results. (Runs when the payload carries app/: config, segments,
# labels.)
if [ -x /payload/edgepipe ] && [ -d /payload/app ]; then
  uptime_ms() { read -r up _ < /proc/uptime; echo "${up%.*}${up#*.}0"; }
  sed "s|@UART@|$HIL_UART|" /payload/app/edgepipe.toml > /payload/app/run.toml
  ./notify_listen /tmp/notify.sock 240 > /tmp/notify.log &
  listener=$!
  sleep 0.3
  # Not through the `ep` function: $! must be edgepipe itself (the loader runs it in-process),
  # not a subshell, for SIGTERM to reach it.
  NOTIFY_SOCKET=/tmp/notify.sock WATCHDOG_USEC=1000000 /payload/lib/loader --library-path /payload/lib \
    /payload/edgepipe run --config /payload/app/run.toml --stdout > /tmp/run.out 2> /tmp/run.err &
  app=$!
  n=0
  while ! grep -q "READY=1" /tmp/notify.log; do
    # A run that exits (a configuration it refuses) fails at once, with its reason on the UART.
    kill -0 $app 2>/dev/null || { echo "EDGEPIPE-HIL RUN rc=exited $(tr '\n' ' ' < /tmp/run.err)" >&3; exit 1; }
    sleep 0.2; n=$((n + 1)); [ $n -lt 600 ] || { cat /tmp/run.err; exit 1; }
  done
  # The heartbeat toggles once per result: sample until both levels were seen (emulated
  # guests on a busy host classify slowly), for at most 30 s.
  beats="" n=0
  while [ $n -lt 150 ]; do
    beats="$beats$(cat "$HIL_GPIO_SYSFS/sim_gpio4/value")"
    case "$beats" in *0*1* | *1*0*) break ;; esac
    sleep 0.2; n=$((n + 1))
  done
  rule="$(cat "$HIL_GPIO_SYSFS/sim_gpio0/value")" fault="$(cat "$HIL_GPIO_SYSFS/sim_gpio3/value")"
  # Run until systemd would have seen a watchdog ping and a status (30 s at most).
  n=0
  while ! { grep -q "WATCHDOG=1" /tmp/notify.log && grep -q "STATUS=" /tmp/notify.log; }; do
    sleep 0.2; n=$((n + 1)); [ $n -lt 150 ] || break
  done
  # Failure drill: the camera disappears (driver unbound) and comes back; the service keeps
  # running and classifying.
  before=$(grep -c "^EP1	C" /tmp/run.out || true)
  echo vivid.0 > /sys/bus/platform/drivers/vivid/unbind
  sleep 1
  echo vivid.0 > /sys/bus/platform/drivers/vivid/bind
  n=0
  while ! grep -q "camera recovered" /tmp/run.err; do
    sleep 0.2; n=$((n + 1)); [ $n -lt 150 ] || break
  done
  sleep 2
  after=$(grep -c "^EP1	C" /tmp/run.out || true)
  alive=0; kill -0 $app 2>/dev/null && alive=1
  echo "EDGEPIPE-HIL DRILL alive=$alive lost=$(grep -c "camera lost" /tmp/run.err) recovered=$(grep -c "camera recovered" /tmp/run.err) before=$before after=$after" >&3
  # Reload (SIGHUP) with relay0's rule on the label the camera shows now: relay0 must follow.
  # (Only lines with a class above the threshold have a ':'; field 6 is "index:score:label".)
  label=$(grep "^EP1	C	.*:" /tmp/run.out | tail -1 | cut -f6 | sed 's/^[^:]*:[^:]*://')
  sed "s|\"tench, Tinca tinca\"|\"$label\"|" /payload/app/run.toml > /tmp/rule.toml
  cp /tmp/rule.toml /payload/app/run.toml
  kill -HUP $app
  n=0
  while [ "$(grep -c "READY=1" /tmp/notify.log)" -lt 2 ]; do
    sleep 0.2; n=$((n + 1)); [ $n -lt 150 ] || break
  done
  on=0 n=0
  while [ $n -lt 100 ]; do
    [ "$(cat "$HIL_GPIO_SYSFS/sim_gpio0/value")" = 1 ] && { on=1; break; }
    sleep 0.1; n=$((n + 1))
  done
  echo "EDGEPIPE-HIL RULE label=$label relay0_on=$on" >&3
  t0=$(uptime_ms)
  kill -TERM $app
  rc=0
  wait $app || rc=$?
  t1=$(uptime_ms)
  kill $listener 2>/dev/null || true
  echo "EDGEPIPE-HIL RUN rc=$rc stop_ms=$((t1 - t0)) heartbeat=$beats rule=$rule fault=$fault relay0_after=$(cat "$HIL_GPIO_SYSFS/sim_gpio0/value")" >&3
  sed 's/^/EDGEPIPE-HIL NOTIFY /' /tmp/notify.log >&3
  tail -3 /tmp/run.err | sed 's/^/EDGEPIPE-HIL RUNLOG /' >&3
fi
