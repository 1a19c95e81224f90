//! Replicated stages: k engines of one segment, one thread each. Order, failure at any
//! replica and fill level, cancel, per-replica statistics, heterogeneous replicas, and the
//! throughput of k sleeping replicas, each under a timeout.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use edgepipe::engine::Engine;
use edgepipe::pipeline::{self, BuildError, PipelineConfig, PopError, PushError};

use crate::fakes::{AddStage, within};

fn config(capacity: usize) -> PipelineConfig {
    PipelineConfig {
        capacity: Some(capacity),
    }
}

/// Stage `s` of a chain t0 -> t1 -> ..., adding 1, with one replica per entry of `delays_ms`.
fn replicas(s: usize, len: usize, delays_ms: &[u64]) -> Vec<AddStage> {
    delays_ms
        .iter()
        .map(|&ms| {
            let mut stage = AddStage::new(&format!("t{s}"), &format!("t{}", s + 1), len, 1);
            stage.delay = Duration::from_millis(ms);
            stage
        })
        .collect()
}

fn boxed(stages: Vec<Vec<AddStage>>) -> Vec<Vec<Box<dyn Engine>>> {
    stages
        .into_iter()
        .map(|r| r.into_iter().map(AddStage::boxed).collect())
        .collect()
}

/// The invoke counters of every replica, by stage.
fn invokes(stages: &[Vec<AddStage>]) -> Vec<Vec<Arc<AtomicU64>>> {
    stages
        .iter()
        .map(|r| r.iter().map(|s| s.invokes.clone()).collect())
        .collect()
}

/// Pushes `n` requests (request i carries i as two bytes) from another thread and pops them
/// all, checking each is request i with its value + `adds`.
fn run_in_order(
    stages: Vec<Vec<AddStage>>,
    n: u64,
    capacity: Option<usize>,
) -> pipeline::PipelineStats {
    let adds = stages.len() as u16;
    let (mut tx, mut rx) =
        pipeline::build_replicated(boxed(stages), &PipelineConfig { capacity }).unwrap();
    let producer = std::thread::spawn(move || {
        for i in 0..n {
            let v = (i as u16).to_le_bytes();
            tx.push(&[&v]).unwrap();
        }
    });
    for i in 0..n {
        let out = rx.pop().unwrap().expect("a result for every request");
        assert_eq!(out.request(), i, "results in push order");
        let (_, data) = out.tensor(0);
        let expect = (i as u16).to_le_bytes().map(|b| b.wrapping_add(adds as u8));
        assert_eq!(data, &expect[..], "request {i}");
    }
    producer.join().unwrap();
    assert!(rx.pop().unwrap().is_none(), "the end after the last result");
    rx.monitor().stats()
}

#[test]
fn replicated_results_come_out_in_push_order() {
    within(30, "replicated_order", || {
        // Heterogeneous replicas (0, 1 and 3 ms) in the middle, two fast ones at the end.
        let stages = vec![
            replicas(0, 2, &[0]),
            replicas(1, 2, &[0, 1, 3]),
            replicas(2, 2, &[0, 0]),
        ];
        let stats = run_in_order(stages, 300, None);
        assert_eq!(stats.capacity, 13, "2R + 1 by default, R = 6 threads");
        for s in &stats.stages {
            let per: u64 = s.replicas.iter().map(|r| r.count).sum();
            assert_eq!((s.count, per), (300, 300), "stage {} counts", s.segment);
        }
        let middle = &stats.stages[1].replicas;
        assert_eq!(middle.len(), 3);
        assert!(
            middle[0].count > middle[2].count,
            "the fastest replica took more work than the slowest: {middle:?}"
        );
    });
}

#[test]
fn replicated_order_holds_at_every_fill_level() {
    within(30, "replicated_fill", || {
        for capacity in [1, 2, 3, 5, 16] {
            let stages = vec![replicas(0, 2, &[0, 1]), replicas(1, 2, &[1, 0, 0])];
            run_in_order(stages, 60, Some(capacity));
        }
    });
}

