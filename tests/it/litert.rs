//! The LiteRT provider beyond the shared engine suite (engine.rs runs that against it too):
//! failures at run time reach `pop` and `run`'s exit code naming the segment, models it cannot
//! run are refused at open, the absent library is a clear error, and the tools say which
//! engine ran. Every test here prints SKIP, with the reason, when the library is absent.

use std::path::Path;
use std::process::Command;

use edgepipe::engine::{self, EngineOptions, HostBuffer, Provider, litert};
use edgepipe::pipeline::{self, PipelineConfig, PopError};

use crate::util::{data_dir, edgepipe, segment, temp_dir, text};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// `litert` when its library is found, else `None` after printing SKIP and why.
pub fn provider() -> Option<Provider> {
    match litert::find_library(None) {
        Ok(p) if p.is_file() => Some(Provider::Litert(None)),
        Ok(p) => {
            eprintln!("SKIP litert provider: {} is not a file", p.display());
            None
        }
        Err(e) => {
            eprintln!("SKIP litert provider: {e}");
            None
        }
    }
}

fn options() -> Option<EngineOptions> {
    Some(EngineOptions {
        provider: provider()?,
        ..Default::default()
    })
}

/// The drill model (EMBEDDING_LOOKUP on the image's bytes, out of its table on bright pixels)
/// cut after `indices`: segment 1 fails at run time, for real, on bright frames only.
fn drill_segments(dir: &Path) -> Vec<Vec<u8>> {
    let model = crate::service::write_lookup_drill_model(dir);
    segment(&model, &["--cut-after", "indices"], dir);
    (0..2)
        .map(|i| {
            std::fs::read(dir.join(edgepipe::model::segment_file_name("drill", i, 2))).unwrap()
        })
        .collect()
}

#[test]
fn litert_a_segment_failing_at_run_time_reaches_pop_naming_it() {
    let Some(options) = options() else { return };
    let dir = temp_dir("litert-drill");
    let segments = drill_segments(&dir);
    // The warm-up invoke (zero pixels) passes: the failure depends on the data.
    let engines = engine::open_segments(&segments, &options, &Default::default()).unwrap();
    assert!(
        engines[1].runtime().starts_with("LiteRT"),
        "{}",
        engines[1].runtime()
    );
    let (mut tx, mut rx) = pipeline::build(engines, &PipelineConfig::default()).unwrap();
    tx.push(&[&[40; 12]]).unwrap();
    let dark = rx.pop().unwrap().expect("a dark frame classifies");
    assert_eq!(
        dark.tensor(0).1,
        &[40; 12],
        "rows of the table are their index"
    );
    drop(dark);
    tx.push(&[&[250; 12]]).unwrap();
    match rx.pop() {
        Err(PopError::StageFailed(f)) => {
            assert_eq!((f.segment, f.request), (1, 1));
            assert!(f.message.contains("runtime failure"), "{}", f.message);
        }
        other => panic!("expected StageFailed, got {:?}", other.map(|o| o.is_some())),
    }
}

#[test]
fn litert_run_exits_1_when_a_segment_fails() {
    if provider().is_none() {
        return;
    }
    let dir = temp_dir("litert-run-drill");
    drill_segments(&dir);
    let photos = dir.join("photos");
    std::fs::create_dir_all(&photos).unwrap();
    for (name, value) in [("a_dark.png", 40u8), ("b_bright.png", 250)] {
        image::RgbImage::from_pixel(64, 48, image::Rgb([value; 3]))
            .save(photos.join(name))
            .unwrap();
    }
    let labels: String = (0..12).map(|i| format!("class {i}\n")).collect();
    std::fs::write(dir.join("labels.txt"), labels).unwrap();
    let [s0, s1] = [0, 1].map(|i| edgepipe::model::segment_file_name("drill", i, 2));
    let config = dir.join("edgepipe.toml");
    std::fs::write(
        &config,
        format!(
            "[source]\nkind = \"images\"\npath = \"photos\"\nfps = 20\n[model]\nsegments = [{s0:?}, {s1:?}]\nlabels = \"labels.txt\"\n[engine]\nprovider = \"litert\"\n"
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_edgepipe"))
        .args(["run", "--stdout", "--config", config.to_str().unwrap()])
        .env_remove("NOTIFY_SOCKET")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("segment 1") && stderr.contains("runtime failure"),
        "{stderr}"
    );
}

#[test]
fn litert_refuses_an_unresolved_custom_op_at_open_naming_the_segment() {
    let Some(dir) = data_dir("litert_refuses_an_unresolved_custom_op_at_open") else {
        return;
    };
    let Some(options) = options() else { return };
    let bytes =
        std::fs::read(dir.join("coral/invalid_models/model_invoking_error.tflite")).unwrap();
    let err = engine::open_segments(&[bytes], &options, &Default::default())
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.starts_with(
            "segment 0 on cpu: LiteRT cannot run this model: the warm-up invoke failed"
        ),
        "{err}"
    );
}

