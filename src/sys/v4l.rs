//! The driver's ring of MMAP buffers, split into "wait for a filled buffer" (a bounded poll),
//! "advance to the next frame" (`&mut self`) and "read the current frame" (`&self`), over the
//! `v4l` crate's stream.
//!
//! The crate's `next()` queues the previous buffer back and then waits for the next one for
//! the whole timeout. Here the wait is a separate [`MmapCapture::wait`] of any length, so the
//! caller can wait in short slices and look at a stop flag between them; the crate's `next()`
//! is called once a buffer is ready, and its own wait is then at most [`ADVANCE_WAIT`].
//!
//! The stream is started here, not by the crate's first `next()` (which would queue every
//! buffer, STREAMON and wait for the whole timeout in one call): every buffer but the first
//! is queued and the stream started at [`MmapCapture::new`], the first left as if it were the
//! frame last read. The first `next()` then queues it and takes the first filled buffer, so
//! the first frame's wait is sliced like every other and no frame is lost.
#![allow(unsafe_code)]

use std::io;
use std::sync::Arc;
use std::time::Duration;

use v4l::buffer::Type;
use v4l::device::Handle;
use v4l::io::mmap::Stream;
use v4l::io::traits::{CaptureStream, Stream as StreamControl};

/// The longest [`MmapCapture::advance`] waits once streaming: it is meant to be called when
/// [`MmapCapture::wait`] said a buffer is ready.
pub const ADVANCE_WAIT: Duration = Duration::from_millis(50);

/// Metadata of the frame last dequeued.
#[derive(Debug, Clone, Copy, Default)]
pub struct FrameMeta {
    /// Bytes the driver filled.
    pub bytes_used: usize,
    /// The driver's frame counter.
    pub sequence: u32,
    /// Capture time.
    pub timestamp: Duration,
}

/// Who holds the buffers, mirroring the crate's stream (`arena_index`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Held {
    /// Streaming, every buffer with the driver (a dequeue timed out after the previous one
    /// went back): the next ready buffer is taken without being read, to get back in step.
    AllQueued,
    /// Streaming, we hold the buffer last dequeued (the crate's `arena_index`; at the start,
    /// buffer 0, never queued); the crate's `next()` queues it back and dequeues the next.
    One,
}

/// A streaming MMAP capture queue.
pub struct MmapCapture {
    stream: Stream<'static>,
    handle: Arc<Handle>,
    held: Held,
    current: Option<(*const u8, usize, FrameMeta)>,
}

// SAFETY: the stream and its mapped buffers belong to this value only; the raw pointer in
// `current` points into those mappings and is only dereferenced through `&self`.
unsafe impl Send for MmapCapture {}

/// A timed-out or interrupted dequeue: nothing changed but the buffer queued before it.
fn not_ready(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
    )
}

impl MmapCapture {
    /// Maps `buffers` buffers of `device` for capture (at least 2: one is held while the
    /// driver fills the others) and starts streaming: every buffer but the first goes to the
    /// driver (REQBUFS may have granted fewer than asked: queueing stops at the first index
    /// it refuses), then STREAMON.
    pub fn new(
        device: &v4l::Device,
        buffers: u32,
    ) -> Result<MmapCapture, (&'static str, io::Error)> {
        let asked = buffers.max(2) as usize;
        let mut stream = Stream::with_buffers(device, Type::VideoCapture, asked as u32)
            .map_err(|e| ("VIDIOC_REQBUFS", e))?;
        let mut queued = 0;
        for index in 1..asked {
            match CaptureStream::queue(&mut stream, index) {
                Ok(()) => queued += 1,
                Err(e) if e.raw_os_error() == Some(nix::libc::EINVAL) && queued > 0 => break,
                Err(e) => return Err(("VIDIOC_QBUF", e)),
            }
        }
        StreamControl::start(&mut stream).map_err(|e| ("VIDIOC_STREAMON", e))?;
        Ok(MmapCapture {
            handle: stream.handle(),
            stream,
            held: Held::One,
            current: None,
        })
    }

    /// Waits at most `timeout` for the driver to have a filled buffer (true), or for an
    /// error to report (true as well: `advance` reports it).
    pub fn wait(&self, timeout: Duration) -> io::Result<bool> {
        let ms = timeout.as_millis().clamp(1, i32::MAX as u128) as i32;
        match self.handle.poll(nix::poll::PollFlags::POLLIN.bits(), ms) {
            Ok(n) => Ok(n > 0),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Hands the current buffer back to the driver and takes the next filled one: `Ok(None)` when none is ready after all (wait again).
    pub fn advance(&mut self) -> io::Result<Option<FrameMeta>> {
        self.current = None;
        if self.held == Held::AllQueued {
            // Take the ready buffer out of turn, unread: the crate then holds it and its
            // `next()` queues it back. That frame is lost (a gap in the sequence numbers).
            return match CaptureStream::dequeue(&mut self.stream) {
                Ok(_) => {
                    self.held = Held::One;
                    Ok(None)
                }
                Err(e) if not_ready(&e) => Ok(None),
                Err(e) => Err(e),
            };
        }
        self.stream.set_timeout(ADVANCE_WAIT);
        let (buf, meta) = match CaptureStream::next(&mut self.stream) {
            Ok(next) => next,
            Err(e) if not_ready(&e) => {
                // The buffer we held is queued now, with every other one.
                self.held = Held::AllQueued;
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        self.held = Held::One;
        let frame = FrameMeta {
            bytes_used: (meta.bytesused as usize).min(buf.len()),
            sequence: meta.sequence,
            timestamp: Duration::from_secs(meta.timestamp.sec.max(0) as u64)
                + Duration::from_micros(meta.timestamp.usec.max(0) as u64),
        };
        self.current = Some((buf.as_ptr(), buf.len(), frame));
        Ok(Some(frame))
    }

    /// The frame last dequeued, until the next `advance`.
    pub fn current(&self) -> Option<(&[u8], FrameMeta)> {
        let (ptr, len, meta) = self.current?;
        // SAFETY: `ptr`/`len` describe one of the stream's mmap'd buffers, which stay mapped
        // while `self.stream` lives. The buffer is dequeued: the driver does not write it until
        // the next `advance` queues it back, and `advance` needs `&mut self`, which cannot
        // coexist with the `&self` borrow this slice carries.
        let bytes = unsafe { std::slice::from_raw_parts(ptr, len) };
        Some((&bytes[..meta.bytes_used], meta))
    }
}
