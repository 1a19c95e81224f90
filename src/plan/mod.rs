//! Planning the devices: how many segments, where to cut, how many replicas of each segment
//! and on which devices, chosen from measured latencies to maximise throughput (or to
//! minimise latency at a required throughput).
//!
//! 1. Measure, per device kind, the whole model and each op alone (cached by op range and
//!    kind, as `--balance latency` does), and fit a model per kind: a per-invoke overhead,
//!    each op's own cost, and an off-chip cost per parameter byte beyond a TPU's cache.
//! 2. Fill a table of every op range on every kind: measured where measured, modelled
//!    elsewhere, and search it exactly ([`search`]).
//! 3. Measure the segments the best plans use, refit, and search again, until the best
//!    plans are predicted from measurements only.
//! 4. Run the best few plans for real, with libcoral's plan and data parallelism, in a short
//!    pipeline each ([`trial`]); fit the host's time per stage replica to those runs, add it
//!    to the table and search again, until the best plans have all been run. The plans run
//!    are ranked by what they measured, so the chosen plan is never worse, as measured in
//!    the same session, than libcoral's or data parallelism.
//!
//! The same table predicts libcoral's plan (N segments of equal parameter bytes, one device
//! each) and pure data parallelism (the whole model on every device), and answers "what if
//! I had one device more, or one fewer, of this kind".

pub mod file;
mod profile;
pub mod search;
pub mod trial;

use serde::Serialize;

use crate::partition;
use crate::partition::latency::Measure;
pub use profile::{Kind, KindModel, Profile};
use search::{Goal, Outcome, Plan, Settings};
use trial::{Spec, Trial};

/// Why no plan could be made.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// No devices.
    #[error("give at least one device to plan for")]
    NoDevices,
    /// The model has no ops.
    #[error("the model has no operators to plan")]
    NoOps,
    /// A kind cannot run the whole model nor any op alone.
    #[error("cannot measure the model on {kind}: {cause}")]
    Unmeasurable {
        /// The device kind.
        kind: String,
        /// Why.
        cause: String,
    },
    /// Nothing fits.
    #[error("no plan runs every operator on the devices given")]
    NoPlan,
    /// No plan sustains the throughput asked for.
    #[error(
        "no plan sustains {wanted:.2} requests per second on these devices (the fastest is \
         predicted at {best:.2}): ask for less, or add devices"
    )]
    Unreachable {
        /// Requests per second asked for.
        wanted: f64,
        /// What the fastest plan is predicted to sustain.
        best: f64,
    },
}

/// A plan and whether its prediction rests on measurements only.
#[derive(Debug, Clone, Serialize)]
pub struct Rated {
    /// The plan.
    #[serde(flatten)]
    pub plan: Plan,
    /// Every stage measured on every kind it uses.
    pub measured: bool,
    /// Requests per second it sustained when it was run for real (a short pipeline), if it
    /// was.
    pub tried_per_s: Option<f64>,
}

/// What-if: the best plan with one device more or fewer of a kind.
#[derive(Debug, Clone, Serialize)]
pub struct WhatIf {
    /// The kind.
    pub kind: String,
    /// +1 or -1.
    pub change: i32,
    /// Devices per kind then.
    pub counts: Vec<usize>,
    /// The best plan then, if any.
    pub best: Option<Rated>,
}

/// The planner's answer.
#[derive(Debug, Clone, Serialize)]
pub struct Planned {
    /// The kinds, in the order replica vectors count them.
    pub kinds: Vec<Kind>,
    /// Devices per kind.
    pub counts: Vec<usize>,
    /// The best plans, best first (the first is measured).
    pub plans: Vec<Rated>,
    /// The search over the final table: exact or not, and its gap.
    pub exact: bool,
    /// How far the first plan may be from the table's optimum (0 when exact).
    pub gap: f64,
    /// libcoral's plan: one segment per device, equal parameter bytes.
    pub libcoral: Option<Rated>,
    /// Pure data parallelism: the whole model on every device.
    pub data_parallel: Option<Rated>,
    /// One device more or fewer of each kind.
    pub what_if: Vec<WhatIf>,
    /// The fitted models per kind.
    pub models: Vec<KindModel>,
    /// Measurements made, and failed.
    pub measurements: usize,
    /// Measurements that failed.
    pub failed: usize,
    /// Search rounds.
    pub rounds: usize,
    /// Plans run for real.
    pub trials: usize,
    /// The host's time per stage replica and request, fitted to those runs (ms).
    pub host_ms: f64,
}

