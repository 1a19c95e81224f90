//! The pushing end: blocking and non-blocking pushes, in-place filling of a free slot, and
//! the live-camera policy (never wait; the newest frame waits in a landing slot).

use std::sync::Arc;
use std::time::Instant;

use super::error::{AlreadyClosed, PushError, TryPushError};
use super::monitor::Monitor;
use super::pace;
use super::ring::{Consumer, Producer};
use super::{Shared, Slot, Tag};
use crate::engine::TensorSpec;

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
    /// Live entry is paced ([`Sender::pace_entry`]).
    paced: bool,
    /// When the previous live frame came, and the gap before it.
    last_frame: Option<Instant>,
    frame_gap_ns: u64,
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
    pub(super) fn new(
        shared: Arc<Shared>,
        free: Consumer<Slot>,
        first: Producer<Slot>,
        routes: Vec<usize>,
    ) -> Self {
        Sender {
            shared,
            free,
            first,
            spare: None,
            landing: None,
            live_dropped: 0,
            routes,
            paced: false,
            last_frame: None,
            frame_gap_ns: 0,
        }
    }

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
            .stream
            .failure()
            .map_or(PushError::Closed, PushError::Failed)
    }

    fn usable(&self) -> Result<(), PushError> {
        if self.shared.stream.refuses_pushes() {
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
                let stream = &self.shared.stream;
                let free = &mut self.free;
                let got = stream.sender_signal().wait_until(|| {
                    if let Some(slot) = free.pop() {
                        return Some(Some(slot));
                    }
                    stream.refuses_pushes().then_some(None)
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
        let Some(seq) = self.shared.stream.accept() else {
            self.spare = Some(slot);
            return Err(self.closed_error());
        };
        slot.seq = seq;
        slot.failure = None;
        slot.skipped = false;
        slot.entered = None;
        // Counted before it can be taken (the taker uncounts it).
        self.shared.load[0].arrive();
        if self.first.push(slot).is_err() {
            unreachable!("every ring holds every slot");
        }
        self.shared.notify_stage(0);
        Ok(())
    }

    /// The live-camera push: never waits. `fill(i, bytes)` writes input `i` of the newest
    /// frame into the landing slot; the frame is sent at once if the pipeline has a free slot,
    /// otherwise it waits there, replacing the frame that waited before (counted as dropped),
    /// and goes in with a later call ([`Sender::flush_latest`] or the next frame). One slot is
    /// kept for landing, so at most `capacity - 1` requests are in flight in live mode.
    ///
    /// Using it puts the pipeline in live mode, for freshness: a stage that finds as many
    /// newer live requests waiting behind the one it takes as it has replicas free passes
    /// that one on without running it, so a result never waits behind an older request not
    /// yet started (with one replica, at most one request waits at each stage's input: the
    /// newest; with k, the newest run on the free replicas). Requests already passed on unrun
    /// do not count as waiting. [`Sender::pace_entry`] also holds the frame back while it
    /// would only wait inside. [`Receiver::pop`] discards those and counts them
    /// ([`Receiver::skipped`]). Bounded mode ([`Sender::push`]) runs every request.
    ///
    /// [`Receiver::pop`]: super::Receiver::pop
    /// [`Receiver::skipped`]: super::Receiver::skipped
    pub fn push_latest(
        &mut self,
        tag: Tag,
        fill: &mut dyn FnMut(usize, &mut [u8]),
    ) -> Result<Live, PushError> {
        self.usable()?;
        self.shared
            .live
            .store(true, std::sync::atomic::Ordering::Relaxed);
        let now = Instant::now();
        if let Some(last) = self.last_frame.replace(now) {
            self.frame_gap_ns = (now - last).as_nanos() as u64;
        }
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

    /// Paces live entry, for a camera appliance's freshness: a frame pushed with
    /// [`Sender::push_latest`] enters only when, by the stages' mean times, it would wait
    /// inside the pipeline no longer than the gap before it took to arrive (so the next frame
    /// would not enter sooner); until then it waits in the landing slot, replaced by each newer
    /// frame. The pipeline then runs frames about as fast as its slowest stage, each as fresh
    /// as the source allows, instead of running a frame that waits behind another.
    pub fn pace_entry(&mut self, on: bool) {
        self.paced = on;
    }

    /// Whether the landing frame is held back by [`Sender::pace_entry`].
    fn held_back(&self) -> bool {
        if !self.paced {
            return false;
        }
        let shared = &self.shared;
        let now_ns = shared.started.elapsed().as_nanos() as u64;
        let views = (0..shared.load.len()).map(|s| pace::view(shared, s, now_ns));
        pace::expected_wait_ns(views) > self.frame_gap_ns
    }

    /// Sends the frame waiting in the landing slot if a free slot can take its place (and
    /// pacing, if on, lets it in).
    pub fn flush_latest(&mut self) -> Result<Live, PushError> {
        if self.landing.as_ref().is_some_and(|(_, waiting)| *waiting) && self.held_back() {
            return Ok(Live::Waiting);
        }
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

    /// Drops the frame waiting in the landing slot, if any, counting it in
    /// [`Sender::live_dropped`]: for a producer that stops, so that every frame it pushed is
    /// either sent or counted.
    pub fn discard_latest(&mut self) {
        if let Some((slot, true)) = self.landing.take() {
            self.live_dropped += 1;
            self.landing = Some((slot, false));
        }
    }

    /// Frames dropped by [`Sender::push_latest`] (replaced while waiting, or with no slot).
    pub fn live_dropped(&self) -> u64 {
        self.live_dropped
    }

    /// Ends the stream: requests already pushed finish, then `pop` returns `Ok(None)`.
    pub fn close(&self) -> Result<(), AlreadyClosed> {
        self.shared.stream.close()
    }

    /// A handle for statistics and closing from any thread.
    pub fn monitor(&self) -> Monitor {
        Monitor::new(self.shared.clone())
    }
}

impl Drop for Sender {
    fn drop(&mut self) {
        let _ = self.shared.stream.close();
    }
}
