//! A V4L2 camera: format negotiation, the frame rate set with S_PARM, and MMAP streaming
//! through the driver's ring of buffers (the `v4l` crate). A frame's bytes are reachable only
//! between the dequeue that delivers it and the next call, which queues the buffer back.
//!
//! [`ResilientCamera`] reopens a camera that disappears (unplugged, EIO, ENODEV, no frame
//! within the timeout) with backoff, counting failures and recoveries.
//!
//! Stop: every wait (the next buffer, the first one of a stream just started, a reopen's
//! backoff) is cut into [`wait::SLICE`]s and looks at the stop flag ([`FrameSource::set_stop`])
//! between them (see [`crate::sys::v4l`]).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use serde::Serialize;
use v4l::video::Capture;
use v4l::{Device, FourCC};

use crate::sys::v4l::MmapCapture;

use super::convert::{FrameLayout, PixelFormat};
use super::wait::{self, Waited};
use super::{CaptureError, Frame, FrameSource};

/// Why a camera cannot be used.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum CameraError {
    /// open() failed.
    #[error("{device}: cannot open: {reason}")]
    Open {
        /// The device.
        device: PathBuf,
        /// Why.
        reason: String,
    },
    /// Not a V4L2 streaming capture device.
    #[error("{device}: not a V4L2 streaming capture device ({reason})")]
    NotCapture {
        /// The device.
        device: PathBuf,
        /// What it is.
        reason: String,
    },
    /// None of the wanted formats is offered.
    #[error("{device}: offers none of the formats {wanted} (it offers {offered})")]
    NoFormat {
        /// The device.
        device: PathBuf,
        /// What was asked.
        wanted: String,
        /// What the device offers.
        offered: String,
    },
    /// An ioctl during setup failed.
    #[error("{device}: {call} failed: {reason}")]
    Setup {
        /// The device.
        device: PathBuf,
        /// The ioctl.
        call: &'static str,
        /// Why.
        reason: String,
    },
    /// The camera went away or broke while streaming.
    #[error("{device}: lost while streaming: {reason}")]
    Lost {
        /// The device.
        device: PathBuf,
        /// Why.
        reason: String,
    },
    /// No frame arrived in time.
    #[error("{device}: no frame within {ms} ms")]
    Timeout {
        /// The device.
        device: PathBuf,
        /// The timeout.
        ms: u64,
    },
}

/// What to ask the camera for.
#[derive(Debug, Clone, PartialEq)]
pub struct CameraConfig {
    /// The device node.
    pub device: PathBuf,
    /// Frame width.
    pub width: u32,
    /// Frame height.
    pub height: u32,
    /// Frames per second (set with S_PARM).
    pub fps: u32,
    /// MMAP buffers in the driver's ring.
    pub buffers: u32,
    /// Formats in order of preference.
    pub formats: Vec<PixelFormat>,
    /// A frame must arrive within this long.
    pub timeout: Duration,
}

impl CameraConfig {
    /// 640x480 at 25 fps, YUYV first, 4 buffers, 2 s timeout.
    pub fn new(device: &Path) -> CameraConfig {
        CameraConfig {
            device: device.to_path_buf(),
            width: 640,
            height: 480,
            fps: 25,
            buffers: 4,
            formats: vec![
                PixelFormat::Yuyv,
                PixelFormat::Rgb24,
                PixelFormat::Bgr24,
                PixelFormat::Nv12,
            ],
            timeout: Duration::from_secs(2),
        }
    }
}

/// What the camera actually gave.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Negotiated {
    /// The frame layout.
    pub layout: FrameLayout,
    /// The frame rate the driver set.
    pub fps: f64,
    /// Driver name.
    pub driver: String,
    /// Device name.
    pub card: String,
}

fn fourcc(f: PixelFormat) -> FourCC {
    FourCC::new(match f {
        PixelFormat::Yuyv => b"YUYV",
        PixelFormat::Nv12 => b"NV12",
        PixelFormat::Rgb24 => b"RGB3",
        PixelFormat::Bgr24 => b"BGR3",
    })
}

