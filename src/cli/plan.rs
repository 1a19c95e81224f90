//! `edgepipe plan`: how many segments, where to cut, how many replicas of each and on which
//! devices, from measured latencies ([`edgepipe::plan`]); writes the segments and a plan file.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;
use serde::Serialize;

use edgepipe::engine::DeviceSpec;
use edgepipe::engine::edgetpu::DeviceConfig;
use edgepipe::fsutil;
use edgepipe::model::{self, Model};
use edgepipe::partition::measure::ModelMeasurer;
use edgepipe::plan::file::{PlanFile, device_string, kind_name};
use edgepipe::plan::search::{Goal, Plan};
use edgepipe::plan::trial::{NoTrial, PipelineTrial, Trial};
use edgepipe::plan::{self, Kind, Planned, Profile, Rated};

use super::UsageError;
use super::device_args::DeviceArgs;

/// The Edge TPU's parameter cache (about 8 MiB, Coral's published figure).
const TPU_CACHE_BYTES: u64 = 8 << 20;
/// How long a trial run of a plan lasts at its predicted rate.
const TRIAL_SECONDS: f64 = 0.5;

#[derive(Args, Debug)]
pub struct PlanArgs {
    /// The .tflite model (a CPU model).
    pub model: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Write the best plan's segments and its plan file (`<stem>_plan.toml`) here.
    #[arg(long)]
    pub out_dir: Option<PathBuf>,
    /// Write an SVG chart of the best plan's stage times against its bottleneck.
    #[arg(long)]
    pub svg: Option<PathBuf>,
    /// Minimise latency among plans sustaining this many requests per second instead.
    #[arg(long)]
    pub min_per_s: Option<f64>,
    /// Plans shown.
    #[arg(long, default_value_t = 5)]
    pub top: usize,
    /// Timed invokes per measurement (on a TPU the fastest is used: host load only ever
    /// slows it down; on the CPU the median).
    #[arg(long, default_value_t = 5)]
    pub invokes: usize,
    /// A shell command run on each candidate before it is measured on a TPU, with {in} and
    /// {out} replaced by paths (e.g. the Edge TPU compiler).
    #[arg(long)]
    pub compile_cmd: Option<String>,
    /// Do not run the best plans for real before choosing (the measured table alone decides;
    /// no host cost is fitted).
    #[arg(long)]
    pub no_trial: bool,
    /// Requests per trial run of a plan (default: about half a second's worth at its
    /// predicted rate, 40 to 2000).
    #[arg(long, default_value_t = 0)]
    pub trial_requests: usize,
    /// Runtime and the devices to plan for (--devices, required: one entry per device).
    #[command(flatten)]
    pub device: DeviceArgs,
}

#[derive(Serialize)]
struct Report {
    model: PathBuf,
    devices: Vec<String>,
    seconds: f64,
    #[serde(flatten)]
    planned: Planned,
    /// The best plan's file, then libcoral's and data parallelism's.
    plan_files: Vec<PathBuf>,
}

/// The devices grouped by kind: the kinds, each device's kind, and each kind's devices.
fn group(specs: &[DeviceSpec]) -> (Vec<Kind>, Vec<usize>, Vec<Vec<String>>, Vec<DeviceSpec>) {
    let (mut kinds, mut of, mut names, mut reps) = (Vec::new(), Vec::new(), Vec::new(), vec![]);
    for spec in specs {
        let name = kind_name(spec);
        let k = match kinds.iter().position(|k: &Kind| k.name == name) {
            Some(k) => k,
            None => {
                kinds.push(Kind {
                    cache_bytes: (*spec != DeviceSpec::Cpu).then_some(TPU_CACHE_BYTES),
                    name,
                });
                names.push(Vec::new());
                reps.push(spec.clone());
                kinds.len() - 1
            }
        };
        of.push(k);
        names[k].push(device_string(spec));
    }
    (kinds, of, names, reps)
}

