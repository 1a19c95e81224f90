// Bench self-test for GPIO through the character device (uAPI v2), against gpio-sim.
//
//   gpio drive LABEL SYSFS NAME[,NAME...]
//     finds the chip by label and the lines by name (chip numbers differ between x86 and
//     arm64), requests them as outputs, drives two patterns (alternating, then inverted) and
//     reads each back from gpio-sim's SYSFS/sim_gpioN/value.
//   gpio watch LABEL SYSFS NAME
//     requests the line as an input with edge detection, drives it from outside through
//     SYSFS/sim_gpioN/pull (pull-up, then pull-down), and waits for a rising then a falling
//     edge event.
// Prints what it did; exits 0 only when everything read back as expected.

#include <errno.h>
#include <fcntl.h>
#include <linux/gpio.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int find_chip(const char* label, char* path, size_t len) {
  for (int n = 0; n < 64; n++) {
    snprintf(path, len, "/dev/gpiochip%d", n);
    int fd = open(path, O_RDWR);
    if (fd < 0) continue;
    struct gpiochip_info info;
    memset(&info, 0, sizeof info);
    if (ioctl(fd, GPIO_GET_CHIPINFO_IOCTL, &info) == 0 && strcmp(info.label, label) == 0) return fd;
    close(fd);
  }
  fprintf(stderr, "gpio: no chip labelled '%s'\n", label);
  return -1;
}

static int find_line(int chip, const char* name) {
  struct gpiochip_info info;
  memset(&info, 0, sizeof info);
  if (ioctl(chip, GPIO_GET_CHIPINFO_IOCTL, &info)) return -1;
  for (unsigned i = 0; i < info.lines; i++) {
    struct gpio_v2_line_info li;
    memset(&li, 0, sizeof li);
    li.offset = i;
    if (ioctl(chip, GPIO_V2_GET_LINEINFO_IOCTL, &li) == 0 && strcmp(li.name, name) == 0) return (int)i;
  }
  fprintf(stderr, "gpio: no line named '%s'\n", name);
  return -1;
}

static int sysfs_read(const char* sysfs, int offset) {
  char path[512], buf[8] = {0};
  snprintf(path, sizeof path, "%s/sim_gpio%d/value", sysfs, offset);
  int fd = open(path, O_RDONLY);
  if (fd < 0 || read(fd, buf, sizeof buf - 1) <= 0) {
    fprintf(stderr, "gpio: cannot read %s\n", path);
    if (fd >= 0) close(fd);
    return -1;
  }
  close(fd);
  return atoi(buf);
}

static int sysfs_pull(const char* sysfs, int offset, const char* pull) {
  char path[512];
  snprintf(path, sizeof path, "%s/sim_gpio%d/pull", sysfs, offset);
  int fd = open(path, O_WRONLY);
  if (fd < 0 || write(fd, pull, strlen(pull)) < 0) {
    fprintf(stderr, "gpio: cannot write %s\n", path);
    if (fd >= 0) close(fd);
    return -1;
  }
  close(fd);
  return 0;
}

static int drive(int chip, const char* sysfs, char* names) {
  struct gpio_v2_line_request req;
  memset(&req, 0, sizeof req);
  char* names_list[GPIO_V2_LINES_MAX];
  for (char* tok = strtok(names, ","); tok && req.num_lines < GPIO_V2_LINES_MAX; tok = strtok(NULL, ",")) {
    int off = find_line(chip, tok);
    if (off < 0) return 1;
    names_list[req.num_lines] = tok;
    req.offsets[req.num_lines++] = (unsigned)off;
  }
  strcpy(req.consumer, "edgepipe-hil");
  req.config.flags = GPIO_V2_LINE_FLAG_OUTPUT;
  if (ioctl(chip, GPIO_V2_GET_LINE_IOCTL, &req)) {
    perror("gpio: GPIO_V2_GET_LINE_IOCTL");
    return 1;
  }
  int bad = 0;
  for (int pattern = 0; pattern < 2; pattern++) {
    struct gpio_v2_line_values v;
    memset(&v, 0, sizeof v);
    for (unsigned i = 0; i < req.num_lines; i++) {
      v.mask |= 1ULL << i;
      if ((i + pattern) % 2 == 0) v.bits |= 1ULL << i;
    }
    if (ioctl(req.fd, GPIO_V2_LINE_SET_VALUES_IOCTL, &v)) {
      perror("gpio: GPIO_V2_LINE_SET_VALUES_IOCTL");
      return 1;
    }
    for (unsigned i = 0; i < req.num_lines; i++) {
      int want = (v.bits >> i) & 1, got = sysfs_read(sysfs, req.offsets[i]);
      printf("gpio: pattern %d line %s (offset %u) driven %d read back %d\n", pattern, names_list[i], req.offsets[i], want, got);
      if (got != want) bad = 1;
    }
  }
  close(req.fd);
  return bad;
}

static int wait_edge(int fd, unsigned want_id) {
  struct pollfd p = {.fd = fd, .events = POLLIN};
  if (poll(&p, 1, 3000) != 1) {
    fprintf(stderr, "gpio: no edge event within 3 s\n");
    return -1;
  }
  struct gpio_v2_line_event ev;
  if (read(fd, &ev, sizeof ev) != sizeof ev) return -1;
  printf("gpio: event %s on offset %u\n", ev.id == GPIO_V2_LINE_EVENT_RISING_EDGE ? "rising" : "falling", ev.offset);
  return ev.id == want_id ? 0 : -1;
}

static int watch(int chip, const char* sysfs, const char* name) {
  int off = find_line(chip, name);
  if (off < 0) return 1;
  sysfs_pull(sysfs, off, "pull-down");
  struct gpio_v2_line_request req;
  memset(&req, 0, sizeof req);
  req.offsets[0] = (unsigned)off;
  req.num_lines = 1;
  strcpy(req.consumer, "edgepipe-hil");
  req.config.flags = GPIO_V2_LINE_FLAG_INPUT | GPIO_V2_LINE_FLAG_EDGE_RISING | GPIO_V2_LINE_FLAG_EDGE_FALLING;
  if (ioctl(chip, GPIO_V2_GET_LINE_IOCTL, &req)) {
    perror("gpio: GPIO_V2_GET_LINE_IOCTL");
    return 1;
  }
  int bad = sysfs_pull(sysfs, off, "pull-up") || wait_edge(req.fd, GPIO_V2_LINE_EVENT_RISING_EDGE) ||
            sysfs_pull(sysfs, off, "pull-down") || wait_edge(req.fd, GPIO_V2_LINE_EVENT_FALLING_EDGE);
  close(req.fd);
  return bad ? 1 : 0;
}

int main(int argc, char** argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: gpio drive|watch LABEL SYSFS NAME[,NAME...]\n");
    return 2;
  }
  char path[64];
  int chip = find_chip(argv[2], path, sizeof path);
  if (chip < 0) return 1;
  printf("gpio: chip '%s' is %s\n", argv[2], path);
  int rc = !strcmp(argv[1], "drive") ? drive(chip, argv[3], argv[4]) : watch(chip, argv[3], argv[4]);
  printf("gpio: %s %s\n", argv[1], rc ? "FAILED" : "ok");
  return rc;
}
