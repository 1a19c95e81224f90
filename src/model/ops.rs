//! The operator checks: what TensorFlow Lite trusts about an operator and crashes on when it
//! is wrong (a stride of 0 divides by zero, a missing option table is read as zeros, a short
//! input list is read past its end). Run by [`super::check::check`], so inspect, segment,
//! verify, bench, check-config and run refuse such a model alike, naming the operator and
//! the field, before any engine sees it.
//!
//! Checked: the option table is of the type the opcode expects (and present where its
//! values matter); strides, dilations and filter sizes are at least 1; a concatenation axis is
//! within its input's rank; the operator has its required inputs and an output; every tensor's
//! element count fits memory; a constant tensor's buffer is exactly shape x element size.

use super::check::{Reason, refuse};
use super::flatbuf::{Buf, Result, Table};
use super::schema;
use super::schema_gen::{slot, table as tid, union};
use super::shapes::{self, OpView, TensorInfo};

/// The most bytes one tensor may describe (2 GiB, the most a flatbuffer can hold).
pub const MAX_TENSOR_BYTES: u64 = 1 << 31;

/// What an opcode needs: its options member, whether the table must be there, the least
/// inputs, and the option fields that must be at least 1 (slot, default).
struct OpRule {
    op: &'static str,
    options: &'static str,
    required: bool,
    min_inputs: usize,
    at_least_one: &'static [(usize, i64)],
}

use slot::conv2_d_options as conv;
use slot::depthwise_conv2_d_options as dw;
use slot::pool2_d_options as pool;

const CONV: &[(usize, i64)] = &[
    (conv::STRIDE_W, 0),
    (conv::STRIDE_H, 0),
    (conv::DILATION_W_FACTOR, 1),
    (conv::DILATION_H_FACTOR, 1),
];
const DEPTHWISE: &[(usize, i64)] = &[
    (dw::STRIDE_W, 0),
    (dw::STRIDE_H, 0),
    (dw::DILATION_W_FACTOR, 1),
    (dw::DILATION_H_FACTOR, 1),
];
const POOL: &[(usize, i64)] = &[
    (pool::STRIDE_W, 0),
    (pool::STRIDE_H, 0),
    (pool::FILTER_WIDTH, 0),
    (pool::FILTER_HEIGHT, 0),
];

const fn rule(op: &'static str, options: &'static str, min_inputs: usize) -> OpRule {
    OpRule {
        op,
        options,
        required: false,
        min_inputs,
        at_least_one: &[],
    }
}

const fn required(
    op: &'static str,
    options: &'static str,
    min_inputs: usize,
    at_least_one: &'static [(usize, i64)],
) -> OpRule {
    OpRule {
        op,
        options,
        required: true,
        min_inputs,
        at_least_one,
    }
}

const RULES: &[OpRule] = &[
    required("CONV_2D", "Conv2DOptions", 2, CONV),
    required("DEPTHWISE_CONV_2D", "DepthwiseConv2DOptions", 2, DEPTHWISE),
    required("AVERAGE_POOL_2D", "Pool2DOptions", 1, POOL),
    required("MAX_POOL_2D", "Pool2DOptions", 1, POOL),
    required("L2_POOL_2D", "Pool2DOptions", 1, POOL),
    required("CONCATENATION", "ConcatenationOptions", 1, &[]),
    rule("FULLY_CONNECTED", "FullyConnectedOptions", 2),
    // The element-wise kernels count their own inputs (a clean error, no crash).
    rule("ADD", "AddOptions", 0),
    rule("SUB", "SubOptions", 0),
    rule("MUL", "MulOptions", 0),
    rule("SOFTMAX", "SoftmaxOptions", 1),
    rule("RESHAPE", "ReshapeOptions", 1),
    rule("MEAN", "ReducerOptions", 2),
    rule("PAD", "PadOptions", 2),
    rule("TRANSPOSE_CONV", "TransposeConvOptions", 3),
    rule("RESIZE_BILINEAR", "ResizeBilinearOptions", 2),
    rule("SQUEEZE", "SqueezeOptions", 1),
    rule("STRIDED_SLICE", "StridedSliceOptions", 4),
    // The shape rules read these options (the kernels count their own inputs).
    rule("SUM", "ReducerOptions", 0),
    rule("REDUCE_MAX", "ReducerOptions", 0),
    rule("REDUCE_MIN", "ReducerOptions", 0),
    rule("REDUCE_PROD", "ReducerOptions", 0),
    rule("REDUCE_ANY", "ReducerOptions", 0),
    rule("REDUCE_ALL", "ReducerOptions", 0),
    rule("GATHER", "GatherOptions", 0),
    rule("BATCH_MATMUL", "BatchMatMulOptions", 0),
    rule("SPLIT", "SplitOptions", 0),
    rule("SPLIT_V", "SplitVOptions", 0),
    rule("PACK", "PackOptions", 0),
    rule("UNPACK", "UnpackOptions", 0),
];

