//! The generic table copier: each kept table of the source is copied slot by slot as the
//! generated field table describes it (scalars byte for byte, strings, vectors, sub-tables and
//! unions recursively); only the index fields the segmenter owns are rewritten:
//! `Operator.opcode_index/inputs/outputs/intermediates`, `Tensor.buffer`,
//! `SubGraph.tensors/inputs/outputs/operators`, `Metadata.buffer`, `Model.metadata_buffer`,
//! the model's operator codes, buffers and signature defs.

use std::borrow::Cow;
use std::collections::HashMap;

use super::check::effective_code;
use super::flatbuf::{Buf, Result, Table, corrupt};
use super::schema::{self, Kind, TableId};
use super::schema_gen::{slot, table as tid};
use super::write::Node;

/// The model table's fields a segment rebuilds (from the selection) rather than copies; the
/// proof compares every other field with the source's.
pub const REBUILT_MODEL_FIELDS: [usize; 6] = [
    slot::model::OPERATOR_CODES,
    slot::model::SUBGRAPHS,
    slot::model::BUFFERS,
    slot::model::METADATA_BUFFER,
    slot::model::METADATA,
    slot::model::SIGNATURE_DEFS,
];

/// Copies every set slot of table `t` (a `id`) except those in `skip`.
pub fn copy_table<'a>(
    buf: &Buf<'a>,
    t: Table,
    id: TableId,
    skip: &[usize],
) -> Result<Vec<(usize, Node<'a>)>> {
    let mut out = Vec::new();
    for (s, f) in schema::table(id).fields.iter().enumerate() {
        if skip.contains(&s) || buf.slot_offset(t, s)? == 0 {
            continue;
        }
        let node = match f.kind {
            Kind::Scalar(sc) => scalar(buf, t, s, sc.size())?,
            Kind::UnionTag(_) => scalar(buf, t, s, 1)?,
            Kind::String => Node::String(Cow::Borrowed(buf.string(t, s)?.unwrap_or_default())),
            Kind::VecScalar(sc) => Node::vector(buf.vector_bytes(t, s, sc.size())?, sc.size()),
            Kind::VecString => {
                Node::Strings(buf.strings(t, s)?.into_iter().map(Cow::Borrowed).collect())
            }
            Kind::Table(child) => match buf.sub_table(t, s)? {
                Some(c) => Node::Table(copy_table(buf, c, child, &[])?),
                None => continue,
            },
            Kind::VecTable(child) => Node::Tables(
                buf.tables(t, s)?
                    .into_iter()
                    .map(|c| copy_table(buf, c, child, &[]).map(Node::Table))
                    .collect::<Result<_>>()?,
            ),
            Kind::UnionValue { union, tag } => {
                let tag = buf.int(t, tag, 1, false, 0)? as u8;
                let (_, member) = schema::member(union, tag).ok_or_else(|| {
                    corrupt(format!(
                        "union tag {tag} of {} unknown",
                        schema::union_name(union)
                    ))
                })?;
                match buf.sub_table(t, s)? {
                    Some(c) => Node::Table(copy_table(buf, c, member, &[])?),
                    None => continue,
                }
            }
            Kind::Deprecated => {
                return Err(corrupt(format!(
                    "{}: a deprecated slot {s} is set",
                    schema::table(id).name
                )));
            }
        };
        out.push((s, node));
    }
    Ok(out)
}

fn scalar<'a>(buf: &Buf<'a>, t: Table, s: usize, size: usize) -> Result<Node<'a>> {
    let bytes = buf
        .scalar(t, s, size)?
        .ok_or_else(|| corrupt("a scalar vanished"))?;
    Ok(Node::Scalar(Cow::Borrowed(bytes)))
}

fn u32_node<'a>(v: u32) -> Node<'a> {
    Node::Scalar(Cow::Owned(v.to_le_bytes().to_vec()))
}

/// What one segment holds, in source indices, in the order they are written.
pub struct Selection<'p> {
    /// Source tensors; position = index in the segment.
    pub tensors: &'p [usize],
    /// Source operators, in execution order.
    pub ops: &'p [usize],
    /// Segment inputs and outputs (source tensor indices).
    pub inputs: &'p [usize],
    /// Segment outputs.
    pub outputs: &'p [usize],
    /// Which source tensors hold constant data (their buffers are copied).
    pub constant: &'p dyn Fn(usize) -> bool,
    /// The name each input and output takes in the segment's signature def.
    pub signature_name: &'p dyn Fn(usize) -> String,
    /// The segment's signature key.
    pub signature_key: &'p str,
}

