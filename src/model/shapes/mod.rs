//! The shape rules of the operator checks ([`super::ops`]): the tensors of the common
//! operators fit each other (a convolution's input and filter are of rank 4 and agree on
//! channels, a fully connected layer's weights fit its input, concatenated inputs agree
//! except on the axis, a reshape keeps the element count, element-wise inputs broadcast,
//! reducer and squeeze axes lie within the rank), each has the outputs it writes, and each
//! output has the shape TensorFlow Lite's kernel computes for it when it prepares the model.
//!
//! A shape is known when every dimension is above 0 (an empty shape is a scalar's); a rule
//! that needs an unknown shape is skipped (a dynamic tensor is TensorFlow Lite's to resolve).
//! So is a rule whose constant operands (a permutation, begin and end indices, paddings, an
//! axis) are not constant tensors of the type and length the kernel reads, or whose
//! semantics are not modelled here (a strided slice's ellipsis and new axes): refusing a
//! valid model is worse than missing a bad one.
//! The stored shapes matter even where TensorFlow Lite recomputes them: a cut makes an
//! intermediate a segment's input or output, bound and piped at its stored shape.
//!
//! Here: the dispatch, the helpers and the element-wise, joining and reducing rules;
//! `spatial.rs`: convolutions, pools and resizes; `slicing.rs`: slices, gathers, splits, pads
//! and tiles; `layout.rs`: transposes, matrix products, packs, added and removed axes.

mod layout;
mod slicing;
mod spatial;

use super::check::{Reason, refuse};
use super::flatbuf::{Buf, Result, Table};
use super::schema_gen::{slot, table as tid};
use spatial::{Window, conv, pool, resize, spatial};

/// What the rules know of one tensor.
pub struct TensorInfo<'a> {
    /// The stored shape.
    pub shape: Vec<i32>,
    /// The `TensorType` value.
    pub dtype: i64,
    /// The constant data, when the tensor has a buffer with data.
    pub data: Option<&'a [u8]>,
}

/// One operator as the rules see it.
pub struct OpView<'m, 'a> {
    /// Builtin name (`CONV_2D`).
    pub name: &'static str,
    /// Input tensor indices (-1: an omitted optional input).
    pub inputs: Vec<i32>,
    /// Output tensor indices.
    pub outputs: Vec<i32>,
    /// Every tensor of the subgraph.
    pub tensors: &'m [TensorInfo<'a>],
    /// The option table, when present and of the expected type.
    pub options: Option<Table>,
}

/// The known shape of tensor `index`, if any.
fn known<'m>(tensors: &'m [TensorInfo], index: Option<&i32>) -> Option<&'m [i32]> {
    let t = info(tensors, index)?;
    let ok = t.shape.iter().all(|&d| d > 0);
    ok.then_some(t.shape.as_slice())
}

fn elements(shape: &[i32]) -> u64 {
    shape.iter().map(|&d| d as u64).product()
}

/// Tensor `index`, if it is one.
fn info<'m, 'a>(tensors: &'m [TensorInfo<'a>], index: Option<&i32>) -> Option<&'m TensorInfo<'a>> {
    tensors.get(usize::try_from(*index?).ok()?)
}

