//! The pipeline runner: libcoral's test matrix (push/pop, empty pushes, queue bounds, errors,
//! same result as the interpreter) plus the hazards libcoral has (hangs after a failure, lost
//! results, drop while blocked), each under a timeout.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use edgepipe::engine::{Engine, Interpreter};
use edgepipe::model::{self, DType, Model};
use edgepipe::partition;
use edgepipe::pipeline::{self, BuildError, PipelineConfig, PopError, PushError, TryPushError};
use edgepipe::verify::{self, SplitMix64};

use crate::fakes::{AddStage, add_chain, boxed, within};
use crate::util::data_dir;

fn config(capacity: usize) -> PipelineConfig {
    PipelineConfig {
        capacity: Some(capacity),
    }
}

#[test]
fn push_valid_request() {
    within(10, "push_valid_request", || {
        let (mut tx, mut rx) =
            pipeline::build(boxed(add_chain(3, 4)), &PipelineConfig::default()).unwrap();
        let monitor = rx.monitor();
        tx.push(&[&[1, 2, 3, 250]]).unwrap();
        {
            let out = rx.pop().unwrap().expect("one result");
            assert_eq!(out.len(), 1);
            let (spec, data) = out.tensor(0);
            assert_eq!(
                (spec.name.as_str(), spec.dtype, data),
                ("t3", DType::Uint8, &[4, 5, 6, 253][..])
            );
            assert_eq!(out.request(), 0);
        }
        let stats = monitor.stats();
        assert_eq!(stats.capacity, 7, "2N + 1 by default");
        for s in &stats.stages {
            assert_eq!(s.count, 1, "stage {}", s.segment);
            assert!(s.busy_ns > 0 && s.max_ns >= s.p50_ns.min(s.max_ns));
        }
    });
}

#[test]
fn push_one_empty_request() {
    within(10, "push_one_empty_request", || {
        let (mut tx, mut rx) =
            pipeline::build(boxed(add_chain(2, 4)), &PipelineConfig::default()).unwrap();
        tx.push(&[]).expect("an empty push closes");
        assert_eq!(
            tx.push(&[]),
            Err(PushError::Closed),
            "a second empty push says closed"
        );
        assert_eq!(tx.push(&[&[0; 4]]), Err(PushError::Closed));
        assert!(rx.pop().unwrap().is_none(), "end of stream");
        assert!(rx.pop().unwrap().is_none(), "and it stays ended");
        assert!(rx.monitor().stats().stages.iter().all(|s| s.count == 0));
    });
}

#[test]
fn push_two_empty_requests_concurrently() {
    within(10, "push_two_empty_requests_concurrently", || {
        for _ in 0..50 {
            let (tx, mut rx) =
                pipeline::build(boxed(add_chain(2, 4)), &PipelineConfig::default()).unwrap();
            let (a, b) = (tx.monitor(), rx.monitor());
            let ta = std::thread::spawn(move || a.close());
            let tb = std::thread::spawn(move || b.close());
            let results = [ta.join().unwrap(), tb.join().unwrap()];
            assert_eq!(
                results.iter().filter(|r| r.is_ok()).count(),
                1,
                "exactly one close wins: {results:?}"
            );
            assert!(rx.pop().unwrap().is_none());
            drop(tx);
        }
    });
}

