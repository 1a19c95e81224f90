//! The stream's lifecycle, in one type: open, then closed (by the user or by a failure),
//! possibly cancelled or abandoned, and the signals every transition must wake.
//!
//! The lifecycle and the count of accepted pushes share one word, so a push and a close
//! cannot cross: bit 63 freezes the count (no more pushes), bit 62 records that the user
//! closed, the rest counts accepted pushes. Once frozen, the count is final: a party that has
//! seen `count` requests go by knows it has seen them all.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use super::error::{AlreadyClosed, StageFailure};
use super::ring::Signal;

const FROZEN: u64 = 1 << 63;
const USER_CLOSED: u64 = 1 << 62;
const COUNT: u64 = USER_CLOSED - 1;

/// The lifecycle of one pipeline's stream, shared by the sender, the stages and the receiver.
pub(super) struct Stream {
    state: AtomicU64,
    /// Lowest request any segment failed on (`u64::MAX`: none).
    failed_seq: AtomicU64,
    /// The failure of `failed_seq`, for pushes to report. Touched only on failure.
    failure: Mutex<Option<StageFailure>>,
    /// The receiver is gone: stages stop working and exit.
    abandoned: AtomicBool,
    /// Cancelled: stages pass requests on without running them, `pop` discards them.
    cancelled: AtomicBool,
    /// A wake for the receiver ([`super::Monitor::wake`]), not yet taken by a wakeable pop.
    woken: AtomicBool,
    /// One per waiting party: replica r (numbered across stages) at r, the receiver at R, the
    /// sender at R + 1, for R replicas in all.
    signals: Box<[Signal]>,
}

impl Stream {
    /// An open stream through `replicas` stage replicas in all.
    pub(super) fn new(replicas: usize) -> Self {
        Stream {
            state: AtomicU64::new(0),
            failed_seq: AtomicU64::new(u64::MAX),
            failure: Mutex::new(None),
            abandoned: AtomicBool::new(false),
            cancelled: AtomicBool::new(false),
            woken: AtomicBool::new(false),
            signals: (0..replicas + 2).map(|_| Signal::default()).collect(),
        }
    }

    fn replicas(&self) -> usize {
        self.signals.len() - 2
    }

    /// Where replica `i` (numbered across stages) waits for input.
    pub(super) fn replica_signal(&self, i: usize) -> &Signal {
        &self.signals[i]
    }

    /// Where the receiver waits for results.
    pub(super) fn receiver_signal(&self) -> &Signal {
        &self.signals[self.replicas()]
    }

    /// Where the sender waits for free slots.
    pub(super) fn sender_signal(&self) -> &Signal {
        &self.signals[self.replicas() + 1]
    }

    /// Wakes every party, after a transition.
    fn notify_all(&self) {
        self.signals.iter().for_each(Signal::notify);
    }

    /// (frozen, accepted pushes)
    pub(super) fn state(&self) -> (bool, u64) {
        let s = self.state.load(Ordering::Acquire);
        (s & FROZEN != 0, s & COUNT)
    }

    /// Accepts one more push and returns its request number, or `None` when the stream is
    /// frozen (closed or failed) or the count is exhausted.
    pub(super) fn accept(&self) -> Option<u64> {
        let mut state = self.state.load(Ordering::Acquire);
        loop {
            if state & FROZEN != 0 || state & COUNT == COUNT {
                return None;
            }
            match self.state.compare_exchange_weak(
                state,
                state + 1,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return Some(state & COUNT),
                Err(now) => state = now,
            }
        }
    }

    /// True when no push can go in any more (frozen or abandoned).
    pub(super) fn refuses_pushes(&self) -> bool {
        self.state().0 || self.is_abandoned()
    }

    /// Ends the stream: no more pushes; requests already accepted finish.
    pub(super) fn close(&self) -> Result<(), AlreadyClosed> {
        let previous = self.state.fetch_or(FROZEN | USER_CLOSED, Ordering::AcqRel);
        self.notify_all();
        if previous & USER_CLOSED != 0 {
            Err(AlreadyClosed)
        } else {
            Ok(())
        }
    }

    /// Ends the stream and gives up the requests in flight.
    pub(super) fn cancel(&self) {
        // Release pairs with the Acquire in `is_cancelled`.
        self.cancelled.store(true, Ordering::Release);
        let _ = self.close();
    }

    /// True once cancelled.
    pub(super) fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Acquire)
    }

    /// The receiver is gone: every stage stops and exits.
    pub(super) fn abandon(&self) {
        self.abandoned.store(true, Ordering::Release);
        self.notify_all();
    }

    /// True once abandoned.
    pub(super) fn is_abandoned(&self) -> bool {
        self.abandoned.load(Ordering::Acquire)
    }

    /// Asks the receiver to come back from a wakeable pop: sets the flag, then wakes it.
    pub(super) fn wake_receiver(&self) {
        // Release pairs with the Acquire swap in `take_wake`; `notify` then orders the flag
        // before the receiver's next look (see `Signal::notify`).
        self.woken.store(true, Ordering::Release);
        self.receiver_signal().notify();
    }

    /// Takes a pending wake, if any (wakes coalesce: one taken for any number given).
    pub(super) fn take_wake(&self) -> bool {
        // The plain load first: a pop spinning for a result does not write the line.
        self.woken.load(Ordering::Relaxed) && self.woken.swap(false, Ordering::Acquire)
    }

    /// Lowest request any segment failed on (`u64::MAX`: none).
    pub(super) fn failed_seq(&self) -> u64 {
        self.failed_seq.load(Ordering::Acquire)
    }

    /// The earliest failure, if any.
    pub(super) fn failure(&self) -> Option<StageFailure> {
        if self.failed_seq() == u64::MAX {
            return None;
        }
        self.failure
            .lock()
            .map(|f| f.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    /// Records a stage's failure (the earliest request wins) and freezes the stream.
    pub(super) fn record_failure(&self, failure: &StageFailure) {
        let previous = self.failed_seq.fetch_min(failure.request, Ordering::AcqRel);
        if failure.request < previous {
            let mut slot = self.failure.lock().unwrap_or_else(|p| p.into_inner());
            if slot.as_ref().is_none_or(|f| failure.request < f.request) {
                *slot = Some(failure.clone());
            }
        }
        self.state.fetch_or(FROZEN, Ordering::AcqRel);
        self.notify_all();
    }
}
