//! A bounds-checked reader of raw flatbuffer tables, slots and vectors.
//!
//! Every read is checked against the slice and returns an error instead of panicking, so the
//! walks built on it (the schema check, the graph reader, the copier and the proof) are safe
//! on hostile bytes.

use super::ModelErrorKind;

/// Result of a read.
pub type Result<T> = std::result::Result<T, ModelErrorKind>;

/// A corrupt-model error.
pub fn corrupt(what: impl Into<String>) -> ModelErrorKind {
    ModelErrorKind::Corrupt(what.into())
}

fn past_end() -> ModelErrorKind {
    corrupt("an offset points past the end of the file (truncated?)")
}

/// A table: where it is and where its vtable is.
#[derive(Clone, Copy, Debug)]
pub struct Table {
    /// Position of the table (its soffset to the vtable).
    pub pos: usize,
    vtable: usize,
    vtable_len: usize,
    inline_len: usize,
}

impl Table {
    /// Number of slots the vtable has.
    pub fn vtable_slots(&self) -> usize {
        (self.vtable_len - 4) / 2
    }
}

/// The bytes of a flatbuffer.
#[derive(Clone, Copy)]
pub struct Buf<'a>(pub &'a [u8]);

impl<'a> Buf<'a> {
    /// `n` bytes at `at`.
    pub fn bytes(&self, at: usize, n: usize) -> Result<&'a [u8]> {
        let end = at.checked_add(n).ok_or_else(past_end)?;
        self.0.get(at..end).ok_or_else(past_end)
    }
    fn array<const N: usize>(&self, at: usize) -> Result<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.bytes(at, N)?);
        Ok(out)
    }
    /// A little-endian u16.
    pub fn u16(&self, at: usize) -> Result<u16> {
        Ok(u16::from_le_bytes(self.array(at)?))
    }
    /// A little-endian u32.
    pub fn u32(&self, at: usize) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array(at)?))
    }
    /// A little-endian i32.
    pub fn i32(&self, at: usize) -> Result<i32> {
        Ok(i32::from_le_bytes(self.array(at)?))
    }

    /// Follows a forward `uoffset` stored at `at`.
    pub fn follow(&self, at: usize) -> Result<usize> {
        let off = self.u32(at)? as usize;
        at.checked_add(off)
            .filter(|&p| p < self.0.len())
            .ok_or_else(past_end)
    }

    /// The root table.
    pub fn root(&self) -> Result<Table> {
        if self.0.len() < 8 {
            return Err(ModelErrorKind::Truncated(self.0.len()));
        }
        if &self.0[4..8] != b"TFL3" {
            return Err(ModelErrorKind::NotTflite);
        }
        self.table(self.follow(0)?)
    }

    /// The table at `pos`.
    pub fn table(&self, pos: usize) -> Result<Table> {
        let soff = self.i32(pos)? as i64;
        let vtable = pos as i64 - soff;
        if vtable < 0 || vtable as usize >= self.0.len() {
            return Err(corrupt("a table's vtable lies outside the file"));
        }
        let vtable = vtable as usize;
        let vtable_len = self.u16(vtable)? as usize;
        let inline_len = self.u16(vtable + 2)? as usize;
        if vtable_len < 4 || !vtable_len.is_multiple_of(2) || inline_len < 4 {
            return Err(corrupt("a vtable has an impossible size"));
        }
        self.bytes(vtable, vtable_len)?;
        self.bytes(pos, inline_len)?;
        Ok(Table {
            pos,
            vtable,
            vtable_len,
            inline_len,
        })
    }

    /// The raw vtable entry of slot `id` (0 when absent).
    pub fn slot_offset(&self, t: Table, id: usize) -> Result<usize> {
        if id >= t.vtable_slots() {
            return Ok(0);
        }
        Ok(self.u16(t.vtable + 4 + 2 * id)? as usize)
    }

    /// Position of slot `id` holding `size` inline bytes, or `None` when absent.
    pub fn slot(&self, t: Table, id: usize, size: usize) -> Result<Option<usize>> {
        let off = self.slot_offset(t, id)?;
        if off == 0 {
            return Ok(None);
        }
        if off + size > t.inline_len {
            return Err(corrupt("a field lies outside its table"));
        }
        Ok(Some(t.pos + off))
    }

    /// The inline bytes of scalar slot `id`, or `None` when absent.
    pub fn scalar(&self, t: Table, id: usize, size: usize) -> Result<Option<&'a [u8]>> {
        match self.slot(t, id, size)? {
            Some(p) => Ok(Some(self.bytes(p, size)?)),
            None => Ok(None),
        }
    }

    /// Scalar slot `id` as an integer (sign-extended when `signed`), `default` when absent.
    pub fn int(&self, t: Table, id: usize, size: usize, signed: bool, default: i64) -> Result<i64> {
        Ok(match self.scalar(t, id, size)? {
            Some(b) => int_of(b, signed),
            None => default,
        })
    }

    /// The table slot `id` points at.
    pub fn sub_table(&self, t: Table, id: usize) -> Result<Option<Table>> {
        match self.slot(t, id, 4)? {
            Some(p) => Ok(Some(self.table(self.follow(p)?)?)),
            None => Ok(None),
        }
    }

    /// Vector slot `id` as (position of the first element, element count).
    pub fn vector(&self, t: Table, id: usize, elem_size: usize) -> Result<Option<(usize, usize)>> {
        match self.slot(t, id, 4)? {
            Some(p) => self.vector_at(self.follow(p)?, elem_size).map(Some),
            None => Ok(None),
        }
    }

    /// The vector whose length is at `start`.
    pub fn vector_at(&self, start: usize, elem_size: usize) -> Result<(usize, usize)> {
        let len = self.u32(start)? as usize;
        let bytes = len.checked_mul(elem_size).ok_or_else(past_end)?;
        self.bytes(start + 4, bytes)?;
        Ok((start + 4, len))
    }

    /// The bytes of a scalar vector (empty when absent).
    pub fn vector_bytes(&self, t: Table, id: usize, elem_size: usize) -> Result<&'a [u8]> {
        match self.vector(t, id, elem_size)? {
            Some((start, len)) => self.bytes(start, len * elem_size),
            None => Ok(&[]),
        }
    }

    /// The tables of a vector of tables (empty when absent).
    pub fn tables(&self, t: Table, id: usize) -> Result<Vec<Table>> {
        let Some((start, len)) = self.vector(t, id, 4)? else {
            return Ok(Vec::new());
        };
        (0..len)
            .map(|i| self.table(self.follow(start + 4 * i)?))
            .collect()
    }

    /// The string at `start` (its length prefix).
    pub fn string_at(&self, start: usize) -> Result<&'a [u8]> {
        let (start, len) = self.vector_at(start, 1)?;
        self.bytes(start, len)
    }

    /// String slot `id`, or `None` when absent.
    pub fn string(&self, t: Table, id: usize) -> Result<Option<&'a [u8]>> {
        match self.slot(t, id, 4)? {
            Some(p) => Ok(Some(self.string_at(self.follow(p)?)?)),
            None => Ok(None),
        }
    }

    /// The strings of a vector of strings (empty when absent).
    pub fn strings(&self, t: Table, id: usize) -> Result<Vec<&'a [u8]>> {
        let Some((start, len)) = self.vector(t, id, 4)? else {
            return Ok(Vec::new());
        };
        (0..len)
            .map(|i| self.string_at(self.follow(start + 4 * i)?))
            .collect()
    }

    /// A vector of i32 (empty when absent).
    pub fn i32s(&self, t: Table, id: usize) -> Result<Vec<i32>> {
        Ok(self
            .vector_bytes(t, id, 4)?
            .chunks_exact(4)
            .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }
}

/// A little-endian integer of 1, 2, 4 or 8 bytes.
pub fn int_of(b: &[u8], signed: bool) -> i64 {
    let mut raw = [0u8; 8];
    raw[..b.len()].copy_from_slice(b);
    let v = u64::from_le_bytes(raw);
    let bits = 8 * b.len() as u32;
    if signed && bits < 64 {
        let shift = 64 - bits;
        ((v << shift) as i64) >> shift
    } else {
        v as i64
    }
}
