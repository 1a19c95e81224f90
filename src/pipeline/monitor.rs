//! A cloneable handle on a running pipeline: statistics, closing and cancelling from any
//! thread.

use std::sync::Arc;

use super::Shared;
use super::error::AlreadyClosed;
use super::stats::StageStats;

/// Statistics of the whole pipeline.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PipelineStats {
    /// Per stage, in chain order.
    pub stages: Vec<StageStats>,
    /// Requests accepted so far.
    pub pushed: u64,
    /// Requests in flight allowed.
    pub capacity: usize,
    /// Seconds since the pipeline was built.
    pub elapsed_s: f64,
}

/// A cloneable handle on a pipeline: statistics, and closing from any thread.
#[derive(Clone)]
pub struct Monitor {
    shared: Arc<Shared>,
}

impl Monitor {
    pub(super) fn new(shared: Arc<Shared>) -> Self {
        Monitor { shared }
    }

    /// Ends the stream, like an empty push. Exactly one of concurrent closes succeeds.
    pub fn close(&self) -> Result<(), AlreadyClosed> {
        self.shared.stream.close()
    }

    /// Ends the stream and gives up the requests in flight (see the module's **Cancel**).
    pub fn cancel(&self) {
        self.shared.stream.cancel();
    }

    /// Makes the receiver's [`Receiver::pop_or_wake`] return [`Popped::Woken`]: at once if it
    /// waits, else at its next call that finds no result ready. Wakes coalesce. A thread that
    /// must look at something besides results (a stop, a command, a watchdog) ticks this.
    ///
    /// [`Receiver::pop_or_wake`]: super::Receiver::pop_or_wake
    /// [`Popped::Woken`]: super::Popped::Woken
    pub fn wake(&self) {
        self.shared.stream.wake_receiver();
    }

    /// A snapshot of the statistics (allocates; not for the per-request path).
    pub fn stats(&self) -> PipelineStats {
        PipelineStats {
            stages: self
                .shared
                .replicas
                .iter()
                .enumerate()
                .map(|(s, r)| StageStats::of(s, &self.shared.counters[r.clone()]))
                .collect(),
            pushed: self.shared.stream.state().1,
            capacity: self.shared.capacity,
            elapsed_s: self.shared.started.elapsed().as_secs_f64(),
        }
    }
}