/// The middle stage of three has 3 replicas of 1 ms each; `fail` sets up who fails. With
/// `capacity` requests in flight: results before the failing request arrive in order, then
/// the failure naming that request, the segment and the replica, then the end; the next push
/// reports it; the last stage never runs the failing request or a later one. Returns the
/// failure.
fn failure_case(
    capacity: usize,
    fail: impl FnOnce(&mut [AddStage]),
) -> edgepipe::pipeline::StageFailure {
    let mut stages = vec![
        replicas(0, 2, &[0]),
        replicas(1, 2, &[1, 1, 1]),
        replicas(2, 2, &[0, 0]),
    ];
    fail(&mut stages[1]);
    let counts = invokes(&stages);
    let (mut tx, mut rx) = pipeline::build_replicated(boxed(stages), &config(capacity)).unwrap();
    let producer = std::thread::spawn(move || {
        let mut accepted = 0u64;
        let err = loop {
            match tx.push(&[&(accepted as u16).to_le_bytes()]) {
                Ok(()) => accepted += 1,
                Err(e) => break e,
            }
            assert!(accepted <= 20_000, "pushes never failed");
        };
        (accepted, err)
    });
    let mut got = Vec::new();
    let failure = loop {
        match rx.pop() {
            Ok(Some(out)) => {
                assert_eq!(out.request(), got.len() as u64);
                got.push(out.tensor(0).1.to_vec());
            }
            Ok(None) => panic!("end of stream before the failure"),
            Err(PopError::StageFailed(f)) => break f,
        }
    };
    let k = got.len() as u64;
    let expect: Vec<Vec<u8>> = (0..k)
        .map(|i| (i as u16).to_le_bytes().map(|b| b.wrapping_add(3)).to_vec())
        .collect();
    assert_eq!(got, expect, "results before the failure, in order");
    assert_eq!((failure.segment, failure.request), (1, k), "{failure}");
    assert!(failure.replica.is_some_and(|r| r < 3), "{failure}");
    assert!(failure.to_string().contains("(replica "), "{failure}");
    assert!(rx.pop().unwrap().is_none(), "after the failure, the end");
    let (accepted, err) = producer.join().unwrap();
    assert_eq!(err, PushError::Failed(failure.clone()));
    assert!(accepted > k);
    let last: u64 = counts[2].iter().map(|c| c.load(Ordering::SeqCst)).sum();
    assert_eq!(last, k, "the last stage never ran request {k} or later");
    drop(rx);
    failure
}

#[test]
fn replicated_failure_at_each_replica_and_fill_level() {
    within(90, "replicated_failure", || {
        // Enough in flight to keep every replica busy: replica `r` fails on its nth invoke.
        for replica in 0..3 {
            for (nth, capacity) in [(0, 3), (2, 4), (4, 8), (1, 64)] {
                let f = failure_case(capacity, |s| s[replica].fail_on = Some(nth));
                assert_eq!(f.replica, Some(replica), "capacity {capacity}: {f}");
                assert!(
                    f.request >= nth,
                    "replica {replica} ran {nth} requests before"
                );
            }
        }
        // Fewer in flight than replicas (not every replica gets work): request 5 fails at
        // whichever replica runs it (stage 1 sees its value + 1).
        for capacity in [1, 2] {
            let f = failure_case(capacity, |s| {
                s.iter_mut().for_each(|r| r.fail_on_input = Some(6))
            });
            assert_eq!(f.request, 5, "capacity {capacity}: {f}");
        }
    });
}

/// Two replicas failing on requests close together: exactly one failure (the earlier
/// request) reaches `pop`, then the end.
#[test]
fn replicated_failures_at_two_replicas_report_the_earliest_once() {
    within(20, "replicated_two_failures", || {
        let mut stages = vec![replicas(0, 2, &[2, 2])];
        stages[0][0].fail_on = Some(3);
        stages[0][1].fail_on = Some(3);
        let (mut tx, mut rx) = pipeline::build_replicated(boxed(stages), &config(16)).unwrap();
        for i in 0..16u16 {
            tx.push(&[&i.to_le_bytes()]).unwrap();
        }
        let mut results = 0u64;
        let failure = loop {
            match rx.pop() {
                Ok(Some(_)) => results += 1,
                Ok(None) => panic!("end before the failure"),
                Err(PopError::StageFailed(f)) => break f,
            }
        };
        assert_eq!(failure.request, results);
        assert!(rx.pop().unwrap().is_none(), "one failure, then the end");
    });
}

