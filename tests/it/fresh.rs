//! Freshness in live mode, step by step: engines that report each invoke and wait for the test
//! to let them finish, so every interleaving below is forced, not timed.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Duration;

use edgepipe::engine::{Engine, EngineError, TensorSpec};
use edgepipe::model::DType;
use edgepipe::pipeline::{self, Live, PipelineConfig, Tag};

use crate::fakes::within;

/// A stage `from` -> `to` (u8[4], adding 1) whose invoke sends its input's first byte on
/// `started`, then waits for a token on `go` (or for `go` to be dropped).
struct Gate {
    specs: (Vec<TensorSpec>, Vec<TensorSpec>),
    input: Vec<u8>,
    output: Vec<u8>,
    started: Sender<u8>,
    go: Receiver<()>,
}

/// A gated stage, the receiver of its reports, and its gate.
pub(crate) fn gate(from: &str, to: &str) -> (Box<dyn Engine>, Receiver<u8>, Sender<()>) {
    let (started, reports) = channel();
    let (open, go) = channel();
    let stage = Gate {
        specs: (
            vec![TensorSpec::new(from, DType::Uint8, &[1, 4])],
            vec![TensorSpec::new(to, DType::Uint8, &[1, 4])],
        ),
        input: vec![0; 4],
        output: vec![0; 4],
        started,
        go,
    };
    (Box::new(stage), reports, open)
}

impl Engine for Gate {
    fn inputs(&self) -> &[TensorSpec] {
        &self.specs.0
    }
    fn outputs(&self) -> &[TensorSpec] {
        &self.specs.1
    }
    fn input_mut(&mut self, _: usize) -> &mut [u8] {
        &mut self.input
    }
    fn output(&self, _: usize) -> &[u8] {
        &self.output
    }
    fn invoke(&mut self) -> Result<(), EngineError> {
        let _ = self.started.send(self.input[0]);
        let _ = self.go.recv();
        for (o, i) in self.output.iter_mut().zip(&self.input) {
            *o = i.wrapping_add(1);
        }
        Ok(())
    }
}

/// The next invoke a stage reports (the 20 s only bound a failure: the success path never
/// waits on time).
pub(crate) fn next_invoke(reports: &Receiver<u8>, what: &str) -> u8 {
    reports
        .recv_timeout(Duration::from_secs(20))
        .unwrap_or_else(|_| panic!("{what}: no invoke came"))
}

/// Stage 0 skips request 20 because 30 waits behind it, and passes it on unrun right after
/// request 10, into stage 1's input. Stage 1 must still run 10: what waits behind it there was
/// skipped and needs no stage, and 30 is still in stage 0, so skipping 10 would only lose its
/// result (an older rule counted every request queued, skipped or not, and did).
#[test]
fn a_request_is_not_skipped_for_one_that_was_skipped_itself() {
    within(120, "freshness behind a skipped request", || {
        let (s0, started0, go0) = gate("t0", "t1");
        let (s1, started1, go1) = gate("t1", "t2");
        let (mut tx, mut rx) = pipeline::build_replicated(
            vec![vec![s0], vec![s1]],
            &PipelineConfig { capacity: Some(6) },
        )
        .unwrap();
        let mut push = |v: u8| {
            let tag = Tag {
                frame: v as u64,
                captured_ns: 0,
            };
            let pushed = tx.push_latest(tag, &mut |_, b| b.fill(v)).unwrap();
            assert_eq!(pushed, Live::Sent, "frame {v}");
        };
        push(0);
        assert_eq!(next_invoke(&started0, "stage 0"), 0);
        go0.send(()).unwrap();
        assert_eq!(next_invoke(&started1, "stage 1"), 1, "stage 1 on request 0");
        push(10);
        assert_eq!(next_invoke(&started0, "stage 0"), 10);
        // Both wait behind 10 at stage 0's input.
        push(20);
        push(30);
        go0.send(()).unwrap();
        // 10 goes to stage 1; 20 is passed on unrun (30 waits behind it); 30 runs.
        assert_eq!(next_invoke(&started0, "stage 0"), 30, "20 skipped for 30");
        go1.send(()).unwrap();
        assert_eq!(
            next_invoke(&started1, "stage 1 after request 0"),
            11,
            "stage 1 runs request 10 (behind it: only the skipped 20)"
        );
        drop((go0, go1));
        drop(tx);
        let mut got = Vec::new();
        while let Some(out) = rx.pop().unwrap() {
            got.push((out.tag().frame, out.tensor(0).1[0]));
        }
        assert_eq!(got, vec![(0, 2), (10, 12), (30, 32)], "the results");
        assert_eq!(rx.skipped(), 1, "20 counted as skipped");
    });
}

/// Runs a live source (a frame every millisecond) into a 2 ms stage and a 30 ms stage; returns
/// the invokes of each stage, the results and every frame's fate.
fn live_run(paced: bool) -> (u64, u64, usize, u64, u64) {
    let mut stages = crate::fakes::add_chain(2, 4);
    stages[0].delay = Duration::from_millis(2);
    stages[1].delay = Duration::from_millis(30);
    let (mut tx, mut rx) =
        pipeline::build(crate::fakes::boxed(stages), &PipelineConfig::default()).unwrap();
    tx.pace_entry(paced);
    let monitor = rx.monitor();
    let consumer = std::thread::spawn(move || {
        let mut delivered = 0;
        while rx.pop().unwrap().is_some() {
            delivered += 1;
        }
        (delivered, rx.skipped())
    });
    const FRAMES: u32 = 600;
    for frame in 0..FRAMES {
        let tag = Tag {
            frame: u64::from(frame),
            captured_ns: 0,
        };
        tx.push_latest(tag, &mut |_, b| b.copy_from_slice(&frame.to_le_bytes()))
            .unwrap();
        std::thread::sleep(Duration::from_millis(1));
    }
    tx.discard_latest();
    let dropped = tx.live_dropped();
    drop(tx);
    let (delivered, skipped) = consumer.join().unwrap();
    let stats = monitor.stats();
    assert_eq!(
        delivered as u64 + dropped + skipped,
        u64::from(FRAMES),
        "paced {paced}: every frame is delivered, dropped or skipped"
    );
    (
        stats.stages[0].count,
        stats.stages[1].count,
        delivered,
        dropped,
        skipped,
    )
}

/// Paced entry holds a frame back while it would wait inside the pipeline: the fast first
/// stage then runs about as many frames as the slow second one, instead of many that the
/// second passes over. Counts, not times: on a loaded machine both runs slow down alike.
#[test]
fn paced_entry_runs_no_frame_a_later_stage_would_pass_over() {
    within(120, "paced entry", || {
        let (first, second, delivered, _, skipped) = live_run(false);
        assert!(
            first >= 2 * second && skipped > 0,
            "unpaced, the 2 ms stage runs frames the 30 ms stage passes over: {first} vs {second}"
        );
        assert_eq!(delivered as u64, second);
        let (first, second, delivered, dropped, skipped) = live_run(true);
        assert_eq!(delivered as u64, second);
        assert!(
            first <= second + second / 4 + 2,
            "paced, stage 0 ran {first} frames for stage 1's {second} ({skipped} passed over)"
        );
        assert!(
            dropped > 0,
            "frames waiting to enter are replaced and counted"
        );
    });
}