/// Planner settings.
#[derive(Debug, Clone)]
pub struct PlanSettings {
    /// The search.
    pub search: Settings,
    /// Measure-and-search rounds at most.
    pub max_rounds: usize,
    /// Plans whose segments get measured each round.
    pub measure_top: usize,
}

impl Default for PlanSettings {
    fn default() -> Self {
        PlanSettings {
            search: Settings::default(),
            max_rounds: 8,
            measure_top: 3,
        }
    }
}

fn rate<M: Measure>(profile: &Profile<M>, plan: Plan) -> Rated {
    let measured = plan.stages.iter().all(|s| {
        s.replicas
            .iter()
            .enumerate()
            .all(|(k, &a)| a == 0 || profile.measured(s.start, s.end, k))
    });
    let tried_per_s = profile.tried(&spec_of(&plan));
    Rated {
        plan,
        measured,
        tried_per_s,
    }
}

/// Plans `devices[i]` (kind indices into `profile.kinds()`) for the profiled model, running
/// candidates for real with `trial` ([`trial::NoTrial`]: the table alone decides).
///
/// libcoral's plan and pure data parallelism are measured and run first, so the search's
/// table holds their real latencies and the host's cost; then search, measure the best
/// plans' segments and run the plans, until the best are all measured and run (or
/// `max_rounds`). The answer is ranked on the final table, with the two comparisons among the
/// candidates, and the plans run ranked first, by what they measured.
pub fn plan<M: Measure>(
    profile: &mut Profile<M>,
    trial: &mut dyn Trial,
    devices: &[usize],
    settings: &PlanSettings,
    mut progress: impl FnMut(&str),
) -> Result<Planned, PlanError> {
    if devices.is_empty() {
        return Err(PlanError::NoDevices);
    }
    let kinds = profile.kinds().len();
    let mut counts = vec![0usize; kinds];
    devices.iter().for_each(|&k| counts[k] += 1);
    let ops = profile.ops();
    let libcoral = libcoral_plan(&profile.op_params(), devices, kinds);
    let whole = vec![(0, ops, counts.clone())];
    let baselines: Vec<Spec> = libcoral.iter().cloned().chain([whole.clone()]).collect();
    for spec in &baselines {
        if let Some(p) = search::evaluate(&profile.costs(), spec) {
            profile.measure_plan(&p);
        }
    }
    progress("running libcoral's plan and data parallelism");
    for spec in &baselines {
        profile.try_plan(trial, spec);
    }
    profile.fit_host();
    let (outcome, rounds) = rounds(profile, trial, &counts, settings, &mut progress);
    let costs = profile.costs();
    let libcoral = libcoral.and_then(|spec| search::evaluate(&costs, &spec));
    let data_parallel = search::evaluate(&costs, &whole);
    let mut candidates: Vec<Plan> = outcome
        .plans
        .iter()
        .filter_map(|p| search::evaluate(&costs, &spec_of(p)))
        .chain(libcoral.clone())
        .chain(data_parallel.clone())
        .collect();
    if let Goal::LatencyAt(wanted) = settings.search.goal {
        candidates.retain(|p| p.per_s >= wanted);
        if candidates.is_empty() {
            let fastest = search::search(&costs, &counts, &Settings::default());
            let best = fastest.plans.first().map_or(0.0, |p| p.per_s);
            return Err(PlanError::Unreachable { wanted, best });
        }
    }
    search::rank(&mut candidates, settings.search.goal);
    candidates.dedup_by(|a, b| spec_of(a) == spec_of(b));
    if candidates.is_empty() {
        return Err(PlanError::NoPlan);
    }
    let mut plans: Vec<Rated> = candidates.into_iter().map(|p| rate(profile, p)).collect();
    if settings.search.goal == Goal::Throughput {
        // The plans run first, by what they measured; the others keep the table's order.
        plans.sort_by(|a, b| match (a.tried_per_s, b.tried_per_s) {
            (Some(x), Some(y)) => y.total_cmp(&x),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
    }
    let what_if = what_if(profile, &counts, settings, &plans[0].plan);
    Ok(Planned {
        kinds: profile.kinds().to_vec(),
        counts,
        plans,
        exact: outcome.exact,
        gap: outcome.gap,
        libcoral: libcoral.map(|p| rate(profile, p)),
        data_parallel: data_parallel.map(|p| rate(profile, p)),
        what_if,
        models: profile.models().to_vec(),
        measurements: profile.measurements,
        failed: profile.failed,
        rounds,
        trials: profile.trials,
        host_ms: profile.host_ns() / 1e6,
    })
}

/// Search, measure the best plans' segments (refitting each kind's model) and run those
/// plans (refitting the host's cost), until a round finds nothing new or `max_rounds`; then
/// a last search whose best plans are measured and run too. Returns the last search and the
/// rounds made.
fn rounds<M: Measure>(
    profile: &mut Profile<M>,
    trial: &mut dyn Trial,
    counts: &[usize],
    settings: &PlanSettings,
    progress: &mut impl FnMut(&str),
) -> (Outcome, usize) {
    let mut rounds = 0;
    loop {
        rounds += 1;
        progress(&format!("search round {rounds}"));
        let outcome = search::search(&profile.costs(), counts, &settings.search);
        let new = measure_and_run(profile, trial, &outcome, settings.measure_top);
        if !new || rounds >= settings.max_rounds {
            if new {
                let last = search::search(&profile.costs(), counts, &settings.search);
                measure_and_run(profile, trial, &last, settings.measure_top);
                return (last, rounds);
            }
            return (outcome, rounds);
        }
    }
}

/// Measures the segments of the best `top` plans of `outcome` and runs each plan that can
/// then be predicted from measurements only, refitting; true if anything was new.
fn measure_and_run<M: Measure>(
    profile: &mut Profile<M>,
    trial: &mut dyn Trial,
    outcome: &Outcome,
    top: usize,
) -> bool {
    let mut new = false;
    for p in outcome.plans.iter().take(top) {
        new |= profile.measure_plan(p);
    }
    if new {
        profile.refit();
    }
    for p in outcome.plans.iter().take(top) {
        if rate(profile, p.clone()).measured {
            new |= profile.try_plan(trial, &spec_of(p));
        }
    }
    profile.fit_host();
    new
}

/// A plan's stages as (start, end, replicas per kind).
pub fn spec_of(p: &Plan) -> Vec<(usize, usize, Vec<usize>)> {
    p.stages
        .iter()
        .map(|s| (s.start, s.end, s.replicas.clone()))
        .collect()
}

/// libcoral's plan: as many segments as devices (at most one per op), equal parameter
/// bytes, segment `i` on device `i`.
pub fn libcoral_plan(
    op_params: &[u64],
    devices: &[usize],
    kinds: usize,
) -> Option<Vec<(usize, usize, Vec<usize>)>> {
    let n = devices.len().min(op_params.len());
    let bounds = partition::by_weights(op_params, n).ok()?;
    Some(
        bounds
            .windows(2)
            .zip(devices)
            .map(|(w, &k)| {
                let mut replicas = vec![0; kinds];
                replicas[k] = 1;
                (w[0], w[1], replicas)
            })
            .collect(),
    )
}

/// The best plan with one device more, and one fewer, of each kind present: searched and
/// measured in rounds like the plan itself. One more device may stay idle, so that answer is
/// never below the current best (`best`, measured).
fn what_if<M: Measure>(
    profile: &mut Profile<M>,
    counts: &[usize],
    settings: &PlanSettings,
    best: &Plan,
) -> Vec<WhatIf> {
    let mut out = Vec::new();
    for k in 0..counts.len() {
        if counts[k] == 0 {
            continue;
        }
        for change in [1i32, -1] {
            let mut c = counts.to_vec();
            c[k] = (c[k] as i32 + change) as usize;
            if c.iter().sum::<usize>() == 0 {
                continue;
            }
            let mut outcome = search::search(&profile.costs(), &c, &settings.search);
            for _ in 0..settings.max_rounds {
                let mut new = false;
                for p in outcome.plans.iter().take(settings.measure_top) {
                    new |= profile.measure_plan(p);
                }
                if !new {
                    break;
                }
                profile.refit();
                outcome = search::search(&profile.costs(), &c, &settings.search);
            }
            let costs = profile.costs();
            let mut candidates: Vec<Plan> = outcome
                .plans
                .iter()
                .chain((change > 0).then_some(best))
                .filter_map(|p| search::evaluate(&costs, &spec_of(p)))
                .collect();
            search::rank(&mut candidates, settings.search.goal);
            out.push(WhatIf {
                kind: profile.kinds()[k].name.clone(),
                change,
                counts: c,
                best: candidates.into_iter().next().map(|p| rate(profile, p)),
            });
        }
    }
    out
}

/// Search settings for a goal.
pub fn settings_for(goal: Goal) -> PlanSettings {
    PlanSettings {
        search: Settings {
            goal,
            ..Settings::default()
        },
        ..PlanSettings::default()
    }
}

#[cfg(test)]
mod tests;
