//! `edgepipe verify`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;
use serde::Serialize;

use edgepipe::engine::{Engine, TensorSpec};
use edgepipe::model::Model;
use edgepipe::verify::{self, Mismatch, SplitMix64};
use edgepipe::{capture, fsutil};

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
    Ok(fsutil::read_bounded(path, fsutil::MAX_MODEL_BYTES)?)
}

fn real_input(path: &Path, whole: &dyn Engine) -> Result<Vec<Vec<u8>>> {
    let [spec] = whole.inputs() else {
        return Err(UsageError("--input works with single-input models only".into()).into());
    };
    let raw = fsutil::read_bounded(path, capture::MAX_IMAGE_FILE_BYTES)?;
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

/// The requests in order: the given ones, then `count` random ones from `seed`, each made
/// only when it is taken.
fn requests<'a>(
    given: &'a [Vec<Vec<u8>>],
    specs: &'a [TensorSpec],
    seed: u64,
    count: usize,
) -> impl Iterator<Item = Vec<Vec<u8>>> + 'a {
    let mut rng = SplitMix64::new(seed);
    let random = (0..count).map(move |_| verify::random_inputs(specs, &mut rng));
    given.iter().cloned().chain(random)
}

/// Writes each request's inputs and the whole model's outputs to `dir`, each file atomically
/// (never over the model, a segment or an input; earlier saved files are replaced).
fn save(
    dir: &Path,
    a: &VerifyArgs,
    whole: &mut dyn Engine,
    requests: impl Iterator<Item = Vec<Vec<u8>>>,
) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let inputs: Vec<&Path> = [&a.model]
        .into_iter()
        .chain(&a.segments)
        .chain(&a.input)
        .map(PathBuf::as_path)
        .collect();
    let policy = fsutil::WritePolicy {
        force: true,
        ..fsutil::WritePolicy::new(&inputs)
    };
    let write = |name: String, bytes: &[u8]| fsutil::write_file(&dir.join(name), bytes, &policy);
    for (r, inputs) in requests.enumerate() {
        for (spec, data) in whole.inputs().iter().zip(&inputs) {
            write(
                format!("request_{r}_input_{}.bin", file_name(&spec.name)),
                data,
            )?;
        }
        for (name, data) in verify::run_whole(whole, &inputs)? {
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
    let given: Vec<Vec<Vec<u8>>> = a
        .input
        .iter()
        .map(|p| real_input(p, whole.as_ref()))
        .collect::<Result<_>>()?;
    let total = given.len() + a.count;
    if total == 0 {
        return Err(UsageError("nothing to verify: --count 0 and no --input".into()).into());
    }
    // The random requests are made one at a time as they run: `-k 100000` holds one in memory.
    let specs = whole.inputs().to_vec();
    let requests = || requests(&given, &specs, a.seed, a.count);
    if let Some(dir) = &a.save {
        save(dir, &a, whole.as_mut(), requests())?;
    }
    let first_mismatch = verify::check(&mut whole, &mut segments, requests())?;
    let report = Report {
        model: a.model.clone(),
        segments: segments.len(),
        requests: total,
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
