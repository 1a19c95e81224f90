//! Bad and unsupported models: each a clear error that names the file and the problem.
//!
//! The unsupported-schema cases use tiny models built here with a raw flatbuffer builder,
//! starting from one that loads and runs (so each refusal is due to its one change).

use std::path::Path;

use edgepipe::engine::{Engine, Interpreter};
use edgepipe::model::{self, Model, ModelErrorKind, Reason};
use edgepipe::partition::{self, PartitionError};

use crate::tiny::{Extras, Tiny};
use crate::util::{data_dir, temp_dir};

/// What to change in the tiny RELU model.
#[derive(Default)]
struct Tweak {
    opcode: Option<i32>,
    sparse: bool,
    shape_signature: Option<Vec<i32>>,
    tensor_type: Option<u8>,
    subgraphs: Option<usize>,
    options: Option<(u8, Vec<(u16, i32)>)>,
    external_buffer: u32,
    extras: Extras,
}

/// A one-op model: float32 [1, 4] -> RELU -> float32 [1, 4], with the tweak applied.
fn tiny_model(t: &Tweak) -> Vec<u8> {
    let mut m = Tiny::relu();
    if let Some(code) = t.opcode {
        m.ops[0].code = code;
    }
    m.ops[0].options = t.options.clone();
    m.tensors[0].sparse = t.sparse;
    m.tensors[0].shape_signature = t.shape_signature.clone();
    m.tensors[0].external_buffer = t.external_buffer;
    if let Some(dtype) = t.tensor_type {
        m.tensors[0].dtype = dtype;
    }
    m.subgraphs = t.subgraphs.unwrap_or(1);
    m.bytes_with(&t.extras)
}

fn refusal(t: &Tweak) -> ModelErrorKind {
    match Model::from_bytes(&tiny_model(t), Path::new("tiny.tflite")) {
        Ok(_) => panic!("the tweaked model was accepted"),
        Err(e) => {
            assert!(
                e.to_string().starts_with("tiny.tflite: "),
                "error names the file: {e}"
            );
            e.kind
        }
    }
}

fn unsupported(t: &Tweak, needle: &str) {
    match refusal(t) {
        ModelErrorKind::Unsupported(why) => {
            assert!(why.contains(needle), "'{why}' lacks '{needle}'")
        }
        other => panic!("expected an unsupported-model error, got {other:?}"),
    }
}

/// The tweak is refused naming `table`, `slot`, and an owner containing `owner`.
fn refused(t: &Tweak, table: &str, slot: usize, owner: &str) -> Reason {
    match refusal(t) {
        ModelErrorKind::Refused(r) => {
            assert_eq!((r.table, r.slot), (table, slot), "{r}");
            assert!(r.owner.contains(owner), "'{r}' does not name '{owner}'");
            r.reason
        }
        other => panic!("expected a refusal naming {table} slot {slot}, got {other:?}"),
    }
}

/// The tweaked model loads, cuts, and its one segment passes the proof.
fn carried(t: &Tweak) -> Vec<u8> {
    let bytes = tiny_model(t);
    let model = Model::from_bytes(&bytes, Path::new("tiny.tflite")).expect("carried, not refused");
    let segment = model::cut(&model, &[0, 1])
        .expect("cut and proven")
        .remove(0);
    Model::from_bytes(&segment.bytes, Path::new("segment.tflite")).expect("the segment reads");
    segment.bytes
}

#[test]
fn the_tiny_model_itself_loads_cuts_and_runs() {
    let bytes = tiny_model(&Tweak::default());
    let model = Model::from_bytes(&bytes, Path::new("tiny.tflite")).expect("tiny model loads");
    let segment = model::cut(&model, &[0, 1]).unwrap().remove(0);
    let mut interp = Interpreter::new(segment.bytes, 1).expect("segment runs");
    let input: Vec<u8> = [-1.0f32, 2.0, -3.0, 4.0]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    interp.input_mut(0).copy_from_slice(&input);
    interp.invoke().unwrap();
    let out: Vec<f32> = interp
        .output(0)
        .chunks(4)
        .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(out, vec![0.0, 2.0, 0.0, 4.0]);
}

