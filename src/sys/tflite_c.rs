//! The TensorFlow Lite C API: one table of function pointers, filled either from the shim
//! linked into this binary (TensorFlow Lite 1.15.5, `csrc/tflite_c_api.cc`) or from a
//! `libtensorflowlite_c.so` loaded at run time; and [`RawInterpreter`], the safe owner of one
//! model + options + interpreter.
#![allow(unsafe_code)]

use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Opaque C API types.
#[repr(C)]
pub struct TfLiteModel {
    _opaque: [u8; 0],
}
/// Opaque.
#[repr(C)]
pub struct TfLiteInterpreterOptions {
    _opaque: [u8; 0],
}
/// Opaque.
#[repr(C)]
pub struct TfLiteInterpreter {
    _opaque: [u8; 0],
}
/// Opaque.
#[repr(C)]
pub struct TfLiteTensor {
    _opaque: [u8; 0],
}
/// Opaque (owned by whoever created it, e.g. libedgetpu).
#[repr(C)]
pub struct TfLiteDelegate {
    _opaque: [u8; 0],
}
/// Opaque.
#[repr(C)]
pub struct TfLiteContext {
    _opaque: [u8; 0],
}
/// Opaque.
#[repr(C)]
pub struct TfLiteNode {
    _opaque: [u8; 0],
}

/// `kTfLiteOk`.
pub const TFLITE_OK: c_int = 0;

/// A kernel registration, `TfLiteRegistration` of TensorFlow Lite 1.15 followed by zeroed
/// room: TensorFlow Lite 2.x appended fields, which read as "absent" when null.
#[repr(C)]
pub struct TfLiteRegistration {
    /// Allocates per-node state.
    pub init: Option<unsafe extern "C" fn(*mut TfLiteContext, *const c_char, usize) -> *mut c_void>,
    /// Frees per-node state.
    pub free: Option<unsafe extern "C" fn(*mut TfLiteContext, *mut c_void)>,
    /// Checks and resizes.
    pub prepare: Option<unsafe extern "C" fn(*mut TfLiteContext, *mut TfLiteNode) -> c_int>,
    /// Runs the node.
    pub invoke: Option<unsafe extern "C" fn(*mut TfLiteContext, *mut TfLiteNode) -> c_int>,
    /// Profiling label.
    pub profiling_string:
        Option<unsafe extern "C" fn(*const TfLiteContext, *const TfLiteNode) -> *const c_char>,
    /// Builtin code (0 for custom ops).
    pub builtin_code: i32,
    /// Custom op name.
    pub custom_name: *const c_char,
    /// Op version.
    pub version: c_int,
    /// Room for the fields TensorFlow Lite 2.x added, kept zero.
    pub reserved: [usize; 8],
}

// SAFETY: a registration is a table of function pointers and a pointer to a static name; it
// is only read, by TensorFlow Lite, from any thread.
unsafe impl Send for TfLiteRegistration {}
// SAFETY: as above; nothing mutates it after construction.
unsafe impl Sync for TfLiteRegistration {}

type Reporter = unsafe extern "C" fn(*mut c_void, *const c_char, *mut c_void);

/// Declares the C API functions once; generates the table, the built-in linkage and the
/// loader.
macro_rules! c_api {
    ($($field:ident = $sym:ident : fn($($arg:ty),*) $(-> $ret:ty)?;)*) => {
        /// The C API functions, from one provider.
        pub struct Api {
            $(
                #[doc = concat!("`", stringify!($sym), "`")]
                pub $field: unsafe extern "C" fn($($arg),*) $(-> $ret)?,
            )*
            /// Where the functions come from, for messages.
            pub origin: String,
            _library: Option<libloading::Library>,
        }

        mod builtin {
            use super::*;
            #[link(name = "edgepipe_tflite_c", kind = "static")]
            unsafe extern "C" {
                $(
                    #[link_name = concat!("edgepipe_", stringify!($sym))]
                    pub fn $sym($(_: $arg),*) $(-> $ret)?;
                )*
            }
        }

        impl Api {
            /// The shim linked into this binary.
            pub fn builtin() -> Api {
                Api { $($field: builtin::$sym,)* origin: "built-in TensorFlow Lite 1.15.5".into(), _library: None }
            }

            /// A shared library with the C API, loaded now.
            pub fn load(path: &Path) -> Result<Api, LoadError> {
                // SAFETY: loading a library runs its initialisers; the caller chose a
                // TensorFlow Lite C library, whose initialisers only register ops.
                let library = unsafe { libloading::Library::new(path) }
                    .map_err(|e| LoadError::Open { path: path.to_path_buf(), reason: error_chain(&e) })?;
                $(
                    // SAFETY: the symbol's type is the C API's signature for this name.
                    let $field = unsafe {
                        *library
                            .get::<unsafe extern "C" fn($($arg),*) $(-> $ret)?>(concat!(stringify!($sym), "\0").as_bytes())
                            .map_err(|_| LoadError::Symbol { path: path.to_path_buf(), symbol: stringify!($sym) })?
                    };
                )*
                Ok(Api { $($field,)* origin: path.display().to_string(), _library: Some(library) })
            }
        }
    };
}

