//! Pixel conversion and resampling, straight from a camera frame into a model's input tensor.
//!
//! A [`Resampler`] is built once per (frame geometry, tensor geometry, fit): it holds, for
//! every output column and row, the two source positions and the bilinear weight. Converting a
//! frame then reads the four neighbours of each output pixel, converts them to RGB on the fly
//! (YUV with BT.601 limited-range integer math, as webcams and V4L2 drivers produce it) and
//! writes the tensor: no allocation per frame and no full-frame RGB copy.

use serde::Serialize;

/// Pixel layouts a frame can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PixelFormat {
    /// Packed 4:2:2, Y0 U Y1 V.
    Yuyv,
    /// Planar Y then interleaved UV at half resolution (4:2:0).
    Nv12,
    /// Packed R G B.
    Rgb24,
    /// Packed B G R.
    Bgr24,
}

impl PixelFormat {
    /// Bytes of one frame of `width` x `height` with tightly packed rows of `stride` bytes.
    pub fn frame_bytes(self, stride: usize, height: usize) -> usize {
        match self {
            PixelFormat::Nv12 => stride * height + stride * height.div_ceil(2),
            _ => stride * height,
        }
    }

    /// The tightest row stride for `width` pixels.
    pub fn min_stride(self, width: usize) -> usize {
        match self {
            PixelFormat::Yuyv => width * 2,
            PixelFormat::Nv12 => width,
            PixelFormat::Rgb24 | PixelFormat::Bgr24 => width * 3,
        }
    }
}

/// How a frame of one aspect ratio fills a tensor of another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Fit {
    /// Scale each axis independently (the whole frame, distorted).
    #[default]
    Stretch,
    /// Scale to cover the tensor and cut the middle (no distortion, edges lost).
    Crop,
    /// Scale to fit inside the tensor and pad with black (no distortion, nothing lost).
    Letterbox,
}

/// Frame geometry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FrameLayout {
    /// Pixel format.
    pub format: PixelFormat,
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// Bytes per row (of the luma plane for NV12).
    pub stride: usize,
}

/// Tensor element encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TensorEncoding {
    /// 0..=255 as is.
    Uint8,
    /// 0..=255 shifted to -128..=127 (zero point -128 for a [0, 255] input range).
    Int8,
}

/// Why a frame cannot be converted.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ConvertError {
    /// The frame is smaller than its layout says.
    #[error("frame has {got} bytes, its layout {layout:?} needs {needed}")]
    ShortFrame {
        /// Bytes given.
        got: usize,
        /// Bytes needed.
        needed: usize,
        /// The layout.
        layout: FrameLayout,
    },
    /// The tensor buffer has the wrong size.
    #[error("tensor buffer has {got} bytes, {width}x{height}x3 needs {needed}")]
    TensorSize {
        /// Bytes given.
        got: usize,
        /// Bytes needed.
        needed: usize,
        /// Tensor width.
        width: usize,
        /// Tensor height.
        height: usize,
    },
    /// Zero-sized frame or tensor, or a stride too small for the width.
    #[error("impossible geometry: frame {frame:?}, tensor {width}x{height}")]
    Geometry {
        /// The frame layout.
        frame: FrameLayout,
        /// Tensor width.
        width: usize,
        /// Tensor height.
        height: usize,
    },
}

/// One output coordinate: the two source positions and the weight of the second (0..=256).
#[derive(Debug, Clone, Copy)]
struct Tap {
    a: u32,
    b: u32,
    w: u32,
}

/// Precomputed resampling from one frame layout into one tensor geometry.
#[derive(Debug, Clone)]
pub struct Resampler {
    frame: FrameLayout,
    width: usize,
    height: usize,
    encoding: TensorEncoding,
    /// Output columns/rows covered by the image; the rest is padding (letterbox).
    x_range: (usize, usize),
    y_range: (usize, usize),
    xs: Vec<Tap>,
    ys: Vec<Tap>,
}

