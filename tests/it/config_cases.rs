//! Bad configurations, one table: every case goes through both `check-config` and `run`, and
//! both must exit 2 (a configuration error: systemd must not restart) naming the field. A
//! check that lands in one and not the other fails here.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::service::setup;
use crate::util::{data_dir, temp_dir, text};

/// How a case spoils the valid base directory: the config text, and files beside it.
enum Spoil {
    /// Replace `from` by `to` in the config.
    Replace(&'static str, &'static str),
    /// Append TOML to the config.
    Append(&'static str),
    /// Write a file (relative to the directory) with these bytes.
    File(&'static str, Vec<u8>),
}

use Spoil::{Append, File, Replace};

/// (what, how, text the error must contain)
fn cases(labels: &str) -> Vec<(&'static str, Vec<Spoil>, &'static str)> {
    let lines: Vec<&str> = labels.lines().collect();
    let with_blank = {
        let mut l = lines.clone();
        l[500] = "";
        l.join("\n").into_bytes()
    };
    let with_repeat = {
        let mut l = lines.clone();
        l[300] = l[200];
        l.join("\n").into_bytes()
    };
    let source = |to: &'static str| Replace("kind = \"pattern\"", to);
    let rule = |body: &'static str| Append(body);
    vec![
        (
            "labels that do not fit",
            vec![File("labels.txt", b"cat\ndog\n".to_vec())],
            "labels.txt: 2 labels for a model with 1001 classes",
        ),
        (
            "binary labels",
            vec![File("labels.txt", vec![0xff, 0xfe, 0, 1, 2, 0x80])],
            "model.labels",
        ),
        (
            "empty labels",
            vec![File("labels.txt", Vec::new())],
            "model.labels",
        ),
        (
            "a blank label line",
            vec![File("labels.txt", with_blank)],
            "line 501 is blank",
        ),
        (
            "a repeated label",
            vec![File("labels.txt", with_repeat)],
            "line 301",
        ),
        (
            "labels with a NUL",
            vec![File("labels.txt", b"a\0b\n".repeat(1001))],
            "model.labels",
        ),
        (
            "labels /dev/zero",
            vec![Replace("\"labels.txt\"", "\"/dev/zero\"")],
            "/dev/zero is a character device",
        ),
        (
            "a model TensorFlow Lite refuses at prepare",
            vec![
                File("refused.tflite", crate::service::unbuildable_model()),
                File(
                    "refused_labels.txt",
                    crate::service::unbuildable_labels().into_bytes(),
                ),
                Replace("segments = [", "segments = [\"refused.tflite\"] #"),
                Replace("\"labels.txt\"", "\"refused_labels.txt\""),
            ],
            "NoRuntimeHasThisOp",
        ),
        (
            "labels missing",
            vec![Replace("\"labels.txt\"", "\"nowhere.txt\"")],
            "model.labels",
        ),
        (
            "segments out of order",
            vec![Replace("segments = [", "segments = [\"s1.tflite\", ")],
            "model.segments",
        ),
        (
            "a segment missing",
            vec![Replace("segments = [", "segments = [\"gone.tflite\", ")],
            "model.segments[0]",
        ),
        (
            "a segment not a model",
            vec![
                File("s1.tflite", b"not a model".to_vec()),
                Replace("segments = [", "segments = [\"s1.tflite\", "),
            ],
            "model.segments[0]",
        ),
        (
            "no segments",
            vec![Replace("segments = [", "segments = [] #")],
            "model.segments",
        ),
        (
            "one device for two segments",
            vec![Append("[engine]\ndevices = [\"cpu\"]\n")],
            "engine.devices",
        ),
        (
            "threads 0",
            vec![Append("[engine]\nthreads = 0\n")],
            "engine.threads",
        ),
        (
            "threads 9",
            vec![Append("[engine]\nthreads = 9\n")],
            "engine.threads",
        ),
        (
            "unknown provider",
            vec![Append("[engine]\nprovider = \"gpu\"\n")],
            "engine.provider",
        ),
        (
            "capacity 0",
            vec![Append("[pipeline]\ncapacity = 0\n")],
            "pipeline.capacity",
        ),
        (
            "capacity 65",
            vec![Append("[pipeline]\ncapacity = 65\n")],
            "pipeline.capacity",
        ),
        (
            "threshold 2.0",
            vec![Append("[classify]\nthreshold = 2.0\n")],
            "classify.threshold",
        ),
        (
            "threshold NaN",
            vec![Append("[classify]\nthreshold = nan\n")],
            "classify.threshold",
        ),
        (
            "threshold negative",
            vec![Append("[classify]\nthreshold = -0.1\n")],
            "classify.threshold",
        ),
        (
            "top_k 0",
            vec![Append("[classify]\ntop_k = 0\n")],
            "classify.top_k",
        ),
        (
            "top_k 17",
            vec![Append("[classify]\ntop_k = 17\n")],
            "classify.top_k",
        ),
        (
            "smoothing 0",
            vec![Append("[classify]\nsmoothing = 0\n")],
            "classify.smoothing",
        ),
        (
            "smoothing 101",
            vec![Append("[classify]\nsmoothing = 101\n")],
            "classify.smoothing",
        ),
        (
            "interval 0.05",
            vec![Replace("interval_s = 0.3", "interval_s = 0.05")],
            "status.interval_s",
        ),
        (
            "interval 3601",
            vec![Replace("interval_s = 0.3", "interval_s = 3601")],
            "status.interval_s",
        ),
        (
            "interval NaN",
            vec![Replace("interval_s = 0.3", "interval_s = nan")],
            "status.interval_s",
        ),
        (
            "fps negative",
            vec![source("kind = \"pattern\"\nfps = -1")],
            "source.fps",
        ),
        (
            "fps 1001",
            vec![source("kind = \"pattern\"\nfps = 1001")],
            "source.fps",
        ),
        (
            "fps NaN",
            vec![source("kind = \"pattern\"\nfps = nan")],
            "source.fps",
        ),
        (
            "fps infinite",
            vec![source("kind = \"pattern\"\nfps = inf")],
            "source.fps",
        ),
        (
            "fps a string",
            vec![source("kind = \"pattern\"\nfps = \"fast\"")],
            "source.fps",
        ),
        (
            "size 0x0",
            vec![source("kind = \"pattern\"\nsize = \"0x0\"")],
            "source.size",
        ),
        (
            "size odd width",
            vec![source("kind = \"pattern\"\nsize = \"641x480\"")],
            "source.size",
        ),
        (
            "size too wide",
            vec![source("kind = \"pattern\"\nsize = \"8192x10\"")],
            "source.size",
        ),
        (
            "size no height",
            vec![source("kind = \"pattern\"\nsize = \"640x0\"")],
            "source.size",
        ),
        (
            "size words",
            vec![source("kind = \"pattern\"\nsize = \"640by480\"")],
            "source.size",
        ),
        (
            "unknown source",
            vec![source("kind = \"webcam\"")],
            "source.kind",
        ),
        (
            "unknown field",
            vec![source("kind = \"pattern\"\ncolour = 3")],
            "unknown field `colour`",
        ),
        (
            "camera fps 1.5",
            vec![source("kind = \"camera\"\ndevice = \"cam\"\nfps = 1.5")],
            "source.fps",
        ),
        (
            "camera buffers 1",
            vec![source("kind = \"camera\"\ndevice = \"cam\"\nbuffers = 1")],
            "source.buffers",
        ),
        (
            "camera buffers 33",
            vec![source("kind = \"camera\"\ndevice = \"cam\"\nbuffers = 33")],
            "source.buffers",
        ),
        (
            "camera a regular file",
            vec![
                File("cam", b"frames".to_vec()),
                source("kind = \"camera\"\ndevice = \"cam\""),
            ],
            "not a character device",
        ),
        (
            "images path missing",
            vec![source("kind = \"images\"\npath = \"nowhere\"")],
            "source.path: ",
        ),
        (
            "images with a corrupt file",
            vec![
                File("photos/a.png", png()),
                File("photos/b.png", b"\x89PNG broken".to_vec()),
                source("kind = \"images\"\npath = \"photos\""),
            ],
            "b.png",
        ),
        (
            "images dir empty",
            vec![
                File("empty/readme.txt", b"no images".to_vec()),
                source("kind = \"images\"\npath = \"empty\""),
            ],
            "no images",
        ),
        (
            "video of the wrong size",
            vec![
                File("v.yuv", vec![0; 1000]),
                source("kind = \"video\"\npath = \"v.yuv\"\nsize = \"64x48\""),
            ],
            "source",
        ),
        (
            "baud 12345",
            vec![Append("[uart]\ndevice = \"/dev/null\"\nbaud = 12345\n")],
            "uart.baud",
        ),
        (
            "uart queue 0",
            vec![Append("[uart]\ndevice = \"/dev/null\"\nqueue = 0\n")],
            "uart.queue",
        ),
        (
            "uart not a tty",
            vec![Append("[uart]\ndevice = \"/dev/null\"\n")],
            "not a tty",
        ),
        (
            "uart a regular file",
            vec![
                File("tty", Vec::new()),
                Append("[uart]\ndevice = \"tty\"\n"),
            ],
            "not a tty",
        ),
        (
            "pin 99",
            vec![Append(
                "[gpio]\nsimulate = true\nheartbeat = { pin = 99 }\n",
            )],
            "gpio.heartbeat.pin",
        ),
        (
            "a rule naming no line",
            vec![rule(
                "[gpio]\nsimulate = true\n[[gpio.rules]]\nlabels = [\"Egyptian cat\"]\n",
            )],
            "gpio.rules[0]",
        ),
        (
            "rule labels = []",
            vec![rule(
                "[gpio]\nsimulate = true\n[[gpio.rules]]\npin = 13\nlabels = []\n",
            )],
            "gpio.rules[0].labels",
        ),
        (
            "rule label not a label",
            vec![rule(
                "[gpio]\nsimulate = true\n[[gpio.rules]]\npin = 13\nlabels = [\"Egyptain cat\"]\n",
            )],
            "gpio.rules[0].labels[0]",
        ),
        (
            "rule threshold NaN",
            vec![rule(
                "[gpio]\nsimulate = true\n[[gpio.rules]]\npin = 13\nlabels = [\"Egyptian cat\"]\nthreshold = nan\n",
            )],
            "gpio.rules[0].threshold",
        ),
        (
            "rule threshold 2",
            vec![rule(
                "[gpio]\nsimulate = true\n[[gpio.rules]]\npin = 13\nlabels = [\"Egyptian cat\"]\nthreshold = 2.0\n",
            )],
            "gpio.rules[0].threshold",
        ),
        (
            "rule on_after 0",
            vec![rule(
                "[gpio]\nsimulate = true\n[[gpio.rules]]\npin = 13\nlabels = [\"Egyptian cat\"]\non_after = 0\n",
            )],
            "gpio.rules[0].on_after",
        ),
        (
            "rule off_after 1001",
            vec![rule(
                "[gpio]\nsimulate = true\n[[gpio.rules]]\npin = 13\nlabels = [\"Egyptian cat\"]\noff_after = 1001\n",
            )],
            "gpio.rules[0].off_after",
        ),
    ]
}

/// A small valid PNG.
fn png() -> Vec<u8> {
    let mut bytes = Vec::new();
    image::RgbImage::from_pixel(8, 8, image::Rgb([90, 120, 30]))
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .unwrap();
    bytes
}

/// Runs the binary with a deadline (a case that wrongly passes `run` must not hang the test).
fn run_bounded(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_edgepipe"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// A fresh copy of the valid base directory with `spoil` applied; returns the config path.
fn spoiled(base: &Path, name: &str, spoil: &[Spoil]) -> PathBuf {
    let dir = temp_dir(&format!("config_case_{name}"));
    for entry in std::fs::read_dir(base).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
        }
    }
    let config = dir.join("edgepipe.toml");
    let mut toml = std::fs::read_to_string(&config).unwrap();
    for s in spoil {
        match s {
            Replace(from, to) => {
                assert!(toml.contains(from), "{name}: no '{from}' in the base");
                toml = toml.replacen(from, to, 1);
            }
            Append(more) => toml.push_str(more),
            File(rel, bytes) => {
                let path = dir.join(rel);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, bytes).unwrap();
            }
        }
    }
    std::fs::write(&config, toml).unwrap();
    config
}

