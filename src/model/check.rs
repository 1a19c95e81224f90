//! The schema check: a walk over every table reachable from the root, driven by the generated
//! field table, that refuses what this build cannot carry, naming table, slot and operator.
//!
//! Refused: a vtable slot beyond the table's known fields with a non-zero offset, a deprecated
//! slot that is set, a union tag the schema does not know or a tag without its value (or the
//! reverse), an unknown operator code or tensor type, data held outside the file, tensor
//! indices the segmenter does not remap (blockwise and multi-axis quantization), option tables
//! naming other subgraphs, and more than one subgraph. Everything else is carried.

use super::ModelErrorKind;
use super::flatbuf::{Buf, Result, Table, corrupt};
use super::schema::{self, Kind, TableId};
use super::schema_gen::{slot, table as tid};

/// Why a table cannot be carried.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[allow(missing_docs)]
pub enum Reason {
    #[error(
        "the slot is set, but the schema this build was generated from (ai-edge-litert 2.3.0) has no such field: the model is newer"
    )]
    UnknownSlot,
    #[error("a deprecated slot is set; the schema no longer says what it holds")]
    DeprecatedSlot,
    #[error("union tag {0} is unknown to the schema")]
    UnknownTag(u8),
    #[error("union tag {0} is set but its value is missing")]
    TagWithoutValue(u8),
    #[error("a union value is set but its tag is 0 (NONE)")]
    ValueWithoutTag,
    #[error("{what} {value} is unknown to the schema")]
    UnknownEnum { what: &'static str, value: i64 },
    #[error("data is kept outside the flatbuffer ({0}); only self-contained models can be cut")]
    External(&'static str),
    #[error("{0} holds tensor indices this segmenter does not remap")]
    TensorIndices(&'static str),
    #[error("{0} names other subgraphs (control flow); segmenting needs one subgraph")]
    SubgraphIndices(&'static str),
    #[error("the option table ({0}) is missing; TensorFlow Lite would read its values as 0")]
    OptionsMissing(&'static str),
    #[error("the option table is {got}, but this operator takes {expected}")]
    OptionsType { expected: &'static str, got: String },
    #[error("{0} is below 1")]
    BelowOne(i64),
    #[error("axis {axis} is outside the input's rank {rank}")]
    Axis { axis: i64, rank: i64 },
    #[error("{got} tensor(s), at least {need} needed")]
    TooFewTensors { got: usize, need: usize },
    #[error("dimension {0} is 0: an activation cannot be empty")]
    EmptyDimension(usize),
    #[error(
        "dimension {dim} is {size}: a stored shape holds sizes (a dynamic one is -1 in shape_signature)"
    )]
    NegativeDimension { dim: usize, size: i32 },
    #[error("input {0} is required but omitted (-1)")]
    Omitted(usize),
    #[error("{got} tensor(s), exactly {want} expected")]
    TensorCount { got: usize, want: usize },
    #[error("the tensors' shapes do not fit the operator: {0}")]
    Shapes(String),
    #[error("the shape describes more than {0} bytes")]
    TooLarge(u64),
    #[error("the buffer holds {got} bytes, the shape x element size is {want}")]
    BufferSize { got: u64, want: u64 },
    #[error("scale {index} is {value}: a scale is a finite number above 0")]
    Scale { index: usize, value: f32 },
    #[error("the subgraph has no operators: there is nothing to run or to cut")]
    NoOperators,
    #[error("{0}")]
    NoGraphTensors(&'static str),
    #[error("tensor {tensor} is listed twice, at {first} and {second}")]
    Repeated {
        tensor: i32,
        first: usize,
        second: usize,
    },
    #[error("subgraph {0} does not exist; the model has one, subgraph 0")]
    NoSuchSubgraph(i64),
    #[error("tensor {tensor} is not one of the subgraph's {role}s")]
    NotAGraphTensor { tensor: i64, role: &'static str },
}

/// A refusal: which table, which slot, whose it is, and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{owner}: {table}.{field} (slot {slot}): {reason}")]
pub struct Refusal {
    /// The table holding the slot.
    pub table: &'static str,
    /// The field name (`slot N` when the schema has none).
    pub field: String,
    /// The slot (field id).
    pub slot: usize,
    /// Where the table sits: `operator 12 (RESIZE_BILINEAR)`, `tensor 3 'x'`, `model`, ...
    pub owner: String,
    /// Why.
    pub reason: Reason,
}

pub(super) fn refuse(table: TableId, slot: usize, owner: &str, reason: Reason) -> ModelErrorKind {
    let desc = schema::table(table);
    let field = desc
        .fields
        .get(slot)
        .map_or_else(|| format!("slot {slot}"), |f| f.name.to_string());
    ModelErrorKind::Refused(Box::new(Refusal {
        table: desc.name,
        field,
        slot,
        owner: owner.to_string(),
        reason,
    }))
}

const MAX_DEPTH: usize = 32;

struct Walk<'a> {
    buf: Buf<'a>,
    /// Tables still allowed to be visited (shared sub-tables could make the walk explode).
    budget: usize,
    opcode_names: Vec<String>,
}

/// Checks a whole model. `Ok` means every table is known and carried by the copier.
pub fn check(data: &[u8]) -> Result<()> {
    let buf = Buf(data);
    let root = buf.root()?;
    let mut w = Walk {
        buf,
        budget: data.len() / 4 + 64,
        opcode_names: opcode_names(&buf, root)?,
    };
    w.table(root, tid::MODEL, "model", 0)?;
    semantics(&w, root)
}

/// Names of the operator codes, for messages: `CONV_2D` or the custom code.
pub fn opcode_names(buf: &Buf, model: Table) -> Result<Vec<String>> {
    buf.tables(model, slot::model::OPERATOR_CODES)?
        .into_iter()
        .map(|c| {
            let code = effective_code(buf, c)?;
            Ok(match schema::builtin_name(code) {
                Some("CUSTOM") => {
                    let custom = buf.string(c, slot::operator_code::CUSTOM_CODE)?;
                    String::from_utf8_lossy(custom.unwrap_or_default()).into_owned()
                }
                Some(name) => name.to_string(),
                None => format!("op {code}"),
            })
        })
        .collect()
}

/// The builtin code of an operator code: the larger of `deprecated_builtin_code` and
/// `builtin_code`, as TensorFlow Lite reads it.
pub fn effective_code(buf: &Buf, code: Table) -> Result<i64> {
    let deprecated = buf.int(
        code,
        slot::operator_code::DEPRECATED_BUILTIN_CODE,
        1,
        true,
        0,
    )?;
    let builtin = buf.int(code, slot::operator_code::BUILTIN_CODE, 4, true, 0)?;
    Ok(deprecated.max(builtin))
}

impl Walk<'_> {
    fn owner_of(
        &self,
        parent: TableId,
        field: usize,
        i: usize,
        t: Table,
    ) -> Result<Option<String>> {
        Ok(Some(match (parent, field) {
            (tid::SUB_GRAPH, slot::sub_graph::OPERATORS) => {
                let code = self.buf.int(t, slot::operator::OPCODE_INDEX, 4, false, 0)? as usize;
                let name = self.opcode_names.get(code).map_or("?", |s| s.as_str());
                format!("operator {i} ({name})")
            }
            (tid::SUB_GRAPH, slot::sub_graph::TENSORS) => {
                let name = self.buf.string(t, slot::tensor::NAME).ok().flatten();
                format!(
                    "tensor {i} '{}'",
                    String::from_utf8_lossy(name.unwrap_or_default())
                )
            }
            (tid::MODEL, slot::model::SUBGRAPHS) => format!("subgraph {i}"),
            (tid::MODEL, slot::model::BUFFERS) => format!("buffer {i}"),
            (tid::MODEL, slot::model::OPERATOR_CODES) => format!("operator code {i}"),
            (tid::MODEL, slot::model::METADATA) => format!("metadata {i}"),
            (tid::MODEL, slot::model::SIGNATURE_DEFS) => format!("signature def {i}"),
            _ => return Ok(None),
        }))
    }

    fn table(&mut self, t: Table, id: TableId, owner: &str, depth: usize) -> Result<()> {
        if depth > MAX_DEPTH {
            return Err(corrupt(format!(
                "{owner}: tables nested deeper than {MAX_DEPTH}"
            )));
        }
        self.budget = self
            .budget
            .checked_sub(1)
            .ok_or_else(|| corrupt("more tables than the file can hold (shared sub-tables?)"))?;
        let desc = schema::table(id);
        for s in desc.slots..t.vtable_slots() {
            if self.buf.slot_offset(t, s)? != 0 {
                return Err(refuse(id, s, owner, Reason::UnknownSlot));
            }
        }
        for (s, f) in desc.fields.iter().enumerate() {
            if self.buf.slot_offset(t, s)? == 0 {
                if let Kind::UnionTag(_) = f.kind {
                    self.union_pair(t, id, s, owner)?;
                }
                continue;
            }
            self.field(t, id, s, f.kind, owner, depth)?;
        }
        Ok(())
    }

    fn field(
        &mut self,
        t: Table,
        id: TableId,
        s: usize,
        kind: Kind,
        owner: &str,
        depth: usize,
    ) -> Result<()> {
        let buf = self.buf;
        match kind {
            Kind::Deprecated => return Err(refuse(id, s, owner, Reason::DeprecatedSlot)),
            Kind::Scalar(sc) => {
                buf.scalar(t, s, sc.size())?;
            }
            Kind::String => {
                buf.string(t, s)?;
            }
            Kind::VecScalar(sc) => {
                buf.vector(t, s, sc.size())?;
            }
            Kind::VecString => {
                buf.strings(t, s)?;
            }
            Kind::Table(child) => {
                if let Some(c) = buf.sub_table(t, s)? {
                    self.table(c, child, owner, depth + 1)?;
                }
            }
            Kind::VecTable(child) => {
                for (i, c) in buf.tables(t, s)?.into_iter().enumerate() {
                    let own = self.owner_of(id, s, i, c)?;
                    self.table(c, child, own.as_deref().unwrap_or(owner), depth + 1)?;
                }
            }
            Kind::UnionTag(_) => self.union_pair(t, id, s, owner)?,
            Kind::UnionValue { union, tag } => {
                let tag_value = buf.int(t, tag, 1, false, 0)? as u8;
                if tag_value == 0 {
                    return Err(refuse(id, s, owner, Reason::ValueWithoutTag));
                }
                // An unknown tag was refused at the tag's slot.
                if let Some((_, member)) = schema::member(union, tag_value)
                    && let Some(c) = buf.sub_table(t, s)?
                {
                    self.table(c, member, owner, depth + 1)?;
                }
            }
        }
        Ok(())
    }

    /// A union tag slot `s`: the tag is known, and set exactly when the value is.
    fn union_pair(&self, t: Table, id: TableId, s: usize, owner: &str) -> Result<()> {
        let desc = schema::table(id);
        let Kind::UnionTag(union) = desc.fields[s].kind else {
            return Ok(());
        };
        let value_slot = desc
            .fields
            .iter()
            .position(|f| f.kind == Kind::UnionValue { union, tag: s })
            .ok_or_else(|| corrupt("schema: a union tag without its value slot"))?;
        let tag = self.buf.int(t, s, 1, false, 0)? as u8;
        let has_value = self.buf.slot_offset(t, value_slot)? != 0;
        match (tag, has_value) {
            (0, false) => Ok(()),
            (0, true) => Err(refuse(id, value_slot, owner, Reason::ValueWithoutTag)),
            (tag, _) if schema::member(union, tag).is_none() => {
                Err(refuse(id, s, owner, Reason::UnknownTag(tag)))
            }
            (tag, false) => Err(refuse(id, s, owner, Reason::TagWithoutValue(tag))),
            _ => Ok(()),
        }
    }
}

/// The refusals that depend on what a field means rather than on its shape.
fn semantics(w: &Walk, model: Table) -> Result<()> {
    let buf = &w.buf;
    let subgraphs = buf.tables(model, slot::model::SUBGRAPHS)?;
    if subgraphs.len() != 1 {
        return Err(ModelErrorKind::Unsupported(format!(
            "{} subgraphs (control flow or multi-signature model); segmenting needs exactly one",
            subgraphs.len()
        )));
    }
    for s in [
        slot::model::EXTERNAL_BUFFER_GROUPS,
        slot::model::EXTERNAL_BUFFERS,
    ] {
        if buf.slot_offset(model, s)? != 0 {
            return Err(refuse(
                tid::MODEL,
                s,
                "model",
                Reason::External("external buffers"),
            ));
        }
    }
    for (i, c) in buf
        .tables(model, slot::model::OPERATOR_CODES)?
        .into_iter()
        .enumerate()
    {
        let code = effective_code(buf, c)?;
        if schema::builtin_name(code).is_none() {
            let s = if buf.slot_offset(c, slot::operator_code::BUILTIN_CODE)? != 0 {
                slot::operator_code::BUILTIN_CODE
            } else {
                slot::operator_code::DEPRECATED_BUILTIN_CODE
            };
            let what = "BuiltinOperator";
            return Err(refuse(
                tid::OPERATOR_CODE,
                s,
                &format!("operator code {i}"),
                Reason::UnknownEnum { what, value: code },
            ));
        }
    }
    for (i, b) in buf
        .tables(model, slot::model::BUFFERS)?
        .into_iter()
        .enumerate()
    {
        let offset = buf.int(b, slot::buffer::OFFSET, 8, false, 0)?;
        let size = buf.int(b, slot::buffer::SIZE, 8, false, 0)?;
        if offset as u64 > 1 || size != 0 {
            let s = if offset as u64 > 1 {
                slot::buffer::OFFSET
            } else {
                slot::buffer::SIZE
            };
            return Err(refuse(
                tid::BUFFER,
                s,
                &format!("buffer {i}"),
                Reason::External("Buffer.offset/size"),
            ));
        }
    }
    tensors(w, subgraphs[0])?;
    operators(w, subgraphs[0])?;
    super::interface::check(buf, model, subgraphs[0])?;
    let owner = |field: usize| {
        move |i: usize, t: Table| {
            w.owner_of(tid::SUB_GRAPH, field, i, t)
                .map(|o| o.unwrap_or_default())
        }
    };
    let (op_owner, tensor_owner) = (
        owner(slot::sub_graph::OPERATORS),
        owner(slot::sub_graph::TENSORS),
    );
    super::ops::check(buf, model, subgraphs[0], &op_owner, &tensor_owner)
}

fn tensors(w: &Walk, subgraph: Table) -> Result<()> {
    let buf = &w.buf;
    for (i, t) in buf
        .tables(subgraph, slot::sub_graph::TENSORS)?
        .into_iter()
        .enumerate()
    {
        let owner = || {
            w.owner_of(tid::SUB_GRAPH, slot::sub_graph::TENSORS, i, t)
                .map(|o| o.unwrap_or_default())
        };
        let dtype = buf.int(t, slot::tensor::TYPE, 1, true, 0)?;
        if schema::tensor_type_name(dtype).is_none() {
            let what = "TensorType";
            return Err(refuse(
                tid::TENSOR,
                slot::tensor::TYPE,
                &owner()?,
                Reason::UnknownEnum { what, value: dtype },
            ));
        }
        if buf.int(t, slot::tensor::EXTERNAL_BUFFER, 4, false, 0)? != 0 {
            return Err(refuse(
                tid::TENSOR,
                slot::tensor::EXTERNAL_BUFFER,
                &owner()?,
                Reason::External("Tensor.external_buffer"),
            ));
        }
        if let Some(q) = buf.sub_table(t, slot::tensor::QUANTIZATION)? {
            let tag = buf.int(q, slot::quantization_parameters::DETAILS_TYPE, 1, false, 0)? as u8;
            let member = schema::member(super::schema_gen::union::QUANTIZATION_DETAILS, tag);
            if let Some((name, _)) = member.filter(|(name, _)| *name != "CustomQuantization") {
                return Err(refuse(
                    tid::QUANTIZATION_PARAMETERS,
                    slot::quantization_parameters::DETAILS_TYPE,
                    &owner()?,
                    Reason::TensorIndices(name),
                ));
            }
            // TensorFlow Lite divides by scales and takes their exponents when it prepares a
            // kernel: an infinite one crashed it (seed 20261202, case 3346).
            let scales = buf.vector_bytes(q, slot::quantization_parameters::SCALE, 4)?;
            let scales = scales
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]));
            if let Some((index, value)) = scales
                .enumerate()
                .find(|(_, s)| !(s.is_finite() && *s > 0.0))
            {
                return Err(refuse(
                    tid::QUANTIZATION_PARAMETERS,
                    slot::quantization_parameters::SCALE,
                    &owner()?,
                    Reason::Scale { index, value },
                ));
            }
        }
    }
    Ok(())
}

