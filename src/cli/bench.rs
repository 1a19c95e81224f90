//! `edgepipe bench`: the whole model on one interpreter vs its segments pipelined, same run.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use serde::Serialize;

use edgepipe::bench::{self, PipelineReport, Requests, SingleReport};
use edgepipe::engine::{self, Provider};
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
    /// The model: a file name in --model-dir, with or without .tflite (not with --plan).
    #[arg(long, required_unless_present = "plan", conflicts_with = "plan")]
    model: Option<String>,
    /// Measure these plan files (from `edgepipe plan --out-dir`) instead, in one run.
    #[arg(long, value_delimiter = ',')]
    plan: Vec<PathBuf>,
    /// With --plan: write a Chrome/Perfetto trace of the first plan's run (one track per
    /// stage replica, one span per request, queue waits).
    #[arg(long, requires = "plan")]
    trace: Option<PathBuf>,
    /// With --plan: an SVG chart of the first plan's stages, measured against predicted.
    #[arg(long, requires = "plan")]
    svg: Option<PathBuf>,
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
    /// Also time the whole model on these engines (e.g. builtin), side by side with --engine.
    #[arg(long, value_delimiter = ',')]
    versus: Vec<Provider>,
    /// Requests per --versus engine (the built-in engine takes seconds per invoke on some
    /// models).
    #[arg(long, default_value_t = 5)]
    versus_count: usize,
    /// Runtime and devices.
    #[command(flatten)]
    device: DeviceArgs,
}

/// The whole model on another engine.
#[derive(Serialize)]
struct Versus {
    engine: String,
    requests: usize,
    single: SingleReport,
    /// Its mean invoke time / --engine's.
    slower: f64,
}

#[derive(Serialize)]
struct Report {
    model: PathBuf,
    requests: usize,
    /// What ran the whole model.
    engine: String,
    single: SingleReport,
    versus: Vec<Versus>,
    pipelines: Vec<PipelineReport>,
    /// What ran each pipeline's segments, and where.
    segment_engines: Vec<Vec<String>>,
    latency_balance: Option<LatencyReport>,
}

fn model_path(a: &BenchArgs) -> PathBuf {
    let name = a.model.clone().unwrap_or_default();
    let plain = a.model_dir.join(&name);
    if plain.exists() {
        plain
    } else {
        a.model_dir.join(format!("{name}.tflite"))
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
    if !a.plan.is_empty() {
        return super::bench_plan::run(super::bench_plan::PlanBench {
            plans: &a.plan,
            count: a.count,
            capacity: a.capacity,
            trace: a.trace.as_deref(),
            svg: a.svg.as_deref(),
            json: a.json,
            device: &a.device,
        });
    }
    let path = model_path(&a);
    let model = Model::open(&path)?;
    let (partitions, latency_balance) = partitions(&a, &model)?;
    let bytes = bytes_of(&path)?;
    let mut whole = a.device.open_whole(&bytes).context("the whole model")?;
    let requests = Requests::random(whole.inputs(), a.count);
    let single = bench::single(whole.as_mut(), &requests)?;
    let engine = whole.runtime().to_string();
    drop(whole);
    let versus = versus(&a, &bytes, &single)?;
    let mut pipelines = Vec::new();
    let mut segment_engines = Vec::new();
    for (label, bounds) in &partitions {
        let segments = model::cut(&model, bounds)
            .with_context(|| format!("cannot segment {}", path.display()))?;
        let bytes: Vec<Vec<u8>> = segments.into_iter().map(|s| s.bytes).collect();
        let engines = a.device.open(&bytes)?;
        segment_engines.push(
            engines
                .iter()
                .map(|e| format!("{} on {}", e.runtime(), e.binding()))
                .collect(),
        );
        pipelines.push(bench::pipelined(label, engines, &requests, a.capacity)?);
    }
    bench::speedups(&single, &mut pipelines);
    let report = Report {
        model: path,
        requests: a.count,
        engine,
        single,
        versus,
        pipelines,
        segment_engines,
        latency_balance,
    };
    if a.json {
        return super::emit(&(serde_json::to_string_pretty(&report)? + "\n"));
    }
    super::emit(&render(&report))
}

fn bytes_of(path: &std::path::Path) -> Result<Vec<u8>> {
    Ok(edgepipe::fsutil::read_bounded(
        path,
        edgepipe::fsutil::MAX_MODEL_BYTES,
    )?)
}

/// The whole model timed on each --versus engine.
fn versus(a: &BenchArgs, model: &[u8], main: &SingleReport) -> Result<Vec<Versus>> {
    let mut out = Vec::new();
    for provider in &a.versus {
        let mut options = a.device.engine_options();
        options.provider = provider.clone();
        let what = "the whole model";
        edgepipe::preflight::check(what, model, &options, edgepipe::preflight::Depth::Invoke)?;
        let mut engine = engine::open(model, &options)
            .with_context(|| format!("the whole model on --versus {provider:?}"))?;
        let requests = Requests::random(engine.inputs(), a.versus_count.max(1));
        let single = bench::single(engine.as_mut(), &requests)?;
        out.push(Versus {
            engine: engine.runtime().to_string(),
            requests: requests.len(),
            slower: single.mean_ms / main.mean_ms,
            single,
        });
    }
    Ok(out)
}

fn render(r: &Report) -> String {
    let mut out = String::new();
    outln!(out, "{}: {} requests", r.model.display(), r.requests);
    outln!(out, "engine: {}", r.engine);
    if let Some(l) = &r.latency_balance {
        out.push_str(&balance::render(l));
    }
    outln!(
        out,
        "single interpreter: {:>9.2} req/s  (mean {:.2} ms)",
        r.single.per_s,
        r.single.mean_ms
    );
    for v in &r.versus {
        outln!(
            out,
            "  versus {}: {:.2} ms per request ({} requests), {:.1}x slower",
            v.engine,
            v.single.mean_ms,
            v.requests,
            v.slower
        );
    }
    for (p, engines) in r.pipelines.iter().zip(&r.segment_engines) {
        outln!(
            out,
            "pipeline, {} ({} segments, capacity {}):",
            p.label,
            p.segments,
            p.capacity
        );
        for (i, e) in engines.iter().enumerate() {
            outln!(out, "  segment {i}: {e}");
        }
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
