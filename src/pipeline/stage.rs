//! The stage worker: one thread per stage replica, taking the next request in push order from
//! the stage's input, invoking its engine, and passing each request on, failed or not, so
//! that order and counts hold.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::error::StageFailure;
use super::inorder::InOrder;
use super::ring::Producer;
use super::{Shared, Slot};
use crate::engine::{Engine, EngineError};

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
                    return Some(Some((slot, input.queued() + 1)));
                }
                let done = stream.is_abandoned() || (frozen && input.taken() == count);
                done.then_some(None)
            });
            let Some((mut slot, queued)) = next else {
                return;
            };
            counters.record_dequeue(waiting.elapsed().as_nanos() as u64, queued);
            let live = slot.failure.is_none() && slot.seq < stream.failed_seq() && !slot.skipped;
            let stopped = stream.is_abandoned() || stream.is_cancelled();
            // Freshness in live mode: a newer request waits behind this one, so this one is
            // passed on unrun (the receiver discards and counts it).
            let stale = shared.live.load(Ordering::Relaxed) && queued > 1;
            if live && !stopped && stale {
                slot.skipped = true;
            } else if live && !stopped {
                let started = Instant::now();
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
