//! `edgepipe demo`: the appliance on any Linux machine, with no camera, TPU, pins or serial
//! port. The repository's ImageNet classifier is cut into latency-balanced segments that run
//! pipelined on the CPU; the repository's photos stand in for the camera; the protocol lines
//! go to stdout and the GPIO rules to the log.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use edgepipe::fsutil;
use edgepipe::service::RunOptions;

use super::UsageError;
use super::balance::{Balance, BalanceArgs};
use super::segment::SegmentArgs;

/// Made by tools/make-demo-model.sh (sources, licences and sha256 in models/README.md).
const MODEL: (&str, &[u8]) = (
    "efficientnet_lite0_uint8.tflite",
    include_bytes!("../../models/efficientnet_lite0_uint8.tflite"),
);
const LABELS: (&str, &[u8]) = (
    "imagenet_labels.txt",
    include_bytes!("../../models/imagenet_labels.txt"),
);
const PHOTOS: [(&str, &[u8]); 4] = [
    (
        "chelsea.jpg",
        include_bytes!("../../models/demo/chelsea.jpg"),
    ),
    ("coffee.jpg", include_bytes!("../../models/demo/coffee.jpg")),
    ("rocket.jpg", include_bytes!("../../models/demo/rocket.jpg")),
    (
        "astronaut.jpg",
        include_bytes!("../../models/demo/astronaut.jpg"),
    ),
];

/// The embedded default configuration; the `{...}` are filled in with TOML strings.
const CONFIG: &str = r#"# edgepipe demo: written by `edgepipe demo`; run it again with
#   edgepipe run --stdout --config <this file>

[source]
kind = "images"          # the photos in turn, standing in for a camera
path = {photos}
fps = 15

[model]
segments = [{segments}]
labels = {labels}

[engine]
provider = "auto"        # LiteRT when tools/setup.sh installed it, else the built-in TensorFlow Lite

[classify]
top_k = 3
threshold = 0.2
smoothing = 1            # the photos change every frame; a camera would smooth over 3

[status]
interval_s = 2

[gpio]
simulate = true          # no header pins here: each switch is a log line
heartbeat = { pin = 29 }
fault = { pin = 31 }

[[gpio.rules]]
pin = 13
labels = ["Egyptian cat", "tabby", "tiger cat"]
threshold = 0.4

[[gpio.rules]]
pin = 16
labels = ["espresso"]
threshold = 0.4
"#;

fn toml_string(path: &Path) -> String {
    toml::Value::String(path.display().to_string()).to_string()
}

/// The first line of every configuration `demo` writes: how it knows its own earlier file.
const CONFIG_HEADER: &str = "# edgepipe demo: written by `edgepipe demo`";

/// What `demo` may replace in its directory: a file with exactly the bytes it would write
/// (an earlier demo's), or an earlier demo's configuration and segments.
fn demo_policy(force: bool) -> fsutil::WritePolicy<'static> {
    fn ours(path: &Path, bytes: &[u8]) -> bool {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let embedded = PHOTOS
            .iter()
            .chain([&LABELS, &MODEL])
            .find(|(n, _)| *n == name);
        match embedded {
            Some((_, b)) => *b == bytes,
            None if name == "edgepipe.toml" => bytes.starts_with(CONFIG_HEADER.as_bytes()),
            None => false,
        }
    }
    fsutil::WritePolicy {
        force,
        replaceable: Some((&ours, "a file an earlier `edgepipe demo` wrote".into())),
        ..fsutil::WritePolicy::new(&[])
    }
}

fn write(dir: &Path, (name, bytes): (&str, &[u8]), force: bool) -> Result<PathBuf> {
    let path = dir.join(name);
    fsutil::write_file(&path, bytes, &demo_policy(force))?;
    Ok(path)
}

/// Makes `dir` (and no parent but the missing ones) a real directory: never a symlink that
/// someone planted to send the demo's files elsewhere.
fn real_dir(dir: &Path) -> Result<()> {
    match std::fs::symlink_metadata(dir) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(UsageError(format!(
            "{} exists and is not a directory (a symlink is not followed)",
            dir.display()
        ))
        .into()),
        Err(_) => {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))
        }
    }
}

/// Writes the model, labels and photos, cuts the model, and returns the configuration file.
/// The configuration names its files relative to itself (as its paths resolve), so the
/// directory can be moved and the file run from anywhere.
pub fn prepare(dir: &Path, num_segments: usize, force: bool) -> Result<PathBuf> {
    if dir.to_str().is_none() {
        return Err(UsageError(format!(
            "--out-dir {} is not a UTF-8 path: the demo's configuration is UTF-8 TOML",
            dir.display()
        ))
        .into());
    }
    real_dir(dir)?;
    let photos = dir.join("photos");
    real_dir(&photos)?;
    for photo in PHOTOS {
        write(&photos, photo, force)?;
    }
    write(dir, LABELS, force)?;
    let model = write(dir, MODEL, force)?;
    super::segment::run(SegmentArgs {
        model,
        num_segments: Some(num_segments),
        cut_after: Vec::new(),
        out_dir: dir.to_path_buf(),
        json: false,
        force,
        balance: BalanceArgs {
            balance: Balance::Latency,
            invokes: 3,
            threshold: 0.05,
            max_rounds: 4,
            compile_cmd: None,
        },
        device: super::device_args::DeviceArgs::with_threads(1),
    })?;
    let stem = MODEL.0.trim_end_matches(".tflite");
    let segments = (0..num_segments)
        .map(|i| {
            let file = edgepipe::model::segment_file_name(stem, i, num_segments);
            toml_string(Path::new(&file))
        })
        .collect::<Vec<_>>()
        .join(", ");
    let text = CONFIG
        .replace("{photos}", &toml_string(Path::new("photos")))
        .replace("{labels}", &toml_string(Path::new(LABELS.0)))
        .replace("{segments}", &segments);
    write(dir, ("edgepipe.toml", text.as_bytes()), force)
}

/// A fresh directory only this user can enter, as mkdtemp(3) makes one: a new random name
/// created with mkdir (which fails on anything already there, a planted symlink too) and
/// mode 0700, so nobody can plant a file or a symlink in it first.
fn private_temp_dir() -> Result<PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    let base = std::env::temp_dir();
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
        ^ u64::from(std::process::id()) << 32;
    for _ in 0..100 {
        let name = format!("edgepipe-demo-{:012x}", seed & 0xffff_ffff_ffff);
        let dir = base.join(name);
        match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                seed = edgepipe::verify::SplitMix64::new(seed).next_u64();
            }
            Err(e) => {
                return Err(e).with_context(|| format!("cannot create {}", dir.display()));
            }
        }
    }
    anyhow::bail!("cannot find a free directory name under {}", base.display())
}

pub fn run(num_segments: usize, frames: u64, out_dir: Option<PathBuf>, force: bool) -> Result<()> {
    let dir = match out_dir {
        Some(dir) => dir,
        None => private_temp_dir()?,
    };
    let config = prepare(&dir, num_segments, force)?;
    tracing::info!(config = %config.display(), "demo: photos -> {num_segments} CPU segments -> protocol lines on stdout, GPIO in the log");
    super::run::run_file(
        &config,
        RunOptions {
            max_frames: (frames > 0).then_some(frames),
            stdout: true,
        },
    )?;
    Ok(())
}
