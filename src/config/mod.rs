//! The appliance's configuration: the TOML file as written ([`raw::RawConfig`]), then resolved
//! and checked ([`Config`]) before anything starts. Every error names the field and what it
//! expects; unknown fields are refused; no value is clamped or rounded: one out of range is an
//! error.
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
//! # or: plan = "model_plan.toml"   # from `edgepipe plan --out-dir`: stages, replicas, devices
//! labels = "labels.txt"
//!
//! [engine]            # optional
//! provider = "auto"          # or "builtin", "system", "system:/usr/lib/libtensorflowlite_c.so",
//!                             # "litert", "litert:/usr/lib/libLiteRt.so"
//! kernels = "xnnpack"         # LiteRT's kernels: "xnnpack" or "builtin"
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
//!
//! The numeric fields and their ranges ([`RANGES`], also in the README):
//!
//! | field | range | default |
//! |---|---|---|
//! | `source.fps` | 0 (images, video, pattern: as fast as taken) or above 0 up to 1000; a camera: a whole number 1 to 240 | 25 (images: 0) |
//! | `source.size` | `WxH`, W even 2 to 4096, H 1 to 4096 | 640x480 |
//! | `source.buffers` | 2 to 32 (camera) | 4 |
//! | `engine.threads` | 1 to 8 | 1 |
//! | `pipeline.capacity` | 1 to 64 requests in flight | 2N + 1 |
//! | `classify.top_k` | 1 to 16 | 3 |
//! | `classify.threshold` | 0 to 1 | 0 |
//! | `classify.smoothing` | 1 to 100 frames | 1 |
//! | `status.interval_s` | 0.1 to 3600 s | 5 |
//! | `uart.baud` | a standard rate: 1200 ... 4000000 | 115200 |
//! | `uart.queue` | 1 to 4096 lines | 64 |
//! | `gpio.rules[].threshold` | 0 to 1 | 0 |
//! | `gpio.rules[].on_after`, `off_after` | 1 to 1000 frames | 1 |

pub mod raw;
mod resolve;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::capture::convert::{Fit, PixelFormat};
use crate::classify::ClassifyConfig;
use crate::engine::edgetpu::DeviceConfig;
use crate::engine::{DeviceSpec, EngineOptions};
use crate::output::gpio::GpioConfig;
use crate::output::uart::UartConfig;
pub use raw::RawConfig;
pub use resolve::{check_gpio, check_uart};

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

/// Every numeric field with its accepted range, as written in the error messages and the
/// README.
pub const RANGES: &[(&str, &str)] = &[
    (
        "source.fps",
        "0 (as fast as taken) or above 0 up to 1000; a camera: a whole number 1 to 240",
    ),
    (
        "source.size",
        "WIDTHxHEIGHT, width even 2 to 4096, height 1 to 4096",
    ),
    ("source.buffers", "2 to 32"),
    ("engine.threads", "1 to 8"),
    ("pipeline.capacity", "1 to 64"),
    ("classify.top_k", "1 to 16"),
    ("classify.threshold", "0 to 1"),
    ("classify.smoothing", "1 to 100"),
    ("status.interval_s", "0.1 to 3600"),
    ("uart.baud", "a standard rate (1200 ... 4000000)"),
    ("uart.queue", "1 to 4096"),
    ("gpio.rules[].threshold", "0 to 1"),
    ("gpio.rules[].on_after", "1 to 1000"),
    ("gpio.rules[].off_after", "1 to 1000"),
];

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
    /// Segment files, in order (one per stage).
    pub segments: Vec<PathBuf>,
    /// From `[model] plan`: each stage's replica devices (empty: one replica per segment,
    /// on `devices`). `devices` then names each stage's first replica.
    pub replicas: Vec<Vec<DeviceSpec>>,
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

impl Config {
    /// Reads, parses and resolves a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let err = |field: &str, message: String| ConfigError {
            file: path.to_path_buf(),
            field: field.into(),
            message,
        };
        // Bounded, and a regular file only.
        let text = crate::fsutil::read_text(path, crate::fsutil::MAX_TEXT_BYTES)
            .map_err(|e| err("(file)", e.to_string()))?;
        let raw: RawConfig = toml::from_str(&text).map_err(|e| {
            let field = e
                .span()
                .and_then(|s| raw::field_at(&text, s.start))
                .unwrap_or_else(|| "(file)".into());
            err(
                &field,
                e.message().to_string() + &raw::location(&text, e.span()),
            )
        })?;
        Config::resolve(raw, path)
    }

    /// Checks every field of `raw` and turns it into a [`Config`]. Files are looked up
    /// (they must exist) but not read: [`crate::service::prepare`] reads them.
    pub fn resolve(raw: RawConfig, file: &Path) -> Result<Config, ConfigError> {
        resolve::resolve(raw, file)
    }
}
