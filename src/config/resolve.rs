//! [`RawConfig`] to [`Config`]: every value checked against its documented range
//! ([`super::RANGES`]), nothing clamped or rounded. Files are not read here: the service's
//! preparation ([`crate::service::prepare`]) reads and checks them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::raw::{RawClassify, RawEngine, RawSource};
use super::{Config, ConfigError, RawConfig, Source};
use crate::capture::convert::{Fit, PixelFormat};
use crate::classify::{ClassifyConfig, MAX_SMOOTHING, MAX_TOP_K};
use crate::engine::edgetpu::DeviceConfig;
use crate::engine::{DeviceSpec, EngineOptions, Provider};
use crate::output::gpio::{DEV_BOARD_PINS, GpioConfig, LineSpec};
use crate::output::uart::{UartConfig, baud_rate};
use crate::plan::file::PlanFile;

/// The highest frame rate. A replayed source takes 0 (as fast as taken) or any rate above 0 up
/// to this: a rate whose period is past the clock's range (1e-300) gives its first frame and
/// then waits until stopped.
pub const MAX_FPS: f64 = 1000.0;
/// The highest camera frame rate (cameras take whole numbers).
pub const MAX_CAMERA_FPS: f64 = 240.0;
/// Largest frame width and height.
pub const MAX_SIDE: u32 = 4096;
/// Most requests in flight.
pub const MAX_CAPACITY: usize = 64;
/// Most CPU threads per interpreter.
pub const MAX_THREADS: usize = 8;
/// Most lines queued for the UART.
pub const MAX_UART_QUEUE: usize = 4096;
/// Most frames of hysteresis for a GPIO rule.
pub const MAX_HYSTERESIS: u32 = 1000;

/// The file being resolved: names errors, anchors relative paths.
struct Ctx<'a> {
    file: &'a Path,
}

impl Ctx<'_> {
    fn err(&self, field: &str, message: String) -> ConfigError {
        ConfigError {
            file: self.file.to_path_buf(),
            field: field.into(),
            message,
        }
    }

    fn rel(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.file.parent().unwrap_or(Path::new(".")).join(p)
        }
    }

    /// `value` if it lies in `range`, else an error naming `field` and the range.
    fn within<T: PartialOrd + std::fmt::Display>(
        &self,
        field: &str,
        value: T,
        range: std::ops::RangeInclusive<T>,
        unit: &str,
    ) -> Result<T, ConfigError> {
        if range.contains(&value) {
            Ok(value)
        } else {
            Err(self.err(
                field,
                format!(
                    "{value}: expected {} to {}{unit}",
                    range.start(),
                    range.end()
                ),
            ))
        }
    }
}

pub(super) fn resolve(raw: RawConfig, file: &Path) -> Result<Config, ConfigError> {
    let cx = Ctx { file };
    let (source, fit) = source(&cx, &raw.source)?;
    let (segments, replicas) = match &raw.model.plan {
        Some(plan) => plan_stages(&cx, &raw, plan)?,
        None if raw.model.segments.is_empty() => {
            return Err(cx.err(
                "model.segments",
                "empty: list the segment files in order (or give model.plan)".into(),
            ));
        }
        None => (
            raw.model.segments.iter().map(|p| cx.rel(p)).collect(),
            vec![],
        ),
    };
    let (engine, mut devices) = engine(&cx, &raw.engine, segments.len())?;
    if !replicas.is_empty() {
        devices.devices = Some(replicas.iter().map(|r| r[0].clone()).collect());
    }
    let capacity = raw
        .pipeline
        .capacity
        .map(|c| {
            cx.within(
                "pipeline.capacity",
                c,
                1..=MAX_CAPACITY,
                " requests in flight",
            )
        })
        .transpose()?;
    let classify = classify(&cx, &raw.classify)?;
    let interval = raw.status.interval_s.unwrap_or(5.0);
    let interval = cx.within("status.interval_s", interval, 0.1..=3600.0, " seconds")?;
    let uart = raw
        .uart
        .map(|mut u| {
            check_uart(&u, file)?;
            u.device = cx.rel(&u.device);
            Ok::<_, ConfigError>(u)
        })
        .transpose()?;
    if let Some(g) = &raw.gpio {
        check_gpio(g, file)?;
    }
    Ok(Config {
        file: file.to_path_buf(),
        source,
        fit,
        segments,
        replicas,
        labels: cx.rel(&raw.model.labels),
        engine,
        devices,
        capacity,
        classify,
        status_interval: Duration::from_secs_f64(interval),
        uart,
        gpio: raw.gpio,
    })
}

