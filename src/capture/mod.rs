//! Frame sources and their conversion into a model's input tensor.
//!
//! Every source yields [`Frame`]s: the bytes of one picture, borrowed from the source until the
//! next call (for a camera, the driver's mmap'd buffer between DQBUF and QBUF), with its layout,
//! sequence number and timestamp. [`convert::Resampler`] turns a frame into the input tensor.
//! Sources: a V4L2 camera ([`camera`]), a directory of still images, a raw YUYV video file
//! replayed at a set rate, and a synthetic test pattern.
//!
//! Every source refuses frames larger than [`MAX_FRAME_SIDE`] pixels a side (checked with the
//! configuration, before anything is allocated), and reads only regular files of bounded size
//! ([`MAX_IMAGE_FILE_BYTES`], [`MAX_VIDEO_FILE_BYTES`]).

pub mod camera;
pub mod convert;
pub mod wait;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use crate::engine::TensorSpec;
use crate::model::DType;
use convert::{ConvertError, Fit, FrameLayout, PixelFormat, Resampler, TensorEncoding};

/// The widest and tallest frame any source accepts, in pixels: 8192 (a 64-megapixel frame,
/// 128 MiB of YUYV; a 4K camera gives 3840 x 2160).
pub const MAX_FRAME_SIDE: usize = 8192;
/// The largest image file a directory of stills may hold (64 MiB).
pub const MAX_IMAGE_FILE_BYTES: u64 = 64 << 20;
/// The largest raw video file replayed (1 GiB; it is read into memory once).
pub const MAX_VIDEO_FILE_BYTES: u64 = 1 << 30;

/// Checks a frame size against [`MAX_FRAME_SIDE`] (and that it is not empty).
pub fn check_frame_size(width: usize, height: usize) -> Result<(), FrameSizeError> {
    if width == 0 || height == 0 || width > MAX_FRAME_SIDE || height > MAX_FRAME_SIDE {
        return Err(FrameSizeError { width, height });
    }
    Ok(())
}

/// A frame size out of range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{width}x{height}: frames must be 1 to {MAX_FRAME_SIDE} pixels wide and high")]
pub struct FrameSizeError {
    /// Width asked for.
    pub width: usize,
    /// Height asked for.
    pub height: usize,
}

/// One frame, borrowed from its source until the source's next call.
#[derive(Debug)]
pub struct Frame<'a> {
    /// The pixels.
    pub data: &'a [u8],
    /// Their layout.
    pub layout: FrameLayout,
    /// The source's frame counter (the driver's, for a camera).
    pub sequence: u64,
    /// When it was captured, on the source's clock.
    pub timestamp: Duration,
}

/// Why a source gave no frame.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// An image file cannot be decoded.
    #[error("{path}: cannot decode image: {reason}")]
    Decode {
        /// The file.
        path: PathBuf,
        /// What the decoder said.
        reason: String,
    },
    /// A file or directory cannot be read.
    #[error("{path}: {reason}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        reason: String,
    },
    /// The source has nothing (an empty directory).
    #[error("{0}: no images (PNG, JPEG or BMP)")]
    Empty(PathBuf),
    /// A finite source is done.
    #[error("end of the source")]
    End,
    /// The camera failed.
    #[error(transparent)]
    Camera(#[from] camera::CameraError),
    /// A frame larger than any source accepts.
    #[error("{path}: {size}")]
    FrameSize {
        /// The file or device.
        path: PathBuf,
        /// The size.
        size: FrameSizeError,
    },
}

/// Where frames come from.
pub trait FrameSource: Send {
    /// The next frame; blocks until it is due (a camera's next frame, a replay's next tick).
    fn next_frame(&mut self) -> Result<Frame<'_>, CaptureError>;
    /// Frames the source knows it lost (gaps in a camera's sequence numbers).
    fn dropped(&self) -> u64 {
        0
    }
    /// False while the source is failing (a camera lost and not yet back).
    fn healthy(&self) -> bool {
        true
    }
    /// Makes every wait of the source end within [`wait::SLICE`] once `stop` is set (the
    /// source then ends: [`CaptureError::End`]).
    fn set_stop(&mut self, stop: Arc<AtomicBool>) {
        let _ = stop;
    }
}

