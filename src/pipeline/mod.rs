//! The pipelined model runner: segments of one model, one thread each, so that segment 0
//! works on request k+1 while segment 1 works on request k.
//!
//! Semantics follow libcoral's `PipelinedModelRunner` (push inputs, pop outputs, FIFO, an
//! empty push ends the stream), made bounded, allocation-free and deadlock-free:
//!
//! - **Bounded.** [`build`] allocates `capacity` slots (default `2N + 1`, libcoral's bounded
//!   mode). A slot holds every tensor a request needs on its way: the pipeline inputs, each
//!   segment's outputs, including tensors that skip segments (they are not copied per hop).
//!   At most `capacity` requests are in flight; [`Sender::push`] blocks while all slots are
//!   taken, [`Sender::try_push`] returns [`TryPushError::Full`] instead.
//! - **Allocation-free.** Slots move between threads as `Box`es through lock-free
//!   single-producer single-consumer rings ([`ring`]); nothing is allocated per request.
//! - **Blocking without burning CPU.** A thread with nothing to do spins briefly, then sleeps
//!   on a futex until woken.
//! - **FIFO.** Results come out of [`Receiver::pop`] in push order.
//! - **Failure.** When segment `s` fails on request `k`, results before `k` are still
//!   delivered; `pop` then returns [`PopError::StageFailed`] naming `s` with the engine's
//!   message; requests after `k` are discarded without running; the next push returns the
//!   same failure. No thread stays blocked.
//! - **Shutdown.** An empty push, [`Sender::close`], [`Monitor::close`] or dropping the
//!   [`Sender`] ends the stream: queued requests finish, then `pop` returns `Ok(None)`.
//!   Dropping the [`Receiver`] abandons what is in flight and joins every stage thread.
//! - **Cancel.** [`Monitor::cancel`] ends the stream and gives up the requests in flight:
//!   stages stop invoking (an invoke already running finishes: engines cannot be
//!   interrupted), `pop` discards what is left and returns `Ok(None)`; it counts them
//!   ([`Receiver::cancelled`]). For a shutdown that must not wait for slow stages.
//!
//! What blocks: `push` (no free slot), `pop` (no result yet), and each stage's
//! `Engine::invoke` (the device). Nothing else waits.

pub mod ring;
pub mod stats;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

use crate::engine::{Engine, EngineError, TensorSpec};
use ring::{Consumer, Producer, Signal};
use stats::StageCounters;
pub use stats::StageStats;

/// Largest capacity accepted (requests in flight).
pub const MAX_CAPACITY: usize = 4096;

/// Why a pipeline cannot be built. Nothing has been started when this is returned.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// No segments.
    #[error("a pipeline needs at least one segment")]
    NoSegments,
    /// Capacity out of range.
    #[error("capacity must be between 1 and {MAX_CAPACITY} requests in flight, got {0}")]
    Capacity(usize),
    /// A segment reads a tensor that a later segment writes.
    #[error(
        "segment {segment} reads tensor '{tensor}', which segment {writer} writes after it: \
         are the segments in order?"
    )]
    OutOfOrder {
        /// The reading segment.
        segment: usize,
        /// The tensor.
        tensor: String,
        /// The later segment writing it.
        writer: usize,
    },
    /// Two segments write the same tensor name.
    #[error("segments {first} and {second} both write tensor '{tensor}'")]
    WrittenTwice {
        /// The first writer.
        first: usize,
        /// The second writer.
        second: usize,
        /// The tensor.
        tensor: String,
    },
    /// Producer and consumer disagree on a tensor.
    #[error("segment {segment} reads tensor '{tensor}' as {expected}, but it arrives as {got}")]
    Mismatch {
        /// The reading segment.
        segment: usize,
        /// The tensor.
        tensor: String,
        /// What the reader expects.
        expected: String,
        /// What arrives.
        got: String,
    },
    /// The operating system would not start a thread.
    #[error("cannot start the thread of segment {segment}: {cause}")]
    Spawn {
        /// The segment.
        segment: usize,
        /// The OS error.
        cause: std::io::Error,
    },
}

