//! The plan search: how many segments, where to cut, how many replicas each segment gets
//! and of which device kind, from a table of segment latencies per device kind.
//!
//! A plan's stage `s` runs ops `start..end` on `a[k]` devices of each kind `k`. Its replicas
//! pull work at their own pace, so it sustains `rate = sum_k a[k] / t[k](start, end)`
//! requests per nanosecond, and the pipeline sustains the slowest stage's rate. A request's
//! latency (idle pipeline, averaged over the replicas that serve it) is the sum over stages of
//! `|a| / rate` (the mean of the replicas' latencies weighted by the share each serves).
//!
//! The search is a dynamic program over (segments so far, cut position, devices used per
//! kind): each state keeps the best bottleneck rate of a prefix; a second pass, for a
//! threshold rate, keeps the least latency of prefixes whose every stage meets it. Over every
//! cut position it is exact. When that is too much work it searches a grid of cut positions
//! (every plan it finds is real) and bounds the optimum from above with the same program on a
//! relaxation: each grid segment gets the best rate of any real segment whose ends round up
//! to its ends, so every real plan maps to a relaxed one at least as fast. The gap between
//! the two is reported.

use serde::Serialize;

/// Latency of every candidate segment on every device kind.
#[derive(Debug, Clone)]
pub struct Costs {
    kinds: usize,
    ops: usize,
    /// Nanoseconds, `INFINITY` when the segment cannot run on the kind; indexed by
    /// `(kind * (ops + 1) + start) * (ops + 1) + end`.
    ns: Vec<f64>,
}

impl Costs {
    /// The table of `kinds` kinds over `ops` ops, from `f(kind, start, end)` (`None`: the
    /// segment cannot run there). Called for every `start < end`.
    pub fn new(
        kinds: usize,
        ops: usize,
        mut f: impl FnMut(usize, usize, usize) -> Option<f64>,
    ) -> Costs {
        let side = ops + 1;
        let mut ns = vec![f64::INFINITY; kinds * side * side];
        for k in 0..kinds {
            for start in 0..ops {
                for end in start + 1..=ops {
                    if let Some(t) = f(k, start, end).filter(|t| *t > 0.0 && t.is_finite()) {
                        ns[(k * side + start) * side + end] = t;
                    }
                }
            }
        }
        Costs { kinds, ops, ns }
    }

    /// Latency of ops `start..end` on kind `kind`, if it can run there.
    pub fn get(&self, kind: usize, start: usize, end: usize) -> Option<f64> {
        let side = self.ops + 1;
        let t = self.ns[(kind * side + start) * side + end];
        t.is_finite().then_some(t)
    }

    /// Device kinds.
    pub fn kinds(&self) -> usize {
        self.kinds
    }

    /// Ops.
    pub fn ops(&self) -> usize {
        self.ops
    }
}

/// One stage of a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stage {
    /// First op position.
    pub start: usize,
    /// One past the last op position.
    pub end: usize,
    /// Replicas of each device kind.
    pub replicas: Vec<usize>,
    /// Requests per second the stage sustains.
    pub per_s: f64,
    /// Latency of one replica of each kind used, in milliseconds (0 for kinds not used).
    pub replica_ms: Vec<f64>,
}

/// A plan and what it is predicted to do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// The stages, in chain order.
    pub stages: Vec<Stage>,
    /// Predicted requests per second: the slowest stage's.
    pub per_s: f64,
    /// Predicted latency of one request through an idle pipeline, in milliseconds.
    pub latency_ms: f64,
}

impl Plan {
    /// Devices of each kind the plan uses.
    pub fn uses(&self, kinds: usize) -> Vec<usize> {
        let mut used = vec![0; kinds];
        for s in &self.stages {
            for (u, a) in used.iter_mut().zip(&s.replicas) {
                *u += a;
            }
        }
        used
    }

