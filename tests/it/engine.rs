//! Engines and Edge TPUs, up to the vendor library's boundary:
//! - one suite run against every provider: the built-in TensorFlow Lite, a system-style
//!   `libtensorflowlite_c.so` built here from the same C API shim and loaded at run time, and
//!   LiteRT (`libLiteRt.so`, when tools/fetch-litert.sh installed it; see also litert.rs);
//! - a fake libedgetpu (tests/fake_edgetpu, NOT an Edge TPU: a CPU stand-in with known
//!   arithmetic) proving enumeration, option passing, delegate attachment, per-device binding,
//!   locks between processes, and every error path.

use std::ffi::{CString, c_int};

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use tflite::model::stl::vector::{VectorInsert, VectorSlice};

use edgepipe::engine::edgetpu::{DeviceConfig, EdgeTpu, TpuError};
use edgepipe::engine::{
    self, CustomOp, Engine, EngineOptions, Interpreter, Kernels, Provider, TpuKind,
};
use edgepipe::model::{self, Model};
use edgepipe::partition;
use edgepipe::pipeline::{self, PipelineConfig, PopError};
use edgepipe::sys::tflite_c::{TfLiteContext, TfLiteNode, TfLiteRegistration};
use edgepipe::verify::{self, SplitMix64};

use crate::fakes::AddStage;
use crate::tiny::{Step, chain};
use crate::util::{data_dir, temp_dir, text};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

fn compile(args: &[&str], what: &str) {
    let out = Command::new(args[0])
        .args(&args[1..])
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run {}: {e}", args[0]));
    assert!(
        out.status.success(),
        "{what} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The fake libedgetpu, built once per test run.
fn fake_library() -> &'static Path {
    static LIB: OnceLock<PathBuf> = OnceLock::new();
    LIB.get_or_init(|| {
        let dir = temp_dir("fake-edgetpu-build");
        let lib = dir.join("libedgetpu.so.1");
        let include = format!("-I{}", env!("EDGEPIPE_TFLITE_INCLUDE"));
        let source = format!("{REPO}/tests/fake_edgetpu/fake_edgetpu.c");
        compile(
            &[
                "cc",
                "-shared",
                "-fPIC",
                "-O1",
                "-Wall",
                &include,
                &source,
                "-o",
                lib.to_str().unwrap(),
                "-ldl",
            ],
            "building the fake libedgetpu",
        );
        lib
    })
}

/// A copy of the fake libedgetpu in its own directory with its own configuration.
pub(crate) fn fake_edgetpu(test: &str, conf: &str) -> PathBuf {
    let dir = temp_dir(test);
    let lib = dir.join("libedgetpu.so.1");
    std::fs::copy(fake_library(), &lib).expect("copy the fake libedgetpu");
    std::fs::write(dir.join("fake_edgetpu.conf"), conf).unwrap();
    lib
}

pub(crate) fn fake_log(lib: &Path) -> String {
    std::fs::read_to_string(lib.with_file_name("fake_edgetpu.log")).unwrap_or_default()
}

/// A system-style libtensorflowlite_c.so: the same shim, plain C API names, linked with the
/// TensorFlow Lite 1.15.5 static library the tflite crate built for this test binary.
fn system_library() -> Option<&'static Path> {
    static LIB: OnceLock<Option<PathBuf>> = OnceLock::new();
    LIB.get_or_init(|| {
        let exe = std::env::current_exe().ok()?;
        let build = exe.parent()?.parent()?.join("build");
        let archive = std::fs::read_dir(&build)
            .ok()?
            .filter_map(|e| Some(e.ok()?.path().join("out/libtensorflow-lite.a")))
            .filter(|p| p.exists())
            .max_by_key(|p| p.metadata().and_then(|m| m.modified()).ok())?;
        let dir = temp_dir("system-tflite-build");
        let lib = dir.join("libtensorflowlite_c.so");
        let tf = format!("-I{}", env!("EDGEPIPE_TFLITE_INCLUDE"));
        let fb = format!("-I{}", env!("EDGEPIPE_FLATBUFFERS_INCLUDE"));
        let source = format!("{REPO}/csrc/tflite_c_api.cc");
        compile(
            &[
                "c++",
                "-shared",
                "-fPIC",
                "-O2",
                "-std=c++11",
                "-DNDEBUG",
                &tf,
                &fb,
                &source,
                archive.to_str()?,
                "-o",
                lib.to_str()?,
                "-lpthread",
                "-ldl",
            ],
            "building libtensorflowlite_c.so from the shim",
        );
        Some(lib)
    })
    .as_deref()
}

