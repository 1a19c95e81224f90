//! Output-shape rules (issue 16, src/model/shapes/): a stored output shape other than the one
//! TensorFlow Lite's kernel computes when it prepares the model is refused, naming the file,
//! the operator and `Operator.outputs`; the right shape is accepted, and so is a case whose
//! semantics are not modelled (skipped, never refused). Each model is one operator, byte-built,
//! and differs from a sound model in one stored shape. Here: slices, gathers, splits, pads and
//! tiles; `layout.rs`: transposes, matrix products, packs, reductions and the rest.

use std::path::Path;

use edgepipe::model::Model;

use crate::tiny::{
    CAST, GATHER, GATHER_OPTIONS, INT32, INT64, MIRROR_PAD, PAD, PADV2, SLICE, SPLIT,
    SPLIT_OPTIONS, SPLIT_V, SPLIT_V_OPTIONS, STRIDED_SLICE, STRIDED_SLICE_OPTIONS, T, TILE, Tiny,
    float, op, shapes_refused,
};

mod layout;

/// A float32 activation.
pub(super) fn x(name: &str, shape: &[i32]) -> T {
    float(name, shape, None)
}

/// A constant int32 tensor of `shape`.
fn ints_shaped(name: &str, shape: &[i32], values: &[i32]) -> T {
    T {
        name: name.into(),
        shape: shape.to_vec(),
        dtype: INT32,
        data: Some(values.iter().flat_map(|v| v.to_le_bytes()).collect()),
        ..Default::default()
    }
}

/// A constant int32 vector.
pub(super) fn ints(name: &str, values: &[i32]) -> T {
    ints_shaped(name, &[values.len() as i32], values)
}

/// A constant int64 vector.
pub(super) fn longs(name: &str, values: &[i64]) -> T {
    T {
        name: name.into(),
        shape: vec![values.len() as i32],
        dtype: INT64,
        data: Some(values.iter().flat_map(|v| v.to_le_bytes()).collect()),
        ..Default::default()
    }
}

pub(super) fn accepted(model: &Tiny) {
    if let Err(e) = Model::from_bytes(&model.bytes(), Path::new("ok.tflite")) {
        panic!("refused: {e}");
    }
}

/// `model` is refused for the shape of one of its outputs: `Operator.outputs` of the
/// operator `name`, with `text`.
pub(super) fn wrong_output(model: &Tiny, name: &str, text: &str) {
    let (field, got) = shapes_refused(model, &format!("operator 0 ({name})"));
    assert_eq!((field.as_str(), got.as_str()), ("outputs", text));
}

/// The same operator with output `k` stored as `shape`.
pub(super) fn with_output(model: &Tiny, k: usize, shape: &[i32]) -> Tiny {
    let mut m = model.clone();
    let t = m.ops[0].outputs[k] as usize;
    m.tensors[t].shape = shape.to_vec();
    m
}

#[test]
fn the_refusal_names_the_file_the_operator_and_the_field() {
    let m = op(CAST, vec![x("x", &[1, 4]), x("y", &[4])], 1, None);
    let Err(e) = Model::from_bytes(&m.bytes(), Path::new("models/wrong.tflite")) else {
        panic!("accepted a CAST that changes the shape");
    };
    let message = e.to_string();
    for part in [
        "models/wrong.tflite",
        "operator 0 (CAST)",
        "Operator.outputs",
    ] {
        assert!(message.contains(part), "'{message}' does not name {part}");
    }
    assert!(
        message.ends_with("output 0 [4] is not input 0's shape [1, 4]"),
        "{message}"
    );
}

