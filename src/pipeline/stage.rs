//! The stage worker: one thread per stage replica, taking the next request in push order from
//! the stage's input, invoking its engine, and passing each request on, failed or not, so
//! that order and counts hold.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::error::StageFailure;
use super::inorder::InOrder;
use super::ring::Producer;
use super::{Shared, Slot};
use crate::engine::{Engine, EngineError};

/// What the freshness rule reads of one stage: the live requests waiting at its input (not
/// skipped, not failed: a request passed on unrun needs no replica) and its replicas invoking.
#[derive(Default)]
pub(super) struct StageLoad {
    waiting: AtomicUsize,
    running: AtomicUsize,
}

impl StageLoad {
    /// A live request is about to be queued at the stage's input.
    pub(super) fn arrive(&self) {
        self.waiting.fetch_add(1, Ordering::AcqRel);
    }

    /// Live requests waiting at the stage's input now.
    pub(super) fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Acquire)
    }
}

/// Whether a live request just taken is passed on unrun: when at least as many newer live
/// requests wait behind it as the stage has replicas free (this one included), running it
/// would make one of them wait; the newest ones are run instead. With one replica: any newer
/// live request waiting. With k, up to k - 1 newer ones run beside it on the idle replicas.
pub(super) fn stale(live_mode: bool, behind: usize, idle: usize) -> bool {
    live_mode && behind >= idle.max(1)
}

/// Whether a slot counts as live at a stage's input (see [`StageLoad`]).
fn counts(slot: &Slot) -> bool {
    slot.failure.is_none() && !slot.skipped
}

/// One replica's worker, moved into its thread.
pub(super) struct Stage {
    /// The stage (segment) index.
    pub(super) index: usize,
    /// The replica within the stage.
    pub(super) replica: usize,
    /// Whether the stage has more than one replica.
    pub(super) replicated: bool,
    /// The replica's number across stages (its counters and signal).
    pub(super) id: usize,
    pub(super) engine: Box<dyn Engine>,
    /// The stage's input, shared by its replicas.
    pub(super) input: Arc<Mutex<InOrder>>,
    /// This replica's own ring to the next stage.
    pub(super) output: Producer<Slot>,
    /// Slot tensor of each engine input.
    pub(super) ins: Vec<usize>,
    /// Slot tensor of each engine output.
    pub(super) outs: Vec<usize>,
    pub(super) shared: Arc<Shared>,
}

impl Stage {
    /// The thread's body: returns when the stream is over or abandoned.
    pub(super) fn run(mut self) {
        let shared = Arc::clone(&self.shared);
        let stream = &shared.stream;
        let counters = &shared.counters[self.id];
        let busy_since = &shared.busy_since[self.id];
        let load = &shared.load[self.index];
        let replicas = shared.replicas[self.index].len();
        loop {
            let waiting = Instant::now();
            let input = &self.input;
            let next = stream.replica_signal(self.id).wait_until(|| {
                let mut input = input.lock().unwrap_or_else(|p| p.into_inner());
                let (frozen, count) = stream.state();
                if let Some(slot) = input.pop() {
                    if frozen && input.taken() == count {
                        // The last request: the other replicas may stop waiting.
                        shared.notify_stage(self.index);
                    }
                    if counts(&slot) {
                        load.waiting.fetch_sub(1, Ordering::AcqRel);
                    }
                    let behind = load.waiting.load(Ordering::Acquire);
                    return Some(Some((slot, input.queued() + 1, behind)));
                }
                let done = stream.is_abandoned() || (frozen && input.taken() == count);
                done.then_some(None)
            });
            let Some((mut slot, queued, behind)) = next else {
                return;
            };
            counters.record_dequeue(waiting.elapsed().as_nanos() as u64, queued);
            let live = slot.failure.is_none() && slot.seq < stream.failed_seq() && !slot.skipped;
            let stopped = stream.is_abandoned() || stream.is_cancelled();
            // Freshness in live mode: enough newer requests wait behind this one for the free
            // replicas, so this one is passed on unrun (the receiver discards and counts it).
            let idle = replicas.saturating_sub(load.running.load(Ordering::Acquire));
            let stale = stale(shared.live.load(Ordering::Relaxed), behind, idle);
            if live && !stopped && stale {
                slot.skipped = true;
            } else if live && !stopped {
                load.running.fetch_add(1, Ordering::AcqRel);
                let started = Instant::now();
                busy_since.begin((started - shared.started).as_nanos() as u64);
                if self.index == 0 {
                    slot.entered = Some(started);
                }
                match self.invoke(&mut slot) {
                    Ok(()) => {
                        let ended = Instant::now();
                        counters.record_invoke((ended - started).as_nanos() as u64);
                        if let Some(trace) = &shared.trace {
                            trace.record(self.index, self.replica, slot.seq, started, ended);
                        }
                    }
                    Err(e) => {
                        let failure = StageFailure {
                            segment: self.index,
                            replica: self.replicated.then_some(self.replica),
                            request: slot.seq,
                            message: e,
                        };
                        stream.record_failure(&failure);
                        slot.failure = Some(failure);
                    }
                }
                busy_since.end();
                load.running.fetch_sub(1, Ordering::AcqRel);
            }
            if let Some(next) = shared.load.get(self.index + 1)
                && counts(&slot)
            {
                next.arrive();
            }
            if self.output.push(slot).is_err() {
                unreachable!("every ring holds every slot");
            }
            shared.notify_stage(self.index + 1);
        }
    }

    /// Runs the engine on the slot's tensors (in place where the engine can bind them). A
    /// panicking engine (a bug, a slice of the wrong length) is this request's failure like
    /// any other: the slot goes on, so no request is lost and no thread waits for it. Later
    /// requests are not given to the engine (they are past the stream's failure).
    fn invoke(&mut self, slot: &mut Slot) -> Result<(), String> {
        let (engine, ins, outs) = (&mut self.engine, &self.ins, &self.outs);
        let tensors = &mut slot.tensors;
        // The engine is never used again after a panic, so a broken invariant inside it cannot
        // be observed.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            engine.invoke_on(tensors, ins, outs)
        }))
        .unwrap_or_else(|payload| Err(EngineError::Invoke(panic_message(payload.as_ref()))))
        .map_err(|e| e.to_string())
    }
}

/// What a caught panic said.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let said = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    format!("the engine panicked: {said}")
}

#[cfg(test)]
mod tests {
    use super::stale;

    #[test]
    fn a_request_is_stale_when_newer_ones_would_wait_for_the_free_replicas() {
        // One replica: any newer live request waiting makes this one stale.
        assert!(!stale(true, 0, 1));
        assert!(stale(true, 1, 1));
        // Two replicas, both free: one newer request runs beside this one.
        assert!(!stale(true, 1, 2));
        assert!(stale(true, 2, 2));
        // Two replicas, the other busy: as with one.
        assert!(stale(true, 1, 1));
        // Every replica counted busy (a race with one finishing): still one at a time.
        assert!(stale(true, 1, 0));
        // Bounded mode runs everything.
        assert!(!stale(false, 5, 1));
    }
}
