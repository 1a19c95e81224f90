//! The pipelined model runner: segments of one model, one thread each, so that segment 0
//! works on request k+1 while segment 1 works on request k.
//!
//! A stage may be replicated ([`build_replicated`]): k engines of the same segment, one
//! thread each, on k devices. A replica takes the next request when it is free (so a fast
//! device takes more than a slow one), and a bounded reorder after the stage puts results back
//! in push order, so everything below holds for replicated stages too.
//!
//! Semantics follow libcoral's `PipelinedModelRunner` (push inputs, pop outputs, FIFO, an
//! empty push ends the stream), made bounded, allocation-free and deadlock-free:
//!
//! - **Bounded.** [`build`] allocates `capacity` slots (default `2R + 1` for R stage threads,
//!   libcoral's bounded mode for unreplicated stages). A slot holds every tensor a request needs on its way: the pipeline inputs, each
//!   segment's outputs, including tensors that skip segments (they are not copied per hop).
//!   At most `capacity` requests are in flight; [`Sender::push`] blocks while all slots are
//!   taken, [`Sender::try_push`] returns [`TryPushError::Full`] instead.
//! - **Allocation-free.** Slots move between threads as `Box`es through lock-free
//!   single-producer single-consumer rings ([`ring`]); nothing is allocated per request.
//! - **Blocking without burning CPU.** A thread with nothing to do spins briefly, then sleeps
//!   on a futex until woken.
//! - **FIFO.** Results come out of [`Receiver::pop`] in push order.
//! - **Failure.** When segment `s` fails on request `k`, results before `k` are still
//!   delivered; `pop` then returns [`PopError::StageFailed`] naming `s` (and the replica)
//!   with the engine's message; requests after `k` are discarded without running; the next push returns the
//!   same failure. No thread stays blocked.
//! - **Shutdown.** An empty push, [`Sender::close`], [`Monitor::close`] or dropping the
//!   [`Sender`] ends the stream: queued requests finish, then `pop` returns `Ok(None)`.
//!   Dropping the [`Receiver`] abandons what is in flight and joins every stage thread.
//! - **Cancel.** [`Monitor::cancel`] ends the stream and gives up the requests in flight:
//!   stages stop invoking (an invoke already running finishes: engines cannot be
//!   interrupted), `pop` discards what is left and returns `Ok(None)`; it counts them
//!   ([`Receiver::cancelled`]). For a shutdown that must not wait for slow stages.
//!
//! - **Waking.** [`Receiver::pop_or_wake`] also returns when another thread calls
//!   [`Monitor::wake`], so a results loop can look at a stop, a command or a watchdog while no
//!   result comes; [`Receiver::in_flight`] tells whether the pipeline holds a request.
//!   [`Receiver::shut_down`] stops the stages like dropping the receiver but waits for them
//!   only so long: a stage stuck in an invoke is left behind.
//!
//! What blocks: `push` (no free slot), `pop` (no result yet), and each stage's
//! `Engine::invoke` (the device). Nothing else waits.

mod build;
mod error;
mod inorder;
mod monitor;
mod pace;
mod receiver;
pub mod ring;
mod route;
mod sender;
mod stage;
pub mod stats;
mod stream;
pub mod trace;

use std::ops::Range;
use std::sync::Arc;
use std::time::Instant;

use crate::engine::{HostBuffer, TensorSpec};
pub use build::{build, build_replicated, build_traced};
pub use error::{AlreadyClosed, BuildError, PopError, PushError, StageFailure, TryPushError};
pub use monitor::{Monitor, PipelineStats};
pub use receiver::{Output, Popped, Receiver};
pub use route::check_chain;
pub use sender::{InputSlot, Live, Sender};
use stats::StageCounters;
pub use stats::{ReplicaStats, StageStats};
use stream::Stream;

/// Largest capacity accepted (requests in flight).
pub const MAX_CAPACITY: usize = 4096;

/// Settings of a pipeline.
#[derive(Debug, Clone, Default)]
pub struct PipelineConfig {
    /// Requests in flight; `None` means `2N + 1`.
    pub capacity: Option<usize>,
}

/// What the producer attaches to a request and gets back with its result (a frame's own
/// sequence number and capture time, for end-to-end latency).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tag {
    /// The frame's sequence number.
    pub frame: u64,
    /// When it was captured, in nanoseconds on the producer's clock.
    pub captured_ns: u64,
}

/// One request in flight: every tensor it needs, preallocated.
struct Slot {
    seq: u64,
    tag: Tag,
    failure: Option<StageFailure>,
    /// Passed on without running: a newer live request waited behind it (see [`Sender::push_latest`]).
    skipped: bool,
    /// When segment 0 began on it.
    entered: Option<Instant>,
    /// Aligned so that an engine can bind them without copying.
    tensors: Box<[HostBuffer]>,
}

/// What every thread of one pipeline shares.
struct Shared {
    stream: Stream,
    /// Live mode ([`Sender::push_latest`] was used): a stage skips a request when a newer one
    /// waits behind it.
    live: std::sync::atomic::AtomicBool,
    /// Per replica, numbered across stages (stage 0's replicas first).
    counters: Box<[StageCounters]>,
    /// Per stage: live requests waiting at its input and replicas invoking (freshness).
    load: Box<[stage::StageLoad]>,
    /// Per replica: the invoke it is running, if any (entry pacing).
    busy_since: Box<[pace::BusySince]>,
    /// Per stage: the numbers of its replicas.
    replicas: Box<[Range<usize>]>,
    inputs: Vec<TensorSpec>,
    outputs: Vec<TensorSpec>,
    capacity: usize,
    started: Instant,
    /// Where the stages record each request's timings (`bench --trace`).
    trace: Option<Arc<trace::Trace>>,
}

impl Shared {
    /// Tells stage `s` (the receiver when `s` is past the last stage) that a request arrived.
    fn notify_stage(&self, s: usize) {
        match self.replicas.get(s) {
            Some(range) => range
                .clone()
                .for_each(|r| self.stream.replica_signal(r).notify()),
            None => self.stream.receiver_signal().notify(),
        }
    }
}
