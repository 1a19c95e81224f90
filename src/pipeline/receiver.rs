//! The popping end: results in push order, failures reported for exactly the failing
//! request, cancelled requests discarded; it owns the stage threads.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::error::PopError;
use super::inorder::InOrder;
use super::monitor::Monitor;
use super::ring::Producer;
use super::{Shared, Slot, Tag};
use crate::engine::TensorSpec;

/// The popping end. Owns the stage threads: dropping it stops and joins them.
pub struct Receiver {
    shared: Arc<Shared>,
    /// Results of the last stage, back in push order.
    last: InOrder,
    free: Producer<Slot>,
    cancelled: u64,
    skipped: u64,
    threads: Vec<JoinHandle<()>>,
    routes: Vec<usize>,
}

/// One result, borrowed from its slot; dropping it frees the slot for the next push.
pub struct Output<'a> {
    slot: Option<Box<Slot>>,
    receiver: &'a mut Receiver,
}

/// What [`Receiver::pop_or_wake`] returned.
pub enum Popped<'a> {
    /// The next result in push order.
    Result(Output<'a>),
    /// [`Monitor::wake`] was called and no result was ready.
    Woken,
    /// The stream is closed and every result was delivered.
    Closed,
}

/// What the receiver's wait ended on.
enum Next {
    Slot(Box<Slot>),
    Woken,
    Closed,
}

impl Output<'_> {
    /// Position of the request in push order (from 0).
    pub fn request(&self) -> u64 {
        self.slot.as_ref().map_or(0, |s| s.seq)
    }

    /// The tag the producer attached ([`Sender::push_latest`]).
    pub fn tag(&self) -> Tag {
        self.slot.as_ref().map_or(Tag::default(), |s| s.tag)
    }

    /// When segment 0 began on this request (`None` for a request it did not run).
    pub fn entered(&self) -> Option<std::time::Instant> {
        self.slot.as_ref().and_then(|s| s.entered)
    }

    /// Number of output tensors.
    pub fn len(&self) -> usize {
        self.receiver.routes.len()
    }

    /// True when the pipeline has no outputs.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Output `i`: its name, type, shape and quantization, and its bytes.
    pub fn tensor(&self, i: usize) -> (&TensorSpec, &[u8]) {
        let data = match self.slot.as_ref() {
            Some(slot) => &slot.tensors[self.receiver.routes[i]][..],
            None => &[],
        };
        (&self.receiver.shared.outputs[i], data)
    }
}

impl Drop for Output<'_> {
    fn drop(&mut self) {
        if let Some(slot) = self.slot.take() {
            self.receiver.recycle(slot);
        }
    }
}

impl Receiver {
    pub(super) fn new(
        shared: Arc<Shared>,
        last: InOrder,
        free: Producer<Slot>,
        threads: Vec<JoinHandle<()>>,
        routes: Vec<usize>,
    ) -> Self {
        Receiver {
            shared,
            last,
            free,
            cancelled: 0,
            skipped: 0,
            threads,
            routes,
        }
    }

    /// The pipeline's outputs, in the order results carry them.
    pub fn outputs(&self) -> &[TensorSpec] {
        &self.shared.outputs
    }

    fn recycle(&mut self, slot: Box<Slot>) {
        if self.free.push(slot).is_err() {
            unreachable!("the free ring holds every slot");
        }
        self.shared.stream.sender_signal().notify();
    }

    /// The next result in push order, waiting for it; `Ok(None)` once the stream is closed
    /// and every result was delivered. After a [`PopError::StageFailed`], later requests are
    /// discarded and the next call returns `Ok(None)`. [`Monitor::wake`] does not end it.
    pub fn pop(&mut self) -> Result<Option<Output<'_>>, PopError> {
        match self.next(false)? {
            Popped::Result(output) => Ok(Some(output)),
            Popped::Closed => Ok(None),
            Popped::Woken => unreachable!("only a wakeable pop is woken"),
        }
    }

    /// [`Receiver::pop`], which also returns [`Popped::Woken`] when [`Monitor::wake`] was
    /// called (while it waits, or since the last `Woken`) and no result is ready: results
    /// come first, and any number of wakes gives one `Woken`.
    pub fn pop_or_wake(&mut self) -> Result<Popped<'_>, PopError> {
        self.next(true)
    }

    fn next(&mut self, wakeable: bool) -> Result<Popped<'_>, PopError> {
        loop {
            let stream = &self.shared.stream;
            let last = &mut self.last;
            let next = stream.receiver_signal().wait_until(|| {
                if let Some(slot) = last.pop() {
                    return Some(Next::Slot(slot));
                }
                let (frozen, count) = stream.state();
                if frozen && last.taken() == count {
                    return Some(Next::Closed);
                }
                (wakeable && stream.take_wake()).then_some(Next::Woken)
            });
            let mut slot = match next {
                Next::Slot(slot) => slot,
                Next::Woken => return Ok(Popped::Woken),
                Next::Closed => return Ok(Popped::Closed),
            };
            // Every request before this one has passed every stage, so the earliest failure
            // at or before it is known: a request after it is discarded (it may carry a
            // failure of its own, from a stage that ran it before the earlier one failed).
            if slot.seq > self.shared.stream.failed_seq() {
                self.recycle(slot);
                continue;
            }
            if let Some(failure) = slot.failure.take() {
                self.recycle(slot);
                return Err(PopError::StageFailed(failure));
            }
            if slot.skipped {
                self.skipped += 1;
                self.recycle(slot);
                continue;
            }
            // A slot popped after a cancel may be unfinished.
            if self.shared.stream.is_cancelled() {
                self.cancelled += 1;
                self.recycle(slot);
                continue;
            }
            return Ok(Popped::Result(Output {
                slot: Some(slot),
                receiver: self,
            }));
        }
    }

    /// Requests accepted that have not come out of the last stage yet (a snapshot): 0 when
    /// no stage holds or waits for a request.
    pub fn in_flight(&self) -> u64 {
        self.shared
            .stream
            .state()
            .1
            .saturating_sub(self.last.taken())
    }

    /// A handle for statistics and closing from any thread.
    pub fn monitor(&self) -> Monitor {
        Monitor::new(self.shared.clone())
    }

    /// Live requests passed on unrun because a newer one waited behind them (discarded by
    /// `pop`; see [`super::Sender::push_latest`]).
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// Requests given up by [`Monitor::cancel`] (discarded by `pop`).
    pub fn cancelled(&self) -> u64 {
        self.cancelled
    }
}

impl Receiver {
    /// Stops the stages as dropping the receiver does, but waits at most `limit` for their
    /// threads to end. A thread still in an invoke then (an engine cannot be interrupted) is
    /// left to finish it and end on its own, or with the process; the number left is
    /// returned. The requests such a thread holds are lost: count them with
    /// [`Receiver::in_flight`] first.
    pub fn shut_down(mut self, limit: Duration) -> usize {
        self.shared.stream.abandon();
        let deadline = Instant::now() + limit;
        while self.threads.iter().any(|t| !t.is_finished()) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        let (done, running): (Vec<_>, Vec<_>) =
            self.threads.drain(..).partition(JoinHandle::is_finished);
        for t in done {
            let _ = t.join();
        }
        // Dropping a handle detaches its thread.
        running.len()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.shared.stream.abandon();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}