/// Bilinear taps for `out` samples over the source span `[start, start + span)` of `len` pixels,
/// pixel centres aligned (as `image::imageops::resize` and TensorFlow's half-pixel mode do).
fn taps(out: usize, start: f64, span: f64, len: usize) -> Vec<Tap> {
    (0..out)
        .map(|i| {
            let src = start + (i as f64 + 0.5) * span / out as f64 - 0.5;
            let src = src.clamp(0.0, (len - 1) as f64);
            let a = src.floor() as usize;
            let b = (a + 1).min(len - 1);
            let w = ((src - a as f64) * 256.0).round() as u32;
            Tap {
                a: a as u32,
                b: b as u32,
                w,
            }
        })
        .collect()
}

/// BT.601 limited range YCbCr to RGB, integer (the kernel's and libyuv's coefficients).
#[inline]
fn yuv_to_rgb(y: u8, u: u8, v: u8) -> [i32; 3] {
    let c = (y as i32 - 16).max(0) * 298;
    let d = u as i32 - 128;
    let e = v as i32 - 128;
    let clamp = |x: i32| ((x + 128) >> 8).clamp(0, 255);
    [
        clamp(c + 409 * e),
        clamp(c - 100 * d - 208 * e),
        clamp(c + 516 * d),
    ]
}

impl Resampler {
    /// Plans the conversion of `frame` frames into a `width` x `height` RGB tensor.
    pub fn new(
        frame: FrameLayout,
        width: usize,
        height: usize,
        fit: Fit,
        encoding: TensorEncoding,
    ) -> Result<Resampler, ConvertError> {
        if frame.width == 0
            || frame.height == 0
            || width == 0
            || height == 0
            || frame.stride < frame.format.min_stride(frame.width)
        {
            return Err(ConvertError::Geometry {
                frame,
                width,
                height,
            });
        }
        let (fw, fh) = (frame.width as f64, frame.height as f64);
        let (tw, th) = (width as f64, height as f64);
        let (mut x_range, mut y_range) = ((0, width), (0, height));
        let (xs, ys) = match fit {
            Fit::Stretch => (
                taps(width, 0.0, fw, frame.width),
                taps(height, 0.0, fh, frame.height),
            ),
            Fit::Crop => {
                let scale = (tw / fw).max(th / fh);
                let (sw, sh) = (tw / scale, th / scale);
                (
                    taps(width, (fw - sw) / 2.0, sw, frame.width),
                    taps(height, (fh - sh) / 2.0, sh, frame.height),
                )
            }
            Fit::Letterbox => {
                let scale = (tw / fw).min(th / fh);
                let (iw, ih) = (
                    ((fw * scale).round() as usize).clamp(1, width),
                    ((fh * scale).round() as usize).clamp(1, height),
                );
                x_range = ((width - iw) / 2, (width - iw) / 2 + iw);
                y_range = ((height - ih) / 2, (height - ih) / 2 + ih);
                (
                    taps(iw, 0.0, fw, frame.width),
                    taps(ih, 0.0, fh, frame.height),
                )
            }
        };
        Ok(Resampler {
            frame,
            width,
            height,
            encoding,
            x_range,
            y_range,
            xs,
            ys,
        })
    }

    /// Bytes of the tensor this writes.
    pub fn tensor_bytes(&self) -> usize {
        self.width * self.height * 3
    }

    /// The frame layout this was planned for.
    pub fn frame(&self) -> FrameLayout {
        self.frame
    }

    #[inline]
    fn rgb_at(&self, data: &[u8], x: usize, y: usize) -> [i32; 3] {
        let f = &self.frame;
        match f.format {
            PixelFormat::Yuyv => {
                let row = y * f.stride;
                let pair = row + (x & !1) * 2;
                let yv = data[row + x * 2];
                yuv_to_rgb(yv, data[pair + 1], data[pair + 3])
            }
            PixelFormat::Nv12 => {
                let yv = data[y * f.stride + x];
                let uv = f.stride * f.height + (y / 2) * f.stride + (x & !1);
                yuv_to_rgb(yv, data[uv], data[uv + 1])
            }
            PixelFormat::Rgb24 => {
                let p = y * f.stride + x * 3;
                [data[p] as i32, data[p + 1] as i32, data[p + 2] as i32]
            }
            PixelFormat::Bgr24 => {
                let p = y * f.stride + x * 3;
                [data[p + 2] as i32, data[p + 1] as i32, data[p] as i32]
            }
        }
    }

