//! The appliance's configuration: the TOML file as written ([`RawConfig`]), then resolved and
//! checked ([`Config`]) before anything starts. Every error names the field and what it
//! expects; unknown fields are refused.
//!
//! ```toml
//! [source]            # kind = "camera" | "images" | "video" | "pattern"
//! kind = "camera"
//! device = "/dev/video0"
//! size = "640x480"
//! fps = 25
//! fit = "stretch"     # "stretch" | "crop" | "letterbox"
//!
//! [model]
//! segments = ["model_segment_0_of_2.tflite", "model_segment_1_of_2.tflite"]
//! labels = "labels.txt"
//!
//! [engine]            # optional
//! provider = "builtin"        # or "system", "system:/usr/lib/libtensorflowlite_c.so"
//! devices = ["cpu", "pci:0"]  # one per segment; default: compiled segments on TPUs
//!
//! [pipeline]          # optional
//! capacity = 5
//!
//! [classify]          # optional
//! top_k = 3
//! threshold = 0.2
//! smoothing = 3
//!
//! [status]            # optional
//! interval_s = 5
//!
//! [uart]              # optional, see output::uart::UartConfig
//! [gpio]              # optional, see output::gpio::GpioConfig
//! ```
//! Relative paths are relative to the configuration file's directory.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::capture::convert::{Fit, PixelFormat};
use crate::classify::ClassifyConfig;
use crate::engine::edgetpu::DeviceConfig;
use crate::engine::{DeviceSpec, EngineOptions, Provider};
use crate::output::gpio::GpioConfig;
use crate::output::uart::UartConfig;

/// A configuration error: the field and what is wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}: {field}: {message}")]
pub struct ConfigError {
    /// The configuration file.
    pub file: PathBuf,
    /// The field (`model.labels`), or `(file)` for the whole file.
    pub field: String,
    /// What is wrong and what is expected.
    pub message: String,
}

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
    pub segments: Vec<PathBuf>,
    /// Labels file.
    pub labels: PathBuf,
}

/// `[engine]` as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEngine {
    /// builtin, system or system:PATH.
    pub provider: Option<String>,
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

/// Where frames come from, resolved.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A V4L2 camera.
    Camera {
        /// Device.
        device: PathBuf,
        /// Frame size.
        width: u32,
        /// Frame size.
        height: u32,
        /// Frame rate.
        fps: u32,
        /// MMAP buffers.
        buffers: u32,
        /// Formats to try.
        formats: Vec<PixelFormat>,
    },
    /// Still images, repeated, at `fps`.
    Images {
        /// File or directory.
        path: PathBuf,
        /// Frame rate (0: as fast as the pipeline takes them).
        fps: f64,
    },
    /// A raw YUYV file, looped.
    Video {
        /// The file.
        path: PathBuf,
        /// Frame size.
        width: usize,
        /// Frame size.
        height: usize,
        /// Frame rate.
        fps: f64,
    },
    /// The synthetic colour-bar pattern.
    Pattern {
        /// Frame size.
        width: usize,
        /// Frame size.
        height: usize,
        /// Frame rate.
        fps: f64,
    },
}

/// The resolved configuration.
#[derive(Clone)]
pub struct Config {
    /// The file it came from.
    pub file: PathBuf,
    /// Frames.
    pub source: Source,
    /// How frames fill the input.
    pub fit: Fit,
    /// Segment files, in order.
    pub segments: Vec<PathBuf>,
    /// Labels file.
    pub labels: PathBuf,
    /// Engine options.
    pub engine: EngineOptions,
    /// Devices.
    pub devices: DeviceConfig,
    /// Requests in flight (`None`: 2N + 1).
    pub capacity: Option<usize>,
    /// Classification.
    pub classify: ClassifyConfig,
    /// Seconds between status lines.
    pub status_interval: Duration,
    /// UART output.
    pub uart: Option<UartConfig>,
    /// GPIO output.
    pub gpio: Option<GpioConfig>,
}

fn parse_size(text: &str) -> Option<(u32, u32)> {
    let (w, h) = text.split_once('x')?;
    let (w, h) = (w.trim().parse().ok()?, h.trim().parse().ok()?);
    (w > 0 && h > 0 && w % 2 == 0).then_some((w, h))
}