/// Capacity C lets exactly C pushes through without a consumer; the next blocks until a pop.
#[test]
fn queue_bounds() {
    within(20, "queue_bounds", || {
        for capacity in [1, 3, 5] {
            let (mut tx, mut rx) =
                pipeline::build(boxed(add_chain(2, 1)), &config(capacity)).unwrap();
            for i in 0..capacity {
                tx.try_push(&[&[i as u8]])
                    .unwrap_or_else(|e| panic!("push {i} of {capacity}: {e}"));
            }
            assert_eq!(tx.try_push(&[&[99]]), Err(TryPushError::Full));
            let blocked = std::thread::spawn(move || {
                let r = tx.push(&[&[capacity as u8]]);
                (r, tx)
            });
            std::thread::sleep(Duration::from_millis(200));
            assert!(
                !blocked.is_finished(),
                "push {capacity} must block while {capacity} are in flight"
            );
            let first = rx.pop().unwrap().unwrap().tensor(0).1[0];
            assert_eq!(first, 2);
            let (r, tx) = blocked.join().unwrap();
            r.expect("the blocked push goes in after a pop");
            drop(tx);
            let mut rest = Vec::new();
            while let Some(out) = rx.pop().unwrap() {
                rest.push(out.tensor(0).1[0]);
            }
            let expected: Vec<u8> = (1..=capacity as u8).map(|i| i + 2).collect();
            assert_eq!(
                rest, expected,
                "capacity {capacity}: every request once, in order"
            );
        }
    });
}

/// Producer and consumer on their own threads, stages of uneven speed: every result once, in
/// push order, with the right arithmetic.
#[test]
fn results_in_push_order_across_threads() {
    within(60, "results_in_push_order_across_threads", || {
        let mut stages = add_chain(3, 8);
        stages[1].delay = Duration::from_micros(200);
        let (mut tx, mut rx) = pipeline::build(boxed(stages), &PipelineConfig::default()).unwrap();
        const N: u64 = 2000;
        let producer = std::thread::spawn(move || {
            for i in 0..N {
                let mut req = [0u8; 8];
                req[..8].copy_from_slice(&i.to_le_bytes());
                tx.push(&[&req]).unwrap();
            }
        });
        for i in 0..N {
            let out = rx.pop().unwrap().expect("a result");
            let mut want = i.to_le_bytes();
            want.iter_mut().for_each(|b| *b = b.wrapping_add(3));
            assert_eq!(out.tensor(0).1, &want[..], "request {i}");
            assert_eq!(out.request(), i);
        }
        producer.join().unwrap();
        assert!(
            rx.pop().unwrap().is_none(),
            "dropping the sender ends the stream"
        );
    });
}

/// A failure at `segment` on request `k`, with the pipeline full on both ends: earlier
/// results arrive, then the failure naming the segment, then the end; the producer's next
/// push reports the failure; nothing hangs.
fn failure_at(segment: usize, k: u64) {
    let mut stages = add_chain(3, 2);
    stages[segment].fail_on = Some(k);
    let invokes: Vec<_> = stages.iter().map(|s| Arc::clone(&s.invokes)).collect();
    let (mut tx, mut rx) = pipeline::build(boxed(stages), &config(3)).unwrap();
    let producer = std::thread::spawn(move || {
        let mut accepted = 0u64;
        let err = loop {
            match tx.push(&[&[accepted as u8, 0]]) {
                Ok(()) => accepted += 1,
                Err(e) => break e,
            }
            if accepted > 1000 {
                panic!("pushes never failed");
            }
        };
        (accepted, err)
    });
    // Let the pipeline fill up: input blocked, output full.
    std::thread::sleep(Duration::from_millis(100));
    let mut got = Vec::new();
    let failure = loop {
        match rx.pop() {
            Ok(Some(out)) => got.push(out.tensor(0).1[0]),
            Ok(None) => panic!("end of stream before the failure"),
            Err(PopError::StageFailed(f)) => break f,
        }
    };
    assert_eq!(
        got,
        (0..k as u8).map(|i| i + 3).collect::<Vec<_>>(),
        "results before the failure, in order"
    );
    assert_eq!((failure.segment, failure.request), (segment, k));
    assert!(failure.message.contains("injected failure"), "{failure}");
    assert!(rx.pop().unwrap().is_none(), "after the failure, the end");
    let (accepted, err) = producer.join().unwrap();
    assert_eq!(
        err,
        PushError::Failed(failure.clone()),
        "the next push reports the failure"
    );
    assert!(
        accepted > k,
        "requests after the failure were accepted before it happened"
    );
    for (later, count) in invokes.iter().enumerate().skip(segment + 1) {
        assert_eq!(
            count.load(Ordering::SeqCst),
            k,
            "segment {later} never ran request {k} or later"
        );
    }
    drop(rx);
}

