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
//!
//! The same table predicts libcoral's plan (N segments of equal parameter bytes, one device
//! each) and pure data parallelism (the whole model on every device), and answers "what if
//! I had one device more, or one fewer, of this kind".

pub mod file;
pub mod search;

use std::collections::HashMap;

use serde::Serialize;

use crate::partition::{self, latency::Measure};
use search::{Costs, Goal, Outcome, Plan, Settings};

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
}

/// A kind of device: every device of a kind is assumed to run a segment equally fast.
#[derive(Debug, Clone, Serialize)]
pub struct Kind {
    /// Its name (cpu, pci, usb, tpu).
    pub name: String,
    /// Parameter cache of a TPU, in bytes (`None` for the CPU).
    pub cache_bytes: Option<u64>,
}

/// A kind's fitted latency model (nanoseconds).
#[derive(Debug, Clone, Serialize)]
pub struct KindModel {
    /// Per invoke.
    pub overhead_ns: f64,
    /// Scale of the summed op costs (refit from measured segments).
    pub scale: f64,
    /// Per parameter byte beyond the cache.
    pub offchip_ns_per_byte: f64,
    /// Prefix sums of each op's own cost.
    #[serde(skip)]
    prefix: Vec<f64>,
}

/// Measurements and the fitted models: the planner's view of the devices.
pub struct Profile<'a, M: Measure> {
    inner: &'a mut M,
    kinds: Vec<Kind>,
    models: Vec<KindModel>,
    params: Vec<u64>,
    seen: HashMap<(usize, usize, usize), Option<f64>>,
    /// Measurements made (cache misses), and those that failed.
    pub measurements: usize,
    /// Measurements that failed (segments that cannot run on a kind).
    pub failed: usize,
}

impl<'a, M: Measure> Profile<'a, M> {
    /// Measures every kind: the whole model, then each op alone, and fits the models.
    /// `op_params` are the parameter bytes of each op, in execution order.
    pub fn new(
        inner: &'a mut M,
        op_params: &[u64],
        kinds: Vec<Kind>,
        mut progress: impl FnMut(&str),
    ) -> Result<Self, PlanError> {
        let ops = op_params.len();
        if ops == 0 {
            return Err(PlanError::NoOps);
        }
        let mut params = vec![0u64];
        for &b in op_params {
            params.push(params[params.len() - 1] + b);
        }
        let mut profile = Profile {
            inner,
            models: Vec::new(),
            kinds,
            params,
            seen: HashMap::new(),
            measurements: 0,
            failed: 0,
        };
        for k in 0..profile.kinds.len() {
            progress(&format!("measuring on {}", profile.kinds[k].name));
            let model = profile.fit(k, ops)?;
            profile.models.push(model);
        }
        Ok(profile)
    }

    fn fit(&mut self, k: usize, ops: usize) -> Result<KindModel, PlanError> {
        let whole = self.get(0, ops, k);
        let single: Vec<Option<f64>> = (0..ops).map(|op| self.get(op, op + 1, k)).collect();
        let known: Vec<f64> = single.iter().flatten().copied().collect();
        let Some(min_single) = known.iter().copied().reduce(f64::min) else {
            return Err(PlanError::Unmeasurable {
                kind: self.kinds[k].name.clone(),
                cause: "no operator runs alone there".into(),
            });
        };
        let total: f64 = known.iter().sum();
        // Per invoke: what the ops alone pay beyond the whole model, at most 90 % of the
        // cheapest op alone.
        let mut overhead = 0.9 * min_single;
        if let Some(w) = whole.filter(|&w| ops > 1 && total > w) {
            overhead = overhead.min((total - w) / (ops - 1) as f64);
        }
        // An op that cannot run alone costs as much as the mean of the others.
        let mean = (total / known.len() as f64 - overhead).max(0.0);
        let mut prefix = vec![0.0];
        for s in &single {
            let own = s.map_or(mean, |s| (s - overhead).max(0.0));
            prefix.push(prefix[prefix.len() - 1] + own);
        }
        let mut model = KindModel {
            overhead_ns: overhead,
            scale: 1.0,
            offchip_ns_per_byte: 0.0,
            prefix,
        };
        // Off-chip: what the whole model costs beyond its ops, per byte past the cache.
        let excess = self.excess(k, 0, ops);
        if let (Some(w), true) = (whole, excess > 0) {
            let residual = w - (overhead + model.prefix[ops]);
            if residual > 0.0 {
                model.offchip_ns_per_byte = residual / excess as f64;
            }
        }
        Ok(model)
    }

    fn excess(&self, k: usize, start: usize, end: usize) -> u64 {
        self.kinds[k].cache_bytes.map_or(0, |c| {
            (self.params[end] - self.params[start]).saturating_sub(c)
        })
    }

    /// The measured latency of ops `start..end` on kind `k` (cached; `None` if it cannot
    /// run there).
    pub fn get(&mut self, start: usize, end: usize, k: usize) -> Option<f64> {
        if let Some(v) = self.seen.get(&(start, end, k)) {
            return *v;
        }
        self.measurements += 1;
        let v = self.inner.measure(start, end - start, k).ok();
        self.failed += usize::from(v.is_none());
        self.seen.insert((start, end, k), v);
        v
    }

