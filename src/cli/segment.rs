//! `edgepipe segment`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;
use serde::Serialize;

use edgepipe::fsutil;
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
    /// Replace existing files that are not earlier segments of this model (never the model).
    #[arg(long)]
    pub force: bool,
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

/// Segment names go into configuration files and JSON, which are UTF-8: a path that is not
/// is refused before anything is read or written.
fn check_utf8(a: &SegmentArgs) -> Result<()> {
    for (what, path) in [("the model", &a.model), ("--out-dir", &a.out_dir)] {
        if path.to_str().is_none() {
            return Err(UsageError(format!(
                "{what} {} is not a UTF-8 path: segment names are written into UTF-8 \
                 configuration and JSON; rename it",
                path.display()
            ))
            .into());
        }
    }
    Ok(())
}

/// True when `bytes`, at a segment's file name of this model, are a TensorFlow Lite model:
/// a previous segmentation's output, which `segment` replaces without `--force`.
fn is_previous_segment(_: &Path, bytes: &[u8]) -> bool {
    bytes.get(4..8) == Some(b"TFL3")
}

pub fn run(a: SegmentArgs) -> Result<()> {
    let started = Instant::now();
    check_utf8(&a)?;
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
    let files: Vec<PathBuf> = segments
        .iter()
        .map(|s| {
            let name = model::segment_file_name(&model.stem(), s.plan.index, n);
            a.out_dir.join(name)
        })
        .collect();
    write_proven(&model, &segments, &files, a.force)?;
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

/// Writes the segments as one atomic batch ([`fsutil::write_files_verified`]): each to a
/// temporary file beside its target, read back from disk and proven to carry the source
/// ([`model::prove`]), and only when all pass renamed into place. A full disk or a failed
/// proof leaves the previous segments as they were and nothing half-written. The input model
/// is never written over, nor an existing file that is not a previous segment (unless
/// `force`). Used by `plan --out-dir` too.
pub(super) fn write_proven(
    model: &Model,
    segments: &[model::Segment],
    files: &[PathBuf],
    force: bool,
) -> Result<()> {
    let batch: Vec<(PathBuf, &[u8])> = files
        .iter()
        .zip(segments)
        .map(|(f, s)| (f.clone(), &s.bytes[..]))
        .collect();
    let policy = fsutil::WritePolicy {
        force,
        replaceable: Some((
            &is_previous_segment,
            format!("a previous segment of {}", model.path.display()),
        )),
        ..fsutil::WritePolicy::new(&[&model.path])
    };
    fsutil::write_files_verified(&batch, &policy, |i, written| -> Result<()> {
        let plan = &segments[i].plan;
        model::prove(model, plan, written).map_err(model::SegmentError::Proof)?;
        Ok(())
    })
}
