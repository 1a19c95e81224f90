//! Frames to tensors to labels on the host: real photos through the image source, the real
//! preprocessing, the real interpreter and the classifier; the other sources; bad input.

use std::path::Path;
use std::time::{Duration, Instant};

use edgepipe::capture::camera::{CameraConfig, CameraError, ResilientCamera, choose_format};
use edgepipe::capture::convert::{self, Fit, PixelFormat, Resampler, TensorEncoding};
use edgepipe::capture::{
    COLOUR_BARS_YUV, CaptureError, FrameSource, Images, Pattern, RawVideo, image_input,
};
use edgepipe::classify::{Classifier, ClassifyConfig, ClassifyError, Labels};
use edgepipe::engine::{Engine, Interpreter};

use crate::util::{data_dir, temp_dir};

/// A photo and its expected top-1 label.
type Expected = (&'static str, &'static str);

/// (model, labels, expectations) as in ../shared/models/README.md.
const CASES: &[(&str, &str, &[Expected])] = &[
    (
        "coral/mobilenet_v2_1.0_224_quant.tflite",
        "coral/imagenet_labels.txt",
        &[
            ("photos/chelsea.png", "Egyptian cat"),
            ("photos/coffee.png", "espresso"),
            ("photos/grace_hopper_mpl.jpg", "military uniform"),
            ("coral/cat.bmp", "Egyptian cat"),
        ],
    ),
    (
        "generated/efficientnet_lite0_224_pretrained_quant.tflite",
        "labels/imagenet1000_torchvision.txt",
        &[
            ("photos/chelsea.png", "Egyptian cat"),
            ("photos/coffee.png", "espresso"),
            ("photos/grace_hopper_mpl.jpg", "military uniform"),
            ("coral/cat.bmp", "Egyptian cat"),
        ],
    ),
];

#[test]
fn photos_are_classified_end_to_end() {
    let Some(dir) = data_dir("photos_are_classified_end_to_end") else {
        return;
    };
    for (model, labels, photos) in CASES {
        let mut interp = Interpreter::new(std::fs::read(dir.join(model)).unwrap(), 2).unwrap();
        let (w, h, encoding) = image_input(&interp.inputs()[0]).unwrap();
        let out = interp.outputs()[0].clone();
        let mut classifier = Classifier::new(
            &out,
            ClassifyConfig {
                top_k: 5,
                threshold: 0.0,
                smoothing: 1,
            },
        )
        .unwrap();
        let distinct = temp_dir("capture_labels").join("labels.txt");
        crate::util::copy_labels_distinct(&dir.join(labels), &distinct);
        let labels = Labels::load(&distinct, classifier.classes()).unwrap();
        for (photo, expected) in photos.iter() {
            let mut source = Images::open(&dir.join(photo), false, 0.0).unwrap();
            let frame = source.next_frame().unwrap();
            let resampler = Resampler::new(frame.layout, w, h, Fit::Stretch, encoding).unwrap();
            resampler.convert(frame.data, interp.input_mut(0)).unwrap();
            interp.invoke().unwrap();
            let top = classifier.classify(interp.output(0))[0];
            assert_eq!(
                labels.name(top.index),
                *expected,
                "{model} on {photo}: top-1 {} ({:.2})",
                labels.name(top.index),
                top.score
            );
            assert!(
                matches!(source.next_frame(), Err(CaptureError::End)),
                "a single image, not repeated"
            );
        }
    }
}

