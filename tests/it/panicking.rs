//! A panicking engine (issue 16): its panic is caught at the stage boundary and becomes a
//! `StageFailed` for that request, like any other failure. The results before it are
//! delivered in order, the producer's next push gets the failure instead of blocking, and
//! every thread ends (the test would hang, and `within` fail, if a slot were lost).

use edgepipe::engine::{Engine, EngineError, TensorSpec};
use edgepipe::pipeline::{self, PipelineConfig, PopError, PushError};

use crate::fakes::{AddStage, add_chain, boxed, within};

/// An engine that panics on its `on`-th invoke (from 0), as a buggy engine or a slice of the
/// wrong length would; otherwise adds one.
struct Panicking {
    inner: AddStage,
    on: u64,
    invokes: u64,
}

impl Engine for Panicking {
    fn inputs(&self) -> &[TensorSpec] {
        self.inner.inputs()
    }
    fn outputs(&self) -> &[TensorSpec] {
        self.inner.outputs()
    }
    fn input_mut(&mut self, i: usize) -> &mut [u8] {
        self.inner.input_mut(i)
    }
    fn output(&self, i: usize) -> &[u8] {
        self.inner.output(i)
    }
    fn invoke(&mut self) -> Result<(), EngineError> {
        self.invokes += 1;
        if self.invokes - 1 == self.on {
            panic!("engine bug on invoke {}", self.on);
        }
        self.inner.invoke()
    }
}

/// A panicking engine in the middle of three, with the pipeline full on both ends.
#[test]
fn a_panicking_engine_becomes_a_stage_failure() {
    within(60, "a panicking engine", || {
        let mut stages = boxed(add_chain(3, 2));
        stages[1] = Box::new(Panicking {
            inner: AddStage::new("t1", "t2", 2, 1),
            on: 4,
            invokes: 0,
        });
        let config = PipelineConfig { capacity: Some(3) };
        let (mut tx, mut rx) = pipeline::build(stages, &config).unwrap();
        let producer = std::thread::spawn(move || {
            let mut accepted = 0u64;
            loop {
                match tx.push(&[&[accepted as u8, 0]]) {
                    Ok(()) => accepted += 1,
                    Err(e) => break (accepted, e),
                }
                assert!(accepted < 1000, "pushes never failed");
            }
        });
        let mut got = Vec::new();
        let failure = loop {
            match rx.pop() {
                Ok(Some(out)) => got.push(out.tensor(0).1[0]),
                Ok(None) => panic!("end of stream before the failure"),
                Err(PopError::StageFailed(f)) => break f,
            }
        };
        assert_eq!(got, [3, 4, 5, 6], "the results before the panic, in order");
        assert_eq!((failure.segment, failure.request), (1, 4));
        assert!(
            failure.message.contains("panicked")
                && failure.message.contains("engine bug on invoke 4"),
            "{failure}"
        );
        assert!(rx.pop().unwrap().is_none(), "after the failure, the end");
        let (accepted, err) = producer.join().unwrap();
        assert_eq!(err, PushError::Failed(failure), "the next push reports it");
        assert!(
            accepted > 4,
            "requests after the panic were accepted before it"
        );
        drop(rx);
    });
}

/// Two replicas of one stage, each panicking on its first invoke (whichever takes request 0
/// panics on it): the failure is request 0's, named with its replica, nothing is delivered,
/// and the stream still ends though seven more requests were queued.
#[test]
fn a_panicking_replica_becomes_a_stage_failure() {
    within(60, "a panicking replica", || {
        let replica = || -> Box<dyn Engine> {
            Box::new(Panicking {
                inner: AddStage::new("t0", "t1", 1, 1),
                on: 0,
                invokes: 0,
            })
        };
        let config = PipelineConfig { capacity: Some(8) };
        let stages = vec![vec![replica(), replica()]];
        let (mut tx, mut rx) = pipeline::build_replicated(stages, &config).unwrap();
        for i in 0..8u8 {
            tx.push(&[&[i]]).unwrap();
        }
        drop(tx);
        let failure = match rx.pop() {
            Err(PopError::StageFailed(f)) => f,
            Ok(Some(out)) => panic!("request {} delivered before the failure", out.request()),
            Ok(None) => panic!("end of stream before the failure"),
        };
        assert_eq!((failure.segment, failure.request), (0, 0));
        assert!(failure.replica.is_some(), "{failure}");
        assert!(
            failure.message.contains("engine bug on invoke 0"),
            "{failure}"
        );
        assert!(rx.pop().unwrap().is_none(), "after the failure, the end");
    });
}
