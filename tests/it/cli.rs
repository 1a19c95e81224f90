//! The commands as a user runs them: files written, output, exit codes.

use edgepipe::model::Model;
use tflite::model::stl::vector::VectorSlice;

use crate::util::{data_dir, edgepipe, segment, temp_dir, text};

const MODEL: &str = "coral/mobilenet_v1_0.25_128_quant.tflite";

#[test]
fn segment_then_verify_with_a_photo() {
    let Some(dir) = data_dir("segment_then_verify_with_a_photo") else {
        return;
    };
    let out_dir = temp_dir("segment_then_verify");
    let model = dir.join(MODEL);
    let model = model.to_str().unwrap();
    let out = edgepipe(&[
        "segment",
        model,
        "--num-segments",
        "3",
        "--out-dir",
        out_dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("3 segment(s)") && stdout.contains("inputs:"),
        "{stdout}"
    );
    let files: Vec<String> = (0..3)
        .map(|i| {
            out_dir
                .join(format!(
                    "mobilenet_v1_0.25_128_quant_segment_{i}_of_3.tflite"
                ))
                .display()
                .to_string()
        })
        .collect();
    let photo = dir.join("photos/coffee.png");
    let mut args = vec!["verify", model];
    args.extend(files.iter().map(String::as_str));
    args.extend(["--input", photo.to_str().unwrap(), "--count", "2"]);
    let out = edgepipe(&args);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("bit for bit on 3 request(s)"),
        "{}",
        text(&out)
    );

    // Segments in the wrong order cannot be routed: a clear error, not a pass.
    let mut swapped = vec!["verify", model, &files[1], &files[0], &files[2]];
    swapped.extend(["--count", "1"]);
    let out = edgepipe(&swapped);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("segment 0 needs tensor"),
        "{}",
        text(&out)
    );
}

/// A segment whose classifier weights were changed must fail verification, naming the output.
#[test]
fn verify_detects_a_changed_weight() {
    let Some(dir) = data_dir("verify_detects_a_changed_weight") else {
        return;
    };
    let out_dir = temp_dir("verify_detects");
    let model = dir.join(MODEL);
    segment(&model, &["-n", "2"], &out_dir);
    let seg0 = out_dir.join("mobilenet_v1_0.25_128_quant_segment_0_of_2.tflite");
    let seg1 = out_dir.join("mobilenet_v1_0.25_128_quant_segment_1_of_2.tflite");

    // Flip the top bit of the largest weight buffer of the last segment (the classifier). One
    // byte would not do: the softmax output quantized to 1/256 hides a small change.
    let mut raw = tflite::model::Model::from_file(&seg1).unwrap();
    let biggest = (0..raw.buffers.size())
        .max_by_key(|&i| raw.buffers[i].data.size())
        .unwrap();
    raw.buffers[biggest]
        .data
        .as_mut_slice()
        .iter_mut()
        .for_each(|b| *b ^= 0x80);
    let tampered = out_dir.join("tampered.tflite");
    raw.to_file(&tampered).unwrap();
    Model::open(&tampered).expect("the tampered segment is still a valid model");

    let out = edgepipe(&[
        "verify",
        model.to_str().unwrap(),
        seg0.to_str().unwrap(),
        tampered.to_str().unwrap(),
        "--count",
        "3",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("differ") && stderr.contains("MobilenetV1/Predictions/Reshape_1"),
        "{stderr}"
    );
}

#[test]
fn inspect_reports_the_cache_estimate_and_json() {
    let Some(dir) = data_dir("inspect_reports_the_cache_estimate_and_json") else {
        return;
    };
    let model = dir.join("generated/keras_inception_v3_299_random_logits_quant.tflite");
    let out = edgepipe(&["inspect", model.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", text(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("inspect --json is JSON");
    assert_eq!(v["suggested_segments"], 4, "ceil(22.8 MiB / 6 MiB)");
    assert_eq!(v["cache_estimate"].as_array().unwrap().len(), 4);
    assert_eq!(v["operators"].as_array().unwrap().len(), 126);
    assert_eq!(v["edgetpu_compiled"], false);
    let params: u64 = v["cache_estimate"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["param_bytes"].as_u64().unwrap())
        .sum();
    assert_eq!(
        params,
        v["param_bytes"].as_u64().unwrap(),
        "segments' parameters add up to the model's"
    );

    let compiled = dir.join("coral/mobilenet_v1_0.25_128_quant_edgetpu.tflite");
    let out = edgepipe(&["inspect", compiled.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("compiled for the Edge TPU"),
        "{}",
        text(&out)
    );
}

#[test]
fn bad_input_exits_2_naming_the_file() {
    let Some(dir) = data_dir("bad_input_exits_2_naming_the_file") else {
        return;
    };
    let out_dir = temp_dir("bad_input");
    let out_dir = out_dir.to_str().unwrap();
    let photo = dir.join("photos/chelsea.png");
    let compiled = dir.join("coral/mobilenet_v1_0.25_128_quant_edgetpu.tflite");
    let model = dir.join(MODEL);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "segment",
                "/no/such/model.tflite",
                "-n",
                "2",
                "--out-dir",
                out_dir,
            ],
            "/no/such/model.tflite",
        ),
        (
            vec![
                "segment",
                photo.to_str().unwrap(),
                "-n",
                "2",
                "--out-dir",
                out_dir,
            ],
            "not a TensorFlow Lite",
        ),
        (
            vec![
                "segment",
                compiled.to_str().unwrap(),
                "-n",
                "2",
                "--out-dir",
                out_dir,
            ],
            "segment the CPU model",
        ),
        (
            vec![
                "segment",
                model.to_str().unwrap(),
                "-n",
                "0",
                "--out-dir",
                out_dir,
            ],
            "at least 1",
        ),
        (
            vec![
                "segment",
                model.to_str().unwrap(),
                "-n",
                "99",
                "--out-dir",
                out_dir,
            ],
            "into 99 segments",
        ),
        (
            vec![
                "segment",
                model.to_str().unwrap(),
                "--cut-after",
                "nope",
                "--out-dir",
                out_dir,
            ],
            "'nope'",
        ),
        (
            vec!["segment", model.to_str().unwrap(), "--out-dir", out_dir],
            "--num-segments",
        ),
        (
            vec!["verify", model.to_str().unwrap(), photo.to_str().unwrap()],
            "chelsea.png",
        ),
    ];
    for (args, needle) in cases {
        let out = edgepipe(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}\n{}", text(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(needle),
            "{args:?}: stderr lacks '{needle}':\n{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn a_model_the_runtime_refuses_exits_2_in_verify_and_bench_as_in_run() {
    // The model layer accepts it; no runtime registers its custom op. `run` and
    // `check-config` exit 2 on it (config_cases); a one-off command must agree, not exit 1 as
    // if the machine had failed.
    let dir = temp_dir("runtime-refuses");
    let model = dir.join("unbuildable.tflite");
    std::fs::write(&model, crate::service::unbuildable_model()).unwrap();
    let model = model.to_str().unwrap();
    let dir = dir.to_str().unwrap();
    for args in [
        vec!["verify", model, model, "-k", "1", "--engine", "builtin"],
        vec!["verify", model, model, "-k", "1"],
        vec![
            "bench",
            "--model-dir",
            dir,
            "--model",
            "unbuildable",
            "-n",
            "1",
            "-k",
            "1",
        ],
    ] {
        let out = edgepipe(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}\n{stderr}");
        assert!(stderr.contains("NoRuntimeHasThisOp"), "{args:?}\n{stderr}");
    }
}