#[test]
fn every_bad_configuration_is_exit_2_naming_the_field_in_check_config_and_run() {
    let Some(data) = data_dir("config_cases") else {
        return;
    };
    let base = temp_dir("config_cases_base");
    let config = setup(&base, &data, "kind = \"pattern\"", "");
    // Segment 1 also as s1.tflite, for the cases that put it first.
    let seg1 = std::fs::read_dir(&base)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("_segment_1_of_2"))
        .unwrap();
    std::fs::copy(&seg1, base.join("s1.tflite")).unwrap();
    let c = config.to_str().unwrap();
    let ok = run_bounded(&["check-config", c]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "the base is valid: {}",
        text(&ok)
    );
    let ok = run_bounded(&["run", "--config", c, "--frames", "1"]);
    assert_eq!(ok.status.code(), Some(0), "the base runs: {}", text(&ok));

    let labels = std::fs::read_to_string(base.join("labels.txt")).unwrap();
    let mut failures = Vec::new();
    let all = cases(&labels);
    for (what, spoil, needle) in &all {
        let config = spoiled(&base, &what.replace(' ', "_"), spoil);
        let c = config.to_str().unwrap();
        for args in [
            vec!["check-config", c],
            vec!["run", "--config", c, "--frames", "1"],
        ] {
            let out = run_bounded(&args);
            let stderr = String::from_utf8_lossy(&out.stderr);
            if out.status.code() != Some(2) || !stderr.contains(needle) {
                failures.push(format!(
                    "{what}: `{}` wanted exit 2 naming '{needle}':\n{}",
                    args[0],
                    text(&out)
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}