#[test]
fn failure_at_the_first_segment() {
    within(20, "failure_at_the_first_segment", || failure_at(0, 5));
}

#[test]
fn failure_at_a_middle_segment() {
    within(20, "failure_at_a_middle_segment", || failure_at(1, 5));
}

#[test]
fn failure_at_the_last_segment() {
    within(20, "failure_at_the_last_segment", || failure_at(2, 5));
}

#[test]
fn failure_on_the_very_first_request() {
    within(20, "failure_on_the_very_first_request", || failure_at(1, 0));
}

#[test]
fn drop_during_a_blocked_push() {
    within(10, "drop_during_a_blocked_push", || {
        let (mut tx, rx) = pipeline::build(boxed(add_chain(2, 1)), &config(1)).unwrap();
        tx.push(&[&[1]]).unwrap();
        let blocked = std::thread::spawn(move || tx.push(&[&[2]]));
        std::thread::sleep(Duration::from_millis(100));
        assert!(!blocked.is_finished());
        drop(rx);
        assert_eq!(blocked.join().unwrap(), Err(PushError::Closed));
    });
}

#[test]
fn drop_with_slow_stages_and_work_queued_does_not_hang() {
    within(10, "drop_with_slow_stages", || {
        let mut stages = add_chain(3, 1);
        stages
            .iter_mut()
            .for_each(|s| s.delay = Duration::from_millis(30));
        let (mut tx, rx) = pipeline::build(boxed(stages), &config(7)).unwrap();
        for i in 0..7 {
            tx.push(&[&[i]]).unwrap();
        }
        drop(rx);
        drop(tx);
    });
}

#[test]
fn drop_without_close_or_pop_does_not_hang() {
    within(10, "drop_without_close", || {
        let (mut tx, rx) = pipeline::build(boxed(add_chain(2, 1)), &config(3)).unwrap();
        tx.push(&[&[1]]).unwrap();
        drop(tx);
        drop(rx);
    });
}

#[test]
fn bad_pushes_are_refused_and_the_pipeline_stays_usable() {
    within(10, "bad_pushes", || {
        let (mut tx, mut rx) =
            pipeline::build(boxed(add_chain(2, 3)), &PipelineConfig::default()).unwrap();
        assert!(matches!(
            tx.push(&[&[1, 2]]),
            Err(PushError::BadInput {
                index: 0,
                expected: 3,
                got: 2,
                ..
            })
        ));
        assert_eq!(
            tx.push(&[&[1, 2, 3], &[4]]),
            Err(PushError::InputCount {
                expected: 1,
                got: 2
            })
        );
        tx.push(&[&[1, 2, 3]]).unwrap();
        assert_eq!(rx.pop().unwrap().unwrap().tensor(0).1, &[3, 4, 5]);
        assert_eq!(tx.input_index("t0"), Some(0));
    });
}

#[test]
fn chains_that_do_not_connect_are_refused_by_name() {
    let err = |stages: Vec<AddStage>| {
        pipeline::build(boxed(stages), &PipelineConfig::default())
            .err()
            .unwrap()
    };
    let mut reversed = add_chain(3, 4);
    reversed.reverse();
    match err(reversed) {
        BuildError::OutOfOrder {
            segment: 0,
            tensor,
            writer: 1,
        } => assert_eq!(tensor, "t2"),
        other => panic!("{other}"),
    }
    let mismatched = vec![AddStage::new("a", "b", 4, 1), AddStage::new("b", "c", 5, 1)];
    let e = err(mismatched);
    assert!(matches!(e, BuildError::Mismatch { segment: 1, .. }), "{e}");
    assert!(e.to_string().contains("'b'"), "{e}");
    let twice = vec![AddStage::new("a", "b", 4, 1), AddStage::new("a", "b", 4, 1)];
    assert!(matches!(
        err(twice),
        BuildError::WrittenTwice {
            first: 0,
            second: 1,
            ..
        }
    ));
    assert!(matches!(
        pipeline::build(Vec::new(), &PipelineConfig::default()),
        Err(BuildError::NoSegments)
    ));
    assert!(matches!(
        pipeline::build(boxed(add_chain(1, 1)), &config(0)),
        Err(BuildError::Capacity(0))
    ));
}