c_api! {
    version = TfLiteVersion: fn() -> *const c_char;
    model_create = TfLiteModelCreate: fn(*const c_void, usize) -> *mut TfLiteModel;
    model_delete = TfLiteModelDelete: fn(*mut TfLiteModel);
    options_create = TfLiteInterpreterOptionsCreate: fn() -> *mut TfLiteInterpreterOptions;
    options_delete = TfLiteInterpreterOptionsDelete: fn(*mut TfLiteInterpreterOptions);
    options_set_num_threads = TfLiteInterpreterOptionsSetNumThreads: fn(*mut TfLiteInterpreterOptions, i32);
    options_add_delegate = TfLiteInterpreterOptionsAddDelegate: fn(*mut TfLiteInterpreterOptions, *mut TfLiteDelegate);
    options_set_error_reporter = TfLiteInterpreterOptionsSetErrorReporter: fn(*mut TfLiteInterpreterOptions, Reporter, *mut c_void);
    options_add_custom_op = TfLiteInterpreterOptionsAddCustomOp: fn(*mut TfLiteInterpreterOptions, *const c_char, *const TfLiteRegistration, i32, i32);
    interpreter_create = TfLiteInterpreterCreate: fn(*const TfLiteModel, *const TfLiteInterpreterOptions) -> *mut TfLiteInterpreter;
    interpreter_delete = TfLiteInterpreterDelete: fn(*mut TfLiteInterpreter);
    input_count = TfLiteInterpreterGetInputTensorCount: fn(*const TfLiteInterpreter) -> i32;
    input_tensor = TfLiteInterpreterGetInputTensor: fn(*const TfLiteInterpreter, i32) -> *mut TfLiteTensor;
    allocate_tensors = TfLiteInterpreterAllocateTensors: fn(*mut TfLiteInterpreter) -> c_int;
    invoke = TfLiteInterpreterInvoke: fn(*mut TfLiteInterpreter) -> c_int;
    output_count = TfLiteInterpreterGetOutputTensorCount: fn(*const TfLiteInterpreter) -> i32;
    output_tensor = TfLiteInterpreterGetOutputTensor: fn(*const TfLiteInterpreter, i32) -> *const TfLiteTensor;
    tensor_type = TfLiteTensorType: fn(*const TfLiteTensor) -> c_int;
    tensor_num_dims = TfLiteTensorNumDims: fn(*const TfLiteTensor) -> i32;
    tensor_dim = TfLiteTensorDim: fn(*const TfLiteTensor, i32) -> i32;
    tensor_byte_size = TfLiteTensorByteSize: fn(*const TfLiteTensor) -> usize;
    tensor_data = TfLiteTensorData: fn(*const TfLiteTensor) -> *mut c_void;
    tensor_name = TfLiteTensorName: fn(*const TfLiteTensor) -> *const c_char;
}

/// Why a C API library could not be used.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum LoadError {
    /// dlopen failed.
    #[error("cannot load {path}: {reason}")]
    Open {
        /// The library.
        path: PathBuf,
        /// What the loader said.
        reason: String,
    },
    /// A function is missing.
    #[error("{path} lacks the symbol {symbol}: not a TensorFlow Lite C library, or too old")]
    Symbol {
        /// The library.
        path: PathBuf,
        /// The missing function.
        symbol: &'static str,
    },
}

/// An error and its sources as one line (libloading's own message is only "dlopen failed";
/// the loader's reason is in its source).
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut next = e.source();
    while let Some(cause) = next {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        next = cause.source();
    }
    text
}

