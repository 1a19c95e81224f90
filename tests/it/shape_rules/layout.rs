//! Output-shape rules of the layout operators (src/model/shapes/layout.rs and the element-wise
//! rules): transposes, matrix products, packs, added and removed axes, reductions.

use edgepipe::model::check::Reason;

use super::{accepted, ints, longs, with_output, wrong_output, x};
use crate::tiny::{
    ARG_MAX, ARG_MIN, BATCH_MATMUL, BATCH_MATMUL_OPTIONS, CAST, CONCATENATION_OPTIONS, DIV,
    EXPAND_DIMS, FC_OPTIONS, FULLY_CONNECTED, INT32, LESS, MAXIMUM, MEAN, PACK, PACK_OPTIONS,
    REDUCER_OPTIONS, SHAPE, SQUEEZE, SQUEEZE_OPTIONS, SUM, T, TRANSPOSE, TRANSPOSE_CONV, UNPACK,
    UNPACK_OPTIONS, op, refused, shapes_refused, weights,
};

#[test]
fn an_option_table_the_rules_read_must_be_of_the_operators_type() {
    let tensors = vec![x("a", &[2, 3]), x("b", &[3, 4]), x("y", &[2, 4])];
    let mistyped = op(
        BATCH_MATMUL,
        tensors,
        2,
        Some((CONCATENATION_OPTIONS, vec![(0, 1)])),
    );
    let (_, field, reason) = refused(&mistyped, "operator 0 (BATCH_MATMUL)");
    assert_eq!(field, "builtin_options_type");
    let want = Reason::OptionsType {
        expected: "BatchMatMulOptions",
        got: "ConcatenationOptions".into(),
    };
    assert_eq!(reason, want);
}

#[test]
fn batch_matmul_output_is_batch_rows_and_columns() {
    let matmul = |a: &[i32], b: &[i32], adj: Vec<(u16, i32)>, y: &[i32]| {
        let tensors = vec![x("a", a), x("b", b), x("y", y)];
        op(BATCH_MATMUL, tensors, 2, Some((BATCH_MATMUL_OPTIONS, adj)))
    };
    // As in models/schema/gelu_batch_matmul.tflite: adj_y.
    accepted(&matmul(&[1, 4, 8], &[1, 4, 8], vec![(1, 1)], &[1, 4, 4]));
    wrong_output(
        &matmul(&[1, 4, 8], &[1, 4, 8], vec![(1, 1)], &[1, 4, 8]),
        "BATCH_MATMUL",
        "output 0 [1, 4, 8] should be [1, 4, 4] for inputs [1, 4, 8] and [1, 4, 8], adj_x \
         false and adj_y true",
    );
    // Batch dimensions broadcast; adj_x transposes the left.
    accepted(&matmul(&[2, 1, 3, 4], &[5, 4, 6], vec![], &[2, 5, 3, 6]));
    accepted(&matmul(&[4, 3], &[4, 6], vec![(0, 1)], &[3, 6]));
    wrong_output(
        &matmul(&[2, 1, 3, 4], &[5, 4, 6], vec![], &[2, 1, 3, 6]),
        "BATCH_MATMUL",
        "output 0 [2, 1, 3, 6] should be [2, 5, 3, 6] for inputs [2, 1, 3, 4] and [5, 4, 6], \
         adj_x false and adj_y false",
    );
    let (field, text) = shapes_refused(
        &matmul(&[1, 4, 8], &[1, 4, 8], vec![], &[1, 4, 8]),
        "BATCH_MATMUL",
    );
    assert_eq!(
        (field.as_str(), text.as_str()),
        (
            "inputs",
            "input 0 [1, 4, 8] (adj_x false) has 8 columns, input 1 [1, 4, 8] (adj_y false) 4 rows"
        )
    );
}

#[test]
fn transpose_output_follows_the_permutation() {
    let transpose = |y: &[i32]| {
        let tensors = vec![x("x", &[1, 2, 3]), ints("perm", &[0, -1, 1]), x("y", y)];
        op(TRANSPOSE, tensors, 2, None)
    };
    accepted(&transpose(&[1, 3, 2]));
    wrong_output(
        &transpose(&[1, 2, 3]),
        "TRANSPOSE",
        "output 0 [1, 2, 3] should be [1, 3, 2] for input 0 [1, 2, 3] and permutation [0, -1, 1]",
    );
}

