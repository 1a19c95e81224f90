//! The driver's ring of MMAP buffers, split into "advance to the next frame" (`&mut self`) and
//! "read the current frame" (`&self`), over the `v4l` crate's stream.
#![allow(unsafe_code)]

use std::io;
use std::time::Duration;

use v4l::buffer::Type;
use v4l::io::mmap::Stream;
use v4l::io::traits::CaptureStream;

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

/// A streaming MMAP capture queue.
pub struct MmapCapture {
    stream: Stream<'static>,
    current: Option<(*const u8, usize, FrameMeta)>,
}

// SAFETY: the stream and its mapped buffers belong to this value only; the raw pointer in
// `current` points into those mappings and is only dereferenced through `&self`.
unsafe impl Send for MmapCapture {}

impl MmapCapture {
    /// Maps `buffers` buffers of `device` for capture, with a dequeue `timeout`.
    pub fn new(device: &v4l::Device, buffers: u32, timeout: Duration) -> io::Result<MmapCapture> {
        let mut stream = Stream::with_buffers(device, Type::VideoCapture, buffers)?;
        stream.set_timeout(timeout);
        Ok(MmapCapture {
            stream,
            current: None,
        })
    }

    /// Hands the current buffer back to the driver (starting the stream the first time) and
    /// waits for the next filled one.
    pub fn advance(&mut self) -> io::Result<FrameMeta> {
        self.current = None;
        let (buf, meta) = CaptureStream::next(&mut self.stream)?;
        let frame = FrameMeta {
            bytes_used: (meta.bytesused as usize).min(buf.len()),
            sequence: meta.sequence,
            timestamp: Duration::from_secs(meta.timestamp.sec.max(0) as u64)
                + Duration::from_micros(meta.timestamp.usec.max(0) as u64),
        };
        self.current = Some((buf.as_ptr(), buf.len(), frame));
        Ok(frame)
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