    /// The cut positions (segment bounds, `stages + 1` values).
    pub fn bounds(&self) -> Vec<usize> {
        let mut b = vec![0];
        b.extend(self.stages.iter().map(|s| s.end));
        b
    }
}

/// Predicts the plan with these stages (bounds and replicas per kind); `None` if a stage
/// has no replica or runs on a kind it cannot run on.
pub fn evaluate(costs: &Costs, stages: &[(usize, usize, Vec<usize>)]) -> Option<Plan> {
    let mut out = Vec::with_capacity(stages.len());
    let (mut slowest, mut latency) = (f64::INFINITY, 0.0);
    for (start, end, replicas) in stages {
        let mut rate = 0.0;
        let mut replica_ms = vec![0.0; costs.kinds];
        for (k, &a) in replicas.iter().enumerate() {
            if a > 0 {
                let t = costs.get(k, *start, *end)?;
                // As the search computes it, so both agree to the bit.
                rate += a as f64 * (1.0 / t);
                replica_ms[k] = t / 1e6;
            }
        }
        let count: usize = replicas.iter().sum();
        if count == 0 {
            return None;
        }
        slowest = f64::min(slowest, rate);
        latency += count as f64 / rate;
        out.push(Stage {
            start: *start,
            end: *end,
            replicas: replicas.clone(),
            per_s: rate * 1e9,
            replica_ms,
        });
    }
    Some(Plan {
        stages: out,
        per_s: slowest * 1e9,
        latency_ms: latency / 1e6,
    })
}

/// What to optimise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Goal {
    /// The most requests per second; among those, the least latency.
    Throughput,
    /// The least latency among plans sustaining at least this many requests per second.
    LatencyAt(f64),
}

/// Search settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// What to optimise.
    pub goal: Goal,
    /// Most segments considered (also bounded by the devices and the ops).
    pub max_segments: usize,
    /// Work (inner-loop steps) allowed for an exact search; beyond it, the grid search.
    pub budget: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            goal: Goal::Throughput,
            max_segments: 8,
            budget: 400_000_000,
        }
    }
}

/// What the search found.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// The best plan for each segment count that has one, best first.
    pub plans: Vec<Plan>,
    /// Whether every cut position was searched (the first plan is optimal for the table).
    pub exact: bool,
    /// Cut positions searched (all `ops + 1` when exact).
    pub positions: usize,
    /// When not exact: no plan does better than this (requests per second for
    /// [`Goal::Throughput`], milliseconds for [`Goal::LatencyAt`]).
    pub bound: Option<f64>,
    /// How far the best plan may be from the optimum, as a fraction (0 when exact).
    pub gap: f64,
}

/// Vectors of devices per kind, `0..=counts[k]` each, numbered in mixed radix so that a
/// vector minus a non-zero vector always has a smaller number.
struct Space {
    vectors: Vec<Vec<usize>>,
    /// For each vector `u`: every `(a, u - a)` with `a` non-zero and `a <= u`.
    splits: Vec<Vec<(usize, usize)>>,
}

impl Space {
    fn new(counts: &[usize]) -> Space {
        // Mixed radix, the first kind most significant: lexicographic order.
        let mut vectors = vec![Vec::new()];
        for &c in counts {
            let mut longer = Vec::with_capacity(vectors.len() * (c + 1));
            for v in &vectors {
                for x in 0..=c {
                    let mut w: Vec<usize> = v.clone();
                    w.push(x);
                    longer.push(w);
                }
            }
            vectors = longer;
        }
        let index = |v: &[usize]| {
            vectors
                .binary_search_by(|w| w.as_slice().cmp(v))
                .expect("in the space")
        };
        let splits = vectors
            .iter()
            .map(|u| {
                vectors
                    .iter()
                    .enumerate()
                    .filter(|(_, a)| {
                        a.iter().any(|&x| x > 0) && a.iter().zip(u).all(|(x, y)| x <= y)
                    })
                    .map(|(ai, a)| {
                        let rest: Vec<usize> = u.iter().zip(a).map(|(y, x)| y - x).collect();
                        (ai, index(&rest))
                    })
                    .collect()
            })
            .collect();
        Space { vectors, splits }
    }

