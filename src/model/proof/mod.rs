//! The proof that a written segment carries its source: an independent walk that re-reads the
//! segment's bytes, finds which source tensor, operator, opcode and buffer each of its tables
//! stands for (from the segment's own index fields), and compares every slot of every copied
//! table with the source, schema defaults applied (an absent scalar is its default, an absent
//! vector or string is empty). Only the index fields the segmenter owns may differ, and those
//! must map back consistently.

use std::collections::HashMap;

use super::ModelErrorKind;
use super::check::{self, effective_code};
use super::flatbuf::{Buf, Table};
use super::schema::{self, Kind, TableId};
use super::schema_gen::{slot, table as tid};
use super::segment::SegmentPlan;

mod meta;
use meta::{metadata, signature};

/// A written segment that does not carry its source.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "segment {segment}: {owner}: {table}.{field} differs from the source: {what} (a bug in the segment writer; nothing was written)"
)]
pub struct ProofError {
    /// The segment.
    pub segment: usize,
    /// The table.
    pub table: &'static str,
    /// The field.
    pub field: String,
    /// Which table: `operator 3 (CONV_2D)`, `tensor 7 'x'`, ...
    pub owner: String,
    /// What differs.
    pub what: String,
}

struct Proof<'a> {
    src: Buf<'a>,
    out: Buf<'a>,
    segment: usize,
}

type R<T> = Result<T, ProofError>;

