//! Latency-balanced cuts: minimise the slowest segment as measured on the devices the
//! segments will run on.
//!
//! libcoral's profiling partitioner bisects a target latency and grows segments greedily,
//! measuring each candidate. Measurements are the expensive part (minutes on real TPUs, and an
//! InceptionV3 invoke takes seconds on the CPU reference kernels here), so this search spends
//! them differently:
//!
//! 1. Estimate every op's cost once: each op alone on device 0 (one pass over the model), less
//!    the per-invoke overhead (whole model vs sum of ops).
//! 2. Predict a segment on device `i` as `factor[i] * sum(op estimates) + overhead`, and find
//!    the bounds that minimise the slowest predicted segment with an exact dynamic program
//!    (ties broken by the least squared spread).
//! 3. Measure those segments on their devices, recalibrate each device's factor from
//!    measured / predicted, and repeat until the slowest is within `threshold` of the mean,
//!    the bounds repeat, or `max_rounds` is reached.
//! 4. Keep the best partition actually measured, the parameter-balanced one included: the
//!    result is never slower than it, as measured in the same run.
//!
//! Measurements are cached by (first op, length, device); a measurement that fails (a segment
//! that will not compile or load) makes that range infeasible and the search goes on.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

/// Something that can time one segment: ops at execution positions `start..start + len`, on
/// device `device` (the segment's index in the chain).
pub trait Measure {
    /// Median latency in nanoseconds, or why the segment cannot run.
    fn measure(&mut self, start: usize, len: usize, device: usize) -> Result<f64, String>;
}

/// Search settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Segments.
    pub segments: usize,
    /// Stop when slowest / mean - 1 is at most this.
    pub threshold: f64,
    /// Calibration rounds at most.
    pub max_rounds: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            segments: 2,
            threshold: 0.05,
            max_rounds: 6,
        }
    }
}

/// A partition and its measured latencies.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Measured {
    /// Bounds in execution positions (N + 1 values).
    pub bounds: Vec<usize>,
    /// Measured latency of each segment, in nanoseconds.
    pub latency_ns: Vec<f64>,
}

impl Measured {
    /// The slowest segment: what limits pipeline throughput.
    pub fn slowest_ns(&self) -> f64 {
        self.latency_ns.iter().copied().fold(0.0, f64::max)
    }

    /// Slowest over mean segment latency.
    pub fn spread(&self) -> f64 {
        let mean = self.latency_ns.iter().sum::<f64>() / self.latency_ns.len().max(1) as f64;
        if mean > 0.0 {
            self.slowest_ns() / mean
        } else {
            1.0
        }
    }

    /// Predicted pipeline throughput, requests per second: 1 / slowest segment.
    pub fn predicted_per_s(&self) -> f64 {
        1e9 / self.slowest_ns().max(1.0)
    }
}

/// The search's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// The best partition measured.
    pub best: Measured,
    /// The starting point, measured the same way.
    pub baseline: Measured,
    /// Whether the best is the baseline (no latency-balanced cut measured faster).
    pub kept_baseline: bool,
    /// Distinct measurements made (cache misses).
    pub measurements: usize,
    /// Measurements that failed (ranges skipped).
    pub failed: usize,
    /// Calibration rounds run.
    pub rounds: usize,
}

/// Caches measurements and remembers failures.
struct Cached<'a, M: Measure> {
    inner: &'a mut M,
    seen: HashMap<(usize, usize, usize), Option<f64>>,
    failed: HashSet<(usize, usize, usize)>,
    count: usize,
}

impl<M: Measure> Cached<'_, M> {
    fn get(&mut self, start: usize, len: usize, device: usize) -> Option<f64> {
        if let Some(v) = self.seen.get(&(start, len, device)) {
            return *v;
        }
        self.count += 1;
        let v = self.inner.measure(start, len, device).ok();
        if v.is_none() {
            self.failed.insert((start, len, device));
        }
        self.seen.insert((start, len, device), v);
        v
    }

    fn partition(&mut self, bounds: &[usize]) -> Option<Measured> {
        let latency_ns = bounds
            .windows(2)
            .enumerate()
            .map(|(i, w)| self.get(w[0], w[1] - w[0], i))
            .collect::<Option<Vec<f64>>>()?;
        Some(Measured {
            bounds: bounds.to_vec(),
            latency_ns,
        })
    }
}