/// The first of `wanted` that `offered` contains.
pub fn choose_format(
    device: &Path,
    wanted: &[PixelFormat],
    offered: &[FourCC],
) -> Result<PixelFormat, CameraError> {
    wanted
        .iter()
        .copied()
        .find(|w| offered.contains(&fourcc(*w)))
        .ok_or_else(|| CameraError::NoFormat {
            device: device.to_path_buf(),
            wanted: wanted
                .iter()
                .map(|w| format!("{w:?}"))
                .collect::<Vec<_>>()
                .join(", "),
            offered: offered
                .iter()
                .map(|f| f.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// A streaming V4L2 camera.
pub struct Camera {
    // Declared before `_device` so the stream (buffers unmapped, STREAMOFF) goes first.
    stream: MmapCapture,
    _device: Device,
    config: CameraConfig,
    negotiated: Negotiated,
    last_sequence: Option<u32>,
    dropped: u64,
    stop: Option<Arc<AtomicBool>>,
}

fn lost_or_timeout(device: &Path, e: std::io::Error, timeout: Duration) -> CameraError {
    if e.kind() == std::io::ErrorKind::TimedOut {
        CameraError::Timeout {
            device: device.to_path_buf(),
            ms: timeout.as_millis() as u64,
        }
    } else {
        CameraError::Lost {
            device: device.to_path_buf(),
            reason: e.to_string(),
        }
    }
}

impl Camera {
    /// Opens and starts streaming: checks it is a capture device, negotiates the format in
    /// `config.formats` order, sets the frame rate, maps `config.buffers` buffers.
    pub fn open(config: &CameraConfig) -> Result<Camera, CameraError> {
        let path = config.device.as_path();
        let setup = |call: &'static str| {
            move |e: std::io::Error| CameraError::Setup {
                device: path.to_path_buf(),
                call,
                reason: e.to_string(),
            }
        };
        let device = Device::with_path(path).map_err(|e| CameraError::Open {
            device: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        let caps = device.query_caps().map_err(|e| CameraError::NotCapture {
            device: path.to_path_buf(),
            reason: format!("VIDIOC_QUERYCAP: {e}"),
        })?;
        use v4l::capability::Flags;
        if !caps.capabilities.contains(Flags::VIDEO_CAPTURE)
            || !caps.capabilities.contains(Flags::STREAMING)
        {
            return Err(CameraError::NotCapture {
                device: path.to_path_buf(),
                reason: format!("driver {} offers {}", caps.driver, caps.capabilities),
            });
        }
        let offered: Vec<FourCC> = device
            .enum_formats()
            .map_err(setup("VIDIOC_ENUM_FMT"))?
            .into_iter()
            .map(|d| d.fourcc)
            .collect();
        let format = choose_format(path, &config.formats, &offered)?;
        let mut fmt = device.format().map_err(setup("VIDIOC_G_FMT"))?;
        fmt.width = config.width;
        fmt.height = config.height;
        fmt.fourcc = fourcc(format);
        let fmt = device.set_format(&fmt).map_err(setup("VIDIOC_S_FMT"))?;
        if fmt.fourcc != fourcc(format) {
            return Err(CameraError::NoFormat {
                device: path.to_path_buf(),
                wanted: format!("{format:?}"),
                offered: fmt.fourcc.to_string(),
            });
        }
        let params = device
            .set_params(&v4l::video::capture::Parameters::with_fps(
                config.fps.max(1),
            ))
            .map_err(setup("VIDIOC_S_PARM"))?;
        let fps = if params.interval.numerator > 0 {
            params.interval.denominator as f64 / params.interval.numerator as f64
        } else {
            0.0
        };
        let layout = FrameLayout {
            format,
            width: fmt.width as usize,
            height: fmt.height as usize,
            stride: fmt.stride as usize,
        };
        let stream =
            MmapCapture::new(&device, config.buffers).map_err(|(call, e)| setup(call)(e))?;
        Ok(Camera {
            stream,
            _device: device,
            config: config.clone(),
            negotiated: Negotiated {
                layout,
                fps,
                driver: caps.driver,
                card: caps.card,
            },
            last_sequence: None,
            dropped: 0,
            stop: None,
        })
    }

    /// What the camera gave.
    pub fn negotiated(&self) -> &Negotiated {
        &self.negotiated
    }

    /// Waits for the next frame from the driver (the previous one goes back to it): false
    /// when the stop flag was set meanwhile.
    pub fn advance(&mut self) -> Result<bool, CameraError> {
        let path = self.config.device.as_path();
        let timeout = self.config.timeout;
        let deadline = Instant::now() + timeout;
        let meta = loop {
            let stream = &self.stream;
            match wait::sliced(deadline, &self.stop, |slice| stream.wait(slice))
                .map_err(|e| lost_or_timeout(path, e, timeout))?
            {
                Waited::Ready => {}
                Waited::Stopped => return Ok(false),
                Waited::TimedOut => {
                    return Err(CameraError::Timeout {
                        device: path.to_path_buf(),
                        ms: timeout.as_millis() as u64,
                    });
                }
            }
            // `None`: the readiness was not a frame after all; wait again, same deadline.
            if let Some(meta) = self
                .stream
                .advance()
                .map_err(|e| lost_or_timeout(path, e, timeout))?
            {
                break meta;
            }
        };
        if let Some(last) = self.last_sequence {
            self.dropped += meta.sequence.wrapping_sub(last).saturating_sub(1) as u64;
        }
        self.last_sequence = Some(meta.sequence);
        Ok(true)
    }

    /// The frame `advance` delivered, until the next `advance`.
    pub fn current(&self) -> Option<Frame<'_>> {
        let (data, meta) = self.stream.current()?;
        Some(Frame {
            data,
            layout: self.negotiated.layout,
            sequence: meta.sequence as u64,
            timestamp: meta.timestamp,
        })
    }

    /// Frames the driver dropped (gaps in its sequence numbers).
    pub fn dropped_frames(&self) -> u64 {
        self.dropped
    }
}

impl FrameSource for Camera {
    fn set_stop(&mut self, stop: Arc<AtomicBool>) {
        self.stop = Some(stop);
    }

    fn next_frame(&mut self) -> Result<Frame<'_>, CaptureError> {
        if !self.advance()? {
            return Err(CaptureError::End);
        }
        self.current().ok_or(CaptureError::End)
    }

    fn dropped(&self) -> u64 {
        self.dropped
    }
}

/// Counts of a resilient camera's troubles.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct CameraHealth {
    /// Times the camera was lost (or timed out).
    pub lost: u64,
    /// Times it came back.
    pub recovered: u64,
    /// Failed reopen attempts.
    pub failed_reopens: u64,
    /// The last error.
    pub last_error: Option<String>,
}

/// A camera that is reopened with backoff (100 ms doubling to 5 s) when it fails; frame
/// sequence numbers continue across reopens.
pub struct ResilientCamera {
    config: CameraConfig,
    camera: Option<Camera>,
    health: CameraHealth,
    backoff: Duration,
    sequence_base: u64,
    last_sequence: u64,
    dropped_before: u64,
    stop: Option<Arc<AtomicBool>>,
}

const BACKOFF_START: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(5);

impl ResilientCamera {
    /// Opens the camera now; a camera absent at start is an error (a wrong path should not
    /// wait forever).
    pub fn open(config: &CameraConfig) -> Result<ResilientCamera, CameraError> {
        let camera = Camera::open(config)?;
        Ok(ResilientCamera {
            config: config.clone(),
            camera: Some(camera),
            health: CameraHealth::default(),
            backoff: BACKOFF_START,
            sequence_base: 0,
            last_sequence: 0,
            dropped_before: 0,
            stop: None,
        })
    }

    /// Makes every wait give up (the source ends) once `stop` is set.
    pub fn with_stop(mut self, stop: Arc<AtomicBool>) -> ResilientCamera {
        self.set_stop(stop);
        self
    }

    /// Failures and recoveries so far.
    pub fn health(&self) -> &CameraHealth {
        &self.health
    }

    /// What the current camera gave (the last one, while reopening).
    pub fn negotiated(&self) -> Option<&Negotiated> {
        self.camera.as_ref().map(Camera::negotiated)
    }

    /// Reopens the camera, retrying with backoff; false when told to stop meanwhile.
    fn reopen(&mut self) -> bool {
        let mut wait_until = Instant::now() + self.backoff;
        loop {
            if !wait::sleep_until(wait_until, &self.stop) {
                return false;
            }
            match Camera::open(&self.config) {
                Ok(mut camera) => {
                    tracing::info!(device = %self.config.device.display(), "camera recovered");
                    self.health.recovered += 1;
                    self.backoff = BACKOFF_START;
                    self.sequence_base = self.last_sequence + 1;
                    camera.stop = self.stop.clone();
                    self.camera = Some(camera);
                    return true;
                }
                Err(e) => {
                    self.health.failed_reopens += 1;
                    self.health.last_error = Some(e.to_string());
                    self.backoff = (self.backoff * 2).min(BACKOFF_MAX);
                    tracing::warn!(device = %self.config.device.display(), error = %e, retry_in_ms = self.backoff.as_millis() as u64, "camera reopen failed");
                    wait_until = Instant::now() + self.backoff;
                }
            }
        }
    }
}

impl ResilientCamera {
    /// Drops a broken camera. The `v4l` crate's stream panics in `drop` when STREAMOFF fails
    /// with anything but ENODEV (EIO from a dying device, say); contain that here so a broken
    /// camera never takes the process down.
    fn discard(&mut self) {
        if let Some(camera) = self.camera.take() {
            self.dropped_before += camera.dropped_frames();
            if std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(camera))).is_err()
            {
                tracing::warn!("closing the broken camera failed; its buffers were abandoned");
            }
        }
    }
}

