//! `--balance`: where `--num-segments N` puts the cuts.

use std::time::Instant;

use anyhow::{Result, bail};
use clap::{Args, ValueEnum};
use serde::Serialize;

use edgepipe::engine::EngineOptions;
use edgepipe::model::Model;
use edgepipe::partition::{self, latency, measure::ModelMeasurer};

use super::device_args::DeviceArgs;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Balance {
    /// Equal parameter bytes, as `edgetpu_compiler --num_segments` does.
    Params,
    /// Equal latency, measured on the devices the segments will run on.
    Latency,
    /// (bench only) both, side by side.
    Both,
}

#[derive(Args, Debug, Clone)]
pub struct BalanceArgs {
    /// How to place the cuts of --num-segments.
    #[arg(long, value_enum, default_value = "params")]
    pub balance: Balance,
    /// Latency balance: timed invokes per measurement (the median is used).
    #[arg(long, default_value_t = 5)]
    pub invokes: usize,
    /// Latency balance: stop when the slowest segment is within this fraction of the mean.
    #[arg(long, default_value_t = 0.05)]
    pub threshold: f64,
    /// Latency balance: calibration rounds at most.
    #[arg(long, default_value_t = 6)]
    pub max_rounds: usize,
    /// Latency balance: a shell command run on each candidate before it is measured, with
    /// {in} and {out} replaced by paths (e.g. the Edge TPU compiler on the host).
    #[arg(long)]
    pub compile_cmd: Option<String>,
}

/// What the latency search did, for the report.
#[derive(Serialize)]
pub struct LatencyReport {
    #[serde(flatten)]
    pub outcome: latency::Outcome,
    pub seconds: f64,
    /// What ran the CPU candidates.
    pub engine: String,
}

/// Latency-balanced bounds for `n` segments, starting from the parameter-balanced ones.
pub fn latency_bounds(
    model: &Model,
    n: usize,
    b: &BalanceArgs,
    device: &DeviceArgs,
) -> Result<(Vec<usize>, LatencyReport)> {
    let started = Instant::now();
    let params = partition::by_param_bytes(&model.graph, n)?;
    let ops = model.graph.order.len();
    let engine: EngineOptions = device.engine_options();
    let engine_name = device.cpu_runtime()?;
    let mut measurer = ModelMeasurer::new(
        model,
        engine.clone(),
        device.device_config(),
        b.invokes,
        b.compile_cmd.clone(),
    );
    let spinner = indicatif::ProgressBar::new_spinner();
    spinner.enable_steady_tick(std::time::Duration::from_millis(200));
    let whole_ns = {
        use edgepipe::partition::latency::Measure;
        spinner.set_message("measuring the whole model");
        measurer.measure(0, ops, 0).ok()
    };
    let settings = latency::Settings {
        segments: n,
        threshold: b.threshold,
        max_rounds: b.max_rounds,
    };
    let outcome = latency::search(&mut measurer, ops, &params, whole_ns, &settings, |m| {
        spinner.set_message(m.to_string())
    });
    spinner.finish_and_clear();
    let Some(outcome) = outcome else {
        bail!(
            "latency balance found no partition of {} into {n} segments that could be measured",
            model.path.display()
        );
    };
    Ok((
        outcome.best.bounds.clone(),
        LatencyReport {
            outcome,
            seconds: started.elapsed().as_secs_f64(),
            engine: engine_name,
        },
    ))
}

/// The latency report as text.
pub fn render(r: &LatencyReport) -> String {
    let mut out = String::new();
    let o = &r.outcome;
    outln!(
        out,
        "latency balance: {} measurements ({} failed) in {:.1} s, {} round(s), on {}",
        o.measurements,
        o.failed,
        r.seconds,
        o.rounds,
        r.engine
    );
    outln!(
        out,
        "  {:<20} {:<24} {:<32} {:>10} {:>14}",
        "partition",
        "cuts (positions)",
        "segment latency ms",
        "slowest ms",
        "predicted req/s"
    );
    for (name, m) in [
        ("parameter-balanced", &o.baseline),
        ("latency-balanced", &o.best),
    ] {
        let ms: Vec<String> = m
            .latency_ns
            .iter()
            .map(|ns| format!("{:.2}", ns / 1e6))
            .collect();
        let cuts = format!("{:?}", &m.bounds[1..m.bounds.len() - 1]);
        outln!(
            out,
            "  {:<20} {:<24} {:<32} {:>10.2} {:>14.2}",
            name,
            cuts,
            ms.join(", "),
            m.slowest_ns() / 1e6,
            m.predicted_per_s()
        );
    }
    if o.kept_baseline {
        outln!(
            out,
            "  (no measured cut beat the parameter-balanced one: kept it)"
        );
    }
    out
}
