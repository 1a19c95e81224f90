//! The shape of the generated field table ([`super::schema_gen`]) and look-ups in it.
//!
//! Every table of the current TensorFlow Lite schema is a [`TableDesc`]: its slot count and,
//! per slot (field id), the [`Kind`] of value it holds and the schema default. The reader's
//! checks, the copier and the proof are all driven by it, so none of them lists fields by hand.

use super::schema_gen::{self, TABLES, UNIONS};

/// Index into [`TABLES`].
pub type TableId = usize;
/// Index into [`UNIONS`].
pub type UnionId = usize;

/// A scalar type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Scalar {
    Bool,
    I8,
    U8,
    I16,
    U16,
    I32,
    U32,
    I64,
    U64,
    F32,
    F64,
}

impl Scalar {
    /// Size in bytes.
    pub const fn size(self) -> usize {
        match self {
            Scalar::Bool | Scalar::I8 | Scalar::U8 => 1,
            Scalar::I16 | Scalar::U16 => 2,
            Scalar::I32 | Scalar::U32 | Scalar::F32 => 4,
            Scalar::I64 | Scalar::U64 | Scalar::F64 => 8,
        }
    }
}

/// What one slot holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An inline scalar.
    Scalar(Scalar),
    /// A string.
    String,
    /// A vector of scalars.
    VecScalar(Scalar),
    /// A vector of strings.
    VecString,
    /// A vector of tables.
    VecTable(TableId),
    /// A table.
    Table(TableId),
    /// The ubyte tag of a union.
    UnionTag(UnionId),
    /// The value of a union whose tag is in slot `tag`.
    UnionValue {
        /// The union.
        union: UnionId,
        /// Slot of its tag.
        tag: usize,
    },
    /// A slot the schema has deprecated: its type is no longer known.
    Deprecated,
}

/// One slot.
#[derive(Debug)]
pub struct Field {
    /// Field name (snake case).
    pub name: &'static str,
    /// What it holds.
    pub kind: Kind,
    /// For scalars: the default as little-endian bits.
    pub default: u64,
}

/// One table.
#[derive(Debug)]
pub struct TableDesc {
    /// Table name.
    pub name: &'static str,
    /// Number of slots (the schema's field count, deprecated ones included).
    pub slots: usize,
    /// The slots, by id.
    pub fields: &'static [Field],
}

/// One union: (tag, member name, member table).
#[derive(Debug)]
pub struct UnionDesc {
    /// Union name.
    pub name: &'static str,
    /// Members.
    pub members: &'static [(u8, &'static str, TableId)],
}

/// The table with id `id`.
pub fn table(id: TableId) -> &'static TableDesc {
    &TABLES[id]
}

/// The member of union `u` with tag `tag`: (name, table).
pub fn member(u: UnionId, tag: u8) -> Option<(&'static str, TableId)> {
    UNIONS[u]
        .members
        .iter()
        .find(|m| m.0 == tag)
        .map(|m| (m.1, m.2))
}

/// The name of union `u`.
pub fn union_name(u: UnionId) -> &'static str {
    UNIONS[u].name
}

/// The name of builtin operator `code` (`CONV_2D`), when the schema knows it.
pub fn builtin_name(code: i64) -> Option<&'static str> {
    schema_gen::BUILTIN_OPERATOR
        .iter()
        .find(|(v, _)| *v == code)
        .map(|(_, n)| *n)
}

/// A builtin operator's code, by name.
pub fn builtin_code(name: &str) -> Option<i64> {
    schema_gen::BUILTIN_OPERATOR
        .iter()
        .find(|(_, n)| *n == name)
        .map(|(v, _)| *v)
}

/// The name of `TensorType` `value`, when the schema knows it.
pub fn tensor_type_name(value: i64) -> Option<&'static str> {
    schema_gen::TENSOR_TYPE
        .iter()
        .find(|(v, _)| *v == value)
        .map(|(_, n)| *n)
}

/// True for an option table that names other subgraphs (IF, WHILE, CALL_ONCE, StableHLO
/// while/case/composite/reduce/sort/scatter): a field whose name says it holds a subgraph.
pub fn holds_subgraph_index(id: TableId) -> bool {
    table(id).fields.iter().any(|f| f.name.contains("subgraph"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::schema_gen::{slot, table as t, union as u};

    #[test]
    fn the_generated_table_knows_the_fields_that_changed_results() {
        let f = |id: TableId, s: usize| table(id).fields[s].name;
        assert_eq!(
            f(
                t::RESIZE_BILINEAR_OPTIONS,
                slot::resize_bilinear_options::HALF_PIXEL_CENTERS
            ),
            "half_pixel_centers"
        );
        assert_eq!(f(t::TRANSPOSE_CONV_OPTIONS, 3), "fused_activation_function");
        assert_eq!(f(t::GATHER_OPTIONS, 1), "batch_dims");
        assert_eq!(
            table(t::OPERATOR).fields[slot::operator::BUILTIN_OPTIONS].kind,
            Kind::UnionValue {
                union: u::BUILTIN_OPTIONS,
                tag: slot::operator::BUILTIN_OPTIONS_TYPE
            }
        );
        assert_eq!(builtin_name(150), Some("GELU"));
        assert_eq!(builtin_code("BATCH_MATMUL"), Some(126));
        assert!(holds_subgraph_index(t::WHILE_OPTIONS));
        assert!(holds_subgraph_index(t::CALL_ONCE_OPTIONS));
        assert!(!holds_subgraph_index(t::CONV2_D_OPTIONS));
        assert_eq!(
            member(u::BUILTIN_OPTIONS, 15).map(|m| m.0),
            Some("ResizeBilinearOptions")
        );
    }
}
