//! Running one model (a whole model or a segment) on one device.
//!
//! One interface, the TensorFlow Lite C API, with two providers:
//! - **built-in**: TensorFlow Lite 1.15.5 built from the `tflite` crate's sources, behind a C
//!   API shim (`csrc/tflite_c_api.cc`). Always present; what tests and CPU runs use.
//! - **system**: a `libtensorflowlite_c.so` (TensorFlow Lite 2.x) loaded at run time, as a
//!   board image ships it together with a libedgetpu built against the same version.
//!
//! A segment holding `edgetpu-custom-op` runs on an Edge TPU through libedgetpu's delegate
//! ([`edgetpu`]); other segments run on the CPU.

pub mod edgetpu;

use std::ffi::CString;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use serde::Serialize;

use crate::model::{DType, Model, Quantization};
use crate::sys::edgetpu::RawDelegate;
use crate::sys::tflite_c::{self, Api, LoadError, RawInterpreter, RawOptions, TfLiteRegistration};

pub use edgetpu::{Binding, DeviceLock, DeviceSpec, Tpu, TpuKind};

/// Why an interpreter could not be made or run.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The runtime library could not be used.
    #[error("TensorFlow Lite C library: {0}")]
    Library(LoadError),
    /// The runtime refused the model (an op it lacks, an unresolved custom op, ...).
    #[error("TensorFlow Lite cannot build an interpreter for this model: {0}")]
    Build(String),
    /// A tensor type this engine does not handle.
    #[error("tensor '{0}' has a type this engine does not handle")]
    UnsupportedType(String),
    /// Invoke failed.
    #[error("inference failed: {0}")]
    Invoke(String),
}

impl From<LoadError> for EngineError {
    fn from(e: LoadError) -> Self {
        EngineError::Library(e)
    }
}

/// Name, type and shape of an input or output tensor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TensorSpec {
    /// Tensor name (the routing key between segments).
    pub name: String,
    /// Element type.
    pub dtype: DType,
    /// Shape.
    pub shape: Vec<usize>,
    /// Size in bytes.
    pub bytes: usize,
    /// Quantization, when the tensor is quantized.
    pub quantization: Option<Quantization>,
}

impl TensorSpec {
    /// A spec for tensors that are not an interpreter's (test doubles, other engines).
    pub fn new(name: &str, dtype: DType, shape: &[usize]) -> TensorSpec {
        let bytes = shape.iter().product::<usize>() * dtype.size();
        TensorSpec {
            name: name.into(),
            dtype,
            shape: shape.to_vec(),
            bytes,
            quantization: None,
        }
    }
}

/// One model bound to one device, as the pipeline drives it: fill the inputs, invoke, read
/// the outputs. Implemented by [`Interpreter`] and by test doubles.
pub trait Engine: Send {
    /// Inputs, in the model's order.
    fn inputs(&self) -> &[TensorSpec];
    /// Outputs, in the model's order.
    fn outputs(&self) -> &[TensorSpec];
    /// The bytes of input `i`, to fill before [`Engine::invoke`].
    fn input_mut(&mut self, i: usize) -> &mut [u8];
    /// The bytes of output `i` after [`Engine::invoke`].
    fn output(&self, i: usize) -> &[u8];
    /// Runs the model on the current inputs. Blocks for the inference's duration.
    fn invoke(&mut self) -> Result<(), EngineError>;
}

/// Which TensorFlow Lite runs the model.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Provider {
    /// TensorFlow Lite 1.15.5 linked into this binary.
    #[default]
    Builtin,
    /// A `libtensorflowlite_c.so` loaded at run time.
    System(PathBuf),
}

impl std::str::FromStr for Provider {
    type Err = String;
    /// `builtin`, `system` (libtensorflowlite_c.so from the library path) or `system:PATH`.
    fn from_str(s: &str) -> Result<Provider, String> {
        match s {
            "builtin" | "built-in" => Ok(Provider::Builtin),
            "system" => Ok(Provider::System("libtensorflowlite_c.so".into())),
            _ => match s.strip_prefix("system:") {
                Some(path) if !path.is_empty() => Ok(Provider::System(path.into())),
                _ => Err(format!(
                    "engine '{s}': expected builtin, system or system:PATH"
                )),
            },
        }
    }
}

impl Provider {
    /// The C API of this provider (the library is loaded once per path).
    pub fn api(&self) -> Result<Arc<Api>, LoadError> {
        static BUILTIN: OnceLock<Arc<Api>> = OnceLock::new();
        match self {
            Provider::Builtin => Ok(Arc::clone(BUILTIN.get_or_init(|| Arc::new(Api::builtin())))),
            Provider::System(path) => Api::load(path).map(Arc::new),
        }
    }
}

/// A custom op to register with the interpreter.
#[derive(Clone)]
pub struct CustomOp {
    /// The op's custom code in the model.
    pub name: CString,
    /// Its kernel.
    pub registration: &'static TfLiteRegistration,
}