fn operators(w: &Walk, subgraph: Table) -> Result<()> {
    let buf = &w.buf;
    let ops = buf.tables(subgraph, slot::sub_graph::OPERATORS)?;
    if ops.is_empty() {
        return Err(refuse(
            tid::SUB_GRAPH,
            slot::sub_graph::OPERATORS,
            "subgraph 0",
            Reason::NoOperators,
        ));
    }
    for (i, op) in ops.into_iter().enumerate() {
        let owner = || {
            w.owner_of(tid::SUB_GRAPH, slot::sub_graph::OPERATORS, i, op)
                .map(|o| o.unwrap_or_default())
        };
        for s in [
            slot::operator::LARGE_CUSTOM_OPTIONS_OFFSET,
            slot::operator::LARGE_CUSTOM_OPTIONS_SIZE,
        ] {
            if buf.int(op, s, 8, false, 0)? != 0 {
                return Err(refuse(
                    tid::OPERATOR,
                    s,
                    &owner()?,
                    Reason::External("large custom options"),
                ));
            }
        }
        for (tag_slot, union) in [
            (
                slot::operator::BUILTIN_OPTIONS_TYPE,
                super::schema_gen::union::BUILTIN_OPTIONS,
            ),
            (
                slot::operator::BUILTIN_OPTIONS2_TYPE,
                super::schema_gen::union::BUILTIN_OPTIONS2,
            ),
        ] {
            let tag = buf.int(op, tag_slot, 1, false, 0)? as u8;
            if let Some((name, table)) = schema::member(union, tag)
                && schema::holds_subgraph_index(table)
            {
                return Err(refuse(
                    tid::OPERATOR,
                    tag_slot,
                    &owner()?,
                    Reason::SubgraphIndices(name),
                ));
            }
        }
    }
    Ok(())
}
