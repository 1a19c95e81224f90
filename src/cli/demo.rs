//! `edgepipe demo`: the appliance on any Linux machine, with no camera, TPU, pins or serial
//! port. The repository's ImageNet classifier is cut into latency-balanced segments that run
//! pipelined on the CPU; the repository's photos stand in for the camera; the protocol lines
//! go to stdout and the GPIO rules to the log.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use edgepipe::service::RunOptions;

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

fn write(dir: &Path, (name, bytes): (&str, &[u8])) -> Result<PathBuf> {
    let path = dir.join(name);
    std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

/// Writes the model, labels and photos, cuts the model, and returns the configuration file.
pub fn prepare(dir: &Path, num_segments: usize) -> Result<PathBuf> {
    let photos = dir.join("photos");
    std::fs::create_dir_all(&photos)
        .with_context(|| format!("cannot create {}", photos.display()))?;
    for photo in PHOTOS {
        write(&photos, photo)?;
    }
    let labels = write(dir, LABELS)?;
    let model = write(dir, MODEL)?;
    super::segment::run(SegmentArgs {
        model,
        num_segments: Some(num_segments),
        cut_after: Vec::new(),
        out_dir: dir.to_path_buf(),
        json: false,
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
            let file = dir.join(edgepipe::model::segment_file_name(stem, i, num_segments));
            toml_string(&file)
        })
        .collect::<Vec<_>>()
        .join(", ");
    let text = CONFIG
        .replace("{photos}", &toml_string(&photos))
        .replace("{labels}", &toml_string(&labels))
        .replace("{segments}", &segments);
    write(dir, ("edgepipe.toml", text.as_bytes()))
}

pub fn run(num_segments: usize, frames: u64, out_dir: Option<PathBuf>) -> Result<()> {
    let dir = out_dir.unwrap_or_else(|| std::env::temp_dir().join("edgepipe-demo"));
    let config = prepare(&dir, num_segments)?;
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