/// The buffer `csrc/error_reporter.c` formats messages into (same layout).
/// The most input or output tensors a model may have here.
const MAX_TENSORS: i32 = 1 << 16;
/// The highest tensor rank accepted (TensorFlow Lite's kernels handle up to 6 or 8).
const MAX_RANK: i32 = 16;

/// Bytes per element of a `TfLiteType` with fixed-size elements (`None`: strings, unknown).
fn element_size(dtype: c_int) -> Option<usize> {
    Some(match dtype {
        1 | 2 => 4,      // float32, int32
        3 | 6 | 9 => 1,  // uint8, bool, int8
        4 | 8 | 11 => 8, // int64, complex64, float64
        7 | 10 => 2,     // int16, float16
        _ => return None,
    })
}

#[repr(C)]
struct ErrorBuffer {
    len: usize,
    text: [u8; 2048],
}

unsafe extern "C" {
    fn edgepipe_error_reporter(user_data: *mut c_void, format: *const c_char, args: *mut c_void);
}

/// One tensor's layout as the C API reports it.
#[derive(Debug, Clone)]
pub struct RawTensor {
    /// Name.
    pub name: String,
    /// `TfLiteType` value.
    pub dtype: c_int,
    /// Dimensions.
    pub dims: Vec<usize>,
    /// Bytes.
    pub bytes: usize,
    data: *mut u8,
}

/// What to build an interpreter with.
pub struct RawOptions<'a> {
    /// CPU threads.
    pub threads: i32,
    /// Delegates to apply, in order (owned by the caller, who frees them after the
    /// interpreter).
    pub delegates: &'a [*mut TfLiteDelegate],
    /// Custom ops: name and registration.
    pub custom_ops: &'a [(&'a CStr, &'static TfLiteRegistration)],
}

/// A model, its options and its interpreter, with tensors allocated.
pub struct RawInterpreter {
    api: Arc<Api>,
    model: *mut TfLiteModel,
    options: *mut TfLiteInterpreterOptions,
    interpreter: *mut TfLiteInterpreter,
    errors: Box<ErrorBuffer>,
    inputs: Vec<RawTensor>,
    outputs: Vec<RawTensor>,
}

// SAFETY: a TensorFlow Lite interpreter may be used from any thread as long as one thread at a
// time does; `RawInterpreter` is not `Sync` and its mutating methods take `&mut self`. The raw
// tensor pointers point into the interpreter's own arena.
unsafe impl Send for RawInterpreter {}

impl RawInterpreter {
    /// Builds and allocates an interpreter for `model` (copied by the C API).
    pub fn new(
        api: Arc<Api>,
        model: &[u8],
        options: &RawOptions,
    ) -> Result<RawInterpreter, String> {
        let mut raw = RawInterpreter {
            api,
            model: std::ptr::null_mut(),
            options: std::ptr::null_mut(),
            interpreter: std::ptr::null_mut(),
            errors: Box::new(ErrorBuffer {
                len: 0,
                text: [0; 2048],
            }),
            inputs: Vec::new(),
            outputs: Vec::new(),
        };
        let api = Arc::clone(&raw.api);
        // SAFETY: `model` is a valid slice for the call; the C API copies it (the shim) or keeps
        // it only until the model is deleted (TensorFlow Lite 2.x copies too).
        raw.model = unsafe { (api.model_create)(model.as_ptr().cast(), model.len()) };
        if raw.model.is_null() {
            return Err("the runtime rejected the model".into());
        }
        // SAFETY: plain constructor.
        raw.options = unsafe { (api.options_create)() };
        if raw.options.is_null() {
            return Err("cannot create interpreter options".into());
        }
        // SAFETY: `options` is live; the reporter and its buffer outlive it (the buffer is boxed
        // and owned by `raw`, deleted after the interpreter and options in `drop`); delegate and
        // registration pointers stay valid for the interpreter's life (callers' contract).
        unsafe {
            (api.options_set_num_threads)(raw.options, options.threads);
            let errors: *mut ErrorBuffer = &mut *raw.errors;
            (api.options_set_error_reporter)(raw.options, edgepipe_error_reporter, errors.cast());
            for &d in options.delegates {
                (api.options_add_delegate)(raw.options, d);
            }
            for (name, reg) in options.custom_ops {
                // Version 1 only: the resolver inserts one entry per version in the range.
                (api.options_add_custom_op)(raw.options, name.as_ptr(), *reg, 1, 1);
            }
            raw.interpreter = (api.interpreter_create)(raw.model, raw.options);
        }
        if raw.interpreter.is_null() {
            return Err(raw.take_errors("cannot create the interpreter"));
        }
        // SAFETY: `interpreter` is live.
        if unsafe { (api.allocate_tensors)(raw.interpreter) } != TFLITE_OK {
            return Err(raw.take_errors("cannot allocate tensors"));
        }
        // SAFETY: `interpreter` is live; the counts are only read.
        let (inputs, outputs) = unsafe {
            (
                (api.input_count)(raw.interpreter),
                (api.output_count)(raw.interpreter),
            )
        };
        for (what, count) in [("input", inputs), ("output", outputs)] {
            if !(0..=MAX_TENSORS).contains(&count) {
                return Err(format!("the runtime reports {count} {what} tensors"));
            }
        }
        for i in 0..inputs {
            // SAFETY: `i` is below the count the interpreter reports, so the C API returns a
            // live tensor of this interpreter or null, as `describe` requires.
            let t = unsafe { raw.describe((api.input_tensor)(raw.interpreter, i), "input", i) }?;
            raw.inputs.push(t);
        }
        for i in 0..outputs {
            // SAFETY: as above.
            let t = unsafe { raw.describe((api.output_tensor)(raw.interpreter, i), "output", i) }?;
            raw.outputs.push(t);
        }
        Ok(raw)
    }