/// The options member named `name` and its tag.
fn member_named(name: &str) -> Option<(u8, schema::TableId)> {
    (1..=u8::MAX).find_map(|tag| {
        schema::member(union::BUILTIN_OPTIONS, tag)
            .filter(|(n, _)| *n == name)
            .map(|(_, id)| (tag, id))
    })
}

/// Checks every operator and tensor of `subgraph`; `owner(i, op)` names operator `i`.
pub fn check(
    buf: &Buf,
    model: Table,
    subgraph: Table,
    op_owner: &dyn Fn(usize, Table) -> Result<String>,
    tensor_owner: &dyn Fn(usize, Table) -> Result<String>,
) -> Result<()> {
    let tensors = buf.tables(subgraph, slot::sub_graph::TENSORS)?;
    let infos = tensors
        .iter()
        .enumerate()
        .map(|(i, &t)| tensor(buf, model, i, t, tensor_owner))
        .collect::<Result<Vec<_>>>()?;
    let codes = buf.tables(model, slot::model::OPERATOR_CODES)?;
    let ops = buf.tables(subgraph, slot::sub_graph::OPERATORS)?;
    for (i, &op) in ops.iter().enumerate() {
        let index = buf.int(op, slot::operator::OPCODE_INDEX, 4, false, 0)? as usize;
        let Some(&code) = codes.get(index) else {
            continue; // The graph reader names a bad opcode index.
        };
        let name = schema::builtin_name(super::check::effective_code(buf, code)?);
        let owner = || op_owner(i, op);
        let inputs = buf.i32s(op, slot::operator::INPUTS)?;
        let omitted = (inputs.iter().enumerate())
            .position(|(k, &t)| t < 0 && !name.is_some_and(|name| may_omit(name, k)));
        if let Some(k) = omitted {
            let owner = owner()?;
            return Err(refuse(
                tid::OPERATOR,
                slot::operator::INPUTS,
                &owner,
                Reason::Omitted(k),
            ));
        }
        if let Some(r) = RULES.iter().find(|r| Some(r.op) == name) {
            operator(buf, op, r, &inputs, &infos, &owner)?;
        }
        let outputs = buf.i32s(op, slot::operator::OUTPUTS)?;
        if let Some(name) = name.filter(|_| !outputs.is_empty()) {
            let view = OpView {
                name,
                inputs,
                outputs,
                tensors: &infos,
                options: buf.sub_table(op, slot::operator::BUILTIN_OPTIONS)?,
            };
            shapes::check(buf, &view, &owner)?;
        } else if outputs.is_empty() {
            let owner = op_owner(i, op)?;
            return Err(refuse(
                tid::OPERATOR,
                slot::operator::OUTPUTS,
                &owner,
                Reason::TooFewTensors { got: 0, need: 1 },
            ));
        }
    }
    activations(buf, subgraph, &ops, &tensors, &infos, tensor_owner)
}

