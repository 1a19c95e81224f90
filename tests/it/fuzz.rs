//! Mutated real models never panic the reader or the cutter: every outcome is a model or an
//! error, and a model that is read is never cut into segments the proof rejects. (A proptest
//! of mutated bytes; run more cases with PROPTEST_CASES=N.)

use std::path::Path;

use proptest::prelude::*;

use edgepipe::model::{self, Model, SegmentError};
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
    match model::cut(&model, &bounds) {
        Ok(segments) => {
            for s in segments {
                if let Err(e) = Model::from_bytes(&s.bytes, Path::new("segment.tflite")) {
                    panic!("a proven segment does not read back: {e}");
                }
            }
        }
        Err(SegmentError::Proof(e)) => panic!("the writer wrote what the proof rejects: {e}"),
        Err(_) => {}
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
    fuzz_path(&dir.join(file), cases);
}

fn fuzz_path(path: &Path, cases: u32) {
    let original = std::fs::read(path).unwrap();
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
fn mutated_option_tables_never_panic() {
    // The repository's demo model: TF2-converted, with option tables on most ops, builtin_code
    // set, shape signatures and metadata.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/efficientnet_lite0_uint8.tflite");
    fuzz_path(&path, 200);
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
