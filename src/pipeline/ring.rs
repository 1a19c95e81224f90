//! A fixed-capacity, lock-free, single-producer single-consumer ring of owned boxes, and the
//! signal a consumer sleeps on when its ring is empty.
//!
//! The ring moves `Box<T>` from one thread to another without copying or allocating: a cell
//! holds the raw pointer of a box between `push` and `pop`. Ownership is in the types: the
//! [`Producer`] and [`Consumer`] halves are not `Clone`, so exactly one thread can push and one
//! can pop, and `push` hands the box back when the ring is full.
//!
//! Invariants (indices are free-running `u32` counters, wrapped to a cell by `% capacity`):
//! - the producer owns `tail` and the cells in `tail..head + capacity`; only it writes them;
//! - the consumer owns `head` and the cells in `head..tail`; only it reads and clears them;
//! - `tail - head <= capacity` at all times.
//!
//! Progress: `push` and `pop` are wait-free (a bounded number of atomic operations).
#![allow(unsafe_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, Ordering};

struct Inner<T> {
    cells: Box<[AtomicPtr<T>]>,
    /// Next cell to pop; written only by the consumer.
    head: AtomicU32,
    /// Next cell to push; written only by the producer.
    tail: AtomicU32,
}

/// The pushing half of a ring.
pub struct Producer<T> {
    inner: Arc<Inner<T>>,
}

/// The popping half of a ring.
pub struct Consumer<T> {
    inner: Arc<Inner<T>>,
}

/// Makes a ring that holds up to `capacity` boxes (1 ..= 2^31).
pub fn ring<T: Send>(capacity: usize) -> (Producer<T>, Consumer<T>) {
    assert!(
        capacity > 0 && capacity <= 1 << 31,
        "ring capacity {capacity} out of range"
    );
    let cells = (0..capacity)
        .map(|_| AtomicPtr::new(std::ptr::null_mut()))
        .collect();
    let inner = Arc::new(Inner {
        cells,
        head: AtomicU32::new(0),
        tail: AtomicU32::new(0),
    });
    (
        Producer {
            inner: inner.clone(),
        },
        Consumer { inner },
    )
}

impl<T> Inner<T> {
    fn cell(&self, index: u32) -> &AtomicPtr<T> {
        &self.cells[index as usize % self.cells.len()]
    }
}

impl<T: Send> Producer<T> {
    /// Adds `item` at the tail, or gives it back when the ring is full.
    pub fn push(&mut self, item: Box<T>) -> Result<(), Box<T>> {
        let inner = &*self.inner;
        // Relaxed: only this producer writes `tail`.
        let tail = inner.tail.load(Ordering::Relaxed);
        // Acquire pairs with the consumer's Release store of `head` in `pop`: the consumer has
        // finished taking the pointer out of every cell before `head`, so they may be reused.
        let head = inner.head.load(Ordering::Acquire);
        if tail.wrapping_sub(head) as usize == inner.cells.len() {
            return Err(item);
        }
        // Relaxed: the Release store of `tail` below publishes this write.
        inner
            .cell(tail)
            .store(Box::into_raw(item), Ordering::Relaxed);
        // Release pairs with the consumer's Acquire load of `tail`: the pointer, and everything
        // written through it before the push, is visible to the consumer that sees this tail.
        inner.tail.store(tail.wrapping_add(1), Ordering::Release);
        Ok(())
    }
}

impl<T: Send> Consumer<T> {
    /// Takes the box at the head, if any.
    pub fn pop(&mut self) -> Option<Box<T>> {
        let inner = &*self.inner;
        // Relaxed: only this consumer writes `head`.
        let head = inner.head.load(Ordering::Relaxed);
        // Acquire pairs with the producer's Release store of `tail` in `push`.
        let tail = inner.tail.load(Ordering::Acquire);
        if head == tail {
            return None;
        }
        // Relaxed: ordered by the Acquire load of `tail` above.
        let ptr = inner
            .cell(head)
            .swap(std::ptr::null_mut(), Ordering::Relaxed);
        // Release pairs with the producer's Acquire load of `head`: the cell is empty again.
        inner.head.store(head.wrapping_add(1), Ordering::Release);
        // SAFETY: `head != tail`, so the producer stored a pointer from `Box::into_raw` in this
        // cell and published it with its Release store of `tail`, which our Acquire load saw.
        // Only this consumer takes pointers out, once per cell per lap (`swap` leaves null),
        // so the box is reconstructed exactly once.
        Some(unsafe { Box::from_raw(ptr) })
    }

    /// How many boxes are waiting (a snapshot).
    pub fn len(&self) -> usize {
        let inner = &*self.inner;
        inner
            .tail
            .load(Ordering::Acquire)
            .wrapping_sub(inner.head.load(Ordering::Relaxed)) as usize
    }

    /// True when nothing is waiting (a snapshot).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T> Drop for Inner<T> {
    fn drop(&mut self) {
        // Both halves are gone: no concurrent access. Free what is still queued.
        for cell in self.cells.iter() {
            let ptr = cell.swap(std::ptr::null_mut(), Ordering::Relaxed);
            if !ptr.is_null() {
                // SAFETY: a non-null cell holds a pointer from `Box::into_raw` in `push` that
                // no `pop` took out (`pop` nulls the cells it takes); we are the last owner.
                drop(unsafe { Box::from_raw(ptr) });
            }
        }
    }
}

