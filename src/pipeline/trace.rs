//! A trace of a pipeline run, for `bench --trace`: when each request began and ended at each
//! stage, and on which replica. Preallocated for a number of requests and written with
//! relaxed atomics from the stage threads, so recording neither locks nor allocates; requests
//! past the capacity are not recorded.
//!
//! [`Trace::to_json`] writes the Chrome / Perfetto trace-event format: one track (thread) per
//! stage replica, one complete span ("X") per request on the replica that ran it, and each
//! request's wait before the stage (from when it left the previous stage, or was pushed) as an
//! async span ("b"/"e") named `queue <stage>`.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed};
use std::time::Instant;

use serde_json::{Value, json};

/// One request at one stage. Times are nanoseconds since the trace's origin plus 1 (0: not
/// recorded).
#[derive(Default)]
struct Cell {
    replica: AtomicU32,
    start: AtomicU64,
    end: AtomicU64,
}

/// Per-request, per-stage timings of one pipeline run.
pub struct Trace {
    origin: Instant,
    stages: usize,
    requests: usize,
    cells: Box<[Cell]>,
    pushed: Box<[AtomicU64]>,
}

impl std::fmt::Debug for Trace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Trace({} stages x {} requests)",
            self.stages, self.requests
        )
    }
}

impl Trace {
    /// Room for the first `requests` requests through `stages` stages.
    pub fn new(stages: usize, requests: usize) -> Trace {
        Trace {
            origin: Instant::now(),
            stages,
            requests,
            cells: (0..stages * requests).map(|_| Cell::default()).collect(),
            pushed: (0..requests).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    fn ns(&self, t: Instant) -> u64 {
        t.saturating_duration_since(self.origin).as_nanos() as u64 + 1
    }

    /// Request `seq` was pushed now (the producer calls it just before sending).
    pub fn pushed(&self, seq: u64) {
        if let Some(p) = self.pushed.get(seq as usize) {
            p.store(self.ns(Instant::now()), Relaxed);
        }
    }

    /// Request `seq` ran at `stage` on `replica` from `start` to `end`.
    pub(super) fn record(
        &self,
        stage: usize,
        replica: usize,
        seq: u64,
        start: Instant,
        end: Instant,
    ) {
        if stage >= self.stages || seq as usize >= self.requests {
            return;
        }
        let c = &self.cells[seq as usize * self.stages + stage];
        c.replica.store(replica as u32, Relaxed);
        c.start.store(self.ns(start), Relaxed);
        c.end.store(self.ns(end), Relaxed);
    }

    /// The trace-event JSON; `replicas[s]` is the number of replicas of stage `s` (named
    /// tracks are written for each).
    pub fn to_json(&self, replicas: &[usize]) -> Value {
        let tid = |s: usize, r: usize| 1000 * (s + 1) + r;
        let us = |ns: u64| (ns - 1) as f64 / 1e3;
        let mut events = vec![json!({"ph": "M", "pid": 1, "name": "process_name",
            "args": {"name": "edgepipe pipeline"}})];
        for (s, &n) in replicas.iter().enumerate() {
            for r in 0..n {
                events.push(
                    json!({"ph": "M", "pid": 1, "tid": tid(s, r), "name": "thread_name",
                    "args": {"name": format!("stage {s} replica {r}")}}),
                );
            }
        }
        for seq in 0..self.requests {
            let mut ready = self.pushed[seq].load(Relaxed);
            for s in 0..self.stages {
                let c = &self.cells[seq * self.stages + s];
                let (start, end) = (c.start.load(Relaxed), c.end.load(Relaxed));
                if start == 0 {
                    break;
                }
                let t = tid(s, c.replica.load(Relaxed) as usize);
                if ready != 0 && ready <= start {
                    let name = format!("queue {s}");
                    for (ph, at) in [("b", ready), ("e", start)] {
                        events.push(json!({"ph": ph, "cat": "queue", "name": name, "id": seq,
                            "pid": 1, "tid": t, "ts": us(at)}));
                    }
                }
                events.push(
                    json!({"ph": "X", "cat": "invoke", "name": format!("request {seq}"),
                    "pid": 1, "tid": t, "ts": us(start), "dur": (end - start) as f64 / 1e3,
                    "args": {"request": seq, "stage": s}}),
                );
                ready = end;
            }
        }
        json!({"traceEvents": events, "displayTimeUnit": "ms"})
    }
}
