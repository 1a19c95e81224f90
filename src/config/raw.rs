//! The configuration file as written: serde structures that refuse unknown fields, and the
//! helpers that turn a TOML error's byte span into a field name and a line.

use std::path::PathBuf;

use serde::Deserialize;

use crate::output::gpio::GpioConfig;
use crate::output::uart::UartConfig;

/// `[source]` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    /// camera, images, video or pattern.
    pub kind: String,
    /// Camera device.
    pub device: Option<PathBuf>,
    /// Image directory or raw YUYV video file.
    pub path: Option<PathBuf>,
    /// WIDTHxHEIGHT.
    pub size: Option<String>,
    /// Frames per second.
    pub fps: Option<f64>,
    /// MMAP buffers (camera).
    pub buffers: Option<u32>,
    /// Pixel format preference (camera).
    pub format: Option<String>,
    /// stretch, crop or letterbox.
    pub fit: Option<String>,
}

/// `[model]` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawModel {
    /// Segment files, in order.
    #[serde(default)]
    pub segments: Vec<PathBuf>,
    /// Or a plan file from `edgepipe plan` (its stages, replicas and devices).
    pub plan: Option<PathBuf>,
    /// Labels file.
    pub labels: PathBuf,
}

/// `[engine]` as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEngine {
    /// auto, builtin, system, system:PATH, litert or litert:PATH.
    pub provider: Option<String>,
    /// LiteRT's kernels: xnnpack or builtin.
    pub kernels: Option<String>,
    /// CPU threads per interpreter.
    pub threads: Option<usize>,
    /// Device per segment.
    pub devices: Option<Vec<String>>,
    /// libedgetpu path.
    pub edgetpu_lib: Option<PathBuf>,
    /// Lock directory.
    pub lock_dir: Option<PathBuf>,
}

/// `[pipeline]` as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPipeline {
    /// Requests in flight.
    pub capacity: Option<usize>,
}

/// `[classify]` as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClassify {
    /// Classes reported.
    pub top_k: Option<usize>,
    /// Minimum score.
    pub threshold: Option<f32>,
    /// Frames averaged.
    pub smoothing: Option<usize>,
}

/// `[status]` as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStatus {
    /// Seconds between status lines.
    pub interval_s: Option<f64>,
}

/// The file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// Frames.
    pub source: RawSource,
    /// Model.
    pub model: RawModel,
    /// Engine and devices.
    #[serde(default)]
    pub engine: RawEngine,
    /// Pipeline.
    #[serde(default)]
    pub pipeline: RawPipeline,
    /// Classification.
    #[serde(default)]
    pub classify: RawClassify,
    /// Status lines.
    #[serde(default)]
    pub status: RawStatus,
    /// UART output.
    pub uart: Option<UartConfig>,
    /// GPIO output.
    pub gpio: Option<GpioConfig>,
}

/// The `table.key` whose line holds byte `at` of a TOML text, e.g. "source.fps".
pub(super) fn field_at(text: &str, at: usize) -> Option<String> {
    let before = &text[..at.min(text.len())];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next()?;
    let key = line
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"'))?;
    let table = before[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_string());
    Some(match table {
        Some(t) => format!("{t}.{key}"),
        None => key.to_string(),
    })
}

/// " (line L, column C)" for a byte span of `text`.
pub(super) fn location(text: &str, span: Option<std::ops::Range<usize>>) -> String {
    let Some(span) = span else {
        return String::new();
    };
    let before = &text[..span.start.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    format!(" (line {line}, column {column})")
}
