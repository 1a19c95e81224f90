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
//   sim=1                     simulated TPUs: the latency model below
//   sim.<pci|usb>.<param>=X   the latency model's parameters, per device kind
// The file named by $FAKE_EDGETPU_CONF, when set, is read after it (its lines win).
// It appends one line per call to `fake_edgetpu.log` beside the library:
//   list N / create <pci|usb> <path> [name=value ...] / free <path>
//   sim <pci|usb> macs=M params=P in=I out=O ns=T   (sim=1: a kernel's modelled invoke)
//
// The latency model (sim=1). A simulated TPU runs a CPU segment as if it had been compiled
// for it: the delegate claims every node, and its invoke computes nothing but sleeps, using
// no CPU (an absolute clock_nanosleep), for
//   fixed_us + 2 * transfer_us + M / (gmacs * 1e3) + (I + O) / bus_mb_s
//     + max(0, P - cache_bytes) / offchip_mb_s                                microseconds
// on the kind of TPU its delegate was created for, where M is the segment's multiply-
// accumulates (convolutions, depthwise convolutions, fully connected: output elements x
// weights per output channel; other ops: one per output element), P its constant bytes, I and
// O its input and output bytes. Its outputs are filled from its first input (not computed).
// Defaults, calibrated to Coral's published figures (../shared/research/board.md section 7):
//   pci (the Dev Board's TPU): fixed 2,200 us, 800 GMAC/s, transfers free (on the SoC),
//     1,000 MB/s bus, off-chip streaming 420 MB/s.
//     MobileNet v2 224 (300 M MACs, 3.5 MB): 2.2 + 0.38 + 0.15      = 2.7 ms   (published 2.6)
//     Inception v1 224 (1.5 G MACs, 6.6 MB): 2.2 + 1.88 + 0.15      = 4.2 ms   (published 4.1)
//     Inception v4 299 (12.3 G MACs, 42.7 MB, 34.3 MB off-chip):
//                                  2.2 + 15.4 + 0.27 + 81.7          = 99.6 ms  (published 102)
//   usb (USB 3 Accelerator): fixed 1,600 us, 800 GMAC/s, 100 us per transfer, 300 MB/s bus,
//     off-chip streaming 550 MB/s (over the same link, faster host):
//     MobileNet v2: 1.6 + 0.2 + 0.38 + 0.5 = 2.7 ms (published 2.6); Inception v1: 4.2 ms
//     (published 3.4); Inception v4: 1.6 + 0.2 + 15.4 + 0.9 + 62.4 = 80.5 ms (published 85).
//   cache_bytes=8388608 (both kinds): the ~8 MiB parameter cache.
// `sim.<kind>.<name>` sets fixed_us, transfer_us, gmacs, bus_mb_s, offchip_mb_s, cache_bytes.
// Nothing in edgepipe reads these: its planner sees only the latencies it measures.
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
static int conf_sim;
static char log_path[1100];

// The latency model's parameters, per kind (EDGETPU_APEX_PCI, EDGETPU_APEX_USB).
enum { FIXED_US, TRANSFER_US, GMACS, BUS_MB_S, OFFCHIP_MB_S, CACHE_BYTES, SIM_PARAMS };
static const char* const sim_names[SIM_PARAMS] = {"fixed_us", "transfer_us", "gmacs",
                                                  "bus_mb_s", "offchip_mb_s", "cache_bytes"};
static const double sim_defaults[2][SIM_PARAMS] = {
    {2200, 0, 800, 1000, 420, 8388608},
    {1600, 100, 800, 300, 550, 8388608},
};
static double sim[2][SIM_PARAMS];

// Applies `sim.<kind>.<name>=<value>` (other keys are ignored).
static void sim_set(const char* key, const char* value) {
  int kind;
  if (!strncmp(key, "sim.pci.", 8)) kind = EDGETPU_APEX_PCI;
  else if (!strncmp(key, "sim.usb.", 8)) kind = EDGETPU_APEX_USB;
  else return;
  for (int i = 0; i < SIM_PARAMS; i++) {
    double v = strtod(value, NULL);
    if (!strcmp(key + 8, sim_names[i]) && v >= 0) sim[kind][i] = v;
  }
}

