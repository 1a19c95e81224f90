//! Running one model (a whole model or a segment) on one device.
//!
//! Today this is the CPU interpreter of TensorFlow Lite 1.15.5 that the `tflite` crate builds.
//! Tensors are addressed by their position in the model's input and output lists; their
//! names, types and shapes are read once at construction.

use serde::Serialize;
use tflite::ops::builtin::BuiltinOpResolver;
use tflite::{FlatBufferModel, InterpreterBuilder};

use crate::model::DType;

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
    #[serde(skip)]
    index: i32,
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
            Ok(TensorSpec {
                name: info.name,
                dtype,
                shape: info.dims,
                bytes,
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

    /// The model's inputs, in order.
    pub fn inputs(&self) -> &[TensorSpec] {
        &self.inputs
    }

    /// The model's outputs, in order.
    pub fn outputs(&self) -> &[TensorSpec] {
        &self.outputs
    }

    /// The bytes of input `i`, to be filled before [`Interpreter::invoke`].
    pub fn input_mut(&mut self, i: usize) -> &mut [u8] {
        let index = self.inputs[i].index;
        self.inner.tensor_buffer_mut(index).unwrap_or_default()
    }

    /// The bytes of output `i` after [`Interpreter::invoke`].
    pub fn output(&self, i: usize) -> &[u8] {
        self.inner
            .tensor_buffer(self.outputs[i].index)
            .unwrap_or_default()
    }

    /// Runs the model on the current inputs.
    pub fn invoke(&mut self) -> Result<(), EngineError> {
        self.inner
            .invoke()
            .map_err(|e| EngineError::Invoke(e.to_string()))
    }
}
