// Bench helper, run as a copy of edgepipe.service (same user, groups and hardening) in the
// systemd guest: what the service may do there.
// - Opens a netlink socket the way libusb_init does for hotplug (PF_NETLINK, SOCK_RAW |
//   SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT, bound to the kernel's uevent group)
//   and prints "probe netlink ok" or "probe netlink fail <errno text>".
// - Opens each PATH read-write and prints "probe open PATH ok" or "probe open PATH fail <text>".
// Exits 0 when everything printed ok, 1 otherwise.
//
// usage: sandbox_probe [PATH...]
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int probe_netlink(void) {
  int fd = socket(PF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT);
  if (fd < 0) {
    printf("probe netlink fail %s\n", strerror(errno));
    return 1;
  }
  struct sockaddr_nl addr = {.nl_family = AF_NETLINK, .nl_groups = 1};
  if (bind(fd, (struct sockaddr*)&addr, sizeof addr) != 0) {
    printf("probe netlink fail bind: %s\n", strerror(errno));
    close(fd);
    return 1;
  }
  int one = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) != 0) {
    printf("probe netlink fail SO_PASSCRED: %s\n", strerror(errno));
    close(fd);
    return 1;
  }
  printf("probe netlink ok\n");
  close(fd);
  return 0;
}

int main(int argc, char** argv) {
  int failed = probe_netlink();
  for (int i = 1; i < argc; i++) {
    int fd = open(argv[i], O_RDWR | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
      printf("probe open %s fail %s\n", argv[i], strerror(errno));
      failed = 1;
    } else {
      printf("probe open %s ok\n", argv[i]);
      close(fd);
    }
  }
  fflush(stdout);
  return failed;
}
