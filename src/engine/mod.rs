//! Running one model (a whole model or a segment) on one device.
//!
//! Every way of running a model is a [`Runtime`]: it opens a model and returns a
//! `Box<dyn Engine>` (fill the inputs, invoke, read the outputs). The runtimes are peers:
//! - **builtin** ([`classic`]): TensorFlow Lite 1.15.5 built from the `tflite` crate's sources,
//!   behind a C API shim (`csrc/tflite_c_api.cc`). Always present.
//! - **system** ([`classic`]): a `libtensorflowlite_c.so` (TensorFlow Lite 2.x) loaded at run
//!   time, as a board image ships it together with a libedgetpu built against the same version.
//! - **Edge TPU** ([`edgetpu`]): a classic interpreter with libedgetpu's delegate on one TPU,
//!   which it holds (a lock per device) for the engine's life.
//! - **litert** ([`litert`]): LiteRT's CompiledModel C API (`libLiteRt.so`, loaded at run
//!   time) on the CPU, with XNNPACK or LiteRT's builtin kernels. Where the library is found,
//!   it is the default for CPU models ([`Provider::Auto`]); Edge TPU segments keep a classic
//!   host.
//!
//! [`open_segments`] chooses a device and a runtime per segment; verify, bench, the latency
//! search and the service open engines only through it and [`open`], and never name a provider.

pub mod classic;
pub mod edgetpu;
pub mod litert;
mod open;

use std::ffi::CString;
use std::path::PathBuf;

use crate::model::{DType, Model, Quantization};
use crate::sys::tflite_c::{LoadError, TfLiteRegistration};

pub use classic::Interpreter;
pub use edgetpu::{Binding, DeviceLock, DeviceSpec, Tpu, TpuError, TpuKind};
pub use open::{OpenError, open, open_segments, runtime};

/// Why an engine could not be made or run.
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
    /// A runtime refused the model, or its options (with the runtime's message).
    #[error("{runtime} cannot run this model: {reason}")]
    Refused {
        /// Which runtime.
        runtime: String,
        /// Why.
        reason: String,
    },
    /// A runtime's library is not installed; the message says where it looked and what
    /// installs it.
    #[error("{0}")]
    NotFound(String),
    /// The device could not be had (an Edge TPU in use, missing, failing to open).
    #[error(transparent)]
    Device(#[from] TpuError),
}

impl EngineError {
    /// Whether the model is at fault (the runtime refuses it: another file is needed), not
    /// the machine (a library missing, a device absent, an invoke failing).
    pub fn is_model_refusal(&self) -> bool {
        match self {
            EngineError::Build(_)
            | EngineError::UnsupportedType(_)
            | EngineError::Refused { .. } => true,
            EngineError::Library(_)
            | EngineError::Invoke(_)
            | EngineError::NotFound(_)
            | EngineError::Device(_) => false,
        }
    }
}

impl From<LoadError> for EngineError {
    fn from(e: LoadError) -> Self {
        EngineError::Library(e)
    }
}

pub use crate::sys::host::HostBuffer;
pub use crate::tensor::TensorSpec;

/// One model bound to one device, as the pipeline drives it: fill the inputs, invoke, read
/// the outputs. Made by a [`Runtime`]; implemented by test doubles too.
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
    /// Runs the model on memory the caller owns: input `i` is `tensors[ins[i]]`, output `o` is
    /// `tensors[outs[o]]` (lengths as the specs say). An engine that can bind host memory reads
    /// and writes it in place; this default copies through [`Engine::input_mut`] and
    /// [`Engine::output`].
    fn invoke_on(
        &mut self,
        tensors: &mut [HostBuffer],
        ins: &[usize],
        outs: &[usize],
    ) -> Result<(), EngineError> {
        for (i, &t) in ins.iter().enumerate() {
            self.input_mut(i).copy_from_slice(&tensors[t]);
        }
        self.invoke()?;
        for (o, &t) in outs.iter().enumerate() {
            tensors[t].copy_from_slice(self.output(o));
        }
        Ok(())
    }
    /// Where it runs.
    fn binding(&self) -> Binding {
        Binding::Cpu
    }
    /// What runs it, for reports ("builtin TensorFlow Lite 1.15.5", ...).
    fn runtime(&self) -> &str {
        "custom engine"
    }
}

impl<E: Engine + ?Sized> Engine for Box<E> {
    fn inputs(&self) -> &[TensorSpec] {
        (**self).inputs()
    }
    fn outputs(&self) -> &[TensorSpec] {
        (**self).outputs()
    }
    fn input_mut(&mut self, i: usize) -> &mut [u8] {
        (**self).input_mut(i)
    }
    fn output(&self, i: usize) -> &[u8] {
        (**self).output(i)
    }
    fn invoke(&mut self) -> Result<(), EngineError> {
        (**self).invoke()
    }
    fn invoke_on(
        &mut self,
        tensors: &mut [HostBuffer],
        ins: &[usize],
        outs: &[usize],
    ) -> Result<(), EngineError> {
        (**self).invoke_on(tensors, ins, outs)
    }
    fn binding(&self) -> Binding {
        (**self).binding()
    }
    fn runtime(&self) -> &str {
        (**self).runtime()
    }
}

