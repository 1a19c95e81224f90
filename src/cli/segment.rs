//! `edgepipe segment`.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;
use serde::Serialize;

use edgepipe::model::{self, Model};
use edgepipe::partition;

use super::balance::{self, Balance, BalanceArgs, LatencyReport};
use super::device_args::DeviceArgs;
use super::{UsageError, human_bytes};

#[derive(Args, Debug)]
pub struct SegmentArgs {
    /// The .tflite model (a CPU model, not one compiled for the Edge TPU).
    pub model: PathBuf,
    /// Number of segments, balanced by parameter bytes.
    #[arg(long, short = 'n', conflicts_with = "cut_after")]
    pub num_segments: Option<usize>,
    /// Cut after these operators: model op indices or names of tensors they write.
    #[arg(long, value_delimiter = ',')]
    pub cut_after: Vec<String>,
    /// Where to write the segments (created when missing).
    #[arg(long)]
    pub out_dir: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Where the cuts of --num-segments go.
    #[command(flatten)]
    pub balance: BalanceArgs,
    /// Runtime and devices (for --balance latency).
    #[command(flatten)]
    pub device: DeviceArgs,
}

#[derive(Serialize)]
struct Row {
    segment: usize,
    file: PathBuf,
    bytes: usize,
    first_position: usize,
    end_position: usize,
    ops: usize,
    param_bytes: u64,
    on_chip_estimate: u64,
    off_chip_estimate: u64,
    inputs: Vec<String>,
    outputs: Vec<String>,
}

#[derive(Serialize)]
struct Report {
    model: PathBuf,
    segments: Vec<Row>,
    seconds: f64,
    latency_balance: Option<LatencyReport>,
}

pub fn run(a: SegmentArgs) -> Result<()> {
    let started = Instant::now();
    let model = Model::open(&a.model)?;
    let g = &model.graph;
    model::segment::check_cuttable(g)
        .with_context(|| format!("cannot segment {}", a.model.display()))?;
    let mut latency = None;
    let bounds = match (a.num_segments, a.cut_after.is_empty()) {
        (Some(n), true) if a.balance.balance == Balance::Latency => {
            partition::by_param_bytes(g, n)?;
            let (bounds, report) = balance::latency_bounds(&model, n, &a.balance, &a.device)?;
            latency = Some(report);
            bounds
        }
        (Some(n), true) => partition::by_param_bytes(g, n)?,
        (None, false) => partition::by_cut_points(g, &a.cut_after)?,
        _ => {
            return Err(
                UsageError("give --num-segments N or --cut-after OP[,OP...]".into()).into(),
            );
        }
    };
    let segments = model::cut(&model, &bounds)
        .with_context(|| format!("cannot segment {}", a.model.display()))?;
    std::fs::create_dir_all(&a.out_dir)
        .with_context(|| format!("cannot create {}", a.out_dir.display()))?;
    let n = segments.len();
    let files: Vec<PathBuf> = (0..n)
        .map(|i| {
            a.out_dir
                .join(model::segment_file_name(&model.stem(), i, n))
        })
        .collect();
    write_proven(&model, &segments, &files)?;
    let name = |t: &usize| g.tensors[*t].name.clone();
    let mut rows = Vec::with_capacity(n);
    for (s, file) in segments.iter().zip(files) {
        let (on_chip_estimate, off_chip_estimate) = partition::cache_estimate(s.plan.param_bytes);
        rows.push(Row {
            segment: s.plan.index,
            file,
            bytes: s.bytes.len(),
            first_position: s.plan.positions.start,
            end_position: s.plan.positions.end,
            ops: s.plan.ops.len(),
            param_bytes: s.plan.param_bytes,
            on_chip_estimate,
            off_chip_estimate,
            inputs: s.plan.inputs.iter().map(name).collect(),
            outputs: s.plan.outputs.iter().map(name).collect(),
        });
    }
    let report = Report {
        model: a.model.clone(),
        segments: rows,
        seconds: started.elapsed().as_secs_f64(),
        latency_balance: latency,
    };
    if a.json {
        super::emit(&(serde_json::to_string_pretty(&report)? + "\n"))?;
    } else {
        super::emit(&render_text(&report))?;
    }
    Ok(())
}

fn render_text(r: &Report) -> String {
    let mut out = String::new();
    outln!(
        out,
        "{}: {} segment(s) in {:.3} s",
        r.model.display(),
        r.segments.len(),
        r.seconds
    );
    outln!(
        out,
        "{:>3}  {:>11}  {:>5}  {:>11}  {:>11}  {:>11}  file",
        "seg",
        "op range",
        "ops",
        "params",
        "on-chip*",
        "off-chip*"
    );
    for s in &r.segments {
        outln!(
            out,
            "{:>3}  {:>11}  {:>5}  {:>11}  {:>11}  {:>11}  {}",
            s.segment,
            format!("{}..{}", s.first_position, s.end_position),
            s.ops,
            human_bytes(s.param_bytes),
            human_bytes(s.on_chip_estimate),
            human_bytes(s.off_chip_estimate),
            s.file.display()
        );
        outln!(out, "       inputs:  {}", s.inputs.join(", "));
        outln!(out, "       outputs: {}", s.outputs.join(", "));
    }
    outln!(
        out,
        "* estimate against 8 MiB of Edge TPU SRAM; the compiler's real split may differ"
    );
    if let Some(l) = &r.latency_balance {
        out.push_str(&balance::render(l));
    }
    out
}

/// Temporary files in the target directory, removed unless renamed into place.
struct Temps(Vec<PathBuf>);

impl Drop for Temps {
    fn drop(&mut self) {
        for t in &self.0 {
            let _ = std::fs::remove_file(t);
        }
    }
}

/// Writes every segment to a temporary file beside its target, re-reads each from disk and
/// proves it carries the source ([`model::prove`]), and only when all pass renames them into
/// place. On any failure nothing is left behind.
pub(super) fn write_proven(
    model: &Model,
    segments: &[model::Segment],
    files: &[PathBuf],
) -> Result<()> {
    let mut temps = Temps(Vec::with_capacity(files.len()));
    for (s, file) in segments.iter().zip(files) {
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        let tmp = file.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
        temps.0.push(tmp.clone());
        std::fs::write(&tmp, &s.bytes)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
    }
    for (s, tmp) in segments.iter().zip(&temps.0) {
        let written =
            std::fs::read(tmp).with_context(|| format!("cannot read back {}", tmp.display()))?;
        model::prove(model, &s.plan, &written).map_err(model::SegmentError::Proof)?;
    }
    for (tmp, file) in temps.0.iter().zip(files) {
        std::fs::rename(tmp, file)
            .with_context(|| format!("cannot rename {} to {}", tmp.display(), file.display()))?;
    }
    temps.0.clear();
    Ok(())
}