/// A tensor that skips a segment reaches the segment that reads it.
#[test]
fn a_tensor_skipping_a_segment_is_routed() {
    within(10, "skip routing", || {
        struct Sum(
            Vec<edgepipe::engine::TensorSpec>,
            Vec<edgepipe::engine::TensorSpec>,
            [Vec<u8>; 2],
            Vec<u8>,
        );
        impl Engine for Sum {
            fn inputs(&self) -> &[edgepipe::engine::TensorSpec] {
                &self.0
            }
            fn outputs(&self) -> &[edgepipe::engine::TensorSpec] {
                &self.1
            }
            fn input_mut(&mut self, i: usize) -> &mut [u8] {
                &mut self.2[i]
            }
            fn output(&self, _: usize) -> &[u8] {
                &self.3
            }
            fn invoke(&mut self) -> Result<(), edgepipe::engine::EngineError> {
                self.3[0] = self.2[0][0].wrapping_add(self.2[1][0]);
                Ok(())
            }
        }
        let spec = |n: &str| edgepipe::engine::TensorSpec::new(n, DType::Uint8, &[1]);
        // x -> [+1] -> a -> [+10] -> b ; sum(b, x) -> y : x skips two segments.
        let engines: Vec<Box<dyn Engine>> = vec![
            AddStage::new("x", "a", 1, 1).boxed(),
            AddStage::new("a", "b", 1, 10).boxed(),
            Box::new(Sum(
                vec![spec("b"), spec("x")],
                vec![spec("y")],
                [vec![0], vec![0]],
                vec![0],
            )),
        ];
        let (mut tx, mut rx) = pipeline::build(engines, &PipelineConfig::default()).unwrap();
        assert_eq!(tx.inputs().len(), 1, "x is the only pipeline input");
        for x in [0u8, 5, 100] {
            tx.push(&[&[x]]).unwrap();
            assert_eq!(rx.pop().unwrap().unwrap().tensor(0).1, &[x + 11 + x]);
        }
    });
}

fn interpreters(segments: &[model::Segment]) -> Vec<Box<dyn Engine>> {
    segments
        .iter()
        .map(|s| {
            Box::new(Interpreter::new(s.bytes.clone(), 1).expect("segment loads"))
                as Box<dyn Engine>
        })
        .collect()
}