/// The providers the suite runs against.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Which {
    Builtin,
    System,
    Litert,
}

fn provider(which: Which) -> Option<Provider> {
    match which {
        Which::Builtin => Some(Provider::Builtin),
        Which::Litert => crate::litert::provider(),
        Which::System => match system_library() {
            Some(lib) => Some(Provider::System(lib.to_path_buf())),
            None => {
                eprintln!(
                    "SKIP system provider: libtensorflow-lite.a not found beside the test binary"
                );
                None
            }
        },
    }
}

/// The option sets to run `provider` with: LiteRT's two kernel sets, one for the others.
fn option_sets(provider: &Provider) -> Vec<EngineOptions> {
    let kernels: &[Kernels] = match provider {
        Provider::Litert(_) => &[Kernels::Xnnpack, Kernels::Builtin],
        _ => &[Kernels::Xnnpack],
    };
    kernels
        .iter()
        .map(|&kernels| EngineOptions {
            threads: 1,
            provider: provider.clone(),
            kernels,
            custom_ops: vec![],
        })
        .collect()
}

// Coral's model_invoking_error.tflite has one custom op, fake-op-double; its test registers a
// kernel that fails. This is ours.
unsafe extern "C" fn failing_invoke(_: *mut TfLiteContext, _: *mut TfLiteNode) -> c_int {
    1 // kTfLiteError
}

static FAKE_OP_DOUBLE: TfLiteRegistration = TfLiteRegistration {
    init: None,
    free: None,
    prepare: None,
    invoke: Some(failing_invoke),
    profiling_string: None,
    builtin_code: 0,
    custom_name: std::ptr::null(),
    version: 1,
    reserved: [0; 8],
};

fn failing_op_options(provider: Provider) -> EngineOptions {
    EngineOptions {
        threads: 1,
        provider,
        kernels: Kernels::Xnnpack,
        custom_ops: vec![CustomOp {
            name: CString::new("fake-op-double").unwrap(),
            registration: &FAKE_OP_DOUBLE,
        }],
    }
}

/// Runs real model segments on `provider` (each kernel set) and on the built-in one: the
/// chain equals the whole model on the same engine, the tensor specs agree across providers,
/// and the classic providers give the same bytes.
fn segments_match_across_providers(which: Which) {
    let Some(dir) = data_dir("segments_match_across_providers") else {
        return;
    };
    let Some(provider) = provider(which) else {
        return;
    };
    let mut models = vec![
        (dir.join("coral/mobilenet_v1_0.25_128_quant.tflite"), 2),
        (dir.join("coral/split_concat.tflite"), 3),
    ];
    if which == Which::Litert {
        // Current models, which the built-in engine runs slowly or not at all.
        models.push((
            PathBuf::from(REPO).join("models/efficientnet_lite0_uint8.tflite"),
            3,
        ));
        models.push((dir.join("coral/tf2_mobilenet_v2_1.0_224_ptq.tflite"), 2));
    }
    for (path, n) in &models {
        let file = path.file_name().unwrap().to_string_lossy();
        let model = Model::open(path).unwrap();
        let segments = model::cut(
            &model,
            &partition::by_param_bytes(&model.graph, *n).unwrap(),
        )
        .unwrap();
        let whole_bytes = std::fs::read(path).unwrap();
        for options in option_sets(&provider) {
            let what = format!("{file} on {provider:?} with {}", options.kernels);
            let mut chain: Vec<Box<dyn Engine>> = segments
                .iter()
                .map(|s| engine::open(&s.bytes, &options).unwrap())
                .collect();
            let mut whole = engine::open(&whole_bytes, &options).unwrap();
            let mut rng = SplitMix64::new(9);
            let requests: Vec<_> = (0..3)
                .map(|_| verify::random_inputs(whole.inputs(), &mut rng))
                .collect();
            assert_eq!(
                verify::check(&mut whole, &mut chain, &requests).unwrap(),
                None,
                "{what}: the chain equals the whole model"
            );
            let builtin = Interpreter::new(segments[0].bytes.clone(), 1).unwrap();
            assert_eq!(
                chain[0].inputs(),
                builtin.inputs(),
                "{what}: tensor specs agree with the built-in engine's"
            );
            if which == Which::Litert {
                // LiteRT's kernels are not TensorFlow Lite 1.15's: compare on one engine only.
                continue;
            }
            let mut builtin: Vec<Interpreter> = segments
                .iter()
                .map(|s| Interpreter::new(s.bytes.clone(), 1).unwrap())
                .collect();
            for req in &requests {
                let named: Vec<(String, Vec<u8>)> = whole
                    .inputs()
                    .iter()
                    .map(|s| s.name.clone())
                    .zip(req.iter().cloned())
                    .collect();
                let a = verify::run_chain(&mut chain, &named).unwrap();
                let b = verify::run_chain(&mut builtin, &named).unwrap();
                assert_eq!(
                    a, b,
                    "{what}: every tensor equal byte for byte across providers"
                );
            }
        }
    }
}

