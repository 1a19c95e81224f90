//! `edgepipe bench`: the whole model on one interpreter vs its segments pipelined, same run.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use edgepipe::bench;
use edgepipe::engine::{Engine, Interpreter};
use edgepipe::model::{self, Model};
use edgepipe::partition;

use super::UsageError;
use super::device_args::DeviceArgs;

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Directory holding the model.
    #[arg(long, default_value = ".")]
    model_dir: PathBuf,
    /// The model: a file name in --model-dir, with or without .tflite.
    #[arg(long)]
    model: String,
    /// Segments, balanced by parameter bytes.
    #[arg(long, short = 'n', conflicts_with = "cut_after")]
    num_segments: Option<usize>,
    /// Explicit cut points instead (op indices or tensor names).
    #[arg(long, value_delimiter = ',')]
    cut_after: Vec<String>,
    /// Requests to run through each.
    #[arg(long, short = 'k', default_value_t = 100)]
    count: usize,
    /// Requests in flight (default 2N + 1).
    #[arg(long)]
    capacity: Option<usize>,
    /// Runtime and devices.
    #[command(flatten)]
    device: DeviceArgs,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

fn model_path(a: &BenchArgs) -> PathBuf {
    let plain = a.model_dir.join(&a.model);
    if plain.exists() {
        plain
    } else {
        a.model_dir.join(format!("{}.tflite", a.model))
    }
}

pub fn run(a: BenchArgs) -> Result<()> {
    if a.count == 0 {
        return Err(UsageError("--count must be at least 1".into()).into());
    }
    let path = model_path(&a);
    let model = Model::open(&path)?;
    let g = &model.graph;
    let bounds = match (a.num_segments, a.cut_after.is_empty()) {
        (Some(n), true) => partition::by_param_bytes(g, n)?,
        (None, false) => partition::by_cut_points(g, &a.cut_after)?,
        _ => {
            return Err(
                UsageError("give --num-segments N or --cut-after OP[,OP...]".into()).into(),
            );
        }
    };
    let segments = model::cut(&model, &bounds)
        .with_context(|| format!("cannot segment {}", path.display()))?;
    let whole = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let whole =
        Interpreter::with_options(&whole, &a.device.engine_options()).context("the whole model")?;
    let bytes: Vec<Vec<u8>> = segments.into_iter().map(|s| s.bytes).collect();
    let engines = a.device.open(&bytes)?;
    let engines = engines
        .into_iter()
        .map(|e| Box::new(e) as Box<dyn Engine>)
        .collect();
    let r = bench::run(Box::new(whole), engines, a.count, a.capacity)?;
    if a.json {
        return super::emit(&(serde_json::to_string_pretty(&r)? + "\n"));
    }
    let mut out = String::new();
    outln!(
        out,
        "{}: {} segment(s), {} requests, capacity {}",
        path.display(),
        r.segments,
        r.requests,
        r.capacity
    );
    outln!(
        out,
        "single interpreter: {:>9.2} req/s  (mean {:.2} ms)",
        r.single_per_s,
        r.single_mean_ms
    );
    outln!(out, "pipeline:           {:>9.2} req/s", r.pipeline_per_s);
    outln!(
        out,
        "ideal pipeline:     {:>9.2} req/s  (1 / slowest stage mean)",
        r.ideal_per_s
    );
    outln!(
        out,
        "efficiency:         {:>9.3}    (pipeline / ideal)",
        r.efficiency
    );
    outln!(
        out,
        "speedup:            {:>9.3}    (pipeline / single)",
        r.speedup
    );
    outln!(
        out,
        "{:>5} {:>9} {:>9} {:>9} {:>9} {:>8} {:>10}",
        "stage",
        "mean ms",
        "p50 ms",
        "p99 ms",
        "max ms",
        "busy %",
        "wait in ms"
    );
    let elapsed_ns = r.requests as f64 / r.pipeline_per_s * 1e9;
    for s in &r.stages {
        let ms = |ns: u64| ns as f64 / 1e6;
        outln!(
            out,
            "{:>5} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>8.1} {:>10.1}",
            s.segment,
            ms(s.mean_ns),
            ms(s.p50_ns),
            ms(s.p99_ns),
            ms(s.max_ns),
            100.0 * s.busy_ns as f64 / elapsed_ns,
            ms(s.wait_input_ns)
        );
    }
    super::emit(&out)
}
