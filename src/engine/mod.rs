//! Running one model (a whole model or a segment) on one device.
//!
//! Today this is the CPU interpreter of TensorFlow Lite 1.15.5 that the `tflite` crate builds.
//! Tensors are addressed by their position in the model's input and output lists; their
//! names, types and shapes are read once at construction.

use serde::Serialize;
use tflite::ops::builtin::BuiltinOpResolver;
use tflite::{FlatBufferModel, InterpreterBuilder};

use crate::model::{DType, Model, Quantization};

/// Why an interpreter could not be made or run.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
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
    #[serde(skip)]
    index: i32,
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
            index: -1,
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

/// A CPU interpreter for one model.
pub struct Interpreter {
    inner: tflite::Interpreter<'static, BuiltinOpResolver>,
    inputs: Vec<TensorSpec>,
    outputs: Vec<TensorSpec>,
}

fn dtype_of(kind: tflite::context::ElementKind) -> Option<DType> {
    use tflite::context::ElementKind as K;
    Some(match kind {
        K::kTfLiteFloat32 => DType::Float32,
        K::kTfLiteInt32 => DType::Int32,
        K::kTfLiteUInt8 => DType::Uint8,
        K::kTfLiteInt64 => DType::Int64,
        K::kTfLiteBool => DType::Bool,
        K::kTfLiteInt16 => DType::Int16,
        K::kTfLiteInt8 => DType::Int8,
        K::kTfLiteFloat16 => DType::Float16,
        _ => return None,
    })
}

impl Interpreter {
    /// Builds an interpreter with `threads` CPU threads from model bytes.
    pub fn new(model: Vec<u8>, threads: usize) -> Result<Interpreter, EngineError> {
        // Quantization comes from the model file: the crate's tensor info lacks it.
        let quant = Model::from_bytes(&model, std::path::Path::new("model"))
            .map(|m| {
                m.graph
                    .tensors
                    .into_iter()
                    .map(|t| t.quantization)
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        let model = FlatBufferModel::build_from_buffer(model)
            .map_err(|e| EngineError::Build(e.to_string()))?;
        let builder = InterpreterBuilder::new(model, BuiltinOpResolver::default())
            .map_err(|e| EngineError::Build(e.to_string()))?;
        let mut inner = builder
            .build_with_threads(threads.clamp(1, 64) as i32)
            .map_err(|e| EngineError::Build(e.to_string()))?;
        inner
            .allocate_tensors()
            .map_err(|e| EngineError::Build(e.to_string()))?;
        let spec = |inner: &tflite::Interpreter<'static, BuiltinOpResolver>, index: i32| {
            let info = inner
                .tensor_info(index)
                .ok_or_else(|| EngineError::Build(format!("tensor {index} is missing")))?;
            let dtype = dtype_of(info.element_kind)
                .ok_or_else(|| EngineError::UnsupportedType(info.name.clone()))?;
            let bytes = inner.tensor_buffer(index).map_or(0, <[u8]>::len);
            let quantization = quant.get(index as usize).cloned().flatten();
            Ok(TensorSpec {
                name: info.name,
                dtype,
                shape: info.dims,
                bytes,
                quantization,
                index,
            })
        };
        let inputs = inner
            .inputs()
            .iter()
            .map(|&i| spec(&inner, i))
            .collect::<Result<Vec<_>, _>>()?;
        let outputs = inner
            .outputs()
            .iter()
            .map(|&i| spec(&inner, i))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Interpreter {
            inner,
            inputs,
            outputs,
        })
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
        let index = self.inputs[i].index;
        self.inner.tensor_buffer_mut(index).unwrap_or_default()
    }

    fn output(&self, i: usize) -> &[u8] {
        self.inner
            .tensor_buffer(self.outputs[i].index)
            .unwrap_or_default()
    }

    fn invoke(&mut self) -> Result<(), EngineError> {
        self.inner
            .invoke()
            .map_err(|e| EngineError::Invoke(e.to_string()))
    }
}
