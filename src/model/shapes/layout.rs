//! The layout rules: TRANSPOSE, BATCH_MATMUL, PACK, UNPACK, EXPAND_DIMS, ARG_MAX, ARG_MIN,
//! SHAPE, TRANSPOSE_CONV, and the outputs of the reducers and of SQUEEZE. Each output's shape
//! follows from the inputs and the options as the kernel's Prepare computes it
//! (tensorflow/lite/kernels/transpose.cc, batch_matmul.cc, pack.cc, unpack.cc, expand_dims.cc,
//! arg_min_max.cc, shape.cc, transpose_conv.cc, reduce.cc, squeeze.cc). Operands that are not
//! constant, or values the kernel refuses itself, skip the rule.

use super::{
    INPUTS, OpView, Problem, constant_int, constant_ints, known, option, output_is, outputs_are,
    resolve,
};
use crate::model::flatbuf::{Buf, Result};
use crate::model::schema_gen::slot;

fn wide(shape: &[i32]) -> Vec<i64> {
    shape.iter().map(|&d| i64::from(d)).collect()
}

/// TRANSPOSE: output dimension k is the input's dimension perm[k] (input 1, constant int32,
/// one entry per dimension, negative entries counted from the end).
pub(super) fn transpose(op: &OpView) -> Problem {
    let i = known(op.tensors, op.inputs.first())?;
    let perm = constant_ints(op, 1, false)?;
    if perm.len() != i.len() {
        return None;
    }
    let want = perm
        .iter()
        .map(|&p| resolve(p, i.len()).map(|p| i64::from(i[p])))
        .collect::<Option<Vec<i64>>>()?;
    output_is(op, 0, &want, || {
        format!("input 0 {i:?} and permutation {perm:?}")
    })
}

/// BATCH_MATMUL: inputs of rank 2 to 5, their batch dimensions broadcast (the shorter one
/// padded with leading 1s), the inner dimensions agree (BatchMatMulOptions.adj_x and adj_y
/// transpose the last two); the output is the batch, the left's rows and the right's columns.
pub(super) fn batch_matmul(buf: &Buf, op: &OpView) -> Result<Problem> {
    let (Some(a), Some(b)) = (
        known(op.tensors, op.inputs.first()),
        known(op.tensors, op.inputs.get(1)),
    ) else {
        return Ok(None);
    };
    if !(2..=5).contains(&a.len()) || !(2..=5).contains(&b.len()) {
        return Ok(None); // The kernel refuses it.
    }
    use slot::batch_mat_mul_options as m;
    let adj_x = option(buf, op, m::ADJ_X, 1, 0)? != 0;
    let adj_y = option(buf, op, m::ADJ_Y, 1, 0)? != 0;
    let n = a.len().max(b.len());
    let extend = |s: &[i32]| -> Vec<i64> {
        let mut e = vec![1; n - s.len()];
        e.extend(wide(s));
        e
    };
    let (x, y) = (extend(a), extend(b));
    let mut want = Vec::with_capacity(n);
    for (&p, &q) in x.iter().zip(&y).take(n - 2) {
        if p != q && p != 1 && q != 1 {
            let text = format!("inputs {a:?} and {b:?} do not broadcast in their batch dimensions");
            return Ok(Some((INPUTS, text)));
        }
        want.push(if p == 1 { q } else { p });
    }
    let (rows, inner_a) = match adj_x {
        true => (x[n - 1], x[n - 2]),
        false => (x[n - 2], x[n - 1]),
    };
    let (inner_b, cols) = match adj_y {
        true => (y[n - 1], y[n - 2]),
        false => (y[n - 2], y[n - 1]),
    };
    if inner_a != inner_b {
        let text = format!(
            "input 0 {a:?} (adj_x {adj_x}) has {inner_a} columns, input 1 {b:?} (adj_y {adj_y}) {inner_b} rows"
        );
        return Ok(Some((INPUTS, text)));
    }
    want.extend([rows, cols]);
    Ok(output_is(op, 0, &want, || {
        format!("inputs {a:?} and {b:?}, adj_x {adj_x} and adj_y {adj_y}")
    }))
}

