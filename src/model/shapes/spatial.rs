//! The window rules: convolutions, pools and resizes. Their inputs are of rank 4 and agree on
//! channels, and the output's height and width are those the window, strides, dilations and
//! padding (or the resize's size) give.

use super::{INPUTS, INT32, OUTPUTS, OpView, Problem, elements, known, rank};
use crate::model::flatbuf::{Buf, Result};
use crate::model::schema_gen::slot;

/// CONV_2D: input [n, h, w, c] and filter [out, kh, kw, c / groups]; DEPTHWISE_CONV_2D:
/// filter [1, kh, kw, c x multiplier]. The bias has one value per output channel.
pub(super) fn conv(op: &OpView, depthwise: bool) -> Problem {
    let t = op.tensors;
    let (input, filter) = (known(t, op.inputs.first()), known(t, op.inputs.get(1)));
    let bias = known(t, op.inputs.get(2));
    let output = known(t, op.outputs.first());
    rank("input 0 (the input)", input, 4, INPUTS)
        .or_else(|| rank("input 1 (the filter)", filter, 4, INPUTS))
        .or_else(|| rank("output 0", output, 4, OUTPUTS))
        .or_else(|| {
            let (i, f) = (input?, filter?);
            let out_channels = if depthwise { f[3] } else { f[0] };
            let fits = match depthwise {
                true => f[3] % i[3] == 0,
                false => i[3] % f[3] == 0,
            };
            if !fits {
                let text = match depthwise {
                    true => format!(
                        "the filter's {} output channels are not a multiple of the input's {} channels",
                        f[3], i[3]
                    ),
                    false => format!(
                        "the input's {} channels are not a multiple of the filter's {}",
                        i[3], f[3]
                    ),
                };
                return Some((INPUTS, text));
            }
            if let Some(b) = bias.filter(|b| elements(b) != out_channels as u64) {
                let text = format!(
                    "input 2 (the bias) has {} values for {out_channels} output channels",
                    elements(b)
                );
                return Some((INPUTS, text));
            }
            let o = output?;
            (o[3] != out_channels).then(|| {
                let text = format!("output 0 has {} channels, the filter {out_channels}", o[3]);
                (OUTPUTS, text)
            })
        })
}

/// Where a sliding window's size and steps are.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Window {
    Conv,
    Depthwise,
    Pool,
}

/// TensorFlow Lite's output size along one axis (`ComputeOutSize`): padding SAME (0) or
/// VALID (1).
fn out_size(padding: i64, image: i64, filter: i64, stride: i64, dilation: i64) -> Option<i64> {
    let effective = (filter - 1) * dilation + 1;
    match padding {
        0 => Some((image + stride - 1) / stride),
        1 => Some((image + stride - effective) / stride),
        _ => None,
    }
}

