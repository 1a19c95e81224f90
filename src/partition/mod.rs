//! Where to cut: segment bounds as positions in the graph's execution order.
//!
//! Bounds are `N + 1` rising positions from 0 to the op count; segment `i` holds the ops at
//! positions `bounds[i]..bounds[i + 1]`.

pub mod latency;
pub mod measure;

use crate::model::Graph;

/// Why the requested cut cannot be made.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PartitionError {
    /// N is zero.
    #[error("the number of segments must be at least 1")]
    NoSegments,
    /// N is larger than the op count.
    #[error("cannot cut {ops} operator(s) into {segments} segments: each segment needs one")]
    TooManySegments {
        /// Requested segments.
        segments: usize,
        /// Ops in the model.
        ops: usize,
    },
    /// A cut point names nothing in the model.
    #[error(
        "cut point '{0}' is neither an operator index (0..{1}) nor the name of a tensor an \
         operator writes"
    )]
    UnknownCut(String, usize),
    /// A cut point after the last op would leave the last segment empty.
    #[error("cut point '{0}' is after the last operator: the last segment would be empty")]
    CutAtEnd(String),
    /// Two cut points land on one border.
    #[error("cut points '{0}' and '{1}' fall at the same place")]
    DuplicateCut(String, String),
}

/// Balances parameter bytes, as `edgetpu_compiler --num_segments` intends: the segments are
/// made as even as the op granularity allows, in the least-squares sense (smallest sum of
/// squared distances from `total / N`), by an exact dynamic program over the execution order.
/// Least squares rather than "smallest largest segment": when one layer alone is larger than
/// `total / N` (a classifier's fully connected layer), the others still share the rest evenly.
pub fn by_param_bytes(graph: &Graph, segments: usize) -> Result<Vec<usize>, PartitionError> {
    let bytes: Vec<u64> = graph
        .order
        .iter()
        .map(|&op| graph.ops[op].param_bytes)
        .collect();
    by_weights(&bytes, segments)
}

/// [`by_param_bytes`] over the parameter bytes of each op in execution order.
pub fn by_weights(bytes: &[u64], segments: usize) -> Result<Vec<usize>, PartitionError> {
    let ops = bytes.len();
    check_count(segments, ops)?;
    let mut prefix = Vec::with_capacity(ops + 1);
    prefix.push(0u64);
    for &b in bytes {
        let last = prefix[prefix.len() - 1];
        prefix.push(last + b);
    }
    let ideal = prefix[ops] as f64 / segments as f64;
    let cost = |a: usize, b: usize| Some(((prefix[b] - prefix[a]) as f64 - ideal).powi(2));
    Ok(min_cost_bounds(ops, segments, &cost))
}

/// Bounds minimising the summed `cost` of the segments (`None` marks a segment not allowed).
/// Ties go to the earliest cut, so the result is deterministic.
fn min_cost_bounds(
    ops: usize,
    segments: usize,
    cost: &dyn Fn(usize, usize) -> Option<f64>,
) -> Vec<usize> {
    let inf = f64::INFINITY;
    let mut best: Vec<f64> = (0..=ops).map(|j| if j == 0 { 0.0 } else { inf }).collect();
    let mut cut_from: Vec<Vec<usize>> = Vec::with_capacity(segments);
    for k in 1..=segments {
        let mut next = vec![inf; ops + 1];
        let mut from = vec![0usize; ops + 1];
        for j in k..=ops - (segments - k) {
            for (i, &before) in best.iter().enumerate().take(j).skip(k - 1) {
                let Some(c) = cost(i, j) else { continue };
                if before + c < next[j] {
                    next[j] = before + c;
                    from[j] = i;
                }
            }
        }
        best = next;
        cut_from.push(from);
    }
    let mut bounds = vec![ops];
    for from in cut_from.iter().rev() {
        let j = bounds[bounds.len() - 1];
        bounds.push(from[j]);
    }
    bounds.reverse();
    bounds
}

/// Cuts after each named op: a model op index or the name of a tensor an op writes.
pub fn by_cut_points(graph: &Graph, cuts: &[String]) -> Result<Vec<usize>, PartitionError> {
    let ops = graph.order.len();
    let mut position_of = vec![0usize; graph.ops.len()];
    for (pos, &op) in graph.order.iter().enumerate() {
        position_of[op] = pos;
    }
    let mut borders: Vec<(usize, &String)> = Vec::with_capacity(cuts.len());
    for cut in cuts {
        let op = graph
            .find_op(cut.trim())
            .ok_or_else(|| PartitionError::UnknownCut(cut.clone(), ops))?;
        let border = position_of[op] + 1;
        if border == ops {
            return Err(PartitionError::CutAtEnd(cut.clone()));
        }
        borders.push((border, cut));
    }
    borders.sort();
    if let Some(w) = borders.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(PartitionError::DuplicateCut(w[0].1.clone(), w[1].1.clone()));
    }
    let mut bounds = vec![0];
    bounds.extend(borders.iter().map(|b| b.0));
    bounds.push(ops);
    Ok(bounds)
}

fn check_count(segments: usize, ops: usize) -> Result<(), PartitionError> {
    match segments {
        0 => Err(PartitionError::NoSegments),
        n if n > ops => Err(PartitionError::TooManySegments { segments: n, ops }),
        _ => Ok(()),
    }
}

/// Segments suggested so each holds at most ~6 MiB of parameters (the Edge TPU's ~8 MiB
/// SRAM also holds the executable): `ceil(MiB / 6)`, at least 1.
pub fn suggested_segments(param_bytes: u64) -> usize {
    const PER_SEGMENT: u64 = 6 << 20;
    param_bytes.div_ceil(PER_SEGMENT).max(1) as usize
}

/// Estimated on-chip and off-chip parameter bytes of one segment against the 8 MiB cache.
/// An estimate: the compiler's real split depends on the executable's own size.
pub fn cache_estimate(param_bytes: u64) -> (u64, u64) {
    const CACHE: u64 = 8 << 20;
    let on_chip = param_bytes.min(CACHE);
    (on_chip, param_bytes - on_chip)
}
