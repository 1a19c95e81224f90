//! Reads the graph ([`Graph`]) out of checked model bytes: tensors with their element types,
//! shapes and quantization, operators with their opcode names and tensor indices.

use super::check::{effective_code, opcode_names};
use super::flatbuf::{Buf, Result, Table, corrupt};
use super::schema;
use super::schema_gen::slot;
use super::{Graph, ModelErrorKind, Op, Quantization, Tensor};
use crate::tensor::DType;

fn index(i: i64, len: usize, what: impl Fn() -> String) -> Result<usize> {
    usize::try_from(i)
        .ok()
        .filter(|&i| i < len)
        .ok_or_else(|| corrupt(format!("{} is {i}, out of range 0..{len}", what())))
}

/// The graph of the model's one subgraph (the schema check has passed).
pub fn graph(buf: &Buf, model: Table) -> Result<Graph> {
    let subgraph = buf
        .tables(model, slot::model::SUBGRAPHS)?
        .first()
        .copied()
        .ok_or_else(|| ModelErrorKind::Unsupported("the model has no subgraph".into()))?;
    let buffer_sizes = buf
        .tables(model, slot::model::BUFFERS)?
        .into_iter()
        .map(|b| {
            Ok(buf
                .vector(b, slot::buffer::DATA, 1)?
                .map_or(0, |(_, n)| n as u64))
        })
        .collect::<Result<Vec<u64>>>()?;
    let tensors = buf
        .tables(subgraph, slot::sub_graph::TENSORS)?
        .into_iter()
        .enumerate()
        .map(|(i, t)| tensor(buf, i, t, &buffer_sizes))
        .collect::<Result<Vec<_>>>()?;
    let codes = buf.tables(model, slot::model::OPERATOR_CODES)?;
    let names = opcode_names(buf, model)?;
    let ops = buf
        .tables(subgraph, slot::sub_graph::OPERATORS)?
        .into_iter()
        .enumerate()
        .map(|(i, op)| operator(buf, i, op, &codes, &names, &tensors))
        .collect::<Result<Vec<_>>>()?;
    let n = tensors.len();
    let ids = |s: usize, what: &'static str| -> Result<Vec<usize>> {
        buf.i32s(subgraph, s)?
            .into_iter()
            .map(|t| index(t as i64, n, || what.to_string()))
            .collect()
    };
    let inputs = ids(slot::sub_graph::INPUTS, "a graph input")?;
    let outputs = ids(slot::sub_graph::OUTPUTS, "a graph output")?;
    Graph::from_parts(tensors, ops, inputs, outputs)
}

fn tensor(buf: &Buf, i: usize, t: Table, buffer_sizes: &[u64]) -> Result<Tensor> {
    let name = buf.string(t, slot::tensor::NAME)?.unwrap_or_default();
    let name = std::str::from_utf8(name)
        .map_err(|_| corrupt(format!("tensor {i} has a name that is not UTF-8")))?
        .to_string();
    let dtype = buf.int(t, slot::tensor::TYPE, 1, true, 0)?;
    let dtype = DType::from_schema(dtype).ok_or_else(|| {
        ModelErrorKind::Unsupported(format!("tensor {i} '{name}' has element type {dtype}"))
    })?;
    let buffer = buf.int(t, slot::tensor::BUFFER, 4, false, 0)?;
    let buffer = index(buffer, buffer_sizes.len().max(1), || {
        format!("the buffer of tensor {i} '{name}'")
    })?;
    let quantization = match buf.sub_table(t, slot::tensor::QUANTIZATION)? {
        Some(q) => quantization(buf, q)?,
        None => None,
    };
    Ok(Tensor {
        name,
        dtype,
        shape: buf.i32s(t, slot::tensor::SHAPE)?,
        buffer,
        const_bytes: buffer_sizes.get(buffer).copied().unwrap_or(0),
        quantization,
    })
}