/// The output's height and width follow from the input's, the window, the strides, the
/// dilations and the padding; its batch is the input's.
pub(super) fn spatial(buf: &Buf, op: &OpView, window: Window) -> Result<Problem> {
    let t = op.tensors;
    let (Some(options), Some(i), Some(o)) = (
        op.options,
        known(t, op.inputs.first()),
        known(t, op.outputs.first()),
    ) else {
        return Ok(None);
    };
    if i.len() != 4 || o.len() != 4 {
        return Ok(None);
    }
    use slot::{conv2_d_options as c, depthwise_conv2_d_options as d, pool2_d_options as p};
    // (padding, stride_h, stride_w, dilation_h, dilation_w) slots; dilations default to 1.
    let (pad, sh, sw, dh, dw) = match window {
        Window::Conv => (
            c::PADDING,
            c::STRIDE_H,
            c::STRIDE_W,
            Some(c::DILATION_H_FACTOR),
            Some(c::DILATION_W_FACTOR),
        ),
        Window::Depthwise => (
            d::PADDING,
            d::STRIDE_H,
            d::STRIDE_W,
            Some(d::DILATION_H_FACTOR),
            Some(d::DILATION_W_FACTOR),
        ),
        Window::Pool => (p::PADDING, p::STRIDE_H, p::STRIDE_W, None, None),
    };
    let int = |s: usize, default: i64| buf.int(options, s, 4, true, default);
    let dilation = |s: Option<usize>| s.map_or(Ok(1), |s| int(s, 1));
    let (kh, kw) = match window {
        Window::Pool => (int(p::FILTER_HEIGHT, 0)?, int(p::FILTER_WIDTH, 0)?),
        _ => match known(t, op.inputs.get(1)) {
            Some(f) if f.len() == 4 => (i64::from(f[1]), i64::from(f[2])),
            _ => return Ok(None),
        },
    };
    let padding = buf.int(options, pad, 1, true, 0)?;
    let (stride_h, stride_w) = (int(sh, 0)?, int(sw, 0)?);
    let (dil_h, dil_w) = (dilation(dh)?, dilation(dw)?);
    if [kh, kw, stride_h, stride_w, dil_h, dil_w]
        .iter()
        .any(|&v| v < 1)
    {
        return Ok(None); // The option checks refuse these.
    }
    let h = out_size(padding, i64::from(i[1]), kh, stride_h, dil_h);
    let w = out_size(padding, i64::from(i[2]), kw, stride_w, dil_w);
    let (Some(h), Some(w)) = (h, w) else {
        return Ok(None);
    };
    let want = [i64::from(i[0]), h, w];
    let got = [i64::from(o[0]), i64::from(o[1]), i64::from(o[2])];
    Ok((got != want).then(|| {
        let text = format!(
            "output 0 {o:?} should be [{}, {h}, {w}, _] for input 0 {i:?}, a {kh}x{kw} window, strides {stride_h}x{stride_w}, dilations {dil_h}x{dil_w} and padding {}",
            i[0],
            if padding == 0 { "SAME" } else { "VALID" }
        );
        (OUTPUTS, text)
    }))
}

/// RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR: the size (input 1, constant int32 [2]) is at
/// least 1 and is the output's height and width; batch and channels are the input's.
pub(super) fn resize(op: &OpView) -> Problem {
    let t = op.tensors;
    let size = op
        .inputs
        .get(1)
        .and_then(|&i| t.get(usize::try_from(i).ok()?))
        .filter(|s| s.dtype == INT32)
        .and_then(|s| s.data)
        .filter(|d| d.len() == 8)
        .map(|d| {
            let v = |k: usize| i32::from_le_bytes([d[k], d[k + 1], d[k + 2], d[k + 3]]);
            [v(0), v(4)]
        });
    if let Some(size) = size.filter(|s| s.iter().any(|&v| v < 1)) {
        return Some((INPUTS, format!("input 1 (the size) is {size:?}, below 1")));
    }
    let (input, output) = (known(t, op.inputs.first()), known(t, op.outputs.first()));
    rank("input 0", input, 4, INPUTS)
        .or_else(|| rank("output 0", output, 4, OUTPUTS))
        .or_else(|| {
            let (i, o) = (input?, output?);
            let want = [
                i[0],
                size.map_or(o[1], |s| s[0]),
                size.map_or(o[2], |s| s[1]),
                i[3],
            ];
            (o != want).then(|| {
                let text = format!("output 0 {o:?} is not input 0 {i:?} resized to {want:?}");
                (OUTPUTS, text)
            })
        })
}

pub(super) fn pool(op: &OpView) -> Problem {
    let (input, output) = (
        known(op.tensors, op.inputs.first()),
        known(op.tensors, op.outputs.first()),
    );
    rank("input 0", input, 4, INPUTS)
        .or_else(|| rank("output 0", output, 4, OUTPUTS))
        .or_else(|| {
            let (i, o) = (input?, output?);
            (i[3] != o[3]).then(|| {
                let text = format!("output 0 has {} channels, input 0 has {}", o[3], i[3]);
                (OUTPUTS, text)
            })
        })
}