/// Decodes an image file into packed RGB: a regular file of at most
/// [`MAX_IMAGE_FILE_BYTES`], at most [`MAX_FRAME_SIDE`] pixels a side (checked from the header,
/// before the decoder allocates the picture).
fn decode(path: &Path) -> Result<(Vec<u8>, FrameLayout), CaptureError> {
    let failed = |reason: String| CaptureError::Decode {
        path: path.to_path_buf(),
        reason,
    };
    let bytes =
        crate::fsutil::read_bounded(path, MAX_IMAGE_FILE_BYTES).map_err(|e| CaptureError::Io {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
    let reader = || {
        image::ImageReader::new(std::io::Cursor::new(&bytes[..]))
            .with_guessed_format()
            .map_err(|e| failed(e.to_string()))
    };
    let (w, h) = reader()?
        .into_dimensions()
        .map_err(|e| failed(e.to_string()))?;
    check_frame_size(w as usize, h as usize).map_err(|size| CaptureError::FrameSize {
        path: path.to_path_buf(),
        size,
    })?;
    let mut reader = reader()?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_FRAME_SIDE as u32);
    limits.max_image_height = Some(MAX_FRAME_SIDE as u32);
    reader.limits(limits);
    let img = reader.decode().map_err(|e| failed(e.to_string()))?;
    let rgb = img.to_rgb8();
    let (w, h) = (rgb.width() as usize, rgb.height() as usize);
    Ok((
        rgb.into_raw(),
        FrameLayout {
            format: PixelFormat::Rgb24,
            width: w,
            height: h,
            stride: w * 3,
        },
    ))
}

/// The still images of a directory (or one file), in name order, decoded once and repeated.
pub struct Images {
    frames: Vec<(Vec<u8>, FrameLayout)>,
    next: usize,
    sequence: u64,
    started: Instant,
    repeat: bool,
    pacer: Pacer,
}

impl Images {
    /// Decodes every PNG, JPEG and BMP file of `path` (a directory or one image), to be shown
    /// at `fps` (0: as fast as they are taken).
    pub fn open(path: &Path, repeat: bool, fps: f64) -> Result<Images, CaptureError> {
        let io = |e: std::io::Error| CaptureError::Io {
            path: path.to_path_buf(),
            reason: e.to_string(),
        };
        let files: Vec<PathBuf> = if path.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(io)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    let ext = p
                        .extension()
                        .and_then(|e| e.to_str())
                        .unwrap_or("")
                        .to_ascii_lowercase();
                    matches!(ext.as_str(), "png" | "jpg" | "jpeg" | "bmp")
                })
                .collect();
            files.sort();
            files
        } else {
            vec![path.to_path_buf()]
        };
        if files.is_empty() {
            return Err(CaptureError::Empty(path.to_path_buf()));
        }
        let frames = files
            .iter()
            .map(|f| decode(f))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Images {
            frames,
            next: 0,
            sequence: 0,
            started: Instant::now(),
            repeat,
            pacer: Pacer::new(fps),
        })
    }
}

impl FrameSource for Images {
    fn set_stop(&mut self, stop: Arc<AtomicBool>) {
        self.pacer.stop = Some(stop);
    }

    fn next_frame(&mut self) -> Result<Frame<'_>, CaptureError> {
        if self.next == self.frames.len() {
            if !self.repeat {
                return Err(CaptureError::End);
            }
            self.next = 0;
        }
        self.pacer.wait()?;
        let (data, layout) = &self.frames[self.next];
        self.next += 1;
        self.sequence += 1;
        Ok(Frame {
            data,
            layout: *layout,
            sequence: self.sequence - 1,
            timestamp: self.started.elapsed(),
        })
    }
}

/// Paces a replayed source at a frame rate. Its wait is cut into [`wait::SLICE`] slices, so a
/// stop is seen within one slice whatever the rate.
struct Pacer {
    period: Duration,
    next: Instant,
    stop: Option<Arc<AtomicBool>>,
}

