//! What the pipeline costs when nothing changes, measured process-wide, so in its own test
//! binary (a global allocator, and CPU time, apply to the whole process) with the tests
//! serialised by a lock:
//! - running: a counting global allocator sees zero heap allocations (from any thread) across
//!   1,000 requests after warm-up, for fake stages, replicated fake stages and real TensorFlow
//!   Lite and LiteRT segments, and in live mode with paced entry. (It counts Rust allocations; the runtimes' own C++ allocations
//!   inside their invoke go through malloc directly and are not seen here.)
//! - idle: stages waiting for work sleep and use no CPU.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// One test at a time: both measure the whole process.
static SERIAL: Mutex<()> = Mutex::new(());

use edgepipe::engine::{Engine, Interpreter, TensorSpec};
use edgepipe::model::{self, DType, Model};
use edgepipe::partition;
use edgepipe::pipeline::{self, PipelineConfig};

struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
/// When set, only allocations made by threads that set `MINE` count (single-threaded
/// measurements, immune to the test harness's own threads).
static ONLY_MINE: AtomicBool = AtomicBool::new(false);

thread_local! {
    static MINE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn counts() -> bool {
    COUNTING.load(Ordering::Relaxed)
        && (!ONLY_MINE.load(Ordering::Relaxed) || MINE.with(|m| m.get()))
}

// SAFETY: forwards every call to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if counts() {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as ours, passed through.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours, passed through.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if counts() {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as ours, passed through.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[path = "support/add_stage.rs"]
mod add_stage;

/// `stages` stages t0 -> t1 -> ... adding 1 over `bytes`-byte tensors.
fn copy_chain(stages: usize, bytes: usize) -> Vec<Box<dyn Engine>> {
    add_stage::boxed(add_stage::add_chain(stages, bytes))
}

/// Pushes and pops `n` requests with the producer on another thread; returns the
/// allocations counted during the last `n - warmup` of them.
fn count_steady_state(engines: Vec<Box<dyn Engine>>, n: usize, warmup: usize) -> u64 {
    let built = pipeline::build(engines, &PipelineConfig::default()).unwrap();
    count_built(built, n, warmup)
}

/// As [`count_steady_state`], through a pipeline already built.
fn count_built(
    (mut tx, mut rx): (pipeline::Sender, pipeline::Receiver),
    n: usize,
    warmup: usize,
) -> u64 {
    let input = vec![7u8; tx.inputs()[0].bytes];
    let producer = std::thread::spawn(move || {
        for _ in 0..n {
            tx.push(&[&input]).unwrap();
        }
        tx
    });
    let mut checksum = 0u64;
    for i in 0..n {
        if i == warmup {
            ALLOCATIONS.store(0, Ordering::SeqCst);
            COUNTING.store(true, Ordering::SeqCst);
        }
        let out = rx.pop().unwrap().expect("result");
        checksum += out.tensor(0).1.iter().map(|&b| u64::from(b)).sum::<u64>();
    }
    COUNTING.store(false, Ordering::SeqCst);
    let counted = ALLOCATIONS.load(Ordering::SeqCst);
    drop(producer.join().unwrap());
    assert!(checksum > 0);
    counted
}

/// Live mode with paced entry (the appliance's capture): a producer pushing the newest frame
/// as fast as it can while `n` results are popped; returns the allocations counted during the
/// last `n - warmup` results.
fn count_live(engines: Vec<Box<dyn Engine>>, n: usize, warmup: usize) -> u64 {
    let (mut tx, mut rx) = pipeline::build(engines, &PipelineConfig::default()).unwrap();
    tx.pace_entry(true);
    let done = std::sync::Arc::new(AtomicBool::new(false));
    let producing = done.clone();
    let producer = std::thread::spawn(move || {
        let mut frame = 0u64;
        while !producing.load(Ordering::SeqCst) {
            let tag = pipeline::Tag {
                frame,
                captured_ns: 0,
            };
            tx.push_latest(tag, &mut |_, b| b.fill(frame as u8))
                .unwrap();
            frame += 1;
            std::thread::yield_now();
        }
        tx
    });
    for i in 0..n {
        if i == warmup {
            ALLOCATIONS.store(0, Ordering::SeqCst);
            COUNTING.store(true, Ordering::SeqCst);
        }
        rx.pop().unwrap().expect("result");
    }
    COUNTING.store(false, Ordering::SeqCst);
    let counted = ALLOCATIONS.load(Ordering::SeqCst);
    done.store(true, Ordering::SeqCst);
    drop(producer.join().unwrap());
    counted
}

#[test]
fn steady_live_pipeline_allocates_nothing() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let mut stages = add_stage::add_chain(3, 64);
    stages[1].delay = Duration::from_micros(200);
    assert_eq!(
        count_live(add_stage::boxed(stages), 600, 100),
        0,
        "live, paced: allocations in 500 results"
    );
}

