//! Operator checks (issue 16): models TensorFlow Lite would crash on (a stride of 0, a
//! missing or mistyped option table, a short input list, an axis past the rank, a buffer of
//! the wrong size, a shape larger than memory) are refused by the model layer, naming the
//! file, the operator and the field, so every command refuses them alike. Byte-built models;
//! each case is one a fuzzer found or could find.

use std::path::Path;

use edgepipe::model::Model;
use edgepipe::model::check::Reason;

use crate::tiny::{
    ADD, ADD_OPTIONS, CONCATENATION, CONCATENATION_OPTIONS, CONV_2D, CONV2D_OPTIONS,
    DEPTHWISE_CONV_2D, DEPTHWISE_OPTIONS, FC_OPTIONS, FULLY_CONNECTED, MAX_POOL_2D, MEAN, Op,
    POOL2D_OPTIONS, RESHAPE, SOFTMAX, SQUEEZE, SQUEEZE_OPTIONS, T, Tiny, float, op, refused,
    shapes_refused, weights,
};

/// A 1x1 convolution over a 1x4x4x1 float input, with `options` (tag, int32 slots).
fn conv(options: Option<(u8, Vec<(u16, i32)>)>) -> Tiny {
    Tiny {
        tensors: vec![
            float("x", &[1, 4, 4, 1], None),
            float("w", &[1, 1, 1, 1], Some(1.0f32.to_le_bytes().to_vec())),
            float("b", &[1], Some(vec![0; 4])),
            float("y", &[1, 4, 4, 1], None),
        ],
        ops: vec![Op {
            code: CONV_2D,
            inputs: vec![0, 1, 2],
            outputs: vec![3],
            options,
            ..Default::default()
        }],
        inputs: vec![0],
        outputs: vec![3],
        subgraphs: 1,
    }
}

/// Conv2DOptions: padding 0, stride_w 1, stride_h 2, dilations 4 and 5.
fn strides(w: i32, h: i32) -> Option<(u8, Vec<(u16, i32)>)> {
    Some((CONV2D_OPTIONS, vec![(1, w), (2, h)]))
}

#[test]
fn a_sound_convolution_is_accepted() {
    Model::from_bytes(&conv(strides(1, 1)).bytes(), Path::new("ok.tflite")).unwrap();
}

#[test]
fn a_stride_of_zero_is_refused() {
    let (table, field, reason) = refused(&conv(strides(1, 0)), "operator 0 (CONV_2D)");
    assert_eq!((table, field.as_str()), ("Conv2DOptions", "stride_h"));
    assert_eq!(reason, Reason::BelowOne(0));
    let (_, field, reason) = refused(&conv(strides(-3, 1)), "operator 0 (CONV_2D)");
    assert_eq!((field.as_str(), reason), ("stride_w", Reason::BelowOne(-3)));
    let dilation = Some((CONV2D_OPTIONS, vec![(1, 1), (2, 1), (4, 0)]));
    let (_, field, _) = refused(&conv(dilation), "operator 0 (CONV_2D)");
    assert_eq!(field, "dilation_w_factor");
}

#[test]
fn a_missing_or_mistyped_option_table_is_refused() {
    let (table, field, reason) = refused(&conv(None), "operator 0 (CONV_2D)");
    assert_eq!((table, field.as_str()), ("Operator", "builtin_options"));
    assert_eq!(reason, Reason::OptionsMissing("Conv2DOptions"));
    let swapped = Some((ADD_OPTIONS, vec![(0, 0)]));
    let (_, field, reason) = refused(&conv(swapped), "operator 0 (CONV_2D)");
    assert_eq!(field, "builtin_options_type");
    assert_eq!(
        reason,
        Reason::OptionsType {
            expected: "Conv2DOptions",
            got: "AddOptions".into()
        }
    );
}

#[test]
fn a_short_input_list_is_refused() {
    let mut model = conv(strides(1, 1));
    model.ops[0].inputs = vec![0];
    let (_, field, reason) = refused(&model, "operator 0 (CONV_2D)");
    assert_eq!(field, "inputs");
    assert_eq!(reason, Reason::TooFewTensors { got: 1, need: 2 });
}

