//! The model's single subgraph as plain Rust data: tensors, operators, who produces and who
//! consumes what, parameter bytes, and the execution order segments are cut from.

use serde::Serialize;
use tflite::model::stl::vector::VectorSlice;
use tflite::model::{ModelT, TensorType};

use super::ModelErrorKind;

/// Custom code of the op that the Edge TPU compiler puts around everything it maps to the TPU.
pub const EDGETPU_CUSTOM_OP: &str = "edgetpu-custom-op";

/// Element type of a tensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum DType {
    Float32,
    Float16,
    Int32,
    Uint8,
    Int64,
    String,
    Bool,
    Int16,
    Complex64,
    Int8,
}

impl DType {
    /// Bytes per element (strings have no fixed size; they count 1).
    pub fn size(self) -> usize {
        match self {
            DType::Uint8 | DType::Int8 | DType::Bool | DType::String => 1,
            DType::Float16 | DType::Int16 => 2,
            DType::Float32 | DType::Int32 => 4,
            DType::Int64 | DType::Complex64 => 8,
        }
    }

    fn from_schema(t: TensorType) -> Self {
        match t {
            TensorType::TensorType_FLOAT32 => DType::Float32,
            TensorType::TensorType_FLOAT16 => DType::Float16,
            TensorType::TensorType_INT32 => DType::Int32,
            TensorType::TensorType_UINT8 => DType::Uint8,
            TensorType::TensorType_INT64 => DType::Int64,
            TensorType::TensorType_STRING => DType::String,
            TensorType::TensorType_BOOL => DType::Bool,
            TensorType::TensorType_INT16 => DType::Int16,
            TensorType::TensorType_COMPLEX64 => DType::Complex64,
            TensorType::TensorType_INT8 => DType::Int8,
        }
    }
}

impl std::fmt::Display for DType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = serde_json::to_value(self).ok();
        let name = name.as_ref().and_then(|v| v.as_str()).unwrap_or("?");
        f.write_str(name)
    }
}

/// Affine quantization of a tensor: real = scale * (q - zero_point), per tensor or per channel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quantization {
    /// One scale per tensor, or per channel along `dimension`.
    pub scale: Vec<f32>,
    /// Zero points matching `scale`.
    pub zero_point: Vec<i64>,
    /// The channel dimension of per-channel quantization.
    pub dimension: i32,
}

/// One tensor of the graph.
#[derive(Debug, Clone, Serialize)]
pub struct Tensor {
    /// The name tensors are routed by between segments.
    pub name: String,
    /// Element type.
    pub dtype: DType,
    /// Stored shape.
    pub shape: Vec<i32>,
    /// Index into the model's buffers.
    #[serde(skip)]
    pub buffer: usize,
    /// Bytes of constant data (weights, biases); 0 for activations.
    pub const_bytes: u64,
    /// Quantization, when the tensor has any.
    pub quantization: Option<Quantization>,
}

impl Tensor {
    /// True for weights and other data stored in the model.
    pub fn is_constant(&self) -> bool {
        self.const_bytes > 0
    }

    /// Size of the tensor's data in bytes at its stored shape, when it fits a `u64`.
    pub fn byte_size(&self) -> Option<u64> {
        self.shape
            .iter()
            .try_fold(self.dtype.size() as u64, |acc, &d| {
                u64::try_from(d).ok().and_then(|d| acc.checked_mul(d))
            })
    }
}

/// One operator of the graph.
#[derive(Debug, Clone, Serialize)]
pub struct Op {
    /// Operator name: the builtin name (`CONV_2D`) or the custom code.
    pub kind: String,
    /// Operator version.
    pub version: i32,
    /// Whether this is a custom op.
    pub custom: bool,
    /// Input tensors; `None` marks an omitted optional input.
    pub inputs: Vec<Option<usize>>,
    /// Output tensors.
    pub outputs: Vec<usize>,
    /// Scratch tensors of quantized LSTMs and the like.
    pub intermediates: Vec<usize>,
    /// Bytes of the constant inputs this op reads.
    pub param_bytes: u64,
}

impl Op {
    /// Every tensor the op touches.
    pub fn tensors(&self) -> impl Iterator<Item = usize> + '_ {
        self.inputs
            .iter()
            .flatten()
            .chain(&self.outputs)
            .chain(&self.intermediates)
            .copied()
    }
}

/// The analysed subgraph.
#[derive(Debug, Clone)]
pub struct Graph {
    /// All tensors, by index.
    pub tensors: Vec<Tensor>,
    /// All operators, by their index in the model.
    pub ops: Vec<Op>,
    /// Graph inputs.
    pub inputs: Vec<usize>,
    /// Graph outputs.
    pub outputs: Vec<usize>,
    /// For each tensor, the op producing it.
    pub producer: Vec<Option<usize>>,
    /// For each tensor, the ops reading it, in op order.
    pub consumers: Vec<Vec<usize>>,
    /// Op indices in execution order: a topological order that keeps branches together and
    /// puts ops feeding only graph outputs as late as possible (libcoral's order).
    pub order: Vec<usize>,
}