    fn steps(&self) -> u64 {
        self.splits.iter().map(|s| s.len() as u64).sum()
    }
}

/// Per candidate segment (grid positions `a..b`): each kind's rate (1 / ns, 0 when it cannot
/// run there).
type SegmentRates<'a> = dyn Fn(usize, usize, &mut [f64]) + 'a;

/// One dynamic program over `p` grid positions. `relaxed` allows a segment from a position
/// to itself (the relaxation's segments within one grid cell).
struct Program<'a> {
    space: &'a Space,
    kinds: usize,
    positions: usize,
    segments: usize,
    relaxed: bool,
    rates: &'a SegmentRates<'a>,
}

/// A stage found on the grid: (start position, end position, replica vector), as indices.
type GridStage = (usize, usize, usize);

/// A state's best value and where it came from: (previous position, replicas vector).
#[derive(Clone, Copy)]
struct Entry {
    value: f64,
    from: (u32, u32),
}

impl Program<'_> {
    fn at(&self, s: usize, j: usize, u: usize) -> usize {
        (s * self.positions + j) * self.space.vectors.len() + u
    }

    /// Runs the program: `better(candidate, current)` and `combine(prefix, rate, count)`.
    /// `threshold` excludes stages slower than it (requests per ns).
    fn run(
        &self,
        start: f64,
        worst: f64,
        threshold: f64,
        combine: &dyn Fn(f64, f64, usize) -> f64,
        better: &dyn Fn(f64, f64) -> bool,
    ) -> Vec<Entry> {
        let v = self.space.vectors.len();
        let empty = Entry {
            value: worst,
            from: (0, 0),
        };
        let mut table = vec![empty; (self.segments + 1) * self.positions * v];
        table[self.at(0, 0, 0)].value = start;
        let mut kind_rates = vec![0.0; self.kinds];
        let mut rate = vec![0.0; v];
        let counts: Vec<usize> = self.space.vectors.iter().map(|a| a.iter().sum()).collect();
        for s in 1..=self.segments {
            for j in 1..self.positions {
                let first = if self.relaxed { j } else { j - 1 };
                for i in (0..=first).rev() {
                    (self.rates)(i, j, &mut kind_rates);
                    for (r, a) in rate.iter_mut().zip(&self.space.vectors) {
                        let feasible = a
                            .iter()
                            .zip(&kind_rates)
                            .all(|(&x, &kr)| x == 0 || kr > 0.0);
                        *r = if feasible {
                            a.iter()
                                .zip(&kind_rates)
                                .map(|(&x, kr)| x as f64 * kr)
                                .sum()
                        } else {
                            0.0
                        };
                    }
                    for u in 0..v {
                        let mut best = table[self.at(s, j, u)];
                        for &(a, rest) in &self.space.splits[u] {
                            let r = rate[a];
                            if r <= 0.0 || r < threshold {
                                continue;
                            }
                            let prev = table[self.at(s - 1, i, rest)].value;
                            if prev == worst {
                                continue;
                            }
                            let cand = combine(prev, r, counts[a]);
                            if better(cand, best.value) {
                                best = Entry {
                                    value: cand,
                                    from: (i as u32, a as u32),
                                };
                            }
                        }
                        let at = self.at(s, j, u);
                        table[at] = best;
                    }
                }
            }
        }
        table
    }

    /// The best over every vector within the counts for `s` segments ending at the last
    /// position, and its stages as (grid start, grid end, vector).
    fn best(
        &self,
        table: &[Entry],
        s: usize,
        worst: f64,
        better: &dyn Fn(f64, f64) -> bool,
    ) -> Option<(f64, Vec<GridStage>)> {
        let last = self.positions - 1;
        let mut pick: Option<(f64, usize)> = None;
        for u in 0..self.space.vectors.len() {
            let value = table[self.at(s, last, u)].value;
            if value != worst && pick.is_none_or(|(b, _)| better(value, b)) {
                pick = Some((value, u));
            }
        }
        let (value, mut u) = pick?;
        let mut stages = Vec::with_capacity(s);
        let mut j = last;
        for step in (1..=s).rev() {
            let e = table[self.at(step, j, u)];
            let (i, a) = (e.from.0 as usize, e.from.1 as usize);
            stages.push((i, j, a));
            u = self.space.splits[u]
                .iter()
                .find(|(x, _)| *x == a)
                .map(|(_, rest)| *rest)
                .expect("a split of u");
            j = i;
        }
        stages.reverse();
        Some((value, stages))
    }
}