#[test]
fn a_pool_filter_of_zero_is_refused() {
    let model = Tiny {
        tensors: vec![
            float("x", &[1, 4, 4, 1], None),
            float("y", &[1, 4, 4, 1], None),
        ],
        ops: vec![Op {
            code: MAX_POOL_2D,
            inputs: vec![0],
            outputs: vec![1],
            // stride_w, stride_h, filter_width 0, filter_height.
            options: Some((POOL2D_OPTIONS, vec![(1, 1), (2, 1), (3, 0), (4, 1)])),
            ..Default::default()
        }],
        inputs: vec![0],
        outputs: vec![1],
        subgraphs: 1,
    };
    let (table, field, _) = refused(&model, "operator 0 (MAX_POOL_2D)");
    assert_eq!((table, field.as_str()), ("Pool2DOptions", "filter_width"));
}

#[test]
fn a_concatenation_axis_past_the_rank_is_refused() {
    let model = |axis: i32| Tiny {
        tensors: vec![
            float("a", &[1, 2], None),
            float("b", &[1, 2], None),
            float("y", &[1, 4], None),
        ],
        ops: vec![Op {
            code: CONCATENATION,
            inputs: vec![0, 1],
            outputs: vec![2],
            options: Some((CONCATENATION_OPTIONS, vec![(0, axis)])),
            ..Default::default()
        }],
        inputs: vec![0, 1],
        outputs: vec![2],
        subgraphs: 1,
    };
    Model::from_bytes(&model(-1).bytes(), Path::new("ok.tflite")).unwrap();
    let (_, field, reason) = refused(&model(2), "operator 0 (CONCATENATION)");
    assert_eq!(field, "axis");
    assert_eq!(reason, Reason::Axis { axis: 2, rank: 2 });
}

#[test]
fn a_buffer_of_the_wrong_size_is_refused() {
    let mut model = conv(strides(1, 1));
    model.tensors[1].data = Some(vec![0; 3]);
    let (table, field, reason) = refused(&model, "tensor 1 'w'");
    assert_eq!((table, field.as_str()), ("Tensor", "buffer"));
    assert_eq!(reason, Reason::BufferSize { got: 3, want: 4 });
}

#[test]
fn a_shape_larger_than_memory_is_refused() {
    let mut model = conv(strides(1, 1));
    model.tensors[3].shape = vec![1, 65536, 65536, 65536];
    let (_, field, reason) = refused(&model, "tensor 3 'y'");
    assert_eq!(field, "shape");
    assert!(matches!(reason, Reason::TooLarge(_)), "{reason:?}");
}

// The shape rules (src/model/shapes/): each case differs from a sound model in one shape.

/// A convolution (`dw`: depthwise) of input `x`, filter `w`, bias `b` to output `y`.
fn conv_shapes(dw: bool, x: &[i32], w: &[i32], b: &[i32], y: &[i32]) -> Tiny {
    let tensors = vec![
        float("x", x, None),
        weights("w", w),
        weights("b", b),
        float("y", y, None),
    ];
    let (code, tag) = match dw {
        true => (DEPTHWISE_CONV_2D, DEPTHWISE_OPTIONS),
        false => (CONV_2D, CONV2D_OPTIONS),
    };
    op(code, tensors, 3, Some((tag, vec![(1, 1), (2, 1)])))
}

