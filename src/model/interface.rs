//! The model's interface: the subgraph's inputs and outputs, and the signature defs naming
//! them.
//!
//! The graph has inputs and outputs, each tensor listed once: LiteRT binds one buffer per
//! listed tensor, and of a repeated pair one is never written. A signature names the one
//! subgraph, and its inputs and outputs are that subgraph's own: LiteRT's CompiledModel binds
//! every tensor through a signature, and one naming a tensor that is not a graph input or
//! output, or a subgraph that does not exist, makes it abort the process while preparing
//! (SIGABRT, not an error it returns). These are refused here, before any engine sees the
//! model.

use super::check::{Reason, refuse};
use super::flatbuf::{Buf, Result, Table};
use super::schema_gen::{slot, table as tid};

/// Checks the inputs and outputs of `subgraph` (the one of `model`) and every signature def.
pub fn check(buf: &Buf, model: Table, subgraph: Table) -> Result<()> {
    let inputs = buf.i32s(subgraph, slot::sub_graph::INPUTS)?;
    let outputs = buf.i32s(subgraph, slot::sub_graph::OUTPUTS)?;
    graph_io(&inputs, &outputs)?;
    for (i, def) in buf
        .tables(model, slot::model::SIGNATURE_DEFS)?
        .into_iter()
        .enumerate()
    {
        use slot::signature_def as s;
        let key = buf.string(def, s::SIGNATURE_KEY)?.unwrap_or_default();
        let owner = format!("signature def {i} '{}'", String::from_utf8_lossy(key));
        let index = buf.int(def, s::SUBGRAPH_INDEX, 4, false, 0)?;
        if index != 0 {
            return Err(refuse(
                tid::SIGNATURE_DEF,
                s::SUBGRAPH_INDEX,
                &owner,
                Reason::NoSuchSubgraph(index),
            ));
        }
        maps(buf, def, s::INPUTS, "input", &inputs, &owner)?;
        maps(buf, def, s::OUTPUTS, "output", &outputs, &owner)?;
    }
    Ok(())
}

/// The graph's inputs and outputs: some of each, none listed twice.
fn graph_io(inputs: &[i32], outputs: &[i32]) -> Result<()> {
    for (field, tensors, why) in [
        (
            slot::sub_graph::INPUTS,
            inputs,
            "the subgraph has no inputs: nothing feeds it",
        ),
        (
            slot::sub_graph::OUTPUTS,
            outputs,
            "the subgraph has no outputs: nothing comes out",
        ),
    ] {
        if tensors.is_empty() {
            let reason = Reason::NoGraphTensors(why);
            return Err(refuse(tid::SUB_GRAPH, field, "subgraph 0", reason));
        }
        // LiteRT binds one buffer per listed tensor, and one of a repeated pair is never
        // written (seed 99's case 4866: the chain "differed" from the whole model).
        for (second, t) in tensors.iter().enumerate() {
            if let Some(first) = tensors[..second].iter().position(|u| u == t) {
                let reason = Reason::Repeated {
                    tensor: *t,
                    first,
                    second,
                };
                return Err(refuse(tid::SUB_GRAPH, field, "subgraph 0", reason));
            }
        }
    }
    Ok(())
}

/// One side of a signature: each tensor it names is one of `graph` (the subgraph's inputs or
/// outputs, as `role` says).
fn maps(
    buf: &Buf,
    def: Table,
    field: usize,
    role: &'static str,
    graph: &[i32],
    owner: &str,
) -> Result<()> {
    for (j, map) in buf.tables(def, field)?.into_iter().enumerate() {
        let tensor = buf.int(map, slot::tensor_map::TENSOR_INDEX, 4, false, 0)?;
        if !graph.iter().any(|&t| i64::from(t) == tensor) {
            let name = buf.string(map, slot::tensor_map::NAME)?.unwrap_or_default();
            let owner = format!("{owner} {role} {j} '{}'", String::from_utf8_lossy(name));
            return Err(refuse(
                tid::TENSOR_MAP,
                slot::tensor_map::TENSOR_INDEX,
                &owner,
                Reason::NotAGraphTensor { tensor, role },
            ));
        }
    }
    Ok(())
}