fn index(i: i32, len: usize, what: impl Fn() -> String) -> Result<usize, ModelErrorKind> {
    usize::try_from(i)
        .ok()
        .filter(|&i| i < len)
        .ok_or_else(|| ModelErrorKind::Corrupt(format!("{} is {i}, out of range 0..{len}", what())))
}

impl Graph {
    /// Reads the graph out of an unpacked model, checking every index it holds.
    pub fn from_model(model: &ModelT) -> Result<Graph, ModelErrorKind> {
        if model.subgraphs.size() != 1 || !model.subgraphs[0].is_valid() {
            return Err(ModelErrorKind::Unsupported(
                "the model needs exactly one subgraph".into(),
            ));
        }
        let sg = &model.subgraphs[0];
        let buffer_sizes: Vec<u64> = model
            .buffers
            .iter()
            .map(|b| {
                if b.is_valid() {
                    b.data.size() as u64
                } else {
                    0
                }
            })
            .collect();
        let tensors = sg
            .tensors
            .iter()
            .enumerate()
            .map(|(i, t)| read_tensor(i, t, &buffer_sizes))
            .collect::<Result<Vec<_>, _>>()?;
        let n = tensors.len();
        let ops = sg
            .operators
            .iter()
            .enumerate()
            .map(|(i, op)| read_op(i, op, model, &tensors))
            .collect::<Result<Vec<_>, _>>()?;
        let inputs = sg
            .inputs
            .iter()
            .map(|&t| index(t, n, || "a graph input".into()))
            .collect::<Result<Vec<_>, _>>()?;
        let outputs = sg
            .outputs
            .iter()
            .map(|&t| index(t, n, || "a graph output".into()))
            .collect::<Result<Vec<_>, _>>()?;

        let mut producer = vec![None; n];
        let mut consumers = vec![Vec::new(); n];
        for (i, op) in ops.iter().enumerate() {
            for &t in &op.outputs {
                if let Some(other) = producer[t].replace(i) {
                    return Err(ModelErrorKind::Corrupt(format!(
                        "tensor {t} '{}' is written by both operator {other} and operator {i}",
                        tensors[t].name
                    )));
                }
            }
            for &t in op.inputs.iter().flatten() {
                if consumers[t].last() != Some(&i) {
                    consumers[t].push(i);
                }
            }
        }
        if let Some(&t) = inputs.iter().find(|&&t| producer[t].is_some()) {
            return Err(ModelErrorKind::Corrupt(format!(
                "graph input {t} '{}' is also written by an operator",
                tensors[t].name
            )));
        }
        let mut graph = Graph {
            tensors,
            ops,
            inputs,
            outputs,
            producer,
            consumers,
            order: vec![],
        };
        graph.order = graph.execution_order()?;
        Ok(graph)
    }

    /// Ops that read a tensor written by `op`, without repeats, ascending.
    fn successors(&self, op: usize) -> Vec<usize> {
        let mut next: Vec<usize> = self.ops[op]
            .outputs
            .iter()
            .flat_map(|&t| self.consumers[t].iter().copied())
            .collect();
        next.sort_unstable();
        next.dedup();
        next
    }

    /// Kahn's algorithm with a stack (depth first, so branches stay together); an op that
    /// feeds no other op goes to the bottom of the stack so graph outputs come last.
    fn execution_order(&self) -> Result<Vec<usize>, ModelErrorKind> {
        let successors: Vec<Vec<usize>> =
            (0..self.ops.len()).map(|op| self.successors(op)).collect();
        let mut in_degree = vec![0usize; self.ops.len()];
        for next in &successors {
            for &s in next {
                in_degree[s] += 1;
            }
        }
        let mut stack: std::collections::VecDeque<usize> = std::collections::VecDeque::new();
        let make_ready = |stack: &mut std::collections::VecDeque<usize>, op: usize| {
            if successors[op].is_empty() {
                stack.push_front(op);
            } else {
                stack.push_back(op);
            }
        };
        for op in (0..self.ops.len()).rev().filter(|&op| in_degree[op] == 0) {
            make_ready(&mut stack, op);
        }
        let mut order = Vec::with_capacity(self.ops.len());
        while let Some(op) = stack.pop_back() {
            order.push(op);
            for &s in successors[op].iter().rev() {
                in_degree[s] -= 1;
                if in_degree[s] == 0 {
                    make_ready(&mut stack, s);
                }
            }
        }
        if order.len() != self.ops.len() {
            return Err(ModelErrorKind::Corrupt("the operators form a cycle".into()));
        }
        Ok(order)
    }

