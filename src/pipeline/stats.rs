//! Per-stage statistics, updated with relaxed atomics from the stage thread (no locks, no
//! allocation) and read as a snapshot from any thread.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use serde::Serialize;

/// Sub-buckets per power of two: percentiles are resolved to 1/8 of their octave (12.5 %).
const SUB: usize = 8;
/// Octaves of nanoseconds covered: up to 2^40 ns, about 18 minutes.
const OCTAVES: usize = 40;

/// A log-linear latency histogram over nanoseconds.
pub struct Histogram {
    buckets: Box<[AtomicU64]>,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            buckets: (0..OCTAVES * SUB).map(|_| AtomicU64::new(0)).collect(),
        }
    }
}

fn bucket_of(ns: u64) -> usize {
    if ns < SUB as u64 {
        return ns as usize;
    }
    let octave = 63 - ns.leading_zeros() as usize; // >= 3
    let sub = ((ns >> (octave - 3)) as usize) & (SUB - 1);
    ((octave - 2) * SUB + sub).min(OCTAVES * SUB - 1)
}

/// The upper bound in nanoseconds of the values in bucket `b`.
fn bucket_top(b: usize) -> u64 {
    if b < SUB {
        return b as u64;
    }
    let octave = b / SUB + 2;
    let sub = (b % SUB) as u64;
    ((SUB as u64 + sub + 1) << (octave - 3)) - 1
}

impl Histogram {
    /// Adds one value.
    pub fn record(&self, ns: u64) {
        self.buckets[bucket_of(ns)].fetch_add(1, Relaxed);
    }

    /// The value at quantile `q` (0..=1), as the top of its bucket; 0 when empty.
    pub fn quantile(&self, q: f64) -> u64 {
        quantile_of(&[self], q)
    }
}

/// The value at quantile `q` (0..=1) of several histograms taken together.
fn quantile_of(histograms: &[&Histogram], q: f64) -> u64 {
    let mut counts = vec![0u64; OCTAVES * SUB];
    for h in histograms {
        for (c, b) in counts.iter_mut().zip(h.buckets.iter()) {
            *c += b.load(Relaxed);
        }
    }
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return 0;
    }
    let rank = ((q * total as f64).ceil() as u64).clamp(1, total);
    let mut seen = 0;
    for (b, c) in counts.iter().enumerate() {
        seen += c;
        if seen >= rank {
            return bucket_top(b);
        }
    }
    bucket_top(counts.len() - 1)
}

/// Counters of one stage replica.
#[derive(Default)]
pub struct StageCounters {
    /// Successful invokes.
    pub count: AtomicU64,
    /// Sum of invoke latencies.
    pub busy_ns: AtomicU64,
    /// Longest invoke.
    pub max_ns: AtomicU64,
    /// Time spent waiting for a request to arrive.
    pub wait_input_ns: AtomicU64,
    /// Requests taken from the input.
    pub dequeues: AtomicU64,
    /// Sum over dequeues of requests waiting in the input ring (for the mean occupancy).
    pub occupancy_sum: AtomicU64,
    /// Most requests ever waiting in the input ring.
    pub occupancy_max: AtomicU64,
    /// Invoke latencies.
    pub latency: Histogram,
}

impl StageCounters {
    /// Records one invoke of `ns` nanoseconds.
    pub fn record_invoke(&self, ns: u64) {
        self.count.fetch_add(1, Relaxed);
        self.busy_ns.fetch_add(ns, Relaxed);
        self.max_ns.fetch_max(ns, Relaxed);
        self.latency.record(ns);
    }

    /// Records what the stage saw when it took a request: how long it waited, how many were
    /// queued (including the one taken).
    pub fn record_dequeue(&self, waited_ns: u64, queued: usize) {
        self.wait_input_ns.fetch_add(waited_ns, Relaxed);
        self.dequeues.fetch_add(1, Relaxed);
        self.occupancy_sum.fetch_add(queued as u64, Relaxed);
        self.occupancy_max.fetch_max(queued as u64, Relaxed);
    }

    /// A snapshot.
    pub fn snapshot(&self, replica: usize) -> ReplicaStats {
        let count = self.count.load(Relaxed);
        let busy_ns = self.busy_ns.load(Relaxed);
        let max_ns = self.max_ns.load(Relaxed);
        // Bucket tops overestimate by up to 12.5 %; never past the exact maximum.
        ReplicaStats {
            replica,
            count,
            mean_ns: busy_ns.checked_div(count).unwrap_or(0),
            p50_ns: self.latency.quantile(0.5).min(max_ns),
            p99_ns: self.latency.quantile(0.99).min(max_ns),
            max_ns,
            busy_ns,
            wait_input_ns: self.wait_input_ns.load(Relaxed),
        }
    }
}

