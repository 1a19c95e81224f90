//! The capture thread: frames from the source into the pipeline, never waiting for it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use super::{Counters, Signals, TICK, stopping};
use crate::capture::convert::{Fit, Resampler, TensorEncoding};
use crate::capture::{CaptureError, FrameSource};
use crate::pipeline::{Live, Sender, Tag};

/// What the capture thread needs.
pub(super) struct Capture<'a> {
    pub source: Box<dyn FrameSource>,
    pub tx: Sender,
    pub input: (usize, usize, TensorEncoding),
    pub fit: Fit,
    pub counters: &'a Counters,
    pub stop: &'a AtomicBool,
    pub signals: &'a Signals,
    pub started: Instant,
}

impl Capture<'_> {
    /// Runs until stopped, the source ends or the pipeline closes; then closes the stream (the
    /// results loop drains it, within its limits).
    pub fn run(mut self) {
        let (width, height, encoding) = self.input;
        let mut resampler: Option<Resampler> = None;
        // The freshest result the model allows: a frame enters when the stages are ready.
        self.tx.pace_entry(true);
        while !stopping(self.stop, self.signals) {
            self.counters
                .camera_lost
                .store(!self.source.healthy(), Ordering::Relaxed);
            let frame = match self.source.next_frame() {
                Ok(f) => f,
                Err(CaptureError::End) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "capture");
                    self.counters.errors.fetch_add(1, Ordering::Relaxed);
                    std::thread::sleep(TICK);
                    continue;
                }
            };
            self.counters.captured.fetch_add(1, Ordering::Relaxed);
            if resampler.as_ref().is_none_or(|r| r.frame() != frame.layout) {
                match Resampler::new(frame.layout, width, height, self.fit, encoding) {
                    Ok(r) => resampler = Some(r),
                    Err(e) => {
                        tracing::error!(error = %e, "frame geometry");
                        break;
                    }
                }
            }
            let Some(r) = resampler.as_ref() else { break };
            let tag = Tag {
                frame: frame.sequence,
                captured_ns: self.started.elapsed().as_nanos() as u64,
            };
            let mut failed = false;
            let pushed = self.tx.push_latest(tag, &mut |_, buf| {
                failed = r.convert(frame.data, buf).is_err()
            });
            if failed {
                self.counters.errors.fetch_add(1, Ordering::Relaxed);
            }
            match pushed {
                Ok(Live::Sent | Live::Waiting | Live::Dropped) => {}
                Err(_) => break,
            }
            self.counters.dropped.store(
                self.tx.live_dropped() + self.source.dropped(),
                Ordering::Relaxed,
            );
        }
        // A frame still waiting to enter is given up and counted: captured = classified +
        // dropped once the stream has drained.
        self.tx.discard_latest();
        self.counters.dropped.store(
            self.tx.live_dropped() + self.source.dropped(),
            Ordering::Relaxed,
        );
        // Dropping the sender closes the stream: the results loop drains it and stops.
        drop(self.tx);
    }
}
