//! Real models cut N ways: segments load, are disjoint, cover every op, hold only what they
//! use, and chained by tensor name give the whole model's outputs bit for bit.

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use edgepipe::capture::image_to_tensor;
use edgepipe::engine::{Engine, Interpreter};
use edgepipe::model::{self, Model, Segment};
use edgepipe::partition;
use edgepipe::verify::{self, SplitMix64};

use crate::util::data_dir;

/// Models of the segmentation issue, with whether parameter balance is meaningful for them.
const MODELS: &[(&str, bool)] = &[
    ("coral/mobilenet_v1_0.25_128_quant.tflite", true),
    ("coral/mobilenet_v2_1.0_224_quant.tflite", true),
    ("coral/tf2_mobilenet_v2_1.0_224_ptq.tflite", true),
    // 3 ops and 4 bytes of parameters: there is nothing to balance.
    ("coral/split_concat.tflite", false),
    (
        "generated/keras_mobilenet_v2_1.0_224_random_logits_quant.tflite",
        true,
    ),
];

const PHOTOS: &[&str] = &["photos/chelsea.png", "coral/cat.bmp"];

/// The whole model's inputs for each request: real photos (single image inputs) and one
/// random request.
fn requests(dir: &Path, whole: &Interpreter) -> Vec<Vec<Vec<u8>>> {
    let mut reqs = Vec::new();
    if let [spec] = whole.inputs()
        && spec.shape.len() == 4
        && spec.shape[3] == 3
    {
        for photo in PHOTOS {
            reqs.push(vec![
                image_to_tensor(&dir.join(photo), spec).expect("photo"),
            ]);
        }
    }
    reqs.push(verify::random_inputs(
        whole.inputs(),
        &mut SplitMix64::new(7),
    ));
    reqs
}

fn load(bytes: Vec<u8>, what: &str) -> Interpreter {
    Interpreter::new(bytes, 1).unwrap_or_else(|e| panic!("{what} does not load: {e}"))
}

/// Asserts every property of a cut and that the chain equals the whole model.
fn check_cut(model: &Model, segments: &[Segment], whole: &mut Interpreter, reqs: &[Vec<Vec<u8>>]) {
    let name = model.path.display().to_string();
    let g = &model.graph;
    // Disjoint and complete, in the plans and in the written files.
    let mut seen = HashSet::new();
    for s in segments {
        for &op in &s.plan.ops {
            assert!(seen.insert(op), "{name}: op {op} is in two segments");
        }
        let back = Model::from_bytes(&s.bytes, Path::new("segment")).expect("segment re-reads");
        assert_eq!(
            back.graph.ops.len(),
            s.plan.ops.len(),
            "{name}: segment {} op count",
            s.plan.index
        );
        // Only what it uses: every tensor is touched by an op or is a segment input/output,
        // every buffer but the sentinel is some tensor's, every opcode some op's.
        let touched: BTreeSet<usize> = back
            .graph
            .ops
            .iter()
            .flat_map(|op| op.tensors())
            .chain(back.graph.inputs.iter().copied())
            .chain(back.graph.outputs.iter().copied())
            .collect();
        assert_eq!(
            touched.len(),
            back.graph.tensors.len(),
            "{name}: unused tensors in segment"
        );
        let names_in: Vec<&str> = s
            .plan
            .inputs
            .iter()
            .map(|&t| g.tensors[t].name.as_str())
            .collect();
        let names_back: Vec<&str> = back
            .graph
            .inputs
            .iter()
            .map(|&t| back.graph.tensors[t].name.as_str())
            .collect();
        assert_eq!(
            names_in, names_back,
            "{name}: segment inputs keep their names"
        );
    }
    assert_eq!(seen.len(), g.ops.len(), "{name}: segments miss ops");

    let mut chain: Vec<Interpreter> = segments
        .iter()
        .map(|s| load(s.bytes.clone(), &format!("{name} segment {}", s.plan.index)))
        .collect();
    let mismatch = verify::check(whole, &mut chain, reqs).expect("whole model and chain run");
    assert_eq!(
        mismatch,
        None,
        "{name}: {} segments differ from the whole model",
        segments.len()
    );
}

fn assert_balanced(name: &str, segments: &[Segment]) {
    let first: Vec<f64> = segments[..segments.len() - 1]
        .iter()
        .map(|s| s.plan.param_bytes as f64)
        .collect();
    let mean = first.iter().sum::<f64>() / first.len() as f64;
    for (i, p) in first.iter().enumerate() {
        assert!(
            (p - mean).abs() <= 0.35 * mean,
            "{name}: segment {i} holds {p} parameter bytes, more than 35 % from the mean {mean}"
        );
    }
}