fn quantization(buf: &Buf, q: Table) -> Result<Option<Quantization>> {
    use slot::quantization_parameters as qp;
    let scale: Vec<f32> = buf
        .vector_bytes(q, qp::SCALE, 4)?
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    if scale.is_empty() {
        return Ok(None);
    }
    let zero_point = buf
        .vector_bytes(q, qp::ZERO_POINT, 8)?
        .chunks_exact(8)
        .map(|c| i64::from_le_bytes(c.try_into().unwrap_or_default()))
        .collect();
    Ok(Some(Quantization {
        scale,
        zero_point,
        dimension: buf.int(q, qp::QUANTIZED_DIMENSION, 4, true, 0)? as i32,
    }))
}

fn operator(
    buf: &Buf,
    i: usize,
    op: Table,
    codes: &[Table],
    names: &[String],
    tensors: &[Tensor],
) -> Result<Op> {
    let code = buf.int(op, slot::operator::OPCODE_INDEX, 4, false, 0)?;
    let code = index(code, codes.len(), || format!("the opcode of operator {i}"))?;
    let builtin = effective_code(buf, codes[code])?;
    let custom = schema::builtin_name(builtin) == Some("CUSTOM");
    let version = buf.int(codes[code], slot::operator_code::VERSION, 4, true, 1)? as i32;
    let n = tensors.len();
    let what = |role: &'static str| move || format!("an {role} of operator {i}");
    let list = |s: usize, role: &'static str| -> Result<Vec<usize>> {
        buf.i32s(op, s)?
            .into_iter()
            .map(|t| index(t as i64, n, what(role)))
            .collect()
    };
    let inputs = buf
        .i32s(op, slot::operator::INPUTS)?
        .into_iter()
        .map(|t| {
            if t < 0 {
                Ok(None)
            } else {
                index(t as i64, n, what("input")).map(Some)
            }
        })
        .collect::<Result<Vec<_>>>()?;
    let outputs = list(slot::operator::OUTPUTS, "output")?;
    let intermediates = list(slot::operator::INTERMEDIATES, "intermediate")?;
    let mut constant: Vec<usize> = inputs
        .iter()
        .flatten()
        .copied()
        .filter(|&t| tensors[t].is_constant())
        .collect();
    constant.sort_unstable_by_key(|&t| tensors[t].buffer);
    constant.dedup_by_key(|t| tensors[*t].buffer);
    let param_bytes = constant.iter().map(|&t| tensors[t].const_bytes).sum();
    Ok(Op {
        kind: names[code].clone(),
        version,
        custom,
        inputs,
        outputs,
        intermediates,
        param_bytes,
    })
}

/// The model's signature defs.
pub fn signatures(buf: &Buf, model: Table, tensors: usize) -> Result<Vec<super::Signature>> {
    use slot::signature_def as s;
    let maps = |def: Table, sl: usize| -> Result<Vec<(String, usize)>> {
        buf.tables(def, sl)?
            .into_iter()
            .map(|m| {
                let name = buf.string(m, slot::tensor_map::NAME)?.unwrap_or_default();
                let t = buf.int(m, slot::tensor_map::TENSOR_INDEX, 4, false, 0)?;
                let t = index(t, tensors, || "a signature def's tensor".to_string())?;
                Ok((String::from_utf8_lossy(name).into_owned(), t))
            })
            .collect()
    };
    buf.tables(model, slot::model::SIGNATURE_DEFS)?
        .into_iter()
        .map(|def| {
            let key = buf.string(def, s::SIGNATURE_KEY)?.unwrap_or_default();
            Ok(super::Signature {
                key: String::from_utf8_lossy(key).into_owned(),
                inputs: maps(def, s::INPUTS)?,
                outputs: maps(def, s::OUTPUTS)?,
            })
        })
        .collect()
}

/// Names of the model's metadata entries.
pub fn metadata_names(buf: &Buf, model: Table) -> Result<Vec<String>> {
    buf.tables(model, slot::model::METADATA)?
        .into_iter()
        .map(|m| {
            let name = buf.string(m, slot::metadata::NAME)?.unwrap_or_default();
            Ok(String::from_utf8_lossy(name).into_owned())
        })
        .collect()
}