/// A segment's failure, as the caller sees it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("segment {segment} failed on request {request}: {message}")]
pub struct StageFailure {
    /// The failing segment.
    pub segment: usize,
    /// The request (push order, from 0) it failed on.
    pub request: u64,
    /// What the engine said.
    pub message: String,
}

/// Why a push did not go in.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PushError {
    /// The stream was closed (or the receiver dropped).
    #[error("the pipeline is closed")]
    Closed,
    /// A segment failed earlier.
    #[error("the pipeline stopped: {0}")]
    Failed(StageFailure),
    /// The request does not fit the pipeline's inputs.
    #[error("input {index} ('{name}') needs {expected} bytes, got {got}")]
    BadInput {
        /// Input position.
        index: usize,
        /// Input name.
        name: String,
        /// Bytes expected.
        expected: usize,
        /// Bytes given.
        got: usize,
    },
    /// Wrong number of inputs.
    #[error("the pipeline takes {expected} input tensor(s), got {got}")]
    InputCount {
        /// Inputs expected.
        expected: usize,
        /// Inputs given.
        got: usize,
    },
}

/// Why a `try_push` did not go in.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TryPushError {
    /// Every slot is in flight: the request was not taken.
    #[error("the pipeline is full")]
    Full,
    /// Any reason a blocking push would also fail.
    #[error(transparent)]
    Push(#[from] PushError),
}

/// Why a close did nothing.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("the pipeline was already closed")]
pub struct AlreadyClosed;

/// Why `pop` returned no result.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PopError {
    /// A segment failed on this request; earlier results were all delivered.
    #[error(transparent)]
    StageFailed(StageFailure),
}

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
    tensors: Box<[Box<[u8]>]>,
}

/// The stream state in one word, so a push and a close cannot cross: bit 63 freezes the
/// count (no more pushes), bit 62 records that the user closed, the rest counts accepted
/// pushes.
const FROZEN: u64 = 1 << 63;
const USER_CLOSED: u64 = 1 << 62;
const COUNT: u64 = USER_CLOSED - 1;

struct Shared {
    state: AtomicU64,
    /// Lowest request any segment failed on (`u64::MAX`: none).
    failed_seq: AtomicU64,
    /// The failure of `failed_seq`, for pushes to report. Touched only on failure.
    failure: Mutex<Option<StageFailure>>,
    /// The receiver is gone: stages stop working and exit.
    abandoned: AtomicBool,
    /// Cancelled: stages pass requests on without running them, `pop` discards them.
    cancelled: AtomicBool,
    /// One per waiting party: stage i at i, the receiver at N, the sender at N + 1.
    signals: Box<[Signal]>,
    counters: Box<[StageCounters]>,
    inputs: Vec<TensorSpec>,
    outputs: Vec<TensorSpec>,
    capacity: usize,
    started: Instant,
}