/// Buffers of the segment: buffer 0 is the empty sentinel activations point at.
struct Buffers<'a> {
    nodes: Vec<Node<'a>>,
    map: HashMap<usize, u32>,
    source: Vec<Table>,
}

impl<'a> Buffers<'a> {
    fn add(&mut self, buf: &Buf<'a>, old: usize) -> Result<u32> {
        if let Some(&b) = self.map.get(&old) {
            return Ok(b);
        }
        let t = *self
            .source
            .get(old)
            .ok_or_else(|| corrupt(format!("buffer {old} does not exist")))?;
        let mut fields = copy_table(buf, t, tid::BUFFER, &[slot::buffer::DATA])?;
        if buf.slot_offset(t, slot::buffer::DATA)? != 0 {
            let data = buf.vector_bytes(t, slot::buffer::DATA, 1)?;
            let data = Node::Vector {
                bytes: Cow::Borrowed(data),
                elem: 1,
                align: 16,
            };
            fields.push((slot::buffer::DATA, data));
        }
        self.nodes.push(Node::Table(fields));
        let b = (self.nodes.len() - 1) as u32;
        self.map.insert(old, b);
        Ok(b)
    }
}

/// Builds the segment's model tree from the source model bytes.
pub fn segment<'a>(buf: &Buf<'a>, sel: &Selection) -> Result<Node<'a>> {
    let model = buf.root()?;
    let subgraph = buf.tables(model, slot::model::SUBGRAPHS)?[0];
    let src_tensors = buf.tables(subgraph, slot::sub_graph::TENSORS)?;
    let src_ops = buf.tables(subgraph, slot::sub_graph::OPERATORS)?;
    let src_codes = buf.tables(model, slot::model::OPERATOR_CODES)?;
    let mut buffers = Buffers {
        nodes: vec![Node::Table(Vec::new())],
        map: HashMap::new(),
        source: buf.tables(model, slot::model::BUFFERS)?,
    };
    let index: HashMap<usize, i32> = sel
        .tensors
        .iter()
        .enumerate()
        .map(|(i, &t)| (t, i as i32))
        .collect();
    let remap = |ts: Vec<i32>| -> Result<Node<'a>> {
        let ids = ts
            .into_iter()
            .map(|t| {
                if t < 0 {
                    Ok(t)
                } else {
                    index
                        .get(&(t as usize))
                        .copied()
                        .ok_or_else(|| corrupt("a tensor outside the segment"))
                }
            })
            .collect::<Result<Vec<i32>>>()?;
        Ok(Node::i32s(&ids))
    };

    let mut tensors = Vec::with_capacity(sel.tensors.len());
    for &t in sel.tensors {
        let mut fields = copy_table(buf, src_tensors[t], tid::TENSOR, &[slot::tensor::BUFFER])?;
        let old = buf.int(src_tensors[t], slot::tensor::BUFFER, 4, false, 0)? as usize;
        let b = if (sel.constant)(t) {
            buffers.add(buf, old)?
        } else {
            0
        };
        fields.push((slot::tensor::BUFFER, u32_node(b)));
        tensors.push(Node::Table(fields));
    }

    let mut codes: Vec<Node> = Vec::new();
    let mut code_map: HashMap<usize, u32> = HashMap::new();
    let mut ops = Vec::with_capacity(sel.ops.len());
    for &op in sel.ops {
        use slot::operator as o;
        let t = src_ops[op];
        let mut fields = copy_table(
            buf,
            t,
            tid::OPERATOR,
            &[o::OPCODE_INDEX, o::INPUTS, o::OUTPUTS, o::INTERMEDIATES],
        )?;
        let old = buf.int(t, o::OPCODE_INDEX, 4, false, 0)? as usize;
        let code = match code_map.get(&old) {
            Some(&c) => c,
            None => {
                let src = *src_codes
                    .get(old)
                    .ok_or_else(|| corrupt("an opcode index out of range"))?;
                codes.push(operator_code(buf, src)?);
                code_map.insert(old, codes.len() as u32 - 1);
                codes.len() as u32 - 1
            }
        };
        fields.push((o::OPCODE_INDEX, u32_node(code)));
        for s in [o::INPUTS, o::OUTPUTS, o::INTERMEDIATES] {
            if buf.slot_offset(t, s)? != 0 {
                fields.push((s, remap(buf.i32s(t, s)?)?));
            }
        }
        ops.push(Node::Table(fields));
    }

    use slot::sub_graph as sg;
    let mut sub = copy_table(
        buf,
        subgraph,
        tid::SUB_GRAPH,
        &[sg::TENSORS, sg::INPUTS, sg::OUTPUTS, sg::OPERATORS],
    )?;
    let ids = |ts: &[usize]| ts.iter().map(|t| index[t]).collect::<Vec<i32>>();
    sub.push((sg::TENSORS, Node::Tables(tensors)));
    sub.push((sg::INPUTS, Node::i32s(&ids(sel.inputs))));
    sub.push((sg::OUTPUTS, Node::i32s(&ids(sel.outputs))));
    sub.push((sg::OPERATORS, Node::Tables(ops)));

    use slot::model as m;
    let mut root = copy_table(buf, model, tid::MODEL, &REBUILT_MODEL_FIELDS)?;
    root.push((m::OPERATOR_CODES, Node::Tables(codes)));
    root.push((m::SUBGRAPHS, Node::Tables(vec![Node::Table(sub)])));
    let mut metadata = Vec::new();
    for t in buf.tables(model, m::METADATA)? {
        let mut fields = copy_table(buf, t, tid::METADATA, &[slot::metadata::BUFFER])?;
        let old = buf.int(t, slot::metadata::BUFFER, 4, false, 0)? as usize;
        fields.push((slot::metadata::BUFFER, u32_node(buffers.add(buf, old)?)));
        metadata.push(Node::Table(fields));
    }
    if buf.slot_offset(model, m::METADATA)? != 0 {
        root.push((m::METADATA, Node::Tables(metadata)));
    }
    if buf.slot_offset(model, m::METADATA_BUFFER)? != 0 {
        let ids = buf
            .i32s(model, m::METADATA_BUFFER)?
            .into_iter()
            .map(|b| {
                usize::try_from(b)
                    .map_err(|_| corrupt("a negative metadata buffer"))
                    .and_then(|b| buffers.add(buf, b).map(|b| b as i32))
            })
            .collect::<Result<Vec<i32>>>()?;
        root.push((m::METADATA_BUFFER, Node::i32s(&ids)));
    }
    root.push((
        m::SIGNATURE_DEFS,
        Node::Tables(vec![signature_def(sel, &index)]),
    ));
    root.push((m::BUFFERS, Node::Tables(buffers.nodes)));
    Ok(Node::Table(root))
}