    /// The model's prediction for ops `start..end` on kind `k`.
    pub fn predict(&self, start: usize, end: usize, k: usize) -> f64 {
        let m = &self.models[k];
        m.overhead_ns
            + m.scale * (m.prefix[end] - m.prefix[start])
            + m.offchip_ns_per_byte * self.excess(k, start, end) as f64
    }

    /// Whether ops `start..end` on kind `k` were measured.
    pub fn measured(&self, start: usize, end: usize, k: usize) -> bool {
        self.seen.contains_key(&(start, end, k))
    }

    /// Refits each kind's scale to the segments measured so far (longer than one op): the
    /// median of measured over predicted op cost.
    fn refit(&mut self) {
        for k in 0..self.kinds.len() {
            let m = &self.models[k];
            let mut ratios: Vec<f64> = self
                .seen
                .iter()
                .filter(|((s, e, kind), v)| *kind == k && e - s > 1 && v.is_some())
                .filter_map(|((s, e, _), v)| {
                    let ops = m.prefix[*e] - m.prefix[*s];
                    let fixed =
                        m.overhead_ns + m.offchip_ns_per_byte * self.excess(k, *s, *e) as f64;
                    (ops > 0.0).then(|| ((v.unwrap_or(0.0) - fixed) / ops).max(0.05))
                })
                .collect();
            if ratios.is_empty() {
                continue;
            }
            ratios.sort_by(f64::total_cmp);
            self.models[k].scale = ratios[ratios.len() / 2];
        }
    }

    /// The table the search reads: measured where measured, modelled elsewhere.
    pub fn costs(&self) -> Costs {
        let ops = self.params.len() - 1;
        Costs::new(self.kinds.len(), ops, |k, s, e| {
            match self.seen.get(&(s, e, k)) {
                Some(v) => *v,
                None => Some(self.predict(s, e, k)),
            }
        })
    }

    /// Measures every stage of `plan` on the kinds it uses; true if any was new.
    pub fn measure_plan(&mut self, plan: &Plan) -> bool {
        let mut new = false;
        for s in &plan.stages {
            for (k, &a) in s.replicas.iter().enumerate() {
                if a > 0 && !self.measured(s.start, s.end, k) {
                    new = true;
                    self.get(s.start, s.end, k);
                }
            }
        }
        new
    }

    /// The fitted models, per kind.
    pub fn models(&self) -> &[KindModel] {
        &self.models
    }

    /// The kinds.
    pub fn kinds(&self) -> &[Kind] {
        &self.kinds
    }

    /// Ops of the model.
    pub fn ops(&self) -> usize {
        self.params.len() - 1
    }
}

/// A plan and whether its prediction rests on measurements only.
#[derive(Debug, Clone, Serialize)]
pub struct Rated {
    /// The plan.
    #[serde(flatten)]
    pub plan: Plan,
    /// Every stage measured on every kind it uses.
    pub measured: bool,
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
    Rated { plan, measured }
}

/// Plans `devices[i]` (kind indices into `profile.kinds()`) for the profiled model.
///
/// libcoral's plan and pure data parallelism are measured first, so the search's table holds
/// their real latencies and the best plan is never predicted worse than either; then search
/// and measure the best plans' segments until they are all measured (or `max_rounds`). The
/// answer is ranked on the final table, with the two comparisons among the candidates.
pub fn plan<M: Measure>(
    profile: &mut Profile<M>,
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
    let op_params: Vec<u64> = profile.params.windows(2).map(|w| w[1] - w[0]).collect();
    let libcoral = libcoral_plan(&op_params, devices, kinds);
    let whole = vec![(0, ops, counts.clone())];
    for spec in libcoral.iter().chain([&whole]) {
        if let Some(p) = search::evaluate(&profile.costs(), spec) {
            profile.measure_plan(&p);
        }
    }
    let mut rounds = 0;
    let mut outcome: Outcome;
    loop {
        rounds += 1;
        progress(&format!("search round {rounds}"));
        outcome = search::search(&profile.costs(), &counts, &settings.search);
        let mut new = false;
        for p in outcome.plans.iter().take(settings.measure_top) {
            new |= profile.measure_plan(p);
        }
        if !new || rounds >= settings.max_rounds {
            break;
        }
        profile.refit();
    }
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
    search::rank(&mut candidates, settings.search.goal);
    candidates.dedup_by(|a, b| spec_of(a) == spec_of(b));
    if candidates.is_empty() {
        return Err(PlanError::NoPlan);
    }
    let what_if = what_if(profile, &counts, settings, &candidates[0]);
    Ok(Planned {
        kinds: profile.kinds().to_vec(),
        counts,
        plans: candidates.into_iter().map(|p| rate(profile, p)).collect(),
        exact: outcome.exact,
        gap: outcome.gap,
        libcoral: libcoral.map(|p| rate(profile, p)),
        data_parallel: data_parallel.map(|p| rate(profile, p)),
        what_if,
        models: profile.models().to_vec(),
        measurements: profile.measurements,
        failed: profile.failed,
        rounds,
    })
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