#[test]
fn builtin_ops_past_1_15_are_carried_and_unknown_ones_refused() {
    for code in [126, 150, 209] {
        let bytes = carried(&Tweak {
            opcode: Some(code),
            ..Default::default()
        });
        let seg = Model::from_bytes(&bytes, Path::new("s.tflite")).unwrap();
        assert_eq!(
            seg.graph.ops[0].kind,
            model::schema::builtin_name(code.into()).unwrap()
        );
    }
    let why = refused(
        &Tweak {
            opcode: Some(250),
            ..Default::default()
        },
        "OperatorCode",
        3,
        "operator code 0",
    );
    assert!(
        matches!(why, Reason::UnknownEnum { value: 250, .. }),
        "{why}"
    );
}

#[test]
fn sparse_tensors_shape_signatures_and_new_element_types_are_carried() {
    carried(&Tweak {
        sparse: true,
        ..Default::default()
    });
    carried(&Tweak {
        shape_signature: Some(vec![1, -1]),
        ..Default::default()
    });
    carried(&Tweak {
        tensor_type: Some(17),
        ..Default::default()
    });
    let why = refused(
        &Tweak {
            tensor_type: Some(99),
            ..Default::default()
        },
        "Tensor",
        1,
        "tensor 0 'in'",
    );
    assert!(
        matches!(why, Reason::UnknownEnum { value: 99, .. }),
        "{why}"
    );
}

#[test]
fn an_unknown_slot_in_an_option_table_is_refused() {
    // AddOptions (tag 11) has slots 0 and 1; slot 5 is what a newer schema would add.
    let why = refused(
        &Tweak {
            opcode: Some(crate::tiny::ADD),
            options: Some((11, vec![(0, 1), (5, 7)])),
            ..Default::default()
        },
        "AddOptions",
        5,
        "operator 0 (ADD)",
    );
    assert_eq!(why, Reason::UnknownSlot);
    // A known slot of the same table is carried.
    carried(&Tweak {
        opcode: Some(crate::tiny::ADD),
        options: Some((11, vec![(0, 1), (1, 0)])),
        ..Default::default()
    });
}

#[test]
fn an_unknown_union_tag_is_refused() {
    let why = refused(
        &Tweak {
            options: Some((200, vec![(0, 1)])),
            ..Default::default()
        },
        "Operator",
        3,
        "operator 0 (RELU)",
    );
    assert_eq!(why, Reason::UnknownTag(200));
}

#[test]
fn options_naming_subgraphs_are_refused() {
    // WhileOptions (tag 93): cond and body subgraph indices.
    let why = refused(
        &Tweak {
            options: Some((93, vec![(0, 0), (1, 0)])),
            ..Default::default()
        },
        "Operator",
        3,
        "operator 0",
    );
    assert_eq!(why, Reason::SubgraphIndices("WhileOptions"));
}

#[test]
fn data_outside_the_file_is_refused() {
    refused(
        &Tweak {
            external_buffer: 1,
            ..Default::default()
        },
        "Tensor",
        10,
        "tensor 0 'in'",
    );
    refused(
        &Tweak {
            extras: Extras {
                buffer_offset: 4096,
                ..Default::default()
            },
            ..Default::default()
        },
        "Buffer",
        1,
        "buffer 0",
    );
    refused(
        &Tweak {
            extras: Extras {
                external_buffers: true,
                ..Default::default()
            },
            ..Default::default()
        },
        "Model",
        9,
        "model",
    );
}

#[test]
fn more_than_one_subgraph_is_refused() {
    unsupported(
        &Tweak {
            subgraphs: Some(2),
            ..Default::default()
        },
        "2 subgraphs",
    );
}

