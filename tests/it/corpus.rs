//! The regression corpus of the command fuzz (issue 16): every kind of model that ever
//! crashed a command, built byte by byte (so the repository stays small), through `inspect`,
//! `segment`, `verify` and a one-frame `run` as child processes under a memory limit, as the
//! fuzz runs them ([`crate::fuzz_commands`]). Each must end in a clear error (exit 2, or 1 for
//! what only TensorFlow Lite finds at run time), never a signal, a panic or a hang.
//!
//! The first fuzz (3,069 mutants) found: an operator with an options type and no options
//! table (SIGSEGV), a convolution stride of 0 (SIGFPE), a C++ exception crossing into Rust
//! (SIGABRT), and a slice built from a byte size TensorFlow Lite computed from a negative
//! dimension (a "capacity overflow" panic). The command fuzz found three more (below).

use std::path::Path;

use edgepipe::model::flatbuf::Buf;
use edgepipe::model::schema_gen::slot;

use crate::fuzz_commands::{Ran, limited, os, run_config};
use crate::tiny::{
    CONV_2D, CONV2D_OPTIONS, Extras, FULLY_CONNECTED, INT32, MAX_POOL_2D, Op, POOL2D_OPTIONS, RELU,
    RESIZE_BILINEAR, Sig, T, Tiny, UINT8, float,
};
use crate::util::temp_dir;

/// A 1x1 convolution of a 1x4x4x1 float input with Conv2DOptions `slots`.
fn conv(slots: Vec<(u16, i32)>) -> Tiny {
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
            options: Some((CONV2D_OPTIONS, slots)),
            ..Default::default()
        }],
        inputs: vec![0],
        outputs: vec![3],
        subgraphs: 1,
    }
}

/// One operator of `code` from `shape` to `shape`, float32.
fn unary(code: i32, shape: &[i32], options: Option<(u8, Vec<(u16, i32)>)>) -> Tiny {
    Tiny {
        tensors: vec![float("x", shape, None), float("y", shape, None)],
        ops: vec![Op {
            code,
            inputs: vec![0],
            outputs: vec![1],
            options,
            ..Default::default()
        }],
        inputs: vec![0],
        outputs: vec![1],
        subgraphs: 1,
    }
}

/// `bytes` with operator 0's `builtin_options` slot cleared in its vtable: the options type
/// stays, the table is gone.
fn drop_options_table(mut bytes: Vec<u8>) -> Vec<u8> {
    let buf = Buf(&bytes);
    let root = buf.root().unwrap();
    let sg = buf.tables(root, slot::model::SUBGRAPHS).unwrap()[0];
    let op = buf.tables(sg, slot::sub_graph::OPERATORS).unwrap()[0];
    assert_ne!(
        buf.slot_offset(op, slot::operator::BUILTIN_OPTIONS)
            .unwrap(),
        0
    );
    let vtable = (op.pos as i64 - i64::from(buf.i32(op.pos).unwrap())) as usize;
    let entry = vtable + 4 + 2 * slot::operator::BUILTIN_OPTIONS;
    bytes[entry..entry + 2].copy_from_slice(&[0, 0]);
    bytes
}