#[test]
fn convolution_shapes_must_fit() {
    let ok = |m: Tiny| Model::from_bytes(&m.bytes(), Path::new("ok.tflite")).unwrap();
    ok(conv_shapes(
        false,
        &[1, 4, 4, 2],
        &[3, 1, 1, 2],
        &[3],
        &[1, 4, 4, 3],
    ));
    ok(conv_shapes(
        true,
        &[1, 4, 4, 2],
        &[1, 3, 3, 4],
        &[4],
        &[1, 4, 4, 4],
    ));
    let cases = [
        (
            conv_shapes(false, &[1, 4, 4, 2], &[3, 1, 2], &[3], &[1, 4, 4, 3]),
            "inputs",
            "input 1 (the filter) has rank 3, 4 needed",
        ),
        (
            conv_shapes(false, &[1, 4, 4, 2], &[3, 1, 1, 3], &[3], &[1, 4, 4, 3]),
            "inputs",
            "the input's 2 channels are not a multiple of the filter's 3",
        ),
        (
            conv_shapes(false, &[1, 4, 4, 2], &[3, 1, 1, 2], &[2], &[1, 4, 4, 3]),
            "inputs",
            "input 2 (the bias) has 2 values for 3 output channels",
        ),
        (
            conv_shapes(false, &[1, 4, 4, 2], &[3, 1, 1, 2], &[3], &[1, 4, 4, 5]),
            "outputs",
            "output 0 has 5 channels, the filter 3",
        ),
        (
            conv_shapes(true, &[1, 4, 4, 3], &[1, 3, 3, 4], &[4], &[1, 4, 4, 4]),
            "inputs",
            "the filter's 4 output channels are not a multiple of the input's 3 channels",
        ),
    ];
    for (model, want_field, want) in cases {
        let (field, text) = shapes_refused(&model, "operator 0 (");
        assert_eq!((field.as_str(), text.as_str()), (want_field, want));
    }
}

#[test]
fn fully_connected_and_pool_shapes_must_fit() {
    let fc = |x: &[i32], w: &[i32], b: &[i32], y: &[i32]| {
        let tensors = vec![
            float("x", x, None),
            weights("w", w),
            weights("b", b),
            float("y", y, None),
        ];
        op(FULLY_CONNECTED, tensors, 3, Some((FC_OPTIONS, vec![])))
    };
    Model::from_bytes(
        &fc(&[2, 8], &[3, 4], &[3], &[4, 3]).bytes(),
        Path::new("ok.tflite"),
    )
    .unwrap();
    for (model, want) in [
        (
            fc(&[2, 8], &[3, 4, 1], &[3], &[4, 3]),
            "input 1 (the weights) has rank 3, 2 needed",
        ),
        (
            fc(&[2, 7], &[3, 4], &[3], &[4, 3]),
            "input 0 has 14 elements, not a multiple of the weights' depth 4",
        ),
        (
            fc(&[2, 8], &[3, 4], &[2], &[4, 3]),
            "input 2 (the bias) has 2 values for 3 units",
        ),
        (
            fc(&[2, 8], &[3, 4], &[3], &[4, 2]),
            "output 0 [4, 2] does not end in the weights' 3 units",
        ),
    ] {
        let (_, text) = shapes_refused(&model, "operator 0 (FULLY_CONNECTED)");
        assert_eq!(text, want);
    }
    let pool = |x: &[i32], y: &[i32]| {
        let options = vec![(1, 1), (2, 1), (3, 1), (4, 1)];
        op(
            MAX_POOL_2D,
            vec![float("x", x, None), float("y", y, None)],
            1,
            Some((POOL2D_OPTIONS, options)),
        )
    };
    let (_, text) = shapes_refused(&pool(&[1, 4, 4], &[1, 4, 4]), "operator 0 (MAX_POOL_2D)");
    assert_eq!(text, "input 0 has rank 3, 4 needed");
    let (field, text) = shapes_refused(&pool(&[1, 4, 4, 2], &[1, 4, 4, 3]), "MAX_POOL_2D");
    assert_eq!(
        (field.as_str(), text.as_str()),
        ("outputs", "output 0 has 3 channels, input 0 has 2")
    );
}

