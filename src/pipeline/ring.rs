//! A fixed-capacity, lock-free, single-producer single-consumer ring of owned boxes, and the
//! signal a consumer sleeps on when its ring is empty.
//!
//! The ring moves `Box<T>` from one thread to another without copying or allocating: a cell
//! holds the raw pointer of a box between `push` and `pop`. Ownership is in the types: the
//! [`Producer`] and [`Consumer`] halves are not `Clone`, so exactly one thread can push and one
//! can pop, and `push` hands the box back when the ring is full.
//!
//! Indices count positions modulo `2 * capacity` (they wrap at a multiple of the capacity, so
//! the cell of an index, `index % capacity`, moves on by one at every step, including the
//! wrap; a free-running counter wrapping at 2^32 would jump there unless the capacity were a
//! power of two). Twice the capacity tells a full ring (`distance == capacity`) from an empty
//! one (`head == tail`).
//!
//! Invariants:
//! - `head` and `tail` are in `0..2 * capacity`; `distance(head, tail) <= capacity`;
//! - the producer owns `tail` and the cells from `tail` up to `head + capacity`; only it
//!   writes them (a null cell becomes a pointer);
//! - the consumer owns `head` and the cells from `head` up to `tail`; only it takes their
//!   pointers out (a pointer cell becomes null).
//!
//! Progress: `push` and `pop` are wait-free (a bounded number of atomic operations).
//!
//! Checked by: the unit tests below (every start position at the wrap x capacities 1..=9
//! against a `VecDeque`; a million items across two threads), Miri over those tests and loom
//! over push, pop, the wrap and the signal, both through `tools/ring-check` (see .ci/run).
#![allow(unsafe_code)]

#[cfg(loom)]
use loom::sync::Arc;
#[cfg(loom)]
use loom::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, Ordering, fence};
#[cfg(not(loom))]
use std::sync::Arc;
#[cfg(not(loom))]
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, Ordering, fence};

/// Largest capacity: indices run to `2 * capacity - 1`, which must fit a `u32`.
pub const MAX_RING_CAPACITY: usize = 1 << 30;

struct Inner<T> {
    cells: Box<[AtomicPtr<T>]>,
    /// Next position to pop, in `0..2 * capacity`; written only by the consumer.
    head: AtomicU32,
    /// Next position to push, in `0..2 * capacity`; written only by the producer.
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

/// Makes a ring that holds up to `capacity` boxes (1 ..= [`MAX_RING_CAPACITY`]).
pub fn ring<T: Send>(capacity: usize) -> (Producer<T>, Consumer<T>) {
    ring_at(capacity, 0)
}

/// A ring whose first push and pop use position `start` (taken modulo `2 * capacity`): lets
/// the tests start anywhere relative to the wrap.
fn ring_at<T: Send>(capacity: usize, start: u32) -> (Producer<T>, Consumer<T>) {
    assert!(
        capacity > 0 && capacity <= MAX_RING_CAPACITY,
        "ring capacity {capacity} out of range"
    );
    let cells = (0..capacity)
        .map(|_| AtomicPtr::new(std::ptr::null_mut()))
        .collect();
    // Cannot overflow: capacity <= 2^30.
    let start = (start as usize % (2 * capacity)) as u32;
    let inner = Arc::new(Inner {
        cells,
        head: AtomicU32::new(start),
        tail: AtomicU32::new(start),
    });
    (
        Producer {
            inner: inner.clone(),
        },
        Consumer { inner },
    )
}

impl<T> Inner<T> {
    /// `2 * capacity`, where positions wrap.
    fn positions(&self) -> u32 {
        // Cannot overflow: capacity <= 2^30 (checked in `ring_at`).
        2 * self.cells.len() as u32
    }

    /// The cell of a position: `index % capacity`, for `index < 2 * capacity`.
    fn cell(&self, index: u32) -> &AtomicPtr<T> {
        let len = self.cells.len();
        let i = index as usize;
        &self.cells[if i >= len { i - len } else { i }]
    }

    /// The position after `index`.
    fn next(&self, index: u32) -> u32 {
        let next = index + 1;
        if next == self.positions() { 0 } else { next }
    }