/// The relaxation's rates: for grid segment `a..b`, each kind's best rate over the real
/// segments whose start rounds up to grid `a` and whose end rounds up to grid `b`.
fn relaxed_rates(costs: &Costs, grid: &[usize]) -> Vec<f64> {
    let p = grid.len();
    let cell = |g: usize| {
        if g == 0 {
            0..1
        } else {
            grid[g - 1] + 1..grid[g] + 1
        }
    };
    let mut out = vec![0.0; costs.kinds * p * p];
    for k in 0..costs.kinds {
        for a in 0..p {
            for b in a..p {
                let mut best = f64::INFINITY;
                for i in cell(a) {
                    for j in cell(b) {
                        if let Some(t) = (i < j && j <= costs.ops)
                            .then(|| costs.get(k, i, j))
                            .flatten()
                        {
                            best = best.min(t);
                        }
                    }
                }
                out[(k * p + a) * p + b] = if best.is_finite() { 1.0 / best } else { 0.0 };
            }
        }
    }
    out
}

/// Cut positions for a search of about `budget` steps: all of them when that fits, else an
/// even grid.
fn grid_for(costs: &Costs, segments: usize, space: &Space, budget: u64) -> Vec<usize> {
    let ops = costs.ops;
    let work = |p: u64| p * p / 2 * space.steps() * segments as u64 * (segments as u64 + 2);
    let mut p = ops as u64 + 1;
    while p > 2 && work(p) > budget {
        p = (p * 9 / 10).max(2);
    }
    if p as usize > ops {
        return (0..=ops).collect();
    }
    let mut grid: Vec<usize> = (0..p)
        .map(|g| (g as usize * ops) / (p as usize - 1))
        .collect();
    grid.dedup();
    grid
}

/// Searches every plan of at most `settings.max_segments` segments over `counts[k]` devices
/// of each kind `k`.
pub fn search(costs: &Costs, counts: &[usize], settings: &Settings) -> Outcome {
    assert_eq!(counts.len(), costs.kinds, "one count per kind");
    let devices: usize = counts.iter().sum();
    let segments = settings.max_segments.min(devices).min(costs.ops);
    let space = Space::new(counts);
    let grid = grid_for(costs, segments.max(1), &space, settings.budget);
    let exact = grid.len() == costs.ops + 1;
    let p = grid.len();
    let real = |a: usize, b: usize, out: &mut [f64]| {
        for (k, r) in out.iter_mut().enumerate() {
            *r = costs.get(k, grid[a], grid[b]).map_or(0.0, |t| 1.0 / t);
        }
    };
    let program = Program {
        space: &space,
        kinds: costs.kinds,
        positions: p,
        segments,
        relaxed: false,
        rates: &real,
    };
    let plans = solve(&program, settings.goal, &|stages| {
        let spec: Vec<(usize, usize, Vec<usize>)> = stages
            .iter()
            .map(|&(a, b, v)| (grid[a], grid[b], space.vectors[v].clone()))
            .collect();
        evaluate(costs, &spec)
    });
    let bound = (!exact).then(|| {
        let table = relaxed_rates(costs, &grid);
        let relaxed = |a: usize, b: usize, out: &mut [f64]| {
            for (k, r) in out.iter_mut().enumerate() {
                *r = table[(k * p + a) * p + b];
            }
        };
        let program = Program {
            relaxed: true,
            rates: &relaxed,
            ..program
        };
        bound_of(&program, settings.goal)
    });
    let bound = bound.flatten();
    let gap = match (bound, plans.first(), settings.goal) {
        (Some(b), Some(best), Goal::Throughput) => (b / best.per_s - 1.0).max(0.0),
        (Some(b), Some(best), Goal::LatencyAt(_)) => (best.latency_ms / b - 1.0).max(0.0),
        _ => 0.0,
    };
    Outcome {
        plans,
        exact,
        positions: p,
        bound,
        gap,
    }
}

