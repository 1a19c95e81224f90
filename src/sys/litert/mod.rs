//! LiteRT's "CompiledModel" C API (`libLiteRt.so` of the `ai-edge-litert` wheel, headers
//! `litert/c/*.h` of google-ai-edge/LiteRT 2.3.0), loaded at run time: the function table and
//! the C types' mirrors here; [`RawCompiledModel`], the safe owner of one compiled model, in
//! `compiled`. Facts about this ABI: `research/litert.md`.
#![allow(unsafe_code)]

mod compiled;

pub use compiled::{BOUND_PER_TENSOR, MAX_TENSOR_BYTES, RawCompiledModel, RawTensorInfo};

use std::ffi::{c_char, c_int, c_void};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::tflite_c::{LoadError, error_chain};

type Handle = *mut c_void;
type Status = c_int;

/// `LITERT_TENSOR_MAX_RANK`.
pub const MAX_RANK: usize = 8;

/// `LiteRtLayout`: `rank:7` and `has_strides:1` bit-fields share the first `unsigned int`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct RawLayout {
    bits: u32,
    dimensions: [i32; MAX_RANK],
    strides: [u32; MAX_RANK],
}

impl RawLayout {
    /// The dimensions (negative ones are dynamic).
    pub fn dims(&self) -> &[i32] {
        let rank = (self.bits & 0x7f) as usize;
        &self.dimensions[..rank.min(MAX_RANK)]
    }
}

/// `LiteRtRankedTensorType`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct RawRankedType {
    /// `LiteRtElementType`, the `TfLiteType` values.
    pub element_type: c_int,
    /// Shape.
    pub layout: RawLayout,
}

/// `LiteRtAny`: a type tag and a 64-bit union.
#[repr(C)]
#[derive(Clone, Copy)]
struct RawAny {
    kind: c_int,
    value: i64,
}

/// `LiteRtEnvOption`.
#[repr(C)]
#[derive(Clone, Copy)]
struct RawEnvOption {
    tag: c_int,
    value: RawAny,
}

const ANY_INT: c_int = 2;
/// `kLiteRtEnvOptionTagAutoRegisterAccelerators`.
const ENV_AUTO_REGISTER_ACCELERATORS: c_int = 24;
/// `kLiteRtEnvOptionTagMinLoggerSeverity`.
const ENV_MIN_LOGGER_SEVERITY: c_int = 25;
/// `kLiteRtHwAcceleratorCpu`.
const HW_CPU: c_int = 1;
/// `kLiteRtRankedTensorType`.
const RANKED: c_int = 0;

type Deleter = unsafe extern "C" fn(*mut c_void);

/// Declares the functions once: the table and its loader.
macro_rules! litert_api {
    ($($field:ident = $sym:ident : fn($($arg:ty),*) $(-> $ret:ty)?;)*) => {
        /// The LiteRT C API functions edgepipe uses, from one `libLiteRt.so`.
        pub struct LiteRtApi {
            $(
                #[doc = concat!("`", stringify!($sym), "`")]
                $field: unsafe extern "C" fn($($arg),*) $(-> $ret)?,
            )*
            env: Handle,
            /// Where the library was loaded from.
            pub path: PathBuf,
            _library: libloading::Library,
        }

        impl LiteRtApi {
            fn resolve(path: &Path, library: libloading::Library) -> Result<LiteRtApi, LoadError> {
                $(
                    // SAFETY: the symbol's type is the LiteRT 2.3.0 header's signature for it.
                    let $field = unsafe {
                        *library
                            .get::<unsafe extern "C" fn($($arg),*) $(-> $ret)?>(concat!(stringify!($sym), "\0").as_bytes())
                            .map_err(|_| LoadError::Symbol { path: path.to_path_buf(), symbol: stringify!($sym) })?
                    };
                )*
                Ok(LiteRtApi { $($field,)* env: std::ptr::null_mut(), path: path.to_path_buf(), _library: library })
            }
        }
    };
}

litert_api! {
    create_environment = LiteRtCreateEnvironment: fn(c_int, *const RawEnvOption, *mut Handle) -> Status;
    destroy_environment = LiteRtDestroyEnvironment: fn(Handle);
    create_model = LiteRtCreateModelFromBuffer: fn(Handle, *const c_void, usize, *mut Handle) -> Status;
    destroy_model = LiteRtDestroyModel: fn(Handle);
    model_signature = LiteRtGetModelSignature: fn(Handle, usize, *mut Handle) -> Status;
    signature_inputs = LiteRtGetNumSignatureInputs: fn(Handle, *mut usize) -> Status;
    signature_outputs = LiteRtGetNumSignatureOutputs: fn(Handle, *mut usize) -> Status;
    signature_input = LiteRtGetSignatureInputTensorByIndex: fn(Handle, usize, *mut Handle) -> Status;
    signature_output = LiteRtGetSignatureOutputTensorByIndex: fn(Handle, usize, *mut Handle) -> Status;
    tensor_name = LiteRtGetTensorName: fn(Handle, *mut *const c_char) -> Status;
    tensor_type_id = LiteRtGetTensorTypeId: fn(Handle, *mut c_int) -> Status;
    ranked_type = LiteRtGetRankedTensorType: fn(Handle, *mut RawRankedType) -> Status;
    create_options = LiteRtCreateOptions: fn(*mut Handle) -> Status;
    destroy_options = LiteRtDestroyOptions: fn(Handle);
    set_accelerators = LiteRtSetOptionsHardwareAccelerators: fn(Handle, c_int) -> Status;
    create_opaque = LiteRtCreateOpaqueOptions: fn(*const c_char, *mut c_void, Option<Deleter>, *mut Handle) -> Status;
    add_opaque = LiteRtAddOpaqueOptions: fn(Handle, Handle) -> Status;
    create_compiled = LiteRtCreateCompiledModel: fn(Handle, Handle, Handle, *mut Handle) -> Status;
    destroy_compiled = LiteRtDestroyCompiledModel: fn(Handle);
    input_layout = LiteRtGetCompiledModelInputTensorLayout: fn(Handle, usize, usize, *mut RawLayout) -> Status;
    output_layouts = LiteRtGetCompiledModelOutputTensorLayouts: fn(Handle, usize, usize, *mut RawLayout, bool) -> Status;
    run = LiteRtRunCompiledModel: fn(Handle, usize, usize, *mut Handle, usize, *mut Handle) -> Status;
    error_messages = LiteRtCompiledModelGetErrorMessages: fn(Handle, *mut *mut c_char) -> Status;
    clear_errors = LiteRtCompiledModelClearErrors: fn(Handle) -> Status;
    buffer_from_host = LiteRtCreateTensorBufferFromHostMemory: fn(*const RawRankedType, *mut c_void, usize, Option<Deleter>, *mut Handle) -> Status;
    destroy_buffer = LiteRtDestroyTensorBuffer: fn(Handle);
}

