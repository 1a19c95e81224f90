//! A test engine with known arithmetic, shared by the integration tests, the steady-state
//! tests and the handoff benchmark (each includes this file with `#[path]`; each uses a part).
#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use edgepipe::engine::{Engine, EngineError, TensorSpec};
use edgepipe::model::DType;

/// A stage reading `u8[len]` tensor `from` and writing `u8[len]` tensor `to` = input + `add`
/// (wrapping). It can sleep per invoke and fail on its `fail_on`-th invoke (from 0) or on an
/// input starting with `fail_on_input`.
pub struct AddStage {
    inputs: Vec<TensorSpec>,
    outputs: Vec<TensorSpec>,
    input: Vec<u8>,
    output: Vec<u8>,
    add: u8,
    pub delay: Duration,
    pub fail_on: Option<u64>,
    /// Fails any invoke whose input starts with this byte.
    pub fail_on_input: Option<u8>,
    pub invokes: Arc<AtomicU64>,
}

impl AddStage {
    pub fn new(from: &str, to: &str, len: usize, add: u8) -> AddStage {
        AddStage {
            inputs: vec![TensorSpec::new(from, DType::Uint8, &[1, len])],
            outputs: vec![TensorSpec::new(to, DType::Uint8, &[1, len])],
            input: vec![0; len],
            output: vec![0; len],
            add,
            delay: Duration::ZERO,
            fail_on: None,
            fail_on_input: None,
            invokes: Arc::new(AtomicU64::new(0)),
        }
    }

    pub fn boxed(self) -> Box<dyn Engine> {
        Box::new(self)
    }
}

impl Engine for AddStage {
    fn inputs(&self) -> &[TensorSpec] {
        &self.inputs
    }
    fn outputs(&self) -> &[TensorSpec] {
        &self.outputs
    }
    fn input_mut(&mut self, _: usize) -> &mut [u8] {
        &mut self.input
    }
    fn output(&self, _: usize) -> &[u8] {
        &self.output
    }
    fn invoke(&mut self) -> Result<(), EngineError> {
        let n = self.invokes.fetch_add(1, Ordering::SeqCst);
        if !self.delay.is_zero() {
            std::thread::sleep(self.delay);
        }
        if self.fail_on == Some(n) || self.fail_on_input.is_some_and(|b| self.input[0] == b) {
            return Err(EngineError::Invoke(format!(
                "injected failure on invoke {n}"
            )));
        }
        for (o, i) in self.output.iter_mut().zip(&self.input) {
            *o = i.wrapping_add(self.add);
        }
        Ok(())
    }
}

/// A chain t0 -> t1 -> ... -> tN of `n` AddStages adding 1 each, over `len`-byte tensors.
pub fn add_chain(n: usize, len: usize) -> Vec<AddStage> {
    (0..n)
        .map(|i| AddStage::new(&format!("t{i}"), &format!("t{}", i + 1), len, 1))
        .collect()
}

pub fn boxed(stages: Vec<AddStage>) -> Vec<Box<dyn Engine>> {
    stages.into_iter().map(AddStage::boxed).collect()
}