#[test]
fn unreadable_files_name_the_file_and_the_problem() {
    let dir = temp_dir("unreadable");
    let missing = dir.join("missing.tflite");
    let err = Model::open(&missing).err().expect("missing file");
    assert!(
        matches!(err.kind, ModelErrorKind::Io(_)) && err.to_string().contains("missing.tflite"),
        "{err}"
    );

    let empty = dir.join("empty.tflite");
    std::fs::write(&empty, b"").unwrap();
    assert_eq!(
        Model::open(&empty).err().expect("empty").kind,
        ModelErrorKind::Empty
    );

    let short = dir.join("short.tflite");
    std::fs::write(&short, b"TFL").unwrap();
    assert_eq!(
        Model::open(&short).err().expect("short").kind,
        ModelErrorKind::Truncated(3)
    );

    let text = dir.join("text.tflite");
    std::fs::write(&text, b"this is not a model at all").unwrap();
    assert_eq!(
        Model::open(&text).err().expect("text").kind,
        ModelErrorKind::NotTflite
    );
}

#[test]
fn truncated_and_corrupt_real_models_are_refused() {
    let Some(dir) = data_dir("truncated_and_corrupt_real_models_are_refused") else {
        return;
    };
    let bytes = std::fs::read(dir.join("coral/mobilenet_v1_0.25_128_quant.tflite")).unwrap();
    for cut in [100, bytes.len() / 2, bytes.len() * 9 / 10] {
        let err = Model::from_bytes(&bytes[..cut], Path::new("cut.tflite"))
            .err()
            .expect("truncated");
        assert!(
            matches!(err.kind, ModelErrorKind::Corrupt(_)),
            "{cut} bytes: {err}"
        );
    }
    let mut scrambled = bytes.clone();
    scrambled[8..400].iter_mut().for_each(|b| *b = 0xA5);
    let err = Model::from_bytes(&scrambled, Path::new("scrambled.tflite"))
        .err()
        .expect("corrupt");
    assert!(matches!(err.kind, ModelErrorKind::Corrupt(_)), "{err}");
    let photo = Model::open(&dir.join("photos/chelsea.png"))
        .err()
        .expect("a PNG");
    assert_eq!(photo.kind, ModelErrorKind::NotTflite);
}

#[test]
fn a_model_compiled_for_the_edge_tpu_cannot_be_cut() {
    let Some(dir) = data_dir("a_model_compiled_for_the_edge_tpu_cannot_be_cut") else {
        return;
    };
    let model = Model::open(&dir.join("coral/mobilenet_v1_0.25_128_quant_edgetpu.tflite")).unwrap();
    let err = model::cut(&model, &[0, 1]).err().expect("refused");
    let text = err.to_string();
    assert!(
        text.contains("compiled for the Edge TPU") && text.contains("segment the CPU model"),
        "{text}"
    );
}

#[test]
fn impossible_segment_counts_and_cut_points_are_refused() {
    let Some(dir) = data_dir("impossible_segment_counts_and_cut_points_are_refused") else {
        return;
    };
    let model = Model::open(&dir.join("coral/split_concat.tflite")).unwrap();
    let g = &model.graph;
    assert_eq!(
        partition::by_param_bytes(g, 0),
        Err(PartitionError::NoSegments)
    );
    assert_eq!(
        partition::by_param_bytes(g, 4),
        Err(PartitionError::TooManySegments {
            segments: 4,
            ops: 3
        })
    );
    let cuts = |c: &[&str]| {
        partition::by_cut_points(g, &c.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    };
    assert!(matches!(cuts(&["7"]), Err(PartitionError::UnknownCut(..))));
    assert!(matches!(
        cuts(&["no_such_tensor"]),
        Err(PartitionError::UnknownCut(..))
    ));
    let last = g.order[2].to_string();
    assert!(matches!(cuts(&[&last]), Err(PartitionError::CutAtEnd(_))));
    let first = g.order[0].to_string();
    assert!(matches!(
        cuts(&[&first, &first]),
        Err(PartitionError::DuplicateCut(..))
    ));
    assert_eq!(
        model::plan_segments(g, &[0, 0, 3]).err(),
        Some(model::SegmentError::Empty(0))
    );
}