/// libcoral's SameResultAsInterpreter and its model tests: real models cut 2..4 ways, 100
/// pipelined requests (producer and consumer on separate threads) equal the whole model's
/// outputs byte for byte, in order.
#[test]
fn pipelined_real_models_equal_the_whole_model() {
    let Some(dir) = data_dir("pipelined_real_models_equal_the_whole_model") else {
        return;
    };
    for (file, ns, requests) in [
        (
            "coral/mobilenet_v1_0.25_128_quant.tflite",
            &[2usize, 3, 4][..],
            100usize,
        ),
        ("coral/split_concat.tflite", &[2, 3][..], 100),
        ("coral/mobilenet_v2_1.0_224_quant.tflite", &[2][..], 20),
    ] {
        let path = dir.join(file);
        let model = Model::open(&path).unwrap();
        let mut whole = Interpreter::new(std::fs::read(&path).unwrap(), 1).unwrap();
        let mut rng = SplitMix64::new(3);
        let inputs: Vec<Vec<Vec<u8>>> = (0..requests)
            .map(|_| verify::random_inputs(whole.inputs(), &mut rng))
            .collect();
        let expected: Vec<Vec<(String, Vec<u8>)>> = inputs
            .iter()
            .map(|i| verify::run_whole(&mut whole, i).unwrap())
            .collect();
        for &n in ns {
            let segments =
                model::cut(&model, &partition::by_param_bytes(&model.graph, n).unwrap()).unwrap();
            let (mut tx, mut rx) =
                pipeline::build(interpreters(&segments), &PipelineConfig::default()).unwrap();
            // The pipeline's inputs are the model's, possibly in another order: map by name.
            let order: Vec<usize> = tx
                .inputs()
                .iter()
                .map(|s| {
                    whole
                        .inputs()
                        .iter()
                        .position(|w| w.name == s.name)
                        .expect("input by name")
                })
                .collect();
            let reqs = inputs.clone();
            let producer = std::thread::spawn(move || {
                for req in &reqs {
                    let ordered: Vec<&[u8]> = order.iter().map(|&i| &req[i][..]).collect();
                    tx.push(&ordered).unwrap();
                }
            });
            for (r, want) in expected.iter().enumerate() {
                let out = rx.pop().unwrap().expect("a result");
                assert_eq!(out.request(), r as u64);
                for (name, bytes) in want {
                    let i = (0..out.len())
                        .find(|&i| &out.tensor(i).0.name == name)
                        .expect("output by name");
                    assert_eq!(
                        out.tensor(i).1,
                        &bytes[..],
                        "{file} N={n} request {r} output {name}"
                    );
                }
            }
            producer.join().unwrap();
            assert!(rx.pop().unwrap().is_none());
            let stats = rx.monitor().stats();
            assert!(
                stats.stages.iter().all(|s| s.count == requests as u64),
                "{stats:?}"
            );
        }
    }
}

/// Results carry type, shape and quantization: no guessing shapes from bytes (pycoral#36).
#[test]
fn results_carry_type_shape_and_quantization() {
    let Some(dir) = data_dir("results_carry_type_shape_and_quantization") else {
        return;
    };
    let model = Model::open(&dir.join("coral/mobilenet_v1_0.25_128_quant.tflite")).unwrap();
    let segments = model::cut(&model, &[0, 10, model.graph.ops.len()]).unwrap();
    let (tx, rx) = pipeline::build(interpreters(&segments), &PipelineConfig::default()).unwrap();
    let out = &rx.outputs()[0];
    assert_eq!(
        (out.dtype, out.shape.as_slice(), out.bytes),
        (DType::Uint8, &[1, 1001][..], 1001)
    );
    let q = out.quantization.as_ref().expect("quantized output");
    assert_eq!(
        (q.scale.as_slice(), q.zero_point.as_slice()),
        (&[1.0f32 / 256.0][..], &[0i64][..])
    );
    assert_eq!(tx.inputs()[0].shape, vec![1, 128, 128, 3]);
}

/// The real failing model of Coral's tests, without a kernel registered for its custom op,
/// fails to load with a clear message, not a crash (with one registered, it fails at invoke:
/// see `engine::coral_invoking_error_model_fails_a_pipeline_cleanly`).
#[test]
fn coral_invoking_error_model_is_refused_clearly_by_the_cpu_engine() {
    let Some(dir) = data_dir("coral_invoking_error_model") else {
        return;
    };
    let bytes =
        std::fs::read(dir.join("coral/invalid_models/model_invoking_error.tflite")).unwrap();
    let err = Interpreter::new(bytes, 1)
        .err()
        .expect("custom op not registered");
    let err = err.to_string();
    assert!(
        err.contains("cannot build an interpreter") && err.contains("fake-op-double"),
        "{err}"
    );
}