/// What one replica of a stage did.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReplicaStats {
    /// Replica index within its stage.
    pub replica: usize,
    /// Successful invokes.
    pub count: u64,
    /// Mean invoke latency.
    pub mean_ns: u64,
    /// Median invoke latency (bucket top, within 12.5 %).
    pub p50_ns: u64,
    /// 99th percentile invoke latency (bucket top, within 12.5 %).
    pub p99_ns: u64,
    /// Longest invoke.
    pub max_ns: u64,
    /// Total time invoking.
    pub busy_ns: u64,
    /// Total time waiting for input.
    pub wait_input_ns: u64,
}

/// What one stage did, as a user reads it to decide which segment to move: its replicas
/// taken together, and each replica.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StageStats {
    /// Segment index.
    pub segment: usize,
    /// Successful invokes, over all replicas.
    pub count: u64,
    /// Mean invoke latency.
    pub mean_ns: u64,
    /// Median invoke latency (bucket top, within 12.5 %).
    pub p50_ns: u64,
    /// 99th percentile invoke latency (bucket top, within 12.5 %).
    pub p99_ns: u64,
    /// Longest invoke.
    pub max_ns: u64,
    /// Total time invoking, summed over replicas.
    pub busy_ns: u64,
    /// Total time waiting for input, summed over replicas.
    pub wait_input_ns: u64,
    /// Total time blocked on output space: always 0, since every ring holds all slots (the
    /// bound on requests in flight is enforced where requests enter, not between stages).
    pub wait_output_ns: u64,
    /// Mean requests waiting at the stage's input when a replica took one.
    pub mean_occupancy: f64,
    /// Most requests ever waiting at the stage's input.
    pub max_occupancy: u64,
    /// Each replica (one entry when the stage is not replicated).
    pub replicas: Vec<ReplicaStats>,
}

impl StageStats {
    /// The replicas of stage `segment`, taken together.
    pub fn of(segment: usize, replicas: &[StageCounters]) -> StageStats {
        let each: Vec<ReplicaStats> = replicas
            .iter()
            .enumerate()
            .map(|(r, c)| c.snapshot(r))
            .collect();
        let count: u64 = each.iter().map(|r| r.count).sum();
        let busy_ns: u64 = each.iter().map(|r| r.busy_ns).sum();
        let max_ns = each.iter().map(|r| r.max_ns).max().unwrap_or(0);
        let histograms: Vec<&Histogram> = replicas.iter().map(|c| &c.latency).collect();
        let dequeues: u64 = replicas.iter().map(|c| c.dequeues.load(Relaxed)).sum();
        let occupancy: u64 = replicas.iter().map(|c| c.occupancy_sum.load(Relaxed)).sum();
        StageStats {
            segment,
            count,
            mean_ns: busy_ns.checked_div(count).unwrap_or(0),
            p50_ns: quantile_of(&histograms, 0.5).min(max_ns),
            p99_ns: quantile_of(&histograms, 0.99).min(max_ns),
            max_ns,
            busy_ns,
            wait_input_ns: each.iter().map(|r| r.wait_input_ns).sum(),
            wait_output_ns: 0,
            mean_occupancy: occupancy as f64 / dequeues.max(1) as f64,
            max_occupancy: replicas
                .iter()
                .map(|c| c.occupancy_max.load(Relaxed))
                .max()
                .unwrap_or(0),
            replicas: each,
        }
    }

    /// Requests per second the stage sustains when every replica is kept busy: the sum of
    /// its replicas' rates (1 / mean invoke latency each); 0 before any invoke.
    pub fn capacity_per_s(&self) -> f64 {
        self.replicas
            .iter()
            .filter(|r| r.mean_ns > 0)
            .map(|r| 1e9 / r.mean_ns as f64)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_cover_values_within_an_eighth() {
        for ns in [
            0u64,
            1,
            7,
            8,
            9,
            15,
            16,
            17,
            100,
            1000,
            123_456,
            5_000_000_000,
        ] {
            let top = bucket_top(bucket_of(ns));
            assert!(top >= ns, "{ns} -> top {top}");
            assert!(top as f64 <= ns as f64 * 1.125 + 1.0, "{ns} -> top {top}");
        }
    }

    #[test]
    fn quantiles_of_a_known_distribution() {
        let h = Histogram::default();
        for ns in 1..=1000u64 {
            h.record(ns * 1000);
        }
        let p50 = h.quantile(0.5) as f64;
        let p99 = h.quantile(0.99) as f64;
        assert!((500_000.0..=562_500.0).contains(&p50), "p50 {p50}");
        assert!((990_000.0..=1_113_750.0).contains(&p99), "p99 {p99}");
        assert_eq!(Histogram::default().quantile(0.5), 0);
    }
}