impl FrameSource for ResilientCamera {
    fn set_stop(&mut self, stop: Arc<AtomicBool>) {
        if let Some(camera) = self.camera.as_mut() {
            camera.stop = Some(Arc::clone(&stop));
        }
        self.stop = Some(stop);
    }

    fn next_frame(&mut self) -> Result<Frame<'_>, CaptureError> {
        loop {
            if self.camera.is_none() && !self.reopen() {
                return Err(CaptureError::End);
            }
            let Some(camera) = self.camera.as_mut() else {
                continue;
            };
            match camera.advance() {
                Ok(true) => break,
                Ok(false) => return Err(CaptureError::End),
                Err(e) => {
                    tracing::warn!(error = %e, "camera lost; reopening");
                    self.health.lost += 1;
                    self.health.last_error = Some(e.to_string());
                    self.discard();
                }
            }
        }
        let camera = self.camera.as_ref().ok_or(CaptureError::End)?;
        let frame = camera.current().ok_or(CaptureError::End)?;
        self.last_sequence = self.sequence_base + frame.sequence;
        Ok(Frame {
            sequence: self.sequence_base + frame.sequence,
            ..frame
        })
    }

    fn dropped(&self) -> u64 {
        self.dropped_before + self.camera.as_ref().map_or(0, Camera::dropped_frames)
    }

    fn healthy(&self) -> bool {
        self.health.lost == self.health.recovered
    }
}