/// Bounds minimising the slowest predicted segment, then the squared spread.
/// `cost(i, a, b)` predicts segment `i` over positions `a..b`; `None` marks it infeasible.
pub fn min_max_bounds(
    ops: usize,
    segments: usize,
    cost: &dyn Fn(usize, usize, usize) -> Option<f64>,
) -> Option<Vec<usize>> {
    if segments == 0 || segments > ops {
        return None;
    }
    // best[j] = (slowest, sum of squares) covering positions 0..j with k segments.
    let inf = (f64::INFINITY, f64::INFINITY);
    let mut best = vec![inf; ops + 1];
    best[0] = (0.0, 0.0);
    let mut from: Vec<Vec<usize>> = Vec::with_capacity(segments);
    for k in 1..=segments {
        let mut next = vec![inf; ops + 1];
        let mut cut = vec![0usize; ops + 1];
        for j in k..=ops - (segments - k) {
            for (i, &(slow, squares)) in best.iter().enumerate().take(j).skip(k - 1) {
                if slow.is_infinite() {
                    continue;
                }
                let Some(c) = cost(k - 1, i, j) else { continue };
                let candidate = (slow.max(c), squares + c * c);
                let better = candidate.0 < next[j].0 * (1.0 - 1e-12)
                    || (candidate.0 <= next[j].0 * (1.0 + 1e-12) && candidate.1 < next[j].1);
                if better {
                    next[j] = candidate;
                    cut[j] = i;
                }
            }
        }
        best = next;
        from.push(cut);
    }
    if best[ops].0.is_infinite() {
        return None;
    }
    let mut bounds = vec![ops];
    for cut in from.iter().rev() {
        bounds.push(cut[bounds[bounds.len() - 1]]);
    }
    bounds.reverse();
    Some(bounds)
}

