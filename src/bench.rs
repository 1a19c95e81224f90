//! Measuring a segmented model side by side in one run: the whole model on one interpreter,
//! then the same requests through the pipeline of its segments.

use serde::Serialize;

use crate::engine::{Engine, EngineError};
use crate::pipeline::{self, BuildError, PipelineConfig, PopError, PushError, StageStats};
use crate::verify::{self, SplitMix64};

/// Why a benchmark could not run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// A model or segment failed to load or run.
    #[error("{what}: {cause}")]
    Engine {
        /// Which model.
        what: String,
        /// The engine's error.
        cause: EngineError,
    },
    /// The pipeline could not be built.
    #[error(transparent)]
    Build(#[from] BuildError),
    /// A push failed.
    #[error(transparent)]
    Push(#[from] PushError),
    /// A pop failed.
    #[error(transparent)]
    Pop(#[from] PopError),
    /// The pipeline ended early.
    #[error("the pipeline returned {0} results for {1} requests")]
    Short(usize, usize),
}

/// What the benchmark measured.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    /// Requests run through each.
    pub requests: usize,
    /// Segments.
    pub segments: usize,
    /// Requests in flight in the pipeline.
    pub capacity: usize,
    /// Whole model on one interpreter: requests per second.
    pub single_per_s: f64,
    /// Whole model: mean latency.
    pub single_mean_ms: f64,
    /// Pipeline: requests per second, first push to last pop.
    pub pipeline_per_s: f64,
    /// 1 / the slowest stage's mean invoke latency.
    pub ideal_per_s: f64,
    /// Measured pipeline throughput / ideal.
    pub efficiency: f64,
    /// Pipeline throughput / single interpreter throughput.
    pub speedup: f64,
    /// Per-stage statistics.
    pub stages: Vec<StageStats>,
}

fn warm_up(engine: &mut dyn Engine, what: &str) -> Result<(), BenchError> {
    // The first invokes pay for lazy allocation and caches: keep them out of the numbers.
    for _ in 0..2 {
        engine.invoke().map_err(|cause| BenchError::Engine {
            what: what.into(),
            cause,
        })?;
    }
    Ok(())
}

/// Runs `count` random requests through `whole` and through the pipeline of `segments`
/// (each already on its device).
pub fn run(
    mut single: Box<dyn Engine>,
    segments: Vec<Box<dyn Engine>>,
    count: usize,
    capacity: Option<usize>,
) -> Result<BenchReport, BenchError> {
    warm_up(single.as_mut(), "the whole model")?;
    let mut rng = SplitMix64::new(11);
    let requests: Vec<Vec<Vec<u8>>> = (0..count)
        .map(|_| verify::random_inputs(single.inputs(), &mut rng))
        .collect();

    let started = std::time::Instant::now();
    for req in &requests {
        for (i, data) in req.iter().enumerate() {
            single.input_mut(i).copy_from_slice(data);
        }
        single.invoke().map_err(|cause| BenchError::Engine {
            what: "the whole model".into(),
            cause,
        })?;
    }
    let single_s = started.elapsed().as_secs_f64();
    let names: Vec<String> = single.inputs().iter().map(|s| s.name.clone()).collect();
    drop(single);

    let mut engines = segments;
    for (i, e) in engines.iter_mut().enumerate() {
        warm_up(e.as_mut(), &format!("segment {i}"))?;
    }
    let n = engines.len();
    let (mut tx, mut rx) = pipeline::build(engines, &PipelineConfig { capacity })?;
    let order: Vec<usize> = tx
        .inputs()
        .iter()
        .map(|s| names.iter().position(|n| *n == s.name).unwrap_or(0))
        .collect();
    let monitor = rx.monitor();
    let started = std::time::Instant::now();
    let producer = std::thread::spawn(move || -> Result<(), PushError> {
        for req in &requests {
            let mut slot = tx.reserve()?;
            for (i, &from) in order.iter().enumerate() {
                slot.tensor_mut(i).copy_from_slice(&req[from]);
            }
            slot.send()?;
        }
        Ok(())
    });
    let mut popped = 0;
    while rx.pop()?.is_some() {
        popped += 1;
    }
    let pipeline_s = started.elapsed().as_secs_f64();
    if let Ok(pushed) = producer.join() {
        pushed?;
    }
    if popped != count {
        return Err(BenchError::Short(popped, count));
    }
    let stats = monitor.stats();
    let slowest_ns = stats
        .stages
        .iter()
        .map(|s| s.mean_ns)
        .max()
        .unwrap_or(1)
        .max(1);
    let single_per_s = count as f64 / single_s;
    let pipeline_per_s = count as f64 / pipeline_s;
    let ideal_per_s = 1e9 / slowest_ns as f64;
    Ok(BenchReport {
        requests: count,
        segments: n,
        capacity: stats.capacity,
        single_per_s,
        single_mean_ms: single_s * 1e3 / count as f64,
        pipeline_per_s,
        ideal_per_s,
        efficiency: pipeline_per_s / ideal_per_s,
        speedup: pipeline_per_s / single_per_s,
        stages: stats.stages,
    })
}
