//! The slicing rules: STRIDED_SLICE, SLICE, GATHER, SPLIT, SPLIT_V, PAD, PADV2, MIRROR_PAD and
//! TILE. Each output's shape follows from the input's and the constant operands as the
//! kernel's Prepare computes it (tensorflow/lite/kernels/strided_slice.cc, slice.cc, gather.cc,
//! split.cc, split_v.cc, pad.cc, mirror_pad.cc, tile.cc). Operands that are not constant, or
//! values the kernel refuses itself, skip the rule.

use super::{
    INT32, INT64, OpView, Problem, constant_int, constant_ints, info, known, option, output_is,
    outputs_are, resolve,
};
use crate::model::flatbuf::{Buf, Result};
use crate::model::schema_gen::slot;

/// `TensorType.INT16`.
const INT16: i64 = 7;

/// Bit `i` of an int32 mask.
fn bit(mask: i64, i: usize) -> bool {
    i < 32 && (mask >> i) & 1 == 1
}

/// One output dimension of a strided slice as LiteRT 2.x computes it (`StartForAxis`,
/// `EndForAxis`: indices clamped to [0, size] going forward, [-1, size - 1] going backward).
fn slice_dim(size: i64, begin: i64, end: i64, stride: i64, masks: (bool, bool)) -> i64 {
    let clamp = |v: i64| {
        let v = if v < 0 { v + size } else { v };
        match stride > 0 {
            true => v.clamp(0, size),
            false => v.clamp(-1, size - 1),
        }
    };
    let start = match (masks.0, stride > 0) {
        (true, true) => 0,
        (true, false) => size - 1,
        (false, _) => clamp(begin),
    };
    let stop = match (masks.1, stride > 0) {
        (true, true) => size,
        (true, false) => -1,
        (false, _) => clamp(end),
    };
    let d = stop - start;
    if (d < 0) != (stride < 0) {
        0
    } else if stride < 0 {
        (d + 1) / stride + 1
    } else if d == 0 {
        0
    } else {
        (d - 1) / stride + 1
    }
}

/// The same dimension as TensorFlow Lite 1.15 computes it: the start clamped to
/// [0, size - 1], then ceil((stop - start) / stride), at least 0.
fn slice_dim_1_15(size: i64, begin: i64, end: i64, stride: i64, masks: (bool, bool)) -> i64 {
    let (lowest, highest) = (i64::from(i32::MIN), i64::from(i32::MAX));
    let start = match (masks.0, stride > 0) {
        (true, true) => lowest,
        (true, false) => highest,
        (false, _) => begin,
    };
    let start = if start < 0 { start + size } else { start }.clamp(0, size - 1);
    let stop = match (masks.1, stride > 0) {
        (true, true) => highest,
        (true, false) => lowest,
        (false, _) => end,
    };
    let stop = if stop < 0 { stop + size } else { stop };
    let stop = match stride > 0 {
        true => stop.clamp(0, size),
        false => stop.clamp(-1, size - 1),
    };
    let (d, q) = (stop - start, (stop - start) / stride);
    let ceil = match d % stride != 0 && (d < 0) == (stride < 0) {
        true => q + 1,
        false => q,
    };
    ceil.max(0)
}