/// Coral's invoking-error model, with a failing kernel for its custom op: it loads, and invoke
/// fails with the runtime's message naming the op.
fn invoke_error_carries_the_runtime_message(which: Which) {
    let Some(dir) = data_dir("invoke_error_carries_the_runtime_message") else {
        return;
    };
    let Some(provider) = provider(which) else {
        return;
    };
    let bytes =
        std::fs::read(dir.join("coral/invalid_models/model_invoking_error.tflite")).unwrap();
    if which == Which::Litert {
        // LiteRT takes no classic kernels: the custom op stays unresolved, which its warm-up
        // invoke at open reports.
        let options = EngineOptions {
            provider,
            ..Default::default()
        };
        let err = engine::open(&bytes, &options).err().unwrap().to_string();
        assert!(
            err.contains("LiteRT cannot run this model") && err.contains("fake-op-double"),
            "{err}"
        );
        return;
    }
    let mut interp = Interpreter::with_options(&bytes, &failing_op_options(provider))
        .expect("loads with its op registered");
    let err = interp.invoke().unwrap_err().to_string();
    assert!(
        err.contains("fake-op-double") && err.contains("failed to invoke"),
        "{err}"
    );
}

/// Missing and wrong libraries are errors naming the library, the path and the symbol.
fn bad_libraries_are_named(which: Which) {
    let (provider, missing, symbol): (fn(&str) -> Provider, _, _) = match which {
        Which::Builtin => return,
        Which::System => (
            |p| Provider::System(p.into()),
            "/no/such/libtensorflowlite_c.so",
            "lacks the symbol TfLiteVersion",
        ),
        Which::Litert => (
            |p| Provider::Litert(Some(p.into())),
            "/no/such/libLiteRt.so",
            "lacks the symbol LiteRtCreateEnvironment",
        ),
    };
    let model = chain(&["x", "y"], &[Step::Cpu(1)]).bytes();
    let with = |p: &str| {
        let options = EngineOptions {
            provider: provider(p),
            ..Default::default()
        };
        engine::open(&model, &options).err().unwrap().to_string()
    };
    let err = with(missing);
    assert!(
        err.contains(missing) && err.contains("cannot open shared object"),
        "{err}"
    );
    let err = with(fake_library().to_str().unwrap());
    assert!(err.contains(symbol), "{err}");
}

macro_rules! provider_suite {
    ($($name:ident: $which:expr;)*) => {$(
        mod $name {
            use super::Which;
            #[test]
            fn segments_match_across_providers() {
                super::segments_match_across_providers($which);
            }
            #[test]
            fn invoke_error_carries_the_runtime_message() {
                super::invoke_error_carries_the_runtime_message($which);
            }
            #[test]
            fn bad_libraries_are_named() {
                super::bad_libraries_are_named($which);
            }
        }
    )*};
}

