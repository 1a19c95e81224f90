//! Mutants of real models for the command fuzz ([`crate::fuzz_commands`]): the five kinds of
//! issue 16 (bit flips, flatbuffer-aware field overwrites, truncations, splices of two real
//! models, byte overwrites), each drawn from a seeded generator, so a case number is the
//! same mutant on every machine.
//!
//! The field overwrites walk the model with the project's own schema table: every scalar
//! field of every table (option values such as strides, filter sizes and axes; tensor types,
//! buffer indices, opcode indices), the elements of scalar vectors (shapes, operator inputs
//! and outputs, quantization), vector lengths, and union tags (an options-type swap).

use std::collections::HashSet;
use std::ops::Range;

use edgepipe::model::flatbuf::{Buf, Table};
use edgepipe::model::schema::{self, Kind, Scalar, TableId, UnionId};
use edgepipe::model::schema_gen::{UNIONS, table as tid};
use edgepipe::verify::SplitMix64;

/// The seeded generator of the fuzz.
pub struct Rng(SplitMix64);

impl Rng {
    /// The generator of case `case` of `seed` (each case its own stream, any order).
    pub fn for_case(seed: u64, case: usize) -> Rng {
        Rng::new(seed ^ (case as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    pub fn new(seed: u64) -> Rng {
        Rng(SplitMix64::new(seed))
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.0.next_u64() % n.max(1) as u64) as usize
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    pub fn bits(&mut self) -> u64 {
        self.0.next_u64()
    }
}

/// A place in a model's bytes that a field overwrite may change.
#[derive(Clone, Debug)]
pub struct Site {
    pub at: usize,
    pub kind: SiteKind,
    /// `Table.field` (and `[i]` for a vector element).
    pub name: String,
}

#[derive(Clone, Copy, Debug)]
pub enum SiteKind {
    Scalar(Scalar),
    /// A union's tag: swapping it swaps the options' type.
    Tag(UnionId),
    /// A vector's u32 length.
    Len,
}

/// What the walk found in one model: the overwrite sites and the bulk data ranges (weights),
/// which the byte-level kinds mostly avoid.
pub struct Layout {
    pub sites: Vec<Site>,
    pub bulk: Vec<Range<usize>>,
}

/// Vector elements taken per vector (shapes and operator lists are short; this bounds the
/// site count of a model with big vectors).
const ELEMENTS: usize = 8;
/// A scalar vector longer than this many bytes is bulk data.
const BULK: usize = 256;

pub fn layout(bytes: &[u8]) -> Layout {
    let buf = Buf(bytes);
    let mut out = Layout {
        sites: Vec::new(),
        bulk: Vec::new(),
    };
    if let Ok(root) = buf.root() {
        let mut seen = HashSet::new();
        walk(&buf, root, tid::MODEL, &mut out, &mut seen);
    }
    out
}

fn walk(buf: &Buf, t: Table, id: TableId, out: &mut Layout, seen: &mut HashSet<usize>) {
    if !seen.insert(t.pos) {
        return;
    }
    let desc = schema::table(id);
    for (slot, field) in desc.fields.iter().enumerate() {
        let name = format!("{}.{}", desc.name, field.name);
        match field.kind {
            Kind::Scalar(s) => {
                if let Ok(Some(at)) = buf.slot(t, slot, s.size()) {
                    let kind = SiteKind::Scalar(s);
                    out.sites.push(Site { at, kind, name });
                }
            }
            Kind::UnionTag(u) => {
                if let Ok(Some(at)) = buf.slot(t, slot, 1) {
                    let kind = SiteKind::Tag(u);
                    out.sites.push(Site { at, kind, name });
                }
            }
            Kind::VecScalar(s) => vector(buf, t, slot, s, name, out),
            Kind::Table(sub) => {
                if let Ok(Some(st)) = buf.sub_table(t, slot) {
                    walk(buf, st, sub, out, seen);
                }
            }
            Kind::VecTable(sub) => {
                if let Ok(Some((start, _))) = buf.vector(t, slot, 4) {
                    let kind = SiteKind::Len;
                    let at = start - 4;
                    out.sites.push(Site { at, kind, name });
                }
                for st in buf.tables(t, slot).unwrap_or_default() {
                    walk(buf, st, sub, out, seen);
                }
            }
            Kind::UnionValue { union, tag } => {
                let tag = buf.int(t, tag, 1, false, 0).unwrap_or(0) as u8;
                let member = schema::member(union, tag);
                if let (Some((_, sub)), Ok(Some(st))) = (member, buf.sub_table(t, slot)) {
                    walk(buf, st, sub, out, seen);
                }
            }
            _ => {}
        }
    }
}

fn vector(buf: &Buf, t: Table, slot: usize, s: Scalar, name: String, out: &mut Layout) {
    let Ok(Some((start, len))) = buf.vector(t, slot, s.size()) else {
        return;
    };
    let bytes = len * s.size();
    if bytes > BULK {
        out.bulk.push(start..start + bytes);
    }
    out.sites.push(Site {
        at: start - 4,
        kind: SiteKind::Len,
        name: format!("{name}.len"),
    });
    for i in 0..len.min(ELEMENTS) {
        out.sites.push(Site {
            at: start + i * s.size(),
            kind: SiteKind::Scalar(s),
            name: format!("{name}[{i}]"),
        });
    }
}

/// The mutation kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mutation {
    BitFlip,
    FieldOverwrite,
    Truncation,
    Splice,
    ByteOverwrite,
}

pub const KINDS: [Mutation; 5] = [
    Mutation::BitFlip,
    Mutation::FieldOverwrite,
    Mutation::Truncation,
    Mutation::Splice,
    Mutation::ByteOverwrite,
];

/// Integer values an overwrite tries: zero, negatives, off-by-ones, huge ones.
const INTS: [i64; 16] = [
    0,
    -1,
    1,
    2,
    3,
    4,
    -2,
    7,
    255,
    65535,
    1 << 20,
    1 << 30,
    -(1 << 30),
    i32::MAX as i64,
    i32::MIN as i64,
    i64::MAX,
];
const FLOATS: [f64; 9] = [
    0.0,
    -1.0,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    1e30,
    1e-30,
    -1e-3,
    1e300,
];

/// A position, mostly outside the bulk data (structure: tables, vtables, offsets).
fn position(rng: &mut Rng, len: usize, bulk: &[Range<usize>]) -> usize {
    let mut at = rng.below(len);
    for _ in 0..8 {
        if !bulk.iter().any(|r| r.contains(&at)) {
            break;
        }
        at = rng.below(len);
    }
    at
}

fn overwrite(rng: &mut Rng, bytes: &mut [u8], site: &Site) -> String {
    let (size, value) = match site.kind {
        SiteKind::Scalar(Scalar::F32) => {
            let v = *rng.pick(&FLOATS) as f32;
            (4, u64::from(v.to_bits()))
        }
        SiteKind::Scalar(Scalar::F64) => (8, rng.pick(&FLOATS).to_bits()),
        SiteKind::Scalar(s) => {
            let v = if rng.chance(15) {
                rng.bits() as i64
            } else {
                *rng.pick(&INTS)
            };
            (s.size(), v as u64)
        }
        SiteKind::Tag(u) => {
            let members = UNIONS[u].members;
            let tag = match rng.below(10) {
                0 => 0,
                1 => 255,
                _ => rng.pick(members).0,
            };
            (1, u64::from(tag))
        }
        SiteKind::Len => {
            let v = match rng.below(4) {
                0 => 0,
                1 => 1 << 30,
                _ => rng.below(64) as u64,
            };
            (4, v)
        }
    };
    let end = (site.at + size).min(bytes.len());
    let n = end.saturating_sub(site.at).max(1);
    if site.at >= bytes.len() {
        return format!("{}: past the end", site.name);
    }
    bytes[site.at..end].copy_from_slice(&value.to_le_bytes()[..n]);
    format!(
        "{} = {:#x}",
        site.name,
        value & (u64::MAX >> (64 - 8 * n as u32))
    )
}

/// Mutant `rng` makes of `base` (with `other`, a second real model, for splices): the bytes
/// and what was done, for the report.
pub fn mutate(
    rng: &mut Rng,
    kind: Mutation,
    base: &[u8],
    layout: &Layout,
    other: &[u8],
) -> (Vec<u8>, String) {
    let mut bytes = base.to_vec();
    let len = bytes.len();
    let what = match kind {
        Mutation::BitFlip => {
            let mut what = Vec::new();
            for _ in 0..1 + rng.below(4) {
                let at = position(rng, len, &layout.bulk);
                let bit = rng.below(8);
                bytes[at] ^= 1 << bit;
                what.push(format!("bit {bit} of byte {at}"));
            }
            format!("flip {}", what.join(", "))
        }
        Mutation::FieldOverwrite if !layout.sites.is_empty() => {
            let mut what = Vec::new();
            for _ in 0..1 + rng.below(2) {
                let site = rng.pick(&layout.sites).clone();
                what.push(format!(
                    "{} at {}",
                    overwrite(rng, &mut bytes, &site),
                    site.at
                ));
            }
            format!("set {}", what.join(", "))
        }
        Mutation::FieldOverwrite | Mutation::ByteOverwrite => {
            let at = position(rng, len, &layout.bulk);
            let n = (1 + rng.below(16)).min(len - at);
            let fill = rng.below(4);
            for b in &mut bytes[at..at + n] {
                *b = match fill {
                    0 => 0,
                    1 => 0xff,
                    _ => rng.bits() as u8,
                };
            }
            format!(
                "overwrite {n} byte(s) at {at} ({})",
                ["zeros", "0xff", "random", "random"][fill]
            )
        }
        Mutation::Truncation => {
            let cut = match rng.below(3) {
                0 => len.saturating_sub(1 + rng.below(64)),
                1 => rng.below(len.min(512)),
                _ => rng.below(len),
            };
            bytes.truncate(cut);
            format!("truncate to {cut} of {len} bytes")
        }
        Mutation::Splice => {
            let at = rng.below(len);
            let from = rng.below(other.len());
            if rng.chance(50) {
                bytes.truncate(at);
                bytes.extend_from_slice(&other[from..]);
                format!("splice: bytes 0..{at}, then the other model from {from}")
            } else {
                let n = (1 + rng.below(512)).min(len - at).min(other.len() - from);
                bytes[at..at + n].copy_from_slice(&other[from..from + n]);
                format!("splice: {n} byte(s) of the other model from {from} over {at}")
            }
        }
    };
    (bytes, what)
}