/// STRIDED_SLICE: begin, end and strides (inputs 1 to 3, constant int32, one value per input
/// dimension), the begin, end and shrink-axis masks; a shrunk dimension is dropped. The two
/// runtimes clamp out-of-range indices differently, so an output either computes is
/// accepted. Skipped: ellipsis and new-axis masks, `offset`, fewer indices than dimensions.
pub(super) fn strided_slice(buf: &Buf, op: &OpView) -> Result<Problem> {
    let input = known(op.tensors, op.inputs.first());
    let operands = (
        constant_ints(op, 1, false),
        constant_ints(op, 2, false),
        constant_ints(op, 3, false),
    );
    let (Some(i), (Some(begin), Some(end), Some(strides))) = (input, operands) else {
        return Ok(None);
    };
    let n = i.len();
    let fits = [&begin, &end, &strides].iter().all(|v| v.len() == n);
    if !fits || strides.iter().any(|&s| s == 0 || s == i64::from(i32::MIN)) {
        return Ok(None);
    }
    use slot::strided_slice_options as so;
    let unmodelled = option(buf, op, so::ELLIPSIS_MASK, 4, 0)? != 0
        || option(buf, op, so::NEW_AXIS_MASK, 4, 0)? != 0
        || option(buf, op, so::OFFSET, 1, 0)? != 0;
    if unmodelled {
        return Ok(None);
    }
    let (bm, em) = (
        option(buf, op, so::BEGIN_MASK, 4, 0)?,
        option(buf, op, so::END_MASK, 4, 0)?,
    );
    let shrink = option(buf, op, so::SHRINK_AXIS_MASK, 4, 0)?;
    let dims = |dim: fn(i64, i64, i64, i64, (bool, bool)) -> i64| -> Vec<i64> {
        (0..n)
            .filter(|&k| !bit(shrink, k))
            .map(|k| {
                let masks = (bit(bm, k), bit(em, k));
                dim(i64::from(i[k]), begin[k], end[k], strides[k], masks)
            })
            .collect()
    };
    let (want, old) = (dims(slice_dim), dims(slice_dim_1_15));
    let from = || {
        format!(
            "input 0 {i:?}, begin {begin:?}, end {end:?}, strides {strides:?} and masks begin {bm}, end {em}, shrink {shrink}"
        )
    };
    let problem = output_is(op, 0, &want, from);
    Ok(problem.filter(|_| output_is(op, 0, &old, String::new).is_some()))
}

/// SLICE: begin and size (inputs 1 and 2, constant int32 or int64 of one type, one value per
/// input dimension); a size of -1 runs to the end of the dimension.
pub(super) fn slice(op: &OpView) -> Problem {
    let i = known(op.tensors, op.inputs.first())?;
    let (begin, size) = (constant_ints(op, 1, true)?, constant_ints(op, 2, true)?);
    let dtype = |k: usize| info(op.tensors, op.inputs.get(k)).map(|t| t.dtype);
    if dtype(1) != dtype(2) || begin.len() != i.len() || size.len() != i.len() {
        return None;
    }
    let mut want = Vec::with_capacity(i.len());
    for ((&d, &b), &s) in i.iter().zip(&begin).zip(&size) {
        let d = i64::from(d);
        let s = match s {
            -1 if b <= d => d - b,
            s if s >= 0 && b + s <= d => s,
            _ => return None, // The kernel refuses it.
        };
        want.push(s);
    }
    output_is(op, 0, &want, || {
        format!("input 0 {i:?}, begin {begin:?} and size {size:?}")
    })
}

/// GATHER: the input's dimensions before the axis, the positions' after the batch
/// dimensions, then the input's after the axis (GatherOptions.axis and batch_dims, negative
/// ones counted from the end).
pub(super) fn gather(buf: &Buf, op: &OpView) -> Result<Problem> {
    let (Some(i), Some(p)) = (
        known(op.tensors, op.inputs.first()),
        known(op.tensors, op.inputs.get(1)),
    ) else {
        return Ok(None);
    };
    let positions = info(op.tensors, op.inputs.get(1)).map(|t| t.dtype);
    if !matches!(positions, Some(INT32 | INT64 | INT16)) {
        return Ok(None);
    }
    use slot::gather_options as g;
    let axis = option(buf, op, g::AXIS, 4, 0)?;
    let batch_dims = option(buf, op, g::BATCH_DIMS, 4, 0)?;
    let Some(axis) = resolve(axis, i.len()) else {
        return Ok(None);
    };
    let bd = if batch_dims < 0 {
        batch_dims + p.len() as i64
    } else {
        batch_dims
    };
    let bd = match usize::try_from(bd) {
        Ok(bd) if bd <= axis && bd < i.len() && bd <= p.len() && i[..bd] == p[..bd] => bd,
        _ => return Ok(None), // The kernel refuses it.
    };
    let want: Vec<i64> = i[..axis]
        .iter()
        .chain(&p[bd..])
        .chain(&i[axis + 1..])
        .map(|&d| i64::from(d))
        .collect();
    Ok(output_is(op, 0, &want, || {
        format!("input 0 {i:?}, positions {p:?}, axis {axis} and batch_dims {batch_dims}")
    }))
}