/// PACK: PackOptions.values_count inputs of one shape stacked along a new axis
/// (PackOptions.axis, negative counted from the end of the output).
pub(super) fn pack(buf: &Buf, op: &OpView) -> Result<Problem> {
    use slot::pack_options as p;
    let count = option(buf, op, p::VALUES_COUNT, 4, 0)?;
    let axis = option(buf, op, p::AXIS, 4, 0)?;
    let shapes: Option<Vec<&[i32]>> = op
        .inputs
        .iter()
        .map(|i| known(op.tensors, Some(i)))
        .collect();
    let Some(shapes) = shapes.filter(|s| !s.is_empty() && s.len() as i64 == count) else {
        return Ok(None); // The kernel refuses a count other than the inputs'.
    };
    let first = shapes[0];
    if let Some(k) = shapes.iter().position(|s| *s != first) {
        let text = format!("input {k} {:?} is not input 0's shape {first:?}", shapes[k]);
        return Ok(Some((INPUTS, text)));
    }
    let Some(at) = resolve(axis, first.len() + 1) else {
        return Ok(None);
    };
    let mut want = wide(first);
    want.insert(at, count);
    Ok(output_is(op, 0, &want, || {
        format!("{count} inputs {first:?} stacked along axis {axis}")
    }))
}

/// The input's shape without dimension `axis`.
fn without(i: &[i32], axis: usize) -> Vec<i64> {
    let mut want = wide(i);
    want.remove(axis);
    want
}

/// UNPACK: the input cut along UnpackOptions.axis into UnpackOptions.num outputs (the
/// dimension's size), each without that dimension.
pub(super) fn unpack(buf: &Buf, op: &OpView) -> Result<Problem> {
    use slot::unpack_options as u;
    let num = option(buf, op, u::NUM, 4, 0)?;
    let axis = option(buf, op, u::AXIS, 4, 0)?;
    let Some(i) = known(op.tensors, op.inputs.first()) else {
        return Ok(None);
    };
    let Some(a) = resolve(axis, i.len()) else {
        return Ok(None);
    };
    if num != i64::from(i[a]) || num != op.outputs.len() as i64 {
        return Ok(None); // The kernel refuses it.
    }
    Ok(outputs_are(
        op,
        |_| without(i, a),
        || format!("input 0 {i:?} unpacked along axis {axis}"),
    ))
}

/// EXPAND_DIMS: a dimension of 1 inserted at the axis (input 1, constant int32 or int64 of
/// one value, negative counted from the end of the output).
pub(super) fn expand_dims(op: &OpView) -> Problem {
    let i = known(op.tensors, op.inputs.first())?;
    let axis = constant_int(op, 1, true)?;
    let at = resolve(axis, i.len() + 1)?;
    let mut want = wide(i);
    want.insert(at, 1);
    output_is(op, 0, &want, || format!("input 0 {i:?} and axis {axis}"))
}

/// ARG_MAX and ARG_MIN: the input without the axis (input 1, constant int32 or int64 of one
/// value).
pub(super) fn arg_reduce(op: &OpView) -> Problem {
    let i = known(op.tensors, op.inputs.first())?;
    let axis = constant_int(op, 1, true)?;
    let a = resolve(axis, i.len())?;
    output_is(op, 0, &without(i, a), || {
        format!("input 0 {i:?} reduced along axis {axis}")
    })
}

/// SHAPE: one value per dimension of the input (known and not a scalar here: a converter
/// may store an unknown rank as no dimensions).
pub(super) fn shape(op: &OpView) -> Problem {
    let i = known(op.tensors, op.inputs.first()).filter(|i| !i.is_empty())?;
    output_is(op, 0, &[i.len() as i64], || format!("input 0 {i:?}"))
}