static void read_conf_file(const char* path) {
  FILE* f = fopen(path, "r");
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
    if (!strcmp(line, "sim")) conf_sim = atoi(v);
    sim_set(line, v);
  }
  fclose(f);
}

// Reads fake_edgetpu.conf from the directory holding this library, then $FAKE_EDGETPU_CONF.
static void load_conf(void) {
  Dl_info info;
  conf_devices[0] = conf_fail_open[0] = '\0';
  conf_fail_invoke = conf_delay_ms = conf_sim = 0;
  memcpy(sim, sim_defaults, sizeof sim);
  if (dladdr((void*)load_conf, &info) && info.dli_fname) {
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", info.dli_fname);
    char* slash = strrchr(dir, '/');
    if (slash) *slash = '\0'; else snprintf(dir, sizeof dir, ".");
    snprintf(log_path, sizeof log_path, "%s/fake_edgetpu.log", dir);
    char conf[1100];
    snprintf(conf, sizeof conf, "%s/fake_edgetpu.conf", dir);
    read_conf_file(conf);
  }
  const char* extra = getenv("FAKE_EDGETPU_CONF");
  if (extra && *extra) read_conf_file(extra);
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
  enum edgetpu_device_type type;
  char path[256];
};

struct kernel_state {
  int input;
  int output;
  int add;
  // sim=1: the modelled invoke time, and every output to fill.
  long long sleep_ns;
  int outputs[64];
  int num_outputs;
};

static double elements(const TfLiteTensor* t) {
  double n = 1;
  for (int i = 0; t->dims && i < t->dims->size; i++) n *= t->dims->data[i] > 0 ? t->dims->data[i] : 1;
  return n;
}

// Multiply-accumulates of one node (see the latency model above).
static double node_macs(TfLiteContext* context, TfLiteNode* node, TfLiteRegistration* reg) {
  double out = 0;
  for (int i = 0; i < node->outputs->size; i++) {
    if (node->outputs->data[i] >= 0) out += elements(&context->tensors[node->outputs->data[i]]);
  }
  int code = reg->builtin_code;
  int weighted = code == kTfLiteBuiltinConv2d || code == kTfLiteBuiltinDepthwiseConv2d ||
                 code == kTfLiteBuiltinFullyConnected || code == kTfLiteBuiltinTransposeConv;
  if (!weighted || node->outputs->size < 1 || node->outputs->data[0] < 0) return out;
  for (int i = 0; i < node->inputs->size; i++) {
    int t = node->inputs->data[i];
    if (t < 0) continue;
    const TfLiteTensor* w = &context->tensors[t];
    if (w->allocation_type != kTfLiteMmapRo || !w->dims || w->dims->size < 2) continue;
    const TfLiteTensor* o = &context->tensors[node->outputs->data[0]];
    int channels = o->dims && o->dims->size ? o->dims->data[o->dims->size - 1] : 1;
    return out * (elements(w) / (channels > 0 ? channels : 1));
  }
  return out;
}