/// Whether operator `name` may leave its input `k` out (-1): a bias, PADV2's constant
/// value, RESHAPE's shape tensor (its options then give the shape), the recurrent operators'
/// optional weights and states; any but the first for a custom or StableHLO operator, whose
/// inputs this layer does not know. Any other kernel reads its input without looking, and an
/// omitted one crashes it. This is the one rule for omitted inputs.
fn may_omit(name: &str, k: usize) -> bool {
    match name {
        "CONV_2D" | "DEPTHWISE_CONV_2D" | "FULLY_CONNECTED" | "PADV2" | "CONV_3D" => k == 2,
        "TRANSPOSE_CONV" | "SVDF" | "CONV_3D_TRANSPOSE" => k == 3,
        "RESHAPE" => k == 1,
        "LSTM"
        | "UNIDIRECTIONAL_SEQUENCE_LSTM"
        | "BIDIRECTIONAL_SEQUENCE_LSTM"
        | "BIDIRECTIONAL_SEQUENCE_RNN"
        | "UNIDIRECTIONAL_SEQUENCE_RNN"
        | "RNN" => k > 0,
        // Input 0 is the data every operator reads first.
        "CUSTOM" => k > 0,
        name => name.starts_with("STABLEHLO_") && k > 0,
    }
}

/// No activation (a graph input or an operator's output) has a dimension of 0 or below:
/// TensorFlow Lite recomputes an intermediate's shape, but a cut makes it a segment's input or
/// output, where the stored shape is what is bound and piped (a dynamic size is -1 in
/// `shape_signature`, never in `shape`).
fn activations(
    buf: &Buf,
    subgraph: Table,
    ops: &[Table],
    tensors: &[Table],
    infos: &[TensorInfo],
    owner: &dyn Fn(usize, Table) -> Result<String>,
) -> Result<()> {
    let mut written = buf.i32s(subgraph, slot::sub_graph::INPUTS)?;
    for &op in ops {
        written.extend(buf.i32s(op, slot::operator::OUTPUTS)?);
    }
    for t in written.into_iter().filter_map(|t| usize::try_from(t).ok()) {
        let (Some(info), Some(&table)) = (infos.get(t), tensors.get(t)) else {
            continue; // The graph reader names a bad index.
        };
        if let Some(d) = info.shape.iter().position(|&d| d <= 0) {
            let reason = match info.shape[d] {
                0 => Reason::EmptyDimension(d),
                size => Reason::NegativeDimension { dim: d, size },
            };
            return Err(refuse(
                tid::TENSOR,
                slot::tensor::SHAPE,
                &owner(t, table)?,
                reason,
            ));
        }
    }
    Ok(())
}

fn operator(
    buf: &Buf,
    op: Table,
    r: &OpRule,
    inputs: &[i32],
    tensors: &[TensorInfo],
    owner: &dyn Fn() -> Result<String>,
) -> Result<()> {
    if inputs.len() < r.min_inputs {
        return Err(refuse(
            tid::OPERATOR,
            slot::operator::INPUTS,
            &owner()?,
            Reason::TooFewTensors {
                got: inputs.len(),
                need: r.min_inputs,
            },
        ));
    }
    let Some((want_tag, want_table)) = member_named(r.options) else {
        return Ok(());
    };
    let tag = buf.int(op, slot::operator::BUILTIN_OPTIONS_TYPE, 1, false, 0)? as u8;
    let options = buf.sub_table(op, slot::operator::BUILTIN_OPTIONS)?;
    let got = schema::member(union::BUILTIN_OPTIONS, tag).map(|(n, _)| n);
    match (tag, options) {
        (0, None) if !r.required => return Ok(()),
        (0, _) => {
            let reason = Reason::OptionsMissing(r.options);
            return Err(refuse(
                tid::OPERATOR,
                slot::operator::BUILTIN_OPTIONS,
                &owner()?,
                reason,
            ));
        }
        (t, _) if t != want_tag => {
            let reason = Reason::OptionsType {
                expected: r.options,
                got: got.unwrap_or("an unknown table").to_string(),
            };
            let s = slot::operator::BUILTIN_OPTIONS_TYPE;
            return Err(refuse(tid::OPERATOR, s, &owner()?, reason));
        }
        _ => {}
    }
    let Some(options) = options else {
        return Ok(()); // A tag without its table is refused by the schema walk.
    };
    for &(s, default) in r.at_least_one {
        let value = buf.int(options, s, 4, true, default)?;
        if value < 1 {
            return Err(refuse(want_table, s, &owner()?, Reason::BelowOne(value)));
        }
    }
    if r.op == "CONCATENATION" {
        let axis = buf.int(options, slot::concatenation_options::AXIS, 4, true, 0)?;
        let rank = inputs
            .first()
            .and_then(|&t| usize::try_from(t).ok())
            .and_then(|t| tensors.get(t))
            .map_or(0, |t| t.shape.len() as i64);
        if rank > 0 && !(-rank..rank).contains(&axis) {
            let s = slot::concatenation_options::AXIS;
            return Err(refuse(
                want_table,
                s,
                &owner()?,
                Reason::Axis { axis, rank },
            ));
        }
    }
    Ok(())
}