    /// Reads a tensor's description and checks everything a slice will be built from: the
    /// pointer, the rank, every dimension, and that the byte size is the shape times the
    /// element size (so neither a malformed model nor a faulty runtime makes a slice longer
    /// than its buffer, or an allocation from a size nobody checked).
    ///
    /// # Safety
    /// `t` must be null or a live tensor of this interpreter.
    unsafe fn describe(
        &self,
        t: *const TfLiteTensor,
        what: &str,
        index: i32,
    ) -> Result<RawTensor, String> {
        let api = &self.api;
        if t.is_null() {
            return Err(format!("the runtime gave no tensor for {what} {index}"));
        }
        // SAFETY: `t` is a live tensor (the caller's contract, and not null); names are
        // NUL-terminated C strings (the shim returns "" for none).
        let (name, dtype, rank, bytes, data) = unsafe {
            let name = (api.tensor_name)(t);
            let name = if name.is_null() {
                String::new()
            } else {
                CStr::from_ptr(name).to_string_lossy().into_owned()
            };
            let dtype = (api.tensor_type)(t);
            let rank = (api.tensor_num_dims)(t);
            let bytes = (api.tensor_byte_size)(t);
            let data: *mut u8 = (api.tensor_data)(t).cast();
            (name, dtype, rank, bytes, data)
        };
        let bad = |why: String| format!("{what} {index} ('{name}'): {why}");
        if !(0..=MAX_RANK).contains(&rank) {
            return Err(bad(format!("the runtime reports rank {rank}")));
        }
        let mut dims = Vec::with_capacity(rank as usize);
        for d in 0..rank {
            // SAFETY: `t` is live and `d` is below the rank it reports.
            let dim = unsafe { (api.tensor_dim)(t, d) };
            if dim < 0 {
                return Err(bad(format!("dimension {d} is {dim}")));
            }
            dims.push(dim as usize);
        }
        let elements = dims
            .iter()
            .try_fold(1usize, |n, &d| n.checked_mul(d))
            .ok_or_else(|| bad(format!("shape {dims:?} overflows")))?;
        if let Some(size) = element_size(dtype)
            && elements.checked_mul(size) != Some(bytes)
        {
            return Err(bad(format!(
                "{bytes} bytes for shape {dims:?} of {size}-byte elements"
            )));
        }
        if bytes > isize::MAX as usize {
            return Err(bad(format!("{bytes} bytes")));
        }
        if data.is_null() && bytes > 0 {
            return Err(bad(format!("{bytes} bytes but no buffer")));
        }
        Ok(RawTensor {
            name,
            dtype,
            dims,
            bytes,
            data,
        })
    }

