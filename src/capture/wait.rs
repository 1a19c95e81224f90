//! A wait cut into slices, looking at a stop flag between them: how every wait of a source
//! (a camera's next buffer, a replay's next tick, a reopen's backoff) ends within one slice of
//! a stop, however long it would otherwise last.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The longest slice: a source looks at its stop flag at least this often.
pub const SLICE: Duration = Duration::from_millis(50);

/// How a sliced wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waited {
    /// What was waited for happened.
    Ready,
    /// The stop flag was set.
    Stopped,
    /// The deadline passed first.
    TimedOut,
}

/// True once `stop` (if any) is set.
pub fn is_stopped(stop: &Option<Arc<AtomicBool>>) -> bool {
    stop.as_ref().is_some_and(|s| s.load(Ordering::Relaxed))
}

/// Waits until `ready(slice)` returns true, calling it with slices of at most [`SLICE`]
/// (it may wait that long itself: a poll, a sleep), and looking at `stop` before each call;
/// gives up at `deadline`. `ready` is called at least once unless already stopped.
pub fn sliced<E>(
    deadline: Instant,
    stop: &Option<Arc<AtomicBool>>,
    mut ready: impl FnMut(Duration) -> Result<bool, E>,
) -> Result<Waited, E> {
    let mut first = true;
    loop {
        if is_stopped(stop) {
            return Ok(Waited::Stopped);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() && !first {
            return Ok(Waited::TimedOut);
        }
        first = false;
        if ready(left.min(SLICE))? {
            return Ok(Waited::Ready);
        }
    }
}

/// Sleeps until `deadline` in slices; false when stopped first.
pub fn sleep_until(deadline: Instant, stop: &Option<Arc<AtomicBool>>) -> bool {
    let slept = sliced(deadline, stop, |slice| {
        std::thread::sleep(slice);
        Ok::<_, std::convert::Infallible>(false)
    });
    !matches!(slept, Ok(Waited::Stopped))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flag() -> (Arc<AtomicBool>, Option<Arc<AtomicBool>>) {
        let f = Arc::new(AtomicBool::new(false));
        (Arc::clone(&f), Some(f))
    }

    #[test]
    fn a_wait_of_a_century_asks_in_slices_and_ends_at_the_stop() {
        let (set, stop) = flag();
        let mut asked = Vec::new();
        let far = Instant::now() + Duration::from_secs(100 * 365 * 86_400);
        let waited = sliced(far, &stop, |slice| {
            asked.push(slice);
            if asked.len() == 5 {
                set.store(true, Ordering::Relaxed);
            }
            Ok::<_, ()>(false)
        });
        assert_eq!(waited, Ok(Waited::Stopped));
        // Never asked to wait longer than a slice; the stop seen right after the call that set it.
        assert_eq!(asked, vec![SLICE; 5]);
    }

    #[test]
    fn ready_deadline_and_errors_pass_through() {
        let none = None;
        let soon = Instant::now() + Duration::from_millis(120);
        let mut calls = 0;
        let waited = sliced(soon, &none, |slice| {
            calls += 1;
            assert!(slice <= SLICE);
            Ok::<_, ()>(calls == 2)
        });
        assert_eq!((waited, calls), (Ok(Waited::Ready), 2));
        // Past the deadline: one last look, then TimedOut.
        let past = Instant::now();
        let mut calls = 0;
        let waited = sliced(past, &none, |slice| {
            calls += 1;
            assert_eq!(slice, Duration::ZERO);
            Ok::<_, ()>(false)
        });
        assert_eq!((waited, calls), (Ok(Waited::TimedOut), 1));
        assert_eq!(sliced(soon, &none, |_| Err::<bool, _>("EIO")), Err("EIO"));
        // Already stopped: not even one look.
        let (set, stop) = flag();
        set.store(true, Ordering::Relaxed);
        assert_eq!(
            sliced(soon, &stop, |_| -> Result<bool, ()> { panic!("asked") }),
            Ok(Waited::Stopped)
        );
    }

    #[test]
    fn sleep_until_a_far_deadline_ends_when_stopped() {
        let (set, stop) = flag();
        let setter = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(30));
            set.store(true, Ordering::Relaxed);
        });
        let far = Instant::now() + Duration::from_secs(3600);
        // No timing asserted: a hang would be the failure.
        assert!(!sleep_until(far, &stop));
        setter.join().unwrap();
        assert!(sleep_until(Instant::now(), &None));
    }
}
