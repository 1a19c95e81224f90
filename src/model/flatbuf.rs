//! A bounds-checked walk over the raw TFLite flatbuffer, done before the TF 1.15 object API of
//! the `tflite` crate unpacks the bytes.
//!
//! Why: that object API knows the schema of TensorFlow 1.15. Fields added later (sparsity,
//! shape signatures, large buffers, builtin codes past 119, ...) are silently dropped when it
//! unpacks and re-packs a model, and enum values it does not know would become invalid Rust
//! enums. This walk reads exactly those places and either refuses the model with a reason or
//! records what a segment will not carry (signature defs, metadata). Every read is checked
//! against the slice; nothing here can panic on hostile input.

use super::ModelErrorKind;

/// The newest builtin operator the TF 1.15 schema knows (`BuiltinOperator_WHILE`).
pub const MAX_BUILTIN_OP: i32 = 119;
/// The newest `BuiltinOptions` union tag the TF 1.15 schema knows (`DepthToSpaceOptions`).
const MAX_BUILTIN_OPTIONS: u8 = 94;
/// The newest `TensorType` the TF 1.15 schema knows (`INT8`).
const MAX_TENSOR_TYPE: u8 = 9;

/// What the walk learnt that is worth telling the user.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct SchemaNotes {
    /// Model-level fields a segment will not carry, in words.
    pub dropped: Vec<String>,
}

type Result<T> = std::result::Result<T, ModelErrorKind>;

fn corrupt(what: &str) -> ModelErrorKind {
    ModelErrorKind::Corrupt(what.to_string())
}

#[derive(Clone, Copy)]
struct Table {
    pos: usize,
    vtable: usize,
    vtable_len: usize,
}

struct Buf<'a>(&'a [u8]);

impl<'a> Buf<'a> {
    fn bytes<const N: usize>(&self, at: usize) -> Result<[u8; N]> {
        let end = at
            .checked_add(N)
            .ok_or_else(|| corrupt("offset overflow"))?;
        let slice = self
            .0
            .get(at..end)
            .ok_or_else(|| corrupt("an offset points past the end of the file (truncated?)"))?;
        let mut out = [0u8; N];
        out.copy_from_slice(slice);
        Ok(out)
    }
    fn u8(&self, at: usize) -> Result<u8> {
        Ok(self.bytes::<1>(at)?[0])
    }
    fn u16(&self, at: usize) -> Result<u16> {
        Ok(u16::from_le_bytes(self.bytes(at)?))
    }
    fn u32(&self, at: usize) -> Result<u32> {
        Ok(u32::from_le_bytes(self.bytes(at)?))
    }
    fn i32(&self, at: usize) -> Result<i32> {
        Ok(i32::from_le_bytes(self.bytes(at)?))
    }
    fn u64(&self, at: usize) -> Result<u64> {
        Ok(u64::from_le_bytes(self.bytes(at)?))
    }

    /// Follows a forward `uoffset` stored at `at`.
    fn follow(&self, at: usize) -> Result<usize> {
        let off = self.u32(at)? as usize;
        at.checked_add(off)
            .filter(|&p| p < self.0.len())
            .ok_or_else(|| corrupt("an offset points past the end of the file (truncated?)"))
    }

    fn table(&self, pos: usize) -> Result<Table> {
        let soff = self.i32(pos)? as i64;
        let vtable = pos as i64 - soff;
        if vtable < 0 || vtable as usize >= self.0.len() {
            return Err(corrupt("a table's vtable lies outside the file"));
        }
        let vtable = vtable as usize;
        let vtable_len = self.u16(vtable)? as usize;
        if vtable_len < 4 || !vtable_len.is_multiple_of(2) {
            return Err(corrupt("a vtable has an impossible size"));
        }
        Ok(Table {
            pos,
            vtable,
            vtable_len,
        })
    }

    /// Position of field `id` inside table `t`, or `None` when the field is absent.
    fn field(&self, t: Table, id: usize) -> Result<Option<usize>> {
        let slot = 4 + 2 * id;
        if slot + 2 > t.vtable_len {
            return Ok(None);
        }
        let off = self.u16(t.vtable + slot)? as usize;
        Ok((off != 0).then_some(t.pos + off))
    }

    fn field_u8(&self, t: Table, id: usize) -> Result<u8> {
        self.field(t, id)?.map_or(Ok(0), |p| self.u8(p))
    }
    fn field_i32(&self, t: Table, id: usize) -> Result<i32> {
        self.field(t, id)?.map_or(Ok(0), |p| self.i32(p))
    }
    fn field_u64(&self, t: Table, id: usize) -> Result<u64> {
        self.field(t, id)?.map_or(Ok(0), |p| self.u64(p))
    }
    fn field_table(&self, t: Table, id: usize) -> Result<Option<Table>> {
        match self.field(t, id)? {
            Some(p) => Ok(Some(self.table(self.follow(p)?)?)),
            None => Ok(None),
        }
    }

