//! Trying plans for real before choosing one: a short run of each candidate's pipeline on
//! the devices it will use, and the host's per-stage cost that those runs reveal.
//!
//! A segment's measured latency is its device's time alone. In a pipeline each stage replica
//! also pays the host's share of a request: copying its tensors, taking the request from the
//! stage's input, waking the next stage, and waking itself when its device is done (late when
//! the host is busy). The planner cannot see that from single invokes, so it runs the
//! candidates (libcoral's plan and data parallelism among them) for a fraction of a second
//! each, and
//!
//! - fits one host cost per stage replica and request ([`host_for`]): the time that, added to
//!   every replica's measured latency, makes each run's prediction equal its measured
//!   throughput (the median over runs), and adds it to every entry of the search's table (the
//!   search stays exact on that table);
//! - ranks the plans it ran by their measured throughput, so the plan chosen is never worse,
//!   measured in the same session, than libcoral's or data parallelism.

use crate::bench::{self, Requests};
use crate::engine::edgetpu::DeviceConfig;
use crate::engine::{self, DeviceSpec, Engine, EngineOptions};
use crate::model::Model;
use crate::partition::measure::ModelMeasurer;

use super::search::Costs;

/// A plan's stages: op positions `start..end` and replicas per device kind.
pub type Spec = Vec<(usize, usize, Vec<usize>)>;

/// Something that runs a plan for a short while on the devices it would use.
pub trait Trial {
    /// Requests per second the plan sustains in a short pipeline run (once it is full), or
    /// why it could not run. `predicted_per_s` sizes the run.
    fn run(
        &mut self,
        stages: &[(usize, usize, Vec<usize>)],
        predicted_per_s: f64,
    ) -> Result<f64, String>;
}

/// No trials: the planner's table alone decides.
pub struct NoTrial;

impl Trial for NoTrial {
    fn run(&mut self, _: &[(usize, usize, Vec<usize>)], _: f64) -> Result<f64, String> {
        Err("trials are off".into())
    }
}

/// Requests per nanosecond the plan sustains when every replica pays `host` nanoseconds
/// beyond its device time (`None` if a stage cannot run).
fn rate_with(costs: &Costs, spec: &[(usize, usize, Vec<usize>)], host: f64) -> Option<f64> {
    let mut slowest = f64::INFINITY;
    for (start, end, replicas) in spec {
        let mut rate = 0.0;
        for (k, &a) in replicas.iter().enumerate() {
            if a > 0 {
                rate += a as f64 / (costs.get(k, *start, *end)? + host);
            }
        }
        slowest = slowest.min(rate);
    }
    (slowest > 0.0 && slowest.is_finite()).then_some(slowest)
}

/// The host time per stage replica and request (ns) that makes the plan, with the device
/// times of `costs`, sustain `measured_per_s`: 0 when it did at least as well as the devices
/// alone predict; `None` when the plan cannot be predicted or nothing explains the run.
pub fn host_for(
    costs: &Costs,
    spec: &[(usize, usize, Vec<usize>)],
    measured_per_s: f64,
) -> Option<f64> {
    let target = measured_per_s / 1e9;
    if !(target > 0.0 && target.is_finite()) {
        return None;
    }
    if rate_with(costs, spec, 0.0)? <= target {
        return Some(0.0);
    }
    let (mut lo, mut hi) = (0.0f64, 1e3f64);
    while rate_with(costs, spec, hi)? > target {
        hi *= 2.0;
        if hi > 1e13 {
            return None;
        }
    }
    // The rate falls as the host time grows: bisect to the double.
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if rate_with(costs, spec, mid)? > target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(0.5 * (lo + hi))
}

/// The median of `values` (0 when empty).
pub fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        0.5 * (values[n / 2 - 1] + values[n / 2])
    }
}

/// Runs plans of a model in a real pipeline on real (or simulated) devices: each replica of
/// kind `k` takes the next device of `devices[k]`, stage by stage, as plan files give them
/// out.
pub struct PipelineTrial<'a> {
    model: &'a Model,
    engine: EngineOptions,
    config: DeviceConfig,
    devices: Vec<Vec<DeviceSpec>>,
    /// Makes each kind's segment (compiled for it when a compile command is given).
    segments: ModelMeasurer<'a>,
    requests: usize,
    seconds: f64,
}

impl<'a> PipelineTrial<'a> {
    /// `config` names one device per kind (as the measurer takes it) and the library and
    /// locks; `devices` every device of each kind. Each run lasts about `seconds` at the
    /// predicted rate, or exactly `requests` requests when that is not 0.
    pub fn new(
        model: &'a Model,
        engine: EngineOptions,
        config: DeviceConfig,
        devices: Vec<Vec<DeviceSpec>>,
        compile_cmd: Option<String>,
        requests: usize,
        seconds: f64,
    ) -> PipelineTrial<'a> {
        let segments = ModelMeasurer::new(model, engine.clone(), config.clone(), 1, compile_cmd);
        PipelineTrial {
            model,
            engine,
            config,
            devices,
            segments,
            requests,
            seconds,
        }
    }

    /// Ops `start..start + len` as kind `k` runs them (compiled for it when there is a
    /// compile command and `k` is not the CPU).
    pub fn segment(&self, start: usize, len: usize, k: usize) -> Result<Vec<u8>, String> {
        self.segments.segment(start, len, k)
    }

    /// Each stage's engines, opened in one call so each device is given out once.
    fn open(
        &mut self,
        stages: &[(usize, usize, Vec<usize>)],
    ) -> Result<Vec<Vec<Box<dyn Engine>>>, String> {
        let mut next = vec![0usize; self.devices.len()];
        let (mut bytes, mut specs, mut sizes) = (Vec::new(), Vec::new(), Vec::new());
        for (start, end, replicas) in stages {
            let mut size = 0;
            for (k, &a) in replicas.iter().enumerate().filter(|(_, a)| **a > 0) {
                let segment = self.segments.segment(*start, end - start, k)?;
                for _ in 0..a {
                    let device = self.devices[k].get(next[k]).ok_or_else(|| {
                        format!("the plan uses more than {} devices of kind {k}", next[k])
                    })?;
                    next[k] += 1;
                    specs.push(device.clone());
                    bytes.push(segment.clone());
                }
                size += a;
            }
            sizes.push(size);
        }
        let mut config = self.config.clone();
        config.devices = Some(specs);
        let mut engines = engine::open_segments(&bytes, &self.engine, &config)
            .map_err(|e| e.to_string())?
            .into_iter();
        Ok(sizes
            .iter()
            .map(|&n| engines.by_ref().take(n).collect())
            .collect())
    }
}

impl Trial for PipelineTrial<'_> {
    fn run(
        &mut self,
        stages: &[(usize, usize, Vec<usize>)],
        predicted_per_s: f64,
    ) -> Result<f64, String> {
        let count = match self.requests {
            0 => (predicted_per_s * self.seconds).clamp(40.0, 2000.0) as usize,
            n => n,
        };
        let engines = self.open(stages)?;
        let requests = Requests::random(&self.model.input_specs(), count);
        let report = bench::pipelined_stages("trial", engines, &requests, None, None)
            .map_err(|e| e.to_string())?;
        Ok(report.steady_per_s)
    }
}