    /// Checks after an invoke that each output still has the size it was described with (a
    /// dynamic tensor may be reallocated by invoke), and takes its buffer's address again.
    fn recheck_outputs(&mut self) -> Result<(), String> {
        for i in 0..self.outputs.len() {
            // SAFETY: `i` is below the output count the interpreter reported in `new`, so the
            // C API returns a live tensor or null, as `describe` requires.
            let now = unsafe {
                let t = (self.api.output_tensor)(self.interpreter, i as i32);
                self.describe(t, "output", i as i32)
            }?;
            let was = &mut self.outputs[i];
            if now.dims != was.dims || now.bytes != was.bytes {
                return Err(format!(
                    "output {i} ('{}') changed from {:?} to {:?} during invoke; dynamic shapes \
                     are not supported",
                    was.name, was.dims, now.dims
                ));
            }
            was.data = now.data;
        }
        Ok(())
    }

    fn take_errors(&mut self, context: &str) -> String {
        let len = self.errors.len.min(self.errors.text.len());
        let text = String::from_utf8_lossy(&self.errors.text[..len]).into_owned();
        self.errors.len = 0;
        if text.is_empty() {
            context.to_string()
        } else {
            format!("{context}: {text}")
        }
    }

    /// Inputs, in order.
    pub fn inputs(&self) -> &[RawTensor] {
        &self.inputs
    }

    /// Outputs, in order.
    pub fn outputs(&self) -> &[RawTensor] {
        &self.outputs
    }

    /// The bytes of input `i`.
    pub fn input_mut(&mut self, i: usize) -> &mut [u8] {
        let t = &self.inputs[i];
        if t.data.is_null() {
            return &mut [];
        }
        // SAFETY: the input's buffer lies in the interpreter's arena, `bytes` long, allocated
        // once in `new`; `&mut self` makes this the only access until the borrow ends.
        unsafe { std::slice::from_raw_parts_mut(t.data, t.bytes) }
    }

    /// The bytes of output `i`.
    pub fn output(&self, i: usize) -> &[u8] {
        let t = &self.outputs[i];
        if t.data.is_null() {
            return &[];
        }
        // SAFETY: as in `input_mut`; outputs are written only by `invoke`, which takes
        // `&mut self`, so no write happens while this shared borrow lives.
        unsafe { std::slice::from_raw_parts(t.data, t.bytes) }
    }

    /// Runs the model. On failure, returns what the runtime reported.
    pub fn invoke(&mut self) -> Result<(), String> {
        // SAFETY: `interpreter` is live and only this thread uses it (`&mut self`).
        if unsafe { (self.api.invoke)(self.interpreter) } == TFLITE_OK {
            self.recheck_outputs()
        } else {
            Err(self.take_errors("invoke failed"))
        }
    }

    /// The runtime's version string.
    pub fn runtime_version(&self) -> String {
        version(&self.api)
    }
}

/// The version a C API reports.
pub fn version(api: &Api) -> String {
    // SAFETY: returns a static NUL-terminated string.
    let v = unsafe { (api.version)() };
    if v.is_null() {
        return "unknown".into();
    }
    // SAFETY: non-null, static, NUL-terminated.
    unsafe { CStr::from_ptr(v) }.to_string_lossy().into_owned()
}

impl Drop for RawInterpreter {
    fn drop(&mut self) {
        // SAFETY: each pointer was created by this API and is deleted once, interpreter first
        // (it refers to the model and options).
        unsafe {
            if !self.interpreter.is_null() {
                (self.api.interpreter_delete)(self.interpreter);
            }
            if !self.options.is_null() {
                (self.api.options_delete)(self.options);
            }
            if !self.model.is_null() {
                (self.api.model_delete)(self.model);
            }
        }
    }
}

/// A C string for names handed to the C API.
pub fn c_string(s: &str) -> CString {
    CString::new(s.replace('\0', "")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirrors_have_the_c_layout() {
        // TfLiteRegistration of TensorFlow Lite 1.15: 5 pointers, int32, pointer, int.
        let p = std::mem::size_of::<usize>();
        assert_eq!(
            std::mem::offset_of!(TfLiteRegistration, builtin_code),
            5 * p
        );
        assert_eq!(std::mem::offset_of!(TfLiteRegistration, custom_name), 6 * p);
        assert_eq!(std::mem::offset_of!(TfLiteRegistration, version), 7 * p);
        assert_eq!(std::mem::size_of::<ErrorBuffer>(), p + 2048);
    }

    #[test]
    fn the_builtin_api_reports_its_version() {
        assert!(version(&Api::builtin()).starts_with("1.15.5"));
    }
}