pub fn run(a: PlanArgs) -> Result<()> {
    let started = Instant::now();
    if a.device.devices.is_empty() {
        return Err(UsageError("give the devices to plan for: --devices SPEC,...".into()).into());
    }
    if a.min_per_s.is_some_and(|r| !(r > 0.0 && r.is_finite())) {
        return Err(UsageError("--min-per-s must be a positive number".into()).into());
    }
    let model = Model::open(&a.model)?;
    model::segment::check_cuttable(&model.graph)
        .with_context(|| format!("cannot plan {}", a.model.display()))?;
    let (kinds, of, names, reps) = group(&a.device.devices);
    let mut config = a.device.device_config();
    config.devices = Some(reps);
    let mut measurer = ModelMeasurer::new(
        &model,
        a.device.engine_options(),
        config.clone(),
        a.invokes,
        a.compile_cmd.clone(),
    )
    .fastest();
    let mut runs = trial_runs(&a, &model, config, &of, kinds.len());
    let mut off = NoTrial;
    let trial: &mut dyn Trial = if a.no_trial { &mut off } else { &mut runs };
    let g = &model.graph;
    let op_params: Vec<u64> = g.order.iter().map(|&op| g.ops[op].param_bytes).collect();
    let spinner = indicatif::ProgressBar::new_spinner();
    spinner.enable_steady_tick(std::time::Duration::from_millis(200));
    let progress = |m: &str| spinner.set_message(m.to_string());
    let mut profile = Profile::new(&mut measurer, &op_params, kinds, progress)?;
    let goal = a.min_per_s.map_or(Goal::Throughput, Goal::LatencyAt);
    let planned = plan::plan(
        &mut profile,
        trial,
        &of,
        &plan::settings_for(goal),
        progress,
    )
    .map_err(|e| match e {
        // The devices cannot do what was asked: the request must change (exit 2).
        plan::PlanError::Unreachable { .. } => {
            anyhow::Error::new(UsageError(format!("--min-per-s: {e}")))
        }
        e => e.into(),
    })?;
    spinner.finish_and_clear();
    let mut plan_files = Vec::new();
    if let Some(dir) = &a.out_dir {
        let compile = |start: usize, end: usize, k: usize| runs.segment(start, end - start, k);
        let out = Out {
            model: &model,
            names: &names,
            kinds: &planned.kinds,
            compile: a.compile_cmd.is_some().then_some(&compile as &Compile),
        };
        plan_files.push(out.write(&planned.plans[0].plan, dir)?);
        // The comparisons, each in its own directory, for `bench --plan A,B,C`.
        for (sub, base) in [
            ("libcoral", &planned.libcoral),
            ("data_parallel", &planned.data_parallel),
        ] {
            if let Some(b) = base {
                plan_files.push(out.write(&b.plan, &dir.join(sub))?);
            }
        }
    }
    if let Some(svg) = &a.svg {
        let chart = super::chart::plan_svg(&planned.plans[0].plan, &planned.kinds);
        edgepipe::fsutil::write_report(svg, chart.as_bytes(), &[&a.model])?;
    }
    let report = Report {
        model: a.model.clone(),
        devices: a.device.devices.iter().map(device_string).collect(),
        seconds: started.elapsed().as_secs_f64(),
        planned,
        plan_files,
    };
    if a.json {
        return super::emit(&(serde_json::to_string_pretty(&report)? + "\n"));
    }
    super::emit(&render(&report, a.top))
}

/// Runs plans for real on the devices given: a replica of kind `k` takes the next device of
/// that kind, as the plan file will give them out.
fn trial_runs<'a>(
    a: &PlanArgs,
    model: &'a Model,
    config: DeviceConfig,
    of: &[usize],
    kinds: usize,
) -> PipelineTrial<'a> {
    let per_kind: Vec<Vec<DeviceSpec>> = (0..kinds)
        .map(|k| {
            let mine = a.device.devices.iter().zip(of).filter(|(_, o)| **o == k);
            mine.map(|(d, _)| d.clone()).collect()
        })
        .collect();
    PipelineTrial::new(
        model,
        a.device.engine_options(),
        config,
        per_kind,
        a.compile_cmd.clone(),
        a.trial_requests,
        TRIAL_SECONDS,
    )
}

/// Ops `start..end` compiled for kind `k` (with `--compile-cmd`).
type Compile<'a> = dyn Fn(usize, usize, usize) -> Result<Vec<u8>, String> + 'a;

/// Where plans are written from: the model, each kind's devices, and the compiler.
struct Out<'a> {
    model: &'a Model,
    names: &'a [Vec<String>],
    kinds: &'a [Kind],
    compile: Option<&'a Compile<'a>>,
}

