//! The signature defs' rules: a signature names the one subgraph, and its inputs and outputs
//! are that subgraph's own inputs and outputs.
//!
//! LiteRT's CompiledModel binds every tensor through a signature, and a signature naming a
//! tensor that is not a graph input or output, or a subgraph that does not exist, makes it
//! abort the process while preparing (SIGABRT, not an error it returns). These are refused
//! here, before any engine sees the model.

use super::check::{Reason, refuse};
use super::flatbuf::{Buf, Result, Table};
use super::schema_gen::{slot, table as tid};

/// Checks every signature def of `model`, whose one subgraph is `subgraph`.
pub fn check(buf: &Buf, model: Table, subgraph: Table) -> Result<()> {
    let inputs = buf.i32s(subgraph, slot::sub_graph::INPUTS)?;
    let outputs = buf.i32s(subgraph, slot::sub_graph::OUTPUTS)?;
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
