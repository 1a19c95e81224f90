//! The bounded reorder after a stage: its replicas finish requests in any order, each
//! handing them on through its own ring in rising request order (a replica takes requests in
//! push order), and [`InOrder`] gives them back in push order.
//!
//! It holds at most one request per replica (the head of that replica's ring) beyond what
//! the rings hold, so the reorder is bounded by the replica count and allocates nothing.

use super::Slot;
use super::ring::Consumer;

/// Merges the rings of one stage's replicas back into push order.
pub(super) struct InOrder {
    rings: Box<[Consumer<Slot>]>,
    /// A request taken from ring `i` that is not the next one yet.
    heads: Box<[Option<Box<Slot>>]>,
    /// Requests handed on: also the request number expected next (numbers run from 0).
    next: u64,
}

impl InOrder {
    /// Merges `rings`, one per replica of the stage before (or the sender's one).
    pub(super) fn new(rings: Vec<Consumer<Slot>>) -> Self {
        InOrder {
            heads: rings.iter().map(|_| None).collect(),
            rings: rings.into_boxed_slice(),
            next: 0,
        }
    }

    /// The next request in push order, if it has arrived.
    pub(super) fn pop(&mut self) -> Option<Box<Slot>> {
        for (ring, head) in self.rings.iter_mut().zip(self.heads.iter_mut()) {
            if head.is_none() {
                *head = ring.pop();
            }
            if head.as_ref().is_some_and(|s| s.seq == self.next) {
                self.next += 1;
                return head.take();
            }
        }
        None
    }

    /// Requests handed on so far.
    pub(super) fn taken(&self) -> u64 {
        self.next
    }

    /// Requests waiting (arrived, not handed on yet).
    pub(super) fn queued(&self) -> usize {
        let held = self.heads.iter().filter(|h| h.is_some()).count();
        held + self.rings.iter().map(Consumer::len).sum::<usize>()
    }
}