#[test]
fn strided_slice_output_follows_begin_end_strides_and_masks() {
    // [:, 1:7:2, :] on [2, 8, 6] (begin and end masks on axes 0 and 2).
    let slice = |options: Vec<(u16, i32)>, y: &[i32]| {
        let tensors = vec![
            x("x", &[2, 8, 6]),
            ints("begin", &[0, 1, 0]),
            ints("end", &[0, 7, 0]),
            ints("strides", &[1, 2, 1]),
            x("y", y),
        ];
        op(
            STRIDED_SLICE,
            tensors,
            4,
            Some((STRIDED_SLICE_OPTIONS, options)),
        )
    };
    let masks = vec![(0, 5), (1, 5)];
    accepted(&slice(masks.clone(), &[2, 3, 6]));
    wrong_output(
        &slice(masks.clone(), &[2, 4, 6]),
        "STRIDED_SLICE",
        "output 0 [2, 4, 6] should be [2, 3, 6] for input 0 [2, 8, 6], begin [0, 1, 0], \
         end [0, 7, 0], strides [1, 2, 1] and masks begin 5, end 5, shrink 0",
    );
    // An ellipsis is not modelled: skipped, even with a wrong output.
    accepted(&slice(vec![(0, 5), (1, 5), (2, 1)], &[7]));

    // [::-1, 0] on [2, 3]: a negative stride, axis 1 shrunk away.
    let reversed = |y: &[i32]| {
        let tensors = vec![
            x("x", &[2, 3]),
            ints("begin", &[-1, 0]),
            ints("end", &[-3, 3]),
            ints("strides", &[-1, 1]),
            x("y", y),
        ];
        op(
            STRIDED_SLICE,
            tensors,
            4,
            Some((STRIDED_SLICE_OPTIONS, vec![(4, 2)])),
        )
    };
    accepted(&reversed(&[2]));
    wrong_output(
        &reversed(&[2, 1]),
        "STRIDED_SLICE",
        "output 0 [2, 1] should be [2] for input 0 [2, 3], begin [-1, 0], end [-3, 3], \
         strides [-1, 1] and masks begin 0, end 0, shrink 2",
    );

    // [4:4] on [4]: LiteRT clamps the start to 4 (empty), TensorFlow Lite 1.15 to 3 (one
    // element); a model either computes is accepted.
    let past_the_end = |y: &[i32]| {
        let tensors = vec![
            x("x", &[4]),
            ints("begin", &[4]),
            ints("end", &[4]),
            ints("strides", &[1]),
            x("y", y),
        ];
        op(STRIDED_SLICE, tensors, 4, None)
    };
    accepted(&past_the_end(&[1]));
    let (_, text) = shapes_refused(&past_the_end(&[2]), "STRIDED_SLICE");
    assert!(text.starts_with("output 0 [2] should be [0]"), "{text}");
}

#[test]
fn slice_output_is_the_size_with_minus_one_to_the_end() {
    let slice = |begin: T, size: T, y: &[i32]| {
        op(
            SLICE,
            vec![x("x", &[2, 8]), begin, size, x("y", y)],
            3,
            None,
        )
    };
    accepted(&slice(ints("b", &[0, 2]), ints("s", &[-1, 3]), &[2, 3]));
    accepted(&slice(longs("b", &[1, 2]), longs("s", &[1, -1]), &[1, 6]));
    wrong_output(
        &slice(longs("b", &[0, 2]), longs("s", &[-1, 3]), &[2, 4]),
        "SLICE",
        "output 0 [2, 4] should be [2, 3] for input 0 [2, 8], begin [0, 2] and size [-1, 3]",
    );
    // Begin and size of two types: the kernel reads both as begin's; skipped.
    accepted(&slice(ints("b", &[0, 2]), longs("s", &[-1, 3]), &[9]));
}