impl Out<'_> {
    /// Writes the plan's segments (proven against the model), each stage on a TPU kind also
    /// compiled for it when there is a compile command, and its plan file, into `dir`.
    fn write(&self, plan: &Plan, dir: &Path) -> Result<PathBuf> {
        let model = self.model;
        let segments = model::cut(model, &plan.bounds())
            .with_context(|| format!("cannot segment {}", model.path.display()))?;
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let n = segments.len();
        let files: Vec<PathBuf> = (0..n)
            .map(|i| PathBuf::from(model::segment_file_name(&model.stem(), i, n)))
            .collect();
        let paths: Vec<PathBuf> = files.iter().map(|f| dir.join(f)).collect();
        super::segment::write_proven(model, &segments, &paths, false)?;
        let model_path = std::path::absolute(&model.path).unwrap_or_else(|_| model.path.clone());
        let mut file = PlanFile::from_plan(&model_path, plan, self.names, &files);
        if let Some(compile) = self.compile {
            for (i, (stage, out)) in plan.stages.iter().zip(&mut file.stages).enumerate() {
                let on_tpu = (0..self.kinds.len())
                    .find(|&k| stage.replicas[k] > 0 && self.kinds[k].cache_bytes.is_some());
                let Some(k) = on_tpu else { continue };
                let bytes = compile(stage.start, stage.end, k).map_err(|e| {
                    anyhow::anyhow!(
                        "compiling stage {i} (ops {}..{}): {e}",
                        stage.start,
                        stage.end
                    )
                })?;
                let name = PathBuf::from(
                    files[i]
                        .to_string_lossy()
                        .replace(".tflite", "_edgetpu.tflite"),
                );
                let earlier = |_: &Path, old: &[u8]| old.get(4..8) == Some(b"TFL3".as_slice());
                let policy = fsutil::WritePolicy {
                    replaceable: Some((&earlier, "an earlier compiled segment".into())),
                    ..fsutil::WritePolicy::new(&[&model.path])
                };
                fsutil::write_file(&dir.join(&name), &bytes, &policy)?;
                out.compiled = Some(name);
            }
        }
        let path = dir.join(format!("{}_plan.toml", model.stem()));
        file.save(&path)?;
        Ok(path)
    }
}

/// "2 pci + 1 usb".
fn replicas(counts: &[usize], kinds: &[Kind]) -> String {
    let parts: Vec<String> = counts
        .iter()
        .zip(kinds)
        .filter(|(c, _)| **c > 0)
        .map(|(c, k)| format!("{c} {}", k.name))
        .collect();
    parts.join(" + ")
}

fn plan_line(label: &str, r: &Rated, kinds: &[Kind]) -> String {
    let stages: Vec<String> = r
        .plan
        .stages
        .iter()
        .map(|s| format!("{}..{} on {}", s.start, s.end, replicas(&s.replicas, kinds)))
        .collect();
    let ran = r.tried_per_s.map_or("-".to_string(), |t| format!("{t:.2}"));
    format!(
        "  {:<16} {:>10.2} {:>10} {:>10.2}  {}{}",
        label,
        r.plan.per_s,
        ran,
        r.plan.latency_ms,
        stages.join(" | "),
        if r.measured { "" } else { "  (modelled)" }
    )
}

fn render(r: &Report, top: usize) -> String {
    let mut out = String::new();
    let p = &r.planned;
    outln!(
        out,
        "{}: planned for {} ({} measurements, {} failed, {} plans run, {} round(s), {:.1} s; \
         host {:.3} ms per stage replica; search {})",
        r.model.display(),
        r.devices.join(","),
        p.measurements,
        p.failed,
        p.trials,
        p.rounds,
        r.seconds,
        p.host_ms,
        if p.exact {
            "exact".to_string()
        } else {
            format!("on a grid, within {:.1} %", 100.0 * p.gap)
        }
    );
    outln!(
        out,
        "  {:<16} {:>10} {:>10} {:>10}  stages (op positions on devices)",
        "plan",
        "req/s",
        "ran req/s",
        "latency ms"
    );
    for (i, rated) in p.plans.iter().take(top.max(1)).enumerate() {
        out.push_str(&plan_line(&format!("#{}", i + 1), rated, &p.kinds));
        out.push('\n');
    }
    for (label, base) in [
        ("libcoral N-way", &p.libcoral),
        ("data parallel", &p.data_parallel),
    ] {
        if let Some(b) = base {
            out.push_str(&plan_line(label, b, &p.kinds));
            out.push('\n');
        }
    }
    outln!(out, "what if (best plan):");
    let best = p.plans[0].plan.per_s;
    for w in &p.what_if {
        let label = format!("{} {}", if w.change > 0 { "+1" } else { "-1" }, w.kind);
        match &w.best {
            Some(b) => {
                out.push_str(&plan_line(&label, b, &p.kinds));
                outln!(out, "  {:<16} {:>9.2}x", "", b.plan.per_s / best);
            }
            None => outln!(out, "  {label:<16} no plan"),
        }
    }
    for f in &r.plan_files {
        outln!(out, "plan file: {}", f.display());
    }
    out
}