#[test]
fn reducer_outputs_drop_or_keep_the_axes() {
    let reduce = |code: i32, axes: &[i32], keep: i32, y: &[i32]| {
        let tensors = vec![x("x", &[1, 4, 4, 8]), ints("axes", axes), x("y", y)];
        op(code, tensors, 2, Some((REDUCER_OPTIONS, vec![(0, keep)])))
    };
    accepted(&reduce(MEAN, &[1, 2], 0, &[1, 8]));
    accepted(&reduce(MEAN, &[1, 2], 1, &[1, 1, 1, 8]));
    // A repeated axis (1 and -3) counts once.
    accepted(&reduce(SUM, &[1, -3], 0, &[1, 4, 8]));
    wrong_output(
        &reduce(MEAN, &[1, 2], 0, &[1, 1, 1, 8]),
        "MEAN",
        "output 0 [1, 1, 1, 8] should be [1, 8] for input 0 [1, 4, 4, 8] reduced along [1, 2], \
         keep_dims false",
    );
    wrong_output(
        &reduce(SUM, &[3], 1, &[1, 4, 4]),
        "SUM",
        "output 0 [1, 4, 4] should be [1, 4, 4, 1] for input 0 [1, 4, 4, 8] reduced along [3], \
         keep_dims true",
    );
}

#[test]
fn arg_max_and_min_outputs_drop_the_axis() {
    let arg = |code: i32, y: &[i32]| {
        op(
            code,
            vec![x("x", &[1, 10]), longs("axis", &[-1]), x("y", y)],
            2,
            None,
        )
    };
    for (code, name) in [(ARG_MAX, "ARG_MAX"), (ARG_MIN, "ARG_MIN")] {
        accepted(&arg(code, &[1]));
        wrong_output(
            &arg(code, &[1, 1]),
            name,
            "output 0 [1, 1] should be [1] for input 0 [1, 10] reduced along axis -1",
        );
    }
}

#[test]
fn squeeze_output_drops_the_squeezed_dimensions() {
    let squeeze = |dims: Vec<i32>, y: &[i32]| {
        let mut m = op(
            SQUEEZE,
            vec![x("x", &[1, 4, 1]), x("y", y)],
            1,
            Some((SQUEEZE_OPTIONS, vec![])),
        );
        m.ops[0].option_vectors = vec![(0, dims)];
        m
    };
    accepted(&squeeze(vec![0], &[4, 1]));
    accepted(&squeeze(vec![], &[4]));
    wrong_output(
        &squeeze(vec![-1], &[4]),
        "SQUEEZE",
        "output 0 [4] should be [1, 4] for input 0 [1, 4, 1] squeezed along [2]",
    );
}

#[test]
fn pack_output_adds_the_stacking_axis() {
    let pack = |y: &[i32]| {
        let tensors = vec![x("a", &[3, 4]), x("b", &[3, 4]), x("y", y)];
        op(
            PACK,
            tensors,
            2,
            Some((PACK_OPTIONS, vec![(0, 2), (1, -2)])),
        )
    };
    accepted(&pack(&[3, 2, 4]));
    wrong_output(
        &pack(&[2, 3, 4]),
        "PACK",
        "output 0 [2, 3, 4] should be [3, 2, 4] for 2 inputs [3, 4] stacked along axis -2",
    );
}

#[test]
fn unpack_outputs_drop_the_axis() {
    let unpack = {
        let tensors = vec![x("x", &[3, 2, 4]), x("a", &[3, 4]), x("b", &[3, 4])];
        op(
            UNPACK,
            tensors,
            1,
            Some((UNPACK_OPTIONS, vec![(0, 2), (1, 1)])),
        )
    };
    accepted(&unpack);
    wrong_output(
        &with_output(&unpack, 1, &[4, 3]),
        "UNPACK",
        "output 1 [4, 3] should be [3, 4] for input 0 [3, 2, 4] unpacked along axis 1",
    );
}

