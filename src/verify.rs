//! Checking that a chain of segments computes exactly what the whole model computes.
//!
//! The whole model and the segments run on the same inputs; tensors pass between segments by
//! name, as the pipeline passes them. Every graph output must match byte for byte.

use std::collections::HashMap;

use serde::Serialize;

use crate::engine::{Engine, EngineError, TensorSpec};
use crate::model::DType;

/// Why a chain could not be run.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// A segment needs a tensor nothing before it provides.
    #[error(
        "segment {segment} needs tensor '{tensor}', which no earlier segment or graph input provides"
    )]
    Unrouted {
        /// Segment index.
        segment: usize,
        /// Tensor name.
        tensor: String,
    },
    /// A tensor arrives with the wrong size.
    #[error("segment {segment} expects {expected} bytes for tensor '{tensor}' but gets {got}")]
    SizeMismatch {
        /// Segment index.
        segment: usize,
        /// Tensor name.
        tensor: String,
        /// Bytes the segment expects.
        expected: usize,
        /// Bytes provided.
        got: usize,
    },
    /// A graph output comes out of no segment.
    #[error("graph output '{0}' is produced by no segment")]
    MissingOutput(String),
    /// The whole model failed to run.
    #[error("the whole model: {0}")]
    Whole(EngineError),
    /// A segment failed to run.
    #[error("segment {segment}: {cause}")]
    Engine {
        /// Segment index.
        segment: usize,
        /// What the engine said.
        cause: EngineError,
    },
}

/// The first difference found between the whole model and the chain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mismatch {
    /// Which request (0-based).
    pub request: usize,
    /// Graph output name.
    pub output: String,
    /// Element index of the first difference.
    pub element: usize,
    /// Byte offset of the first difference.
    pub byte: usize,
    /// Differing elements in that output.
    pub differing_bytes: usize,
}

/// Runs `model` on `inputs` (one byte vector per model input) and returns its outputs by name.
pub fn run_whole<W: Engine + ?Sized>(
    model: &mut W,
    inputs: &[Vec<u8>],
) -> Result<Vec<(String, Vec<u8>)>, EngineError> {
    for (i, data) in inputs.iter().enumerate() {
        model.input_mut(i).copy_from_slice(data);
    }
    model.invoke()?;
    Ok(model
        .outputs()
        .iter()
        .enumerate()
        .map(|(i, spec)| (spec.name.clone(), model.output(i).to_vec()))
        .collect())
}

/// Runs the segments one after another, routing tensors by name; `inputs` are the graph
/// inputs by name. Returns every tensor that any segment produced, by name.
pub fn run_chain<S: Engine>(
    segments: &mut [S],
    inputs: &[(String, Vec<u8>)],
) -> Result<HashMap<String, Vec<u8>>, ChainError> {
    let mut tensors: HashMap<String, Vec<u8>> = inputs.iter().cloned().collect();
    for (s, seg) in segments.iter_mut().enumerate() {
        for i in 0..seg.inputs().len() {
            let spec = &seg.inputs()[i];
            let data = tensors
                .get(&spec.name)
                .ok_or_else(|| ChainError::Unrouted {
                    segment: s,
                    tensor: spec.name.clone(),
                })?;
            if data.len() != spec.bytes {
                return Err(ChainError::SizeMismatch {
                    segment: s,
                    tensor: spec.name.clone(),
                    expected: spec.bytes,
                    got: data.len(),
                });
            }
            seg.input_mut(i).copy_from_slice(data);
        }
        seg.invoke()
            .map_err(|cause| ChainError::Engine { segment: s, cause })?;
        for (i, spec) in seg.outputs().iter().enumerate() {
            tensors.insert(spec.name.clone(), seg.output(i).to_vec());
        }
    }
    Ok(tensors)
}

/// Compares the whole model's outputs with the chain's; `None` when every byte matches.
pub fn compare(
    request: usize,
    whole: &[(String, Vec<u8>)],
    whole_specs: &[TensorSpec],
    chain: &HashMap<String, Vec<u8>>,
) -> Result<Option<Mismatch>, ChainError> {
    for ((name, expected), spec) in whole.iter().zip(whole_specs) {
        let got = chain
            .get(name)
            .ok_or_else(|| ChainError::MissingOutput(name.clone()))?;
        let differing = expected
            .iter()
            .zip(got.iter())
            .filter(|(a, b)| a != b)
            .count()
            + expected.len().abs_diff(got.len());
        if differing > 0 {
            let byte = expected
                .iter()
                .zip(got.iter())
                .position(|(a, b)| a != b)
                .unwrap_or(expected.len().min(got.len()));
            return Ok(Some(Mismatch {
                request,
                output: name.clone(),
                element: byte / spec.dtype.size(),
                byte,
                differing_bytes: differing,
            }));
        }
    }
    Ok(None)
}

/// Runs every request through the whole model and through the chain of segments; returns the
/// first mismatch, or `None` when all outputs of all requests are equal byte for byte.
/// Requests are taken one at a time: a lazy iterator keeps one request in memory however many
/// are run (`verify -k 100000`).
pub fn check<W: Engine + ?Sized, S: Engine, R: AsRef<[Vec<u8>]>>(
    whole: &mut W,
    segments: &mut [S],
    requests: impl IntoIterator<Item = R>,
) -> Result<Option<Mismatch>, ChainError> {
    for (r, inputs) in requests.into_iter().enumerate() {
        let inputs = inputs.as_ref();
        let expected = run_whole(whole, inputs).map_err(ChainError::Whole)?;
        let named: Vec<(String, Vec<u8>)> = whole
            .inputs()
            .iter()
            .map(|s| s.name.clone())
            .zip(inputs.iter().cloned())
            .collect();
        let got = run_chain(segments, &named)?;
        if let Some(m) = compare(r, &expected, whole.outputs(), &got)? {
            return Ok(Some(m));
        }
    }
    Ok(None)
}

/// A small deterministic generator (SplitMix64), so random inputs are reproducible by seed.
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// Starts the sequence at `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Fills `buf` with random values of `dtype`: any bit pattern for integers, values in
    /// [-1, 1) for floats (random float bits would be mostly NaN and huge numbers).
    pub fn fill(&mut self, dtype: DType, buf: &mut [u8]) {
        match dtype {
            DType::Float32 => {
                for chunk in buf.chunks_exact_mut(4) {
                    let v = (self.next_u64() >> 40) as f32 / (1u64 << 23) as f32 - 1.0;
                    chunk.copy_from_slice(&v.to_le_bytes());
                }
            }
            _ => {
                for chunk in buf.chunks_mut(8) {
                    let bits = self.next_u64().to_le_bytes();
                    chunk.copy_from_slice(&bits[..chunk.len()]);
                }
            }
        }
    }
}

/// Random inputs for every input of `specs`.
pub fn random_inputs(specs: &[TensorSpec], rng: &mut SplitMix64) -> Vec<Vec<u8>> {
    specs
        .iter()
        .map(|spec| {
            let mut buf = vec![0u8; spec.bytes];
            rng.fill(spec.dtype, &mut buf);
            buf
        })
        .collect()
}
