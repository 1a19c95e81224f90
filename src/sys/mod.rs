//! The raw edges of the system: memory maps, the TensorFlow Lite and LiteRT C APIs, libedgetpu; ioctls
//! and termios as they arrive. With the pipeline's ring, the only modules allowed `unsafe`.
#![allow(unsafe_code)]

pub mod edgetpu;
pub mod host;
pub mod litert;
pub mod tflite_c;
pub mod v4l;

use std::fs::File;
use std::io;

/// Maps a whole file read-only.
///
/// The map stays valid while the returned value lives. Model files are written once and
/// then only read; a file truncated by another process while mapped would fault on access,
/// the residual risk every mmap reader accepts.
pub fn map_file(file: &File) -> io::Result<memmap2::Mmap> {
    // SAFETY: the map is read-only and private to this process; the bytes are only ever read
    // through the returned `Mmap`, which owns the mapping and unmaps it on drop. The one
    // hazard, a concurrent truncation by another process, is stated above.
    unsafe { memmap2::Mmap::map(file) }
}