#[test]
fn expand_dims_output_adds_a_dimension_of_1() {
    let expand = |y: &[i32]| {
        let tensors = vec![x("x", &[3, 4]), ints("axis", &[-1]), x("y", y)];
        op(EXPAND_DIMS, tensors, 2, None)
    };
    accepted(&expand(&[3, 4, 1]));
    wrong_output(
        &expand(&[1, 3, 4]),
        "EXPAND_DIMS",
        "output 0 [1, 3, 4] should be [3, 4, 1] for input 0 [3, 4] and axis -1",
    );
}

#[test]
fn shape_output_has_one_value_per_dimension() {
    let shape = |y: &[i32]| {
        let out = T {
            dtype: INT32,
            ..x("y", y)
        };
        op(SHAPE, vec![x("x", &[2, 3, 4]), out], 1, None)
    };
    accepted(&shape(&[3]));
    wrong_output(
        &shape(&[2, 3, 4]),
        "SHAPE",
        "output 0 [2, 3, 4] should be [3] for input 0 [2, 3, 4]",
    );
}

#[test]
fn transpose_conv_output_is_its_output_shape_input() {
    let deconv = |y: &[i32]| {
        let tensors = vec![
            ints("output_shape", &[1, 4, 4, 2]),
            weights("w", &[2, 3, 3, 1]),
            x("x", &[1, 2, 2, 1]),
            x("y", y),
        ];
        op(TRANSPOSE_CONV, tensors, 3, None)
    };
    accepted(&deconv(&[1, 4, 4, 2]));
    wrong_output(
        &deconv(&[1, 4, 4, 3]),
        "TRANSPOSE_CONV",
        "output 0 [1, 4, 4, 3] should be [1, 4, 4, 2] for input 0 (the output shape)",
    );
    // Found by the command fuzz (seed 7): an output shape constant overwritten with -1s.
    let mut negative = deconv(&[1, 4, 4, 2]);
    negative.tensors[0] = ints("output_shape", &[1, -1, -1, -1]);
    let (field, text) = shapes_refused(&negative, "operator 0 (TRANSPOSE_CONV)");
    assert_eq!(
        (field.as_str(), text.as_str()),
        (
            "inputs",
            "input 0 (the output shape) is [1, -1, -1, -1], below 1"
        )
    );
}

#[test]
fn elementwise_outputs_broadcast_their_inputs() {
    for (code, name) in [(DIV, "DIV"), (MAXIMUM, "MAXIMUM"), (LESS, "LESS")] {
        let binary = |y: &[i32]| {
            let tensors = vec![x("a", &[2, 1, 4]), weights("b", &[3, 1]), x("y", y)];
            op(code, tensors, 2, None)
        };
        accepted(&binary(&[2, 3, 4]));
        wrong_output(
            &binary(&[2, 1, 4]),
            name,
            "output 0 [2, 1, 4] is not the inputs broadcast, [2, 3, 4]",
        );
    }
    accepted(&op(CAST, vec![x("x", &[1, 4]), x("y", &[1, 4])], 1, None));
}

#[test]
fn fully_connected_output_is_flattened_or_keeps_the_dimensions() {
    let fc = |keep: i32, y: &[i32]| {
        let tensors = vec![x("x", &[2, 8, 6]), weights("w", &[4, 6]), x("y", y)];
        op(
            FULLY_CONNECTED,
            tensors,
            2,
            Some((FC_OPTIONS, vec![(2, keep)])),
        )
    };
    // As in models/schema/gather_slice.tflite: keep_num_dims; TensorFlow Lite 1.15 flattens.
    accepted(&fc(1, &[2, 8, 4]));
    accepted(&fc(1, &[16, 4]));
    accepted(&fc(0, &[16, 4]));
    wrong_output(
        &fc(1, &[2, 4, 4]),
        "FULLY_CONNECTED",
        "output 0 [2, 4, 4] should be [2, 8, 4] for input 0 [2, 8, 6] and weights [4, 6], \
         keep_num_dims true",
    );
    wrong_output(
        &fc(0, &[2, 8, 4]),
        "FULLY_CONNECTED",
        "output 0 [2, 8, 4] should be [16, 4] for input 0 [2, 8, 6] and weights [4, 6], \
         keep_num_dims false",
    );
}