    /// How many positions `tail` is ahead of `head`: the number of boxes queued.
    fn distance(&self, head: u32, tail: u32) -> usize {
        let d = if tail >= head {
            tail - head
        } else {
            tail + self.positions() - head
        };
        d as usize
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
        if inner.distance(head, tail) == inner.cells.len() {
            return Err(item);
        }
        // Relaxed: the Release store of `tail` below publishes this write.
        inner
            .cell(tail)
            .store(Box::into_raw(item), Ordering::Relaxed);
        // Release pairs with the consumer's Acquire load of `tail`: the pointer, and everything
        // written through it before the push, is visible to the consumer that sees this tail.
        inner.tail.store(inner.next(tail), Ordering::Release);
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
        let cell = inner.cell(head);
        // Relaxed: ordered by the Acquire load of `tail` above. A plain load and store, not a
        // swap: only this consumer empties the cell in this lap, and no locked instruction.
        let ptr = cell.load(Ordering::Relaxed);
        // Relaxed: published to the producer by the Release store of `head` below.
        cell.store(std::ptr::null_mut(), Ordering::Relaxed);
        // Release pairs with the producer's Acquire load of `head`: the cell is empty again.
        inner.head.store(inner.next(head), Ordering::Release);
        // A branch the predictor always gets right; it turns a broken invariant into a panic.
        assert!(
            !ptr.is_null(),
            "ring invariant broken: a queued cell is empty"
        );
        // SAFETY: `head != tail`, so the producer stored a pointer from `Box::into_raw` in this
        // cell and published it with its Release store of `tail`, which our Acquire load saw.
        // Positions wrap at a multiple of the capacity, so each of the `capacity` positions
        // ahead of `head` has its own cell, and no later push has written this one yet (it
        // waits for our Release store of `head`). Only this consumer takes pointers out, once
        // per cell per lap (and leaves null), so the box is reconstructed exactly once.
        Some(unsafe { Box::from_raw(ptr) })
    }