const EPS: f64 = 1e-12;

fn max_min(prev: f64, rate: f64, _: usize) -> f64 {
    prev.min(rate)
}

fn add_latency(prev: f64, rate: f64, count: usize) -> f64 {
    prev + count as f64 / rate
}

fn greater(a: f64, b: f64) -> bool {
    a > b
}

fn less(a: f64, b: f64) -> bool {
    a < b
}

/// The best plan for each segment count, best first.
fn solve(program: &Program, goal: Goal, plan: &dyn Fn(&[GridStage]) -> Option<Plan>) -> Vec<Plan> {
    let mut plans = Vec::new();
    let throughput = (goal == Goal::Throughput)
        .then(|| program.run(f64::INFINITY, 0.0, 0.0, &max_min, &greater));
    for s in 1..=program.segments {
        let threshold = match (goal, &throughput) {
            (Goal::LatencyAt(per_s), _) => per_s / 1e9,
            (Goal::Throughput, Some(table)) => match program.best(table, s, 0.0, &greater) {
                Some((rate, _)) => rate * (1.0 - EPS),
                None => continue,
            },
            (Goal::Throughput, None) => continue,
        };
        let sub = Program {
            segments: s,
            ..*program
        };
        let table = sub.run(0.0, f64::INFINITY, threshold, &add_latency, &less);
        if let Some((_, stages)) = sub.best(&table, s, f64::INFINITY, &less) {
            plans.extend(plan(&stages));
        }
    }
    rank(&mut plans, goal);
    plans
}

/// Best first: for throughput, the most requests per second then the least latency; for
/// latency, the least latency then the most requests per second.
pub fn rank(plans: &mut [Plan], goal: Goal) {
    plans.sort_by(|a, b| match goal {
        Goal::Throughput => b
            .per_s
            .total_cmp(&a.per_s)
            .then(a.latency_ms.total_cmp(&b.latency_ms)),
        Goal::LatencyAt(_) => a
            .latency_ms
            .total_cmp(&b.latency_ms)
            .then(b.per_s.total_cmp(&a.per_s)),
    });
}

/// The relaxation's optimum: requests per second, or milliseconds.
fn bound_of(program: &Program, goal: Goal) -> Option<f64> {
    match goal {
        Goal::Throughput => {
            let table = program.run(f64::INFINITY, 0.0, 0.0, &max_min, &greater);
            (1..=program.segments)
                .filter_map(|s| program.best(&table, s, 0.0, &greater))
                .map(|(rate, _)| rate * 1e9)
                .reduce(f64::max)
        }
        Goal::LatencyAt(per_s) => {
            let table = program.run(0.0, f64::INFINITY, per_s / 1e9, &add_latency, &less);
            (1..=program.segments)
                .filter_map(|s| program.best(&table, s, f64::INFINITY, &less))
                .map(|(ns, _)| ns / 1e6)
                .reduce(f64::min)
        }
    }
}

#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;
