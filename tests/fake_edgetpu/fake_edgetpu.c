// A stand-in for libedgetpu, for tests only. NOT an Edge TPU: it implements libedgetpu's C API
// (edgetpu_c.h) and returns TensorFlow Lite delegates that claim the `edgetpu-custom-op` nodes
// of a model and run them on the CPU with known arithmetic: output = input + k, saturating at
// 255, where k is the op's first custom-options byte (1 when it has none).
//
// Configured by `fake_edgetpu.conf` beside the library file (so parallel tests, each with its
// own copy, do not share settings), one `key=value` per line:
//   devices=pci:/dev/apex_0,usb:/sys/bus/usb/devices/3-1   TPUs to list (default: none)
//   fail_open=/dev/apex_0     edgetpu_create_delegate returns NULL for this path
//   fail_invoke=1             the kernel's invoke fails
//   invoke_delay_ms=N         the kernel sleeps N ms per invoke
// and it appends one line per call to `fake_edgetpu.log` beside the library:
//   list N / create <pci|usb> <path> [name=value ...] / free <path>
//
// Built against the TensorFlow Lite 1.15 headers, as a real libedgetpu must be built against
// the TensorFlow Lite it is loaded into.

#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tensorflow/lite/builtin_ops.h"
#include "tensorflow/lite/c/c_api_internal.h"

enum edgetpu_device_type { EDGETPU_APEX_PCI = 0, EDGETPU_APEX_USB = 1 };
struct edgetpu_device {
  enum edgetpu_device_type type;
  const char* path;
};
struct edgetpu_option {
  const char* name;
  const char* value;
};

static char conf_devices[1024];
static char conf_fail_open[256];
static int conf_fail_invoke;
static int conf_delay_ms;
static char log_path[1024];

// Reads fake_edgetpu.conf from the directory holding this library.
static void load_conf(void) {
  Dl_info info;
  conf_devices[0] = conf_fail_open[0] = '\0';
  conf_fail_invoke = conf_delay_ms = 0;
  if (!dladdr((void*)load_conf, &info) || !info.dli_fname) return;
  char dir[1024];
  snprintf(dir, sizeof dir, "%s", info.dli_fname);
  char* slash = strrchr(dir, '/');
  if (slash) *slash = '\0'; else snprintf(dir, sizeof dir, ".");
  snprintf(log_path, sizeof log_path, "%s/fake_edgetpu.log", dir);
  char conf[1100];
  snprintf(conf, sizeof conf, "%s/fake_edgetpu.conf", dir);
  FILE* f = fopen(conf, "r");
  if (!f) return;
  char line[1100];
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = '\0';
    char* eq = strchr(line, '=');
    if (!eq) continue;
    *eq = '\0';
    const char* v = eq + 1;
    if (!strcmp(line, "devices")) snprintf(conf_devices, sizeof conf_devices, "%s", v);
    if (!strcmp(line, "fail_open")) snprintf(conf_fail_open, sizeof conf_fail_open, "%s", v);
    if (!strcmp(line, "fail_invoke")) conf_fail_invoke = atoi(v);
    if (!strcmp(line, "invoke_delay_ms")) conf_delay_ms = atoi(v);
  }
  fclose(f);
}

static void log_line(const char* text) {
  FILE* f = fopen(log_path, "a");
  if (!f) return;
  fprintf(f, "%s\n", text);
  fclose(f);
}

struct edgetpu_device* edgetpu_list_devices(size_t* num_devices) {
  load_conf();
  // One allocation: the array, then the path strings.
  size_t count = 0;
  for (const char* p = conf_devices; *p; p++) count += (*p == ',');
  count += conf_devices[0] ? 1 : 0;
  char msg[64];
  snprintf(msg, sizeof msg, "list %zu", count);
  log_line(msg);
  *num_devices = count;
  if (count == 0) return NULL;
  struct edgetpu_device* devs = malloc(count * sizeof *devs + strlen(conf_devices) + 1);
  char* strings = (char*)(devs + count);
  strcpy(strings, conf_devices);
  size_t i = 0;
  for (char* tok = strtok(strings, ","); tok && i < count; tok = strtok(NULL, ","), i++) {
    devs[i].type = strncmp(tok, "usb:", 4) == 0 ? EDGETPU_APEX_USB : EDGETPU_APEX_PCI;
    char* colon = strchr(tok, ':');
    devs[i].path = colon ? colon + 1 : tok;
  }
  *num_devices = i;
  return devs;
}

void edgetpu_free_devices(struct edgetpu_device* dev) { free(dev); }

const char* edgetpu_version(void) { return "fake libedgetpu for edgepipe tests (not an Edge TPU)"; }

void edgetpu_verbosity(int verbosity) { (void)verbosity; }

struct fake_delegate {
  TfLiteDelegate base;
  char path[256];
};

