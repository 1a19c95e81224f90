//! The model's single subgraph as plain Rust data: tensors, operators, who produces and who
//! consumes what, parameter bytes, and the execution order segments are cut from.

use serde::Serialize;

use super::ModelErrorKind;
pub use crate::tensor::{DType, Quantization};

/// Custom code of the op that the Edge TPU compiler puts around everything it maps to the TPU.
pub const EDGETPU_CUSTOM_OP: &str = "edgetpu-custom-op";

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
        let elements = self.shape.iter().try_fold(1usize, |acc, &d| {
            usize::try_from(d).ok().and_then(|d| acc.checked_mul(d))
        })?;
        self.dtype.bytes_for(elements).map(|b| b as u64)
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

impl Graph {
    /// Builds the graph from its tensors, operators and graph inputs/outputs (indices already
    /// checked), working out producers, consumers and the execution order.
    pub fn from_parts(
        tensors: Vec<Tensor>,
        ops: Vec<Op>,
        inputs: Vec<usize>,
        outputs: Vec<usize>,
    ) -> Result<Graph, ModelErrorKind> {
        let n = tensors.len();
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