#[test]
fn joined_reshaped_and_elementwise_shapes_must_fit() {
    let concat = |a: &[i32], b: &[i32], y: &[i32]| {
        let tensors = vec![
            float("a", a, None),
            float("b", b, None),
            float("y", y, None),
        ];
        op(
            CONCATENATION,
            tensors,
            2,
            Some((CONCATENATION_OPTIONS, vec![(0, 1)])),
        )
    };
    Model::from_bytes(
        &concat(&[1, 2], &[1, 3], &[1, 5]).bytes(),
        Path::new("ok.tflite"),
    )
    .unwrap();
    let (_, text) = shapes_refused(&concat(&[1, 2], &[2, 3], &[1, 5]), "CONCATENATION");
    assert_eq!(
        text,
        "input 1 [2, 3] does not fit input 0 [1, 2] along axis 1"
    );
    let (field, text) = shapes_refused(&concat(&[1, 2], &[1, 3], &[1, 6]), "CONCATENATION");
    assert_eq!(
        (field.as_str(), text.as_str()),
        (
            "outputs",
            "output 0 [1, 6] is not the inputs joined along axis 1 (5)"
        )
    );

    let unary = |code: i32, x: &[i32], y: &[i32]| {
        op(
            code,
            vec![float("x", x, None), float("y", y, None)],
            1,
            None,
        )
    };
    Model::from_bytes(
        &unary(RESHAPE, &[2, 6], &[3, 4]).bytes(),
        Path::new("ok.tflite"),
    )
    .unwrap();
    let (_, text) = shapes_refused(&unary(RESHAPE, &[1, 4], &[1, 5]), "RESHAPE");
    assert_eq!(text, "output 0 [1, 5] has 5 elements, input 0 [1, 4] has 4");
    let (_, text) = shapes_refused(&unary(SOFTMAX, &[1, 4], &[1, 5]), "SOFTMAX");
    assert_eq!(text, "output 0 [1, 5] is not input 0's shape [1, 4]");

    let add = |a: &[i32], b: &[i32], y: &[i32]| {
        op(
            ADD,
            vec![float("a", a, None), weights("b", b), float("y", y, None)],
            2,
            None,
        )
    };
    Model::from_bytes(
        &add(&[2, 1, 4], &[3, 1], &[2, 3, 4]).bytes(),
        Path::new("ok.tflite"),
    )
    .unwrap();
    let (field, text) = shapes_refused(&add(&[1, 3], &[1, 4], &[1, 4]), "operator 0 (ADD)");
    assert_eq!(
        (field.as_str(), text.as_str()),
        ("inputs", "inputs [1, 3] and [1, 4] do not broadcast")
    );
    let (_, text) = shapes_refused(&add(&[1, 4], &[4], &[1, 1]), "operator 0 (ADD)");
    assert_eq!(text, "output 0 [1, 1] is not the inputs broadcast, [1, 4]");
}

#[test]
fn reducer_and_squeeze_axes_must_lie_within_the_rank() {
    let mean = |axis: i32| {
        let axes = T {
            name: "axes".into(),
            shape: vec![1],
            dtype: crate::tiny::INT32,
            data: Some(axis.to_le_bytes().to_vec()),
            ..Default::default()
        };
        op(
            MEAN,
            vec![float("x", &[1, 4], None), axes, float("y", &[4], None)],
            2,
            None,
        )
    };
    Model::from_bytes(&mean(-2).bytes(), Path::new("ok.tflite")).unwrap();
    let (table, field, reason) = refused(&mean(2), "operator 0 (MEAN)");
    assert_eq!(
        (table, field.as_str(), reason),
        ("Operator", "inputs", Reason::Axis { axis: 2, rank: 2 })
    );

    let squeeze = |dims: Vec<i32>| {
        let mut m = op(
            SQUEEZE,
            vec![float("x", &[1, 4, 1], None), float("y", &[4], None)],
            1,
            Some((SQUEEZE_OPTIONS, vec![])),
        );
        m.ops[0].option_vectors = vec![(0, dims)];
        m
    };
    Model::from_bytes(&squeeze(vec![0, -1]).bytes(), Path::new("ok.tflite")).unwrap();
    let (table, field, reason) = refused(&squeeze(vec![0, 3]), "operator 0 (SQUEEZE)");
    assert_eq!(
        (table, field.as_str(), reason),
        (
            "SqueezeOptions",
            "squeeze_dims",
            Reason::Axis { axis: 3, rank: 3 }
        )
    );
}

#[test]
fn an_operator_writing_two_outputs_where_it_writes_one_is_refused() {
    let tensors = vec![
        float("a", &[1, 4], None),
        float("b", &[1, 4], None),
        float("y", &[1, 4], None),
        float("z", &[1, 4], None),
    ];
    let (table, field, reason) = refused(&op(ADD, tensors, 2, None), "operator 0 (ADD)");
    assert_eq!(
        (table, field.as_str(), reason),
        (
            "Operator",
            "outputs",
            Reason::TensorCount { got: 2, want: 1 }
        )
    );
}