    /// How many boxes are waiting (a snapshot).
    pub fn len(&self) -> usize {
        let inner = &*self.inner;
        // Acquire pairs with the producer's Release store of `tail`; Relaxed for our own head.
        inner.distance(
            inner.head.load(Ordering::Relaxed),
            inner.tail.load(Ordering::Acquire),
        )
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
/// One thread waits on a signal; any number may notify it.
#[derive(Default)]
pub struct Signal {
    epoch: AtomicU32,
    sleeping: AtomicBool,
    futex: futex::Futex,
}

/// Spins before sleeping: a handoff usually arrives within microseconds when the pipeline is
/// busy, and a futex sleep and wake costs more than that.
#[cfg(not(loom))]
const SPINS: u32 = 100;
/// Then yields the processor for up to this long: a yielding thread lets the thread with the
/// work run (there may be fewer cores than stages) yet notices the handoff within a time
/// slice, without a futex wake. Past this, it sleeps and uses no CPU.
#[cfg(not(loom))]
const YIELD_FOR: std::time::Duration = std::time::Duration::from_micros(50);

impl Signal {
    /// Wakes the waiter, if it sleeps. Call after making the change visible.
    pub fn notify(&self) {
        // Release pairs with the waiter's Acquire loads of `epoch` in `wait_until`: a waiter
        // that sees this epoch sees the change made before `notify`.
        self.epoch.fetch_add(1, Ordering::Release);
        // The fence pairs with the waiter's fence between its store of `sleeping` and its
        // second load of `epoch` (a Dekker handshake): whichever fence comes first in their
        // single total order, either the waiter's load sees the new epoch and does not sleep,
        // or our load below sees it sleeping. SeqCst fences rather than SeqCst accesses: the
        // same guarantee, and the form loom models (it treats SeqCst accesses as AcqRel).
        fence(Ordering::SeqCst);
        if self.sleeping.load(Ordering::Relaxed) {
            self.futex.wake_all(&self.epoch);
        }
    }

    /// Waits until `ready()` returns `Some`, spinning briefly and then sleeping until a
    /// `notify`. `ready` must be re-checkable: it is called again after every wake-up.
    pub fn wait_until<R>(&self, mut ready: impl FnMut() -> Option<R>) -> R {
        // Under loom only the sleeping protocol is modelled: spinning re-checks `ready` and
        // changes nothing else.
        #[cfg(not(loom))]
        {
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
        }
        loop {
            // Acquire pairs with the Release `fetch_add` in `notify`: if this load sees a
            // notification, `ready()` below sees the change made before it.
            let epoch = self.epoch.load(Ordering::Acquire);
            if let Some(r) = ready() {
                return r;
            }
            // Relaxed, ordered by the fence: see `notify`.
            self.sleeping.store(true, Ordering::Relaxed);
            fence(Ordering::SeqCst);
            // Re-check after announcing the sleep: a notify between the check and here has
            // bumped `epoch`, and `wait` returns at once when the value differs. A notify
            // that this load misses sees `sleeping` (the fences) and wakes the futex.
            if self.epoch.load(Ordering::Acquire) == epoch {
                self.futex.wait(&self.epoch, epoch);
            }
            // Relaxed: a stale `true` costs the notifier one needless wake, nothing more.
            self.sleeping.store(false, Ordering::Relaxed);
        }
    }
}

/// The futex a [`Signal`] sleeps on: the kernel's, or under loom a model of it.
#[cfg(not(loom))]
mod futex {
    use std::sync::atomic::AtomicU32;

    /// The kernel keeps the queue of waiters; nothing to hold here.
    #[derive(Default)]
    pub struct Futex;

    impl Futex {
        /// Sleeps while `*word == expected` (may return spuriously).
        pub fn wait(&self, word: &AtomicU32, expected: u32) {
            atomic_wait::wait(word, expected);
        }

        /// Wakes every thread sleeping on `word`.
        pub fn wake_all(&self, word: &AtomicU32) {
            atomic_wait::wake_all(word);
        }
    }
}

/// A model of the futex for loom: the kernel checks the word and queues the waiter under the
/// futex's hash-bucket lock, which a wake takes too; here that lock is a mutex and the queue
/// a condition variable, so a wake after the word changed can never be lost and a wait on a
/// changed word returns at once, as in the kernel.
#[cfg(loom)]
mod futex {
    use loom::sync::atomic::{AtomicU32, Ordering};
    use loom::sync::{Condvar, Mutex};

    #[derive(Default)]
    pub struct Futex {
        bucket: Mutex<()>,
        queue: Condvar,
    }

    impl Futex {
        pub fn wait(&self, word: &AtomicU32, expected: u32) {
            let bucket = self.bucket.lock().unwrap();
            // SeqCst, as the kernel reads the word after a full barrier.
            if word.load(Ordering::SeqCst) == expected {
                drop(self.queue.wait(bucket).unwrap());
            }
        }

        pub fn wake_all(&self, _word: &AtomicU32) {
            let _bucket = self.bucket.lock().unwrap();
            self.queue.notify_all();
        }
    }
}

#[cfg(all(test, not(loom)))]
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
        // Start two positions before the wrap (2 * capacity), so it wraps during the test.
        let (mut tx, mut rx) = ring_at::<u32>(3, 4);
        for i in 0..20 {
            tx.push(Box::new(i)).unwrap();
            tx.push(Box::new(i + 100)).unwrap();
            assert_eq!(rx.pop().map(|b| *b), Some(i));
            assert_eq!(rx.pop().map(|b| *b), Some(i + 100));
        }
    }

    /// A small xorshift generator: the same operations on every run, no dependency.
    struct Ops(u64);
    impl Ops {
        fn push_next(&mut self) -> bool {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            // Two pushes for every pop on average: the ring fills up as well as drains.
            !self.0.is_multiple_of(3)
        }
    }

