//! Routing: resolves tensor names to slot positions once, at build time, and checks that the
//! segments form a chain (each tensor written once, read only after it is written, with the
//! type and size its reader expects).

use std::collections::HashMap;

use super::error::BuildError;
use crate::engine::{Engine, TensorSpec};

/// Where each segment finds its tensors in a slot.
pub(super) struct Routes {
    /// Byte size of each slot tensor.
    pub(super) sizes: Vec<usize>,
    /// Slot tensor of each pipeline input.
    pub(super) inputs: Vec<usize>,
    /// Slot tensor of each pipeline output.
    pub(super) outputs: Vec<usize>,
    /// Per segment: slot tensor of each of its inputs, and of each of its outputs.
    pub(super) stages: Vec<(Vec<usize>, Vec<usize>)>,
    pub(super) input_specs: Vec<TensorSpec>,
    pub(super) output_specs: Vec<TensorSpec>,
}

fn describe(spec: &TensorSpec) -> String {
    format!("{} {:?} ({} bytes)", spec.dtype, spec.shape, spec.bytes)
}

/// Checks that segments with these (inputs, outputs) form a chain, as [`super::build`]
/// does, without building anything; returns the pipeline's inputs and outputs. For checks
/// made before the segments' devices are opened.
pub fn check_chain(
    segments: &[(&[TensorSpec], &[TensorSpec])],
) -> Result<(Vec<TensorSpec>, Vec<TensorSpec>), BuildError> {
    if segments.is_empty() {
        return Err(BuildError::NoSegments);
    }
    let routes = route(segments)?;
    Ok((routes.input_specs, routes.output_specs))
}

/// Each stage's (inputs, outputs), as [`route`] takes them: its first replica's (the
/// replicas are checked to agree).
pub(super) fn io_of(stages: &[Vec<Box<dyn Engine>>]) -> Vec<(&[TensorSpec], &[TensorSpec])> {
    stages
        .iter()
        .map(|r| (r[0].inputs(), r[0].outputs()))
        .collect()
}

/// Resolves tensor names to slot positions once, checking that the segments form a chain.
pub(super) fn route(engines: &[(&[TensorSpec], &[TensorSpec])]) -> Result<Routes, BuildError> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut writer: Vec<Option<usize>> = Vec::new();
    let mut specs: Vec<&TensorSpec> = Vec::new();
    let mut read_later = Vec::new();
    let mut stages = Vec::with_capacity(engines.len());
    for (s, engine) in engines.iter().enumerate() {
        let mut ins = Vec::new();
        for spec in engine.0 {
            let t = match index.get(spec.name.as_str()) {
                Some(&t) => t,
                None => {
                    if let Some(w) = (s + 1..engines.len())
                        .find(|&w| engines[w].1.iter().any(|o| o.name == spec.name))
                    {
                        return Err(BuildError::OutOfOrder {
                            segment: s,
                            tensor: spec.name.clone(),
                            writer: w,
                        });
                    }
                    index.insert(&spec.name, specs.len());
                    writer.push(None);
                    read_later.push(false);
                    specs.push(spec);
                    specs.len() - 1
                }
            };
            let arriving = specs[t];
            if arriving.dtype != spec.dtype || arriving.bytes != spec.bytes {
                return Err(BuildError::Mismatch {
                    segment: s,
                    tensor: spec.name.clone(),
                    expected: describe(spec),
                    got: describe(arriving),
                });
            }
            if writer[t].is_some() {
                read_later[t] = true;
            }
            ins.push(t);
        }
        let mut outs = Vec::new();
        for spec in engine.1 {
            if let Some(&t) = index.get(spec.name.as_str()) {
                return Err(match writer[t] {
                    Some(first) => BuildError::WrittenTwice {
                        first,
                        second: s,
                        tensor: spec.name.clone(),
                    },
                    None => BuildError::OutOfOrder {
                        segment: s,
                        tensor: spec.name.clone(),
                        writer: s,
                    },
                });
            }
            index.insert(&spec.name, specs.len());
            writer.push(Some(s));
            read_later.push(false);
            specs.push(spec);
            outs.push(specs.len() - 1);
        }
        stages.push((ins, outs));
    }
    let inputs: Vec<usize> = (0..specs.len()).filter(|&t| writer[t].is_none()).collect();
    // Pipeline outputs: everything written that no later segment reads, in segment order.
    let outputs: Vec<usize> = (0..specs.len())
        .filter(|&t| writer[t].is_some() && !read_later[t])
        .collect();
    Ok(Routes {
        sizes: specs.iter().map(|s| s.bytes).collect(),
        input_specs: inputs.iter().map(|&t| specs[t].clone()).collect(),
        output_specs: outputs.iter().map(|&t| specs[t].clone()).collect(),
        inputs,
        outputs,
        stages,
    })
}
