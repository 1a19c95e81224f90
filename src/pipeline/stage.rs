//! The stage worker: one thread per segment, taking requests from its input ring, invoking
//! its engine, and passing each request on, failed or not, so that order and counts hold.

use std::sync::Arc;
use std::time::Instant;

use super::error::StageFailure;
use super::ring::{Consumer, Producer};
use super::{Shared, Slot};
use crate::engine::{Engine, EngineError};

/// One segment's worker, moved into its thread.
pub(super) struct Stage {
    pub(super) index: usize,
    pub(super) engine: Box<dyn Engine>,
    pub(super) input: Consumer<Slot>,
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
        let counters = &shared.counters[self.index];
        let mut processed = 0u64;
        loop {
            let waiting = Instant::now();
            let input = &mut self.input;
            let next = stream.stage_signal(self.index).wait_until(|| {
                if let Some(slot) = input.pop() {
                    return Some(Some(slot));
                }
                let (frozen, count) = stream.state();
                let done = stream.is_abandoned() || (frozen && processed == count);
                done.then_some(None)
            });
            let Some(mut slot) = next else { return };
            counters.record_dequeue(waiting.elapsed().as_nanos() as u64, self.input.len() + 1);
            processed += 1;
            let live = slot.failure.is_none() && slot.seq < stream.failed_seq();
            let stopped = stream.is_abandoned() || stream.is_cancelled();
            if live && !stopped {
                let started = Instant::now();
                match self.invoke(&mut slot) {
                    Ok(()) => counters.record_invoke(started.elapsed().as_nanos() as u64),
                    Err(e) => {
                        let failure = StageFailure {
                            segment: self.index,
                            request: slot.seq,
                            message: e.to_string(),
                        };
                        stream.record_failure(&failure);
                        slot.failure = Some(failure);
                    }
                }
            }
            if self.output.push(slot).is_err() {
                unreachable!("every ring holds every slot");
            }
            stream.stage_signal(self.index + 1).notify();
        }
    }

    /// Copies the slot's tensors into the engine, invokes, copies the results back.
    fn invoke(&mut self, slot: &mut Slot) -> Result<(), EngineError> {
        for (i, &t) in self.ins.iter().enumerate() {
            self.engine.input_mut(i).copy_from_slice(&slot.tensors[t]);
        }
        self.engine.invoke()?;
        for (o, &t) in self.outs.iter().enumerate() {
            slot.tensors[t].copy_from_slice(self.engine.output(o));
        }
        Ok(())
    }
}
