//! Mutated real models never panic the reader or the cutter: every outcome is a model or an
//! error. (A proptest of mutated bytes; run more cases with PROPTEST_CASES=N.)

use std::path::Path;

use proptest::prelude::*;

use edgepipe::model::{self, Model};
use edgepipe::partition;

use crate::util::data_dir;

/// Reads `bytes`; when they pass, cuts them in two and re-reads the segments.
fn read_and_cut(bytes: &[u8]) {
    let Ok(model) = Model::from_bytes(bytes, Path::new("mutant.tflite")) else {
        return;
    };
    let n = model.graph.ops.len().min(2);
    if n == 0 {
        return;
    }
    let Ok(bounds) = partition::by_param_bytes(&model.graph, n) else {
        return;
    };
    if let Ok(segments) = model::cut(&model, &bounds) {
        for s in segments {
            let _ = Model::from_bytes(&s.bytes, Path::new("segment.tflite"));
        }
    }
}

fn mutations(len: usize) -> impl Strategy<Value = Vec<(usize, u8)>> {
    // Most of a model's structure (vtables, offsets) sits in its first and last kilobytes;
    // weights in between only change numbers.
    let head = 0..len.min(4096);
    let tail = len.saturating_sub(4096)..len;
    let pos = prop_oneof![head, tail];
    prop::collection::vec((pos, any::<u8>()), 1..8)
}

fn fuzz_file(file: &str, cases: u32) {
    let Some(dir) = data_dir("mutated_models_never_panic") else {
        return;
    };
    let original = std::fs::read(dir.join(file)).unwrap();
    let config = ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    proptest!(config, |(edits in mutations(original.len()))| {
        let mut bytes = original.clone();
        for (at, value) in edits {
            bytes[at] = value;
        }
        read_and_cut(&bytes);
    });
}

#[test]
fn mutated_split_concat_never_panics() {
    fuzz_file("coral/split_concat.tflite", 2000);
}

#[test]
fn mutated_mobilenet_never_panics() {
    fuzz_file("coral/mobilenet_v1_0.25_128_quant.tflite", 300);
}

#[test]
fn truncations_never_panic() {
    let Some(dir) = data_dir("truncations_never_panic") else {
        return;
    };
    let original = std::fs::read(dir.join("coral/split_concat.tflite")).unwrap();
    for len in 0..original.len() {
        read_and_cut(&original[..len]);
    }
}