    /// A vector field as (position of the first element, element count).
    fn field_vector(
        &self,
        t: Table,
        id: usize,
        elem_size: usize,
    ) -> Result<Option<(usize, usize)>> {
        let Some(p) = self.field(t, id)? else {
            return Ok(None);
        };
        let start = self.follow(p)?;
        let len = self.u32(start)? as usize;
        len.checked_mul(elem_size)
            .and_then(|b| b.checked_add(start + 4))
            .filter(|&end| end <= self.0.len())
            .ok_or_else(|| corrupt("a vector runs past the end of the file (truncated?)"))?;
        Ok(Some((start + 4, len)))
    }

    fn table_vector(&self, t: Table, id: usize) -> Result<Vec<Table>> {
        let Some((start, len)) = self.field_vector(t, id, 4)? else {
            return Ok(Vec::new());
        };
        (0..len)
            .map(|i| self.table(self.follow(start + 4 * i)?))
            .collect()
    }

    fn field_str(&self, t: Table, id: usize) -> Result<Option<&'a [u8]>> {
        Ok(self
            .field_vector(t, id, 1)?
            .map(|(start, len)| &self.0[start..start + len]))
    }
}

/// Field ids of the current TFLite schema (tensorflow/lite/schema/schema.fbs).
mod id {
    pub const MODEL_OPERATOR_CODES: usize = 1;
    pub const MODEL_SUBGRAPHS: usize = 2;
    pub const MODEL_BUFFERS: usize = 4;
    pub const MODEL_METADATA_BUFFER: usize = 5;
    pub const MODEL_METADATA: usize = 6;
    pub const MODEL_SIGNATURE_DEFS: usize = 7;
    pub const OPCODE_DEPRECATED_BUILTIN: usize = 0;
    pub const OPCODE_BUILTIN: usize = 3;
    pub const SUBGRAPH_TENSORS: usize = 0;
    pub const SUBGRAPH_OPERATORS: usize = 3;
    pub const TENSOR_TYPE: usize = 1;
    pub const TENSOR_NAME: usize = 3;
    pub const TENSOR_QUANTIZATION: usize = 4;
    pub const TENSOR_SPARSITY: usize = 6;
    pub const TENSOR_SHAPE_SIGNATURE: usize = 7;
    pub const TENSOR_VARIANT_TENSORS: usize = 9;
    pub const QUANT_DETAILS_TYPE: usize = 4;
    pub const OP_BUILTIN_OPTIONS_TYPE: usize = 3;
    pub const OP_CUSTOM_OPTIONS_FORMAT: usize = 6;
    pub const OP_LARGE_CUSTOM_OPTIONS_OFFSET: usize = 9;
    pub const OP_BUILTIN_OPTIONS_2_TYPE: usize = 11;
    pub const BUFFER_OFFSET: usize = 1;
    pub const METADATA_NAME: usize = 0;
}

/// Checks `data` for what the TF 1.15 object API cannot carry. Refusals are errors; fields a
/// segment does not need are listed in the returned notes.
pub fn check(data: &[u8]) -> Result<SchemaNotes> {
    let buf = Buf(data);
    if data.len() < 8 {
        return Err(ModelErrorKind::Truncated(data.len()));
    }
    if &data[4..8] != b"TFL3" {
        return Err(ModelErrorKind::NotTflite);
    }
    let model = buf.table(buf.follow(0)?)?;
    let mut notes = SchemaNotes::default();

    let subgraphs = buf.table_vector(model, id::MODEL_SUBGRAPHS)?;
    if subgraphs.len() != 1 {
        return Err(ModelErrorKind::Unsupported(format!(
            "{} subgraphs (control flow or multi-signature model); segmenting needs exactly one",
            subgraphs.len()
        )));
    }
    check_operator_codes(&buf, model)?;
    check_buffers(&buf, model)?;
    check_tensors(&buf, subgraphs[0])?;
    check_operators(&buf, subgraphs[0])?;

    if buf.field(model, id::MODEL_SIGNATURE_DEFS)?.is_some() {
        notes
            .dropped
            .push("signature defs (segments are addressed by tensor name)".into());
    }
    let metadata = buf.table_vector(model, id::MODEL_METADATA)?;
    if !metadata.is_empty() || buf.field(model, id::MODEL_METADATA_BUFFER)?.is_some() {
        let names: Vec<String> = metadata
            .iter()
            .filter_map(|m| buf.field_str(*m, id::METADATA_NAME).ok().flatten())
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .collect();
        notes.dropped.push(format!(
            "model metadata [{}] (conversion metadata and labels are not needed to run a segment)",
            names.join(", ")
        ));
    }
    Ok(notes)
}

