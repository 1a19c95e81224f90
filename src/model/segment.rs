//! Cutting: which tensors cross each border, and writing a segment as its own `.tflite`.
//!
//! A segment is a contiguous range of the graph's execution order. Its inputs are the
//! activations it reads that an earlier segment (or the caller) provides; its outputs are the
//! activations it writes that a later segment reads or that are graph outputs. A tensor read
//! several segments later (a skip connection) is an output of its producer's segment and an
//! input of every later segment that reads it. Tensors keep their names: that is how the
//! pipeline routes them.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use serde::Serialize;

use super::copy::{self, Selection};
use super::flatbuf::Buf;
use super::proof::{self, ProofError};
use super::write;
use super::{EDGETPU_CUSTOM_OP, Graph, Model, ModelErrorKind};

/// Why a set of cut points cannot make segments.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SegmentError {
    /// Cut bounds must rise strictly from 0 to the op count.
    #[error("segment {0} would hold no operators")]
    Empty(usize),
    /// Bounds do not cover the ops.
    #[error("segment bounds must start at 0 and end at {ops}, got {bounds:?}")]
    BadBounds {
        /// Ops in the model.
        ops: usize,
        /// The bounds given.
        bounds: Vec<usize>,
    },
    /// Two different tensors crossing borders have one name, so routing by name breaks.
    #[error("tensors {0} and {1} both cross a segment border under the name '{2}'")]
    DuplicateName(usize, usize, String),
    /// The model is already compiled for the Edge TPU.
    #[error(
        "already compiled for the Edge TPU ({0} op(s) '{EDGETPU_CUSTOM_OP}'); a compiled model \
         cannot be cut: segment the CPU model, then compile each segment with edgetpu_compiler"
    )]
    CompiledForEdgeTpu(usize),
    /// A tensor crossing a border has no name.
    #[error("tensor {0} crosses a segment border but has no name to route it by")]
    Unnamed(usize),
    /// The model could not be copied (it changed under the reader?).
    #[error("cannot copy the model: {0}")]
    Copy(ModelErrorKind),
    /// The segment would be too large for a flatbuffer.
    #[error(transparent)]
    TooLarge(#[from] write::TooLarge),
    /// A written segment does not carry its source: a bug, exit status 1.
    #[error(transparent)]
    Proof(#[from] ProofError),
}

impl SegmentError {
    /// True when the input (model or cut points) is at fault, false for a bug of the writer.
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, SegmentError::Proof(_))
    }
}

/// One planned segment.
#[derive(Debug, Clone, Serialize)]
pub struct SegmentPlan {
    /// Position of the segment in the chain.
    pub index: usize,
    /// Range of positions in the execution order.
    pub positions: Range<usize>,
    /// Model op indices, in execution order.
    pub ops: Vec<usize>,
    /// Input tensors (graph inputs in graph order first).
    pub inputs: Vec<usize>,
    /// Output tensors (graph outputs in graph order first).
    pub outputs: Vec<usize>,
    /// Constant bytes the segment holds.
    pub param_bytes: u64,
}

/// `<stem>_segment_<i>_of_<n>.tflite`, the Edge TPU compiler's naming.
pub fn segment_file_name(stem: &str, i: usize, n: usize) -> String {
    format!("{stem}_segment_{i}_of_{n}.tflite")
}

/// Refuses a model compiled for the Edge TPU: its one custom op holds everything.
pub fn check_cuttable(graph: &Graph) -> Result<(), SegmentError> {
    match graph.edgetpu_ops().count() {
        0 => Ok(()),
        n => Err(SegmentError::CompiledForEdgeTpu(n)),
    }
}

/// Plans the segments given by `bounds` (positions in `graph.order`, from 0 to the op count).
pub fn plan_segments(graph: &Graph, bounds: &[usize]) -> Result<Vec<SegmentPlan>, SegmentError> {
    check_cuttable(graph)?;
    let n_ops = graph.order.len();
    if bounds.len() < 2 || bounds[0] != 0 || bounds[bounds.len() - 1] != n_ops {
        return Err(SegmentError::BadBounds {
            ops: n_ops,
            bounds: bounds.to_vec(),
        });
    }
    if let Some(s) = bounds.windows(2).position(|w| w[1] <= w[0]) {
        return Err(SegmentError::Empty(s));
    }
    let mut segment_of = vec![0usize; graph.ops.len()];
    for (s, w) in bounds.windows(2).enumerate() {
        for &op in &graph.order[w[0]..w[1]] {
            segment_of[op] = s;
        }
    }
    let is_activation = |t: usize| !graph.tensors[t].is_constant();
    let read_after = |t: usize, s: usize| graph.consumers[t].iter().any(|&c| segment_of[c] > s);
    let plans: Vec<SegmentPlan> = bounds
        .windows(2)
        .enumerate()
        .map(|(s, w)| {
            let ops = graph.order[w[0]..w[1]].to_vec();
            let reads = |t: usize| {
                ops.iter()
                    .any(|&op| graph.ops[op].inputs.contains(&Some(t)))
            };
            let fed_from_outside = |t: usize| match graph.producer[t] {
                Some(p) => segment_of[p] < s,
                None => graph.inputs.contains(&t),
            };
            let mut inputs: Vec<usize> = graph
                .inputs
                .iter()
                .copied()
                .filter(|&t| reads(t) || (s == 0 && graph.consumers[t].is_empty()))
                .collect();
            let mut outputs: Vec<usize> = graph
                .outputs
                .iter()
                .copied()
                .filter(|&t| graph.producer[t].is_some_and(|p| segment_of[p] == s))
                .collect();
            for &op in &ops {
                for &t in graph.ops[op].inputs.iter().flatten() {
                    if is_activation(t) && fed_from_outside(t) && !inputs.contains(&t) {
                        inputs.push(t);
                    }
                }
                for &t in &graph.ops[op].outputs {
                    if read_after(t, s) && !outputs.contains(&t) {
                        outputs.push(t);
                    }
                }
            }
            let param_bytes = graph.param_bytes_of(&ops);
            SegmentPlan {
                index: s,
                positions: w[0]..w[1],
                ops,
                inputs,
                outputs,
                param_bytes,
            }
        })
        .collect();
    check_border_names(graph, &plans)?;
    Ok(plans)
}