#[test]
fn parameter_balanced_segments_chain_bit_exactly() {
    let Some(dir) = data_dir("parameter_balanced_segments_chain_bit_exactly") else {
        return;
    };
    for &(file, balance) in MODELS {
        let model = Model::open(&dir.join(file)).expect("model loads");
        let mut whole = load(std::fs::read(dir.join(file)).unwrap(), file);
        let reqs = requests(&dir, &whole);
        for n in 1..=4 {
            if n > model.graph.ops.len() {
                let err = partition::by_param_bytes(&model.graph, n).unwrap_err();
                assert!(err.to_string().contains("each segment needs one"), "{err}");
                continue;
            }
            let bounds = partition::by_param_bytes(&model.graph, n).unwrap();
            let segments = model::cut(&model, &bounds).unwrap();
            assert_eq!(segments.len(), n);
            check_cut(&model, &segments, &mut whole, &reqs);
            if balance && n > 1 {
                assert_balanced(file, &segments);
            }
        }
    }
}

#[test]
fn one_segment_equals_the_model() {
    let Some(dir) = data_dir("one_segment_equals_the_model") else {
        return;
    };
    let model = Model::open(&dir.join(MODELS[0].0)).unwrap();
    let segments =
        model::cut(&model, &partition::by_param_bytes(&model.graph, 1).unwrap()).unwrap();
    let back = Model::from_bytes(&segments[0].bytes, Path::new("segment")).unwrap();
    assert_eq!(back.graph.ops.len(), model.graph.ops.len());
    assert_eq!(back.graph.tensors.len(), model.graph.tensors.len());
    let io = |m: &Model| -> Vec<String> {
        m.graph
            .inputs
            .iter()
            .chain(&m.graph.outputs)
            .map(|&t| m.graph.tensors[t].name.clone())
            .collect()
    };
    assert_eq!(io(&back), io(&model));
}

#[test]
fn explicit_cut_points_by_index_and_tensor_name() {
    let Some(dir) = data_dir("explicit_cut_points_by_index_and_tensor_name") else {
        return;
    };
    let file = MODELS[0].0;
    let model = Model::open(&dir.join(file)).unwrap();
    let g = &model.graph;
    let by_name = g.order[20];
    let tensor = g.tensors[g.ops[by_name].outputs[0]].name.clone();
    let cuts = vec![
        g.order[4].to_string(),
        tensor.clone(),
        g.order[11].to_string(),
    ];
    let bounds = partition::by_cut_points(g, &cuts).unwrap();
    assert_eq!(
        bounds,
        vec![0, 5, 12, 21, g.ops.len()],
        "cut points sort into bounds"
    );
    let segments = model::cut(&model, &bounds).unwrap();
    assert_eq!(
        g.tensors[segments[2].plan.outputs[0]].name, tensor,
        "segment 2 ends at the named tensor"
    );
    let mut whole = load(std::fs::read(dir.join(file)).unwrap(), file);
    let reqs = requests(&dir, &whole);
    check_cut(&model, &segments, &mut whole, &reqs);
}

/// A cut inside a residual block: segment 0 ends with the block's expanding conv, segment 1 is
/// the middle of the block, segment 2 starts before the residual ADD. The block's input skips
/// segment 1: an output of segment 0 and an input of segment 2, but not of segment 1.
#[test]
fn a_tensor_skips_a_segment() {
    let Some(dir) = data_dir("a_tensor_skips_a_segment") else {
        return;
    };
    let file = "coral/mobilenet_v2_1.0_224_quant.tflite";
    let model = Model::open(&dir.join(file)).unwrap();
    let g = &model.graph;
    let position = |op: usize| g.order.iter().position(|&o| o == op).unwrap();
    // The first residual ADD whose skip input was written 4 or more ops earlier.
    let (add, skip) = g
        .order
        .iter()
        .filter(|&&op| g.ops[op].kind == "ADD")
        .find_map(|&op| {
            let skip = g.ops[op]
                .inputs
                .iter()
                .flatten()
                .copied()
                .min_by_key(|&t| g.producer[t].map(position))?;
            let from = position(g.producer[skip]?);
            (position(op) - from >= 4).then_some((op, skip))
        })
        .expect("mobilenet v2 has residual blocks");
    let from = position(g.producer[skip].unwrap());
    let bounds = vec![0, from + 2, position(add) - 1, g.ops.len()];
    let segments = model::cut(&model, &bounds).unwrap();
    assert!(segments[0].plan.outputs.contains(&skip));
    assert!(
        !segments[1].plan.inputs.contains(&skip),
        "the skip tensor does not pass through"
    );
    assert!(segments[2].plan.inputs.contains(&skip));
    let mut whole = load(std::fs::read(dir.join(file)).unwrap(), file);
    let reqs = requests(&dir, &whole);
    check_cut(&model, &segments, &mut whole, &reqs);
}