fn size(cx: &Ctx, s: &RawSource) -> Result<(u32, u32), ConfigError> {
    let Some(text) = &s.size else {
        return Ok((640, 480));
    };
    let parsed = text
        .split_once('x')
        .and_then(|(w, h)| Some((w.trim().parse::<u32>().ok()?, h.trim().parse::<u32>().ok()?)));
    match parsed {
        Some((w, h))
            if (2..=MAX_SIDE).contains(&w) && w % 2 == 0 && (1..=MAX_SIDE).contains(&h) =>
        {
            Ok((w, h))
        }
        _ => Err(cx.err(
            "source.size",
            format!(
                "'{text}': expected WIDTHxHEIGHT, width even 2 to {MAX_SIDE}, height 1 to \
                 {MAX_SIDE}, e.g. \"640x480\""
            ),
        )),
    }
}

fn fps(cx: &Ctx, s: &RawSource, default: f64) -> Result<f64, ConfigError> {
    match s.fps {
        None => Ok(default),
        Some(f) if (0.0..=MAX_FPS).contains(&f) => Ok(f),
        Some(f) => Err(cx.err(
            "source.fps",
            format!(
                "{f}: expected 0 (as fast as the pipeline takes them) or a rate above 0 up to \
                 {MAX_FPS} frames per second"
            ),
        )),
    }
}

fn camera(cx: &Ctx, s: &RawSource) -> Result<Source, ConfigError> {
    let (width, height) = size(cx, s)?;
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
                return Err(cx.err(
                    "source.format",
                    format!("'{f}': expected yuyv, rgb24, bgr24 or nv12"),
                ));
            }
        }],
    };
    let fps = s.fps.unwrap_or(25.0);
    if !(fps.fract() == 0.0 && (1.0..=MAX_CAMERA_FPS).contains(&fps)) {
        return Err(cx.err(
            "source.fps",
            format!(
                "{fps}: a camera takes a whole number of frames per second, 1 to {MAX_CAMERA_FPS}"
            ),
        ));
    }
    let buffers = cx.within("source.buffers", s.buffers.unwrap_or(4), 2..=32, " buffers")?;
    Ok(Source::Camera {
        device: s
            .device
            .as_ref()
            .map_or_else(|| PathBuf::from("/dev/video0"), |d| cx.rel(d)),
        width,
        height,
        fps: fps as u32,
        buffers,
        formats,
    })
}

