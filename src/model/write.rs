//! A small forward flatbuffer writer: a tree of [`Node`]s laid out parent first, children
//! after (so every `uoffset` points forward), each object aligned to its own needs, vectors of
//! bytes that hold tensor data aligned to 16 (the schema's `force_align: 16` for
//! `Buffer.data`).

use std::borrow::Cow;

/// A value to write.
#[derive(Debug, Clone)]
pub enum Node<'a> {
    /// A table: (slot, value), scalars inline.
    Table(Vec<(usize, Node<'a>)>),
    /// An inline scalar: its little-endian bytes (1, 2, 4 or 8).
    Scalar(Cow<'a, [u8]>),
    /// A vector of scalars: the raw element bytes, element size and the alignment of the data.
    Vector {
        /// Element bytes.
        bytes: Cow<'a, [u8]>,
        /// Element size.
        elem: usize,
        /// Alignment of the first element (at least 4).
        align: usize,
    },
    /// A string (the terminating NUL is added).
    String(Cow<'a, [u8]>),
    /// A vector of tables.
    Tables(Vec<Node<'a>>),
    /// A vector of strings.
    Strings(Vec<Cow<'a, [u8]>>),
}

impl<'a> Node<'a> {
    /// A scalar vector of `elem`-byte elements, aligned to at least 4.
    pub fn vector(bytes: impl Into<Cow<'a, [u8]>>, elem: usize) -> Node<'a> {
        Node::Vector {
            bytes: bytes.into(),
            elem,
            align: elem.max(4),
        }
    }

    /// A vector of i32.
    pub fn i32s(values: &[i32]) -> Node<'a> {
        Node::vector(
            values
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect::<Vec<u8>>(),
            4,
        )
    }

    /// An inline scalar.
    pub fn scalar(bytes: &[u8]) -> Node<'a> {
        Node::Scalar(Cow::Owned(bytes.to_vec()))
    }
}

/// The output got larger than a flatbuffer can address.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("the segment would be larger than 2 GiB, more than a flatbuffer can address")]
pub struct TooLarge;

struct Writer {
    out: Vec<u8>,
}

fn align_up(n: usize, a: usize) -> usize {
    n.div_ceil(a) * a
}

impl Writer {
    fn pad_to(&mut self, pos: usize) {
        self.out.resize(pos, 0);
    }

    fn patch(&mut self, at: usize, target: usize) -> Result<(), TooLarge> {
        let off = u32::try_from(target - at).map_err(|_| TooLarge)?;
        self.out[at..at + 4].copy_from_slice(&off.to_le_bytes());
        Ok(())
    }

    /// Writes a table and everything below it; returns its position.
    fn table(&mut self, fields: &[(usize, Node)]) -> Result<usize, TooLarge> {
        let slots = fields.iter().map(|(s, _)| s + 1).max().unwrap_or(0);
        let vt_len = 4 + 2 * slots;
        // Inline layout: soffset, then scalars by falling size, then uoffsets.
        let mut order: Vec<usize> = (0..fields.len()).collect();
        let size_of = |n: &Node| match n {
            Node::Scalar(b) => b.len(),
            _ => 4,
        };
        order.sort_by_key(|&i| std::cmp::Reverse(size_of(&fields[i].1)));
        let mut at = vec![0usize; fields.len()];
        let mut cursor = 4;
        let mut table_align = 4;
        for &i in &order {
            let size = size_of(&fields[i].1);
            cursor = align_up(cursor, size);
            at[i] = cursor;
            cursor += size;
            table_align = table_align.max(size);
        }
        let inline_len = align_up(cursor, 4);
        let pos = align_up(self.out.len() + vt_len, table_align);
        let vtable = pos - vt_len;
        self.pad_to(vtable);
        let mut vt = vec![0u16; 2 + slots];
        vt[0] = vt_len as u16;
        vt[1] = u16::try_from(inline_len).map_err(|_| TooLarge)?;
        for (i, (s, _)) in fields.iter().enumerate() {
            vt[2 + s] = at[i] as u16;
        }
        self.out.extend(vt.iter().flat_map(|v| v.to_le_bytes()));
        self.out.extend(((pos - vtable) as i32).to_le_bytes());
        self.pad_to(pos + inline_len);
        for (i, (_, n)) in fields.iter().enumerate() {
            if let Node::Scalar(b) = n {
                self.out[pos + at[i]..pos + at[i] + b.len()].copy_from_slice(b);
            }
        }
        for (i, (_, n)) in fields.iter().enumerate() {
            if !matches!(n, Node::Scalar(_)) {
                let child = self.node(n)?;
                self.patch(pos + at[i], child)?;
            }
        }
        Ok(pos)
    }

    /// Writes an offset target (a table, vector or string); returns its position.
    fn node(&mut self, n: &Node) -> Result<usize, TooLarge> {
        let pos = match n {
            Node::Table(fields) => return self.table(fields),
            Node::Scalar(_) => unreachable!("scalars are inline"),
            Node::Vector { bytes, elem, align } => {
                let pos = align_up(self.out.len() + 4, *align) - 4;
                self.pad_to(pos);
                let len = u32::try_from(bytes.len() / elem).map_err(|_| TooLarge)?;
                self.out.extend(len.to_le_bytes());
                self.out.extend_from_slice(bytes);
                pos
            }
            Node::String(s) => self.string(s)?,
            Node::Tables(items) => {
                let pos = self.offsets(items.len())?;
                for (i, item) in items.iter().enumerate() {
                    let child = self.node(item)?;
                    self.patch(pos + 4 + 4 * i, child)?;
                }
                pos
            }
            Node::Strings(items) => {
                let pos = self.offsets(items.len())?;
                for (i, s) in items.iter().enumerate() {
                    let child = self.string(s)?;
                    self.patch(pos + 4 + 4 * i, child)?;
                }
                pos
            }
        };
        if self.out.len() > i32::MAX as usize {
            return Err(TooLarge);
        }
        Ok(pos)
    }

    fn offsets(&mut self, n: usize) -> Result<usize, TooLarge> {
        let pos = align_up(self.out.len(), 4);
        self.pad_to(pos);
        self.out
            .extend(u32::try_from(n).map_err(|_| TooLarge)?.to_le_bytes());
        self.pad_to(pos + 4 + 4 * n);
        Ok(pos)
    }

    fn string(&mut self, s: &[u8]) -> Result<usize, TooLarge> {
        let pos = align_up(self.out.len(), 4);
        self.pad_to(pos);
        self.out
            .extend(u32::try_from(s.len()).map_err(|_| TooLarge)?.to_le_bytes());
        self.out.extend_from_slice(s);
        self.out.push(0);
        Ok(pos)
    }
}

/// Serialises `root` (a table) as a flatbuffer with file identifier `TFL3`.
pub fn finish(root: &Node, capacity: usize) -> Result<Vec<u8>, TooLarge> {
    let Node::Table(fields) = root else {
        unreachable!("the root is a table")
    };
    let mut w = Writer {
        out: Vec::with_capacity(capacity),
    };
    w.out.extend([0, 0, 0, 0]);
    w.out.extend(b"TFL3");
    let pos = w.table(fields)?;
    w.patch(0, pos)?;
    let len = align_up(w.out.len(), 16);
    w.pad_to(len);
    Ok(w.out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::flatbuf::Buf;

    #[test]
    fn what_is_written_reads_back() {
        let root = Node::Table(vec![
            (0, Node::scalar(&7u32.to_le_bytes())),
            (2, Node::String(Cow::Borrowed(b"hello"))),
            (
                3,
                Node::Tables(vec![Node::Table(vec![(1, Node::scalar(&[1]))])]),
            ),
            (
                4,
                Node::Vector {
                    bytes: Cow::Borrowed(&[1, 2, 3]),
                    elem: 1,
                    align: 16,
                },
            ),
            (5, Node::scalar(&(-3i64).to_le_bytes())),
        ]);
        let bytes = finish(&root, 0).unwrap();
        let buf = Buf(&bytes);
        let t = buf.root().unwrap();
        assert_eq!(buf.int(t, 0, 4, false, 0).unwrap(), 7);
        assert_eq!(buf.int(t, 1, 4, false, 9).unwrap(), 9);
        assert_eq!(buf.string(t, 2).unwrap(), Some(&b"hello"[..]));
        let subs = buf.tables(t, 3).unwrap();
        assert_eq!(buf.int(subs[0], 1, 1, false, 0).unwrap(), 1);
        let (start, len) = buf.vector(t, 4, 1).unwrap().unwrap();
        assert_eq!((start % 16, len), (0, 3));
        assert_eq!(buf.int(t, 5, 8, true, 0).unwrap(), -3);
    }
}
