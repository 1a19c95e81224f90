//! The proof's last two parts: the segment's metadata (every entry carried, each buffer's bytes
//! equal) and its signature def (one, naming exactly the segment's own inputs and outputs).

use super::{Proof, R};
use crate::model::flatbuf::{Buf, Table};
use crate::model::schema_gen::{slot, table as tid};

pub(super) fn metadata(p: &Proof, sm: Table, om: Table) -> R<()> {
    use slot::model as m;
    macro_rules! rd {
        ($s:expr, $r:expr) => {
            p.read(tid::MODEL, $s, "model", $r)
        };
    }
    let (sbufs, obufs) = (
        rd!(m::BUFFERS, p.src.tables(sm, m::BUFFERS))?,
        rd!(m::BUFFERS, p.out.tables(om, m::BUFFERS))?,
    );
    let buffer = |all: &[Table], i: i64, owner: &str| {
        usize::try_from(i)
            .ok()
            .and_then(|i| all.get(i).copied())
            .ok_or_else(|| {
                p.fail(
                    tid::METADATA,
                    slot::metadata::BUFFER,
                    owner,
                    format!("buffer {i} does not exist"),
                )
            })
    };
    let (x, y) = (
        rd!(m::METADATA, p.src.tables(sm, m::METADATA))?,
        rd!(m::METADATA, p.out.tables(om, m::METADATA))?,
    );
    if x.len() != y.len() {
        return Err(p.fail(
            tid::MODEL,
            m::METADATA,
            "model",
            format!(
                "{} entries in the source, {} in the segment",
                x.len(),
                y.len()
            ),
        ));
    }
    for (i, (a, b)) in x.into_iter().zip(y).enumerate() {
        let owner = format!("metadata {i}");
        p.table(a, b, tid::METADATA, &[slot::metadata::BUFFER], &owner)?;
        let bi = |buf: &Buf, t| {
            p.read(
                tid::METADATA,
                slot::metadata::BUFFER,
                &owner,
                buf.int(t, slot::metadata::BUFFER, 4, false, 0),
            )
        };
        p.table(
            buffer(&sbufs, bi(&p.src, a)?, &owner)?,
            buffer(&obufs, bi(&p.out, b)?, &owner)?,
            tid::BUFFER,
            &[],
            &owner,
        )?;
    }
    let (x, y) = (
        rd!(m::METADATA_BUFFER, p.src.i32s(sm, m::METADATA_BUFFER))?,
        rd!(m::METADATA_BUFFER, p.out.i32s(om, m::METADATA_BUFFER))?,
    );
    if x.len() != y.len() {
        return Err(p.fail(
            tid::MODEL,
            m::METADATA_BUFFER,
            "model",
            "a different number of buffers",
        ));
    }
    for (a, b) in x.into_iter().zip(y) {
        p.table(
            buffer(&sbufs, a as i64, "model")?,
            buffer(&obufs, b as i64, "model")?,
            tid::BUFFER,
            &[],
            "model metadata_buffer",
        )?;
    }
    Ok(())
}

/// The segment has one signature def, naming exactly its own inputs and outputs.
pub(super) fn signature(p: &Proof, om: Table, osg: Table) -> R<()> {
    use slot::signature_def as s;
    let owner = "signature def 0";
    macro_rules! rd {
        ($id:expr, $sl:expr, $r:expr) => {
            p.read($id, $sl, owner, $r)
        };
    }
    let defs = rd!(
        tid::MODEL,
        slot::model::SIGNATURE_DEFS,
        p.out.tables(om, slot::model::SIGNATURE_DEFS)
    )?;
    let [def] = defs.as_slice() else {
        return Err(p.fail(
            tid::MODEL,
            slot::model::SIGNATURE_DEFS,
            "model",
            format!("{} signature defs, not 1", defs.len()),
        ));
    };
    if rd!(
        tid::SIGNATURE_DEF,
        s::SUBGRAPH_INDEX,
        p.out.int(*def, s::SUBGRAPH_INDEX, 4, false, 0)
    )? != 0
    {
        return Err(p.fail(
            tid::SIGNATURE_DEF,
            s::SUBGRAPH_INDEX,
            owner,
            "not subgraph 0",
        ));
    }
    for (sl, io) in [
        (s::INPUTS, slot::sub_graph::INPUTS),
        (s::OUTPUTS, slot::sub_graph::OUTPUTS),
    ] {
        let want = rd!(tid::SUB_GRAPH, io, p.out.i32s(osg, io))?;
        let maps = rd!(tid::SIGNATURE_DEF, sl, p.out.tables(*def, sl))?;
        let mut got = Vec::new();
        for t in maps {
            let name = rd!(
                tid::TENSOR_MAP,
                slot::tensor_map::NAME,
                p.out.string(t, slot::tensor_map::NAME)
            )?;
            if name.is_none_or(|n| n.is_empty()) {
                return Err(p.fail(
                    tid::TENSOR_MAP,
                    slot::tensor_map::NAME,
                    owner,
                    "a tensor without a name",
                ));
            }
            got.push(rd!(
                tid::TENSOR_MAP,
                slot::tensor_map::TENSOR_INDEX,
                p.out.int(t, slot::tensor_map::TENSOR_INDEX, 4, false, 0)
            )? as i32);
        }
        if got != want {
            return Err(p.fail(
                tid::SIGNATURE_DEF,
                sl,
                owner,
                format!("names tensors {got:?}, the subgraph's are {want:?}"),
            ));
        }
    }
    Ok(())
}
