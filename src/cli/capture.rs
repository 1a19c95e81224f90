//! `edgepipe capture`: stream from a V4L2 camera and report what it did (the camera side of
//! the firmware, runnable on its own on the board and in the bench).

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Result, bail};
use clap::Args;
use serde::Serialize;

use edgepipe::capture::camera::{CameraConfig, CameraHealth, Negotiated, ResilientCamera};
use edgepipe::capture::convert::{self, Fit, PixelFormat, Resampler, TensorEncoding};
use edgepipe::capture::{COLOUR_BARS_YUV, FrameSource};

use super::UsageError;

#[derive(Args, Debug)]
pub struct CaptureArgs {
    /// The camera device.
    #[arg(long, default_value = "/dev/video0")]
    device: PathBuf,
    /// Frame size WIDTHxHEIGHT.
    #[arg(long, default_value = "640x480")]
    size: String,
    /// Frames per second to set.
    #[arg(long, default_value_t = 25)]
    fps: u32,
    /// Frames to capture.
    #[arg(long, default_value_t = 100)]
    frames: u64,
    /// Pixel format: yuyv, rgb24, bgr24 or nv12 (default: the first of those the camera offers).
    #[arg(long)]
    format: Option<String>,
    /// MMAP buffers.
    #[arg(long, default_value_t = 4)]
    buffers: u32,
    /// Also convert every frame into a WIDTHxHEIGHT tensor and time it (e.g. 224x224).
    #[arg(long)]
    convert: Option<String>,
    /// Check the middle row against 75 % colour bars (vivid's default pattern).
    #[arg(long)]
    check_colour_bars: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Report {
    device: PathBuf,
    negotiated: Option<Negotiated>,
    frames: u64,
    first_sequence: u64,
    last_sequence: u64,
    dropped: u64,
    fps_measured: f64,
    convert_mean_us: Option<f64>,
    colour_bars: Option<bool>,
    colour_bar_rgb: Vec<[u8; 3]>,
    health: CameraHealth,
}

pub fn size(text: &str, what: &str) -> Result<(u32, u32)> {
    let parse = || -> Option<(u32, u32)> {
        let (w, h) = text.split_once('x')?;
        Some((w.parse().ok()?, h.parse().ok()?))
    };
    match parse() {
        Some((w, h)) if w > 0 && h > 0 => Ok((w, h)),
        _ => Err(UsageError(format!(
            "{what} '{text}': expected WIDTHxHEIGHT, e.g. 640x480"
        ))
        .into()),
    }
}

pub fn pixel_format(name: &str) -> Result<PixelFormat> {
    Ok(match name.to_ascii_lowercase().as_str() {
        "yuyv" => PixelFormat::Yuyv,
        "rgb24" | "rgb3" => PixelFormat::Rgb24,
        "bgr24" | "bgr3" => PixelFormat::Bgr24,
        "nv12" => PixelFormat::Nv12,
        _ => {
            return Err(UsageError(format!(
                "format '{name}': expected yuyv, rgb24, bgr24 or nv12"
            ))
            .into());
        }
    })
}

/// 75 % colour bars in RGB, from their YCbCr definition.
fn expected_bars() -> Vec<[u8; 3]> {
    COLOUR_BARS_YUV
        .iter()
        .map(|&(y, u, v)| {
            let layout = convert::FrameLayout {
                format: PixelFormat::Yuyv,
                width: 2,
                height: 1,
                stride: 4,
            };
            convert::pixel(&[y, u, y, v], layout, 0, 0).unwrap_or([0; 3])
        })
        .collect()
}

pub fn run(a: CaptureArgs) -> Result<()> {
    let (width, height) = size(&a.size, "--size")?;
    let mut config = CameraConfig::new(&a.device);
    config.width = width;
    config.height = height;
    config.fps = a.fps;
    config.buffers = a.buffers;
    if let Some(f) = &a.format {
        config.formats = vec![pixel_format(f)?];
    }
    let tensor = a
        .convert
        .as_deref()
        .map(|c| size(c, "--convert"))
        .transpose()?;
    let mut camera = ResilientCamera::open(&config)?;
    let negotiated = camera.negotiated().cloned();
    let mut resampler: Option<(Resampler, Vec<u8>)> = None;
    let (mut first, mut last, mut first_ts, mut last_ts) = (0u64, 0u64, 0.0f64, 0.0f64);
    let mut convert_us = 0.0;
    let mut bars = Vec::new();
    for n in 0..a.frames {
        let frame = camera.next_frame()?;
        let t = frame.timestamp.as_secs_f64();
        if n == 0 {
            (first, first_ts) = (frame.sequence, t);
        }
        (last, last_ts) = (frame.sequence, t);
        if let Some((w, h)) = tensor {
            if resampler
                .as_ref()
                .is_none_or(|(r, _)| r.frame() != frame.layout)
            {
                let r = Resampler::new(
                    frame.layout,
                    w as usize,
                    h as usize,
                    Fit::Stretch,
                    TensorEncoding::Uint8,
                )?;
                let buf = vec![0u8; r.tensor_bytes()];
                resampler = Some((r, buf));
            }
            if let Some((r, buf)) = resampler.as_mut() {
                let started = Instant::now();
                r.convert(frame.data, buf)?;
                convert_us += started.elapsed().as_secs_f64() * 1e6;
            }
        }
        if a.check_colour_bars && n + 1 == a.frames {
            let l = frame.layout;
            bars = (0..8)
                .filter_map(|i| {
                    convert::pixel(frame.data, l, (2 * i + 1) * l.width / 16, l.height / 2)
                })
                .collect();
        }
    }
    let colour_bars = a.check_colour_bars.then(|| {
        bars.len() == 8
            && bars.iter().zip(expected_bars()).all(|(got, want)| {
                got.iter()
                    .zip(want)
                    .all(|(g, w)| (*g as i32 - w as i32).abs() <= 12)
            })
    });
    let report = Report {
        device: a.device.clone(),
        negotiated,
        frames: a.frames,
        first_sequence: first,
        last_sequence: last,
        dropped: camera.dropped(),
        // The driver's rate (sequence numbers per second of its timestamps), which is what
        // S_PARM sets; frames this process missed show in `dropped`, not here.
        fps_measured: if last_ts > first_ts {
            last.saturating_sub(first) as f64 / (last_ts - first_ts)
        } else {
            0.0
        },
        convert_mean_us: tensor.map(|_| convert_us / a.frames.max(1) as f64),
        colour_bars,
        colour_bar_rgb: bars,
        health: camera.health().clone(),
    };
    if a.json {
        super::emit(&(serde_json::to_string(&report)? + "\n"))?;
    } else {
        let mut out = String::new();
        if let Some(n) = &report.negotiated {
            outln!(
                out,
                "{}: {} ({}), {:?} {}x{} stride {}, {:.2} fps set",
                a.device.display(),
                n.card,
                n.driver,
                n.layout.format,
                n.layout.width,
                n.layout.height,
                n.layout.stride,
                n.fps
            );
        }
        outln!(
            out,
            "frames {} (sequence {}..{}), dropped {}, measured {:.2} fps",
            report.frames,
            first,
            last,
            report.dropped,
            report.fps_measured
        );
        if let Some(us) = report.convert_mean_us {
            outln!(
                out,
                "conversion into {}: {:.0} us per frame",
                a.convert.as_deref().unwrap_or(""),
                us
            );
        }
        if let Some(ok) = report.colour_bars {
            outln!(
                out,
                "colour bars: {} {:?}",
                if ok { "ok" } else { "MISMATCH" },
                report.colour_bar_rgb
            );
        }
        outln!(
            out,
            "camera lost {} times, recovered {} times",
            report.health.lost,
            report.health.recovered
        );
        super::emit(&out)?;
    }
    if report.colour_bars == Some(false) {
        bail!(
            "{}: the middle row is not 75 % colour bars: {:?}",
            a.device.display(),
            report.colour_bar_rgb
        );
    }
    Ok(())
}