/// A way to run models on one device: opens a model (a whole model or a segment) ready to
/// invoke. Built-in and system TensorFlow Lite, the Edge TPU path and LiteRT are peers.
pub trait Runtime: Send + Sync {
    /// What it is, for messages and reports.
    fn name(&self) -> String;
    /// Opens `model`.
    fn open(&self, model: &[u8]) -> Result<Box<dyn Engine>, EngineError>;
}

/// Which runtime runs CPU models (the Edge TPU's delegate is always hosted by a classic one:
/// the system library when chosen, else the built-in one).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Provider {
    /// LiteRT when its library is found ([`litert::available`]), else the built-in one.
    #[default]
    Auto,
    /// TensorFlow Lite 1.15.5 linked into this binary.
    Builtin,
    /// A `libtensorflowlite_c.so` loaded at run time.
    System(PathBuf),
    /// LiteRT's `libLiteRt.so`, at a path or found as [`litert::find_library`] says.
    Litert(Option<PathBuf>),
}

impl std::str::FromStr for Provider {
    type Err = String;
    /// `auto`, `builtin`, `system` (libtensorflowlite_c.so from the library path),
    /// `system:PATH`, `litert` (found) or `litert:PATH`.
    fn from_str(s: &str) -> Result<Provider, String> {
        let path = |prefix: &str| s.strip_prefix(prefix).filter(|p| !p.is_empty());
        match s {
            "auto" => Ok(Provider::Auto),
            "builtin" | "built-in" => Ok(Provider::Builtin),
            "system" => Ok(Provider::System("libtensorflowlite_c.so".into())),
            "litert" => Ok(Provider::Litert(None)),
            _ => match (path("system:"), path("litert:")) {
                (Some(p), _) => Ok(Provider::System(p.into())),
                (_, Some(p)) => Ok(Provider::Litert(Some(p.into()))),
                _ => Err(format!(
                    "engine '{s}': expected auto, builtin, system, system:PATH, litert or litert:PATH"
                )),
            },
        }
    }
}

/// The CPU kernels LiteRT runs (the classic runtimes have one set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kernels {
    /// XNNPACK, with LiteRT's own kernels for the ops it does not take.
    #[default]
    Xnnpack,
    /// LiteRT's builtin kernels only.
    Builtin,
}

impl std::str::FromStr for Kernels {
    type Err = String;
    fn from_str(s: &str) -> Result<Kernels, String> {
        match s {
            "xnnpack" => Ok(Kernels::Xnnpack),
            "builtin" => Ok(Kernels::Builtin),
            _ => Err(format!("kernels '{s}': expected xnnpack or builtin")),
        }
    }
}

impl std::fmt::Display for Kernels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Kernels::Xnnpack => "xnnpack",
            Kernels::Builtin => "builtin kernels",
        })
    }
}

/// A custom op to register with a classic interpreter.
#[derive(Clone)]
pub struct CustomOp {
    /// The op's custom code in the model.
    pub name: CString,
    /// Its kernel.
    pub registration: &'static TfLiteRegistration,
}

/// How to build engines.
#[derive(Clone, Default)]
pub struct EngineOptions {
    /// CPU threads (0 means 1).
    pub threads: usize,
    /// The runtime of CPU models.
    pub provider: Provider,
    /// LiteRT's kernels.
    pub kernels: Kernels,
    /// Custom ops to register (classic interpreters).
    pub custom_ops: Vec<CustomOp>,
}

/// The element type of a `TfLiteType` value (stable across TensorFlow Lite versions and LiteRT).
fn dtype_of(t: i32) -> Option<DType> {
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

/// Each tensor's quantization by name, from the model file (the C APIs report per-tensor
/// parameters only, or none).
fn quantizations(model: &[u8]) -> Vec<(String, Option<Quantization>)> {
    Model::from_bytes(model, std::path::Path::new("model"))
        .map(|m| {
            m.graph
                .tensors
                .into_iter()
                .map(|t| (t.name, t.quantization))
                .collect()
        })
        .unwrap_or_default()
}

/// The spec of a tensor a runtime reports, with its quantization from `quant`.
fn tensor_spec(
    name: &str,
    dtype: i32,
    dims: &[usize],
    bytes: usize,
    quant: &[(String, Option<Quantization>)],
) -> Result<TensorSpec, EngineError> {
    let dtype = dtype_of(dtype).ok_or_else(|| EngineError::UnsupportedType(name.into()))?;
    Ok(TensorSpec {
        name: name.into(),
        dtype,
        shape: dims.to_vec(),
        bytes,
        quantization: quant
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, q)| q.clone()),
    })
}
