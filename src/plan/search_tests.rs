//! The plan search against brute force over every plan, on random small instances.
use super::*;
use crate::verify::SplitMix64;

trait Below {
    fn below(&mut self, n: u64) -> u64;
}

impl Below for SplitMix64 {
    fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

/// Every plan of at most `max` segments, by brute force: every set of cuts, every
/// replica vector per stage within the counts.
fn every_plan(costs: &Costs, counts: &[usize], max: usize) -> Vec<Plan> {
    fn vectors(counts: &[usize]) -> Vec<Vec<usize>> {
        let mut all = vec![Vec::new()];
        for &c in counts {
            all = all
                .iter()
                .flat_map(|v: &Vec<usize>| {
                    (0..=c).map(move |x| {
                        let mut w = v.clone();
                        w.push(x);
                        w
                    })
                })
                .collect();
        }
        all.retain(|v| v.iter().any(|&x| x > 0));
        all
    }
    fn assign(
        costs: &Costs,
        bounds: &[usize],
        left: &[usize],
        chosen: &mut Vec<(usize, usize, Vec<usize>)>,
        out: &mut Vec<Plan>,
    ) {
        let s = chosen.len();
        if s + 1 == bounds.len() {
            out.extend(evaluate(costs, chosen));
            return;
        }
        for a in vectors(left) {
            let rest: Vec<usize> = left.iter().zip(&a).map(|(l, x)| l - x).collect();
            chosen.push((bounds[s], bounds[s + 1], a));
            assign(costs, bounds, &rest, chosen, out);
            chosen.pop();
        }
    }
    let ops = costs.ops();
    let mut out = Vec::new();
    for mask in 0u32..1 << (ops - 1) {
        let mut bounds = vec![0];
        bounds.extend((1..ops).filter(|c| mask & (1 << (c - 1)) != 0));
        bounds.push(ops);
        if bounds.len() - 1 <= max {
            assign(costs, &bounds, counts, &mut Vec::new(), &mut out);
        }
    }
    out
}

/// The brute-force best with `s` segments for `goal`.
fn brute_best(plans: &[Plan], s: usize, goal: Goal) -> Option<Plan> {
    let mut with_s: Vec<Plan> = plans
        .iter()
        .filter(|p| p.stages.len() == s)
        .cloned()
        .collect();
    let threshold = match goal {
        Goal::Throughput => with_s.iter().map(|p| p.per_s).reduce(f64::max)? * (1.0 - EPS),
        Goal::LatencyAt(per_s) => per_s,
    };
    with_s.retain(|p| p.stages.iter().all(|st| st.per_s >= threshold));
    rank(&mut with_s, Goal::LatencyAt(0.0));
    with_s.into_iter().next()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

/// A random instance: 3-12 ops, 1-2 kinds, 1-6 devices, random costs (some segments
/// infeasible on some kinds).
fn instance(rng: &mut SplitMix64) -> (Costs, Vec<usize>) {
    let ops = 3 + rng.below(10) as usize;
    let kinds = 1 + rng.below(2) as usize;
    let devices = 1 + rng.below(6) as usize;
    let mut counts = vec![0; kinds];
    for d in 0..devices {
        counts[if d < kinds {
            d
        } else {
            rng.below(kinds as u64) as usize
        }] += 1;
    }
    let costs = Costs::new(kinds, ops, |_, _, _| {
        (rng.below(20) != 0).then(|| 1e6 * (1 + rng.below(1000)) as f64)
    });
    (costs, counts)
}

#[test]
fn search_equals_brute_force_on_random_instances() {
    let mut rng = SplitMix64::new(2024);
    for case in 0..300 {
        let (costs, counts) = instance(&mut rng);
        let goal = if case % 3 == 2 {
            Goal::LatencyAt(1e9 / (2e6 * (1 + rng.below(500)) as f64))
        } else {
            Goal::Throughput
        };
        let settings = Settings {
            goal,
            max_segments: 6,
            budget: u64::MAX,
        };
        let found = search(&costs, &counts, &settings);
        assert!(found.exact && found.gap == 0.0);
        let all = every_plan(&costs, &counts, 6);
        let devices: usize = counts.iter().sum();
        for s in 1..=devices.min(costs.ops()).min(6) {
            let brute = brute_best(&all, s, goal);
            let mine = found.plans.iter().find(|p| p.stages.len() == s);
            match (&brute, mine) {
                (None, None) => {}
                (Some(b), Some(m)) => {
                    let what = format!("case {case}, {s} segments, {counts:?}: {m:?} vs {b:?}");
                    assert!(
                        close(b.per_s, m.per_s) || goal != Goal::Throughput,
                        "{what}"
                    );
                    assert!(close(b.latency_ms, m.latency_ms), "{what}");
                    let uses = m.uses(costs.kinds());
                    assert!(uses.iter().zip(&counts).all(|(u, c)| u <= c), "{what}");
                    assert_eq!(evaluate(&costs, &spec(m)).as_ref(), Some(m), "{what}");
                }
                _ => panic!("case {case}, {s} segments: brute {brute:?} vs search {mine:?}"),
            }
        }
        // The first plan is the best overall.
        let overall = (1..=6)
            .filter_map(|s| brute_best(&all, s, goal))
            .collect::<Vec<_>>();
        if let (Some(first), false) = (found.plans.first(), overall.is_empty()) {
            let mut overall = overall;
            rank(&mut overall, goal);
            // (For a latency goal, plans of equal latency may differ in throughput.)
            let same = close(first.per_s, overall[0].per_s) || goal != Goal::Throughput;
            assert!(same, "case {case}");
            assert!(
                close(first.latency_ms, overall[0].latency_ms),
                "case {case}"
            );
        }
    }
}

fn spec(p: &Plan) -> Vec<(usize, usize, Vec<usize>)> {
    p.stages
        .iter()
        .map(|s| (s.start, s.end, s.replicas.clone()))
        .collect()
}

#[test]
fn grid_search_bounds_the_optimum() {
    let mut rng = SplitMix64::new(7);
    let mut inexact = 0;
    for case in 0..200 {
        let (costs, counts) = instance(&mut rng);
        let settings = Settings {
            goal: Goal::Throughput,
            max_segments: 6,
            budget: 2_000,
        };
        let found = search(&costs, &counts, &settings);
        let all = every_plan(&costs, &counts, 6);
        let Some(optimum) = all.iter().map(|p| p.per_s).reduce(f64::max) else {
            continue;
        };
        if found.exact {
            continue;
        }
        inexact += 1;
        let bound = found.bound.expect("a bound when not exact");
        assert!(
            bound >= optimum * (1.0 - 1e-9),
            "case {case}: bound {bound} < {optimum}"
        );
        if let Some(best) = found.plans.first() {
            assert!(best.per_s <= optimum * (1.0 + 1e-9), "case {case}");
            assert_eq!(evaluate(&costs, &spec(best)).as_ref(), Some(best));
            assert!(close(found.gap, (bound / best.per_s - 1.0).max(0.0)));
        }
    }
    assert!(inexact > 50, "the budget forced the grid search: {inexact}");
}

#[test]
fn replicas_and_segments_are_chosen_by_cost() {
    // 4 ops; one kind, 4 devices. Whole model 8 ms; each half 2 ms (as if the whole model
    // overflowed a cache): two segments of two replicas beat four copies of the whole.
    let costs = Costs::new(1, 4, |_, a, b| {
        Some(match (a, b) {
            (0, 4) => 8e6,
            (0, 2) | (2, 4) => 2e6,
            _ => 3e6,
        })
    });
    let found = search(&costs, &[4], &Settings::default());
    let best = &found.plans[0];
    assert_eq!(best.bounds(), vec![0, 2, 4]);
    assert_eq!(best.uses(1), vec![4]);
    assert!(close(best.per_s, 1000.0), "{best:?}");
    // Data parallelism: 4 x 1/8 ms = 500 req/s, ranked lower.
    let one = found.plans.iter().find(|p| p.stages.len() == 1).unwrap();
    assert!(close(one.per_s, 500.0) && one.uses(1) == vec![4]);
}