impl Pacer {
    /// `fps` 0 (or not a positive number) means no pacing; a rate so low that its period does
    /// not fit a `Duration` waits until stopped.
    fn new(fps: f64) -> Pacer {
        let period = if fps > 0.0 {
            Duration::try_from_secs_f64(1.0 / fps).unwrap_or(Duration::MAX)
        } else {
            Duration::ZERO
        };
        Pacer {
            period,
            next: Instant::now(),
            stop: None,
        }
    }

    /// Waits until the next frame is due; `Err(End)` when stopped meanwhile.
    fn wait(&mut self) -> Result<(), CaptureError> {
        if !wait::sleep_until(self.next, &self.stop) {
            return Err(CaptureError::End);
        }
        let now = Instant::now();
        // A period beyond the clock's range: the next frame comes in a century, or at a stop.
        let century = Duration::from_secs(100 * 365 * 86_400);
        self.next = self
            .next
            .max(now)
            .checked_add(self.period)
            .unwrap_or(now + century);
        Ok(())
    }
}

/// A raw video file of back-to-back YUYV frames, replayed at a set rate and looped.
pub struct RawVideo {
    file: PathBuf,
    bytes: Vec<u8>,
    layout: FrameLayout,
    frame_bytes: usize,
    next: usize,
    sequence: u64,
    pacer: Pacer,
    started: Instant,
}

impl RawVideo {
    /// Opens `path` as `width` x `height` YUYV frames at `fps` (0: as fast as asked).
    pub fn open(
        path: &Path,
        width: usize,
        height: usize,
        fps: f64,
    ) -> Result<RawVideo, CaptureError> {
        check_frame_size(width, height).map_err(|size| CaptureError::FrameSize {
            path: path.to_path_buf(),
            size,
        })?;
        let bytes = crate::fsutil::read_bounded(path, MAX_VIDEO_FILE_BYTES).map_err(|e| {
            CaptureError::Io {
                path: path.to_path_buf(),
                reason: e.to_string(),
            }
        })?;
        let layout = FrameLayout {
            format: PixelFormat::Yuyv,
            width,
            height,
            stride: width * 2,
        };
        let frame_bytes = layout.format.frame_bytes(layout.stride, height);
        if frame_bytes == 0 || bytes.len() < frame_bytes || bytes.len() % frame_bytes != 0 {
            return Err(CaptureError::Io {
                path: path.to_path_buf(),
                reason: format!(
                    "{} bytes is not a whole number of {width}x{height} YUYV frames ({frame_bytes} bytes each)",
                    bytes.len()
                ),
            });
        }
        Ok(RawVideo {
            file: path.to_path_buf(),
            bytes,
            layout,
            frame_bytes,
            next: 0,
            sequence: 0,
            pacer: Pacer::new(fps),
            started: Instant::now(),
        })
    }

    /// The file replayed.
    pub fn path(&self) -> &Path {
        &self.file
    }
}

impl FrameSource for RawVideo {
    fn set_stop(&mut self, stop: Arc<AtomicBool>) {
        self.pacer.stop = Some(stop);
    }

    fn next_frame(&mut self) -> Result<Frame<'_>, CaptureError> {
        self.pacer.wait()?;
        if self.next * self.frame_bytes >= self.bytes.len() {
            self.next = 0;
        }
        let start = self.next * self.frame_bytes;
        self.next += 1;
        self.sequence += 1;
        Ok(Frame {
            data: &self.bytes[start..start + self.frame_bytes],
            layout: self.layout,
            sequence: self.sequence - 1,
            timestamp: self.started.elapsed(),
        })
    }
}

/// A synthetic YUYV test pattern (moving colour bars), generated into one buffer per frame.
pub struct Pattern {
    buf: Vec<u8>,
    layout: FrameLayout,
    sequence: u64,
    pacer: Pacer,
    started: Instant,
}

/// The 75 % colour bars in BT.601 limited-range YCbCr: white, yellow, cyan, green, magenta,
/// red, blue, black.
pub const COLOUR_BARS_YUV: [(u8, u8, u8); 8] = [
    (180, 128, 128),
    (162, 44, 142),
    (131, 156, 44),
    (112, 72, 58),
    (84, 184, 198),
    (65, 100, 212),
    (35, 212, 114),
    (16, 128, 128),
];