fn source(cx: &Ctx, s: &RawSource) -> Result<(Source, Fit), ConfigError> {
    let path = |what: &str| -> Result<PathBuf, ConfigError> {
        let p = s
            .path
            .as_ref()
            .map(|p| cx.rel(p))
            .ok_or_else(|| cx.err("source.path", format!("missing: {what} needs it")))?;
        if p.exists() {
            Ok(p)
        } else {
            Err(cx.err(
                "source.path",
                format!("{}: no such file or directory", p.display()),
            ))
        }
    };
    let only = |field: &str, given: bool, kind: &str| {
        if given {
            Err(cx.err(field, format!("not used by a {kind} source: remove it")))
        } else {
            Ok(())
        }
    };
    let source = match s.kind.as_str() {
        "camera" => {
            only("source.path", s.path.is_some(), "camera")?;
            camera(cx, s)?
        }
        kind @ ("images" | "video" | "pattern") => {
            only("source.device", s.device.is_some(), kind)?;
            only("source.buffers", s.buffers.is_some(), kind)?;
            only("source.format", s.format.is_some(), kind)?;
            match kind {
                "images" => {
                    only("source.size", s.size.is_some(), kind)?;
                    Source::Images {
                        path: path("an images source")?,
                        fps: fps(cx, s, 0.0)?,
                    }
                }
                "video" => {
                    let (w, h) = size(cx, s)?;
                    Source::Video {
                        path: path("a video source")?,
                        width: w as usize,
                        height: h as usize,
                        fps: fps(cx, s, 25.0)?,
                    }
                }
                _ => {
                    only("source.path", s.path.is_some(), kind)?;
                    let (w, h) = size(cx, s)?;
                    Source::Pattern {
                        width: w as usize,
                        height: h as usize,
                        fps: fps(cx, s, 25.0)?,
                    }
                }
            }
        }
        other => {
            return Err(cx.err(
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
            return Err(cx.err(
                "source.fit",
                format!("'{other}': expected stretch, crop or letterbox"),
            ));
        }
    };
    Ok((source, fit))
}

/// `[model] plan`: each stage's segment and its replicas' devices, from the plan file.
fn plan_stages(
    cx: &Ctx,
    raw: &RawConfig,
    plan: &Path,
) -> Result<(Vec<PathBuf>, Vec<Vec<DeviceSpec>>), ConfigError> {
    if !raw.model.segments.is_empty() || raw.engine.devices.is_some() {
        return Err(cx.err(
            "model.plan",
            "a plan names its segments and devices: give neither model.segments nor \
             engine.devices with it"
                .into(),
        ));
    }
    let path = cx.rel(plan);
    let file = PlanFile::load(&path).map_err(|e| cx.err("model.plan", e.to_string()))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut segments = Vec::new();
    let mut replicas = Vec::new();
    for (s, stage) in file.stages.iter().enumerate() {
        let devices = stage
            .replicas
            .iter()
            .map(|r| r.device.parse::<DeviceSpec>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|m| cx.err("model.plan", m))?;
        // A TPU replica runs the stage's compiled segment when the plan has one.
        let files: Vec<&Path> = (0..devices.len())
            .map(|r| stage.segment_of(r, &devices[r]).0)
            .collect();
        if let Some(r) = files.iter().position(|f| *f != files[0]) {
            return Err(cx.err(
                "model.plan",
                format!("stage {s}: replica {r} runs another segment than replica 0"),
            ));
        }
        segments.push(dir.join(files[0]));
        replicas.push(devices);
    }
    Ok((segments, replicas))
}

fn engine(
    cx: &Ctx,
    e: &RawEngine,
    segments: usize,
) -> Result<(EngineOptions, DeviceConfig), ConfigError> {
    let provider: Provider = match &e.provider {
        None => Provider::Auto,
        Some(p) => p.parse().map_err(|m| cx.err("engine.provider", m))?,
    };
    let kernels = match &e.kernels {
        None => Default::default(),
        Some(k) => k.parse().map_err(|m| cx.err("engine.kernels", m))?,
    };
    let devices = match &e.devices {
        None => None,
        Some(list) => {
            if list.len() != segments {
                return Err(cx.err(
                    "engine.devices",
                    format!(
                        "{} device(s) for {segments} segment(s): give one per segment",
                        list.len(),
                    ),
                ));
            }
            Some(
                list.iter()
                    .map(|d| d.parse::<DeviceSpec>())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|m| cx.err("engine.devices", m))?,
            )
        }
    };
    let threads = cx.within(
        "engine.threads",
        e.threads.unwrap_or(1),
        1..=MAX_THREADS,
        " threads",
    )?;
    Ok((
        EngineOptions {
            threads,
            provider,
            kernels,
            custom_ops: Vec::new(),
        },
        DeviceConfig {
            library: e.edgetpu_lib.as_ref().map(|p| cx.rel(p)),
            devices,
            lock_dir: e.lock_dir.as_ref().map(|p| cx.rel(p)),
            tpu_options: Vec::new(),
        },
    ))
}

fn classify(cx: &Ctx, c: &RawClassify) -> Result<ClassifyConfig, ConfigError> {
    let top_k = cx.within("classify.top_k", c.top_k.unwrap_or(3), 1..=MAX_TOP_K, "")?;
    let smoothing = cx.within(
        "classify.smoothing",
        c.smoothing.unwrap_or(1),
        1..=MAX_SMOOTHING,
        " frames",
    )?;
    let threshold = score(cx, "classify.threshold", c.threshold.unwrap_or(0.0))?;
    Ok(ClassifyConfig {
        top_k,
        threshold,
        smoothing,
    })
}

/// A score threshold: a number from 0 to 1 (NaN is refused: it would compare false).
fn score(cx: &Ctx, field: &str, value: f32) -> Result<f32, ConfigError> {
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(cx.err(field, format!("{value}: expected a score from 0 to 1")))
    }
}

