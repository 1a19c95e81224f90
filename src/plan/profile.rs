//! The planner's view of the devices: measured latencies per op range and device kind
//! (cached), the model fitted to them per kind, the host's per-stage cost fitted to the
//! plans tried for real, and the table the search reads.

use std::collections::HashMap;

use serde::Serialize;

use crate::partition::latency::Measure;

use super::PlanError;
use super::search::{self, Costs, Plan};
use super::trial::{self, Spec, Trial};
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
    /// Plans run for real: requests per second measured (`None`: it could not run).
    tried: HashMap<Spec, Option<f64>>,
    /// The host's time per stage replica and request, in nanoseconds (fitted to the plans
    /// tried; 0 before any).
    host_ns: f64,
    /// Measurements made (cache misses), and those that failed.
    pub measurements: usize,
    /// Measurements that failed (segments that cannot run on a kind).
    pub failed: usize,
    /// Plans run for real (cache misses that ran).
    pub trials: usize,
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
            tried: HashMap::new(),
            host_ns: 0.0,
            measurements: 0,
            failed: 0,
            trials: 0,
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
    pub(super) fn refit(&mut self) {
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

    /// The devices' times: measured where measured, modelled elsewhere.
    pub fn device_costs(&self) -> Costs {
        self.table(0.0)
    }

    /// The table the search reads: each device's time (as [`Profile::device_costs`]) plus
    /// the host's time per stage replica ([`Profile::host_ns`]).
    pub fn costs(&self) -> Costs {
        self.table(self.host_ns)
    }

    fn table(&self, host: f64) -> Costs {
        let ops = self.params.len() - 1;
        Costs::new(self.kinds.len(), ops, |k, s, e| {
            let device = match self.seen.get(&(s, e, k)) {
                Some(v) => *v,
                None => Some(self.predict(s, e, k)),
            };
            device.map(|t| t + host)
        })
    }

    /// The host's fitted time per stage replica and request, in nanoseconds.
    pub fn host_ns(&self) -> f64 {
        self.host_ns
    }

    /// Runs the plan with these stages for real, once (cached); true if it was new.
    pub fn try_plan(&mut self, trial: &mut dyn Trial, spec: &Spec) -> bool {
        if self.tried.contains_key(spec) {
            return false;
        }
        let predicted = search::evaluate(&self.costs(), spec).map_or(0.0, |p| p.per_s);
        let got = trial
            .run(spec, predicted)
            .ok()
            .filter(|r| *r > 0.0 && r.is_finite());
        self.trials += usize::from(got.is_some());
        self.tried.insert(spec.clone(), got);
        true
    }

    /// What the plan with these stages measured when it was run for real.
    pub fn tried(&self, spec: &Spec) -> Option<f64> {
        self.tried.get(spec).copied().flatten()
    }

    /// Refits the host's time per stage replica: the median over the plans run of the time
    /// that makes each one's prediction from the devices' times equal its measured rate.
    pub fn fit_host(&mut self) {
        let devices = self.device_costs();
        let mut each: Vec<f64> = self
            .tried
            .iter()
            .filter_map(|(spec, got)| trial::host_for(&devices, spec, (*got)?))
            .collect();
        if !each.is_empty() {
            self.host_ns = trial::median(&mut each);
        }
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

    /// The parameter bytes of each op, in execution order.
    pub fn op_params(&self) -> Vec<u64> {
        self.params.windows(2).map(|w| w[1] - w[0]).collect()
    }
}