/// Finds latency-balanced bounds for `ops` ops, starting from `baseline` bounds (for example
/// the parameter-balanced ones). `whole_ns` is the whole model's latency on device 0, used to
/// estimate the per-invoke overhead (pass `None` to assume none).
pub fn search<M: Measure>(
    measure: &mut M,
    ops: usize,
    baseline: &[usize],
    whole_ns: Option<f64>,
    settings: &Settings,
    mut progress: impl FnMut(&str),
) -> Option<Outcome> {
    let n = settings.segments;
    let mut cache = Cached {
        inner: measure,
        seen: HashMap::new(),
        failed: HashSet::new(),
        count: 0,
    };
    progress("measuring the starting partition");
    let baseline = cache.partition(baseline);

    progress("measuring each operator alone");
    let mut single = Vec::with_capacity(ops);
    for op in 0..ops {
        // An op that cannot run alone is estimated from its neighbours later (0 here).
        single.push(cache.get(op, 1, 0).unwrap_or(0.0));
    }
    let total: f64 = single.iter().sum();
    let overhead = match whole_ns {
        Some(whole) if ops > 1 && total > whole => (total - whole) / (ops - 1) as f64,
        _ => 0.0,
    };
    let min_single = single
        .iter()
        .copied()
        .filter(|&v| v > 0.0)
        .fold(f64::INFINITY, f64::min);
    let overhead = overhead.min(if min_single.is_finite() {
        min_single * 0.9
    } else {
        0.0
    });
    let mut prefix = vec![0.0];
    for s in &single {
        prefix.push(prefix[prefix.len() - 1] + (s - overhead).max(0.0));
    }

    let mut factors = vec![1.0f64; n];
    let mut best = baseline.clone();
    let mut tried: HashSet<Vec<usize>> = HashSet::new();
    let mut rounds = 0;
    for round in 0..settings.max_rounds {
        rounds = round + 1;
        let failed = cache.failed.clone();
        let cost = |i: usize, a: usize, b: usize| {
            (!failed.contains(&(a, b - a, i)))
                .then(|| factors[i] * (prefix[b] - prefix[a]) + overhead)
        };
        let Some(bounds) = min_max_bounds(ops, n, &cost) else {
            break;
        };
        if !tried.insert(bounds.clone()) {
            break;
        }
        progress(&format!(
            "round {}: measuring cuts at {:?}",
            round + 1,
            &bounds[1..n]
        ));
        let Some(measured) = cache.partition(&bounds) else {
            continue;
        };
        for (i, w) in bounds.windows(2).enumerate() {
            let predicted = prefix[w[1]] - prefix[w[0]];
            if predicted > 0.0 && measured.latency_ns[i] > overhead {
                factors[i] = (measured.latency_ns[i] - overhead) / predicted;
            }
        }
        let spread = measured.spread();
        if best
            .as_ref()
            .is_none_or(|b| measured.slowest_ns() < b.slowest_ns())
        {
            best = Some(measured);
        }
        if spread <= 1.0 + settings.threshold {
            break;
        }
    }
    let best = best?;
    let baseline = baseline.unwrap_or_else(|| best.clone());
    Some(Outcome {
        kept_baseline: best.bounds == baseline.bounds,
        best,
        baseline,
        measurements: cache.count,
        failed: cache.failed.len(),
        rounds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::SplitMix64;

    /// Latency = factor[device] * sum(op costs) + overhead; some ranges fail.
    struct Synthetic {
        costs: Vec<f64>,
        factors: Vec<f64>,
        overhead: f64,
        fails: HashSet<(usize, usize, usize)>,
        calls: usize,
    }

    impl Measure for Synthetic {
        fn measure(&mut self, start: usize, len: usize, device: usize) -> Result<f64, String> {
            self.calls += 1;
            if self.fails.contains(&(start, len, device)) {
                return Err("does not compile".into());
            }
            let f = self.factors.get(device).copied().unwrap_or(1.0);
            Ok(f * self.costs[start..start + len].iter().sum::<f64>() + self.overhead)
        }
    }

    /// Every partition of `ops` into `n` contiguous non-empty segments.
    fn all_bounds(ops: usize, n: usize) -> Vec<Vec<usize>> {
        fn rec(
            start: usize,
            left: usize,
            ops: usize,
            cur: &mut Vec<usize>,
            out: &mut Vec<Vec<usize>>,
        ) {
            if left == 1 {
                cur.push(ops);
                out.push(cur.clone());
                cur.pop();
                return;
            }
            for cut in start + 1..=ops - (left - 1) {
                cur.push(cut);
                rec(cut, left - 1, ops, cur, out);
                cur.pop();
            }
        }
        let mut out = Vec::new();
        rec(0, n, ops, &mut vec![0], &mut out);
        out
    }

    fn brute_force(m: &mut Synthetic, ops: usize, n: usize) -> f64 {
        all_bounds(ops, n)
            .iter()
            .filter_map(|b| {
                b.windows(2)
                    .enumerate()
                    .map(|(i, w)| m.measure(w[0], w[1] - w[0], i).ok())
                    .collect::<Option<Vec<f64>>>()
                    .map(|l| l.into_iter().fold(0.0, f64::max))
            })
            .fold(f64::INFINITY, f64::min)
    }

    #[test]
    fn finds_the_brute_force_optimum_on_small_graphs() {
        let mut rng = SplitMix64::new(42);
        for case in 0..200 {
            let ops = 3 + (rng.next_u64() % 8) as usize;
            let n = 1 + (rng.next_u64() % ops.min(4) as u64) as usize;
            let costs: Vec<f64> = (0..ops)
                .map(|_| 1.0 + (rng.next_u64() % 1000) as f64)
                .collect();
            let factors: Vec<f64> = (0..n)
                .map(|_| [1.0, 1.0, 2.5, 0.5][(rng.next_u64() % 4) as usize])
                .collect();
            let overhead = [0.0, 5.0, 50.0][case % 3];
            let mut m = Synthetic {
                costs,
                factors,
                overhead,
                fails: HashSet::new(),
                calls: 0,
            };
            let optimum = brute_force(&mut m, ops, n);
            let whole = m.costs.iter().sum::<f64>() * m.factors[0] + overhead;
            let baseline: Vec<usize> = (0..=n).map(|i| i * ops / n).collect();
            let settings = Settings {
                segments: n,
                threshold: 0.0,
                max_rounds: 8,
            };
            let out = search(&mut m, ops, &baseline, Some(whole), &settings, |_| {})
                .expect("a partition");
            assert!(
                (out.best.slowest_ns() - optimum).abs() <= 1e-9 * optimum,
                "case {case}: ops {ops} n {n} factors {:?} overhead {overhead}: found {} (bounds {:?}), optimum {optimum}",
                m.factors,
                out.best.slowest_ns(),
                out.best.bounds
            );
            assert!(out.best.slowest_ns() <= out.baseline.slowest_ns());
        }
    }

    #[test]
    fn a_failing_measurement_skips_that_candidate() {
        // Ops 0..4 cost 10 each; the balanced cut [0, 2, 4] fails on segment 1 (ops 2..4).
        let mut fails = HashSet::new();
        fails.insert((2, 2, 1));
        let mut m = Synthetic {
            costs: vec![10.0; 4],
            factors: vec![1.0, 1.0],
            overhead: 0.0,
            fails,
            calls: 0,
        };
        let optimum = brute_force(&mut m, 4, 2);
        assert_eq!(
            optimum, 30.0,
            "with 2..4 impossible the best is 10 + 30 or 30 + 10"
        );
        let settings = Settings {
            segments: 2,
            threshold: 0.0,
            max_rounds: 8,
        };
        let out = search(&mut m, 4, &[0, 1, 4], Some(40.0), &settings, |_| {}).unwrap();
        assert_eq!(out.best.slowest_ns(), 30.0);
        assert!(out.failed >= 1);
        assert_ne!(out.best.bounds, vec![0, 2, 4]);
    }

    #[test]
    fn measurements_are_cached() {
        let mut m = Synthetic {
            costs: vec![1.0; 20],
            factors: vec![1.0; 4],
            overhead: 0.0,
            fails: HashSet::new(),
            calls: 0,
        };
        let settings = Settings {
            segments: 4,
            threshold: 0.0,
            max_rounds: 8,
        };
        let out = search(
            &mut m,
            20,
            &[0, 5, 10, 15, 20],
            Some(20.0),
            &settings,
            |_| {},
        )
        .unwrap();
        assert_eq!(
            out.measurements, m.calls,
            "every call was a distinct (start, len, device)"
        );
        assert!(m.calls <= 20 + 4 * 9, "{} calls", m.calls);
    }
}