#[test]
fn litert_absent_library_names_where_it_looked_and_the_install_command() {
    let empty = temp_dir("litert-absent");
    let model = format!("{REPO}/models/efficientnet_lite0_uint8.tflite");
    let out = Command::new(env!("CARGO_BIN_EXE_edgepipe"))
        .args([
            "verify", &model, &model, "--count", "1", "--engine", "litert",
        ])
        .env_remove("EDGEPIPE_LITERT_LIB")
        .env("EDGEPIPE_CACHE", &empty)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let looked = empty.join("litert/2.3.0").join(std::env::consts::ARCH);
    assert!(
        stderr.contains(&looked.join("libLiteRt.so").display().to_string())
            && stderr.contains("EDGEPIPE_LITERT_LIB")
            && stderr.contains("tools/fetch-litert.sh"),
        "{stderr}"
    );
    // The default engine falls back to the built-in one, and says so.
    let out = Command::new(env!("CARGO_BIN_EXE_edgepipe"))
        .args(["verify", &model, &model, "--count", "1"])
        .env_remove("EDGEPIPE_LITERT_LIB")
        .env_remove("EDGEPIPE_ENGINE")
        .env("EDGEPIPE_CACHE", &empty)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("engine: built-in TensorFlow Lite 1.15.5"),
        "{}",
        text(&out)
    );
}

#[test]
fn litert_is_the_default_engine_where_installed_and_tools_say_so() {
    if provider().is_none() {
        return;
    }
    let model = format!("{REPO}/models/efficientnet_lite0_uint8.tflite");
    let out = Command::new(env!("CARGO_BIN_EXE_edgepipe"))
        .args([
            "verify",
            &model,
            &model,
            "--count",
            "1",
            "--kernels",
            "builtin",
        ])
        .env_remove("EDGEPIPE_ENGINE")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("engine: LiteRT (builtin kernels, 1 thread)"),
        "{}",
        text(&out)
    );
    let out = edgepipe(&[
        "verify", &model, &model, "--count", "1", "--engine", "builtin",
    ]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("engine: built-in TensorFlow Lite 1.15.5"),
        "{}",
        text(&out)
    );
}

/// The pipeline's slot memory is read and written in place: `invoke_on` leaves the engine's own
/// output memory as the warm-up left it, puts the result in the caller's buffer, and that
/// result is the one the copying path (`input_mut`, `invoke`, `output`) gives, byte for byte.
/// A buffer of the wrong length is an error, not a panic.
#[test]
fn litert_invokes_in_place_on_the_callers_memory() {
    let Some(options) = options() else { return };
    let model = std::fs::read(Path::new(REPO).join("models/efficientnet_lite0_uint8.tflite"))
        .expect("the demo model");
    let mut engines = engine::open_segments(&[model], &options, &Default::default()).unwrap();
    let engine = &mut engines[0];
    let (in_bytes, out_bytes) = (engine.inputs()[0].bytes, engine.outputs()[0].bytes);
    let warm_up = engine.output(0).to_vec();
    let mut tensors = [
        HostBuffer::zeroed(in_bytes).unwrap(),
        HostBuffer::zeroed(out_bytes).unwrap(),
    ];
    for (i, b) in tensors[0].iter_mut().enumerate() {
        *b = (i * 7 % 251) as u8;
    }
    engine.invoke_on(&mut tensors, &[0], &[1]).unwrap();
    assert_eq!(
        engine.output(0),
        &warm_up[..],
        "the engine's own output memory was not used"
    );
    assert_ne!(&tensors[1][..], &warm_up[..], "the input made a difference");
    // Again, on the same (now bound) addresses: the same result.
    let first = tensors[1].to_vec();
    tensors[1].fill(0);
    engine.invoke_on(&mut tensors, &[0], &[1]).unwrap();
    assert_eq!(&tensors[1][..], &first[..]);
    // The copying path agrees byte for byte.
    engine.input_mut(0).copy_from_slice(&tensors[0]);
    engine.invoke().unwrap();
    assert_eq!(engine.output(0), &first[..]);
    let mut short = [
        HostBuffer::zeroed(in_bytes - 1).unwrap(),
        HostBuffer::zeroed(out_bytes).unwrap(),
    ];
    let err = engine
        .invoke_on(&mut short, &[0], &[1])
        .unwrap_err()
        .to_string();
    assert!(err.contains("the model wants"), "{err}");
}
