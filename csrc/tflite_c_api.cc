// The TensorFlow Lite C API (the subset edgepipe uses, with the names and signatures of
// tensorflow/lite/c/c_api.h in TensorFlow 2.x), implemented over the C++ API of the
// TensorFlow Lite 1.15.5 that the `tflite` crate builds. TensorFlow 1.15 has no stable C
// API of its own; with this shim one Rust interface serves both this built-in runtime and a
// board image's own libtensorflowlite_c.so.
//
// Compiled twice: into edgepipe with EDGEPIPE_C_API_PREFIX=edgepipe_ (so the names cannot
// clash with a system library), and by the tests into a shared library with the plain names,
// standing in for a system libtensorflowlite_c.so.

#include <cstdarg>
#include <exception>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "tensorflow/lite/c/c_api_internal.h"
#include "tensorflow/lite/core/api/error_reporter.h"
#include "tensorflow/lite/interpreter.h"
#include "tensorflow/lite/kernels/register.h"
#include "tensorflow/lite/model.h"

#ifndef EDGEPIPE_C_API_PREFIX
#define EDGEPIPE_C_API_PREFIX
#endif
#define EP_CONCAT2(a, b) a##b
#define EP_CONCAT(a, b) EP_CONCAT2(a, b)
#define EP_API(name) EP_CONCAT(EDGEPIPE_C_API_PREFIX, name)
#define EP_EXPORT extern "C" __attribute__((visibility("default")))

typedef void (*ErrorReporterFn)(void* user_data, const char* format, va_list args);

namespace {

// Sends TensorFlow Lite's messages to the reporter the caller installed, or to stderr.
class CallbackErrorReporter : public tflite::ErrorReporter {
 public:
  CallbackErrorReporter(ErrorReporterFn fn, void* user_data) : fn_(fn), user_data_(user_data) {}
  int Report(const char* format, va_list args) override {
    if (fn_ != nullptr) {
      fn_(user_data_, format, args);
    } else {
      vfprintf(stderr, format, args);
      fputc('\n', stderr);
    }
    return 0;
  }

 private:
  ErrorReporterFn fn_;
  void* user_data_;
};

// No C++ exception may cross into Rust: unwinding a foreign exception through Rust frames
// aborts the process ("Rust cannot catch foreign exceptions"). Every entry point that can
// throw (allocation, a kernel's std::vector, a malformed model tripping a library check) runs
// its body in EP_GUARD, which reports the exception and returns the entry's failure value.
void ReportException(tflite::ErrorReporter* reporter, const char* what) {
  const char* text = what ? what : "unknown exception";
  if (reporter != nullptr) {
    reporter->Report("C++ exception in TensorFlow Lite: %s", text);
  } else {
    fprintf(stderr, "C++ exception in TensorFlow Lite: %s\n", text);
  }
}

#define EP_GUARD(reporter, failure, body)                        \
  try {                                                           \
    body                                                          \
  } catch (const std::exception& e) {                             \
    ReportException(reporter, e.what());                          \
    return failure;                                               \
  } catch (...) {                                                 \
    ReportException(reporter, nullptr);                           \
    return failure;                                               \
  }

struct CustomOp {
  std::string name;
  const TfLiteRegistration* registration;
  int min_version;
  int max_version;
};

}  // namespace

struct TfLiteModel {
  std::vector<char> bytes;  // FlatBufferModel keeps pointers into these
  std::unique_ptr<tflite::FlatBufferModel> model;
};

struct TfLiteInterpreterOptions {
  int num_threads = -1;
  std::vector<TfLiteDelegate*> delegates;
  std::vector<CustomOp> custom_ops;
  ErrorReporterFn reporter = nullptr;
  void* reporter_data = nullptr;
};

struct TfLiteInterpreter {
  std::unique_ptr<CallbackErrorReporter> reporter;
  std::unique_ptr<tflite::Interpreter> impl;
};

EP_EXPORT const char* EP_API(TfLiteVersion)(void) { return "1.15.5 (edgepipe C API shim)"; }

EP_EXPORT TfLiteModel* EP_API(TfLiteModelCreate)(const void* data, size_t size) {
  if (data == nullptr || size == 0) return nullptr;
  EP_GUARD(nullptr, nullptr, {
    auto model = std::unique_ptr<TfLiteModel>(new TfLiteModel);
    const char* bytes = static_cast<const char*>(data);
    model->bytes.assign(bytes, bytes + size);
    model->model = tflite::FlatBufferModel::VerifyAndBuildFromBuffer(model->bytes.data(), size);
    if (!model->model) return nullptr;
    return model.release();
  })
}

EP_EXPORT void EP_API(TfLiteModelDelete)(TfLiteModel* model) { delete model; }

EP_EXPORT TfLiteInterpreterOptions* EP_API(TfLiteInterpreterOptionsCreate)(void) {
  EP_GUARD(nullptr, nullptr, { return new TfLiteInterpreterOptions; })
}

EP_EXPORT void EP_API(TfLiteInterpreterOptionsDelete)(TfLiteInterpreterOptions* options) {
  delete options;
}

EP_EXPORT void EP_API(TfLiteInterpreterOptionsSetNumThreads)(TfLiteInterpreterOptions* options,
                                                             int32_t num_threads) {
  options->num_threads = num_threads;
}

