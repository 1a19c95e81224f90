//! `bench --plan FILE...`: measures plans written by `edgepipe plan` (replicated stages on
//! their devices) against the whole model on one interpreter, in one run, and reports
//! measured against predicted throughput, per stage and overall; `--trace` and `--svg`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use serde::Serialize;

use edgepipe::bench::{self, PipelineReport, Requests, SingleReport};
use edgepipe::engine::{self, Engine};
use edgepipe::pipeline::trace::Trace;
use edgepipe::plan::file::PlanFile;

use super::chart::{self, Bar};
use super::device_args::DeviceArgs;

/// What `bench --plan` was asked.
pub struct PlanBench<'a> {
    pub plans: &'a [PathBuf],
    pub count: usize,
    pub capacity: Option<usize>,
    pub trace: Option<&'a Path>,
    pub svg: Option<&'a Path>,
    pub json: bool,
    pub device: &'a DeviceArgs,
}

#[derive(Serialize)]
struct StageRow {
    ops: [usize; 2],
    devices: Vec<String>,
    predicted_per_s: f64,
    /// What the stage sustains: the sum of its replicas' 1 / mean invoke time.
    measured_per_s: f64,
}

#[derive(Serialize)]
struct PlanRow {
    file: PathBuf,
    predicted_per_s: f64,
    /// Measured / predicted.
    ratio: f64,
    stages: Vec<StageRow>,
    #[serde(flatten)]
    pipeline: PipelineReport,
}

#[derive(Serialize)]
struct Report {
    model: PathBuf,
    requests: usize,
    single: SingleReport,
    plans: Vec<PlanRow>,
}

/// Opens every replica of `plan` on its device (one call, so TPUs are given out once).
fn open(plan: &PlanFile, file: &Path, device: &DeviceArgs) -> Result<Vec<Vec<Box<dyn Engine>>>> {
    let dir = file.parent().unwrap_or(Path::new("."));
    let replicas = plan.replicas(dir)?;
    let (specs, bytes): (Vec<_>, Vec<_>) = replicas.iter().flatten().cloned().unzip();
    let mut config = device.device_config();
    config.devices = Some(specs);
    let mut engines = engine::open_segments(&bytes, &device.engine_options(), &config)
        .with_context(|| format!("opening the plan {}", file.display()))?
        .into_iter();
    Ok(replicas
        .iter()
        .map(|r| engines.by_ref().take(r.len()).collect())
        .collect())
}

pub fn run(b: PlanBench) -> Result<()> {
    let files: Vec<PlanFile> = b
        .plans
        .iter()
        .map(|f| PlanFile::load(f))
        .collect::<Result<_, _>>()?;
    let model = files[0].model.clone();
    let bytes = edgepipe::fsutil::read_bounded(&model, edgepipe::fsutil::MAX_MODEL_BYTES)?;
    let mut whole = b.device.open_whole(&bytes).context("the whole model")?;
    let requests = Requests::random(whole.inputs(), b.count);
    let single = bench::single(whole.as_mut(), &requests)?;
    drop(whole);
    let mut plans = Vec::new();
    for (i, (plan, file)) in files.iter().zip(b.plans).enumerate() {
        let stages = open(plan, file, b.device)?;
        let counts: Vec<usize> = stages.iter().map(Vec::len).collect();
        let trace =
            (i == 0 && b.trace.is_some()).then(|| Arc::new(Trace::new(counts.len(), b.count)));
        let label = file.display().to_string();
        let mut report =
            bench::pipelined_stages(&label, stages, &requests, b.capacity, trace.clone())?;
        bench::speedups(&single, std::slice::from_mut(&mut report));
        if let (Some(path), Some(t)) = (b.trace, trace) {
            let text = serde_json::to_string(&t.to_json(&counts))?;
            edgepipe::fsutil::write_report(path, text.as_bytes(), &[&model])?;
        }
        let stages = plan
            .stages
            .iter()
            .zip(&report.stages)
            .map(|(p, m)| StageRow {
                ops: p.ops,
                devices: p.replicas.iter().map(|r| r.device.clone()).collect(),
                predicted_per_s: p.predicted_per_s,
                measured_per_s: m.capacity_per_s(),
            })
            .collect();
        plans.push(PlanRow {
            file: file.clone(),
            predicted_per_s: plan.predicted_per_s,
            ratio: report.per_s / plan.predicted_per_s,
            stages,
            pipeline: report,
        });
    }
    if let Some(svg) = b.svg {
        let p = &plans[0];
        let bars: Vec<Bar> = p
            .stages
            .iter()
            .enumerate()
            .map(|(i, s)| Bar {
                label: format!(
                    "stage {i}: ops {}..{} on {}",
                    s.ops[0],
                    s.ops[1],
                    s.devices.join(",")
                ),
                ms: 1e3 / s.measured_per_s.max(1e-9),
                other_ms: Some(1e3 / s.predicted_per_s.max(1e-9)),
            })
            .collect();
        let title = format!(
            "bench {}: measured {:.1} req/s, predicted {:.1}",
            p.file.display(),
            p.pipeline.per_s,
            p.predicted_per_s
        );
        let text = chart::bars(&title, &bars, "measured time per request", "predicted");
        edgepipe::fsutil::write_report(svg, text.as_bytes(), &[&model])?;
    }
    let report = Report {
        model,
        requests: b.count,
        single,
        plans,
    };
    if b.json {
        return super::emit(&(serde_json::to_string_pretty(&report)? + "\n"));
    }
    super::emit(&render(&report))
}

fn render(r: &Report) -> String {
    let mut out = String::new();
    outln!(out, "{}: {} requests", r.model.display(), r.requests);
    outln!(
        out,
        "single interpreter: {:>9.2} req/s  (mean {:.2} ms)",
        r.single.per_s,
        r.single.mean_ms
    );
    for p in &r.plans {
        outln!(
            out,
            "plan {} ({} stages, capacity {}):",
            p.file.display(),
            p.stages.len(),
            p.pipeline.capacity
        );
        outln!(
            out,
            "  measured {:>9.2} req/s  predicted {:>9.2}  measured/predicted {:.3}  speedup {:.2}x",
            p.pipeline.per_s,
            p.predicted_per_s,
            p.ratio,
            p.pipeline.speedup
        );
        outln!(
            out,
            "  {:>5} {:>9} {:>14} {:>14}  devices",
            "stage",
            "ops",
            "predicted/s",
            "measured/s"
        );
        for (i, s) in p.stages.iter().enumerate() {
            outln!(
                out,
                "  {:>5} {:>9} {:>14.2} {:>14.2}  {}",
                i,
                format!("{}..{}", s.ops[0], s.ops[1]),
                s.predicted_per_s,
                s.measured_per_s,
                s.devices.join(",")
            );
        }
    }
    out
}