fn check_operator_codes(buf: &Buf, model: Table) -> Result<()> {
    for (i, code) in buf
        .table_vector(model, id::MODEL_OPERATOR_CODES)?
        .into_iter()
        .enumerate()
    {
        let deprecated = buf.field_u8(code, id::OPCODE_DEPRECATED_BUILTIN)? as i32;
        let builtin = buf.field_i32(code, id::OPCODE_BUILTIN)?.max(deprecated);
        if !(0..=MAX_BUILTIN_OP).contains(&builtin) {
            return Err(ModelErrorKind::Unsupported(format!(
                "operator code {i} is builtin op {builtin}, newer than the TensorFlow Lite 1.15 \
                 schema this build reads (builtin ops 0..={MAX_BUILTIN_OP})"
            )));
        }
    }
    Ok(())
}

fn check_buffers(buf: &Buf, model: Table) -> Result<()> {
    for (i, buffer) in buf
        .table_vector(model, id::MODEL_BUFFERS)?
        .into_iter()
        .enumerate()
    {
        if buf.field_u64(buffer, id::BUFFER_OFFSET)? != 0 {
            return Err(ModelErrorKind::Unsupported(format!(
                "buffer {i} keeps its data outside the flatbuffer (a >2 GB model layout)"
            )));
        }
    }
    Ok(())
}

fn check_tensors(buf: &Buf, subgraph: Table) -> Result<()> {
    for (i, tensor) in buf
        .table_vector(subgraph, id::SUBGRAPH_TENSORS)?
        .into_iter()
        .enumerate()
    {
        let name = buf.field_str(tensor, id::TENSOR_NAME)?.unwrap_or_default();
        let name = std::str::from_utf8(name)
            .map_err(|_| corrupt(&format!("tensor {i} has a name that is not UTF-8")))?;
        let unsupported = |what: &str| {
            Err(ModelErrorKind::Unsupported(format!(
                "tensor {i} '{name}' {what}"
            )))
        };
        let dtype = buf.field_u8(tensor, id::TENSOR_TYPE)?;
        if dtype > MAX_TENSOR_TYPE {
            return unsupported(&format!(
                "has element type {dtype}, newer than the TensorFlow Lite 1.15 schema"
            ));
        }
        if buf.field(tensor, id::TENSOR_SPARSITY)?.is_some() {
            return unsupported("is sparse; the TensorFlow Lite 1.15 schema cannot carry sparsity");
        }
        if buf.field(tensor, id::TENSOR_VARIANT_TENSORS)?.is_some() {
            return unsupported("is a variant tensor, which the TensorFlow Lite 1.15 schema lacks");
        }
        if has_dynamic_dims(buf, tensor)? {
            return unsupported(
                "has a dynamic shape signature (-1 outside the batch dimension), which the \
                 TensorFlow Lite 1.15 schema cannot carry",
            );
        }
        if let Some(q) = buf.field_table(tensor, id::TENSOR_QUANTIZATION)?
            && buf.field_u8(q, id::QUANT_DETAILS_TYPE)? > 1
        {
            return unsupported("uses a quantization scheme unknown to TensorFlow Lite 1.15");
        }
    }
    Ok(())
}

/// A shape signature only adds information when a dimension other than the batch is unknown:
/// a `-1` batch on a model whose stored shape fixes batch 1 is what every TF2 converter writes,
/// and segments keep working at that stored shape.
fn has_dynamic_dims(buf: &Buf, tensor: Table) -> Result<bool> {
    let Some((start, len)) = buf.field_vector(tensor, id::TENSOR_SHAPE_SIGNATURE, 4)? else {
        return Ok(false);
    };
    for d in 1..len {
        if buf.i32(start + 4 * d)? < 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

fn check_operators(buf: &Buf, subgraph: Table) -> Result<()> {
    for (i, op) in buf
        .table_vector(subgraph, id::SUBGRAPH_OPERATORS)?
        .into_iter()
        .enumerate()
    {
        let unsupported =
            |what: &str| Err(ModelErrorKind::Unsupported(format!("operator {i} {what}")));
        if buf.field_u8(op, id::OP_BUILTIN_OPTIONS_TYPE)? > MAX_BUILTIN_OPTIONS {
            return unsupported("has builtin options newer than the TensorFlow Lite 1.15 schema");
        }
        if buf.field_u8(op, id::OP_BUILTIN_OPTIONS_2_TYPE)? != 0 {
            return unsupported("uses builtin_options_2, which TensorFlow Lite 1.15 lacks");
        }
        if buf.field_u8(op, id::OP_CUSTOM_OPTIONS_FORMAT)? != 0 {
            return unsupported("has custom options in an unknown format");
        }
        if buf.field_u64(op, id::OP_LARGE_CUSTOM_OPTIONS_OFFSET)? != 0 {
            return unsupported("keeps its custom options outside the flatbuffer");
        }
    }
    Ok(())
}