/// Where one thread sleeps until another says something changed: a futex word counting
/// notifications, and a flag so `notify` makes a system call only when someone sleeps.
#[derive(Default)]
pub struct Signal {
    epoch: AtomicU32,
    sleeping: AtomicBool,
}

/// Spins before sleeping: a handoff usually arrives within microseconds when the pipeline is
/// busy, and a futex sleep and wake costs more than that.
const SPINS: u32 = 100;
/// Then yields the processor for up to this long: a yielding thread lets the thread with the
/// work run (there may be fewer cores than stages) yet notices the handoff within a time
/// slice, without a futex wake. Past this, it sleeps and uses no CPU.
const YIELD_FOR: std::time::Duration = std::time::Duration::from_micros(50);

impl Signal {
    /// Wakes the waiter, if it sleeps. Call after making the change visible.
    pub fn notify(&self) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
        // SeqCst pairs with the SeqCst store of `sleeping` and load of `epoch` in `wait_until`:
        // either the waiter sees the new epoch and does not sleep, or we see it sleeping.
        if self.sleeping.load(Ordering::SeqCst) {
            atomic_wait::wake_all(&self.epoch);
        }
    }

    /// Waits until `ready()` returns `Some`, spinning briefly and then sleeping until a
    /// `notify`. `ready` must be re-checkable: it is called again after every wake-up.
    pub fn wait_until<R>(&self, mut ready: impl FnMut() -> Option<R>) -> R {
        for _ in 0..SPINS {
            if let Some(r) = ready() {
                return r;
            }
            std::hint::spin_loop();
        }
        let yielding = std::time::Instant::now();
        while yielding.elapsed() < YIELD_FOR {
            if let Some(r) = ready() {
                return r;
            }
            std::thread::yield_now();
        }
        loop {
            let epoch = self.epoch.load(Ordering::SeqCst);
            if let Some(r) = ready() {
                return r;
            }
            self.sleeping.store(true, Ordering::SeqCst);
            // Re-check after announcing the sleep: a notify between the check and here has
            // bumped `epoch`, and `wait` returns at once when the value differs.
            if self.epoch.load(Ordering::SeqCst) == epoch {
                atomic_wait::wait(&self.epoch, epoch);
            }
            self.sleeping.store(false, Ordering::SeqCst);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn full_ring_gives_the_item_back() {
        let (mut tx, mut rx) = ring::<u32>(2);
        tx.push(Box::new(1)).unwrap();
        tx.push(Box::new(2)).unwrap();
        assert_eq!(*tx.push(Box::new(3)).unwrap_err(), 3);
        assert_eq!(rx.len(), 2);
        assert_eq!(rx.pop().map(|b| *b), Some(1));
        tx.push(Box::new(3)).unwrap();
        assert_eq!(
            (rx.pop().map(|b| *b), rx.pop().map(|b| *b), rx.pop()),
            (Some(2), Some(3), None)
        );
    }

    #[test]
    fn wraps_around_the_counter() {
        let (mut tx, mut rx) = ring::<u32>(3);
        // Start near u32::MAX so the indices wrap during the test.
        tx.inner.tail.store(u32::MAX - 5, Ordering::Relaxed);
        rx.inner.head.store(u32::MAX - 5, Ordering::Relaxed);
        for i in 0..20 {
            tx.push(Box::new(i)).unwrap();
            tx.push(Box::new(i + 100)).unwrap();
            assert_eq!(rx.pop().map(|b| *b), Some(i));
            assert_eq!(rx.pop().map(|b| *b), Some(i + 100));
        }
    }

    struct Counted<'a>(&'a AtomicUsize);
    impl Drop for Counted<'_> {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    #[test]
    fn queued_items_are_dropped_with_the_ring() {
        static DROPS: AtomicUsize = AtomicUsize::new(0);
        let (mut tx, rx) = ring::<Counted<'static>>(4);
        for _ in 0..3 {
            assert!(tx.push(Box::new(Counted(&DROPS))).is_ok());
        }
        drop((tx, rx));
        assert_eq!(DROPS.load(Ordering::Relaxed), 3);
    }

    /// Two threads, a small ring, a million items: every item arrives once, in order.
    #[test]
    fn concurrent_items_arrive_once_in_order() {
        const N: u64 = 1_000_000;
        let (mut tx, mut rx) = ring::<u64>(3);
        let ready = Arc::new(Signal::default());
        let space = Arc::new(Signal::default());
        let (ready2, space2) = (ready.clone(), space.clone());
        let producer = std::thread::spawn(move || {
            for i in 0..N {
                let mut item = Box::new(i);
                loop {
                    match tx.push(item) {
                        Ok(()) => break,
                        Err(back) => {
                            item = back;
                            std::thread::yield_now();
                        }
                    }
                }
                ready2.notify();
            }
            space2.notify();
        });
        let mut sum = 0u64;
        for expected in 0..N {
            let got = ready.wait_until(|| rx.pop());
            assert_eq!(*got, expected);
            sum += *got;
        }
        producer.join().unwrap();
        assert_eq!(sum, N * (N - 1) / 2);
        assert!(rx.pop().is_none());
        let _ = space;
    }
}