impl Shared {
    fn stages(&self) -> usize {
        self.counters.len()
    }
    fn sender_signal(&self) -> &Signal {
        &self.signals[self.stages() + 1]
    }
    fn receiver_signal(&self) -> &Signal {
        &self.signals[self.stages()]
    }
    fn notify_all(&self) {
        self.signals.iter().for_each(Signal::notify);
    }
    /// (frozen, accepted pushes)
    fn state(&self) -> (bool, u64) {
        let s = self.state.load(Ordering::Acquire);
        (s & FROZEN != 0, s & COUNT)
    }
    fn failure(&self) -> Option<StageFailure> {
        if self.failed_seq.load(Ordering::Acquire) == u64::MAX {
            return None;
        }
        self.failure
            .lock()
            .map(|f| f.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }
    fn record_failure(&self, failure: &StageFailure) {
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
    fn close(&self) -> Result<(), AlreadyClosed> {
        let previous = self.state.fetch_or(FROZEN | USER_CLOSED, Ordering::AcqRel);
        self.notify_all();
        if previous & USER_CLOSED != 0 {
            Err(AlreadyClosed)
        } else {
            Ok(())
        }
    }
}

/// Where each segment finds its tensors in a slot.
struct Routes {
    /// Byte size of each slot tensor.
    sizes: Vec<usize>,
    /// Slot tensor of each pipeline input.
    inputs: Vec<usize>,
    /// Slot tensor of each pipeline output.
    outputs: Vec<usize>,
    /// Per segment: slot tensor of each of its inputs, and of each of its outputs.
    stages: Vec<(Vec<usize>, Vec<usize>)>,
    input_specs: Vec<TensorSpec>,
    output_specs: Vec<TensorSpec>,
}

fn describe(spec: &TensorSpec) -> String {
    format!("{} {:?} ({} bytes)", spec.dtype, spec.shape, spec.bytes)
}

/// Resolves tensor names to slot positions once, checking that the segments form a chain.
fn route(engines: &[Box<dyn Engine>]) -> Result<Routes, BuildError> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut writer: Vec<Option<usize>> = Vec::new();
    let mut specs: Vec<&TensorSpec> = Vec::new();
    let mut read_later = Vec::new();
    let mut stages = Vec::with_capacity(engines.len());
    for (s, engine) in engines.iter().enumerate() {
        let mut ins = Vec::new();
        for spec in engine.inputs() {
            let t = match index.get(spec.name.as_str()) {
                Some(&t) => t,
                None => {
                    if let Some(w) = (s + 1..engines.len())
                        .find(|&w| engines[w].outputs().iter().any(|o| o.name == spec.name))
                    {
                        return Err(BuildError::OutOfOrder {
                            segment: s,
                            tensor: spec.name.clone(),
                            writer: w,
                        });
                    }
                    index.insert(&spec.name, specs.len());
                    writer.push(None);
                    read_later.push(false);
                    specs.push(spec);
                    specs.len() - 1
                }
            };
            let arriving = specs[t];
            if arriving.dtype != spec.dtype || arriving.bytes != spec.bytes {
                return Err(BuildError::Mismatch {
                    segment: s,
                    tensor: spec.name.clone(),
                    expected: describe(spec),
                    got: describe(arriving),
                });
            }
            if writer[t].is_some() {
                read_later[t] = true;
            }
            ins.push(t);
        }
        let mut outs = Vec::new();
        for spec in engine.outputs() {
            if let Some(&t) = index.get(spec.name.as_str()) {
                return Err(match writer[t] {
                    Some(first) => BuildError::WrittenTwice {
                        first,
                        second: s,
                        tensor: spec.name.clone(),
                    },
                    None => BuildError::OutOfOrder {
                        segment: s,
                        tensor: spec.name.clone(),
                        writer: s,
                    },
                });
            }
            index.insert(&spec.name, specs.len());
            writer.push(Some(s));
            read_later.push(false);
            specs.push(spec);
            outs.push(specs.len() - 1);
        }
        stages.push((ins, outs));
    }
    let inputs: Vec<usize> = (0..specs.len()).filter(|&t| writer[t].is_none()).collect();
    // Pipeline outputs: everything written that no later segment reads, in segment order.
    let outputs: Vec<usize> = (0..specs.len())
        .filter(|&t| writer[t].is_some() && !read_later[t])
        .collect();
    Ok(Routes {
        sizes: specs.iter().map(|s| s.bytes).collect(),
        input_specs: inputs.iter().map(|&t| specs[t].clone()).collect(),
        output_specs: outputs.iter().map(|&t| specs[t].clone()).collect(),
        inputs,
        outputs,
        stages,
    })
}

/// Builds a pipeline from segments already bound to their devices, in chain order. Checks
/// the chain, allocates every slot, then starts one thread per segment.
pub fn build(
    engines: Vec<Box<dyn Engine>>,
    config: &PipelineConfig,
) -> Result<(Sender, Receiver), BuildError> {
    if engines.is_empty() {
        return Err(BuildError::NoSegments);
    }
    let n = engines.len();
    let capacity = config.capacity.unwrap_or(2 * n + 1);
    if capacity == 0 || capacity > MAX_CAPACITY {
        return Err(BuildError::Capacity(capacity));
    }
    let routes = route(&engines)?;
    let shared = Arc::new(Shared {
        state: AtomicU64::new(0),
        failed_seq: AtomicU64::new(u64::MAX),
        failure: Mutex::new(None),
        abandoned: AtomicBool::new(false),
        cancelled: AtomicBool::new(false),
        signals: (0..n + 2).map(|_| Signal::default()).collect(),
        counters: (0..n).map(|_| StageCounters::default()).collect(),
        inputs: routes.input_specs.clone(),
        outputs: routes.output_specs.clone(),
        capacity,
        started: Instant::now(),
    });

    // Rings: free slots (receiver -> sender), then sender -> stage 0 -> ... -> receiver.
    // Each holds every slot, so a push into one never finds it full.
    let (mut free_tx, free_rx) = ring::ring::<Slot>(capacity);
    for _ in 0..capacity {
        let tensors = routes
            .sizes
            .iter()
            .map(|&b| vec![0u8; b].into_boxed_slice())
            .collect();
        let slot = Box::new(Slot {
            seq: 0,
            tag: Tag::default(),
            failure: None,
            tensors,
        });
        if free_tx.push(slot).is_err() {
            unreachable!("the free ring holds every slot");
        }
    }
    let mut hops: Vec<(Producer<Slot>, Consumer<Slot>)> =
        (0..=n).map(|_| ring::ring(capacity)).collect();
    let (first, mut next_rx) = hops.remove(0);
    let mut threads = Vec::with_capacity(n);
    for (s, (engine, (ins, outs))) in engines.into_iter().zip(routes.stages).enumerate() {
        let (tx, rx) = hops.remove(0);
        let stage = Stage {
            index: s,
            engine,
            input: next_rx,
            output: tx,
            ins,
            outs,
            shared: shared.clone(),
        };
        next_rx = rx;
        let spawned = std::thread::Builder::new()
            .name(format!("edgepipe-seg{s}"))
            .spawn(move || stage.run());
        match spawned {
            Ok(handle) => threads.push(handle),
            Err(source) => {
                // Stop the stages already started before reporting.
                shared.abandoned.store(true, Ordering::Release);
                shared.notify_all();
                threads
                    .into_iter()
                    .for_each(|t: JoinHandle<()>| drop(t.join()));
                return Err(BuildError::Spawn {
                    segment: s,
                    cause: source,
                });
            }
        }
    }
    let sender = Sender {
        shared: shared.clone(),
        free: free_rx,
        first,
        spare: None,
        landing: None,
        live_dropped: 0,
        routes: routes.inputs,
    };
    let receiver = Receiver {
        shared,
        last: next_rx,
        free: free_tx,
        popped: 0,
        cancelled: 0,
        threads,
        routes: routes.outputs,
    };
    Ok((sender, receiver))
}

struct Stage {
    index: usize,
    engine: Box<dyn Engine>,
    input: Consumer<Slot>,
    output: Producer<Slot>,
    ins: Vec<usize>,
    outs: Vec<usize>,
    shared: Arc<Shared>,
}

impl Stage {
    fn run(mut self) {
        let shared = Arc::clone(&self.shared);
        let counters = &shared.counters[self.index];
        let mut processed = 0u64;
        loop {
            let waiting = Instant::now();
            let input = &mut self.input;
            let next = shared.signals[self.index].wait_until(|| {
                if let Some(slot) = input.pop() {
                    return Some(Some(slot));
                }
                let (frozen, count) = shared.state();
                let done =
                    shared.abandoned.load(Ordering::Acquire) || (frozen && processed == count);
                done.then_some(None)
            });
            let Some(mut slot) = next else { return };
            counters.record_dequeue(waiting.elapsed().as_nanos() as u64, self.input.len() + 1);
            processed += 1;
            let live =
                slot.failure.is_none() && slot.seq < self.shared.failed_seq.load(Ordering::Acquire);
            let stopped = self.shared.abandoned.load(Ordering::Acquire)
                || self.shared.cancelled.load(Ordering::Acquire);
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
                        shared.record_failure(&failure);
                        slot.failure = Some(failure);
                    }
                }
            }
            if self.output.push(slot).is_err() {
                unreachable!("every ring holds every slot");
            }
            shared.signals[self.index + 1].notify();
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

/// The pushing end. One per pipeline; move it to the producing thread.
pub struct Sender {
    shared: Arc<Shared>,
    free: Consumer<Slot>,
    first: Producer<Slot>,
    /// A slot taken from the free ring but not sent (a refused or abandoned push).
    spare: Option<Box<Slot>>,
    /// Live mode: the slot the newest frame lands in, and whether it holds an unsent frame.
    landing: Option<(Box<Slot>, bool)>,
    live_dropped: u64,
    routes: Vec<usize>,
}

/// What [`Sender::push_latest`] did with a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Live {
    /// It went into the pipeline.
    Sent,
    /// The pipeline is full: it waits in the landing slot for the next chance (replacing the
    /// frame that waited there, if any, which counts as dropped).
    Waiting,
    /// No slot at all was free to land it in: dropped.
    Dropped,
}

