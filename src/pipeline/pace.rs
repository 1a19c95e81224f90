//! Entry pacing for live mode: when the newest frame should enter the pipeline.
//!
//! A frame sent while the stages ahead of it are busy waits inside the pipeline, growing
//! older, while newer frames arrive behind it. Held back in the sender's landing slot
//! instead, it is replaced by each newer frame until the one that would wait no longer than
//! the next frame takes to arrive. The estimate reads only what the stages publish (their
//! mean invoke time, who is invoking since when, who waits where), so it costs a few atomic
//! loads per frame and allocates nothing.

use std::sync::atomic::{AtomicU64, Ordering};

use super::Shared;

/// When each replica began the invoke it is running, in nanoseconds since the pipeline was
/// built, plus one (0: not invoking).
#[derive(Default)]
pub(super) struct BusySince(AtomicU64);

impl BusySince {
    pub(super) fn begin(&self, now_ns: u64) {
        self.0.store(now_ns.saturating_add(1), Ordering::Release);
    }

    pub(super) fn end(&self) {
        self.0.store(0, Ordering::Release);
    }

    fn get(&self) -> Option<u64> {
        match self.0.load(Ordering::Acquire) {
            0 => None,
            t => Some(t - 1),
        }
    }
}

/// What one stage looks like to a frame about to enter.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct StageView {
    /// Replicas of the stage.
    pub replicas: usize,
    /// Mean invoke time so far (0 before the first).
    pub mean_ns: u64,
    /// Replicas invoking, and the time each has left by the mean (summed, each at least 0).
    pub running: usize,
    pub remaining_ns: u64,
    /// Live requests waiting at the stage's input.
    pub waiting: usize,
}

/// How long a frame sent now would wait, at worst, at some stage on its way: every request
/// ahead of it (running or waiting at that stage or before) goes through the stage first,
/// spread over its replicas, while the frame itself takes the mean times of the stages before
/// to get there.
pub(super) fn expected_wait_ns(stages: impl Iterator<Item = StageView>) -> u64 {
    let (mut ahead, mut arrival, mut worst) = (0usize, 0u64, 0u64);
    for s in stages {
        let queued = ahead + s.waiting;
        let replicas = s.replicas.max(1);
        let free_in = if s.running + queued < replicas {
            0
        } else {
            let work = s
                .remaining_ns
                .saturating_add((queued as u64).saturating_mul(s.mean_ns));
            work / replicas as u64
        };
        worst = worst.max(free_in.saturating_sub(arrival));
        arrival = arrival.saturating_add(s.mean_ns);
        ahead += s.waiting + s.running;
    }
    worst
}

/// The view of stage `s` of a running pipeline at `now_ns` (since it was built).
pub(super) fn view(shared: &Shared, s: usize, now_ns: u64) -> StageView {
    let range = shared.replicas[s].clone();
    let (mut busy, mut count, mut running, mut remaining_ns) = (0u64, 0u64, 0usize, 0u64);
    for r in range.clone() {
        busy = busy.saturating_add(shared.counters[r].busy_ns.load(Ordering::Relaxed));
        count += shared.counters[r].count.load(Ordering::Relaxed);
    }
    let mean_ns = busy.checked_div(count).unwrap_or(0);
    for r in range.clone() {
        if let Some(t) = shared.busy_since[r].get() {
            running += 1;
            remaining_ns += mean_ns.saturating_sub(now_ns.saturating_sub(t));
        }
    }
    StageView {
        replicas: range.len(),
        mean_ns,
        running,
        remaining_ns,
        waiting: shared.load[s].waiting(),
    }
}

#[cfg(test)]
mod tests {
    use super::{StageView, expected_wait_ns};

    fn stage(replicas: usize, mean_ns: u64, running: usize, remaining_ns: u64) -> StageView {
        StageView {
            replicas,
            mean_ns,
            running,
            remaining_ns,
            waiting: 0,
        }
    }

    #[test]
    fn an_idle_pipeline_takes_a_frame_at_once() {
        let idle = [stage(1, 10, 0, 0), stage(1, 20, 0, 0)];
        assert_eq!(expected_wait_ns(idle.into_iter()), 0);
        // Before any invoke finished nothing is known: no waiting either.
        assert_eq!(expected_wait_ns([stage(1, 0, 1, 0)].into_iter()), 0);
    }

    #[test]
    fn a_busy_first_stage_makes_a_frame_wait_its_remaining_time() {
        assert_eq!(expected_wait_ns([stage(1, 10, 1, 4)].into_iter()), 4);
        // A free replica beside the busy one takes it at once.
        assert_eq!(expected_wait_ns([stage(2, 10, 1, 4)].into_iter()), 0);
    }

    #[test]
    fn a_later_stage_counts_what_goes_through_it_first() {
        // Stage 0 idle (5 to cross); stage 1 busy for 30 more and the frame in stage 0 (none)
        // ahead: the frame waits 30 - 5 there.
        let s = [stage(1, 5, 0, 0), stage(1, 40, 1, 30)];
        assert_eq!(expected_wait_ns(s.into_iter()), 25);
        // A request running at stage 0 goes through stage 1 before ours: 30 + 40 - 5.
        let s = [stage(1, 5, 1, 2), stage(1, 40, 1, 30)];
        assert_eq!(expected_wait_ns(s.into_iter()), 65);
        // A request waiting at stage 1 counts too; two replicas share the work.
        let mut busy = stage(2, 40, 2, 30);
        busy.waiting = 1;
        let s = [stage(1, 5, 0, 0), busy];
        assert_eq!(expected_wait_ns(s.into_iter()), (30 + 40) / 2 - 5);
    }
}