/// Multi-input, multi-output: every way to cut split_concat into 3.
#[test]
fn multi_input_multi_output_routing() {
    let Some(dir) = data_dir("multi_input_multi_output_routing") else {
        return;
    };
    let file = "coral/split_concat.tflite";
    let model = Model::open(&dir.join(file)).unwrap();
    assert_eq!(
        (model.graph.inputs.len(), model.graph.outputs.len()),
        (3, 5)
    );
    let mut whole = load(std::fs::read(dir.join(file)).unwrap(), file);
    let reqs: Vec<_> = (0..3)
        .map(|s| verify::random_inputs(whole.inputs(), &mut SplitMix64::new(s)))
        .collect();
    for bounds in [vec![0, 1, 2, 3], vec![0, 1, 3], vec![0, 2, 3]] {
        let segments = model::cut(&model, &bounds).unwrap();
        check_cut(&model, &segments, &mut whole, &reqs);
    }
}

/// A tiny ADD whose options fuse a RELU: the option table the proof must see carried.
fn add_relu() -> Model {
    let mut m = crate::tiny::chain(&["a", "b"], &[crate::tiny::Step::Cpu(1)]);
    m.ops[0].options = Some((11, vec![(0, 1)]));
    Model::from_bytes(&m.bytes(), Path::new("add_relu.tflite")).unwrap()
}

/// Position of segment operator 0's option table.
fn options_table(bytes: &[u8]) -> usize {
    use edgepipe::model::flatbuf::Buf;
    use edgepipe::model::schema_gen::slot;
    let buf = Buf(bytes);
    let root = buf.root().unwrap();
    let sg = buf.tables(root, slot::model::SUBGRAPHS).unwrap()[0];
    let op = buf.tables(sg, slot::sub_graph::OPERATORS).unwrap()[0];
    buf.sub_table(op, slot::operator::BUILTIN_OPTIONS)
        .unwrap()
        .unwrap()
        .pos
}

#[test]
fn the_proof_rejects_a_segment_that_lost_or_changed_a_field() {
    let model = add_relu();
    let plan = model::plan_segments(&model.graph, &[0, 1])
        .unwrap()
        .remove(0);
    let good = model::cut(&model, &[0, 1]).unwrap().remove(0).bytes;
    model::prove(&model, &plan, &good).expect("the written segment is proven");

    let pos = options_table(&good);
    let soff = i32::from_le_bytes(good[pos..pos + 4].try_into().unwrap());
    let vtable = (pos as i64 - soff as i64) as usize;
    let field = u16::from_le_bytes([good[vtable + 4], good[vtable + 5]]) as usize;
    // Dropped: the slot's vtable entry cleared, so a reader sees the default (NONE).
    let mut dropped = good.clone();
    dropped[vtable + 4..vtable + 6].copy_from_slice(&[0, 0]);
    // Changed: RELU (1) became RELU6 (3).
    let mut changed = good.clone();
    changed[pos + field] = 3;
    for (what, bytes) in [("dropped", dropped), ("changed", changed)] {
        let err = model::prove(&model, &plan, &bytes).expect_err(what);
        assert_eq!(
            (err.table, err.field.as_str()),
            ("AddOptions", "fused_activation_function"),
            "{what}: {err}"
        );
        assert!(err.owner.contains("operator 0"), "{err}");
    }
}

/// Every CPU model of the test data and the repository's demo model, cut 2, 3 and 4 ways:
/// each segment passes the proof (inside `cut`) and the chain equals the whole model.
#[test]
fn every_cpu_model_cuts_proven_and_chains_bit_exactly() {
    let Some(dir) = data_dir("every_cpu_model_cuts_proven_and_chains_bit_exactly") else {
        return;
    };
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = [
        dir.join("coral/mobilenet_v1_0.5_160_quant.tflite"),
        dir.join("generated/efficientnet_lite0_224_pretrained_quant.tflite"),
        dir.join("generated/keras_inception_v3_299_random_logits_quant.tflite"),
        repo.join("models/efficientnet_lite0_uint8.tflite"),
    ];
    for file in files {
        let name = file.display().to_string();
        let model = Model::open(&file).expect("model loads");
        let mut whole = load(std::fs::read(&file).unwrap(), &name);
        let reqs = vec![verify::random_inputs(
            whole.inputs(),
            &mut SplitMix64::new(11),
        )];
        for n in 2..=4 {
            let bounds = partition::by_param_bytes(&model.graph, n).unwrap();
            let segments = model::cut(&model, &bounds).unwrap();
            check_cut(&model, &segments, &mut whole, &reqs);
        }
    }
}

/// `inspect` names ops past 1.15 from the generated table, and shows signature defs and
/// metadata.
#[test]
fn inspect_names_current_ops_signatures_and_metadata() {
    let model =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("models/schema/gelu_batch_matmul.tflite");
    let out = crate::util::edgepipe(&["inspect", model.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", crate::util::text(&out));
    for needle in [
        "GELU",
        "BATCH_MATMUL",
        "signature 'serving_default'",
        "min_runtime_version",
    ] {
        assert!(text.contains(needle), "inspect lacks '{needle}':\n{text}");
    }
    assert!(!text.contains(" op 1"), "an op without a name:\n{text}");
}
