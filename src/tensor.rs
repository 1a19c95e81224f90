//! Tensor metadata, one home for the whole crate: element types ([`DType`], every
//! `TensorType` of the current TensorFlow Lite schema), affine quantization ([`Quantization`],
//! per tensor or per channel) and the name/type/shape/quantization of an engine's input or
//! output ([`TensorSpec`]).
//!
//! The model layer ([`crate::model`]) builds these from the model file; engines, the pipeline,
//! capture and classify take them from there, never by re-parsing a model.

use serde::Serialize;

use crate::model::schema_gen::TENSOR_TYPE;

/// Element type of a tensor: every `TensorType` of the current schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum DType {
    Float32,
    Float16,
    Int32,
    Uint8,
    Int64,
    String,
    Bool,
    Int16,
    Complex64,
    Int8,
    Float64,
    Complex128,
    Uint64,
    Resource,
    Variant,
    Uint32,
    Uint16,
    Int4,
    Bfloat16,
    Int2,
    Uint4,
    #[serde(rename = "float8_e4m3fn")]
    Float8E4m3fn,
    #[serde(rename = "float8_e5m2")]
    Float8E5m2,
}

impl DType {
    /// Bits per element (strings, resources and variants have no fixed size: 8).
    pub fn bits(self) -> usize {
        use DType::*;
        match self {
            Int2 => 2,
            Int4 | Uint4 => 4,
            Uint8 | Int8 | Bool | String | Resource | Variant | Float8E4m3fn | Float8E5m2 => 8,
            Float16 | Int16 | Uint16 | Bfloat16 => 16,
            Float32 | Int32 | Uint32 => 32,
            Int64 | Uint64 | Float64 | Complex64 => 64,
            Complex128 => 128,
        }
    }

    /// Bytes per element, at least 1 (sub-byte types are packed: see [`DType::bytes_for`]).
    pub fn size(self) -> usize {
        self.bits().div_ceil(8)
    }

    /// Bytes that `elements` elements take, packed for sub-byte types.
    pub fn bytes_for(self, elements: usize) -> Option<usize> {
        elements.checked_mul(self.bits()).map(|b| b.div_ceil(8))
    }

    /// The type with the schema's `TensorType` value `v`, or `None` when the schema this build
    /// was generated from does not know `v`.
    pub fn from_schema(v: i64) -> Option<DType> {
        let name = TENSOR_TYPE.iter().find(|(value, _)| *value == v)?.1;
        DType::from_schema_name(name)
    }

    /// The type the schema calls `name` (`"INT8"`).
    pub fn from_schema_name(name: &str) -> Option<DType> {
        use DType::*;
        Some(match name {
            "FLOAT32" => Float32,
            "FLOAT16" => Float16,
            "INT32" => Int32,
            "UINT8" => Uint8,
            "INT64" => Int64,
            "STRING" => String,
            "BOOL" => Bool,
            "INT16" => Int16,
            "COMPLEX64" => Complex64,
            "INT8" => Int8,
            "FLOAT64" => Float64,
            "COMPLEX128" => Complex128,
            "UINT64" => Uint64,
            "RESOURCE" => Resource,
            "VARIANT" => Variant,
            "UINT32" => Uint32,
            "UINT16" => Uint16,
            "INT4" => Int4,
            "BFLOAT16" => Bfloat16,
            "INT2" => Int2,
            "UINT4" => Uint4,
            "FLOAT8_E4M3FN" => Float8E4m3fn,
            "FLOAT8_E5M2" => Float8E5m2,
            _ => return None,
        })
    }
}

impl std::fmt::Display for DType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = serde_json::to_value(self).ok();
        let name = name.as_ref().and_then(|v| v.as_str()).unwrap_or("?");
        f.write_str(name)
    }
}

/// Affine quantization of a tensor: real = scale * (q - zero_point), per tensor or per channel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quantization {
    /// One scale per tensor, or per channel along `dimension`.
    pub scale: Vec<f32>,
    /// Zero points matching `scale`.
    pub zero_point: Vec<i64>,
    /// The channel dimension of per-channel quantization (`quantized_dimension`).
    pub dimension: i32,
}

impl Quantization {
    /// True when there is one scale per channel rather than one for the tensor.
    pub fn is_per_channel(&self) -> bool {
        self.scale.len() > 1
    }
}

/// Name, type, shape and quantization of an input or output tensor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TensorSpec {
    /// Tensor name (the routing key between segments).
    pub name: String,
    /// Element type.
    pub dtype: DType,
    /// Shape.
    pub shape: Vec<usize>,
    /// Size in bytes.
    pub bytes: usize,
    /// Quantization, when the tensor is quantized.
    pub quantization: Option<Quantization>,
}

impl TensorSpec {
    /// A spec without quantization, its size computed from the shape.
    pub fn new(name: &str, dtype: DType, shape: &[usize]) -> TensorSpec {
        let elements = shape.iter().product::<usize>();
        TensorSpec {
            name: name.into(),
            dtype,
            shape: shape.to_vec(),
            bytes: dtype.bytes_for(elements).unwrap_or(usize::MAX),
            quantization: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_tensor_type_has_a_dtype() {
        for (value, name) in TENSOR_TYPE {
            assert!(
                DType::from_schema(*value).is_some(),
                "TensorType {name} ({value}) has no DType"
            );
        }
        assert_eq!(DType::from_schema(9), Some(DType::Int8));
        assert_eq!(DType::from_schema(17), Some(DType::Int4));
        assert_eq!(DType::from_schema(1000), None);
    }

    #[test]
    fn sub_byte_types_are_packed() {
        assert_eq!(DType::Int4.bytes_for(5), Some(3));
        assert_eq!(TensorSpec::new("x", DType::Int4, &[2, 4]).bytes, 4);
        assert_eq!(TensorSpec::new("x", DType::Float32, &[2, 4]).bytes, 32);
    }
}
