//! `edgepipe bench`: the whole model on one interpreter vs its segments pipelined, same run.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use serde::Serialize;

use edgepipe::bench::{self, PipelineReport, Requests, SingleReport};
use edgepipe::model::{self, Model};
use edgepipe::partition;

use super::UsageError;
use super::balance::{self, Balance, BalanceArgs, LatencyReport};
use super::device_args::DeviceArgs;

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Directory holding the model.
    #[arg(long, default_value = ".")]
    model_dir: PathBuf,
    /// The model: a file name in --model-dir, with or without .tflite.
    #[arg(long)]
    model: String,
    /// Segments (placed by --balance).
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
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Where the cuts go (`both` runs the parameter- and latency-balanced pipelines).
    #[command(flatten)]
    balance: BalanceArgs,
    /// Runtime and devices.
    #[command(flatten)]
    device: DeviceArgs,
}

#[derive(Serialize)]
struct Report {
    model: PathBuf,
    requests: usize,
    single: SingleReport,
    pipelines: Vec<PipelineReport>,
    latency_balance: Option<LatencyReport>,
}

fn model_path(a: &BenchArgs) -> PathBuf {
    let plain = a.model_dir.join(&a.model);
    if plain.exists() {
        plain
    } else {
        a.model_dir.join(format!("{}.tflite", a.model))
    }
}

/// A labelled partition: (label, bounds).
type Labelled = (String, Vec<usize>);

/// The partitions to compare, and the latency search's report when one ran.
fn partitions(a: &BenchArgs, model: &Model) -> Result<(Vec<Labelled>, Option<LatencyReport>)> {
    let g = &model.graph;
    let n = match (a.num_segments, a.cut_after.is_empty()) {
        (None, false) => {
            return Ok((
                vec![(
                    "cut by hand".into(),
                    partition::by_cut_points(g, &a.cut_after)?,
                )],
                None,
            ));
        }
        (Some(n), true) => n,
        _ => {
            return Err(
                UsageError("give --num-segments N or --cut-after OP[,OP...]".into()).into(),
            );
        }
    };
    let params = (
        "parameter-balanced".to_string(),
        partition::by_param_bytes(g, n)?,
    );
    if a.balance.balance == Balance::Params {
        return Ok((vec![params], None));
    }
    let (bounds, report) = balance::latency_bounds(model, n, &a.balance, &a.device)?;
    let latency = ("latency-balanced".to_string(), bounds);
    match a.balance.balance {
        Balance::Both => Ok((vec![params, latency], Some(report))),
        _ => Ok((vec![latency], Some(report))),
    }
}

pub fn run(a: BenchArgs) -> Result<()> {
    if a.count == 0 {
        return Err(UsageError("--count must be at least 1".into()).into());
    }
    let path = model_path(&a);
    let model = Model::open(&path)?;
    let (partitions, latency_balance) = partitions(&a, &model)?;
    let whole = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut whole = a.device.open_whole(&whole).context("the whole model")?;
    let requests = Requests::random(whole.inputs(), a.count);
    let single = bench::single(whole.as_mut(), &requests)?;
    drop(whole);
    let mut pipelines = Vec::new();
    for (label, bounds) in &partitions {
        let segments = model::cut(&model, bounds)
            .with_context(|| format!("cannot segment {}", path.display()))?;
        let bytes: Vec<Vec<u8>> = segments.into_iter().map(|s| s.bytes).collect();
        let engines = a.device.open(&bytes)?;
        pipelines.push(bench::pipelined(label, engines, &requests, a.capacity)?);
    }
    bench::speedups(&single, &mut pipelines);
    let report = Report {
        model: path,
        requests: a.count,
        single,
        pipelines,
        latency_balance,
    };
    if a.json {
        return super::emit(&(serde_json::to_string_pretty(&report)? + "\n"));
    }
    super::emit(&render(&report))
}

fn render(r: &Report) -> String {
    let mut out = String::new();
    outln!(out, "{}: {} requests", r.model.display(), r.requests);
    if let Some(l) = &r.latency_balance {
        out.push_str(&balance::render(l));
    }
    outln!(
        out,
        "single interpreter: {:>9.2} req/s  (mean {:.2} ms)",
        r.single.per_s,
        r.single.mean_ms
    );
    for p in &r.pipelines {
        outln!(
            out,
            "pipeline, {} ({} segments, capacity {}):",
            p.label,
            p.segments,
            p.capacity
        );
        outln!(out, "  measured   {:>9.2} req/s", p.per_s);
        outln!(
            out,
            "  ideal      {:>9.2} req/s  (1 / slowest stage mean)",
            p.ideal_per_s
        );
        outln!(
            out,
            "  efficiency {:>9.3}        (measured / ideal)",
            p.efficiency
        );
        outln!(
            out,
            "  speedup    {:>9.3}        (measured / single interpreter)",
            p.speedup
        );
        outln!(
            out,
            "  {:>5} {:>9} {:>9} {:>9} {:>9} {:>8} {:>10}",
            "stage",
            "mean ms",
            "p50 ms",
            "p99 ms",
            "max ms",
            "busy %",
            "wait in ms"
        );
        let elapsed_ns = r.requests as f64 / p.per_s * 1e9;
        let ms = |ns: u64| ns as f64 / 1e6;
        for s in &p.stages {
            outln!(
                out,
                "  {:>5} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>8.1} {:>10.1}",
                s.segment,
                ms(s.mean_ns),
                ms(s.p50_ns),
                ms(s.p99_ns),
                ms(s.max_ns),
                100.0 * s.busy_ns as f64 / elapsed_ns,
                ms(s.wait_input_ns)
            );
        }
    }
    out
}
