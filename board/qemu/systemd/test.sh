#!/bin/sh
# The systemd guest's test, as root under systemd (PID 1). Reports `EDGEPIPE-HIL <KIND> ...`
# lines on the report UART (ttyS1); tests/hil.rs asserts from them and from the data UART
# (ttyS0, where the service writes its protocol lines). Steps:
#  1. install the package with dpkg while there is no camera (vivid unbound): the service
#     starts, exits 1 naming the camera, and systemd keeps starting it again;
#  2. the camera comes back and the bench's configuration is installed (vivid, two CPU segments,
#     the data UART, gpio-sim lines): on its next restart the service comes up; READY=1 seen by
#     systemd (ActiveState, StatusText), its logs in journald;
#  3. SIGSTOP of the service: the watchdog has systemd kill and restart it;
#  4. a configuration error: exit 2, no restart;
#  5. a copy of the unit (same user, groups, hardening) runs sandbox_probe: libusb's netlink
#     socket, the camera, the gpiochip and the UART open; a block device does not; and with
#     the old RestrictAddressFamilies=AF_UNIX the netlink socket is refused;
#  6. `systemd-analyze security` of the unit.
. /hil/env
R=/dev/ttyS1
stty -F "$R" 115200 raw -echo 2> /dev/null || true
say() { echo "EDGEPIPE-HIL $*" > "$R"; }
prop() { systemctl show -p "$2" --value "$1"; }
wait_for() { # SECONDS COMMAND...: polls COMMAND every 0.5 s
  limit=$(($1 * 2)); shift; n=0
  until "$@"; do n=$((n + 1)); [ $n -lt $limit ] || return 1; sleep 0.5; done
}
say SYSTEMD "$(systemd-analyze time 2> /dev/null | head -1)" pid1="$(cat /proc/1/comm)"

# 1. No camera, install. The bench's data UART stands in for the board's UART3, so the
# package's default configuration finds its UART and stops at the camera.
echo vivid.0 > /sys/bus/platform/drivers/vivid/unbind
ln -sf "$(basename "$HIL_UART")" /dev/ttymxc2
rc=0
dpkg -i /hil/edgepipe.deb > /tmp/dpkg.log 2>&1 || rc=$?
sed 's/^/LOG dpkg: /' /tmp/dpkg.log > "$R"
say DPKG rc=$rc enabled="$(systemctl is-enabled edgepipe.service)" user="$(id -nG edgepipe | tr ' ' ,)"
restarted() { [ "$(prop edgepipe NRestarts)" -ge 1 ]; }
wait_for 60 restarted || true
why=$(journalctl -u edgepipe.service -o cat | grep -m1 "source" | tr '\t' ' ')
say NOCAMERA exited1="$(journalctl -u edgepipe.service -o cat | grep -c 'status=1/FAILURE')" restarts="$(prop edgepipe NRestarts)" state="$(prop edgepipe ActiveState)" why="$why"

# 2. The bench's configuration, then the camera back: the service comes up on its own.
sed "s|@UART@|$HIL_UART|" /hil/app/edgepipe.toml > /etc/edgepipe/edgepipe.toml
echo vivid.0 > /sys/bus/platform/drivers/vivid/bind
active() { [ "$(prop edgepipe ActiveState)" = active ]; }
wait_for 240 active || true
status() { prop edgepipe StatusText | grep -q fps=; }
wait_for 60 status || true
say READY state="$(prop edgepipe ActiveState)/$(prop edgepipe SubState)" status="$(prop edgepipe StatusText | tr ' ' _)" restarts="$(prop edgepipe NRestarts)"
say JOURNAL lines="$(journalctl -u edgepipe.service -o cat | wc -l)" first="$(journalctl -u edgepipe.service -o cat | grep -m1 -v '^Started\|^Starting' | tr ' \t' '__' | cut -c1-120)"

# 3. The watchdog: a stopped process sends no WATCHDOG=1.
before=$(prop edgepipe NRestarts)
old=$(prop edgepipe MainPID)
kill -STOP "$old"
stopped_at=$(date +%s)
replaced() { new=$(prop edgepipe MainPID); [ "$new" != 0 ] && [ "$new" != "$old" ] && active; }
wait_for 120 replaced || true
say WATCHDOG old="$old" new="$(prop edgepipe MainPID)" restarts_before="$before" restarts="$(prop edgepipe NRestarts)" seconds=$(($(date +%s) - stopped_at)) timeout_logged="$(journalctl -u edgepipe.service -o cat | grep -c 'Watchdog timeout')"

# 4. A configuration error: exit 2 and no restart loop.
cp /etc/edgepipe/edgepipe.toml /tmp/good.toml
printf '[source]\nkind = "camera"\ndevice = "/dev/video0"\nno_such_field = 1\n' > /etc/edgepipe/edgepipe.toml
systemctl restart edgepipe.service || true
failed() { [ "$(prop edgepipe ActiveState)" = failed ]; }
wait_for 60 failed || true
# (A manual restart resets NRestarts: count from the failure on.)
before=$(prop edgepipe NRestarts)
sleep 12
say CONFIG state="$(prop edgepipe ActiveState)" status="$(prop edgepipe ExecMainStatus)" restarts_before="$before" restarts="$(prop edgepipe NRestarts)" why="$(journalctl -u edgepipe.service -o cat | grep -m1 no_such_field | tr ' \t' '__' | cut -c1-160)"
systemctl stop edgepipe.service || true

# 5. The unit's sandbox: a copy of it running the probe.
chip=$(basename "$(dirname "$HIL_GPIO_SYSFS/x")")
probe_unit() { # NAME EXTRA_SED
  sed -e 's|^ExecStart=.*|ExecStart=/hil/sandbox_probe /dev/video0 /dev/'"$chip"' '"$HIL_UART"' /dev/vda|' \
      -e 's/^Type=notify/Type=oneshot/' -e '/^Watchdog/d' -e '/^ExecReload/d' -e '/^Restart/d' \
      -e '/^RuntimeDirectory/d' -e '/^ReadWritePaths/d' $2 /lib/systemd/system/edgepipe.service > "/etc/systemd/system/$1.service"
}
probe_unit edgepipe-probe ""
probe_unit edgepipe-probe-old "-e s/^RestrictAddressFamilies=.*/RestrictAddressFamilies=AF_UNIX/"
systemctl daemon-reload
for u in edgepipe-probe edgepipe-probe-old; do
  systemctl start "$u.service" > /dev/null 2>&1 || true
  journalctl -u "$u.service" -o cat | grep '^probe' | sed "s|^probe|PROBE $u|; s|^|EDGEPIPE-HIL |" > "$R"
done

# 6. The hardening as systemd rates it.
say SECURITY "$(systemd-analyze security edgepipe.service 2> /dev/null | tail -1)"
cp /tmp/good.toml /etc/edgepipe/edgepipe.toml
say RESULT DONE
sleep 1
systemctl poweroff --force --force
