//! Measuring segmented models side by side in one run: the whole model on one interpreter,
//! then the same requests through the pipeline of each set of segments.

use std::sync::Arc;

use serde::Serialize;

use crate::engine::{Engine, EngineError, TensorSpec};
use crate::pipeline::trace::Trace;
use crate::pipeline::{self, BuildError, PipelineConfig, PopError, PushError, StageStats};
use crate::verify::{self, SplitMix64};

/// Why a benchmark could not run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// A model or segment failed to run.
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

/// The requests of a benchmark: random inputs for the whole model, by input name.
pub struct Requests {
    names: Vec<String>,
    inputs: Vec<Vec<Vec<u8>>>,
}

impl Requests {
    /// `count` seeded random requests for a model with inputs `specs`.
    pub fn random(specs: &[TensorSpec], count: usize) -> Requests {
        let mut rng = SplitMix64::new(11);
        Requests {
            names: specs.iter().map(|s| s.name.clone()).collect(),
            inputs: (0..count)
                .map(|_| verify::random_inputs(specs, &mut rng))
                .collect(),
        }
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.inputs.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.inputs.is_empty()
    }
}

/// The whole model on one interpreter.
#[derive(Debug, Clone, Serialize)]
pub struct SingleReport {
    /// Requests per second.
    pub per_s: f64,
    /// Mean latency.
    pub mean_ms: f64,
}

/// One pipeline.
#[derive(Debug, Clone, Serialize)]
pub struct PipelineReport {
    /// What was pipelined (e.g. "parameter-balanced").
    pub label: String,
    /// Segments.
    pub segments: usize,
    /// Requests in flight.
    pub capacity: usize,
    /// Requests per second, first push to last pop.
    pub per_s: f64,
    /// Requests per second once the pipeline is full: from the pop of the first quarter's
    /// last request to the last pop (`per_s` for fewer than 8 requests).
    pub steady_per_s: f64,
    /// What the slowest stage sustains: the sum of its replicas' 1 / mean invoke latency.
    pub ideal_per_s: f64,
    /// Measured / ideal.
    pub efficiency: f64,
    /// Measured / single interpreter (filled by [`speedups`]).
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

/// Runs the requests one by one through the whole model.
pub fn single(engine: &mut dyn Engine, requests: &Requests) -> Result<SingleReport, BenchError> {
    warm_up(engine, "the whole model")?;
    let started = std::time::Instant::now();
    for req in &requests.inputs {
        for (i, data) in req.iter().enumerate() {
            engine.input_mut(i).copy_from_slice(data);
        }
        engine.invoke().map_err(|cause| BenchError::Engine {
            what: "the whole model".into(),
            cause,
        })?;
    }
    let s = started.elapsed().as_secs_f64();
    Ok(SingleReport {
        per_s: requests.len() as f64 / s,
        mean_ms: s * 1e3 / requests.len().max(1) as f64,
    })
}

/// Runs the requests through the pipeline of `segments` (each already on its device), the
/// producer on its own thread.
pub fn pipelined(
    label: &str,
    segments: Vec<Box<dyn Engine>>,
    requests: &Requests,
    capacity: Option<usize>,
) -> Result<PipelineReport, BenchError> {
    let stages = segments.into_iter().map(|e| vec![e]).collect();
    pipelined_stages(label, stages, requests, capacity, None)
}

/// Runs the requests through a pipeline whose stage `s` runs on every engine of `stages[s]`,
/// recording each request's timings into `trace` when given.
pub fn pipelined_stages(
    label: &str,
    mut stages: Vec<Vec<Box<dyn Engine>>>,
    requests: &Requests,
    capacity: Option<usize>,
    trace: Option<Arc<Trace>>,
) -> Result<PipelineReport, BenchError> {
    for (i, stage) in stages.iter_mut().enumerate() {
        for e in stage {
            warm_up(e.as_mut(), &format!("segment {i}"))?;
        }
    }
    let n = stages.len();
    let config = PipelineConfig { capacity };
    let (mut tx, mut rx) = pipeline::build_traced(stages, &config, trace.clone())?;
    let order: Vec<usize> = tx
        .inputs()
        .iter()
        .map(|s| {
            requests
                .names
                .iter()
                .position(|n| *n == s.name)
                .unwrap_or(0)
        })
        .collect();
    let monitor = rx.monitor();
    let count = requests.len();
    let started = std::time::Instant::now();
    let popped = std::thread::scope(|scope| -> Result<_, BenchError> {
        let producer = scope.spawn(move || -> Result<(), PushError> {
            for (seq, req) in requests.inputs.iter().enumerate() {
                let mut slot = tx.reserve()?;
                if let Some(t) = &trace {
                    t.pushed(seq as u64);
                }
                for (i, &from) in order.iter().enumerate() {
                    slot.tensor_mut(i).copy_from_slice(&req[from]);
                }
                slot.send()?;
            }
            Ok(())
        });
        let (mut popped, mut quarter, mut last) = (0, None, None);
        while rx.pop()?.is_some() {
            popped += 1;
            if popped == count / 4 {
                quarter = Some(std::time::Instant::now());
            }
            if popped == count {
                last = Some(std::time::Instant::now());
            }
        }
        if let Ok(pushed) = producer.join() {
            pushed?;
        }
        Ok((popped, quarter.zip(last)))
    })?;
    let (popped, steady) = popped;
    let seconds = started.elapsed().as_secs_f64();
    if popped != count {
        return Err(BenchError::Short(popped, count));
    }
    let per_s = count as f64 / seconds;
    let steady_per_s = match steady {
        Some((q, last)) if count >= 8 && last > q => {
            (count - count / 4) as f64 / (last - q).as_secs_f64()
        }
        _ => per_s,
    };
    let stats = monitor.stats();
    let ideal_per_s = stats
        .stages
        .iter()
        .map(StageStats::capacity_per_s)
        .reduce(f64::min)
        .unwrap_or(0.0);
    Ok(PipelineReport {
        label: label.into(),
        segments: n,
        capacity: stats.capacity,
        per_s,
        steady_per_s,
        ideal_per_s,
        efficiency: per_s / ideal_per_s,
        speedup: 0.0,
        stages: stats.stages,
    })
}

/// Fills each pipeline's speedup over the single interpreter.
pub fn speedups(single: &SingleReport, pipelines: &mut [PipelineReport]) {
    for p in pipelines {
        p.speedup = p.per_s / single.per_s;
    }
}