#[test]
fn a_window_output_must_have_the_size_its_strides_and_padding_give() {
    // SAME, stride 2: 4x4 -> 2x2. VALID (padding 1), 3x3, stride 1: 4x4 -> 2x2.
    let same2 = vec![(1, 2), (2, 2)];
    let ok = conv_shapes(false, &[1, 4, 4, 1], &[1, 1, 1, 1], &[1], &[1, 2, 2, 1]);
    let mut ok = ok;
    ok.ops[0].options = Some((CONV2D_OPTIONS, same2.clone()));
    Model::from_bytes(&ok.bytes(), Path::new("ok.tflite")).unwrap();
    let mut bad = conv_shapes(false, &[1, 4, 4, 1], &[1, 1, 1, 1], &[1], &[1, 4, 4, 1]);
    bad.ops[0].options = Some((CONV2D_OPTIONS, same2));
    let (field, text) = shapes_refused(&bad, "operator 0 (CONV_2D)");
    assert_eq!(field, "outputs");
    assert_eq!(
        text,
        "output 0 [1, 4, 4, 1] should be [1, 2, 2, _] for input 0 [1, 4, 4, 1], a 1x1 window, \
         strides 2x2, dilations 1x1 and padding SAME"
    );
    let pool = |y: &[i32]| {
        let options = vec![(0, 1), (1, 1), (2, 1), (3, 3), (4, 3)];
        let tensors = vec![float("x", &[1, 4, 4, 1], None), float("y", y, None)];
        op(MAX_POOL_2D, tensors, 1, Some((POOL2D_OPTIONS, options)))
    };
    Model::from_bytes(&pool(&[1, 2, 2, 1]).bytes(), Path::new("ok.tflite")).unwrap();
    let (_, text) = shapes_refused(&pool(&[1, 4, 4, 1]), "operator 0 (MAX_POOL_2D)");
    assert!(
        text.contains("should be [1, 2, 2, _]") && text.ends_with("padding VALID"),
        "{text}"
    );
}

#[test]
fn found_by_the_command_fuzz_inputs_and_stored_shapes() {
    const TANH: i32 = 28;
    let tanh = |ins: Vec<i32>, y: &[i32]| {
        let mut m = op(
            TANH,
            vec![float("x", &[1, 4], None), float("y", y, None)],
            1,
            None,
        );
        m.ops[0].inputs = ins;
        m
    };
    Model::from_bytes(&tanh(vec![0], &[1, 4]).bytes(), Path::new("ok.tflite")).unwrap();
    // An elementwise output of another shape, or none (a cut would bind it at that shape).
    for y in [&[1, 5][..], &[]] {
        let (_, text) = shapes_refused(&tanh(vec![0], y), "operator 0 (TANH)");
        assert_eq!(
            text,
            format!("output 0 {y:?} is not input 0's shape [1, 4]")
        );
    }
    // No input at all (seed 7 case 1461: SIGSEGV in LiteRT), input 0 omitted (case 2866).
    let (_, field, reason) = refused(&tanh(vec![], &[1, 4]), "operator 0 (TANH)");
    assert_eq!(
        (field.as_str(), reason),
        ("inputs", Reason::TooFewTensors { got: 0, need: 1 })
    );
    let (_, field, reason) = refused(&tanh(vec![-1], &[1, 4]), "operator 0 (TANH)");
    assert_eq!((field.as_str(), reason), ("inputs", Reason::Omitted(0)));
    // A concatenation output wrong off the axis (case 2626), an FC output with no shape (2061).
    let concat = op(
        CONCATENATION,
        vec![
            float("a", &[1, 2], None),
            float("b", &[1, 3], None),
            float("y", &[2, 5], None),
        ],
        2,
        Some((CONCATENATION_OPTIONS, vec![(0, 1)])),
    );
    let (field, _) = shapes_refused(&concat, "CONCATENATION");
    assert_eq!(field, "outputs");
    let fc = op(
        FULLY_CONNECTED,
        vec![
            float("x", &[2, 4], None),
            weights("w", &[3, 4]),
            float("y", &[], None),
        ],
        2,
        Some((FC_OPTIONS, vec![])),
    );
    let (_, text) = shapes_refused(&fc, "FULLY_CONNECTED");
    assert_eq!(text, "output 0 [] does not end in the weights' 3 units");
}
