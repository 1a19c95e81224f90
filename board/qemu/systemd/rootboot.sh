#!/bin/sh
# The systemd guest's hand-over, run by the bench's init once the devices are set up (vivid,
# gpio-sim, the data UART on fd 3): load the block and ext4 modules, mount the Debian root
# from /dev/vda, then
# - with edgepipe.setup=1 on the kernel command line: finish debootstrap (its second stage runs
#   arm64 code, so it runs here), configure the root for the bench, report, power off;
# - otherwise: unpack the test payload (a tar on /dev/vdb) into /hil, enable its unit, and
#   switch_root to systemd as PID 1.
export PATH=/bin:/sbin
for m in $(cat /modules/order-root); do
  insmod "/modules/$m.ko" || echo "rootboot: insmod $m failed"
done
mkdir -p /newroot
n=0
while [ ! -b /dev/vda ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
mount -t ext4 /dev/vda /newroot || { echo "EDGEPIPE-HIL RESULT FAIL rootboot: cannot mount /dev/vda" >&3; poweroff -f; }

if grep -q "edgepipe.setup=1" /proc/cmdline; then
  mount -t proc proc /newroot/proc
  mount -t sysfs sys /newroot/sys
  mount -o bind /dev /newroot/dev
  rc=0
  chroot /newroot /debootstrap/debootstrap --second-stage > /tmp/second-stage.log 2>&1 || rc=$?
  tail -5 /tmp/second-stage.log | sed 's/^/LOG /' >&3
  # The bench's root: a hostname, no root password on the console, no getty on the data UARTs,
  # a small journal kept in memory, a fixed machine id slot for systemd to fill.
  echo edgepipe-hil > /newroot/etc/hostname
  chroot /newroot passwd -d root > /dev/null 2>&1 || true
  chroot /newroot systemctl mask serial-getty@ttyS0.service serial-getty@ttyS1.service \
    systemd-timesyncd.service apt-daily.timer apt-daily-upgrade.timer > /dev/null 2>&1 || true
  mkdir -p /newroot/etc/systemd/journald.conf.d
  printf '[Journal]\nStorage=volatile\nRuntimeMaxUse=16M\n' > /newroot/etc/systemd/journald.conf.d/hil.conf
  : > /newroot/etc/machine-id
  umount /newroot/dev /newroot/sys /newroot/proc
  sync
  umount /newroot
  if [ "$rc" = 0 ]; then echo "EDGEPIPE-HIL SETUP DONE" >&3; else echo "EDGEPIPE-HIL SETUP FAIL rc=$rc" >&3; fi
  sleep 1
  poweroff -f
fi

# A test boot: the payload, the environment the bench's init found, the test unit.
mkdir -p /newroot/hil
tar -x -f /dev/vdb -C /newroot/hil || { echo "EDGEPIPE-HIL RESULT FAIL rootboot: no payload on /dev/vdb" >&3; poweroff -f; }
{
  echo "HIL_GPIO_LABEL=$HIL_GPIO_LABEL"
  echo "HIL_GPIO_SYSFS=$HIL_GPIO_SYSFS"
  echo "HIL_UART=$HIL_UART"
} > /newroot/hil/env
cp /newroot/hil/edgepipe-hil.service /newroot/etc/systemd/system/edgepipe-hil.service
mkdir -p /newroot/etc/systemd/system/multi-user.target.wants
ln -sf ../edgepipe-hil.service /newroot/etc/systemd/system/multi-user.target.wants/edgepipe-hil.service
echo "EDGEPIPE-HIL ROOT switching to systemd" >&3
exec 3>&-
umount /sys/kernel/config 2>/dev/null
umount /sys /proc /tmp 2>/dev/null
mount --move /dev /newroot/dev
exec switch_root /newroot /lib/systemd/systemd