fn check_border_names(graph: &Graph, plans: &[SegmentPlan]) -> Result<(), SegmentError> {
    if plans.len() < 2 {
        return Ok(());
    }
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    for &t in plans.iter().flat_map(|p| p.inputs.iter().chain(&p.outputs)) {
        let name = graph.tensors[t].name.as_str();
        if name.is_empty() {
            return Err(SegmentError::Unnamed(t));
        }
        match by_name.insert(name, t) {
            Some(other) if other != t => {
                return Err(SegmentError::DuplicateName(other, t, name.to_string()));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Writes one planned segment as a standalone model holding only the tensors, buffers and
/// opcodes its ops use (indices renumbered), every other field copied from the source by the
/// generic copier, and a signature def naming the segment's own inputs and outputs.
pub fn write_segment(model: &Model, plan: &SegmentPlan) -> Result<Vec<u8>, SegmentError> {
    let graph = &model.graph;
    // Old index -> new index, in first-use order so the output is deterministic.
    let mut tensor_map: BTreeMap<usize, usize> = BTreeMap::new();
    let mut tensor_order: Vec<usize> = Vec::new();
    let mut use_tensor = |t: usize| {
        tensor_map.entry(t).or_insert_with(|| {
            tensor_order.push(t);
            tensor_order.len() - 1
        });
    };
    for &t in plan.inputs.iter().chain(&plan.outputs) {
        use_tensor(t);
    }
    for &op in &plan.ops {
        graph.ops[op].tensors().for_each(&mut use_tensor);
    }
    let signature = model.signatures.first();
    let names: HashMap<usize, &str> = signature
        .map(|s| {
            s.inputs
                .iter()
                .chain(&s.outputs)
                .map(|(name, t)| (*t, name.as_str()))
                .collect()
        })
        .unwrap_or_default();
    let name = |t: usize| {
        names
            .get(&t)
            .map_or_else(|| graph.tensors[t].name.clone(), |n| n.to_string())
    };
    let constant = |t: usize| graph.tensors[t].is_constant();
    let sel = Selection {
        tensors: &tensor_order,
        ops: &plan.ops,
        inputs: &plan.inputs,
        outputs: &plan.outputs,
        constant: &constant,
        signature_name: &name,
        signature_key: signature.map_or("serving_default", |s| s.key.as_str()),
    };
    let buf = Buf(&model.bytes);
    let root = copy::segment(&buf, &sel).map_err(SegmentError::Copy)?;
    let capacity = plan.param_bytes as usize + 4096 * (1 + plan.ops.len());
    Ok(write::finish(&root, capacity)?)
}

/// Writes the ops at execution positions `range` as one standalone segment.
pub fn extract(model: &Model, range: std::ops::Range<usize>) -> Result<Vec<u8>, SegmentError> {
    let ops = model.graph.order.len();
    let mut bounds = vec![0, range.start, range.end, ops];
    bounds.dedup();
    let plans = plan_segments(&model.graph, &bounds)?;
    let plan = plans
        .iter()
        .find(|p| p.positions == range)
        .ok_or(SegmentError::BadBounds {
            ops,
            bounds: vec![range.start, range.end],
        })?;
    write_segment(model, plan)
}

/// One written segment.
pub struct Segment {
    /// What it holds.
    pub plan: SegmentPlan,
    /// The `.tflite` bytes.
    pub bytes: Vec<u8>,
}

/// Plans and writes the segments given by `bounds`, each one proven to carry its source
/// ([`prove`]).
pub fn cut(model: &Model, bounds: &[usize]) -> Result<Vec<Segment>, SegmentError> {
    plan_segments(&model.graph, bounds)?
        .into_iter()
        .map(|plan| {
            let bytes = write_segment(model, &plan)?;
            prove(model, &plan, &bytes)?;
            Ok(Segment { bytes, plan })
        })
        .collect()
}

/// Re-reads a written segment and compares every field of every copied table with the source
/// (the independent walk of [`proof`]).
pub fn prove(model: &Model, plan: &SegmentPlan, written: &[u8]) -> Result<(), ProofError> {
    proof::prove(&model.bytes, plan, written)
}
