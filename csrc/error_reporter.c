// The error reporter edgepipe installs with TfLiteInterpreterOptionsSetErrorReporter: it
// formats TensorFlow Lite's printf-style messages into a caller-owned buffer. In C because the
// callback receives a va_list, which stable Rust cannot take apart.

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

// Keep in sync with `ErrorBuffer` in src/sys/tflite_c.rs.
struct edgepipe_error_buffer {
  size_t len;       // bytes used, excluding the terminating NUL
  char text[2048];  // messages separated by "; ", truncated when full
};

void edgepipe_error_reporter(void* user_data, const char* format, va_list args) {
  struct edgepipe_error_buffer* buf = (struct edgepipe_error_buffer*)user_data;
  size_t cap = sizeof(buf->text);
  if (buf->len >= cap - 1) return;
  if (buf->len > 0 && buf->len + 2 < cap - 1) {
    memcpy(buf->text + buf->len, "; ", 2);
    buf->len += 2;
  }
  int n = vsnprintf(buf->text + buf->len, cap - buf->len, format, args);
  if (n > 0) {
    buf->len += (size_t)n < cap - buf->len ? (size_t)n : cap - 1 - buf->len;
  }
  buf->text[buf->len] = '\0';
}