#[test]
fn gather_output_follows_axis_and_batch_dims() {
    let positions = |shape: &[i32]| T {
        name: "positions".into(),
        shape: shape.to_vec(),
        dtype: INT32,
        ..Default::default()
    };
    // As in models/schema/gather_slice.tflite: axis 1, batch_dims 1.
    let batched = |y: &[i32]| {
        let tensors = vec![x("x", &[2, 8, 6]), positions(&[2, 3]), x("y", y)];
        op(
            GATHER,
            tensors,
            2,
            Some((GATHER_OPTIONS, vec![(0, 1), (1, 1)])),
        )
    };
    accepted(&batched(&[2, 3, 6]));
    wrong_output(
        &batched(&[2, 2, 3, 6]),
        "GATHER",
        "output 0 [2, 2, 3, 6] should be [2, 3, 6] for input 0 [2, 8, 6], positions [2, 3], \
         axis 1 and batch_dims 1",
    );
    let plain = |y: &[i32]| {
        op(
            GATHER,
            vec![x("x", &[5, 4]), positions(&[3]), x("y", y)],
            2,
            None,
        )
    };
    accepted(&plain(&[3, 4]));
    wrong_output(
        &plain(&[5, 4]),
        "GATHER",
        "output 0 [5, 4] should be [3, 4] for input 0 [5, 4], positions [3], axis 0 and \
         batch_dims 0",
    );
}

#[test]
fn tile_output_follows_the_multiples() {
    let tile =
        |multiples: T, y: &[i32]| op(TILE, vec![x("x", &[2, 3]), multiples, x("y", y)], 2, None);
    accepted(&tile(ints("m", &[2, 1]), &[4, 3]));
    wrong_output(
        &tile(longs("m", &[2, 1]), &[2, 3]),
        "TILE",
        "output 0 [2, 3] should be [4, 3] for input 0 [2, 3] tiled [2, 1] times",
    );
}

#[test]
fn pad_outputs_follow_the_paddings() {
    for (code, name) in [(PAD, "PAD"), (PADV2, "PADV2"), (MIRROR_PAD, "MIRROR_PAD")] {
        let pad = |y: &[i32]| {
            let paddings = ints_shaped("p", &[4, 2], &[0, 0, 1, 1, 2, 0, 0, 0]);
            op(
                code,
                vec![x("x", &[1, 4, 4, 1]), paddings, x("y", y)],
                2,
                None,
            )
        };
        accepted(&pad(&[1, 6, 6, 1]));
        wrong_output(
            &pad(&[1, 6, 4, 1]),
            name,
            "output 0 [1, 6, 4, 1] should be [1, 6, 6, 1] for input 0 [1, 4, 4, 1] and \
             paddings [0, 0, 1, 1, 2, 0, 0, 0]",
        );
    }
}

#[test]
fn split_outputs_share_the_axis_evenly() {
    let split = |ys: [&[i32]; 3]| {
        let mut tensors = vec![ints("axis", &[1]), x("x", &[2, 6])];
        tensors.extend(ys.iter().map(|y| x("y", y)));
        op(SPLIT, tensors, 2, Some((SPLIT_OPTIONS, vec![(0, 3)])))
    };
    let ok = split([&[2, 2], &[2, 2], &[2, 2]]);
    accepted(&ok);
    wrong_output(
        &with_output(&ok, 2, &[2, 3]),
        "SPLIT",
        "output 2 [2, 3] should be [2, 2] for input 1 [2, 6] split 3 ways along axis 1",
    );
}

#[test]
fn split_v_outputs_follow_the_sizes() {
    let split_v = |sizes: T| {
        let mut tensors = vec![x("x", &[2, 6]), sizes, ints("axis", &[-1])];
        tensors.extend([x("a", &[2, 1]), x("b", &[2, 3]), x("c", &[2, 2])]);
        op(SPLIT_V, tensors, 3, Some((SPLIT_V_OPTIONS, vec![(0, 3)])))
    };
    accepted(&split_v(ints("sizes", &[1, -1, 2])));
    accepted(&split_v(longs("sizes", &[1, 3, 2])));
    wrong_output(
        &with_output(&split_v(ints("sizes", &[1, -1, 2])), 0, &[2, 2]),
        "SPLIT_V",
        "output 0 [2, 2] should be [2, 1] for input 0 [2, 6] split into [1, 3, 2] along axis -1",
    );
}
