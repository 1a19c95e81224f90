//! The planner driver against a synthetic device model it cannot see: with additive costs
//! (what its fit assumes) it finds the optimum of the true table; with costs it cannot
//! predict, its best plan is measured and never worse than libcoral's or data parallelism.
use super::*;
use crate::verify::SplitMix64;

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
    let mut rng = SplitMix64::new(5);
    for case in 0..60 {
        let (mut truth, devices) = instance(&mut rng, false);
        let ops = truth.params.len();
        let k = truth.overhead.len();
        let table = Costs::new(k, ops, |kind, s, e| Some(truth.ns(s, e, kind)));
        let mut counts = vec![0; k];
        devices.iter().for_each(|&d| counts[d] += 1);
        let best = search::search(&table, &counts, &Settings::default()).plans[0].per_s;
        let params = truth.params.clone();
        let mut profile = Profile::new(&mut truth, &params, kinds(k), |_| {}).unwrap();
        let planned = plan(&mut profile, &devices, &PlanSettings::default(), |_| {}).unwrap();
        let first = &planned.plans[0];
        assert!(
            close(first.plan.per_s, best),
            "case {case}: planner {} req/s, optimum {best}",
            first.plan.per_s
        );
        assert!(first.measured, "case {case}: the best plan was measured");
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
    let mut rng = SplitMix64::new(9);
    for case in 0..200 {
        let (truth, devices) = instance(&mut rng, true);
        let k = truth.overhead.len();
        let params = truth.params.clone();
        let ns = |s: usize, e: usize, kind: usize| truth.ns(s, e, kind);
        let truth_table = Costs::new(k, params.len(), |kind, s, e| Some(ns(s, e, kind)));
        let mut probe = Truth {
            calls: 0,
            ..instance_copy(&truth)
        };
        let mut profile = Profile::new(&mut probe, &params, kinds(k), |_| {}).unwrap();
        let planned = plan(&mut profile, &devices, &PlanSettings::default(), |_| {}).unwrap();
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