/// TRANSPOSE_CONV: the output's shape is input 0 (constant int32 of 4 values, each at least 1).
pub(super) fn transpose_conv(op: &OpView) -> Problem {
    let shape = constant_ints(op, 0, false).filter(|s| s.len() == 4)?;
    if shape.iter().any(|&d| d < 1) {
        return Some((
            INPUTS,
            format!("input 0 (the output shape) is {shape:?}, below 1"),
        ));
    }
    output_is(op, 0, &shape, || "input 0 (the output shape)".to_string())
}

/// The reducers: the input without the axes (input 1, constant int32; repeated and negative
/// axes resolved), or with them set to 1 under ReducerOptions.keep_dims.
pub(super) fn reduced(buf: &Buf, op: &OpView) -> Result<Problem> {
    let (Some(i), Some(axes)) = (
        known(op.tensors, op.inputs.first()),
        constant_ints(op, 1, false),
    ) else {
        return Ok(None);
    };
    let keep = option(buf, op, slot::reducer_options::KEEP_DIMS, 1, 0)? != 0;
    let Some(resolved) = axes
        .iter()
        .map(|&a| resolve(a, i.len()))
        .collect::<Option<Vec<usize>>>()
    else {
        return Ok(None); // Refused by the axis rule.
    };
    let want: Vec<i64> = (0..i.len())
        .filter_map(|k| match (resolved.contains(&k), keep) {
            (false, _) => Some(i64::from(i[k])),
            (true, true) => Some(1),
            (true, false) => None,
        })
        .collect();
    Ok(output_is(op, 0, &want, || {
        format!("input 0 {i:?} reduced along {axes:?}, keep_dims {keep}")
    }))
}

/// SQUEEZE: the input without the dimensions of SqueezeOptions.squeeze_dims (each of size 1),
/// or without every dimension of size 1 when there are none.
pub(super) fn squeezed(buf: &Buf, op: &OpView) -> Result<Problem> {
    let Some(i) = known(op.tensors, op.inputs.first()) else {
        return Ok(None);
    };
    let dims = match op.options {
        Some(t) => buf.i32s(t, slot::squeeze_options::SQUEEZE_DIMS)?,
        None => Vec::new(),
    };
    let Some(dims) = dims
        .iter()
        .map(|&d| resolve(i64::from(d), i.len()).filter(|&d| i[d] == 1))
        .collect::<Option<Vec<usize>>>()
    else {
        return Ok(None); // The kernel refuses it.
    };
    let want: Vec<i64> = (0..i.len())
        .filter(|&k| match dims.is_empty() {
            true => i[k] != 1,
            false => !dims.contains(&k),
        })
        .map(|k| i64::from(i[k]))
        .collect();
    Ok(output_is(op, 0, &want, || {
        format!("input 0 {i:?} squeezed along {dims:?}")
    }))
}

/// FULLY_CONNECTED: [input elements / depth, units] for weights [units, depth]; under
/// FullyConnectedOptions.keep_num_dims LiteRT keeps the input's dimensions but the last
/// (units), where TensorFlow Lite 1.15, which has no such option, flattens: either is accepted.
pub(super) fn fully_connected(buf: &Buf, op: &OpView) -> Result<Problem> {
    let (Some(i), Some(w)) = (
        known(op.tensors, op.inputs.first()),
        known(op.tensors, op.inputs.get(1)),
    ) else {
        return Ok(None);
    };
    let &[units, depth] = w else {
        return Ok(None);
    };
    let elements: i64 = i.iter().map(|&d| i64::from(d)).product();
    let flat = [elements / i64::from(depth), i64::from(units)];
    let keep = option(buf, op, slot::fully_connected_options::KEEP_NUM_DIMS, 1, 0)? != 0;
    let from = || format!("input 0 {i:?} and weights {w:?}, keep_num_dims {keep}");
    if !keep || i.last() != Some(&depth) {
        return Ok(output_is(op, 0, &flat, from));
    }
    let mut kept = wide(i);
    kept[i.len() - 1] = i64::from(units);
    let problem = output_is(op, 0, &kept, from);
    Ok(problem.filter(|_| output_is(op, 0, &flat, String::new).is_some()))
}