    /// Every start position (all of them lie within one lap of the wrap) x capacities 1..=9:
    /// the ring behaves as a bounded queue, item for item, full and empty at the same times.
    #[test]
    fn any_start_any_capacity_behaves_as_a_bounded_queue() {
        let steps = if cfg!(miri) { 40 } else { 400 };
        for capacity in 1..=9usize {
            for start in 0..2 * capacity as u32 {
                let (mut tx, mut rx) = ring_at::<u64>(capacity, start);
                let mut model = std::collections::VecDeque::new();
                let mut ops = Ops(0x9e37_79b9_7f4a_7c15 ^ (capacity as u64) << 8 ^ start as u64);
                for n in 0..steps {
                    let at = format!("capacity {capacity}, start {start}, step {n}");
                    if ops.push_next() {
                        let pushed = tx.push(Box::new(n)).map_err(|back| *back);
                        if model.len() < capacity {
                            model.push_back(n);
                            assert_eq!(pushed, Ok(()), "{at}");
                        } else {
                            assert_eq!(pushed, Err(n), "{at}: a full ring gives the item back");
                        }
                    } else {
                        assert_eq!(rx.pop().map(|b| *b), model.pop_front(), "{at}");
                    }
                    assert_eq!(rx.len(), model.len(), "{at}");
                }
            }
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

    /// Two threads, a small ring, a million items (two thousand under Miri): every item arrives once, in order.
    #[test]
    fn concurrent_items_arrive_once_in_order() {
        const N: u64 = if cfg!(miri) { 2_000 } else { 1_000_000 };
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

/// loom explores every interleaving (and every weak-memory outcome it models) of push, pop,
/// the wrap and the signal. Run by .ci/run through tools/ring-check:
/// `RUSTFLAGS="--cfg loom" cargo test --release --manifest-path tools/ring-check/Cargo.toml`.
#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use loom::thread;

    /// Pushes `0..n`, waiting on `space` while the ring is full, then notifying `ready`.
    fn produce(mut tx: Producer<u32>, n: u32, ready: &Signal, space: &Signal) {
        for i in 0..n {
            let mut item = Some(Box::new(i));
            space.wait_until(|| match tx.push(item.take().expect("held")) {
                Ok(()) => Some(()),
                Err(back) => {
                    item = Some(back);
                    None
                }
            });
            ready.notify();
        }
    }

    /// Pops `n` items, waiting on `ready`, notifying `space` after each; returns them.
    fn consume(rx: &mut Consumer<u32>, n: u32, ready: &Signal, space: &Signal) -> Vec<u32> {
        (0..n)
            .map(|_| {
                let got = ready.wait_until(|| rx.pop());
                space.notify();
                *got
            })
            .collect()
    }

    /// Capacities 1..=3, starting just before the wrap, more items than cells, both sides
    /// sleeping on signals: every item arrives once and in order, and nobody sleeps forever
    /// (loom fails a run in which every thread is blocked).
    #[test]
    fn push_pop_and_signals_across_the_wrap() {
        for capacity in 1..=3usize {
            let n = capacity as u32 + 1;
            let mut model = loom::model::Builder::new();
            model.preemption_bound = Some(2);
            model.check(move || {
                let start = 2 * capacity as u32 - 1;
                let (tx, mut rx) = ring_at::<u32>(capacity, start);
                let signals = Arc::new((Signal::default(), Signal::default()));
                let theirs = signals.clone();
                let producer = thread::spawn(move || produce(tx, n, &theirs.0, &theirs.1));
                let got = consume(&mut rx, n, &signals.0, &signals.1);
                producer.join().unwrap();
                assert_eq!(got, (0..n).collect::<Vec<_>>());
                assert!(rx.pop().is_none());
            });
        }
    }

    /// The ring alone, both sides retrying instead of sleeping (no signal to order them):
    /// the ring's own Release/Acquire pairs must carry every box across, at the wrap too.
    #[test]
    fn push_and_pop_alone_across_the_wrap() {
        for capacity in 1..=3usize {
            let n = capacity as u32 + 1;
            let mut model = loom::model::Builder::new();
            model.preemption_bound = Some(2);
            model.check(move || {
                let (mut tx, mut rx) = ring_at::<u32>(capacity, 2 * capacity as u32 - 1);
                let producer = thread::spawn(move || {
                    for i in 0..n {
                        let mut item = Box::new(i);
                        while let Err(back) = tx.push(item) {
                            item = back;
                            thread::yield_now();
                        }
                    }
                });
                let mut got = Vec::new();
                while got.len() < n as usize {
                    match rx.pop() {
                        Some(b) => got.push(*b),
                        None => thread::yield_now(),
                    }
                }
                producer.join().unwrap();
                assert_eq!(got, (0..n).collect::<Vec<_>>());
            });
        }
    }

    /// A box still queued when both halves are dropped, on different threads, is freed once.
    #[test]
    fn queued_boxes_are_freed_by_the_last_half() {
        loom::model(|| {
            let (mut tx, rx) = ring_at::<Arc<()>>(2, 3);
            let witness = Arc::new(());
            tx.push(Box::new(witness.clone())).unwrap();
            let t = thread::spawn(move || drop(tx));
            drop(rx);
            t.join().unwrap();
            // loom also fails the model if an `Arc` it tracks is leaked.
            assert_eq!(Arc::strong_count(&witness), 1);
        });
    }
}