struct kernel_state {
  int input;
  int output;
  int add;
};

static void* kernel_init(TfLiteContext* context, const char* buffer, size_t length) {
  (void)length;
  const TfLiteDelegateParams* params = (const TfLiteDelegateParams*)buffer;
  struct kernel_state* st = calloc(1, sizeof *st);
  st->input = params->input_tensors->data[0];
  st->output = params->output_tensors->data[0];
  st->add = 1;
  TfLiteNode* node;
  TfLiteRegistration* reg;
  if (context->GetNodeAndRegistration(context, params->nodes_to_replace->data[0], &node, &reg) ==
          kTfLiteOk &&
      node->custom_initial_data_size > 0) {
    st->add = ((const unsigned char*)node->custom_initial_data)[0];
  }
  return st;
}

static void kernel_free(TfLiteContext* context, void* buffer) {
  (void)context;
  free(buffer);
}

static TfLiteStatus kernel_prepare(TfLiteContext* context, TfLiteNode* node) {
  (void)context;
  (void)node;
  return kTfLiteOk;
}

static TfLiteStatus kernel_invoke(TfLiteContext* context, TfLiteNode* node) {
  struct kernel_state* st = node->user_data;
  if (conf_delay_ms > 0) {
    struct timespec ts = {conf_delay_ms / 1000, (conf_delay_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
  }
  if (conf_fail_invoke) {
    context->ReportError(context, "fake Edge TPU: invoke failed on purpose");
    return kTfLiteError;
  }
  TfLiteTensor* in = &context->tensors[st->input];
  TfLiteTensor* out = &context->tensors[st->output];
  for (size_t i = 0; i < out->bytes && i < in->bytes; i++) {
    int v = in->data.uint8[i] + st->add;
    out->data.uint8[i] = (unsigned char)(v > 255 ? 255 : v);
  }
  return kTfLiteOk;
}

static TfLiteStatus delegate_prepare(TfLiteContext* context, TfLiteDelegate* delegate) {
  TfLiteIntArray* plan;
  if (context->GetExecutionPlan(context, &plan) != kTfLiteOk) return kTfLiteError;
  TfLiteIntArray* nodes = malloc(sizeof(int) * (plan->size + 1));
  nodes->size = 0;
  for (int i = 0; i < plan->size; i++) {
    TfLiteNode* node;
    TfLiteRegistration* reg;
    if (context->GetNodeAndRegistration(context, plan->data[i], &node, &reg) != kTfLiteOk) continue;
    if (reg->builtin_code == kTfLiteBuiltinCustom && reg->custom_name &&
        strcmp(reg->custom_name, "edgetpu-custom-op") == 0) {
      nodes->data[nodes->size++] = plan->data[i];
    }
  }
  TfLiteRegistration kernel;
  memset(&kernel, 0, sizeof kernel);
  kernel.init = kernel_init;
  kernel.free = kernel_free;
  kernel.prepare = kernel_prepare;
  kernel.invoke = kernel_invoke;
  kernel.custom_name = "fake-edgetpu-kernel";
  kernel.version = 1;
  TfLiteStatus status = context->ReplaceNodeSubsetsWithDelegateKernels(context, kernel, nodes, delegate);
  free(nodes);
  return status;
}

TfLiteDelegate* edgetpu_create_delegate(enum edgetpu_device_type type, const char* name,
                                        const struct edgetpu_option* options, size_t num_options) {
  load_conf();
  if (num_options > 0 && (options == NULL || name == NULL)) {
    // What the real libedgetpu does (CHECK failure).
    log_line("abort: options with a null device name");
    abort();
  }
  char msg[2048];
  int n = snprintf(msg, sizeof msg, "create %s %s", type == EDGETPU_APEX_USB ? "usb" : "pci",
                   name ? name : "(any)");
  for (size_t i = 0; i < num_options && n < (int)sizeof msg; i++) {
    n += snprintf(msg + n, sizeof msg - n, " %s=%s", options[i].name, options[i].value);
  }
  log_line(msg);
  if (name && conf_fail_open[0] && strcmp(name, conf_fail_open) == 0) return NULL;
  struct fake_delegate* d = calloc(1, sizeof *d);
  snprintf(d->path, sizeof d->path, "%s", name ? name : "(any)");
  d->base.data_ = d;
  d->base.Prepare = delegate_prepare;
  // TensorFlow Lite 1.15 prepares every op before applying a delegate without this flag, and
  // the still-unresolved edgetpu-custom-op would fail that preparation.
  d->base.flags = kTfLiteDelegateFlagsAllowDynamicTensors;
  return &d->base;
}

void edgetpu_free_delegate(TfLiteDelegate* delegate) {
  struct fake_delegate* d = (struct fake_delegate*)delegate->data_;
  char msg[300];
  snprintf(msg, sizeof msg, "free %s", d->path);
  log_line(msg);
  free(d);
}