    /// Total bytes of constant data read by the ops, each buffer counted once.
    pub fn param_bytes_of(&self, ops: &[usize]) -> u64 {
        let mut seen = std::collections::HashSet::new();
        ops.iter()
            .flat_map(|&op| self.ops[op].inputs.iter().flatten())
            .filter(|&&t| self.tensors[t].is_constant() && seen.insert(self.tensors[t].buffer))
            .map(|&t| self.tensors[t].const_bytes)
            .sum()
    }

    /// Total parameter bytes of the model.
    pub fn param_bytes(&self) -> u64 {
        self.param_bytes_of(&self.order)
    }

    /// Ops with the Edge TPU compiler's custom op, which only an Edge TPU can run.
    pub fn edgetpu_ops(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.ops.len()).filter(|&i| self.ops[i].custom && self.ops[i].kind == EDGETPU_CUSTOM_OP)
    }

    /// Custom ops of any kind, by name, without repeats.
    pub fn custom_op_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .ops
            .iter()
            .filter(|op| op.custom)
            .map(|op| op.kind.clone())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// Finds an op by model index (`"12"`) or by the name of a tensor it writes.
    pub fn find_op(&self, key: &str) -> Option<usize> {
        if let Ok(i) = key.parse::<usize>() {
            return (i < self.ops.len()).then_some(i);
        }
        let t = self.tensors.iter().position(|t| t.name == key)?;
        self.producer[t]
    }
}

fn read_tensor(
    i: usize,
    t: &tflite::model::stl::memory::UniquePtr<tflite::model::TensorT>,
    buffer_sizes: &[u64],
) -> Result<Tensor, ModelErrorKind> {
    if !t.is_valid() {
        return Err(ModelErrorKind::Corrupt(format!("tensor {i} is missing")));
    }
    let name = t.name.c_str().to_string_lossy().into_owned();
    let buffer = index(t.buffer as i32, buffer_sizes.len().max(1), || {
        format!("the buffer of tensor {i} '{name}'")
    })?;
    let quantization = t.quantization.is_valid().then(|| Quantization {
        scale: t.quantization.scale.as_slice().to_vec(),
        zero_point: t.quantization.zero_point.as_slice().to_vec(),
        dimension: t.quantization.quantized_dimension,
    });
    let quantization = quantization.filter(|q| !q.scale.is_empty());
    Ok(Tensor {
        name,
        dtype: DType::from_schema(t.typ),
        shape: t.shape.as_slice().to_vec(),
        buffer,
        const_bytes: buffer_sizes.get(buffer).copied().unwrap_or(0),
        quantization,
    })
}

fn read_op(
    i: usize,
    op: &tflite::model::stl::memory::UniquePtr<tflite::model::OperatorT>,
    model: &ModelT,
    tensors: &[Tensor],
) -> Result<Op, ModelErrorKind> {
    if !op.is_valid() {
        return Err(ModelErrorKind::Corrupt(format!("operator {i} is missing")));
    }
    let codes = &model.operator_codes;
    let code = index(op.opcode_index as i32, codes.size(), || {
        format!("the opcode of operator {i}")
    })?;
    let code = &codes[code];
    if !code.is_valid() {
        return Err(ModelErrorKind::Corrupt(format!(
            "the opcode of operator {i} is missing"
        )));
    }
    let custom = code.builtin_code == tflite::model::BuiltinOperator::BuiltinOperator_CUSTOM;
    let kind = if custom {
        code.custom_code.c_str().to_string_lossy().into_owned()
    } else {
        format!("{:?}", code.builtin_code)
            .trim_start_matches("BuiltinOperator_")
            .to_string()
    };
    let n = tensors.len();
    let what = |role: &'static str| move || format!("an {role} of operator {i}");
    let inputs = op
        .inputs
        .iter()
        .map(|&t| {
            if t < 0 {
                Ok(None)
            } else {
                index(t, n, what("input")).map(Some)
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    let outputs = op
        .outputs
        .iter()
        .map(|&t| index(t, n, what("output")))
        .collect::<Result<Vec<_>, _>>()?;
    let intermediates = op
        .intermediates
        .iter()
        .map(|&t| index(t, n, what("intermediate")))
        .collect::<Result<Vec<_>, _>>()?;
    let mut constant: Vec<usize> = inputs
        .iter()
        .flatten()
        .copied()
        .filter(|&t| tensors[t].is_constant())
        .collect();
    constant.sort_unstable_by_key(|&t| tensors[t].buffer);
    constant.dedup_by_key(|t| tensors[*t].buffer);
    let param_bytes = constant.iter().map(|&t| tensors[t].const_bytes).sum();
    Ok(Op {
        kind,
        version: code.version,
        custom,
        inputs,
        outputs,
        intermediates,
        param_bytes,
    })
}