/// The values of input `k` when it is a constant int32 tensor, or int64 with `wide` (the
/// kernels that read either) holding int32 values (the kernels cast them to int).
fn constant_ints(op: &OpView, k: usize, wide: bool) -> Option<Vec<i64>> {
    let t = info(op.tensors, op.inputs.get(k))?;
    let data = t.data?;
    let values: Vec<i64> = match t.dtype {
        INT32 => data
            .chunks_exact(4)
            .map(|c| i64::from(i32::from_le_bytes([c[0], c[1], c[2], c[3]])))
            .collect(),
        INT64 if wide => data
            .chunks_exact(8)
            .map(|c| i64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
            .collect(),
        _ => return None,
    };
    let int = i64::from(i32::MIN)..=i64::from(i32::MAX);
    values.iter().all(|v| int.contains(v)).then_some(values)
}

/// The one value of input `k`, a constant int32 (or int64 with `wide`) tensor of one element.
fn constant_int(op: &OpView, k: usize, wide: bool) -> Option<i64> {
    match constant_ints(op, k, wide)?.as_slice() {
        &[v] => Some(v),
        _ => None,
    }
}

/// An option of the operator's table, of `size` bytes (`default` without a table).
fn option(buf: &Buf, op: &OpView, slot: usize, size: usize, default: i64) -> Result<i64> {
    op.options
        .map_or(Ok(default), |t| buf.int(t, slot, size, true, default))
}

/// `axis` within `rank` (a negative axis counts from the end), as TensorFlow Lite resolves it.
fn resolve(axis: i64, rank: usize) -> Option<usize> {
    let rank = rank as i64;
    let axis = if axis < 0 { axis + rank } else { axis };
    (0..rank).contains(&axis).then_some(axis as usize)
}

/// Output `k`, when known, has the shape `want` that TensorFlow Lite computes for it; `from`
/// says from what.
fn output_is(op: &OpView, k: usize, want: &[i64], from: impl FnOnce() -> String) -> Problem {
    let o = known(op.tensors, op.outputs.get(k))?;
    let same = o.len() == want.len() && o.iter().zip(want).all(|(&a, &b)| i64::from(a) == b);
    (!same).then(|| {
        (
            OUTPUTS,
            format!("output {k} {o:?} should be {want:?} for {}", from()),
        )
    })
}

/// Each output `k`, when known, has the shape `want(k)`.
fn outputs_are(
    op: &OpView,
    want: impl Fn(usize) -> Vec<i64>,
    from: impl Fn() -> String,
) -> Problem {
    (0..op.outputs.len()).find_map(|k| output_is(op, k, &want(k), &from))
}

/// Operators that write exactly one output.
const ONE_OUTPUT: &[&str] = &[
    "CONV_2D",
    "DEPTHWISE_CONV_2D",
    "AVERAGE_POOL_2D",
    "MAX_POOL_2D",
    "L2_POOL_2D",
    "CONCATENATION",
    "RESHAPE",
    "SOFTMAX",
    "ADD",
    "SUB",
    "MUL",
    "MEAN",
    "SUM",
    "REDUCE_MAX",
    "REDUCE_MIN",
    "REDUCE_PROD",
    "SQUEEZE",
    "PAD",
    "TRANSPOSE_CONV",
    "RESIZE_BILINEAR",
    "RESIZE_NEAREST_NEIGHBOR",
    "STRIDED_SLICE",
    "LOGISTIC",
    "TANH",
    "RELU",
    "RELU6",
    "QUANTIZE",
    "DEQUANTIZE",
    "GATHER",
    "SLICE",
    "PADV2",
    "MIRROR_PAD",
    "TILE",
    "TRANSPOSE",
    "BATCH_MATMUL",
    "PACK",
    "EXPAND_DIMS",
    "ARG_MAX",
    "ARG_MIN",
    "SHAPE",
    "CAST",
];

/// Operators whose output has their (first) input's shape.
const SAME_SHAPE: &[&str] = &[
    "SOFTMAX",
    "LOGISTIC",
    "TANH",
    "RELU",
    "RELU6",
    "RELU_N1_TO_1",
    "RELU_0_TO_1",
    "LEAKY_RELU",
    "HARD_SWISH",
    "ELU",
    "GELU",
    "EXP",
    "LOG",
    "SQRT",
    "RSQRT",
    "ABS",
    "NEG",
    "SIN",
    "COS",
    "SQUARE",
    "QUANTIZE",
    "DEQUANTIZE",
    "L2_NORMALIZATION",
    "LOCAL_RESPONSE_NORMALIZATION",
    "LOG_SOFTMAX",
    "CAST",
    "FLOOR",
    "CEIL",
    "ROUND",
    "SIGN",
    "LOGICAL_NOT",
    "ZEROS_LIKE",
    "ONES_LIKE",
];

/// Operators that read no tensor (all others read at least one).
const NO_INPUTS: &[&str] = &["VAR_HANDLE", "CALL_ONCE"];

/// `TensorType.INT32`.
const INT32: i64 = 2;
/// `TensorType.INT64`.
const INT64: i64 = 4;

const REDUCERS: &[&str] = &[
    "MEAN",
    "SUM",
    "REDUCE_MAX",
    "REDUCE_MIN",
    "REDUCE_PROD",
    "REDUCE_ANY",
    "REDUCE_ALL",
];

/// Element-wise operators of two inputs whose output is the inputs broadcast.
const BROADCAST: &[&str] = &[
    "ADD",
    "SUB",
    "MUL",
    "DIV",
    "MAXIMUM",
    "MINIMUM",
    "SQUARED_DIFFERENCE",
    "POW",
    "FLOOR_DIV",
    "FLOOR_MOD",
    "LESS",
    "LESS_EQUAL",
    "GREATER",
    "GREATER_EQUAL",
    "EQUAL",
    "NOT_EQUAL",
    "LOGICAL_AND",
    "LOGICAL_OR",
];

/// Checks `op`'s tensors against its rules; `owner` names it.
pub fn check(buf: &Buf, op: &OpView, owner: &dyn Fn() -> Result<String>) -> Result<()> {
    let io = |field: usize, reason: Reason| -> Result<()> {
        Err(refuse(tid::OPERATOR, field, &owner()?, reason))
    };
    let one_output = ONE_OUTPUT.contains(&op.name) || BROADCAST.contains(&op.name);
    if one_output && op.outputs.len() != 1 {
        let reason = Reason::TensorCount {
            got: op.outputs.len(),
            want: 1,
        };
        return io(slot::operator::OUTPUTS, reason);
    }
    if op.inputs.is_empty() && !NO_INPUTS.contains(&op.name) {
        let reason = Reason::TooFewTensors { got: 0, need: 1 };
        return io(slot::operator::INPUTS, reason);
    }
    let problem = match op.name {
        "CONV_2D" => conv(op, false).or(spatial(buf, op, Window::Conv)?),
        "DEPTHWISE_CONV_2D" => conv(op, true).or(spatial(buf, op, Window::Depthwise)?),
        "AVERAGE_POOL_2D" | "MAX_POOL_2D" | "L2_POOL_2D" => {
            pool(op).or(spatial(buf, op, Window::Pool)?)
        }
        "RESIZE_BILINEAR" | "RESIZE_NEAREST_NEIGHBOR" => resize(op),
        "FULLY_CONNECTED" => fully_connected(op).or(layout::fully_connected(buf, op)?),
        "CONCATENATION" => concatenation(buf, op)?,
        "RESHAPE" => reshape(op),
        name if SAME_SHAPE.contains(&name) => same_shape(op),
        name if BROADCAST.contains(&name) => broadcast(op),
        name if REDUCERS.contains(&name) => {
            reducer(op, &io)?;
            layout::reduced(buf, op)?
        }
        "SQUEEZE" => {
            squeeze(buf, op, owner)?;
            layout::squeezed(buf, op)?
        }
        "STRIDED_SLICE" => slicing::strided_slice(buf, op)?,
        "SLICE" => slicing::slice(op),
        "GATHER" => slicing::gather(buf, op)?,
        "SPLIT" => slicing::split(buf, op)?,
        "SPLIT_V" => slicing::split_v(op),
        "PAD" | "PADV2" | "MIRROR_PAD" => slicing::pad(op),
        "TILE" => slicing::tile(op),
        "TRANSPOSE" => layout::transpose(op),
        "BATCH_MATMUL" => layout::batch_matmul(buf, op)?,
        "PACK" => layout::pack(buf, op)?,
        "UNPACK" => layout::unpack(buf, op)?,
        "EXPAND_DIMS" => layout::expand_dims(op),
        "ARG_MAX" | "ARG_MIN" => layout::arg_reduce(op),
        "SHAPE" => layout::shape(op),
        "TRANSPOSE_CONV" => layout::transpose_conv(op),
        _ => None,
    };
    match problem {
        Some((field, text)) => io(field, Reason::Shapes(text)),
        None => Ok(()),
    }
}

/// A problem: the field it is in (`inputs` or `outputs`) and what is wrong.
type Problem = Option<(usize, String)>;

const INPUTS: usize = slot::operator::INPUTS;
const OUTPUTS: usize = slot::operator::OUTPUTS;

fn rank(what: &str, shape: Option<&[i32]>, want: usize, field: usize) -> Problem {
    let s = shape?;
    (s.len() != want).then(|| (field, format!("{what} has rank {}, {want} needed", s.len())))
}

/// Weights [units, depth]: the input's element count is a multiple of depth, one bias per
/// unit, and the output's last dimension is the units.
fn fully_connected(op: &OpView) -> Problem {
    let t = op.tensors;
    let weights = known(t, op.inputs.get(1));
    rank("input 1 (the weights)", weights, 2, INPUTS).or_else(|| {
        let w = weights?;
        let (units, depth) = (w[0], w[1]);
        if let Some(i) =
            known(t, op.inputs.first()).filter(|i| !elements(i).is_multiple_of(depth as u64))
        {
            let text = format!(
                "input 0 has {} elements, not a multiple of the weights' depth {depth}",
                elements(i)
            );
            return Some((INPUTS, text));
        }
        if let Some(b) = known(t, op.inputs.get(2)).filter(|b| elements(b) != units as u64) {
            let text = format!(
                "input 2 (the bias) has {} values for {units} units",
                elements(b)
            );
            return Some((INPUTS, text));
        }
        let o = known(t, op.outputs.first())?;
        (o.last() != Some(&units)).then(|| {
            let text = format!("output 0 {o:?} does not end in the weights' {units} units");
            (OUTPUTS, text)
        })
    })
}

/// The inputs agree on rank and on every dimension but the axis; the output's axis is their
/// sum.
fn concatenation(buf: &Buf, op: &OpView) -> Result<Problem> {
    let Some(options) = op.options else {
        return Ok(None);
    };
    let axis = buf.int(options, slot::concatenation_options::AXIS, 4, true, 0)?;
    let shapes: Option<Vec<&[i32]>> = op
        .inputs
        .iter()
        .map(|i| known(op.tensors, Some(i)))
        .collect();
    let Some(shapes) = shapes.filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let first = shapes[0];
    let rank = first.len() as i64;
    if !(-rank..rank).contains(&axis) {
        return Ok(None); // The option check refuses the axis itself.
    }
    let axis = axis.rem_euclid(rank) as usize;
    for (n, s) in shapes.iter().enumerate().skip(1) {
        let agree = s.len() == first.len()
            && s.iter()
                .zip(first)
                .enumerate()
                .all(|(d, (a, b))| d == axis || a == b);
        if !agree {
            let text = format!("input {n} {s:?} does not fit input 0 {first:?} along axis {axis}");
            return Ok(Some((INPUTS, text)));
        }
    }
    let sum: i64 = shapes.iter().map(|s| i64::from(s[axis])).sum();
    let Some(o) = known(op.tensors, op.outputs.first()) else {
        return Ok(None);
    };
    let fits = o.len() == first.len()
        && o.iter()
            .zip(first)
            .enumerate()
            .all(|(d, (&a, &b))| match d == axis {
                true => i64::from(a) == sum,
                false => a == b,
            });
    Ok((!fits).then(|| {
        let text = format!("output 0 {o:?} is not the inputs joined along axis {axis} ({sum})");
        (OUTPUTS, text)
    }))
}

fn reshape(op: &OpView) -> Problem {
    let i = known(op.tensors, op.inputs.first())?;
    let o = known(op.tensors, op.outputs.first())?;
    (elements(i) != elements(o)).then(|| {
        let text = format!(
            "output 0 {o:?} has {} elements, input 0 {i:?} has {}",
            elements(o),
            elements(i)
        );
        (OUTPUTS, text)
    })
}

fn same_shape(op: &OpView) -> Problem {
    let i = known(op.tensors, op.inputs.first())?;
    let o = known(op.tensors, op.outputs.first())?;
    (i != o).then(|| {
        (
            OUTPUTS,
            format!("output 0 {o:?} is not input 0's shape {i:?}"),
        )
    })
}

/// The two inputs broadcast (each dimension from the last equal, or one of them 1), to the
/// output's shape.
fn broadcast(op: &OpView) -> Problem {
    let a = known(op.tensors, op.inputs.first())?;
    let b = known(op.tensors, op.inputs.get(1))?;
    let n = a.len().max(b.len());
    let dim = |s: &[i32], k: usize| if k < s.len() { s[s.len() - 1 - k] } else { 1 };
    let mut joined = vec![0; n];
    for k in 0..n {
        let (x, y) = (dim(a, k), dim(b, k));
        if x != y && x != 1 && y != 1 {
            let text = format!("inputs {a:?} and {b:?} do not broadcast");
            return Some((INPUTS, text));
        }
        joined[n - 1 - k] = x.max(y);
    }
    let o = known(op.tensors, op.outputs.first())?;
    (o != joined.as_slice()).then(|| {
        (
            OUTPUTS,
            format!("output 0 {o:?} is not the inputs broadcast, {joined:?}"),
        )
    })
}

/// The axes (input 1, constant int32) lie within input 0's rank.
fn reducer(op: &OpView, io: &dyn Fn(usize, Reason) -> Result<()>) -> Result<()> {
    let Some(input) = known(op.tensors, op.inputs.first()) else {
        return Ok(());
    };
    let axes = op
        .inputs
        .get(1)
        .and_then(|&i| op.tensors.get(usize::try_from(i).ok()?))
        .filter(|t| t.dtype == INT32)
        .and_then(|t| t.data);
    let rank = input.len() as i64;
    for axis in axes.unwrap_or_default().chunks_exact(4) {
        let axis = i64::from(i32::from_le_bytes([axis[0], axis[1], axis[2], axis[3]]));
        if !(-rank..rank).contains(&axis) {
            return io(INPUTS, Reason::Axis { axis, rank });
        }
    }
    Ok(())
}

/// SqueezeOptions.squeeze_dims lie within the input's rank.
fn squeeze(buf: &Buf, op: &OpView, owner: &dyn Fn() -> Result<String>) -> Result<()> {
    let (Some(options), Some(input)) = (op.options, known(op.tensors, op.inputs.first())) else {
        return Ok(());
    };
    let rank = input.len() as i64;
    let s = slot::squeeze_options::SQUEEZE_DIMS;
    for axis in buf.i32s(options, s)? {
        let axis = i64::from(axis);
        if !(-rank..rank).contains(&axis) {
            let reason = Reason::Axis { axis, rank };
            return Err(refuse(tid::SQUEEZE_OPTIONS, s, &owner()?, reason));
        }
    }
    Ok(())
}