#[test]
fn steady_pipeline_allocates_nothing() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    // Fake stages: the pipeline's own machinery only.
    let engines = copy_chain(3, 64);
    assert_eq!(
        count_steady_state(engines, 1100, 100),
        0,
        "fake stages: allocations in 1,000 requests"
    );

    // Replicated stages (1, 3 and 2 replicas): the reorder after each allocates nothing.
    let stages = [1usize, 3, 2]
        .iter()
        .enumerate()
        .map(|(s, &k)| {
            (0..k)
                .map(|_| {
                    add_stage::AddStage::new(&format!("t{s}"), &format!("t{}", s + 1), 64, 1)
                        .boxed()
                })
                .collect()
        })
        .collect();
    let built = pipeline::build_replicated(stages, &PipelineConfig::default()).unwrap();
    assert_eq!(
        count_built(built, 1100, 100),
        0,
        "replicated stages: allocations in 1,000 requests"
    );

    // Real TensorFlow Lite segments.
    let dir = std::env::var_os("EDGEPIPE_TEST_DATA")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/models"));
    let path = dir.join("coral/mobilenet_v1_0.25_128_quant.tflite");
    if !path.exists() {
        eprintln!(
            "SKIP real segments: {} not found (set EDGEPIPE_TEST_DATA)",
            path.display()
        );
        return;
    }
    let model = Model::open(&path).unwrap();
    let segments =
        model::cut(&model, &partition::by_param_bytes(&model.graph, 2).unwrap()).unwrap();
    let engines = segments
        .iter()
        .map(|s| Box::new(Interpreter::new(s.bytes.clone(), 1).unwrap()) as Box<dyn Engine>)
        .collect();
    assert_eq!(
        count_steady_state(engines, 1100, 100),
        0,
        "real segments: allocations in 1,000 requests"
    );

    // The same segments on LiteRT, inputs and outputs bound to the engine's own memory.
    match edgepipe::engine::litert::find_library(None) {
        Ok(lib) if lib.is_file() => {
            let options = edgepipe::engine::EngineOptions {
                provider: edgepipe::engine::Provider::Litert(Some(lib)),
                ..Default::default()
            };
            let engines = segments
                .iter()
                .map(|s| edgepipe::engine::open(&s.bytes, &options).unwrap())
                .collect();
            assert_eq!(
                count_steady_state(engines, 1100, 100),
                0,
                "LiteRT segments: allocations in 1,000 requests"
            );
        }
        Ok(lib) => eprintln!("SKIP LiteRT segments: {} is not a file", lib.display()),
        Err(e) => eprintln!("SKIP LiteRT segments: {e}"),
    }
}

/// CPU time (user + system) of this process, in clock ticks, from /proc/self/stat.
fn cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')').expect("comm") + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

/// An idle pipeline of 3 stages burns (almost) no CPU: a busy-waiting design would use
/// 3 x 500 ms here; the bound allows 30 ms (3 ticks).
#[test]
fn steady_idle_stages_use_no_cpu() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let engines = copy_chain(3, 4);
    let (mut tx, mut rx) = pipeline::build(engines, &PipelineConfig::default()).unwrap();
    tx.push(&[&[1, 2, 3, 4]]).unwrap();
    drop(rx.pop().unwrap());
    std::thread::sleep(Duration::from_millis(50));
    let before = cpu_ticks();
    std::thread::sleep(Duration::from_millis(500));
    let used = cpu_ticks() - before;
    assert!(
        used <= 3,
        "idle pipeline used {used} clock ticks (10 ms each) in 500 ms"
    );
    drop((tx, rx));
}

/// Converting a camera frame into the input tensor and classifying an output allocate nothing
/// per frame.
#[test]
fn steady_conversion_and_classification_allocate_nothing() {
    use edgepipe::capture::convert::{Fit, FrameLayout, PixelFormat, Resampler, TensorEncoding};
    use edgepipe::classify::{Classifier, ClassifyConfig};
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let layout = FrameLayout {
        format: PixelFormat::Yuyv,
        width: 640,
        height: 480,
        stride: 1280,
    };
    let frame = vec![100u8; 640 * 480 * 2];
    let resampler = Resampler::new(layout, 224, 224, Fit::Crop, TensorEncoding::Uint8).unwrap();
    let mut tensor = vec![0u8; resampler.tensor_bytes()];
    let mut classifier = Classifier::new(
        &TensorSpec::new("scores", DType::Uint8, &[1, 1001]),
        ClassifyConfig {
            top_k: 5,
            threshold: 0.0,
            smoothing: 4,
        },
    )
    .unwrap();
    let scores: Vec<u8> = (0..1001).map(|i| (i * 7 % 251) as u8).collect();
    MINE.with(|m| m.set(true));
    ONLY_MINE.store(true, Ordering::SeqCst);
    ALLOCATIONS.store(0, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    let mut checksum = 0usize;
    for _ in 0..100 {
        resampler.convert(&frame, &mut tensor).unwrap();
        checksum += classifier.classify(&scores)[0].index + tensor[0] as usize;
    }
    COUNTING.store(false, Ordering::SeqCst);
    assert_eq!(
        ALLOCATIONS.load(Ordering::SeqCst),
        0,
        "allocations in 100 frames"
    );
    assert!(checksum > 0);
}