impl Proof<'_> {
    fn fail(&self, id: TableId, s: usize, owner: &str, what: impl Into<String>) -> ProofError {
        let desc = schema::table(id);
        ProofError {
            segment: self.segment,
            table: desc.name,
            field: desc
                .fields
                .get(s)
                .map_or_else(|| format!("slot {s}"), |f| f.name.into()),
            owner: owner.to_string(),
            what: what.into(),
        }
    }

    fn read<T>(&self, id: TableId, s: usize, owner: &str, r: Result<T, ModelErrorKind>) -> R<T> {
        r.map_err(|e| self.fail(id, s, owner, format!("unreadable: {e}")))
    }

    /// Compares every slot of `a` (source) and `b` (segment) except `skip`.
    fn table(&self, a: Table, b: Table, id: TableId, skip: &[usize], owner: &str) -> R<()> {
        for (s, f) in schema::table(id).fields.iter().enumerate() {
            if !skip.contains(&s) {
                self.field(a, b, id, s, f.kind, f.default, owner)?;
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn field(
        &self,
        a: Table,
        b: Table,
        id: TableId,
        s: usize,
        kind: Kind,
        default: u64,
        owner: &str,
    ) -> R<()> {
        let (src, out) = (&self.src, &self.out);
        macro_rules! rd {
            ($r:expr) => {
                self.read(id, s, owner, $r)
            };
        }
        match kind {
            Kind::Scalar(_) | Kind::UnionTag(_) => {
                let size = match kind {
                    Kind::Scalar(sc) => sc.size(),
                    _ => 1,
                };
                let dflt = default.to_le_bytes();
                let x = rd!(src.scalar(a, s, size))?.unwrap_or(&dflt[..size]);
                let y = rd!(out.scalar(b, s, size))?.unwrap_or(&dflt[..size]);
                if x != y {
                    return Err(self.fail(
                        id,
                        s,
                        owner,
                        format!("{x:?} in the source, {y:?} in the segment"),
                    ));
                }
            }
            Kind::String | Kind::VecScalar(_) => {
                let size = match kind {
                    Kind::VecScalar(sc) => sc.size(),
                    _ => 1,
                };
                let x = rd!(src.vector_bytes(a, s, size))?;
                let y = rd!(out.vector_bytes(b, s, size))?;
                if x != y {
                    return Err(self.fail(
                        id,
                        s,
                        owner,
                        format!(
                            "{} bytes in the source, {} in the segment, not equal",
                            x.len(),
                            y.len()
                        ),
                    ));
                }
            }
            Kind::VecString => {
                if rd!(src.strings(a, s))? != rd!(out.strings(b, s))? {
                    return Err(self.fail(id, s, owner, "the strings differ"));
                }
            }
            Kind::Table(child) => match (rd!(src.sub_table(a, s))?, rd!(out.sub_table(b, s))?) {
                (None, None) => {}
                (Some(x), Some(y)) => self.table(x, y, child, &[], owner)?,
                (x, _) => {
                    return Err(self.fail(
                        id,
                        s,
                        owner,
                        format!(
                            "present in the {} only",
                            if x.is_some() { "source" } else { "segment" }
                        ),
                    ));
                }
            },
            Kind::VecTable(child) => {
                let (x, y) = (rd!(src.tables(a, s))?, rd!(out.tables(b, s))?);
                if x.len() != y.len() {
                    return Err(self.fail(
                        id,
                        s,
                        owner,
                        format!(
                            "{} tables in the source, {} in the segment",
                            x.len(),
                            y.len()
                        ),
                    ));
                }
                for (x, y) in x.into_iter().zip(y) {
                    self.table(x, y, child, &[], owner)?;
                }
            }
            Kind::UnionValue { union, tag } => {
                let t = rd!(src.int(a, tag, 1, false, 0))? as u8;
                match (
                    rd!(src.sub_table(a, s))?,
                    rd!(out.sub_table(b, s))?,
                    schema::member(union, t),
                ) {
                    (None, None, _) => {}
                    (Some(x), Some(y), Some((_, member))) => {
                        self.table(x, y, member, &[], owner)?
                    }
                    _ => {
                        return Err(self.fail(
                            id,
                            s,
                            owner,
                            "the union value is missing on one side",
                        ));
                    }
                }
            }
            Kind::Deprecated => {
                if rd!(src.slot_offset(a, s))? != 0 || rd!(out.slot_offset(b, s))? != 0 {
                    return Err(self.fail(id, s, owner, "a deprecated slot is set"));
                }
            }
        }
        Ok(())
    }
}

/// Records that segment index `k` stands for source index `s`; a second, different `s` is a
/// mismatch.
fn bind(map: &mut HashMap<usize, usize>, k: usize, s: usize) -> bool {
    *map.entry(k).or_insert(s) == s
}

/// Proves that `written` (segment `plan.index`) carries what it takes from `source`.
pub fn prove(source: &[u8], plan: &SegmentPlan, written: &[u8]) -> Result<(), ProofError> {
    let p = Proof {
        src: Buf(source),
        out: Buf(written),
        segment: plan.index,
    };
    let whole = |what: String| ProofError {
        segment: plan.index,
        table: "Model",
        field: "-".into(),
        owner: "model".into(),
        what,
    };
    check::check(written)
        .map_err(|e| whole(format!("the written segment fails the schema check: {e}")))?;
    macro_rules! rd {
        ($id:expr, $s:expr, $r:expr) => {
            p.read($id, $s, "model", $r)
        };
    }
    let (sm, om) = (
        rd!(tid::MODEL, 0, p.src.root())?,
        rd!(tid::MODEL, 0, p.out.root())?,
    );
    let ssg = rd!(
        tid::MODEL,
        slot::model::SUBGRAPHS,
        p.src.tables(sm, slot::model::SUBGRAPHS)
    )?[0];
    let osg = rd!(
        tid::MODEL,
        slot::model::SUBGRAPHS,
        p.out.tables(om, slot::model::SUBGRAPHS)
    )?[0];
    use slot::model as m;
    use slot::sub_graph as sg;
    p.table(
        sm,
        om,
        tid::MODEL,
        &super::copy::REBUILT_MODEL_FIELDS,
        "model",
    )?;
    p.table(
        ssg,
        osg,
        tid::SUB_GRAPH,
        &[sg::TENSORS, sg::INPUTS, sg::OUTPUTS, sg::OPERATORS],
        "subgraph 0",
    )?;

    // Which source tensor each segment tensor stands for, from the segment's own indices.
    let mut tensor_of: HashMap<usize, usize> = HashMap::new();
    macro_rules! list {
        ($buf:expr, $t:expr, $id:expr, $s:expr, $owner:expr) => {
            p.read($id, $s, $owner, $buf.i32s($t, $s))
        };
    }
    for (s, want) in [(sg::INPUTS, &plan.inputs), (sg::OUTPUTS, &plan.outputs)] {
        let got = list!(&p.out, osg, tid::SUB_GRAPH, s, "subgraph 0")?;
        if got.len() != want.len()
            || !got
                .iter()
                .zip(want.iter())
                .all(|(&k, &t)| k >= 0 && bind(&mut tensor_of, k as usize, t))
        {
            return Err(p.fail(tid::SUB_GRAPH, s, "subgraph 0", "not the planned tensors"));
        }
    }
    let src_ops = rd!(
        tid::SUB_GRAPH,
        sg::OPERATORS,
        p.src.tables(ssg, sg::OPERATORS)
    )?;
    let out_ops = rd!(
        tid::SUB_GRAPH,
        sg::OPERATORS,
        p.out.tables(osg, sg::OPERATORS)
    )?;
    if out_ops.len() != plan.ops.len() {
        return Err(p.fail(
            tid::SUB_GRAPH,
            sg::OPERATORS,
            "subgraph 0",
            format!("{} operators, {} planned", out_ops.len(), plan.ops.len()),
        ));
    }
    let src_codes = rd!(
        tid::MODEL,
        m::OPERATOR_CODES,
        p.src.tables(sm, m::OPERATOR_CODES)
    )?;
    let out_codes = rd!(
        tid::MODEL,
        m::OPERATOR_CODES,
        p.out.tables(om, m::OPERATOR_CODES)
    )?;
    let mut code_of: HashMap<usize, usize> = HashMap::new();
    for (j, (&op, &b)) in plan.ops.iter().zip(&out_ops).enumerate() {
        use slot::operator as o;
        let owner = format!("operator {op} (segment operator {j})");
        let a = src_ops[op];
        p.table(
            a,
            b,
            tid::OPERATOR,
            &[o::OPCODE_INDEX, o::INPUTS, o::OUTPUTS, o::INTERMEDIATES],
            &owner,
        )?;
        for s in [o::INPUTS, o::OUTPUTS, o::INTERMEDIATES] {
            let (x, y) = (
                list!(&p.src, a, tid::OPERATOR, s, &owner)?,
                list!(&p.out, b, tid::OPERATOR, s, &owner)?,
            );
            let same = x.len() == y.len()
                && x.iter().zip(&y).all(|(&x, &y)| match (x < 0, y < 0) {
                    (true, true) => x == y,
                    (false, false) => bind(&mut tensor_of, y as usize, x as usize),
                    _ => false,
                });
            if !same {
                return Err(p.fail(
                    tid::OPERATOR,
                    s,
                    &owner,
                    "the tensors do not map back to the source's",
                ));
            }
        }
        let code = |buf: &Buf, t| {
            p.read(
                tid::OPERATOR,
                o::OPCODE_INDEX,
                &owner,
                buf.int(t, o::OPCODE_INDEX, 4, false, 0),
            )
            .map(|c| c as usize)
        };
        let (x, y) = (code(&p.src, a)?, code(&p.out, b)?);
        if y >= out_codes.len() || x >= src_codes.len() || !bind(&mut code_of, y, x) {
            return Err(p.fail(
                tid::OPERATOR,
                o::OPCODE_INDEX,
                &owner,
                "the opcode does not map back to the source's",
            ));
        }
    }
    operator_codes(&p, &src_codes, &out_codes, &code_of)?;
    tensors(&p, sm, om, ssg, osg, &tensor_of)?;
    metadata(&p, sm, om)?;
    signature(&p, om, osg)
}

fn operator_codes(
    p: &Proof,
    src: &[Table],
    out: &[Table],
    code_of: &HashMap<usize, usize>,
) -> R<()> {
    use slot::operator_code as c;
    for (k, &b) in out.iter().enumerate() {
        let owner = format!("operator code {k}");
        let Some(&s) = code_of.get(&k) else {
            return Err(p.fail(
                tid::MODEL,
                slot::model::OPERATOR_CODES,
                &owner,
                "no operator uses it",
            ));
        };
        let a = src[s];
        p.table(
            a,
            b,
            tid::OPERATOR_CODE,
            &[c::DEPRECATED_BUILTIN_CODE, c::BUILTIN_CODE],
            &owner,
        )?;
        let code = p.read(
            tid::OPERATOR_CODE,
            c::BUILTIN_CODE,
            &owner,
            effective_code(&p.src, a),
        )?;
        let dep = p.read(
            tid::OPERATOR_CODE,
            c::DEPRECATED_BUILTIN_CODE,
            &owner,
            p.out.int(b, c::DEPRECATED_BUILTIN_CODE, 1, true, 0),
        )?;
        let builtin = p.read(
            tid::OPERATOR_CODE,
            c::BUILTIN_CODE,
            &owner,
            p.out.int(b, c::BUILTIN_CODE, 4, true, 0),
        )?;
        if builtin != code {
            return Err(p.fail(
                tid::OPERATOR_CODE,
                c::BUILTIN_CODE,
                &owner,
                format!("{builtin}, the source's is {code}"),
            ));
        }
        if dep != code.min(127) {
            return Err(p.fail(
                tid::OPERATOR_CODE,
                c::DEPRECATED_BUILTIN_CODE,
                &owner,
                format!("{dep}, should be {}", code.min(127)),
            ));
        }
    }
    Ok(())
}

fn tensors(
    p: &Proof,
    sm: Table,
    om: Table,
    ssg: Table,
    osg: Table,
    tensor_of: &HashMap<usize, usize>,
) -> R<()> {
    use slot::sub_graph as sg;
    macro_rules! rd {
        ($r:expr) => {
            p.read(tid::SUB_GRAPH, sg::TENSORS, "subgraph 0", $r)
        };
    }
    let (src, out) = (
        rd!(p.src.tables(ssg, sg::TENSORS))?,
        rd!(p.out.tables(osg, sg::TENSORS))?,
    );
    macro_rules! rb {
        ($r:expr) => {
            p.read(tid::MODEL, slot::model::BUFFERS, "model", $r)
        };
    }
    let (sbufs, obufs) = (
        rb!(p.src.tables(sm, slot::model::BUFFERS))?,
        rb!(p.out.tables(om, slot::model::BUFFERS))?,
    );
    for (k, &b) in out.iter().enumerate() {
        let Some(&s) = tensor_of.get(&k) else {
            return Err(p.fail(
                tid::SUB_GRAPH,
                sg::TENSORS,
                "subgraph 0",
                format!("segment tensor {k} is used by nothing"),
            ));
        };
        let owner = format!("tensor {s} (segment tensor {k})");
        let a = *src
            .get(s)
            .ok_or_else(|| p.fail(tid::SUB_GRAPH, sg::TENSORS, &owner, "no such source tensor"))?;
        p.table(a, b, tid::TENSOR, &[slot::tensor::BUFFER], &owner)?;
        let buffer = |buf: &Buf, t, all: &[Table]| {
            let i = p.read(
                tid::TENSOR,
                slot::tensor::BUFFER,
                &owner,
                buf.int(t, slot::tensor::BUFFER, 4, false, 0),
            )? as usize;
            all.get(i).copied().ok_or_else(|| {
                p.fail(
                    tid::TENSOR,
                    slot::tensor::BUFFER,
                    &owner,
                    format!("buffer {i} does not exist"),
                )
            })
        };
        p.table(
            buffer(&p.src, a, &sbufs)?,
            buffer(&p.out, b, &obufs)?,
            tid::BUFFER,
            &[],
            &owner,
        )?;
    }
    Ok(())
}
