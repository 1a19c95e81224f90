// Bench self-test: stream N frames from a V4L2 capture device with MMAP buffers at a set size,
// format and frame rate, and report what the driver did. Until the firmware's own capture
// code runs in the bench, this proves the guest's camera path.
//
// usage: capture DEVICE FRAMES WIDTH HEIGHT FPS
// prints: capture: frames=N format=YUYV WxH fps_set=F fps_measured=M seq_first=A seq_last=B
//         gaps=G bytes_ok=1
// fps_measured is the driver's rate (sequence numbers per second of its timestamps); gaps are
// frames this reader missed (a loaded host starves the guest), reported for the host to judge.
// exit 0 when every frame arrived with the expected size.

#include <errno.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define NBUF 4

static int xioctl(int fd, unsigned long req, void* arg) {
  int r;
  do r = ioctl(fd, req, arg);
  while (r == -1 && errno == EINTR);
  return r;
}

static int fail(const char* what) {
  fprintf(stderr, "capture: %s: %s\n", what, strerror(errno));
  return 1;
}

int main(int argc, char** argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: capture DEVICE FRAMES WIDTH HEIGHT FPS\n");
    return 2;
  }
  const char* dev = argv[1];
  int frames = atoi(argv[2]), width = atoi(argv[3]), height = atoi(argv[4]), fps = atoi(argv[5]);
  int fd = open(dev, O_RDWR);
  if (fd < 0) return fail(dev);

  struct v4l2_capability cap;
  memset(&cap, 0, sizeof cap);
  if (xioctl(fd, VIDIOC_QUERYCAP, &cap)) return fail("VIDIOC_QUERYCAP");
  if (!(cap.device_caps & V4L2_CAP_VIDEO_CAPTURE) || !(cap.device_caps & V4L2_CAP_STREAMING)) {
    fprintf(stderr, "capture: %s is not a streaming capture device\n", dev);
    return 1;
  }
  struct v4l2_format fmt;
  memset(&fmt, 0, sizeof fmt);
  fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  fmt.fmt.pix.width = width;
  fmt.fmt.pix.height = height;
  fmt.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
  fmt.fmt.pix.field = V4L2_FIELD_NONE;
  if (xioctl(fd, VIDIOC_S_FMT, &fmt)) return fail("VIDIOC_S_FMT");
  // The default rate of vivid is 5 fps: set it.
  struct v4l2_streamparm parm;
  memset(&parm, 0, sizeof parm);
  parm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  parm.parm.capture.timeperframe.numerator = 1;
  parm.parm.capture.timeperframe.denominator = fps;
  if (xioctl(fd, VIDIOC_S_PARM, &parm)) return fail("VIDIOC_S_PARM");

  struct v4l2_requestbuffers req;
  memset(&req, 0, sizeof req);
  req.count = NBUF;
  req.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  req.memory = V4L2_MEMORY_MMAP;
  if (xioctl(fd, VIDIOC_REQBUFS, &req)) return fail("VIDIOC_REQBUFS");
  void* maps[NBUF];
  size_t lens[NBUF];
  for (unsigned i = 0; i < req.count && i < NBUF; i++) {
    struct v4l2_buffer b;
    memset(&b, 0, sizeof b);
    b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    b.memory = V4L2_MEMORY_MMAP;
    b.index = i;
    if (xioctl(fd, VIDIOC_QUERYBUF, &b)) return fail("VIDIOC_QUERYBUF");
    lens[i] = b.length;
    maps[i] = mmap(NULL, b.length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, b.m.offset);
    if (maps[i] == MAP_FAILED) return fail("mmap");
    if (xioctl(fd, VIDIOC_QBUF, &b)) return fail("VIDIOC_QBUF");
  }
  enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  if (xioctl(fd, VIDIOC_STREAMON, &type)) return fail("VIDIOC_STREAMON");

  unsigned first_seq = 0, last_seq = 0, gaps = 0;
  double first_t = 0, last_t = 0;
  int bytes_ok = 1;
  size_t expect = (size_t)fmt.fmt.pix.width * fmt.fmt.pix.height * 2;
  for (int n = 0; n < frames; n++) {
    struct v4l2_buffer b;
    memset(&b, 0, sizeof b);
    b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    b.memory = V4L2_MEMORY_MMAP;
    if (xioctl(fd, VIDIOC_DQBUF, &b)) return fail("VIDIOC_DQBUF");
    double t = b.timestamp.tv_sec + b.timestamp.tv_usec / 1e6;
    if (n == 0) {
      first_seq = b.sequence;
      first_t = t;
    } else if (b.sequence != last_seq + 1) {
      gaps += b.sequence - last_seq - 1;
    }
    last_seq = b.sequence;
    last_t = t;
    if (b.bytesused != expect) bytes_ok = 0;
    if (xioctl(fd, VIDIOC_QBUF, &b)) return fail("VIDIOC_QBUF");
  }
  xioctl(fd, VIDIOC_STREAMOFF, &type);
  for (unsigned i = 0; i < req.count && i < NBUF; i++) munmap(maps[i], lens[i]);
  close(fd);
  double measured = last_seq > first_seq && last_t > first_t ? (last_seq - first_seq) / (last_t - first_t) : 0;
  char fourcc[5] = {0};
  memcpy(fourcc, &fmt.fmt.pix.pixelformat, 4);
  printf("capture: frames=%d format=%s %ux%u fps_set=%u/%u fps_measured=%.2f seq_first=%u seq_last=%u gaps=%u bytes_ok=%d\n",
         frames, fourcc, fmt.fmt.pix.width, fmt.fmt.pix.height, parm.parm.capture.timeperframe.denominator,
         parm.parm.capture.timeperframe.numerator, measured, first_seq, last_seq, gaps, bytes_ok);
  return bytes_ok ? 0 : 1;
}