    /// Converts one frame into `tensor` (`width * height * 3` bytes, RGB, row-major).
    pub fn convert(&self, frame: &[u8], tensor: &mut [u8]) -> Result<(), ConvertError> {
        let needed = self
            .frame
            .format
            .frame_bytes(self.frame.stride, self.frame.height);
        if frame.len() < needed {
            return Err(ConvertError::ShortFrame {
                got: frame.len(),
                needed,
                layout: self.frame,
            });
        }
        if tensor.len() != self.tensor_bytes() {
            return Err(ConvertError::TensorSize {
                got: tensor.len(),
                needed: self.tensor_bytes(),
                width: self.width,
                height: self.height,
            });
        }
        let pad = match self.encoding {
            TensorEncoding::Uint8 => 0u8,
            TensorEncoding::Int8 => 0x80,
        };
        let flip = pad;
        for oy in 0..self.height {
            let row = &mut tensor[oy * self.width * 3..(oy + 1) * self.width * 3];
            if oy < self.y_range.0 || oy >= self.y_range.1 {
                row.fill(pad);
                continue;
            }
            let ty = self.ys[oy - self.y_range.0];
            for ox in 0..self.width {
                let out = &mut row[ox * 3..ox * 3 + 3];
                if ox < self.x_range.0 || ox >= self.x_range.1 {
                    out.fill(pad);
                    continue;
                }
                let tx = self.xs[ox - self.x_range.0];
                let p00 = self.rgb_at(frame, tx.a as usize, ty.a as usize);
                let p01 = self.rgb_at(frame, tx.b as usize, ty.a as usize);
                let p10 = self.rgb_at(frame, tx.a as usize, ty.b as usize);
                let p11 = self.rgb_at(frame, tx.b as usize, ty.b as usize);
                let (wx, wy) = (tx.w as i32, ty.w as i32);
                for c in 0..3 {
                    let top = p00[c] * (256 - wx) + p01[c] * wx;
                    let bottom = p10[c] * (256 - wx) + p11[c] * wx;
                    let v = (top * (256 - wy) + bottom * wy + (1 << 15)) >> 16;
                    out[c] = (v.clamp(0, 255) as u8) ^ flip;
                }
            }
        }
        Ok(())
    }
}

/// The RGB value of pixel (`x`, `y`) of a frame (for checks such as colour bars).
pub fn pixel(frame: &[u8], layout: FrameLayout, x: usize, y: usize) -> Option<[u8; 3]> {
    if x >= layout.width
        || y >= layout.height
        || frame.len() < layout.format.frame_bytes(layout.stride, layout.height)
    {
        return None;
    }
    let r = Resampler {
        frame: layout,
        width: 1,
        height: 1,
        encoding: TensorEncoding::Uint8,
        x_range: (0, 1),
        y_range: (0, 1),
        xs: vec![],
        ys: vec![],
    };
    let [a, b, c] = r.rgb_at(frame, x, y);
    Some([a as u8, b as u8, c as u8])
}

