//! A results loop that must look at more than results: `pop_or_wake` ends on
//! `Monitor::wake`, `in_flight` tells whether a stage holds a request, and `shut_down` does
//! not wait for a stage stuck in an invoke. The stages are gated (see `fresh`), so every
//! state below is forced, not timed.

use std::time::Duration;

use edgepipe::pipeline::{self, Live, PipelineConfig, Popped, Receiver, Sender, Tag};

use crate::fakes::within;
use crate::fresh::{gate, next_invoke};

fn push(tx: &mut Sender, v: u8) {
    let tag = Tag {
        frame: v as u64,
        captured_ns: 0,
    };
    let pushed = tx.push_latest(tag, &mut |_, b| b.fill(v)).unwrap();
    assert_eq!(pushed, Live::Sent, "frame {v}");
}

/// What the next `pop_or_wake` gives: the result's (frame, first byte), or a word.
fn pop_or_wake(rx: &mut Receiver) -> Result<(u64, u8), &'static str> {
    match rx.pop_or_wake().unwrap() {
        Popped::Result(out) => Ok((out.tag().frame, out.tensor(0).1[0])),
        Popped::Woken => Err("woken"),
        Popped::Closed => Err("closed"),
    }
}

#[test]
fn a_wake_ends_the_wait_for_a_result_and_results_come_first() {
    within(120, "pop_or_wake", || {
        let (stage, started, go) = gate("in", "out");
        let (mut tx, mut rx) =
            pipeline::build_replicated(vec![vec![stage]], &PipelineConfig::default()).unwrap();
        let monitor = rx.monitor();
        assert_eq!(rx.in_flight(), 0, "nothing pushed yet");
        push(&mut tx, 7);
        assert_eq!(next_invoke(&started, "request 7"), 7);
        // The stage holds 7 until the gate opens: only the wake can end this wait (it comes
        // while the pop waits, or before; either way the pop returns).
        let waker = monitor.clone();
        let wake = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            waker.wake();
        });
        assert_eq!(pop_or_wake(&mut rx), Err("woken"));
        wake.join().unwrap();
        assert_eq!(rx.in_flight(), 1, "7 is still in the stage");
        go.send(()).unwrap();
        assert_eq!(pop_or_wake(&mut rx), Ok((7, 8)), "7's result");
        assert_eq!(rx.in_flight(), 0, "7 came out");
        // Wakes coalesce: two give one Woken, and the next pop waits for the result.
        monitor.wake();
        monitor.wake();
        assert_eq!(pop_or_wake(&mut rx), Err("woken"));
        push(&mut tx, 9);
        assert_eq!(next_invoke(&started, "request 9"), 9);
        go.send(()).unwrap();
        assert_eq!(pop_or_wake(&mut rx), Ok((9, 10)), "one Woken for two wakes");
        // A plain pop is not woken, and an end of stream comes before a pending wake.
        monitor.wake();
        push(&mut tx, 11);
        go.send(()).unwrap();
        let got = rx.pop().unwrap().map(|o| o.tag().frame);
        assert_eq!(got, Some(11), "pop waits for the result through a wake");
        drop(tx);
        assert_eq!(pop_or_wake(&mut rx), Err("closed"));
    });
}

#[test]
fn shut_down_leaves_a_stage_stuck_in_an_invoke_behind() {
    within(120, "shut_down", || {
        let (stage, started, go) = gate("in", "out");
        let (mut tx, rx) =
            pipeline::build_replicated(vec![vec![stage]], &PipelineConfig::default()).unwrap();
        push(&mut tx, 3);
        assert_eq!(next_invoke(&started, "request 3"), 3);
        assert_eq!(rx.in_flight(), 1);
        // The gate stays shut: the stage thread cannot end, and shut_down does not wait for it.
        assert_eq!(
            rx.shut_down(Duration::from_millis(200)),
            1,
            "one left behind"
        );
        // Opening the gate lets the thread end on its own.
        drop(go);
        drop(tx);
        // A pipeline with nothing in flight: every thread ends at once (the limit is a guard).
        let (stage, _started, _go) = gate("in", "out");
        let (_tx, rx) =
            pipeline::build_replicated(vec![vec![stage]], &PipelineConfig::default()).unwrap();
        assert_eq!(rx.shut_down(Duration::from_secs(60)), 0, "none left behind");
    });
}