// SAFETY: the table holds function pointers and the environment, which LiteRT shares between
// compiled models used from several threads (compilation is serialised inside LiteRT by a
// global mutex); it is never mutated after `load`.
unsafe impl Send for LiteRtApi {}
// SAFETY: as above.
unsafe impl Sync for LiteRtApi {}

impl Drop for LiteRtApi {
    fn drop(&mut self) {
        if !self.env.is_null() {
            // SAFETY: created by this library in `load`, destroyed once; every compiled model
            // holds an `Arc` of this table, so none outlives it.
            unsafe { (self.destroy_environment)(self.env) }
        }
    }
}

/// `LiteRtStatus` values as names (`LiteRtGetStatusString` is declared but not exported).
pub fn status_name(status: Status) -> String {
    let name = match status {
        0 => "ok",
        1 => "invalid argument",
        2 => "memory allocation failure",
        3 => "runtime failure",
        4 => "missing input tensor",
        5 => "unsupported",
        6 => "not found",
        7 => "timeout expired",
        8 => "wrong version",
        9 => "unknown error",
        10 => "already exists",
        100 => "cancelled",
        500 => "file I/O error",
        501 => "invalid flatbuffer",
        502 => "dynamic loading error",
        503 => "serialization error",
        504 => "compilation error",
        1000 => "index out of bounds",
        1001 => "invalid IR type",
        1002 => "invalid graph invariant",
        _ => return format!("status {status}"),
    };
    format!("{name} (status {status})")
}

impl LiteRtApi {
    /// Loads `libLiteRt.so` from `path` and creates its environment, CPU only and quiet.
    pub fn load(path: &Path) -> Result<Arc<LiteRtApi>, LoadError> {
        // SAFETY: loading runs the library's initialisers, which register LiteRT's ops and
        // accelerator factories only.
        let library = unsafe { libloading::Library::new(path) }.map_err(|e| LoadError::Open {
            path: path.to_path_buf(),
            reason: error_chain(&e),
        })?;
        let mut api = LiteRtApi::resolve(path, library)?;
        let options = [
            RawEnvOption {
                tag: ENV_AUTO_REGISTER_ACCELERATORS,
                value: RawAny {
                    kind: ANY_INT,
                    value: i64::from(HW_CPU),
                },
            },
            RawEnvOption {
                tag: ENV_MIN_LOGGER_SEVERITY,
                // Warnings and up: LiteRT logs every model load at INFO.
                value: RawAny {
                    kind: ANY_INT,
                    value: 2,
                },
            },
        ];
        let mut env = std::ptr::null_mut();
        // SAFETY: `options` has 2 valid entries for the call; `env` receives a new handle.
        let status = unsafe { (api.create_environment)(2, options.as_ptr(), &mut env) };
        if status != 0 || env.is_null() {
            return Err(LoadError::Open {
                path: path.to_path_buf(),
                reason: format!(
                    "cannot create a LiteRT environment: {}",
                    status_name(status)
                ),
            });
        }
        api.env = env;
        Ok(Arc::new(api))
    }
}

/// The CPU kernels a compiled model runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawKernels {
    /// XNNPACK, with the interpreter's kernels for what it does not take.
    Xnnpack,
    /// The interpreter's own (builtin) kernels only.
    Builtin,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirrors_have_the_c_layout() {
        // Sizes from the 2.3.0 headers' static_asserts (64-bit).
        assert_eq!(std::mem::size_of::<RawLayout>(), 68);
        assert_eq!(std::mem::size_of::<RawRankedType>(), 72);
        assert_eq!(std::mem::offset_of!(RawRankedType, layout), 4);
        assert_eq!(std::mem::size_of::<RawAny>(), 16);
        assert_eq!(std::mem::size_of::<RawEnvOption>(), 24);
    }

    #[test]
    fn rank_is_the_low_seven_bits() {
        let mut l = RawLayout {
            bits: 3 | 0x80,
            ..Default::default()
        };
        l.dimensions[..3].copy_from_slice(&[1, 4, 5]);
        assert_eq!(l.dims(), &[1, 4, 5]);
    }

    #[test]
    fn statuses_have_names() {
        assert_eq!(status_name(3), "runtime failure (status 3)");
        assert_eq!(status_name(4242), "status 4242");
    }
}
