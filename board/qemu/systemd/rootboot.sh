#!/bin/sh
# The systemd guest's hand-over, run by the bench's init once the devices are set up (vivid,
# gpio-sim, the data UART on fd 3): load the block and ext4 modules, mount the Debian root
# from /dev/vda (systemd-kit.sh made it; the writes of a test boot are discarded), unpack the
# test payload (a tar on /dev/vdb) into /hil, enable its unit, and switch_root to systemd as
# PID 1.
export PATH=/bin:/sbin
for m in $(cat /modules/order-root); do
  insmod "/modules/$m.ko" || echo "rootboot: insmod $m failed"
done
mkdir -p /newroot
n=0
while [ ! -b /dev/vda ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
mount -t ext4 /dev/vda /newroot || { echo "EDGEPIPE-HIL RESULT FAIL rootboot: cannot mount /dev/vda" >&3; poweroff -f; }

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