impl Pattern {
    /// A `width` x `height` pattern at `fps` (0: as fast as asked); an odd width is rounded
    /// down to even (YUYV pairs pixels). Refuses sizes past [`MAX_FRAME_SIDE`].
    pub fn new(width: usize, height: usize, fps: f64) -> Result<Pattern, FrameSizeError> {
        check_frame_size(width, height)?;
        let width = width.max(2) & !1;
        let layout = FrameLayout {
            format: PixelFormat::Yuyv,
            width,
            height: height.max(1),
            stride: width * 2,
        };
        Ok(Pattern {
            buf: vec![0; width * 2 * layout.height],
            layout,
            sequence: 0,
            pacer: Pacer::new(fps),
            started: Instant::now(),
        })
    }
}

impl FrameSource for Pattern {
    fn set_stop(&mut self, stop: Arc<AtomicBool>) {
        self.pacer.stop = Some(stop);
    }

    fn next_frame(&mut self) -> Result<Frame<'_>, CaptureError> {
        self.pacer.wait()?;
        let (w, h) = (self.layout.width, self.layout.height);
        let shift = (self.sequence as usize * 4) % w;
        for y in 0..h {
            for pair in 0..w / 2 {
                let x = (pair * 2 + shift) % w;
                let (yv, u, v) = COLOUR_BARS_YUV[x * 8 / w];
                let p = y * self.layout.stride + pair * 4;
                self.buf[p..p + 4].copy_from_slice(&[yv, u, yv, v]);
            }
        }
        self.sequence += 1;
        Ok(Frame {
            data: &self.buf,
            layout: self.layout,
            sequence: self.sequence - 1,
            timestamp: self.started.elapsed(),
        })
    }
}

/// Why an image cannot become an input tensor.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// Unreadable or undecodable file.
    #[error(transparent)]
    Capture(#[from] CaptureError),
    /// The input tensor is not an NHWC RGB image.
    #[error(
        "input '{name}' has shape {shape:?} and type {dtype}; an image needs [1, H, W, 3] uint8 or int8"
    )]
    NotAnImageInput {
        /// Input name.
        name: String,
        /// Its shape.
        shape: Vec<usize>,
        /// Its type.
        dtype: DType,
    },
    /// Conversion failed.
    #[error(transparent)]
    Convert(#[from] ConvertError),
    /// The segments take no input at all.
    #[error("the segments take no input; an image needs one")]
    NoInput,
}

/// The first of `inputs`, which must be an image: its geometry and encoding.
pub fn first_image_input(
    inputs: &[TensorSpec],
) -> Result<(usize, usize, TensorEncoding), ImageError> {
    image_input(inputs.first().ok_or(ImageError::NoInput)?)
}

/// The tensor geometry and encoding of an image input, or why it is not one.
pub fn image_input(spec: &TensorSpec) -> Result<(usize, usize, TensorEncoding), ImageError> {
    match (spec.shape.as_slice(), spec.dtype) {
        ([1, h, w, 3], DType::Uint8) => Ok((*w, *h, TensorEncoding::Uint8)),
        ([1, h, w, 3], DType::Int8) => Ok((*w, *h, TensorEncoding::Int8)),
        _ => Err(ImageError::NotAnImageInput {
            name: spec.name.clone(),
            shape: spec.shape.clone(),
            dtype: spec.dtype,
        }),
    }
}

/// Decodes `path` and converts the whole picture to the input's size (bilinear, stretched):
/// the preprocessing `../shared/models/README.md` documents for the expected answers.
pub fn image_to_tensor(path: &Path, spec: &TensorSpec) -> Result<Vec<u8>, ImageError> {
    let (w, h, encoding) = image_input(spec)?;
    let (data, layout) = decode(path)?;
    let mut tensor = vec![0u8; w * h * 3];
    Resampler::new(layout, w, h, Fit::Stretch, encoding)?.convert(&data, &mut tensor)?;
    Ok(tensor)
}