/// A free slot being filled in place (a camera frame converted straight into it). Send it
/// with [`InputSlot::send`]; dropping it returns the slot unused.
pub struct InputSlot<'a> {
    sender: &'a mut Sender,
    slot: Option<Box<Slot>>,
}

impl InputSlot<'_> {
    /// The bytes of pipeline input `i`.
    pub fn tensor_mut(&mut self, i: usize) -> &mut [u8] {
        let t = self.sender.routes[i];
        match self.slot.as_mut() {
            Some(slot) => &mut slot.tensors[t],
            None => &mut [],
        }
    }

    /// Queues the request; fails when the stream closed or failed meanwhile.
    pub fn send(mut self) -> Result<(), PushError> {
        match self.slot.take() {
            Some(slot) => self.sender.submit(slot),
            None => Err(PushError::Closed),
        }
    }
}

impl Drop for InputSlot<'_> {
    fn drop(&mut self) {
        if let Some(slot) = self.slot.take() {
            self.sender.spare = Some(slot);
        }
    }
}

impl Sender {
    /// The pipeline's inputs, in the order `push` takes them.
    pub fn inputs(&self) -> &[TensorSpec] {
        &self.shared.inputs
    }

    /// Position of the input called `name` (resolve once, then push by position).
    pub fn input_index(&self, name: &str) -> Option<usize> {
        self.shared.inputs.iter().position(|s| s.name == name)
    }