/// How to build an interpreter.
#[derive(Clone, Default)]
pub struct EngineOptions {
    /// CPU threads (0 means 1).
    pub threads: usize,
    /// The TensorFlow Lite to use.
    pub provider: Provider,
    /// Custom ops to register.
    pub custom_ops: Vec<CustomOp>,
}

/// A model on one device: a TensorFlow Lite interpreter, with the Edge TPU delegate and the
/// device lock when it runs on a TPU.
pub struct Interpreter {
    // Field order is drop order: the interpreter goes before the delegate it uses, and the
    // device lock is released last.
    raw: RawInterpreter,
    _delegate: Option<RawDelegate>,
    _lock: Option<DeviceLock>,
    inputs: Vec<TensorSpec>,
    outputs: Vec<TensorSpec>,
    /// Where it runs, for messages.
    pub binding: Binding,
}

fn dtype_of(t: i32) -> Option<DType> {
    // TfLiteType values, stable across TensorFlow Lite versions.
    Some(match t {
        1 => DType::Float32,
        2 => DType::Int32,
        3 => DType::Uint8,
        4 => DType::Int64,
        5 => DType::String,
        6 => DType::Bool,
        7 => DType::Int16,
        8 => DType::Complex64,
        9 => DType::Int8,
        10 => DType::Float16,
        _ => return None,
    })
}

impl Interpreter {
    /// Builds a CPU interpreter with the built-in TensorFlow Lite and `threads` threads.
    pub fn new(model: Vec<u8>, threads: usize) -> Result<Interpreter, EngineError> {
        Interpreter::with_options(
            &model,
            &EngineOptions {
                threads,
                ..Default::default()
            },
        )
    }

    /// Builds a CPU interpreter with `options`.
    pub fn with_options(model: &[u8], options: &EngineOptions) -> Result<Interpreter, EngineError> {
        Interpreter::build(model, options, None, None)
    }

    /// Builds an interpreter with `options`, on the TPU of `delegate` when given (holding its
    /// `lock` for the interpreter's life).
    pub fn build(
        model: &[u8],
        options: &EngineOptions,
        delegate: Option<(RawDelegate, Tpu)>,
        lock: Option<DeviceLock>,
    ) -> Result<Interpreter, EngineError> {
        let api = options.provider.api()?;
        let custom_ops: Vec<(&std::ffi::CStr, &'static TfLiteRegistration)> = options
            .custom_ops
            .iter()
            .map(|c| (c.name.as_c_str(), c.registration))
            .collect();
        let delegates: Vec<_> = delegate.iter().map(|(d, _)| d.as_ptr()).collect();
        let raw_options = RawOptions {
            threads: options.threads.clamp(1, 64) as i32,
            delegates: &delegates,
            custom_ops: &custom_ops,
        };
        let raw = RawInterpreter::new(api, model, &raw_options).map_err(EngineError::Build)?;
        // Quantization comes from the model file: the C API reports only per-tensor params.
        let quant: Vec<(String, Option<Quantization>)> =
            Model::from_bytes(model, std::path::Path::new("model"))
                .map(|m| {
                    m.graph
                        .tensors
                        .into_iter()
                        .map(|t| (t.name, t.quantization))
                        .collect()
                })
                .unwrap_or_default();
        let spec = |t: &tflite_c::RawTensor| -> Result<TensorSpec, EngineError> {
            let dtype =
                dtype_of(t.dtype).ok_or_else(|| EngineError::UnsupportedType(t.name.clone()))?;
            let quantization = quant
                .iter()
                .find(|(n, _)| *n == t.name)
                .and_then(|(_, q)| q.clone());
            Ok(TensorSpec {
                name: t.name.clone(),
                dtype,
                shape: t.dims.clone(),
                bytes: t.bytes,
                quantization,
            })
        };
        let inputs = raw
            .inputs()
            .iter()
            .map(spec)
            .collect::<Result<Vec<_>, _>>()?;
        let outputs = raw
            .outputs()
            .iter()
            .map(spec)
            .collect::<Result<Vec<_>, _>>()?;
        let (delegate, binding) = match delegate {
            Some((d, tpu)) => (Some(d), Binding::Tpu(tpu)),
            None => (None, Binding::Cpu),
        };
        Ok(Interpreter {
            raw,
            _delegate: delegate,
            _lock: lock,
            inputs,
            outputs,
            binding,
        })
    }

    /// The runtime's version.
    pub fn runtime_version(&self) -> String {
        self.raw.runtime_version()
    }
}

impl Engine for Interpreter {
    fn inputs(&self) -> &[TensorSpec] {
        &self.inputs
    }

    fn outputs(&self) -> &[TensorSpec] {
        &self.outputs
    }

    fn input_mut(&mut self, i: usize) -> &mut [u8] {
        self.raw.input_mut(i)
    }

    fn output(&self, i: usize) -> &[u8] {
        self.raw.output(i)
    }

    fn invoke(&mut self) -> Result<(), EngineError> {
        self.raw.invoke().map_err(EngineError::Invoke)
    }
}
