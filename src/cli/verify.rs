//! `edgepipe verify`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;
use serde::Serialize;

use edgepipe::capture;
use edgepipe::engine::Engine;
use edgepipe::model::Model;
use edgepipe::verify::{self, Mismatch, SplitMix64};

use super::UsageError;
use super::device_args::DeviceArgs;

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The whole model.
    pub model: PathBuf,
    /// Its segments, in order.
    #[arg(required = true)]
    pub segments: Vec<PathBuf>,
    /// Random requests to run (besides any --input).
    #[arg(long, short = 'k', default_value_t = 3)]
    pub count: usize,
    /// Seed of the random inputs.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// A real input: an image (PNG/JPEG/BMP, resized to the input) or raw tensor bytes.
    /// Repeatable; single-input models only.
    #[arg(long)]
    pub input: Vec<PathBuf>,
    /// Save every request's inputs and the whole model's outputs in this directory, as raw
    /// bytes: request_<r>_input_<tensor>.bin and request_<r>_output_<tensor>.bin (tensor names
    /// with characters other than letters, digits, '-' and '.' as '_').
    #[arg(long)]
    pub save: Option<PathBuf>,
    /// Runtime and devices.
    #[command(flatten)]
    pub device: DeviceArgs,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct Report {
    model: PathBuf,
    segments: usize,
    requests: usize,
    /// What ran the whole model.
    engine: String,
    /// What ran each segment.
    segment_engines: Vec<String>,
    equal: bool,
    first_mismatch: Option<Mismatch>,
}

/// Checks a model file (clear errors naming it) and returns its bytes.
fn read_model(path: &Path) -> Result<Vec<u8>> {
    Model::open(path)?;
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

fn real_input(path: &Path, whole: &dyn Engine) -> Result<Vec<Vec<u8>>> {
    let [spec] = whole.inputs() else {
        return Err(UsageError("--input works with single-input models only".into()).into());
    };
    let raw = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    if raw.len() == spec.bytes {
        return Ok(vec![raw]);
    }
    Ok(vec![capture::image_to_tensor(path, spec)?])
}

/// A tensor name as a file name.
fn file_name(tensor: &str) -> String {
    tensor
        .chars()
        .map(
            |c| match c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                true => c,
                false => '_',
            },
        )
        .collect()
}

/// Writes each request's inputs and the whole model's outputs to `dir`.
fn save(dir: &Path, whole: &mut dyn Engine, requests: &[Vec<Vec<u8>>]) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let write = |name: String, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))
    };
    for (r, inputs) in requests.iter().enumerate() {
        for (spec, data) in whole.inputs().iter().zip(inputs) {
            write(
                format!("request_{r}_input_{}.bin", file_name(&spec.name)),
                data,
            )?;
        }
        for (name, data) in verify::run_whole(whole, inputs)? {
            write(
                format!("request_{r}_output_{}.bin", file_name(&name)),
                &data,
            )?;
        }
    }
    Ok(())
}

pub fn run(a: VerifyArgs) -> Result<()> {
    let mut whole = a
        .device
        .open_whole(&read_model(&a.model)?)
        .with_context(|| format!("{}", a.model.display()))?;
    let bytes = a
        .segments
        .iter()
        .map(|p| read_model(p))
        .collect::<Result<Vec<_>>>()?;
    let mut segments = a.device.open(&bytes)?;
    let mut requests: Vec<Vec<Vec<u8>>> = a
        .input
        .iter()
        .map(|p| real_input(p, whole.as_ref()))
        .collect::<Result<_>>()?;
    let mut rng = SplitMix64::new(a.seed);
    requests.extend((0..a.count).map(|_| verify::random_inputs(whole.inputs(), &mut rng)));
    if requests.is_empty() {
        return Err(UsageError("nothing to verify: --count 0 and no --input".into()).into());
    }

    if let Some(dir) = &a.save {
        save(dir, whole.as_mut(), &requests)?;
    }
    let first_mismatch = verify::check(&mut whole, &mut segments, &requests)?;
    let report = Report {
        model: a.model.clone(),
        segments: segments.len(),
        requests: requests.len(),
        engine: whole.runtime().to_string(),
        segment_engines: segments
            .iter()
            .map(|s| format!("{} on {}", s.runtime(), s.binding()))
            .collect(),
        equal: first_mismatch.is_none(),
        first_mismatch,
    };
    if a.json {
        super::emit(&(serde_json::to_string_pretty(&report)? + "\n"))?;
    } else if report.equal {
        let mut out = String::new();
        outln!(out, "engine: {}", report.engine);
        outln!(
            out,
            "equal: {} segment(s) chained give the outputs of {} bit for bit on {} request(s)",
            report.segments,
            report.model.display(),
            report.requests
        );
        super::emit(&out)?;
    }
    if let Some(m) = &report.first_mismatch {
        bail!(
            "segments differ from the whole model: request {}, output '{}', element {} (byte {}), {} byte(s) differ",
            m.request,
            m.output,
            m.element,
            m.byte,
            m.differing_bytes
        );
    }
    Ok(())
}