    fn closed_error(&self) -> PushError {
        self.shared
            .failure()
            .map_or(PushError::Closed, PushError::Failed)
    }

    fn usable(&self) -> Result<(), PushError> {
        let (frozen, _) = self.shared.state();
        if frozen || self.shared.abandoned.load(Ordering::Acquire) {
            return Err(self.closed_error());
        }
        Ok(())
    }

    /// Waits for a free slot to fill in place.
    pub fn reserve(&mut self) -> Result<InputSlot<'_>, PushError> {
        self.usable()?;
        let slot = match self.spare.take() {
            Some(slot) => slot,
            None => {
                let shared = &self.shared;
                let free = &mut self.free;
                let got = shared.sender_signal().wait_until(|| {
                    if let Some(slot) = free.pop() {
                        return Some(Some(slot));
                    }
                    let (frozen, _) = shared.state();
                    (frozen || shared.abandoned.load(Ordering::Acquire)).then_some(None)
                });
                got.ok_or_else(|| self.closed_error())?
            }
        };
        Ok(InputSlot {
            sender: self,
            slot: Some(slot),
        })
    }

    /// Takes a free slot if there is one, without waiting.
    pub fn try_reserve(&mut self) -> Result<InputSlot<'_>, TryPushError> {
        self.usable()?;
        let slot = self
            .spare
            .take()
            .or_else(|| self.free.pop())
            .ok_or(TryPushError::Full)?;
        Ok(InputSlot {
            sender: self,
            slot: Some(slot),
        })
    }

    fn check(&self, inputs: &[&[u8]]) -> Result<(), PushError> {
        let specs = &self.shared.inputs;
        if inputs.len() != specs.len() {
            return Err(PushError::InputCount {
                expected: specs.len(),
                got: inputs.len(),
            });
        }
        for (index, (data, spec)) in inputs.iter().zip(specs).enumerate() {
            if data.len() != spec.bytes {
                return Err(PushError::BadInput {
                    index,
                    name: spec.name.clone(),
                    expected: spec.bytes,
                    got: data.len(),
                });
            }
        }
        Ok(())
    }

    /// Queues one request (inputs in [`Sender::inputs`] order), waiting while every slot is
    /// in flight. An empty `inputs` closes the stream, as libcoral's empty push does.
    pub fn push(&mut self, inputs: &[&[u8]]) -> Result<(), PushError> {
        if inputs.is_empty() {
            return self.close().map_err(|_| PushError::Closed);
        }
        self.check(inputs)?;
        let mut slot = self.reserve()?;
        for (i, data) in inputs.iter().enumerate() {
            slot.tensor_mut(i).copy_from_slice(data);
        }
        slot.send()
    }

    /// Queues one request if a slot is free; otherwise [`TryPushError::Full`] and the request
    /// stays with the caller.
    pub fn try_push(&mut self, inputs: &[&[u8]]) -> Result<(), TryPushError> {
        self.check(inputs)?;
        let mut slot = self.try_reserve()?;
        for (i, data) in inputs.iter().enumerate() {
            slot.tensor_mut(i).copy_from_slice(data);
        }
        Ok(slot.send()?)
    }

    fn submit(&mut self, mut slot: Box<Slot>) -> Result<(), PushError> {
        let mut state = self.shared.state.load(Ordering::Acquire);
        loop {
            if state & FROZEN != 0 || state & COUNT == COUNT {
                self.spare = Some(slot);
                return Err(self.closed_error());
            }
            match self.shared.state.compare_exchange_weak(
                state,
                state + 1,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => break,
                Err(now) => state = now,
            }
        }
        slot.seq = state & COUNT;
        slot.failure = None;
        if self.first.push(slot).is_err() {
            unreachable!("every ring holds every slot");
        }
        self.shared.signals[0].notify();
        Ok(())
    }

    /// The live-camera push: never waits. `fill(i, bytes)` writes input `i` of the newest
    /// frame into the landing slot; the frame is sent at once if the pipeline has a free slot,
    /// otherwise it waits there, replacing the frame that waited before (counted as dropped),
    /// and goes in with a later call ([`Sender::flush_latest`] or the next frame). One slot is
    /// kept for landing, so at most `capacity - 1` requests are in flight in live mode.
    pub fn push_latest(
        &mut self,
        tag: Tag,
        fill: &mut dyn FnMut(usize, &mut [u8]),
    ) -> Result<Live, PushError> {
        self.usable()?;
        let (mut slot, waiting) = match self.landing.take() {
            Some(landing) => landing,
            None => match self.spare.take().or_else(|| self.free.pop()) {
                Some(slot) => (slot, false),
                None => {
                    self.live_dropped += 1;
                    return Ok(Live::Dropped);
                }
            },
        };
        if waiting {
            self.live_dropped += 1;
        }
        for i in 0..self.routes.len() {
            fill(i, &mut slot.tensors[self.routes[i]]);
        }
        slot.tag = tag;
        self.landing = Some((slot, true));
        self.flush_latest()
    }

    /// Sends the frame waiting in the landing slot if a free slot can take its place.
    pub fn flush_latest(&mut self) -> Result<Live, PushError> {
        match self.landing.take() {
            Some((slot, true)) => match self.free.pop() {
                Some(next) => {
                    self.landing = Some((next, false));
                    self.submit(slot).map(|()| Live::Sent)
                }
                None => {
                    self.landing = Some((slot, true));
                    Ok(Live::Waiting)
                }
            },
            other => {
                self.landing = other;
                Ok(Live::Sent)
            }
        }
    }

    /// Frames dropped by [`Sender::push_latest`] (replaced while waiting, or with no slot).
    pub fn live_dropped(&self) -> u64 {
        self.live_dropped
    }

    /// Ends the stream: requests already pushed finish, then `pop` returns `Ok(None)`.
    pub fn close(&self) -> Result<(), AlreadyClosed> {
        self.shared.close()
    }

    /// A handle for statistics and closing from any thread.
    pub fn monitor(&self) -> Monitor {
        Monitor {
            shared: self.shared.clone(),
        }
    }
}