#[test]
fn replicated_cancel_gives_up_the_requests_in_flight() {
    within(20, "replicated_cancel", || {
        let stages = vec![replicas(0, 1, &[50, 50]), replicas(1, 1, &[50, 50, 50])];
        let counts = invokes(&stages);
        let (mut tx, mut rx) = pipeline::build_replicated(boxed(stages), &config(11)).unwrap();
        for i in 0..11 {
            tx.push(&[&[i]]).unwrap();
        }
        let first = rx.pop().unwrap().expect("a first result");
        assert_eq!(first.tensor(0).1, &[2]);
        drop(first);
        rx.monitor().cancel();
        assert!(rx.pop().unwrap().is_none(), "nothing after a cancel");
        let ran: u64 = counts
            .iter()
            .flatten()
            .map(|n| n.load(Ordering::SeqCst))
            .sum();
        assert!(
            ran < 2 * 11,
            "{ran} invokes: the cancelled requests did not all run"
        );
        assert_eq!(rx.cancelled(), 10, "every request is a result or counted");
        assert!(tx.push(&[&[9]]).is_err(), "the stream is closed");
    });
}

#[test]
fn replicated_drop_with_work_queued_does_not_hang() {
    within(10, "replicated_drop", || {
        let stages = vec![replicas(0, 1, &[30, 30, 30]), replicas(1, 1, &[30, 30])];
        let (mut tx, rx) = pipeline::build_replicated(boxed(stages), &config(11)).unwrap();
        for i in 0..11 {
            tx.push(&[&[i]]).unwrap();
        }
        drop(rx);
        drop(tx);
    });
}

#[test]
fn replicas_that_differ_or_are_missing_are_refused_by_name() {
    let stages = vec![
        replicas(0, 2, &[0]),
        vec![
            AddStage::new("t1", "t2", 2, 1),
            AddStage::new("t1", "t2", 3, 1),
        ],
    ];
    match pipeline::build_replicated(boxed(stages), &PipelineConfig::default()) {
        Err(e @ BuildError::ReplicaMismatch { .. }) => {
            let text = e.to_string();
            assert!(text.contains("replica 1 of segment 1"), "{text}");
        }
        other => panic!("expected a replica mismatch, got {:?}", other.err()),
    }
    let stages = vec![replicas(0, 2, &[0]), Vec::new()];
    assert!(matches!(
        pipeline::build_replicated(boxed(stages), &PipelineConfig::default()),
        Err(BuildError::NoReplicas(1))
    ));
}

/// Requests per second through one stage of `k` replicas sleeping `ms` per invoke, with
/// every request queued up front (so only the sleeps pace the stage).
fn sleeping_rate(k: usize, ms: u64, requests: u64) -> f64 {
    let delays = vec![ms; k];
    let capacity = requests as usize + 1;
    let (mut tx, mut rx) =
        pipeline::build_replicated(boxed(vec![replicas(0, 1, &delays)]), &config(capacity))
            .unwrap();
    let started = Instant::now();
    for i in 0..requests {
        tx.push(&[&[i as u8]]).unwrap();
    }
    for _ in 0..requests {
        drop(rx.pop().unwrap().expect("result"));
    }
    requests as f64 / started.elapsed().as_secs_f64()
}

/// k replicas of a sleeping stage sustain at least 0.9 x k x one replica's rate. Sleeps use
/// no CPU, so this holds on a busy machine: the margin (10 % of 40 ms = 4 ms per request)
/// dwarfs the handoff cost (microseconds) and a loaded machine's late wake-ups (a millisecond
/// or two at load 9, which broke a 20 ms version). 25 requests per replica keep the tail (the
/// last replica finishing one invoke after the others) within 4 %; each rate is the better of
/// three runs, so a burst of load on the machine does not decide it.
#[test]
fn replicated_sleeping_stage_scales_with_its_replicas() {
    within(60, "replicated_throughput", || {
        let best = |k: usize| {
            (0..3)
                .map(|_| sleeping_rate(k, 40, 25 * k as u64))
                .fold(0.0, f64::max)
        };
        let one = best(1);
        for k in [2, 4] {
            let many = best(k);
            assert!(
                many >= 0.9 * k as f64 * one,
                "{k} replicas: {many:.1} req/s vs one replica {one:.1} req/s"
            );
        }
    });
}
