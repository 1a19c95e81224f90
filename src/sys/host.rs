//! [`HostBuffer`]: tensor bytes in memory an engine can bind without copying. LiteRT wraps
//! host memory in a tensor buffer only when it is 64-byte aligned
//! (`LITERT_HOST_MEMORY_BUFFER_ALIGNMENT`), which `Box<[u8]>` does not promise; the pipeline's
//! slots and LiteRT's own bound memory both use this type so either can be handed to LiteRT.
#![allow(unsafe_code)]

use std::alloc::Layout;
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;

/// The alignment of every [`HostBuffer`].
pub const HOST_ALIGNMENT: usize = 64;

/// A fixed-length, zeroed, 64-byte aligned byte buffer that owns its memory (like a
/// `Box<[u8]>`, whose place it takes where an engine may bind the bytes).
pub struct HostBuffer {
    ptr: NonNull<u8>,
    len: usize,
    layout: Layout,
}

// SAFETY: a `HostBuffer` owns its allocation exclusively, like `Box<[u8]>`; shared access only
// reads, mutation needs `&mut`.
unsafe impl Send for HostBuffer {}
// SAFETY: as above.
unsafe impl Sync for HostBuffer {}

impl HostBuffer {
    /// `len` zero bytes, or `None` when `len` rounded up to the alignment does not fit a
    /// layout. Out of memory ends the process, as it does for `Vec`.
    pub fn zeroed(len: usize) -> Option<HostBuffer> {
        // Zero-length buffers still get one aligned block: allocations of size 0 are not
        // allowed, and LiteRT wants a real address.
        let size = len.max(1).checked_next_multiple_of(HOST_ALIGNMENT)?;
        let layout = Layout::from_size_align(size, HOST_ALIGNMENT).ok()?;
        // SAFETY: `layout` has a non-zero size.
        let raw = unsafe { std::alloc::alloc_zeroed(layout) };
        let Some(ptr) = NonNull::new(raw) else {
            std::alloc::handle_alloc_error(layout)
        };
        Some(HostBuffer { ptr, len, layout })
    }
}

impl Deref for HostBuffer {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        // SAFETY: `ptr` is valid for `layout.size() >= len` initialised (zeroed) bytes owned
        // by `self`; the borrow of `self` keeps them alive and unaliased by `&mut`.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl DerefMut for HostBuffer {
    fn deref_mut(&mut self) -> &mut [u8] {
        // SAFETY: as in `deref`; `&mut self` makes this the only access.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl Drop for HostBuffer {
    fn drop(&mut self) {
        // SAFETY: allocated in `zeroed` with this layout, freed once.
        unsafe { std::alloc::dealloc(self.ptr.as_ptr(), self.layout) }
    }
}

impl std::fmt::Debug for HostBuffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HostBuffer({} bytes)", self.len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_are_aligned_zeroed_and_of_their_length() {
        for len in [0, 1, 63, 64, 65, 150_528] {
            let mut b = HostBuffer::zeroed(len).unwrap();
            assert_eq!(b.len(), len);
            assert_eq!(b.as_ptr() as usize % HOST_ALIGNMENT, 0, "{len}");
            assert!(b.iter().all(|&x| x == 0));
            b.fill(7);
            assert!(b.iter().all(|&x| x == 7));
        }
        assert!(HostBuffer::zeroed(usize::MAX).is_none());
    }
}