/// Bytes per element of a tensor type; `None` for strings, packed and opaque types.
fn element_size(dtype: i64) -> Option<u64> {
    Some(match schema::tensor_type_name(dtype)? {
        "BOOL" | "UINT8" | "INT8" => 1,
        "FLOAT16" | "INT16" | "UINT16" | "BFLOAT16" => 2,
        "FLOAT32" | "INT32" | "UINT32" => 4,
        "FLOAT64" | "INT64" | "UINT64" | "COMPLEX64" => 8,
        "COMPLEX128" => 16,
        _ => return None,
    })
}

/// One tensor's shape and data, with its element count bounded and its constant data's size
/// checked.
fn tensor<'a>(
    buf: &Buf<'a>,
    model: Table,
    i: usize,
    t: Table,
    owner: &dyn Fn(usize, Table) -> Result<String>,
) -> Result<TensorInfo<'a>> {
    let shape = buf.i32s(t, slot::tensor::SHAPE)?;
    let dtype = buf.int(t, slot::tensor::TYPE, 1, true, 0)?;
    let size = element_size(dtype);
    let bytes = shape
        .iter()
        .try_fold(size.unwrap_or(1), |n, &d| {
            n.checked_mul(u64::from(d.unsigned_abs()))
        })
        .filter(|&n| n <= MAX_TENSOR_BYTES);
    let Some(bytes) = bytes else {
        let reason = Reason::TooLarge(MAX_TENSOR_BYTES);
        return Err(refuse(
            tid::TENSOR,
            slot::tensor::SHAPE,
            &owner(i, t)?,
            reason,
        ));
    };
    let sparse = buf.slot_offset(t, slot::tensor::SPARSITY)? != 0;
    let index = buf.int(t, slot::tensor::BUFFER, 4, false, 0)? as usize;
    let dynamic = shape.iter().any(|&d| d < 0);
    let mut info = TensorInfo {
        shape,
        dtype,
        data: None,
    };
    if index == 0 || sparse || dynamic || size.is_none() {
        return Ok(info);
    }
    let buffers = buf.tables(model, slot::model::BUFFERS)?;
    let Some(&b) = buffers.get(index) else {
        return Ok(info); // The graph reader names a bad buffer index.
    };
    let data = buf.vector_bytes(b, slot::buffer::DATA, 1)?;
    info.data = (!data.is_empty()).then_some(data);
    let data = data.len() as u64;
    if data != 0 && data != bytes {
        let reason = Reason::BufferSize {
            got: data,
            want: bytes,
        };
        return Err(refuse(
            tid::TENSOR,
            slot::tensor::BUFFER,
            &owner(i, t)?,
            reason,
        ));
    }
    Ok(info)
}