/// An operator code with both the old byte code (saturated at 127, what old readers and the
/// Edge TPU compiler read) and the int32 code.
fn operator_code<'a>(buf: &Buf<'a>, t: Table) -> Result<Node<'a>> {
    use slot::operator_code as c;
    let code = effective_code(buf, t)?;
    let mut fields = copy_table(
        buf,
        t,
        tid::OPERATOR_CODE,
        &[c::DEPRECATED_BUILTIN_CODE, c::BUILTIN_CODE],
    )?;
    let deprecated = code.min(127) as i8;
    fields.push((
        c::DEPRECATED_BUILTIN_CODE,
        Node::scalar(&deprecated.to_le_bytes()),
    ));
    fields.push((c::BUILTIN_CODE, Node::scalar(&(code as i32).to_le_bytes())));
    Ok(Node::Table(fields))
}

/// The segment's one signature def: its own inputs and outputs, by name.
fn signature_def<'a>(sel: &Selection, index: &HashMap<usize, i32>) -> Node<'a> {
    use slot::signature_def as s;
    let maps = |ts: &[usize]| {
        Node::Tables(
            ts.iter()
                .map(|t| {
                    Node::Table(vec![
                        (
                            slot::tensor_map::NAME,
                            Node::String(Cow::Owned((sel.signature_name)(*t).into_bytes())),
                        ),
                        (slot::tensor_map::TENSOR_INDEX, u32_node(index[t] as u32)),
                    ])
                })
                .collect(),
        )
    };
    Node::Table(vec![
        (s::INPUTS, maps(sel.inputs)),
        (s::OUTPUTS, maps(sel.outputs)),
        (
            s::SIGNATURE_KEY,
            Node::String(Cow::Owned(sel.signature_key.as_bytes().to_vec())),
        ),
        (s::SUBGRAPH_INDEX, u32_node(0)),
    ])
}