/// The live-camera policy: the producer never waits; when the pipeline is full the newest frame
/// replaces the one waiting, drops are counted, and what comes out is in order and fresh.
#[test]
fn live_pushes_never_wait_and_keep_the_newest_frame() {
    within(30, "live policy", || {
        let mut stages = add_chain(2, 4);
        stages[1].delay = Duration::from_millis(20);
        let (mut tx, mut rx) = pipeline::build(boxed(stages), &config(3)).unwrap();
        let consumer = std::thread::spawn(move || {
            let mut got = Vec::new();
            while let Some(out) = rx.pop().unwrap() {
                // Each of the 2 stages adds 1 to every byte, wrapping: undo it per byte.
                let bytes: Vec<u8> = out.tensor(0).1.iter().map(|b| b.wrapping_sub(2)).collect();
                got.push(u32::from_le_bytes(bytes.try_into().unwrap()));
            }
            (got, rx.skipped())
        });
        const FRAMES: u32 = 300;
        let (mut sent, mut waiting) = (0, 0);
        let producing = std::time::Instant::now();
        for frame in 0..FRAMES {
            let outcome = tx
                .push_latest(pipeline::Tag::default(), &mut |_, bytes| {
                    bytes.copy_from_slice(&frame.to_le_bytes())
                })
                .unwrap();
            match outcome {
                pipeline::Live::Sent => sent += 1,
                pipeline::Live::Waiting => waiting += 1,
                pipeline::Live::Dropped => {}
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        // 300 frames 1 ms apart take about 0.3 s; a producer that waited for the 20 ms stage
        // would need 6 s or more. The bound is loose so a busy machine cannot trip it.
        let producer = producing.elapsed();
        // Let the last waiting frame in, then end the stream.
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while tx.flush_latest().unwrap() == pipeline::Live::Waiting
            && std::time::Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(2));
        }
        let dropped = tx.live_dropped();
        drop(tx);
        // Frames a stage passed on unrun, a newer one waiting behind them, are counted by the
        // receiver (freshness), not by the sender.
        let (got, skipped) = consumer.join().unwrap();
        assert!(
            producer < Duration::from_secs(3),
            "300 live pushes took {producer:?}"
        );
        assert!(
            got.windows(2).all(|w| w[0] < w[1]),
            "frames come out in order: {got:?}"
        );
        assert!(
            dropped > 0 && waiting > 0,
            "the pipeline was slower than the frames: {dropped} dropped"
        );
        assert_eq!(
            got.len() as u64 + dropped + skipped,
            u64::from(FRAMES),
            "every frame is either delivered, counted dropped or counted skipped"
        );
        assert_eq!(
            *got.last().unwrap(),
            FRAMES - 1,
            "the newest frame is the last delivered"
        );
        let _ = sent;
    });
}

#[test]
fn cancel_gives_up_the_requests_in_flight_without_running_them() {
    within(10, "cancel", || {
        let mut stages = add_chain(3, 1);
        stages
            .iter_mut()
            .for_each(|s| s.delay = Duration::from_millis(50));
        let invokes: Vec<_> = stages.iter().map(|s| s.invokes.clone()).collect();
        let (mut tx, mut rx) = pipeline::build(boxed(stages), &config(7)).unwrap();
        for i in 0..7 {
            tx.push(&[&[i]]).unwrap();
        }
        let first = rx.pop().unwrap().expect("a first result");
        assert_eq!(first.tensor(0).1, &[3]);
        drop(first);
        rx.monitor().cancel();
        assert!(rx.pop().unwrap().is_none(), "nothing after a cancel");
        assert!(rx.pop().unwrap().is_none());
        let ran: u64 = invokes.iter().map(|n| n.load(Ordering::SeqCst)).sum();
        assert!(
            ran < 3 * 7,
            "{ran} invokes: the cancelled requests did not all run"
        );
        assert_eq!(rx.cancelled(), 6, "every request is a result or counted");
        assert!(tx.push(&[&[9]]).is_err(), "the stream is closed");
    });
}
