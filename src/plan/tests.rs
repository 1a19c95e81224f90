//! The planner driver against a synthetic device model it cannot see, and a host cost per
//! stage replica it only sees in the plans it runs: with additive costs (what its fit
//! assumes) it finds the optimum of the true table; with costs it cannot predict, its best
//! plan is measured and never worse than libcoral's or data parallelism; with runs that no
//! table explains, the plan chosen is never worse than either as they ran.
use super::*;
use crate::verify::SplitMix64;
use search::Costs;
use trial::NoTrial;

/// Runs plans on the hidden truth: every stage replica pays `host` ns beyond its device
/// time, and each plan's rate is scaled by a factor of 1 - `spread`..1 + `spread` fixed per
/// plan (what a run under load may do).
struct TruthTrial {
    table: Costs,
    host: f64,
    spread: f64,
    calls: usize,
}

impl TruthTrial {
    fn new(truth: &Truth, host: f64, spread: f64) -> TruthTrial {
        let (k, ops) = (truth.overhead.len(), truth.params.len());
        TruthTrial {
            table: Costs::new(k, ops, |kind, s, e| Some(truth.ns(s, e, kind))),
            host,
            spread,
            calls: 0,
        }
    }

    /// What the plan really sustains (before the spread).
    fn per_s(&self, spec: &[(usize, usize, Vec<usize>)]) -> f64 {
        let k = self.table.kinds();
        let with_host = Costs::new(k, self.table.ops(), |kind, s, e| {
            self.table.get(kind, s, e).map(|t| t + self.host)
        });
        search::evaluate(&with_host, spec).unwrap().per_s
    }
}

impl Trial for TruthTrial {
    fn run(&mut self, spec: &[(usize, usize, Vec<usize>)], _: f64) -> Result<f64, String> {
        self.calls += 1;
        let mut h = 7u64;
        for (s, e, a) in spec {
            h = h.wrapping_mul(31).wrapping_add((s * 1000 + e) as u64);
            a.iter()
                .for_each(|&x| h = h.wrapping_mul(17).wrapping_add(x as u64));
        }
        let u = (SplitMix64::new(h).next_u64() % 1001) as f64 / 1000.0;
        Ok(self.per_s(spec) * (1.0 + self.spread * (2.0 * u - 1.0)))
    }
}

/// Hidden truth: per kind an overhead, each op's cost, an off-chip cost per byte past the
/// cache, and optionally a non-additive term per range (which the planner cannot predict).
struct Truth {
    overhead: Vec<f64>,
    op: Vec<Vec<f64>>,
    params: Vec<u64>,
    cache: u64,
    offchip: Vec<f64>,
    noise: bool,
    calls: usize,
}

impl Truth {
    fn ns(&self, start: usize, end: usize, k: usize) -> f64 {
        let bytes: u64 = self.params[start..end].iter().sum();
        let mut t = self.overhead[k]
            + self.op[k][start..end].iter().sum::<f64>()
            + self.offchip[k] * bytes.saturating_sub(self.cache) as f64;
        if self.noise && end - start > 1 {
            let h = SplitMix64::new((start * 131 + end * 7 + k) as u64).next_u64();
            t *= 0.5 + (h % 200) as f64 / 100.0;
        }
        t
    }
}

impl Measure for Truth {
    fn measure(&mut self, start: usize, len: usize, device: usize) -> Result<f64, String> {
        self.calls += 1;
        Ok(self.ns(start, start + len, device))
    }
}

fn instance(rng: &mut SplitMix64, noise: bool) -> (Truth, Vec<usize>) {
    let below = |rng: &mut SplitMix64, n: u64| rng.next_u64() % n;
    let ops = 3 + below(rng, 8) as usize;
    let kinds = 1 + below(rng, 2) as usize;
    let overhead: Vec<f64> = (0..kinds)
        .map(|_| 1e5 * (1 + below(rng, 9)) as f64)
        .collect();
    let op = (0..kinds)
        .map(|k| {
            (0..ops)
                .map(|_| overhead[k] * (1.0 + below(rng, 40) as f64 / 10.0))
                .collect()
        })
        .collect();
    let params = (0..ops).map(|_| below(rng, 5_000_000)).collect();
    let offchip = (0..kinds).map(|_| below(rng, 3) as f64 * 0.1).collect();
    let devices: Vec<usize> = (0..1 + below(rng, 5))
        .map(|_| below(rng, kinds as u64) as usize)
        .collect();
    let truth = Truth {
        overhead,
        op,
        params,
        cache: 8 << 20,
        offchip,
        noise,
        calls: 0,
    };
    (truth, devices)
}