// The modelled invoke of the nodes a kernel replaced, on `kind`; logged.
static long long sim_sleep_ns(TfLiteContext* context, const TfLiteDelegateParams* params,
                              enum edgetpu_device_type kind) {
  double macs = 0, param_bytes = 0, in = 0, out = 0;
  for (int i = 0; i < params->nodes_to_replace->size; i++) {
    TfLiteNode* node;
    TfLiteRegistration* reg;
    if (context->GetNodeAndRegistration(context, params->nodes_to_replace->data[i], &node, &reg) ==
        kTfLiteOk) {
      macs += node_macs(context, node, reg);
    }
  }
  for (int i = 0; i < params->input_tensors->size; i++) {
    if (params->input_tensors->data[i] < 0) continue;
    const TfLiteTensor* t = &context->tensors[params->input_tensors->data[i]];
    if (t->allocation_type == kTfLiteMmapRo) param_bytes += t->bytes;
    else in += t->bytes;
  }
  for (int i = 0; i < params->output_tensors->size; i++) {
    out += context->tensors[params->output_tensors->data[i]].bytes;
  }
  const double* k = sim[kind == EDGETPU_APEX_USB ? 1 : 0];
  double us = k[FIXED_US] + 2 * k[TRANSFER_US];
  if (k[GMACS] > 0) us += macs / (k[GMACS] * 1e3);
  if (k[BUS_MB_S] > 0) us += (in + out) / k[BUS_MB_S];
  if (param_bytes > k[CACHE_BYTES] && k[OFFCHIP_MB_S] > 0) {
    us += (param_bytes - k[CACHE_BYTES]) / k[OFFCHIP_MB_S];
  }
  long long ns = (long long)(us * 1e3);
  char msg[256];
  snprintf(msg, sizeof msg, "sim %s macs=%.0f params=%.0f in=%.0f out=%.0f ns=%lld",
           kind == EDGETPU_APEX_USB ? "usb" : "pci", macs, param_bytes, in, out, ns);
  log_line(msg);
  return ns;
}

// out[i] = in[i % in_bytes] (0 when there is no input), a block at a time: a TPU hands its
// outputs over by DMA, so the host's share of a simulated invoke is kept to a few memcpy.
static void fill_from(unsigned char* out, size_t out_bytes, const unsigned char* in,
                      size_t in_bytes) {
  if (!in_bytes) {
    memset(out, 0, out_bytes);
    return;
  }
  for (size_t done = 0; done < out_bytes;) {
    size_t n = out_bytes - done < in_bytes ? out_bytes - done : in_bytes;
    memcpy(out + done, in, n);
    done += n;
  }
}

// Sleeps until `ns` after `start` (CLOCK_MONOTONIC), using no CPU.
static void sleep_until(const struct timespec* start, long long ns) {
  struct timespec until = *start;
  until.tv_sec += ns / 1000000000LL;
  until.tv_nsec += ns % 1000000000LL;
  if (until.tv_nsec >= 1000000000L) {
    until.tv_sec++;
    until.tv_nsec -= 1000000000L;
  }
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) != 0) {
  }
}

static void* kernel_init(TfLiteContext* context, const char* buffer, size_t length) {
  (void)length;
  const TfLiteDelegateParams* params = (const TfLiteDelegateParams*)buffer;
  struct kernel_state* st = calloc(1, sizeof *st);
  st->input = params->input_tensors->data[0];
  st->output = params->output_tensors->data[0];
  st->add = 1;
  if (conf_sim) {
    const struct fake_delegate* d = (const struct fake_delegate*)params->delegate->data_;
    st->sleep_ns = sim_sleep_ns(context, params, d->type);
    for (int i = params->input_tensors->size - 1; i >= 0; i--) {
      int t = params->input_tensors->data[i];
      if (t >= 0 && context->tensors[t].allocation_type != kTfLiteMmapRo) st->input = t;
    }
    st->num_outputs = params->output_tensors->size < 64 ? params->output_tensors->size : 64;
    for (int i = 0; i < st->num_outputs; i++) st->outputs[i] = params->output_tensors->data[i];
    return st;
  }
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
  if (conf_sim) {
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    if (conf_fail_invoke) {
      context->ReportError(context, "fake Edge TPU: invoke failed on purpose");
      return kTfLiteError;
    }
    TfLiteTensor* in = &context->tensors[st->input];
    for (int o = 0; o < st->num_outputs; o++) {
      TfLiteTensor* out = &context->tensors[st->outputs[o]];
      fill_from(out->data.uint8, out->bytes, in->data.uint8, in->bytes);
    }
    sleep_until(&start, st->sleep_ns);
    return kTfLiteOk;
  }
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
    // A simulated TPU runs the whole segment, as if compiled for it.
    if (conf_sim || (reg->builtin_code == kTfLiteBuiltinCustom && reg->custom_name &&
                     strcmp(reg->custom_name, "edgetpu-custom-op") == 0)) {
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
  d->type = type;
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