#[test]
fn the_pattern_source_is_colour_bars_and_the_raw_video_source_replays() {
    let mut pattern = Pattern::new(640, 480, 0.0).unwrap();
    let f = pattern.next_frame().unwrap();
    for (i, &(y, u, v)) in COLOUR_BARS_YUV.iter().enumerate() {
        let want = convert::pixel(
            &[y, u, y, v],
            convert::FrameLayout {
                format: PixelFormat::Yuyv,
                width: 2,
                height: 1,
                stride: 4,
            },
            0,
            0,
        )
        .unwrap();
        assert_eq!(
            convert::pixel(f.data, f.layout, (2 * i + 1) * 40, 240).unwrap(),
            want,
            "bar {i}"
        );
    }
    assert_eq!(pattern.next_frame().unwrap().sequence, 1);

    // Three 64x48 YUYV frames, each a flat grey of a different level, replayed at 50 fps.
    let dir = temp_dir("raw_video");
    let path = dir.join("three.yuyv");
    let frame_bytes = 64 * 48 * 2;
    let bytes: Vec<u8> = [40u8, 120, 200]
        .iter()
        .flat_map(|&y| (0..frame_bytes).map(move |i| if i % 2 == 0 { y } else { 128 }))
        .collect();
    std::fs::write(&path, &bytes).unwrap();
    let mut video = RawVideo::open(&path, 64, 48, 50.0).unwrap();
    let started = Instant::now();
    let lumas: Vec<u8> = (0..7)
        .map(|_| video.next_frame().unwrap().data[0])
        .collect();
    assert_eq!(
        lumas,
        vec![40, 120, 200, 40, 120, 200, 40],
        "frames in order, looped"
    );
    assert!(
        started.elapsed() >= Duration::from_millis(110),
        "paced at 50 fps: {:?}",
        started.elapsed()
    );
    std::fs::write(&path, &bytes[..frame_bytes + 10]).unwrap();
    let err = RawVideo::open(&path, 64, 48, 0.0)
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("three.yuyv") && err.contains("not a whole number"),
        "{err}"
    );
}

#[test]
fn bad_input_is_named() {
    let dir = temp_dir("capture_bad_input");
    let corrupt = dir.join("corrupt.png");
    std::fs::write(&corrupt, b"\x89PNG\r\n\x1a\n this is not really a png").unwrap();
    let err = Images::open(&corrupt, false, 0.0).err().unwrap();
    assert!(
        matches!(err, CaptureError::Decode { .. }) && err.to_string().contains("corrupt.png"),
        "{err}"
    );
    let empty = temp_dir("capture_empty_dir");
    assert!(matches!(
        Images::open(&empty, true, 0.0),
        Err(CaptureError::Empty(_))
    ));

    let labels = dir.join("labels.txt");
    std::fs::write(&labels, "cat\ndog\nbird\n").unwrap();
    let err = Labels::load(&labels, 1000).unwrap_err();
    assert!(
        matches!(
            err,
            ClassifyError::Count {
                lines: 3,
                classes: 1000,
                ..
            }
        ) && err.to_string().contains("labels.txt"),
        "{err}"
    );

    let err = ResilientCamera::open(&CameraConfig::new(Path::new("/dev/null")))
        .err()
        .unwrap();
    assert!(
        matches!(err, CameraError::NotCapture { .. }) && err.to_string().contains("/dev/null"),
        "{err}"
    );
    let err = choose_format(
        Path::new("/dev/video0"),
        &[PixelFormat::Nv12],
        &[v4l::FourCC::new(b"MJPG"), v4l::FourCC::new(b"H264")],
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "/dev/video0: offers none of the formats Nv12 (it offers MJPG, H264)"
    );
}

/// The conversion writes the tensor a model reads: int8 models get the shifted bytes.
#[test]
fn int8_inputs_get_int8_tensors() {
    let spec = edgepipe::engine::TensorSpec::new("in", edgepipe::model::DType::Int8, &[1, 8, 8, 3]);
    let (w, h, enc) = image_input(&spec).unwrap();
    assert_eq!((w, h, enc), (8, 8, TensorEncoding::Int8));
    let not_image =
        edgepipe::engine::TensorSpec::new("in", edgepipe::model::DType::Float32, &[1, 8, 8, 3]);
    assert!(
        image_input(&not_image)
            .unwrap_err()
            .to_string()
            .contains("uint8 or int8")
    );
}