provider_suite! {
    builtin_provider: Which::Builtin;
    system_provider: Which::System;
    litert_provider: Which::Litert;
}

/// The CPU model and its three segments: x -(+2, CPU)-> a -(+5, Edge TPU)-> b -(+3, CPU)-> y.
fn tpu_chain() -> (Vec<u8>, Vec<Vec<u8>>) {
    let whole = chain(
        &["x", "a", "b", "y"],
        &[Step::Cpu(2), Step::Cpu(5), Step::Cpu(3)],
    )
    .bytes();
    let segments = vec![
        chain(&["x", "a"], &[Step::Cpu(2)]).bytes(),
        chain(&["a", "b"], &[Step::Tpu(5)]).bytes(),
        chain(&["b", "y"], &[Step::Cpu(3)]).bytes(),
    ];
    (whole, segments)
}

fn config(lib: &Path) -> DeviceConfig {
    DeviceConfig {
        library: Some(lib.to_path_buf()),
        devices: None,
        lock_dir: Some(lib.with_file_name("locks")),
        tpu_options: vec![("Performance".into(), "Max".into())],
    }
}

#[test]
fn a_middle_segment_on_a_fake_tpu_gives_the_right_results() {
    let lib = fake_edgetpu(
        "middle_on_tpu",
        "devices=pci:/dev/apex_0,usb:/sys/bus/usb/devices/3-1\n",
    );
    let (_, segments) = tpu_chain();
    let engines =
        engine::open_segments(&segments, &EngineOptions::default(), &config(&lib)).unwrap();
    let bindings: Vec<String> = engines.iter().map(|e| e.binding().to_string()).collect();
    assert_eq!(bindings, ["cpu", "pci:/dev/apex_0", "cpu"]);
    assert!(
        fake_log(&lib).contains("create pci /dev/apex_0 Performance=Max"),
        "{}",
        fake_log(&lib)
    );
    let (mut tx, mut rx) = pipeline::build(engines, &PipelineConfig::default()).unwrap();
    let inputs: Vec<[u8; 8]> = (0..50u8)
        .map(|i| [i, i * 2, i * 5, 200, 250, 0, 1, 100u8.wrapping_add(i)])
        .collect();
    let producer = std::thread::spawn(move || {
        for x in &inputs {
            tx.push(&[x]).unwrap();
        }
        inputs
    });
    let mut got = Vec::new();
    while let Some(out) = rx.pop().unwrap() {
        got.push(out.tensor(0).1.to_vec());
    }
    let inputs = producer.join().unwrap();
    let expected: Vec<Vec<u8>> = inputs
        .iter()
        .map(|x| x.iter().map(|&v| (v as u16 + 10).min(255) as u8).collect())
        .collect();
    assert_eq!(
        got, expected,
        "x + 2 (CPU) + 5 (fake TPU) + 3 (CPU), saturating"
    );
    drop(rx);
    assert!(
        fake_log(&lib).contains("free /dev/apex_0"),
        "the delegate is freed: {}",
        fake_log(&lib)
    );
}