EP_EXPORT void EP_API(TfLiteInterpreterOptionsAddDelegate)(TfLiteInterpreterOptions* options,
                                                           TfLiteDelegate* delegate) {
  EP_GUARD(nullptr, , { options->delegates.push_back(delegate); })
}

EP_EXPORT void EP_API(TfLiteInterpreterOptionsSetErrorReporter)(
    TfLiteInterpreterOptions* options, ErrorReporterFn reporter, void* user_data) {
  options->reporter = reporter;
  options->reporter_data = user_data;
}

EP_EXPORT void EP_API(TfLiteInterpreterOptionsAddCustomOp)(TfLiteInterpreterOptions* options,
                                                           const char* name,
                                                           const TfLiteRegistration* registration,
                                                           int32_t min_version,
                                                           int32_t max_version) {
  EP_GUARD(nullptr, , {
    options->custom_ops.push_back(CustomOp{name, registration, min_version, max_version});
  })
}

EP_EXPORT TfLiteInterpreter* EP_API(TfLiteInterpreterCreate)(
    const TfLiteModel* model, const TfLiteInterpreterOptions* optional_options) {
  if (model == nullptr || !model->model) return nullptr;
  TfLiteInterpreterOptions defaults;
  const TfLiteInterpreterOptions* options = optional_options ? optional_options : &defaults;
  CallbackErrorReporter fallback(options->reporter, options->reporter_data);
  EP_GUARD(&fallback, nullptr, {
    auto interpreter = std::unique_ptr<TfLiteInterpreter>(new TfLiteInterpreter);
    interpreter->reporter.reset(
        new CallbackErrorReporter(options->reporter, options->reporter_data));
    tflite::ops::builtin::BuiltinOpResolver resolver;
    for (const auto& op : options->custom_ops) {
      resolver.AddCustom(op.name.c_str(), op.registration, op.min_version, op.max_version);
    }
    tflite::InterpreterBuilder builder(model->model->GetModel(), resolver,
                                       interpreter->reporter.get());
    if (builder(&interpreter->impl, options->num_threads) != kTfLiteOk || !interpreter->impl) {
      return nullptr;
    }
    for (TfLiteDelegate* delegate : options->delegates) {
      if (interpreter->impl->ModifyGraphWithDelegate(delegate) != kTfLiteOk) return nullptr;
    }
    return interpreter.release();
  })
}

EP_EXPORT void EP_API(TfLiteInterpreterDelete)(TfLiteInterpreter* interpreter) {
  delete interpreter;
}

EP_EXPORT int32_t EP_API(TfLiteInterpreterGetInputTensorCount)(const TfLiteInterpreter* i) {
  return static_cast<int32_t>(i->impl->inputs().size());
}

// Index out of range: null (the caller checks), never a read past the vector.
EP_EXPORT TfLiteTensor* EP_API(TfLiteInterpreterGetInputTensor)(const TfLiteInterpreter* i,
                                                                 int32_t index) {
  if (index < 0 || static_cast<size_t>(index) >= i->impl->inputs().size()) return nullptr;
  return i->impl->tensor(i->impl->inputs()[index]);
}

EP_EXPORT TfLiteStatus EP_API(TfLiteInterpreterAllocateTensors)(TfLiteInterpreter* i) {
  EP_GUARD(i->reporter.get(), kTfLiteError, { return i->impl->AllocateTensors(); })
}

EP_EXPORT TfLiteStatus EP_API(TfLiteInterpreterInvoke)(TfLiteInterpreter* i) {
  EP_GUARD(i->reporter.get(), kTfLiteError, { return i->impl->Invoke(); })
}

EP_EXPORT int32_t EP_API(TfLiteInterpreterGetOutputTensorCount)(const TfLiteInterpreter* i) {
  return static_cast<int32_t>(i->impl->outputs().size());
}

EP_EXPORT const TfLiteTensor* EP_API(TfLiteInterpreterGetOutputTensor)(const TfLiteInterpreter* i,
                                                                        int32_t index) {
  if (index < 0 || static_cast<size_t>(index) >= i->impl->outputs().size()) return nullptr;
  return i->impl->tensor(i->impl->outputs()[index]);
}

EP_EXPORT TfLiteType EP_API(TfLiteTensorType)(const TfLiteTensor* t) { return t->type; }

// No dims (a tensor TensorFlow Lite never shaped): rank -1, which the caller refuses.
EP_EXPORT int32_t EP_API(TfLiteTensorNumDims)(const TfLiteTensor* t) {
  return t->dims ? t->dims->size : -1;
}

EP_EXPORT int32_t EP_API(TfLiteTensorDim)(const TfLiteTensor* t, int32_t dim) {
  if (!t->dims || dim < 0 || dim >= t->dims->size) return -1;
  return t->dims->data[dim];
}

EP_EXPORT size_t EP_API(TfLiteTensorByteSize)(const TfLiteTensor* t) { return t->bytes; }

EP_EXPORT void* EP_API(TfLiteTensorData)(const TfLiteTensor* t) { return t->data.raw; }

EP_EXPORT const char* EP_API(TfLiteTensorName)(const TfLiteTensor* t) {
  return t->name ? t->name : "";
}