fn kinds(n: usize) -> Vec<Kind> {
    (0..n)
        .map(|k| Kind {
            name: format!("k{k}"),
            cache_bytes: Some(8 << 20),
        })
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

#[test]
fn with_additive_costs_the_planner_finds_the_true_optimum() {
    let (mut rng, mut hosts) = (SplitMix64::new(5), SplitMix64::new(77));
    for case in 0..60 {
        let (mut truth, devices) = instance(&mut rng, false);
        let ops = truth.params.len();
        let k = truth.overhead.len();
        // Half the cases without a host cost, half with one up to about an op's cost.
        let host = (case % 2) as f64 * (hosts.next_u64() % 500_000) as f64;
        let mut runs = TruthTrial::new(&truth, host, 0.0);
        let table = Costs::new(k, ops, |kind, s, e| Some(truth.ns(s, e, kind) + host));
        let mut counts = vec![0; k];
        devices.iter().for_each(|&d| counts[d] += 1);
        let best = search::search(&table, &counts, &Settings::default()).plans[0].per_s;
        let params = truth.params.clone();
        let mut profile = Profile::new(&mut truth, &params, kinds(k), |_| {}).unwrap();
        let settings = PlanSettings::default();
        let planned = plan(&mut profile, &mut runs, &devices, &settings, |_| {}).unwrap();
        let first = &planned.plans[0];
        assert!(
            close(first.plan.per_s, best),
            "case {case}: planner {} req/s, optimum {best} (host {host} ns, fitted {} ms)",
            first.plan.per_s,
            planned.host_ms
        );
        assert!(first.measured, "case {case}: the best plan was measured");
        assert!(
            first.tried_per_s.is_some_and(|t| close(t, best)),
            "case {case}: the best plan was run: {:?}",
            first.tried_per_s
        );
        for w in &planned.what_if {
            let got = w.best.as_ref().map_or(0.0, |b| b.plan.per_s);
            match w.change {
                1 => assert!(
                    got >= best * (1.0 - 1e-9),
                    "case {case}: one more {}",
                    w.kind
                ),
                _ => assert!(
                    got <= best * (1.0 + 1e-9),
                    "case {case}: one fewer {}",
                    w.kind
                ),
            }
        }
        let lc = planned.libcoral.as_ref().unwrap();
        assert_eq!(lc.plan.stages.len(), devices.len().min(ops));
        assert!(
            lc.plan
                .stages
                .iter()
                .all(|s| s.replicas.iter().sum::<usize>() == 1)
        );
        let dp = planned.data_parallel.as_ref().unwrap();
        assert_eq!(dp.plan.stages.len(), 1);
        assert_eq!(dp.plan.stages[0].replicas, counts);
    }
}

#[test]
fn with_unpredictable_costs_the_best_plan_is_measured_and_beats_both_baselines() {
    let (mut rng, mut hosts) = (SplitMix64::new(9), SplitMix64::new(78));
    for case in 0..200 {
        let (truth, devices) = instance(&mut rng, true);
        let k = truth.overhead.len();
        let params = truth.params.clone();
        // Every other case runs the plans (with a host cost), the others only measure.
        let host = (case % 2) as f64 * (hosts.next_u64() % 500_000) as f64;
        let ns = |s: usize, e: usize, kind: usize| truth.ns(s, e, kind) + host;
        let truth_table = Costs::new(k, params.len(), |kind, s, e| Some(ns(s, e, kind)));
        let mut runs = TruthTrial::new(&truth, host, 0.0);
        let mut off = NoTrial;
        let trial: &mut dyn Trial = if case % 2 == 1 { &mut runs } else { &mut off };
        let mut probe = Truth {
            calls: 0,
            ..instance_copy(&truth)
        };
        let mut profile = Profile::new(&mut probe, &params, kinds(k), |_| {}).unwrap();
        let settings = PlanSettings::default();
        let planned = plan(&mut profile, trial, &devices, &settings, |_| {}).unwrap();
        let first = &planned.plans[0];
        assert!(first.measured, "case {case}");
        let real = search::evaluate(&truth_table, &spec_of(&first.plan)).unwrap();
        assert!(
            close(first.plan.per_s, real.per_s),
            "case {case}: predicted = measured"
        );
        for base in [&planned.libcoral, &planned.data_parallel] {
            let base = base.as_ref().unwrap();
            let real = search::evaluate(&truth_table, &spec_of(&base.plan)).unwrap();
            assert!(
                first.plan.per_s >= real.per_s * (1.0 - 1e-9),
                "case {case}: best {} < baseline {}",
                first.plan.per_s,
                real.per_s
            );
        }
        // One more device never gives less than the best plan (it may stay idle).
        for w in planned.what_if.iter().filter(|w| w.change == 1) {
            let got = w.best.as_ref().map_or(0.0, |b| b.plan.per_s);
            assert!(
                got >= first.plan.per_s * (1.0 - 1e-9),
                "case {case}: one more {} gives {got} < {}",
                w.kind,
                first.plan.per_s
            );
        }
        // Each range is measured once per kind at most.
        assert_eq!(probe.calls, planned.measurements);
    }
}

#[test]
fn with_runs_no_table_explains_the_chosen_plan_ran_at_least_as_fast_as_both_baselines() {
    let mut rng = SplitMix64::new(13);
    for case in 0..200 {
        let (mut truth, devices) = instance(&mut rng, case % 2 == 0);
        let k = truth.overhead.len();
        let params = truth.params.clone();
        let host = (rng.next_u64() % 500_000) as f64;
        let mut runs = TruthTrial::new(&truth, host, 0.4);
        let mut profile = Profile::new(&mut truth, &params, kinds(k), |_| {}).unwrap();
        let settings = PlanSettings::default();
        let planned = plan(&mut profile, &mut runs, &devices, &settings, |_| {}).unwrap();
        let first = planned.plans[0].tried_per_s;
        assert!(first.is_some(), "case {case}: the chosen plan was run");
        for base in [&planned.libcoral, &planned.data_parallel] {
            let ran = base.as_ref().unwrap().tried_per_s.unwrap();
            assert!(
                first.unwrap() >= ran,
                "case {case}: chosen ran {first:?} < baseline {ran}"
            );
        }
        // Every plan run is the best of those run, and each was run once.
        let best_run = planned
            .plans
            .iter()
            .filter_map(|p| p.tried_per_s)
            .reduce(f64::max);
        assert_eq!(first, best_run, "case {case}");
        assert_eq!(
            runs.calls, planned.trials,
            "case {case}: each plan run once"
        );
    }
}

fn instance_copy(t: &Truth) -> Truth {
    Truth {
        overhead: t.overhead.clone(),
        op: t.op.clone(),
        params: t.params.clone(),
        cache: t.cache,
        offchip: t.offchip.clone(),
        noise: t.noise,
        calls: t.calls,
    }
}