/// Every command on `bytes` under `memory` bytes of address space: (inspect, segment,
/// verify, run); none may die of a signal, panic or hang.
fn every_command(name: &str, bytes: &[u8], memory: u64) -> [Ran; 4] {
    let dir = temp_dir(&format!("corpus-{name}"));
    let m = dir.join("m.tflite");
    std::fs::write(&m, bytes).unwrap();
    let out = dir.join("out");
    let config = run_config(&dir, &m, 16, true);
    let runs = [
        os(&[&"inspect", &m]),
        os(&[&"segment", &m, &"-n", &"1", &"--out-dir", &out]),
        os(&[&"verify", &m, &m, &"-k", &"1", &"--engine", &"builtin"]),
        os(&[&"run", &"--config", &config, &"--frames", &"1"]),
    ]
    .map(|args| limited(&args, &dir, memory));
    for (ran, command) in runs.iter().zip(["inspect", "segment", "verify", "run"]) {
        eprintln!(
            "{name}: {command}: {}: {}",
            ran.outcome(),
            ran.error().unwrap_or("")
        );
        let clean = !ran.hung && ran.signal.is_none() && matches!(ran.code, Some(0..=2));
        assert!(
            clean && !ran.stderr.contains("panicked"),
            "{name}: {command}: {}\n{}",
            ran.outcome(),
            ran.stderr
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    runs
}

const GIB: u64 = 1 << 30;

/// Refused by the model layer in every command, exit 2, naming `needle`.
fn refused_everywhere(name: &str, bytes: &[u8], needle: &str) {
    for (ran, command) in every_command(name, bytes, 4 * GIB)
        .iter()
        .zip(["inspect", "segment", "verify", "run"])
    {
        assert_eq!(ran.code, Some(2), "{name}: {command}: {}", ran.stderr);
        assert!(
            ran.error().is_some_and(|e| e.contains(needle)),
            "{name}: {command}: no {needle:?} in {}",
            ran.stderr
        );
    }
}

#[test]
fn an_options_type_without_its_table_is_refused_everywhere() {
    let bytes = drop_options_table(conv(vec![(1, 1), (2, 1)]).bytes());
    refused_everywhere("tag-no-table", &bytes, "builtin_options");
}

#[test]
fn a_convolution_stride_of_zero_is_refused_everywhere() {
    refused_everywhere(
        "stride0",
        &conv(vec![(1, 1), (2, 0)]).bytes(),
        "Conv2DOptions.stride_h",
    );
    let pool = unary(
        MAX_POOL_2D,
        &[1, 4, 4, 1],
        Some((POOL2D_OPTIONS, vec![(1, 1), (2, 1), (3, 0), (4, 1)])),
    );
    refused_everywhere("filter0", &pool.bytes(), "Pool2DOptions.filter_width");
}

#[test]
fn a_negative_dimension_is_refused_everywhere_and_never_becomes_a_slice() {
    // TensorFlow Lite 1.15 computes a negative byte size for [-1, 4], which a slice was once
    // built from ("capacity overflow"). The model layer refuses it now: seed 20261202's case
    // 1021 put -1 in an intermediate, which the whole model recomputed and a segment bound.
    let model = unary(RELU, &[-1, 4], None).bytes();
    refused_everywhere(
        "negative-dim",
        &model,
        "tensor 0 'x': Tensor.shape (slot 0): dimension 0 is -1",
    );
    // Behind it, the engine's own check of what TensorFlow Lite reports.
    let options = edgepipe::engine::EngineOptions {
        threads: 1,
        provider: edgepipe::engine::Provider::Builtin,
        kernels: edgepipe::engine::Kernels::Xnnpack,
        custom_ops: Vec::new(),
    };
    let err = edgepipe::engine::open(&model, &options).err().unwrap();
    assert!(err.to_string().contains("dimension 0 is -1"), "{err}");
}

#[test]
fn an_allocation_tensorflow_lite_cannot_make_is_an_error_not_an_abort() {
    // 1 GiB in and 1 GiB out: TensorFlow Lite's arena (operator new) throws std::bad_alloc
    // under a 1.5 GiB limit; the shim catches it (it once crossed into Rust: SIGABRT).
    let model = unary(RELU, &[1, 1 << 28], None).bytes();
    let [_, _, verify, _] = every_command("bad-alloc", &model, 3 * GIB / 2);
    let caught = "C++ exception in TensorFlow Lite: std::bad_alloc";
    assert!(verify.stderr.contains(caught), "{}", verify.stderr);
}

// Found by the command fuzz (tests/it/fuzz_commands.rs, seed 16).

#[test]
fn an_omitted_required_input_is_refused_everywhere() {
    // Case 496: FULLY_CONNECTED's weights set to -1 ("omitted"); LiteRT's compile took
    // SIGSEGV in verify itself, though the preflight child had got a clean error.
    let model = Tiny {
        tensors: vec![
            float("x", &[2, 4], None),
            float("b", &[3], Some(vec![0; 12])),
            float("y", &[2, 3], None),
        ],
        ops: vec![Op {
            code: FULLY_CONNECTED,
            inputs: vec![0, -1, 1],
            outputs: vec![2],
            ..Default::default()
        }],
        inputs: vec![0],
        outputs: vec![2],
        subgraphs: 1,
    };
    refused_everywhere(
        "omitted",
        &model.bytes(),
        "input 1 is required but omitted (-1)",
    );
}

#[test]
fn a_resize_to_another_size_than_its_output_is_refused_everywhere() {
    // Case 476: a byte of RESIZE_BILINEAR's constant size changed; the whole model ran (its
    // intermediate shapes recomputed) but the segment ending there crashed LiteRT (SIGSEGV,
    // caught by the preflight).
    let size = [4i32, 1028].iter().flat_map(|v| v.to_le_bytes()).collect();
    let model = Tiny {
        tensors: vec![
            float("x", &[1, 2, 2, 1], None),
            T {
                dtype: INT32,
                ..float("size", &[2], Some(size))
            },
            float("y", &[1, 4, 4, 1], None),
        ],
        ops: vec![Op {
            code: RESIZE_BILINEAR,
            inputs: vec![0, 1],
            outputs: vec![2],
            ..Default::default()
        }],
        inputs: vec![0],
        outputs: vec![2],
        subgraphs: 1,
    };
    refused_everywhere("resize", &model.bytes(), "resized to [1, 4, 1028, 1]");
}

#[test]
fn an_empty_activation_is_refused_everywhere() {
    // Case 576: an intermediate's stored dimension set to 0; the whole model ran, the
    // segment whose output it became could not bind it.
    let model = Tiny {
        tensors: vec![
            float("x", &[1, 4], None),
            float("mid", &[0, 4], None),
            float("y", &[1, 4], None),
        ],
        ops: vec![
            Op {
                code: RELU,
                inputs: vec![0],
                outputs: vec![1],
                ..Default::default()
            },
            Op {
                code: RELU,
                inputs: vec![1],
                outputs: vec![2],
                ..Default::default()
            },
        ],
        inputs: vec![0],
        outputs: vec![2],
        subgraphs: 1,
    };
    refused_everywhere(
        "empty",
        &model.bytes(),
        "tensor 1 'mid': Tensor.shape (slot 0): dimension 0 is 0",
    );
}

#[test]
fn the_corpus_models_are_what_they_claim() {
    // The byte-built cases differ from a sound model only where they say.
    let sound = conv(vec![(1, 1), (2, 1)]).bytes();
    edgepipe::model::Model::from_bytes(&sound, Path::new("sound.tflite")).unwrap();
    assert_ne!(drop_options_table(sound.clone()), sound);
}

// Found by the command fuzz (seed 7), caught only by the preflight child until the model
// layer refused them.

/// GATHER's builtin code.
const GATHER: i32 = 36;

/// RELU [1, 4] with a second tensor no graph input or output names, and `sig` as its one
/// signature def.
fn relu_with_signature(sig: impl FnOnce(&Tiny) -> Sig) -> Vec<u8> {
    let mut model = unary(RELU, &[1, 4], None);
    model.tensors.push(float("unused", &[1, 4], None));
    let signature = Some(sig(&model));
    model.bytes_with(&Extras {
        signature,
        ..Default::default()
    })
}

#[test]
fn a_signature_naming_a_tensor_outside_the_graph_inputs_is_refused_everywhere() {
    // Cases 1596 (a field overwrite) and 2350 (a bit flip) of seed 7: a signature's
    // TensorMap.tensor_index changed; LiteRT aborted (SIGABRT) while preparing the whole
    // model, which only the preflight child turned into an error.
    let bytes = relu_with_signature(|m| {
        let mut sig = Sig::of(m);
        sig.inputs[0].1 = 2;
        sig
    });
    refused_everywhere(
        "signature-input",
        &bytes,
        "signature def 0 'serving_default' input 0 'x': TensorMap.tensor_index (slot 1): \
         tensor 2 is not one of the subgraph's inputs",
    );
    let bytes = relu_with_signature(|m| {
        let mut sig = Sig::of(m);
        sig.outputs[0].1 = 0;
        sig
    });
    refused_everywhere(
        "signature-output",
        &bytes,
        "tensor 0 is not one of the subgraph's outputs",
    );
}

#[test]
fn a_signature_of_a_subgraph_that_does_not_exist_is_refused_everywhere() {
    let bytes = relu_with_signature(|m| Sig {
        subgraph_index: 1,
        ..Sig::of(m)
    });
    refused_everywhere(
        "signature-subgraph",
        &bytes,
        "SignatureDef.subgraph_index (slot 4): subgraph 1 does not exist",
    );
}

#[test]
fn a_model_without_operators_is_refused_everywhere() {
    // The fuzz's splices and truncated vectors make these; inspect once refused them with its
    // cache estimate's message and the other commands each with their own.
    let model = Tiny {
        ops: Vec::new(),
        outputs: vec![0],
        ..unary(RELU, &[1, 4], None)
    };
    refused_everywhere(
        "no-operators",
        &model.bytes(),
        "subgraph 0: SubGraph.operators (slot 3): the subgraph has no operators",
    );
}

#[test]
fn an_omitted_input_a_kernel_reads_is_refused_everywhere() {
    // Seed 20261202's case 2631: GATHER's indices set to -1. TensorFlow Lite read the missing
    // tensor: SIGSEGV in verify itself (the preflight child had survived it). Only a bias,
    // PADV2's value, RESHAPE's shape and the recurrent ops' extras may be left out.
    let indices = T {
        dtype: INT32,
        ..float("indices", &[2], None)
    };
    let model = Tiny {
        tensors: vec![
            float("params", &[4, 3], None),
            indices,
            float("y", &[2, 3], None),
        ],
        ops: vec![Op {
            code: GATHER,
            inputs: vec![0, -1],
            outputs: vec![2],
            ..Default::default()
        }],
        inputs: vec![0, 1],
        outputs: vec![2],
        subgraphs: 1,
    };
    refused_everywhere(
        "gather-omitted",
        &model.bytes(),
        "operator 0 (GATHER): Operator.inputs (slot 1): input 1 is required but omitted (-1)",
    );
    let mut sound = model;
    sound.ops[0].inputs = vec![0, 1];
    edgepipe::model::Model::from_bytes(&sound.bytes(), Path::new("gather.tflite")).unwrap();
}

#[test]
fn a_scale_that_is_not_a_finite_positive_number_is_refused_everywhere() {
    // Seed 20261202's case 3346: an EfficientNet scale set to +inf; TensorFlow Lite crashed
    // preparing the whole model (caught by the preflight). NaN, 0 and negative scales too.
    for (scale, shown) in [
        (f32::INFINITY, "inf"),
        (f32::NAN, "NaN"),
        (0.0, "0"),
        (-0.5, "-0.5"),
    ] {
        let mut model = unary(RELU, &[1, 4], None);
        for t in &mut model.tensors {
            t.dtype = UINT8;
        }
        model.tensors[1].quant = Some((scale, 0));
        model.tensors[0].quant = Some((0.5, 0));
        refused_everywhere(
            &format!("scale-{shown}"),
            &model.bytes(),
            &format!("tensor 1 'y': QuantizationParameters.scale (slot 2): scale 0 is {shown}"),
        );
    }
}

#[test]
fn a_model_with_no_inputs_or_outputs_or_one_listed_twice_is_refused_everywhere() {
    // Seed 99's case 3236: MobileNet's SubGraph.outputs emptied; `run` indexed the first
    // output of none and panicked. Case 4866: split_concat's outputs listed one tensor twice;
    // LiteRT wrote one of the two, and verify saw the chain "differ" from the whole model.
    let relu = unary(RELU, &[1, 4], None);
    let cases = [
        (
            "no-outputs",
            Tiny {
                outputs: Vec::new(),
                ..relu.clone()
            },
            "subgraph 0: SubGraph.outputs (slot 2): the subgraph has no outputs",
        ),
        (
            "no-inputs",
            Tiny {
                inputs: Vec::new(),
                ..relu.clone()
            },
            "subgraph 0: SubGraph.inputs (slot 1): the subgraph has no inputs",
        ),
        (
            "output-twice",
            Tiny {
                outputs: vec![1, 1],
                ..relu
            },
            "subgraph 0: SubGraph.outputs (slot 2): tensor 1 is listed twice, at 0 and 1",
        ),
    ];
    for (name, model, needle) in cases {
        refused_everywhere(name, &model.bytes(), needle);
    }
}

#[test]
fn a_sound_signature_is_accepted() {
    let bytes = relu_with_signature(Sig::of);
    let model = edgepipe::model::Model::from_bytes(&bytes, Path::new("sig.tflite")).unwrap();
    assert_eq!(model.signatures[0].inputs, vec![("x".to_string(), 0)]);
    assert_eq!(model.signatures[0].outputs, vec![("y".to_string(), 1)]);
}