/// The straightforward reference: the whole frame to RGB in floating point, then bilinear
/// sampling with the same geometry. For tests.
pub fn reference_convert(
    frame: &[u8],
    layout: FrameLayout,
    width: usize,
    height: usize,
) -> Vec<u8> {
    let f = layout;
    let rgb = |x: usize, y: usize| -> [f64; 3] {
        let (yv, u, v) = match f.format {
            PixelFormat::Yuyv => {
                let row = y * f.stride;
                let pair = row + (x / 2) * 4;
                (frame[row + x * 2], frame[pair + 1], frame[pair + 3])
            }
            PixelFormat::Nv12 => {
                let uv = f.stride * f.height + (y / 2) * f.stride + (x / 2) * 2;
                (frame[y * f.stride + x], frame[uv], frame[uv + 1])
            }
            PixelFormat::Rgb24 | PixelFormat::Bgr24 => {
                let p = y * f.stride + x * 3;
                let (r, g, b) = (frame[p] as f64, frame[p + 1] as f64, frame[p + 2] as f64);
                return if f.format == PixelFormat::Rgb24 {
                    [r, g, b]
                } else {
                    [b, g, r]
                };
            }
        };
        let (c, d, e) = (yv as f64 - 16.0, u as f64 - 128.0, v as f64 - 128.0);
        let c = c.max(0.0) * 1.164;
        [
            (c + 1.596 * e).clamp(0.0, 255.0),
            (c - 0.392 * d - 0.813 * e).clamp(0.0, 255.0),
            (c + 2.017 * d).clamp(0.0, 255.0),
        ]
    };
    let mut out = vec![0u8; width * height * 3];
    for oy in 0..height {
        let sy = ((oy as f64 + 0.5) * f.height as f64 / height as f64 - 0.5)
            .clamp(0.0, (f.height - 1) as f64);
        for ox in 0..width {
            let sx = ((ox as f64 + 0.5) * f.width as f64 / width as f64 - 0.5)
                .clamp(0.0, (f.width - 1) as f64);
            let (x0, y0) = (sx.floor() as usize, sy.floor() as usize);
            let (x1, y1) = ((x0 + 1).min(f.width - 1), (y0 + 1).min(f.height - 1));
            let (wx, wy) = (sx - x0 as f64, sy - y0 as f64);
            let (a, b, c, d) = (rgb(x0, y0), rgb(x1, y0), rgb(x0, y1), rgb(x1, y1));
            for ch in 0..3 {
                let v = (a[ch] * (1.0 - wx) + b[ch] * wx) * (1.0 - wy)
                    + (c[ch] * (1.0 - wx) + d[ch] * wx) * wy;
                out[(oy * width + ox) * 3 + ch] = v.round().clamp(0.0, 255.0) as u8;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::SplitMix64;

    fn random_frame(format: PixelFormat, w: usize, h: usize, seed: u64) -> (Vec<u8>, FrameLayout) {
        let layout = FrameLayout {
            format,
            width: w,
            height: h,
            stride: format.min_stride(w),
        };
        let mut data = vec![0u8; format.frame_bytes(layout.stride, h)];
        SplitMix64::new(seed).fill(crate::model::DType::Uint8, &mut data);
        (data, layout)
    }

    #[test]
    fn matches_the_float_reference_within_rounding() {
        for format in [
            PixelFormat::Yuyv,
            PixelFormat::Nv12,
            PixelFormat::Rgb24,
            PixelFormat::Bgr24,
        ] {
            for (w, h, tw, th) in [
                (640, 480, 224, 224),
                (64, 48, 100, 30),
                (320, 180, 128, 128),
            ] {
                let (frame, layout) = random_frame(format, w, h, 3);
                let r =
                    Resampler::new(layout, tw, th, Fit::Stretch, TensorEncoding::Uint8).unwrap();
                let mut out = vec![0u8; tw * th * 3];
                r.convert(&frame, &mut out).unwrap();
                let want = reference_convert(&frame, layout, tw, th);
                let worst = out
                    .iter()
                    .zip(&want)
                    .map(|(a, b)| (*a as i32 - *b as i32).abs())
                    .max()
                    .unwrap();
                assert!(worst <= 3, "{format:?} {w}x{h}->{tw}x{th}: off by {worst}");
            }
        }
    }

    #[test]
    fn known_colours_convert_to_known_rgb() {
        // BT.601 limited range: Y=235 white, Y=16 black, pure red (81, 90, 240).
        assert_eq!(yuv_to_rgb(235, 128, 128), [255, 255, 255]);
        assert_eq!(yuv_to_rgb(16, 128, 128), [0, 0, 0]);
        let red = yuv_to_rgb(81, 90, 240);
        assert!(red[0] >= 250 && red[1] <= 5 && red[2] <= 5, "{red:?}");
    }

    #[test]
    fn int8_is_the_uint8_tensor_shifted() {
        let (frame, layout) = random_frame(PixelFormat::Yuyv, 64, 48, 9);
        let mut u = vec![0u8; 32 * 32 * 3];
        let mut i = vec![0u8; 32 * 32 * 3];
        Resampler::new(layout, 32, 32, Fit::Stretch, TensorEncoding::Uint8)
            .unwrap()
            .convert(&frame, &mut u)
            .unwrap();
        Resampler::new(layout, 32, 32, Fit::Stretch, TensorEncoding::Int8)
            .unwrap()
            .convert(&frame, &mut i)
            .unwrap();
        // int8 q = uint8 v - 128, i.e. the same byte with the top bit flipped.
        assert!(u.iter().zip(&i).all(|(a, b)| *b == a ^ 0x80));
    }

    #[test]
    fn letterbox_pads_and_crop_cuts_the_middle() {
        // A 64x32 RGB frame: left half red, right half blue.
        let layout = FrameLayout {
            format: PixelFormat::Rgb24,
            width: 64,
            height: 32,
            stride: 192,
        };
        let mut frame = vec![0u8; 64 * 32 * 3];
        for y in 0..32 {
            for x in 0..64 {
                frame[(y * 64 + x) * 3 + if x < 32 { 0 } else { 2 }] = 255;
            }
        }
        let mut out = vec![0u8; 32 * 32 * 3];
        Resampler::new(layout, 32, 32, Fit::Letterbox, TensorEncoding::Uint8)
            .unwrap()
            .convert(&frame, &mut out)
            .unwrap();
        let px = |out: &[u8], x: usize, y: usize| {
            [
                out[(y * 32 + x) * 3],
                out[(y * 32 + x) * 3 + 1],
                out[(y * 32 + x) * 3 + 2],
            ]
        };
        assert_eq!(px(&out, 16, 0), [0, 0, 0], "top band is padding");
        assert_eq!(px(&out, 2, 16), [255, 0, 0], "left of the picture is red");
        assert_eq!(px(&out, 30, 16), [0, 0, 255], "right is blue");
        Resampler::new(layout, 32, 32, Fit::Crop, TensorEncoding::Uint8)
            .unwrap()
            .convert(&frame, &mut out)
            .unwrap();
        assert_eq!(
            px(&out, 0, 0),
            [255, 0, 0],
            "crop keeps the middle 32 columns: red on the left"
        );
        assert_eq!(px(&out, 31, 31), [0, 0, 255]);
    }

    #[test]
    fn bad_geometry_and_sizes_are_errors() {
        let layout = FrameLayout {
            format: PixelFormat::Yuyv,
            width: 4,
            height: 2,
            stride: 8,
        };
        assert!(matches!(
            Resampler::new(layout, 0, 2, Fit::Stretch, TensorEncoding::Uint8),
            Err(ConvertError::Geometry { .. })
        ));
        let narrow = FrameLayout {
            stride: 4,
            ..layout
        };
        assert!(Resampler::new(narrow, 2, 2, Fit::Stretch, TensorEncoding::Uint8).is_err());
        let r = Resampler::new(layout, 2, 2, Fit::Stretch, TensorEncoding::Uint8).unwrap();
        assert!(matches!(
            r.convert(&[0; 15], &mut [0; 12]),
            Err(ConvertError::ShortFrame {
                got: 15,
                needed: 16,
                ..
            })
        ));
        assert!(matches!(
            r.convert(&[0; 16], &mut [0; 11]),
            Err(ConvertError::TensorSize { .. })
        ));
    }
}