/// The input's shape with dimension `axis` replaced by `size`.
fn with_dim(i: &[i32], axis: usize, size: i64) -> Vec<i64> {
    let mut want: Vec<i64> = i.iter().map(|&d| i64::from(d)).collect();
    want[axis] = size;
    want
}

/// SPLIT: the axis (input 0, constant int32) of the input (input 1) cut into
/// SplitOptions.num_splits equal parts, one per output.
pub(super) fn split(buf: &Buf, op: &OpView) -> Result<Problem> {
    let (Some(axis), Some(i)) = (
        constant_int(op, 0, false),
        known(op.tensors, op.inputs.get(1)),
    ) else {
        return Ok(None);
    };
    let n = option(buf, op, slot::split_options::NUM_SPLITS, 4, 0)?;
    let Some(a) = resolve(axis, i.len()) else {
        return Ok(None);
    };
    let d = i64::from(i[a]);
    if n < 1 || n != op.outputs.len() as i64 || d % n != 0 {
        return Ok(None); // The kernel refuses it.
    }
    Ok(outputs_are(
        op,
        |_| with_dim(i, a, d / n),
        || format!("input 1 {i:?} split {n} ways along axis {axis}"),
    ))
}

/// SPLIT_V: the axis (input 2, constant int32) of the input cut into the sizes of input 1
/// (constant int32 or int64, one per output; one of them may be -1, the rest).
pub(super) fn split_v(op: &OpView) -> Problem {
    let i = known(op.tensors, op.inputs.first())?;
    let (mut sizes, axis) = (constant_ints(op, 1, true)?, constant_int(op, 2, false)?);
    let a = resolve(axis, i.len())?;
    let d = i64::from(i[a]);
    let rest = sizes.iter().filter(|&&s| s != -1).sum::<i64>();
    let open: Vec<usize> = (0..sizes.len()).filter(|&k| sizes[k] == -1).collect();
    match open.as_slice() {
        [] if rest == d => {}
        &[k] if rest <= d => sizes[k] = d - rest,
        _ => return None, // The kernel refuses it.
    }
    if sizes.len() != op.outputs.len() || sizes.iter().any(|&s| s < 0) {
        return None;
    }
    outputs_are(
        op,
        |k| with_dim(i, a, sizes[k]),
        || format!("input 0 {i:?} split into {sizes:?} along axis {axis}"),
    )
}

/// PAD, PADV2 and MIRROR_PAD: each dimension grows by its paddings (input 1, constant int32
/// or int64 of shape [rank, 2], none negative).
pub(super) fn pad(op: &OpView) -> Problem {
    let i = known(op.tensors, op.inputs.first())?;
    let paddings = constant_ints(op, 1, true)?;
    let shape = info(op.tensors, op.inputs.get(1)).map(|t| t.shape.as_slice());
    if shape != Some(&[i.len() as i32, 2][..]) || paddings.iter().any(|&p| p < 0) {
        return None;
    }
    let want: Vec<i64> = i
        .iter()
        .zip(paddings.chunks_exact(2))
        .map(|(&d, p)| i64::from(d) + p[0] + p[1])
        .collect();
    output_is(op, 0, &want, || {
        format!("input 0 {i:?} and paddings {paddings:?}")
    })
}

/// TILE: each dimension times its multiple (input 1, constant int32 or int64, one per
/// dimension, none negative).
pub(super) fn tile(op: &OpView) -> Problem {
    let i = known(op.tensors, op.inputs.first())?;
    let multiples = constant_ints(op, 1, true)?;
    if multiples.len() != i.len() || multiples.iter().any(|&m| m < 0) {
        return None;
    }
    let want: Vec<i64> = i
        .iter()
        .zip(&multiples)
        .map(|(&d, &m)| i64::from(d).saturating_mul(m))
        .collect();
    output_is(op, 0, &want, || {
        format!("input 0 {i:?} tiled {multiples:?} times")
    })
}
