//! Operator checks (issue 16): models TensorFlow Lite would crash on (a stride of 0, a
//! missing or mistyped option table, a short input list, an axis past the rank, a buffer of
//! the wrong size, a shape larger than memory) are refused by the model layer, naming the
//! file, the operator and the field, so every command refuses them alike. Byte-built models;
//! each case is one a fuzzer found or could find.

use std::path::Path;

use edgepipe::model::check::Reason;
use edgepipe::model::{Model, ModelErrorKind};

use crate::tiny::{FLOAT32, Op, T, Tiny};

const CONV_2D: i32 = 3;
const MAX_POOL_2D: i32 = 17;
const CONCATENATION: i32 = 2;
const CONV2D_OPTIONS: u8 = 1;
const POOL2D_OPTIONS: u8 = 5;
const CONCATENATION_OPTIONS: u8 = 10;
const ADD_OPTIONS: u8 = 11;

fn t(name: &str, shape: &[i32], data: Option<Vec<u8>>) -> T {
    T {
        name: name.into(),
        shape: shape.to_vec(),
        dtype: FLOAT32,
        data,
        ..Default::default()
    }
}

/// A 1x1 convolution over a 1x4x4x1 float input, with `options` (tag, int32 slots).
fn conv(options: Option<(u8, Vec<(u16, i32)>)>) -> Tiny {
    Tiny {
        tensors: vec![
            t("x", &[1, 4, 4, 1], None),
            t("w", &[1, 1, 1, 1], Some(1.0f32.to_le_bytes().to_vec())),
            t("b", &[1], Some(vec![0; 4])),
            t("y", &[1, 4, 4, 1], None),
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

/// The model's refusal: the table, the field and the reason; the message names the file and
/// the operator or tensor `owner`.
fn refused(model: &Tiny, owner: &str) -> (&'static str, String, Reason) {
    match Model::from_bytes(&model.bytes(), Path::new("hostile.tflite")) {
        Ok(_) => panic!("accepted; expected a refusal naming {owner}"),
        Err(e) => {
            let message = e.to_string();
            assert!(message.contains("hostile.tflite"), "{message}");
            assert!(message.contains(owner), "'{message}' does not name {owner}");
            match e.kind {
                ModelErrorKind::Refused(r) => (r.table, r.field, r.reason),
                other => panic!("expected a refusal, got {other:?}"),
            }
        }
    }
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
        tensors: vec![t("x", &[1, 4, 4, 1], None), t("y", &[1, 4, 4, 1], None)],
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
            t("a", &[1, 2], None),
            t("b", &[1, 2], None),
            t("y", &[1, 4], None),
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
