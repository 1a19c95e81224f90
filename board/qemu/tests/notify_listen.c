// Bench helper: a systemd-notify listener. Binds a datagram socket at PATH and prints every
// message it receives ("<ms since start> <message>"), for SECONDS seconds.
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: notify_listen PATH SECONDS\n");
    return 2;
  }
  int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  snprintf(addr.sun_path, sizeof addr.sun_path, "%s", argv[1]);
  unlink(argv[1]);
  if (fd < 0 || bind(fd, (struct sockaddr*)&addr, sizeof addr) != 0) {
    perror("notify_listen: bind");
    return 1;
  }
  struct timeval tv = {.tv_sec = 0, .tv_usec = 200000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  struct timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  int limit = 0;
  sscanf(argv[2], "%d", &limit);
  for (;;) {
    clock_gettime(CLOCK_MONOTONIC, &now);
    long ms = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
    if (ms > limit * 1000L) break;
    char buf[1024];
    ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
    if (n <= 0) continue;
    buf[n] = '\0';
    for (ssize_t i = 0; i < n; i++)
      if (buf[i] == '\n') buf[i] = ' ';
    printf("%ld %s\n", ms, buf);
    fflush(stdout);
  }
  return 0;
}
