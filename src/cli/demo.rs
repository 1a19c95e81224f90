//! `edgepipe demo`: the main job on the embedded default, on any machine. Until the appliance
//! exists: cut the repository's demo model and prove the segments chain to the whole model.

use std::path::PathBuf;

use anyhow::{Context, Result};

use super::segment::SegmentArgs;
use super::verify::VerifyArgs;

/// `models/demo_mlp.tflite`, made by `cargo run --example make_demo_model`.
const DEMO_MODEL: &[u8] = include_bytes!("../../models/demo_mlp.tflite");

fn device() -> super::device_args::DeviceArgs {
    super::device_args::DeviceArgs {
        engine: Default::default(),
        devices: Vec::new(),
        edgetpu_lib: None,
        lock_dir: None,
        threads: 1,
    }
}

pub fn run(num_segments: usize, count: usize, out_dir: Option<PathBuf>) -> Result<()> {
    let out_dir = out_dir.unwrap_or_else(|| std::env::temp_dir().join("edgepipe-demo"));
    std::fs::create_dir_all(&out_dir)
        .with_context(|| format!("cannot create {}", out_dir.display()))?;
    let model = out_dir.join("demo_mlp.tflite");
    std::fs::write(&model, DEMO_MODEL)
        .with_context(|| format!("cannot write {}", model.display()))?;
    super::segment::run(SegmentArgs {
        model: model.clone(),
        num_segments: Some(num_segments),
        cut_after: Vec::new(),
        out_dir: out_dir.clone(),
        json: false,
        balance: super::balance::BalanceArgs {
            balance: super::balance::Balance::Params,
            invokes: 5,
            threshold: 0.05,
            max_rounds: 6,
            compile_cmd: None,
        },
        device: device(),
    })?;
    let segments = (0..num_segments)
        .map(|i| {
            out_dir.join(edgepipe::model::segment_file_name(
                "demo_mlp",
                i,
                num_segments,
            ))
        })
        .collect();
    super::verify::run(VerifyArgs {
        model,
        segments,
        count,
        seed: 1,
        input: Vec::new(),
        device: device(),
        json: false,
    })
}
