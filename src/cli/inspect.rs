//! `edgepipe inspect`.

use std::path::Path;

use anyhow::Result;
use serde::Serialize;

use edgepipe::model::{Graph, Model, Signature, Tensor};
use edgepipe::partition;

use super::human_bytes;

#[derive(Serialize)]
struct OpRow<'a> {
    position: usize,
    index: usize,
    kind: &'a str,
    version: i32,
    inputs: Vec<Option<usize>>,
    outputs: &'a [usize],
    param_bytes: u64,
}

#[derive(Serialize)]
struct CacheRow {
    segment: usize,
    param_bytes: u64,
    on_chip_bytes: u64,
    off_chip_bytes: u64,
}

#[derive(Serialize)]
struct Report<'a> {
    path: &'a Path,
    file_bytes: usize,
    param_bytes: u64,
    inputs: Vec<(usize, &'a Tensor)>,
    outputs: Vec<(usize, &'a Tensor)>,
    custom_ops: Vec<String>,
    edgetpu_compiled: bool,
    suggested_segments: usize,
    cache_estimate_segments: usize,
    cache_estimate: Vec<CacheRow>,
    cache_estimate_note: &'static str,
    signatures: &'a [Signature],
    metadata: &'a [String],
    operators: Vec<OpRow<'a>>,
    tensors: &'a [Tensor],
}

const CACHE_NOTE: &str = "estimate: assumes 8 MiB of Edge TPU SRAM per segment for parameters; \
     the compiler's real split also depends on the executable's size";

pub fn run(path: &Path, num_segments: Option<usize>, json: bool) -> Result<()> {
    let model = Model::open(path)?;
    let g = &model.graph;
    let suggested = partition::suggested_segments(g.param_bytes());
    let n = num_segments.unwrap_or(suggested);
    let cache_estimate = cache_rows(g, n)?;
    let report = Report {
        path,
        file_bytes: model.file_bytes,
        param_bytes: g.param_bytes(),
        inputs: g.inputs.iter().map(|&t| (t, &g.tensors[t])).collect(),
        outputs: g.outputs.iter().map(|&t| (t, &g.tensors[t])).collect(),
        custom_ops: g.custom_op_names(),
        edgetpu_compiled: g.edgetpu_ops().next().is_some(),
        suggested_segments: suggested,
        cache_estimate_segments: n,
        cache_estimate,
        cache_estimate_note: CACHE_NOTE,
        signatures: &model.signatures,
        metadata: &model.metadata,
        operators: g
            .order
            .iter()
            .enumerate()
            .map(|(position, &index)| {
                let op = &g.ops[index];
                OpRow {
                    position,
                    index,
                    kind: &op.kind,
                    version: op.version,
                    inputs: op.inputs.clone(),
                    outputs: &op.outputs,
                    param_bytes: op.param_bytes,
                }
            })
            .collect(),
        tensors: &g.tensors,
    };
    if json {
        super::emit(&(serde_json::to_string_pretty(&report)? + "\n"))?;
    } else {
        super::emit(&render_text(&report, g))?;
    }
    Ok(())
}

fn cache_rows(g: &Graph, n: usize) -> Result<Vec<CacheRow>> {
    if g.edgetpu_ops().next().is_some() {
        return Ok(Vec::new());
    }
    let bounds = partition::by_param_bytes(g, n)?;
    Ok(bounds
        .windows(2)
        .enumerate()
        .map(|(segment, w)| {
            let param_bytes = g.param_bytes_of(&g.order[w[0]..w[1]]);
            let (on_chip_bytes, off_chip_bytes) = partition::cache_estimate(param_bytes);
            CacheRow {
                segment,
                param_bytes,
                on_chip_bytes,
                off_chip_bytes,
            }
        })
        .collect())
}

fn describe(t: &Tensor) -> String {
    let q = t.quantization.as_ref().map_or(String::new(), |q| {
        match (q.scale.as_slice(), q.zero_point.as_slice()) {
            ([s], [z]) => format!(" q(scale {s}, zero point {z})"),
            (s, _) => format!(" q(per-channel x{} on dim {})", s.len(), q.dimension),
        }
    });
    format!("'{}' {} {:?}{}", t.name, t.dtype, t.shape, q)
}

fn render_text(r: &Report, g: &Graph) -> String {
    let mut out = String::new();
    outln!(out, "model: {} ({} bytes)", r.path.display(), r.file_bytes);
    outln!(
        out,
        "operators: {}, tensors: {}, parameters: {} ({} bytes)",
        g.ops.len(),
        g.tensors.len(),
        human_bytes(r.param_bytes),
        r.param_bytes
    );
    for (t, tensor) in &r.inputs {
        outln!(out, "input  {t}: {}", describe(tensor));
    }
    for (t, tensor) in &r.outputs {
        outln!(out, "output {t}: {}", describe(tensor));
    }
    match (r.custom_ops.is_empty(), r.edgetpu_compiled) {
        (true, _) => outln!(out, "custom ops: none"),
        (false, false) => outln!(out, "custom ops: {}", r.custom_ops.join(", ")),
        (false, true) => outln!(
            out,
            "custom ops: {} -- compiled for the Edge TPU: it cannot be segmented; segment the CPU \
             model, then compile each segment",
            r.custom_ops.join(", ")
        ),
    }
    for sig in r.signatures {
        let names = |io: &[(String, usize)]| {
            io.iter()
                .map(|(n, t)| format!("{n}={t}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        outln!(
            out,
            "signature '{}': inputs [{}] outputs [{}]",
            sig.key,
            names(&sig.inputs),
            names(&sig.outputs)
        );
    }
    if !r.metadata.is_empty() {
        outln!(out, "metadata: {}", r.metadata.join(", "));
    }
    outln!(
        out,
        "Edge TPU: suggested segments {} (ceil(parameters / 6 MiB))",
        r.suggested_segments
    );
    if !r.cache_estimate.is_empty() {
        outln!(
            out,
            "cache use for {} parameter-balanced segment(s), {}:",
            r.cache_estimate_segments,
            r.cache_estimate_note
        );
        outln!(
            out,
            "  {:>7} {:>12} {:>12} {:>12}",
            "segment",
            "parameters",
            "on-chip",
            "off-chip"
        );
        for c in &r.cache_estimate {
            outln!(
                out,
                "  {:>7} {:>12} {:>12} {:>12}",
                c.segment,
                human_bytes(c.param_bytes),
                human_bytes(c.on_chip_bytes),
                human_bytes(c.off_chip_bytes)
            );
        }
    }
    outln!(
        out,
        "operators in execution order (position, model index, op, params, inputs -> outputs):"
    );
    for op in &r.operators {
        let ins: Vec<String> = op
            .inputs
            .iter()
            .map(|t| t.map_or("-".into(), |t| t.to_string()))
            .collect();
        outln!(
            out,
            "  {:>4} {:>4} {:<24} v{} {:>10}  [{}] -> {:?}",
            op.position,
            op.index,
            op.kind,
            op.version,
            human_bytes(op.param_bytes),
            ins.join(", "),
            op.outputs
        );
    }
    outln!(
        out,
        "tensors (index, name, type, shape, quantization, constant bytes):"
    );
    for (i, t) in r.tensors.iter().enumerate() {
        outln!(
            out,
            "  {:>4} {} {}",
            i,
            describe(t),
            if t.is_constant() {
                t.const_bytes.to_string()
            } else {
                "-".into()
            }
        );
    }
    out
}