impl Drop for Sender {
    fn drop(&mut self) {
        let _ = self.shared.close();
    }
}

/// The popping end. Owns the stage threads: dropping it stops and joins them.
pub struct Receiver {
    shared: Arc<Shared>,
    last: Consumer<Slot>,
    free: Producer<Slot>,
    popped: u64,
    cancelled: u64,
    threads: Vec<JoinHandle<()>>,
    routes: Vec<usize>,
}

/// One result, borrowed from its slot; dropping it frees the slot for the next push.
pub struct Output<'a> {
    slot: Option<Box<Slot>>,
    receiver: &'a mut Receiver,
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
    /// The pipeline's outputs, in the order results carry them.
    pub fn outputs(&self) -> &[TensorSpec] {
        &self.shared.outputs
    }

    fn recycle(&mut self, slot: Box<Slot>) {
        if self.free.push(slot).is_err() {
            unreachable!("the free ring holds every slot");
        }
        self.shared.sender_signal().notify();
    }

    /// The next result in push order, waiting for it; `Ok(None)` once the stream is closed
    /// and every result was delivered. After a [`PopError::StageFailed`], later requests are
    /// discarded and the next call returns `Ok(None)`.
    pub fn pop(&mut self) -> Result<Option<Output<'_>>, PopError> {
        loop {
            let shared = &self.shared;
            let last = &mut self.last;
            let popped = self.popped;
            let next = shared.receiver_signal().wait_until(|| {
                if let Some(slot) = last.pop() {
                    return Some(Some(slot));
                }
                let (frozen, count) = shared.state();
                (frozen && popped == count).then_some(None)
            });
            let Some(mut slot) = next else {
                return Ok(None);
            };
            self.popped += 1;
            if let Some(failure) = slot.failure.take() {
                self.recycle(slot);
                return Err(PopError::StageFailed(failure));
            }
            if slot.seq >= self.shared.failed_seq.load(Ordering::Acquire) {
                self.recycle(slot);
                continue;
            }
            // Acquire pairs with cancel's Release: a slot popped after it may be unfinished.
            if self.shared.cancelled.load(Ordering::Acquire) {
                self.cancelled += 1;
                self.recycle(slot);
                continue;
            }
            return Ok(Some(Output {
                slot: Some(slot),
                receiver: self,
            }));
        }
    }

    /// A handle for statistics and closing from any thread.
    pub fn monitor(&self) -> Monitor {
        Monitor {
            shared: self.shared.clone(),
        }
    }

    /// Requests given up by [`Monitor::cancel`] (discarded by `pop`).
    pub fn cancelled(&self) -> u64 {
        self.cancelled
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.shared.abandoned.store(true, Ordering::Release);
        self.shared.notify_all();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

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
    /// Ends the stream, like an empty push. Exactly one of concurrent closes succeeds.
    pub fn close(&self) -> Result<(), AlreadyClosed> {
        self.shared.close()
    }

    /// Ends the stream and gives up the requests in flight (see the module's **Cancel**).
    pub fn cancel(&self) {
        self.shared.cancelled.store(true, Ordering::Release);
        let _ = self.shared.close();
    }

    /// A snapshot of the statistics (allocates; not for the per-request path).
    pub fn stats(&self) -> PipelineStats {
        PipelineStats {
            stages: self
                .shared
                .counters
                .iter()
                .enumerate()
                .map(|(i, c)| c.snapshot(i))
                .collect(),
            pushed: self.shared.state().1,
            capacity: self.shared.capacity,
            elapsed_s: self.shared.started.elapsed().as_secs_f64(),
        }
    }
}
