//! Conversion cost: one 640x480 camera frame (YUYV, and the other formats) into a 224x224 RGB
//! input tensor, bilinear, per fit.
//!
//! usage: cargo bench --bench convert

use std::time::Instant;

use edgepipe::capture::convert::{Fit, FrameLayout, PixelFormat, Resampler, TensorEncoding};

fn main() {
    const FRAMES: usize = 500;
    println!("640x480 -> 224x224, {FRAMES} frames each, median of per-frame times");
    for format in [PixelFormat::Yuyv, PixelFormat::Nv12, PixelFormat::Rgb24] {
        for fit in [Fit::Stretch, Fit::Crop, Fit::Letterbox] {
            let layout = FrameLayout {
                format,
                width: 640,
                height: 480,
                stride: format.min_stride(640),
            };
            let frame: Vec<u8> = (0..format.frame_bytes(layout.stride, 480))
                .map(|i| (i * 31 % 256) as u8)
                .collect();
            let r = Resampler::new(layout, 224, 224, fit, TensorEncoding::Uint8).expect("geometry");
            let mut tensor = vec![0u8; r.tensor_bytes()];
            let mut times: Vec<f64> = (0..FRAMES)
                .map(|_| {
                    let t = Instant::now();
                    r.convert(&frame, &mut tensor).expect("convert");
                    t.elapsed().as_secs_f64() * 1e6
                })
                .collect();
            times.sort_by(f64::total_cmp);
            println!(
                "{:<6} {:<10} median {:>7.0} us  p99 {:>7.0} us",
                format!("{format:?}"),
                format!("{fit:?}"),
                times[FRAMES / 2],
                times[FRAMES * 99 / 100]
            );
        }
    }
}