impl Config {
    /// Reads, parses and resolves a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let err = |field: &str, message: String| ConfigError {
            file: path.to_path_buf(),
            field: field.into(),
            message,
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| err("(file)", format!("cannot read: {e}")))?;
        let raw: RawConfig = toml::from_str(&text).map_err(|e| {
            let field = e
                .span()
                .and_then(|s| field_at(&text, s.start))
                .unwrap_or_else(|| "(file)".into());
            err(&field, e.message().to_string() + &location(&text, e.span()))
        })?;
        Config::resolve(raw, path)
    }

    /// Checks every field of `raw` and turns it into a [`Config`].
    pub fn resolve(raw: RawConfig, file: &Path) -> Result<Config, ConfigError> {
        let err = |field: &str, message: String| ConfigError {
            file: file.to_path_buf(),
            field: field.into(),
            message,
        };
        let base = file.parent().unwrap_or(Path::new("."));
        let rel = |p: &Path| {
            if p.is_absolute() {
                p.to_path_buf()
            } else {
                base.join(p)
            }
        };
        let s = &raw.source;
        let size = |default: (u32, u32)| -> Result<(u32, u32), ConfigError> {
            match &s.size {
                None => Ok(default),
                Some(t) => parse_size(t).ok_or_else(|| {
                    err(
                        "source.size",
                        format!(
                            "'{t}': expected WIDTHxHEIGHT with an even width, e.g. \"640x480\""
                        ),
                    )
                }),
            }
        };
        let fps = |default: f64| -> Result<f64, ConfigError> {
            match s.fps {
                None => Ok(default),
                Some(f) if f.is_finite() && (0.0..=1000.0).contains(&f) => Ok(f),
                Some(f) => Err(err(
                    "source.fps",
                    format!("{f}: expected 0 to 1000 frames per second"),
                )),
            }
        };
        let existing = |field: &str, p: &Option<PathBuf>| -> Result<PathBuf, ConfigError> {
            let p = p
                .as_ref()
                .ok_or_else(|| err(field, "missing: this source needs it".into()))?;
            let p = rel(p);
            if p.exists() {
                Ok(p)
            } else {
                Err(err(
                    field,
                    format!("{}: no such file or directory", p.display()),
                ))
            }
        };
        let source = match s.kind.as_str() {
            "camera" => {
                let (width, height) = size((640, 480))?;
                let formats = match &s.format {
                    None => vec![
                        PixelFormat::Yuyv,
                        PixelFormat::Rgb24,
                        PixelFormat::Bgr24,
                        PixelFormat::Nv12,
                    ],
                    Some(f) => vec![match f.to_ascii_lowercase().as_str() {
                        "yuyv" => PixelFormat::Yuyv,
                        "rgb24" => PixelFormat::Rgb24,
                        "bgr24" => PixelFormat::Bgr24,
                        "nv12" => PixelFormat::Nv12,
                        _ => {
                            return Err(err(
                                "source.format",
                                format!("'{f}': expected yuyv, rgb24, bgr24 or nv12"),
                            ));
                        }
                    }],
                };
                let fps = fps(25.0)?;
                if fps < 1.0 {
                    return Err(err(
                        "source.fps",
                        "a camera needs at least 1 frame per second".into(),
                    ));
                }
                Source::Camera {
                    device: s
                        .device
                        .clone()
                        .unwrap_or_else(|| PathBuf::from("/dev/video0")),
                    width,
                    height,
                    fps: fps.round() as u32,
                    buffers: s.buffers.unwrap_or(4).clamp(2, 32),
                    formats,
                }
            }
            "images" => Source::Images {
                path: existing("source.path", &s.path)?,
                fps: fps(0.0)?,
            },
            "video" => {
                let (w, h) = size((640, 480))?;
                Source::Video {
                    path: existing("source.path", &s.path)?,
                    width: w as usize,
                    height: h as usize,
                    fps: fps(25.0)?,
                }
            }
            "pattern" => {
                let (w, h) = size((640, 480))?;
                Source::Pattern {
                    width: w as usize,
                    height: h as usize,
                    fps: fps(25.0)?,
                }
            }
            other => {
                return Err(err(
                    "source.kind",
                    format!("'{other}': expected camera, images, video or pattern"),
                ));
            }
        };
        let fit = match s.fit.as_deref().unwrap_or("stretch") {
            "stretch" => Fit::Stretch,
            "crop" => Fit::Crop,
            "letterbox" => Fit::Letterbox,
            other => {
                return Err(err(
                    "source.fit",
                    format!("'{other}': expected stretch, crop or letterbox"),
                ));
            }
        };
        if raw.model.segments.is_empty() {
            return Err(err(
                "model.segments",
                "empty: list the segment files in order".into(),
            ));
        }
        let segments = raw
            .model
            .segments
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let p = rel(p);
                crate::model::Model::open(&p)
                    .map(|_| p)
                    .map_err(|e| err(&format!("model.segments[{i}]"), e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let labels = rel(&raw.model.labels);
        if !labels.exists() {
            return Err(err(
                "model.labels",
                format!("{}: no such file", labels.display()),
            ));
        }
        let e = &raw.engine;
        let provider: Provider = match &e.provider {
            None => Provider::Builtin,
            Some(p) => p.parse().map_err(|m| err("engine.provider", m))?,
        };
        let devices = match &e.devices {
            None => None,
            Some(list) => {
                if list.len() != segments.len() {
                    return Err(err(
                        "engine.devices",
                        format!(
                            "{} device(s) for {} segment(s): give one per segment",
                            list.len(),
                            segments.len()
                        ),
                    ));
                }
                Some(
                    list.iter()
                        .map(|d| d.parse::<DeviceSpec>())
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(|m| err("engine.devices", m))?,
                )
            }
        };
        let capacity = match raw.pipeline.capacity {
            Some(c) if !(2..=crate::pipeline::MAX_CAPACITY).contains(&c) => {
                return Err(err(
                    "pipeline.capacity",
                    format!(
                        "{c}: expected 2 to {} requests in flight",
                        crate::pipeline::MAX_CAPACITY
                    ),
                ));
            }
            c => c,
        };
        let c = &raw.classify;
        let top_k = c.top_k.unwrap_or(3);
        if !(1..=crate::classify::MAX_TOP_K).contains(&top_k) {
            return Err(err(
                "classify.top_k",
                format!("{top_k}: expected 1 to {}", crate::classify::MAX_TOP_K),
            ));
        }
        let smoothing = c.smoothing.unwrap_or(1);
        if !(1..=100).contains(&smoothing) {
            return Err(err(
                "classify.smoothing",
                format!("{smoothing}: expected 1 to 100 frames"),
            ));
        }
        let interval = raw.status.interval_s.unwrap_or(5.0);
        if !(interval.is_finite() && (0.1..=3600.0).contains(&interval)) {
            return Err(err(
                "status.interval_s",
                format!("{interval}: expected 0.1 to 3600 seconds"),
            ));
        }
        Ok(Config {
            file: file.to_path_buf(),
            source,
            fit,
            segments,
            labels,
            engine: EngineOptions {
                threads: e.threads.unwrap_or(1).clamp(1, 8),
                provider,
                custom_ops: Vec::new(),
            },
            devices: DeviceConfig {
                library: e.edgetpu_lib.clone(),
                devices,
                lock_dir: e.lock_dir.clone(),
                tpu_options: Vec::new(),
            },
            capacity,
            classify: ClassifyConfig {
                top_k,
                threshold: c.threshold.unwrap_or(0.0),
                smoothing,
            },
            status_interval: Duration::from_secs_f64(interval),
            uart: raw.uart.map(|mut u| {
                u.device = rel(&u.device);
                u
            }),
            gpio: raw.gpio,
        })
    }
}

/// The `table.key` whose line holds byte `at` of a TOML text, e.g. "source.fps".
fn field_at(text: &str, at: usize) -> Option<String> {
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
fn location(text: &str, span: Option<std::ops::Range<usize>>) -> String {
    let Some(span) = span else {
        return String::new();
    };
    let before = &text[..span.start.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    format!(" (line {line}, column {column})")
}