#[test]
fn tpus_are_listed_pci_first_with_the_version() {
    let lib = fake_edgetpu(
        "listed",
        "devices=usb:/sys/bus/usb/devices/3-1,pci:/dev/apex_0\n",
    );
    let tpu = EdgeTpu::load(Some(&lib)).unwrap();
    let found: Vec<(TpuKind, String)> = tpu
        .devices()
        .into_iter()
        .map(|t| (t.kind, t.path))
        .collect();
    assert_eq!(
        found,
        vec![
            (TpuKind::Pci, "/dev/apex_0".into()),
            (TpuKind::Usb, "/sys/bus/usb/devices/3-1".into())
        ]
    );
    assert!(tpu.version().contains("fake libedgetpu"));
    let locks = lib.with_file_name("locks");
    let out = crate::util::edgepipe(&[
        "devices",
        "--json",
        "--edgetpu-lib",
        lib.to_str().unwrap(),
        "--lock-dir",
        locks.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["devices"][0]["kind"], "pci");
    assert_eq!(v["devices"][1]["path"], "/sys/bus/usb/devices/3-1");
    assert_eq!(v["devices"][0]["held_by_pid"], serde_json::Value::Null);
}

#[test]
fn device_errors_are_clear_and_nothing_hangs() {
    let (_, segments) = tpu_chain();
    let open = |lib: &Path, devices: Option<&str>| {
        let mut c = config(lib);
        c.devices = devices.map(|d| d.split(',').map(|s| s.parse().unwrap()).collect());
        engine::open_segments(&segments, &EngineOptions::default(), &c)
            .err()
            .map(|e| e.to_string())
    };
    let none = fake_edgetpu("no_tpus", "");
    assert_eq!(
        open(&none, None).unwrap(),
        "1 segment(s) need an Edge TPU (segment 1), but 0 TPU(s) were found"
    );
    let missing = Path::new("/no/such/dir/libedgetpu.so.1");
    let err = open(missing, None).unwrap();
    assert!(
        err.contains("segment 1 needs an Edge TPU") && err.contains("/no/such/dir/libedgetpu.so.1"),
        "{err}"
    );
    let one = fake_edgetpu(
        "one_tpu",
        "devices=pci:/dev/apex_0\nfail_open=/dev/apex_0\n",
    );
    let err = open(&one, Some("cpu,pci:/dev/apex_7,cpu")).unwrap();
    assert!(
        err.contains("segment 1: no Edge TPU") && err.contains("/dev/apex_0"),
        "{err}"
    );
    assert_eq!(
        open(&one, Some("cpu,cpu,cpu")).unwrap(),
        TpuError::NeedsTpu(1).to_string()
    );
    assert_eq!(
        open(&one, None).unwrap(),
        "libedgetpu cannot open Edge TPU pci:/dev/apex_0"
    );
    assert!(
        !fake_log(&one).contains("abort"),
        "a device name is always passed with options"
    );

    // A TPU that fails at invoke: the pipeline reports the segment and the runtime's message.
    let failing = fake_edgetpu("tpu_fails", "devices=pci:/dev/apex_0\nfail_invoke=1\n");
    let engines =
        engine::open_segments(&segments, &EngineOptions::default(), &config(&failing)).unwrap();
    let (mut tx, mut rx) = pipeline::build(engines, &PipelineConfig::default()).unwrap();
    tx.push(&[&[1; 8]]).unwrap();
    match rx.pop() {
        Err(PopError::StageFailed(f)) => {
            assert_eq!(f.segment, 1);
            assert!(
                f.message
                    .contains("fake Edge TPU: invoke failed on purpose"),
                "{}",
                f.message
            );
        }
        other => panic!("{:?}", other.map(|o| o.is_some())),
    }
}

#[test]
fn a_compiled_coral_model_without_a_tpu_is_refused() {
    let Some(dir) = data_dir("a_compiled_coral_model_without_a_tpu_is_refused") else {
        return;
    };
    let bytes =
        std::fs::read(dir.join("coral/mobilenet_v1_0.25_128_quant_edgetpu.tflite")).unwrap();
    let lib = fake_edgetpu("coral_compiled", "");
    let err = engine::open_segments(&[bytes], &EngineOptions::default(), &config(&lib))
        .err()
        .unwrap();
    assert_eq!(
        err.to_string(),
        "1 segment(s) need an Edge TPU (segment 0), but 0 TPU(s) were found"
    );
}

/// Coral's invoking-error model as one real failing segment of a pipeline. Its two tensors
/// have no names, and the pipeline routes by name (it refuses the model as it is, see the
/// pipeline's build checks), so they are named first, as segments edgepipe writes always are.
#[test]
fn coral_invoking_error_model_fails_a_pipeline_cleanly() {
    let Some(dir) = data_dir("coral_invoking_error_model_fails_a_pipeline_cleanly") else {
        return;
    };
    let path = dir.join("coral/invalid_models/model_invoking_error.tflite");
    let mut raw = tflite::model::Model::from_file(&path).unwrap();
    for (i, name) in ["frame", "doubled"].iter().enumerate() {
        raw.subgraphs[0].tensors[i]
            .name
            .assign(&CString::new(*name).unwrap());
    }
    // Re-packing writes an empty buffer list, which TensorFlow Lite refuses: add the empty
    // buffer 0 that tensors without data point at.
    if raw.buffers.size() == 0 {
        raw.buffers.push_back(Default::default());
    }
    let failing =
        Interpreter::with_options(&raw.to_buffer(), &failing_op_options(Provider::Builtin))
            .unwrap();
    let engines: Vec<Box<dyn Engine>> =
        vec![AddStage::new("x", "frame", 3, 1).boxed(), Box::new(failing)];
    let (mut tx, mut rx) = pipeline::build(engines, &PipelineConfig::default()).unwrap();
    for _ in 0..4 {
        // Request 0 may fail before the last push, which then reports that failure.
        match tx.push(&[&[1, 2, 3]]) {
            Ok(()) | Err(pipeline::PushError::Failed(_)) => {}
            Err(e) => panic!("push: {e}"),
        }
    }
    drop(tx);
    match rx.pop() {
        Err(PopError::StageFailed(f)) => {
            assert_eq!((f.segment, f.request), (1, 0));
            assert!(f.message.contains("fake-op-double"), "{}", f.message);
        }
        other => panic!("expected the failure, got {:?}", other.map(|o| o.is_some())),
    }
    assert!(rx.pop().unwrap().is_none(), "then the end, no hang");
}

fn write_models(dir: &Path) -> Vec<String> {
    let (whole, segments) = tpu_chain();
    let mut paths = vec![dir.join("whole.tflite")];
    std::fs::write(&paths[0], whole).unwrap();
    for (i, s) in segments.iter().enumerate() {
        paths.push(dir.join(format!("tpu_chain_segment_{i}_of_3.tflite")));
        std::fs::write(&paths[i + 1], s).unwrap();
    }
    paths.iter().map(|p| p.display().to_string()).collect()
}

/// Two processes asking for one TPU: the second fails fast naming the holder's pid; killing
/// the holder frees it.
#[test]
fn a_second_process_fails_fast_and_a_dead_holder_frees_the_tpu() {
    let lib = fake_edgetpu(
        "two_processes",
        "devices=pci:/dev/apex_0\ninvoke_delay_ms=5\n",
    );
    let dir = lib.parent().unwrap().to_path_buf();
    let models = write_models(&dir);
    let locks = dir.join("locks");
    let args = |count: &str| -> Vec<String> {
        let mut a = vec!["verify".to_string()];
        a.extend(models.iter().cloned());
        a.extend(
            [
                "--count",
                count,
                "--edgetpu-lib",
                lib.to_str().unwrap(),
                "--lock-dir",
                locks.to_str().unwrap(),
            ]
            .map(String::from),
        );
        a
    };
    let mut holder = Command::new(env!("CARGO_BIN_EXE_edgepipe"))
        .args(args("100000"))
        .spawn()
        .unwrap();
    let lock = locks.join("pci_dev_apex_0.lock");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::fs::read_to_string(&lock)
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
        != holder.id().to_string()
    {
        assert!(Instant::now() < deadline, "the holder never took the lock");
        std::thread::sleep(Duration::from_millis(20));
    }
    let started = Instant::now();
    let second = Command::new(env!("CARGO_BIN_EXE_edgepipe"))
        .args(args("1"))
        .output()
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(10), "fails fast");
    assert_eq!(second.status.code(), Some(1), "{}", text(&second));
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        stderr.contains(&format!(
            "Edge TPU pci:/dev/apex_0 is in use by pid {}",
            holder.id()
        )),
        "{stderr}"
    );

    holder.kill().unwrap();
    holder.wait().unwrap();
    let third = Command::new(env!("CARGO_BIN_EXE_edgepipe"))
        .args(args("2"))
        .output()
        .unwrap();
    assert!(
        third.status.success(),
        "after the holder died: {}",
        text(&third)
    );
    assert!(
        String::from_utf8_lossy(&third.stdout).contains("bit for bit"),
        "{}",
        text(&third)
    );
}