/// Checks the `[uart]` values: a standard baud rate, a queue of 1 to [`MAX_UART_QUEUE`] lines.
/// (Whether the device is a tty is checked when it is opened.)
pub fn check_uart(u: &UartConfig, file: &Path) -> Result<(), ConfigError> {
    let cx = Ctx { file };
    if baud_rate(u.baud).is_err() {
        return Err(cx.err(
            "uart.baud",
            format!(
                "{}: not a standard rate (1200, 2400, 4800, 9600, 19200, 38400, 57600, \
                 115200, 230400, 460800, 500000, 576000, 921600, 1000000, 1500000, 2000000, \
                 3000000, 4000000)",
                u.baud
            ),
        ));
    }
    if u.device.as_os_str().is_empty() {
        return Err(cx.err("uart.device", "empty: name the tty".into()));
    }
    cx.within("uart.queue", u.queue, 1..=MAX_UART_QUEUE, " lines")?;
    Ok(())
}

/// Checks the `[gpio]` values that need no chip: each line names a header pin of the Dev
/// Board or a line; each rule has labels (none blank), a threshold from 0 to 1 and hysteresis
/// of 1 to [`MAX_HYSTERESIS`] frames. (Whether rule labels are in the labels file is checked
/// with the labels, by the service's preparation.)
pub fn check_gpio(g: &GpioConfig, file: &Path) -> Result<(), ConfigError> {
    let cx = Ctx { file };
    for (i, r) in g.rules.iter().enumerate() {
        let field = |name: &str| format!("gpio.rules[{i}].{name}");
        line(&cx, &format!("gpio.rules[{i}]"), &r.line)?;
        if r.labels.is_empty() {
            return Err(cx.err(
                &field("labels"),
                "empty: list the labels that switch this line on".into(),
            ));
        }
        if let Some(j) = r.labels.iter().position(|l| l.trim().is_empty()) {
            return Err(cx.err(
                &format!("gpio.rules[{i}].labels[{j}]"),
                "blank label".into(),
            ));
        }
        score(&cx, &field("threshold"), r.threshold)?;
        cx.within(
            &field("on_after"),
            r.on_after,
            1..=MAX_HYSTERESIS,
            " frames",
        )?;
        cx.within(
            &field("off_after"),
            r.off_after,
            1..=MAX_HYSTERESIS,
            " frames",
        )?;
    }
    for (name, spec) in [("gpio.heartbeat", &g.heartbeat), ("gpio.fault", &g.fault)] {
        if let Some(s) = spec {
            line(&cx, name, s)?;
        }
    }
    Ok(())
}

/// A line spec names a header pin of the Dev Board, or a line (with or without its chip).
fn line(cx: &Ctx, field: &str, s: &LineSpec) -> Result<(), ConfigError> {
    match (s.pin, &s.line) {
        (Some(pin), None) if s.chip.is_none() => {
            if DEV_BOARD_PINS.iter().any(|(p, _, _)| *p == pin) {
                Ok(())
            } else {
                let pins: Vec<String> = DEV_BOARD_PINS
                    .iter()
                    .map(|(p, _, _)| p.to_string())
                    .collect();
                Err(cx.err(
                    &format!("{field}.pin"),
                    format!(
                        "{pin}: not a GPIO pin of the Coral Dev Board header (GPIO pins: {})",
                        pins.join(", ")
                    ),
                ))
            }
        }
        (Some(_), _) => Err(cx.err(
            &format!("{field}.pin"),
            "give a header pin, or a chip and line, not both".into(),
        )),
        (None, Some(_)) => Ok(()),
        (None, None) => Err(cx.err(
            field,
            "names no line: give a header pin (pin = 13), or a line (name or offset) with its \
             chip"
                .into(),
        )),
    }
}
