//! The field table of the current TensorFlow Lite schema. GENERATED: do not edit.
//! Source: ai_edge_litert/schema_py_generated.py of the ai-edge-litert 2.3.0 wheel (ai_edge_litert-2.3.0-cp311-cp311-manylinux_2_27_x86_64.whl, sha256 1f15078a6725d2357d9de9221664c29afa0545d807559c5f7199ce5e40b96b23).
//! Regenerate with `tools/gen-schema-table.sh` (see tools/gen-schema-table.py).
#![allow(missing_docs)]

use super::schema::{Field, Kind, Scalar, TableDesc, UnionDesc};

/// Every table of the schema, by [`TableId`](super::schema::TableId).
pub static TABLES: [TableDesc; 170] = [
    TableDesc {
        name: "ATan2Options",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "AbsOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "AddNOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "AddOptions",
        slots: 2,
        fields: &[
            Field {
                name: "fused_activation_function",
                kind: Kind::Scalar(Scalar::I8),
                default: 0x0,
            },
            Field {
                name: "pot_scale_int16",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x1,
            },
        ],
    },
    TableDesc {
        name: "ArgMaxOptions",
        slots: 1,
        fields: &[Field {
            name: "output_type",
            kind: Kind::Scalar(Scalar::I8),
            default: 0x0,
        }],
    },
    TableDesc {
        name: "ArgMinOptions",
        slots: 1,
        fields: &[Field {
            name: "output_type",
            kind: Kind::Scalar(Scalar::I8),
            default: 0x0,
        }],
    },
    TableDesc {
        name: "AssignVariableOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "BatchMatMulOptions",
        slots: 3,
        fields: &[
            Field {
                name: "adj_x",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x0,
            },
            Field {
                name: "adj_y",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x0,
            },
            Field {
                name: "asymmetric_quantize_inputs",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "BatchToSpaceNDOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "BidirectionalSequenceLSTMOptions",
        slots: 6,
        fields: &[
            Field {
                name: "fused_activation_function",
                kind: Kind::Scalar(Scalar::I8),
                default: 0x0,
            },
            Field {
                name: "cell_clip",
                kind: Kind::Scalar(Scalar::F32),
                default: 0x0,
            },
            Field {
                name: "proj_clip",
                kind: Kind::Scalar(Scalar::F32),
                default: 0x0,
            },
            Field {
                name: "merge_outputs",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x0,
            },
            Field {
                name: "time_major",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x1,
            },
            Field {
                name: "asymmetric_quantize_inputs",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "BidirectionalSequenceRNNOptions",
        slots: 4,
        fields: &[
            Field {
                name: "time_major",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x0,
            },
            Field {
                name: "fused_activation_function",
                kind: Kind::Scalar(Scalar::I8),
                default: 0x0,
            },
            Field {
                name: "merge_outputs",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x0,
            },
            Field {
                name: "asymmetric_quantize_inputs",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "BitcastOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "BitwiseXorOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "BlockwiseQuantization",
        slots: 4,
        fields: &[
            Field {
                name: "scales",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "zero_points",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "block_size",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "block_shape",
                kind: Kind::VecScalar(Scalar::I32),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "BroadcastToOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "BucketizeOptions",
        slots: 1,
        fields: &[Field {
            name: "boundaries",
            kind: Kind::VecScalar(Scalar::F32),
            default: 0x0,
        }],
    },
    TableDesc {
        name: "Buffer",
        slots: 3,
        fields: &[
            Field {
                name: "data",
                kind: Kind::VecScalar(Scalar::U8),
                default: 0x0,
            },
            Field {
                name: "offset",
                kind: Kind::Scalar(Scalar::U64),
                default: 0x0,
            },
            Field {
                name: "size",
                kind: Kind::Scalar(Scalar::U64),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "CallOnceOptions",
        slots: 1,
        fields: &[Field {
            name: "init_subgraph_index",
            kind: Kind::Scalar(Scalar::I32),
            default: 0x0,
        }],
    },
    TableDesc {
        name: "CallOptions",
        slots: 1,
        fields: &[Field {
            name: "subgraph",
            kind: Kind::Scalar(Scalar::U32),
            default: 0x0,
        }],
    },
    TableDesc {
        name: "CastOptions",
        slots: 2,
        fields: &[
            Field {
                name: "in_data_type",
                kind: Kind::Scalar(Scalar::I8),
                default: 0x0,
            },
            Field {
                name: "out_data_type",
                kind: Kind::Scalar(Scalar::I8),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "ConcatEmbeddingsOptions",
        slots: 3,
        fields: &[
            Field {
                name: "num_channels",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "num_columns_per_channel",
                kind: Kind::VecScalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "embedding_dim_per_channel",
                kind: Kind::VecScalar(Scalar::I32),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "ConcatenationOptions",
        slots: 2,
        fields: &[
            Field {
                name: "axis",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "fused_activation_function",
                kind: Kind::Scalar(Scalar::I8),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "Conv2DOptions",
        slots: 7,
        fields: &[
            Field {
                name: "padding",
                kind: Kind::Scalar(Scalar::I8),
                default: 0x0,
            },
            Field {
                name: "stride_w",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "stride_h",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "fused_activation_function",
                kind: Kind::Scalar(Scalar::I8),
                default: 0x0,
            },
            Field {
                name: "dilation_w_factor",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x1,
            },
            Field {
                name: "dilation_h_factor",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x1,
            },
            Field {
                name: "quantized_bias_type",
                kind: Kind::Scalar(Scalar::I8),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "Conv3DOptions",
        slots: 8,
        fields: &[
            Field {
                name: "padding",
                kind: Kind::Scalar(Scalar::I8),
                default: 0x0,
            },
            Field {
                name: "stride_d",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "stride_w",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "stride_h",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "fused_activation_function",
                kind: Kind::Scalar(Scalar::I8),
                default: 0x0,
            },
            Field {
                name: "dilation_d_factor",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x1,
            },
            Field {
                name: "dilation_w_factor",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x1,
            },
            Field {
                name: "dilation_h_factor",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x1,
            },
        ],
    },
    TableDesc {
        name: "CosOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "CumsumOptions",
        slots: 2,
        fields: &[
            Field {
                name: "exclusive",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x0,
            },
            Field {
                name: "reverse",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "CustomQuantization",
        slots: 1,
        fields: &[Field {
            name: "custom",
            kind: Kind::VecScalar(Scalar::U8),
            default: 0x0,
        }],
    },
    TableDesc {
        name: "DensifyOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "DepthToSpaceOptions",
        slots: 1,
        fields: &[Field {
            name: "block_size",
            kind: Kind::Scalar(Scalar::I32),
            default: 0x0,
        }],
    },
    TableDesc {
        name: "DepthwiseConv2DOptions",
        slots: 7,
        fields: &[
            Field {
                name: "padding",
                kind: Kind::Scalar(Scalar::I8),
                default: 0x0,
            },
            Field {
                name: "stride_w",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "stride_h",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "depth_multiplier",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "fused_activation_function",
                kind: Kind::Scalar(Scalar::I8),
                default: 0x0,
            },
            Field {
                name: "dilation_w_factor",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x1,
            },
            Field {
                name: "dilation_h_factor",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x1,
            },
        ],
    },
    TableDesc {
        name: "DequantizeOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "DilateOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "DimensionMetadata",
        slots: 6,
        fields: &[
            Field {
                name: "format",
                kind: Kind::Scalar(Scalar::I8),
                default: 0x0,
            },
            Field {
                name: "dense_size",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "array_segments_type",
                kind: Kind::UnionTag(3),
                default: 0x0,
            },
            Field {
                name: "array_segments",
                kind: Kind::UnionValue { union: 3, tag: 2 },
                default: 0x0,
            },
            Field {
                name: "array_indices_type",
                kind: Kind::UnionTag(3),
                default: 0x0,
            },
            Field {
                name: "array_indices",
                kind: Kind::UnionValue { union: 3, tag: 4 },
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "DivOptions",
        slots: 1,
        fields: &[Field {
            name: "fused_activation_function",
            kind: Kind::Scalar(Scalar::I8),
            default: 0x0,
        }],
    },
    TableDesc {
        name: "DynamicUpdateSliceOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "EmbeddingLookupSparseOptions",
        slots: 1,
        fields: &[Field {
            name: "combiner",
            kind: Kind::Scalar(Scalar::I8),
            default: 0x0,
        }],
    },
    TableDesc {
        name: "EqualOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "ExpOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "ExpandDimsOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "ExternalBuffer",
        slots: 5,
        fields: &[
            Field {
                name: "id",
                kind: Kind::Scalar(Scalar::U32),
                default: 0x0,
            },
            Field {
                name: "group",
                kind: Kind::Scalar(Scalar::U32),
                default: 0x0,
            },
            Field {
                name: "offset",
                kind: Kind::Scalar(Scalar::U64),
                default: 0x0,
            },
            Field {
                name: "length",
                kind: Kind::Scalar(Scalar::U64),
                default: 0x0,
            },
            Field {
                name: "packing",
                kind: Kind::String,
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "ExternalBufferGroup",
        slots: 1,
        fields: &[Field {
            name: "name",
            kind: Kind::String,
            default: 0x0,
        }],
    },
    TableDesc {
        name: "FakeQuantOptions",
        slots: 4,
        fields: &[
            Field {
                name: "min",
                kind: Kind::Scalar(Scalar::F32),
                default: 0x0,
            },
            Field {
                name: "max",
                kind: Kind::Scalar(Scalar::F32),
                default: 0x0,
            },
            Field {
                name: "num_bits",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "narrow_range",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "FillOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "FloorDivOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "FloorModOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "FullyConnectedOptions",
        slots: 6,
        fields: &[
            Field {
                name: "fused_activation_function",
                kind: Kind::Scalar(Scalar::I8),
                default: 0x0,
            },
            Field {
                name: "weights_format",
                kind: Kind::Scalar(Scalar::I8),
                default: 0x0,
            },
            Field {
                name: "keep_num_dims",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x0,
            },
            Field {
                name: "asymmetric_quantize_inputs",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x0,
            },
            Field {
                name: "quantized_bias_type",
                kind: Kind::Scalar(Scalar::I8),
                default: 0x0,
            },
            Field {
                name: "quant_spec",
                kind: Kind::VecScalar(Scalar::U8),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "GatherNdOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "GatherOptions",
        slots: 2,
        fields: &[
            Field {
                name: "axis",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "batch_dims",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "GeluOptions",
        slots: 1,
        fields: &[Field {
            name: "approximate",
            kind: Kind::Scalar(Scalar::Bool),
            default: 0x0,
        }],
    },
    TableDesc {
        name: "GreaterEqualOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "GreaterOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "HardSwishOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "HashtableFindOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "HashtableImportOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "HashtableOptions",
        slots: 3,
        fields: &[
            Field {
                name: "table_id",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "key_dtype",
                kind: Kind::Scalar(Scalar::I8),
                default: 0x0,
            },
            Field {
                name: "value_dtype",
                kind: Kind::Scalar(Scalar::I8),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "HashtableSizeOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "IfOptions",
        slots: 2,
        fields: &[
            Field {
                name: "then_subgraph_index",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "else_subgraph_index",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "Int32Vector",
        slots: 1,
        fields: &[Field {
            name: "values",
            kind: Kind::VecScalar(Scalar::I32),
            default: 0x0,
        }],
    },
    TableDesc {
        name: "L2NormOptions",
        slots: 1,
        fields: &[Field {
            name: "fused_activation_function",
            kind: Kind::Scalar(Scalar::I8),
            default: 0x0,
        }],
    },
    TableDesc {
        name: "LSHProjectionOptions",
        slots: 1,
        fields: &[Field {
            name: "type",
            kind: Kind::Scalar(Scalar::I8),
            default: 0x0,
        }],
    },
    TableDesc {
        name: "LSTMOptions",
        slots: 5,
        fields: &[
            Field {
                name: "fused_activation_function",
                kind: Kind::Scalar(Scalar::I8),
                default: 0x0,
            },
            Field {
                name: "cell_clip",
                kind: Kind::Scalar(Scalar::F32),
                default: 0x0,
            },
            Field {
                name: "proj_clip",
                kind: Kind::Scalar(Scalar::F32),
                default: 0x0,
            },
            Field {
                name: "kernel_type",
                kind: Kind::Scalar(Scalar::I8),
                default: 0x0,
            },
            Field {
                name: "asymmetric_quantize_inputs",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "LeakyReluOptions",
        slots: 1,
        fields: &[Field {
            name: "alpha",
            kind: Kind::Scalar(Scalar::F32),
            default: 0x0,
        }],
    },
    TableDesc {
        name: "LessEqualOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "LessOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "LocalResponseNormalizationOptions",
        slots: 4,
        fields: &[
            Field {
                name: "radius",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "bias",
                kind: Kind::Scalar(Scalar::F32),
                default: 0x0,
            },
            Field {
                name: "alpha",
                kind: Kind::Scalar(Scalar::F32),
                default: 0x0,
            },
            Field {
                name: "beta",
                kind: Kind::Scalar(Scalar::F32),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "LogSoftmaxOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "LogicalAndOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "LogicalNotOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "LogicalOrOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "MatrixDiagOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "MatrixSetDiagOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "MaximumMinimumOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "Metadata",
        slots: 2,
        fields: &[
            Field {
                name: "name",
                kind: Kind::String,
                default: 0x0,
            },
            Field {
                name: "buffer",
                kind: Kind::Scalar(Scalar::U32),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "MirrorPadOptions",
        slots: 1,
        fields: &[Field {
            name: "mode",
            kind: Kind::Scalar(Scalar::I8),
            default: 0x0,
        }],
    },
    TableDesc {
        name: "Model",
        slots: 10,
        fields: &[
            Field {
                name: "version",
                kind: Kind::Scalar(Scalar::U32),
                default: 0x0,
            },
            Field {
                name: "operator_codes",
                kind: Kind::VecTable(83),
                default: 0x0,
            },
            Field {
                name: "subgraphs",
                kind: Kind::VecTable(148),
                default: 0x0,
            },
            Field {
                name: "description",
                kind: Kind::String,
                default: 0x0,
            },
            Field {
                name: "buffers",
                kind: Kind::VecTable(16),
                default: 0x0,
            },
            Field {
                name: "metadata_buffer",
                kind: Kind::VecScalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "metadata",
                kind: Kind::VecTable(72),
                default: 0x0,
            },
            Field {
                name: "signature_defs",
                kind: Kind::VecTable(113),
                default: 0x0,
            },
            Field {
                name: "external_buffer_groups",
                kind: Kind::VecTable(40),
                default: 0x0,
            },
            Field {
                name: "external_buffers",
                kind: Kind::VecTable(39),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "MulOptions",
        slots: 1,
        fields: &[Field {
            name: "fused_activation_function",
            kind: Kind::Scalar(Scalar::I8),
            default: 0x0,
        }],
    },
    TableDesc {
        name: "MultiAxisQuantization",
        slots: 4,
        fields: &[
            Field {
                name: "scales",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "zero_points",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "block_size",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "quantized_dimensions",
                kind: Kind::VecScalar(Scalar::I32),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "NegOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "NonMaxSuppressionV4Options",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "NonMaxSuppressionV5Options",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "NotEqualOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "OneHotOptions",
        slots: 1,
        fields: &[Field {
            name: "axis",
            kind: Kind::Scalar(Scalar::I32),
            default: 0x0,
        }],
    },
    TableDesc {
        name: "Operator",
        slots: 14,
        fields: &[
            Field {
                name: "opcode_index",
                kind: Kind::Scalar(Scalar::U32),
                default: 0x0,
            },
            Field {
                name: "inputs",
                kind: Kind::VecScalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "outputs",
                kind: Kind::VecScalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "builtin_options_type",
                kind: Kind::UnionTag(0),
                default: 0x0,
            },
            Field {
                name: "builtin_options",
                kind: Kind::UnionValue { union: 0, tag: 3 },
                default: 0x0,
            },
            Field {
                name: "custom_options",
                kind: Kind::VecScalar(Scalar::U8),
                default: 0x0,
            },
            Field {
                name: "custom_options_format",
                kind: Kind::Scalar(Scalar::I8),
                default: 0x0,
            },
            Field {
                name: "mutating_variable_inputs",
                kind: Kind::VecScalar(Scalar::Bool),
                default: 0x0,
            },
            Field {
                name: "intermediates",
                kind: Kind::VecScalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "large_custom_options_offset",
                kind: Kind::Scalar(Scalar::U64),
                default: 0x0,
            },
            Field {
                name: "large_custom_options_size",
                kind: Kind::Scalar(Scalar::U64),
                default: 0x0,
            },
            Field {
                name: "builtin_options2_type",
                kind: Kind::UnionTag(1),
                default: 0x0,
            },
            Field {
                name: "builtin_options2",
                kind: Kind::UnionValue { union: 1, tag: 11 },
                default: 0x0,
            },
            Field {
                name: "debug_metadata_index",
                kind: Kind::Scalar(Scalar::I32),
                default: 0xffffffff,
            },
        ],
    },
    TableDesc {
        name: "OperatorCode",
        slots: 4,
        fields: &[
            Field {
                name: "deprecated_builtin_code",
                kind: Kind::Scalar(Scalar::I8),
                default: 0x0,
            },
            Field {
                name: "custom_code",
                kind: Kind::String,
                default: 0x0,
            },
            Field {
                name: "version",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x1,
            },
            Field {
                name: "builtin_code",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "PackOptions",
        slots: 2,
        fields: &[
            Field {
                name: "values_count",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "axis",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "PadOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "PadV2Options",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "Pool2DOptions",
        slots: 6,
        fields: &[
            Field {
                name: "padding",
                kind: Kind::Scalar(Scalar::I8),
                default: 0x0,
            },
            Field {
                name: "stride_w",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "stride_h",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "filter_width",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "filter_height",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "fused_activation_function",
                kind: Kind::Scalar(Scalar::I8),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "PowOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "QuantizationParameters",
        slots: 7,
        fields: &[
            Field {
                name: "min",
                kind: Kind::VecScalar(Scalar::F32),
                default: 0x0,
            },
            Field {
                name: "max",
                kind: Kind::VecScalar(Scalar::F32),
                default: 0x0,
            },
            Field {
                name: "scale",
                kind: Kind::VecScalar(Scalar::F32),
                default: 0x0,
            },
            Field {
                name: "zero_point",
                kind: Kind::VecScalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "details_type",
                kind: Kind::UnionTag(2),
                default: 0x0,
            },
            Field {
                name: "details",
                kind: Kind::UnionValue { union: 2, tag: 4 },
                default: 0x0,
            },
            Field {
                name: "quantized_dimension",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "QuantizeOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "RNNOptions",
        slots: 2,
        fields: &[
            Field {
                name: "fused_activation_function",
                kind: Kind::Scalar(Scalar::I8),
                default: 0x0,
            },
            Field {
                name: "asymmetric_quantize_inputs",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "RandomOptions",
        slots: 2,
        fields: &[
            Field {
                name: "seed",
                kind: Kind::Scalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "seed2",
                kind: Kind::Scalar(Scalar::I64),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "RangeOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "RankOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "ReadVariableOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "ReduceWindowOptions",
        slots: 1,
        fields: &[Field {
            name: "reduce_function",
            kind: Kind::Scalar(Scalar::I32),
            default: 0x0,
        }],
    },
    TableDesc {
        name: "ReducerOptions",
        slots: 1,
        fields: &[Field {
            name: "keep_dims",
            kind: Kind::Scalar(Scalar::Bool),
            default: 0x0,
        }],
    },
    TableDesc {
        name: "ReshapeOptions",
        slots: 1,
        fields: &[Field {
            name: "new_shape",
            kind: Kind::VecScalar(Scalar::I32),
            default: 0x0,
        }],
    },
    TableDesc {
        name: "ResizeBilinearOptions",
        slots: 4,
        fields: &[
            Field {
                name: "(deprecated)",
                kind: Kind::Deprecated,
                default: 0,
            },
            Field {
                name: "(deprecated)",
                kind: Kind::Deprecated,
                default: 0,
            },
            Field {
                name: "align_corners",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x0,
            },
            Field {
                name: "half_pixel_centers",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "ResizeNearestNeighborOptions",
        slots: 2,
        fields: &[
            Field {
                name: "align_corners",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x0,
            },
            Field {
                name: "half_pixel_centers",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "ReverseSequenceOptions",
        slots: 2,
        fields: &[
            Field {
                name: "seq_dim",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "batch_dim",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "ReverseV2Options",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "Rfft2dOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "RightShiftOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "SVDFOptions",
        slots: 3,
        fields: &[
            Field {
                name: "rank",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "fused_activation_function",
                kind: Kind::Scalar(Scalar::I8),
                default: 0x0,
            },
            Field {
                name: "asymmetric_quantize_inputs",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "ScatterNdOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "SegmentSumOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "SelectOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "SelectV2Options",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "SequenceRNNOptions",
        slots: 3,
        fields: &[
            Field {
                name: "time_major",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x0,
            },
            Field {
                name: "fused_activation_function",
                kind: Kind::Scalar(Scalar::I8),
                default: 0x0,
            },
            Field {
                name: "asymmetric_quantize_inputs",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "ShapeOptions",
        slots: 1,
        fields: &[Field {
            name: "out_type",
            kind: Kind::Scalar(Scalar::I8),
            default: 0x0,
        }],
    },
    TableDesc {
        name: "SignOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "SignatureDef",
        slots: 5,
        fields: &[
            Field {
                name: "inputs",
                kind: Kind::VecTable(151),
                default: 0x0,
            },
            Field {
                name: "outputs",
                kind: Kind::VecTable(151),
                default: 0x0,
            },
            Field {
                name: "signature_key",
                kind: Kind::String,
                default: 0x0,
            },
            Field {
                name: "(deprecated)",
                kind: Kind::Deprecated,
                default: 0,
            },
            Field {
                name: "subgraph_index",
                kind: Kind::Scalar(Scalar::U32),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "SkipGramOptions",
        slots: 3,
        fields: &[
            Field {
                name: "ngram_size",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "max_skip_size",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "include_all_ngrams",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "SliceOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "SoftmaxOptions",
        slots: 1,
        fields: &[Field {
            name: "beta",
            kind: Kind::Scalar(Scalar::F32),
            default: 0x0,
        }],
    },
    TableDesc {
        name: "SpaceToBatchNDOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "SpaceToDepthOptions",
        slots: 1,
        fields: &[Field {
            name: "block_size",
            kind: Kind::Scalar(Scalar::I32),
            default: 0x0,
        }],
    },
    TableDesc {
        name: "SparseToDenseOptions",
        slots: 1,
        fields: &[Field {
            name: "validate_indices",
            kind: Kind::Scalar(Scalar::Bool),
            default: 0x0,
        }],
    },
    TableDesc {
        name: "SparsityParameters",
        slots: 3,
        fields: &[
            Field {
                name: "traversal_order",
                kind: Kind::VecScalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "block_map",
                kind: Kind::VecScalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "dim_metadata",
                kind: Kind::VecTable(32),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "SplitOptions",
        slots: 1,
        fields: &[Field {
            name: "num_splits",
            kind: Kind::Scalar(Scalar::I32),
            default: 0x0,
        }],
    },
    TableDesc {
        name: "SplitVOptions",
        slots: 1,
        fields: &[Field {
            name: "num_splits",
            kind: Kind::Scalar(Scalar::I32),
            default: 0x0,
        }],
    },
    TableDesc {
        name: "SquareOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "SquaredDifferenceOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "SqueezeOptions",
        slots: 1,
        fields: &[Field {
            name: "squeeze_dims",
            kind: Kind::VecScalar(Scalar::I32),
            default: 0x0,
        }],
    },
    TableDesc {
        name: "StableHLOCompositeOptions",
        slots: 5,
        fields: &[
            Field {
                name: "name",
                kind: Kind::String,
                default: 0x0,
            },
            Field {
                name: "decomposition_subgraph_index",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "composite_attributes",
                kind: Kind::VecScalar(Scalar::U8),
                default: 0x0,
            },
            Field {
                name: "composite_attributes_format",
                kind: Kind::Scalar(Scalar::I8),
                default: 0x0,
            },
            Field {
                name: "version",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "StablehloBroadcastInDimOptions",
        slots: 1,
        fields: &[Field {
            name: "broadcast_dimensions",
            kind: Kind::VecScalar(Scalar::I64),
            default: 0x0,
        }],
    },
    TableDesc {
        name: "StablehloCaseOptions",
        slots: 1,
        fields: &[Field {
            name: "branch_subgraph_indices",
            kind: Kind::VecScalar(Scalar::I32),
            default: 0x0,
        }],
    },
    TableDesc {
        name: "StablehloCompareOptions",
        slots: 2,
        fields: &[
            Field {
                name: "comparison_direction",
                kind: Kind::Scalar(Scalar::U32),
                default: 0x0,
            },
            Field {
                name: "compare_type",
                kind: Kind::Scalar(Scalar::U32),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "StablehloConcatenateOptions",
        slots: 1,
        fields: &[Field {
            name: "dimension",
            kind: Kind::Scalar(Scalar::I64),
            default: 0x0,
        }],
    },
    TableDesc {
        name: "StablehloConvolutionOptions",
        slots: 17,
        fields: &[
            Field {
                name: "window_strides",
                kind: Kind::VecScalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "padding",
                kind: Kind::VecScalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "lhs_dilation",
                kind: Kind::VecScalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "rhs_dilation",
                kind: Kind::VecScalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "window_reversal",
                kind: Kind::VecScalar(Scalar::Bool),
                default: 0x0,
            },
            Field {
                name: "input_batch_dimension",
                kind: Kind::Scalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "input_feature_dimension",
                kind: Kind::Scalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "input_spatial_dimensions",
                kind: Kind::VecScalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "kernel_input_feature_dimension",
                kind: Kind::Scalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "kernel_output_feature_dimension",
                kind: Kind::Scalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "kernel_spatial_dimensions",
                kind: Kind::VecScalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "output_batch_dimension",
                kind: Kind::Scalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "output_feature_dimension",
                kind: Kind::Scalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "output_spatial_dimensions",
                kind: Kind::VecScalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "feature_group_count",
                kind: Kind::Scalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "batch_group_count",
                kind: Kind::Scalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "precision_config",
                kind: Kind::VecScalar(Scalar::U32),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "StablehloCustomCallOptions",
        slots: 6,
        fields: &[
            Field {
                name: "call_target_name",
                kind: Kind::String,
                default: 0x0,
            },
            Field {
                name: "has_side_effect",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x0,
            },
            Field {
                name: "backend_config",
                kind: Kind::String,
                default: 0x0,
            },
            Field {
                name: "api_version",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "called_computations",
                kind: Kind::VecScalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "custom_attributes",
                kind: Kind::VecScalar(Scalar::U8),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "StablehloDotGeneralOptions",
        slots: 5,
        fields: &[
            Field {
                name: "lhs_batching_dimensions",
                kind: Kind::VecScalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "rhs_batching_dimensions",
                kind: Kind::VecScalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "lhs_contracting_dimensions",
                kind: Kind::VecScalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "rhs_contracting_dimensions",
                kind: Kind::VecScalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "precision_config",
                kind: Kind::VecScalar(Scalar::U32),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "StablehloDynamicSliceOptions",
        slots: 1,
        fields: &[Field {
            name: "slice_sizes",
            kind: Kind::VecScalar(Scalar::I64),
            default: 0x0,
        }],
    },
    TableDesc {
        name: "StablehloGatherOptions",
        slots: 6,
        fields: &[
            Field {
                name: "offset_dims",
                kind: Kind::VecScalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "collapsed_slice_dims",
                kind: Kind::VecScalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "start_index_map",
                kind: Kind::VecScalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "index_vector_dim",
                kind: Kind::Scalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "slice_sizes",
                kind: Kind::VecScalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "indices_are_sorted",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "StablehloIotaOptions",
        slots: 1,
        fields: &[Field {
            name: "iota_dimension",
            kind: Kind::Scalar(Scalar::I64),
            default: 0x0,
        }],
    },
    TableDesc {
        name: "StablehloPadOptions",
        slots: 3,
        fields: &[
            Field {
                name: "edge_padding_low",
                kind: Kind::VecScalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "edge_padding_high",
                kind: Kind::VecScalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "interior_padding",
                kind: Kind::VecScalar(Scalar::I64),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "StablehloReduceOptions",
        slots: 2,
        fields: &[
            Field {
                name: "dimensions",
                kind: Kind::VecScalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "body_subgraph_index",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "StablehloReduceWindowOptions",
        slots: 6,
        fields: &[
            Field {
                name: "window_dimensions",
                kind: Kind::VecScalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "window_strides",
                kind: Kind::VecScalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "base_dilations",
                kind: Kind::VecScalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "window_dilations",
                kind: Kind::VecScalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "padding",
                kind: Kind::VecScalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "body_subgraph_index",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "StablehloRngBitGeneratorOptions",
        slots: 1,
        fields: &[Field {
            name: "algorithm",
            kind: Kind::Scalar(Scalar::I8),
            default: 0x0,
        }],
    },
    TableDesc {
        name: "StablehloScatterOptions",
        slots: 7,
        fields: &[
            Field {
                name: "indices_are_sorted",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x0,
            },
            Field {
                name: "update_window_dims",
                kind: Kind::VecScalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "inserted_window_dims",
                kind: Kind::VecScalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "scatter_dims_to_operand_dims",
                kind: Kind::VecScalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "index_vector_dim",
                kind: Kind::Scalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "unique_indices",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x0,
            },
            Field {
                name: "update_computation_subgraph_index",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "StablehloShiftLeftOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "StablehloSliceOptions",
        slots: 3,
        fields: &[
            Field {
                name: "start_indices",
                kind: Kind::VecScalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "limit_indices",
                kind: Kind::VecScalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "strides",
                kind: Kind::VecScalar(Scalar::I64),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "StablehloSortOptions",
        slots: 3,
        fields: &[
            Field {
                name: "dimension",
                kind: Kind::Scalar(Scalar::I64),
                default: 0x0,
            },
            Field {
                name: "is_stable",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x0,
            },
            Field {
                name: "comparator_subgraph_index",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "StablehloTransposeOptions",
        slots: 1,
        fields: &[Field {
            name: "permutation",
            kind: Kind::VecScalar(Scalar::I64),
            default: 0x0,
        }],
    },
    TableDesc {
        name: "StablehloWhileOptions",
        slots: 2,
        fields: &[
            Field {
                name: "cond_subgraph_index",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "body_subgraph_index",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "StridedSliceOptions",
        slots: 6,
        fields: &[
            Field {
                name: "begin_mask",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "end_mask",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "ellipsis_mask",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "new_axis_mask",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "shrink_axis_mask",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "offset",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "SubGraph",
        slots: 6,
        fields: &[
            Field {
                name: "tensors",
                kind: Kind::VecTable(150),
                default: 0x0,
            },
            Field {
                name: "inputs",
                kind: Kind::VecScalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "outputs",
                kind: Kind::VecScalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "operators",
                kind: Kind::VecTable(82),
                default: 0x0,
            },
            Field {
                name: "name",
                kind: Kind::String,
                default: 0x0,
            },
            Field {
                name: "debug_metadata_index",
                kind: Kind::Scalar(Scalar::I32),
                default: 0xffffffff,
            },
        ],
    },
    TableDesc {
        name: "SubOptions",
        slots: 2,
        fields: &[
            Field {
                name: "fused_activation_function",
                kind: Kind::Scalar(Scalar::I8),
                default: 0x0,
            },
            Field {
                name: "pot_scale_int16",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x1,
            },
        ],
    },
    TableDesc {
        name: "Tensor",
        slots: 11,
        fields: &[
            Field {
                name: "shape",
                kind: Kind::VecScalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "type",
                kind: Kind::Scalar(Scalar::I8),
                default: 0x0,
            },
            Field {
                name: "buffer",
                kind: Kind::Scalar(Scalar::U32),
                default: 0x0,
            },
            Field {
                name: "name",
                kind: Kind::String,
                default: 0x0,
            },
            Field {
                name: "quantization",
                kind: Kind::Table(89),
                default: 0x0,
            },
            Field {
                name: "is_variable",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x0,
            },
            Field {
                name: "sparsity",
                kind: Kind::Table(120),
                default: 0x0,
            },
            Field {
                name: "shape_signature",
                kind: Kind::VecScalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "has_rank",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x0,
            },
            Field {
                name: "variant_tensors",
                kind: Kind::VecTable(166),
                default: 0x0,
            },
            Field {
                name: "external_buffer",
                kind: Kind::Scalar(Scalar::U32),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "TensorMap",
        slots: 2,
        fields: &[
            Field {
                name: "name",
                kind: Kind::String,
                default: 0x0,
            },
            Field {
                name: "tensor_index",
                kind: Kind::Scalar(Scalar::U32),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "TileOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "TopKV2Options",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "TransposeConvOptions",
        slots: 5,
        fields: &[
            Field {
                name: "padding",
                kind: Kind::Scalar(Scalar::I8),
                default: 0x0,
            },
            Field {
                name: "stride_w",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "stride_h",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "fused_activation_function",
                kind: Kind::Scalar(Scalar::I8),
                default: 0x0,
            },
            Field {
                name: "quantized_bias_type",
                kind: Kind::Scalar(Scalar::I8),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "TransposeOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "Uint16Vector",
        slots: 1,
        fields: &[Field {
            name: "values",
            kind: Kind::VecScalar(Scalar::U16),
            default: 0x0,
        }],
    },
    TableDesc {
        name: "Uint8Vector",
        slots: 1,
        fields: &[Field {
            name: "values",
            kind: Kind::VecScalar(Scalar::U8),
            default: 0x0,
        }],
    },
    TableDesc {
        name: "UnidirectionalSequenceLSTMOptions",
        slots: 6,
        fields: &[
            Field {
                name: "fused_activation_function",
                kind: Kind::Scalar(Scalar::I8),
                default: 0x0,
            },
            Field {
                name: "cell_clip",
                kind: Kind::Scalar(Scalar::F32),
                default: 0x0,
            },
            Field {
                name: "proj_clip",
                kind: Kind::Scalar(Scalar::F32),
                default: 0x0,
            },
            Field {
                name: "time_major",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x0,
            },
            Field {
                name: "asymmetric_quantize_inputs",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x0,
            },
            Field {
                name: "diagonal_recurrent_tensors",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "UniqueOptions",
        slots: 1,
        fields: &[Field {
            name: "idx_out_type",
            kind: Kind::Scalar(Scalar::I8),
            default: 0x2,
        }],
    },
    TableDesc {
        name: "UnpackOptions",
        slots: 2,
        fields: &[
            Field {
                name: "num",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "axis",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "UnsortedSegmentMaxOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "UnsortedSegmentMinOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "UnsortedSegmentProdOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "UnsortedSegmentSumOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "VarHandleOptions",
        slots: 2,
        fields: &[
            Field {
                name: "container",
                kind: Kind::String,
                default: 0x0,
            },
            Field {
                name: "shared_name",
                kind: Kind::String,
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "VariantSubType",
        slots: 3,
        fields: &[
            Field {
                name: "shape",
                kind: Kind::VecScalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "type",
                kind: Kind::Scalar(Scalar::I8),
                default: 0x0,
            },
            Field {
                name: "has_rank",
                kind: Kind::Scalar(Scalar::Bool),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "WhereOptions",
        slots: 0,
        fields: &[],
    },
    TableDesc {
        name: "WhileOptions",
        slots: 2,
        fields: &[
            Field {
                name: "cond_subgraph_index",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
            Field {
                name: "body_subgraph_index",
                kind: Kind::Scalar(Scalar::I32),
                default: 0x0,
            },
        ],
    },
    TableDesc {
        name: "ZerosLikeOptions",
        slots: 0,
        fields: &[],
    },
];

/// Every union of the schema: (tag, member name, member table).
pub static UNIONS: [UnionDesc; 4] = [
    UnionDesc {
        name: "BuiltinOptions",
        members: &[
            (1, "Conv2DOptions", 22),
            (2, "DepthwiseConv2DOptions", 29),
            (3, "ConcatEmbeddingsOptions", 20),
            (4, "LSHProjectionOptions", 59),
            (5, "Pool2DOptions", 87),
            (6, "SVDFOptions", 105),
            (7, "RNNOptions", 91),
            (8, "FullyConnectedOptions", 45),
            (9, "SoftmaxOptions", 116),
            (10, "ConcatenationOptions", 21),
            (11, "AddOptions", 3),
            (12, "L2NormOptions", 58),
            (13, "LocalResponseNormalizationOptions", 64),
            (14, "LSTMOptions", 60),
            (15, "ResizeBilinearOptions", 99),
            (16, "CallOptions", 18),
            (17, "ReshapeOptions", 98),
            (18, "SkipGramOptions", 114),
            (19, "SpaceToDepthOptions", 118),
            (20, "EmbeddingLookupSparseOptions", 35),
            (21, "MulOptions", 75),
            (22, "PadOptions", 85),
            (23, "GatherOptions", 47),
            (24, "BatchToSpaceNDOptions", 8),
            (25, "SpaceToBatchNDOptions", 117),
            (26, "TransposeOptions", 155),
            (27, "ReducerOptions", 97),
            (28, "SubOptions", 149),
            (29, "DivOptions", 33),
            (30, "SqueezeOptions", 125),
            (31, "SequenceRNNOptions", 110),
            (32, "StridedSliceOptions", 147),
            (33, "ExpOptions", 37),
            (34, "TopKV2Options", 153),
            (35, "SplitOptions", 121),
            (36, "LogSoftmaxOptions", 65),
            (37, "CastOptions", 19),
            (38, "DequantizeOptions", 30),
            (39, "MaximumMinimumOptions", 71),
            (40, "ArgMaxOptions", 4),
            (41, "LessOptions", 63),
            (42, "NegOptions", 77),
            (43, "PadV2Options", 86),
            (44, "GreaterOptions", 50),
            (45, "GreaterEqualOptions", 49),
            (46, "LessEqualOptions", 62),
            (47, "SelectOptions", 108),
            (48, "SliceOptions", 115),
            (49, "TransposeConvOptions", 154),
            (50, "SparseToDenseOptions", 119),
            (51, "TileOptions", 152),
            (52, "ExpandDimsOptions", 38),
            (53, "EqualOptions", 36),
            (54, "NotEqualOptions", 80),
            (55, "ShapeOptions", 111),
            (56, "PowOptions", 88),
            (57, "ArgMinOptions", 5),
            (58, "FakeQuantOptions", 41),
            (59, "PackOptions", 84),
            (60, "LogicalOrOptions", 68),
            (61, "OneHotOptions", 81),
            (62, "LogicalAndOptions", 66),
            (63, "LogicalNotOptions", 67),
            (64, "UnpackOptions", 160),
            (65, "FloorDivOptions", 43),
            (66, "SquareOptions", 123),
            (67, "ZerosLikeOptions", 169),
            (68, "FillOptions", 42),
            (69, "BidirectionalSequenceLSTMOptions", 9),
            (70, "BidirectionalSequenceRNNOptions", 10),
            (71, "UnidirectionalSequenceLSTMOptions", 158),
            (72, "FloorModOptions", 44),
            (73, "RangeOptions", 93),
            (74, "ResizeNearestNeighborOptions", 100),
            (75, "LeakyReluOptions", 61),
            (76, "SquaredDifferenceOptions", 124),
            (77, "MirrorPadOptions", 73),
            (78, "AbsOptions", 1),
            (79, "SplitVOptions", 122),
            (80, "UniqueOptions", 159),
            (81, "ReverseV2Options", 102),
            (82, "AddNOptions", 2),
            (83, "GatherNdOptions", 46),
            (84, "CosOptions", 24),
            (85, "WhereOptions", 167),
            (86, "RankOptions", 94),
            (87, "ReverseSequenceOptions", 101),
            (88, "MatrixDiagOptions", 69),
            (89, "QuantizeOptions", 90),
            (90, "MatrixSetDiagOptions", 70),
            (91, "HardSwishOptions", 51),
            (92, "IfOptions", 56),
            (93, "WhileOptions", 168),
            (94, "DepthToSpaceOptions", 28),
            (95, "NonMaxSuppressionV4Options", 78),
            (96, "NonMaxSuppressionV5Options", 79),
            (97, "ScatterNdOptions", 106),
            (98, "SelectV2Options", 109),
            (99, "DensifyOptions", 27),
            (100, "SegmentSumOptions", 107),
            (101, "BatchMatMulOptions", 7),
            (102, "CumsumOptions", 25),
            (103, "CallOnceOptions", 17),
            (104, "BroadcastToOptions", 14),
            (105, "Rfft2dOptions", 103),
            (106, "Conv3DOptions", 23),
            (107, "HashtableOptions", 54),
            (108, "HashtableFindOptions", 52),
            (109, "HashtableImportOptions", 53),
            (110, "HashtableSizeOptions", 55),
            (111, "VarHandleOptions", 165),
            (112, "ReadVariableOptions", 95),
            (113, "AssignVariableOptions", 6),
            (114, "RandomOptions", 92),
            (115, "BucketizeOptions", 15),
            (116, "GeluOptions", 48),
            (117, "DynamicUpdateSliceOptions", 34),
            (118, "UnsortedSegmentProdOptions", 163),
            (119, "UnsortedSegmentMaxOptions", 161),
            (120, "UnsortedSegmentMinOptions", 162),
            (121, "UnsortedSegmentSumOptions", 164),
            (122, "ATan2Options", 0),
            (123, "SignOptions", 112),
            (124, "BitcastOptions", 11),
            (125, "BitwiseXorOptions", 12),
            (126, "RightShiftOptions", 104),
        ],
    },
    UnionDesc {
        name: "BuiltinOptions2",
        members: &[
            (1, "StablehloConcatenateOptions", 130),
            (2, "StablehloBroadcastInDimOptions", 127),
            (3, "StablehloSliceOptions", 143),
            (4, "StablehloConvolutionOptions", 131),
            (5, "StablehloCustomCallOptions", 132),
            (6, "StablehloReduceOptions", 138),
            (7, "StablehloScatterOptions", 141),
            (8, "StablehloCompareOptions", 129),
            (9, "StablehloDynamicSliceOptions", 134),
            (10, "StablehloPadOptions", 137),
            (11, "StablehloIotaOptions", 136),
            (12, "StablehloDotGeneralOptions", 133),
            (13, "StablehloReduceWindowOptions", 139),
            (14, "StablehloSortOptions", 144),
            (15, "StablehloWhileOptions", 146),
            (16, "StablehloGatherOptions", 135),
            (17, "StablehloTransposeOptions", 145),
            (18, "DilateOptions", 31),
            (19, "StablehloRngBitGeneratorOptions", 140),
            (20, "ReduceWindowOptions", 96),
            (21, "StableHLOCompositeOptions", 126),
            (22, "StablehloShiftLeftOptions", 142),
            (23, "StablehloCaseOptions", 128),
        ],
    },
    UnionDesc {
        name: "QuantizationDetails",
        members: &[
            (1, "CustomQuantization", 26),
            (2, "BlockwiseQuantization", 13),
            (3, "MultiAxisQuantization", 76),
        ],
    },
    UnionDesc {
        name: "SparseIndexVector",
        members: &[
            (1, "Int32Vector", 57),
            (2, "Uint16Vector", 156),
            (3, "Uint8Vector", 157),
        ],
    },
];

/// Table ids.
pub mod table {
    /// `ATan2Options`.
    pub const A_TAN2_OPTIONS: usize = 0;
    /// `AbsOptions`.
    pub const ABS_OPTIONS: usize = 1;
    /// `AddNOptions`.
    pub const ADD_N_OPTIONS: usize = 2;
    /// `AddOptions`.
    pub const ADD_OPTIONS: usize = 3;
    /// `ArgMaxOptions`.
    pub const ARG_MAX_OPTIONS: usize = 4;
    /// `ArgMinOptions`.
    pub const ARG_MIN_OPTIONS: usize = 5;
    /// `AssignVariableOptions`.
    pub const ASSIGN_VARIABLE_OPTIONS: usize = 6;
    /// `BatchMatMulOptions`.
    pub const BATCH_MAT_MUL_OPTIONS: usize = 7;
    /// `BatchToSpaceNDOptions`.
    pub const BATCH_TO_SPACE_ND_OPTIONS: usize = 8;
    /// `BidirectionalSequenceLSTMOptions`.
    pub const BIDIRECTIONAL_SEQUENCE_LSTM_OPTIONS: usize = 9;
    /// `BidirectionalSequenceRNNOptions`.
    pub const BIDIRECTIONAL_SEQUENCE_RNN_OPTIONS: usize = 10;
    /// `BitcastOptions`.
    pub const BITCAST_OPTIONS: usize = 11;
    /// `BitwiseXorOptions`.
    pub const BITWISE_XOR_OPTIONS: usize = 12;
    /// `BlockwiseQuantization`.
    pub const BLOCKWISE_QUANTIZATION: usize = 13;
    /// `BroadcastToOptions`.
    pub const BROADCAST_TO_OPTIONS: usize = 14;
    /// `BucketizeOptions`.
    pub const BUCKETIZE_OPTIONS: usize = 15;
    /// `Buffer`.
    pub const BUFFER: usize = 16;
    /// `CallOnceOptions`.
    pub const CALL_ONCE_OPTIONS: usize = 17;
    /// `CallOptions`.
    pub const CALL_OPTIONS: usize = 18;
    /// `CastOptions`.
    pub const CAST_OPTIONS: usize = 19;
    /// `ConcatEmbeddingsOptions`.
    pub const CONCAT_EMBEDDINGS_OPTIONS: usize = 20;
    /// `ConcatenationOptions`.
    pub const CONCATENATION_OPTIONS: usize = 21;
    /// `Conv2DOptions`.
    pub const CONV2_D_OPTIONS: usize = 22;
    /// `Conv3DOptions`.
    pub const CONV3_D_OPTIONS: usize = 23;
    /// `CosOptions`.
    pub const COS_OPTIONS: usize = 24;
    /// `CumsumOptions`.
    pub const CUMSUM_OPTIONS: usize = 25;
    /// `CustomQuantization`.
    pub const CUSTOM_QUANTIZATION: usize = 26;
    /// `DensifyOptions`.
    pub const DENSIFY_OPTIONS: usize = 27;
    /// `DepthToSpaceOptions`.
    pub const DEPTH_TO_SPACE_OPTIONS: usize = 28;
    /// `DepthwiseConv2DOptions`.
    pub const DEPTHWISE_CONV2_D_OPTIONS: usize = 29;
    /// `DequantizeOptions`.
    pub const DEQUANTIZE_OPTIONS: usize = 30;
    /// `DilateOptions`.
    pub const DILATE_OPTIONS: usize = 31;
    /// `DimensionMetadata`.
    pub const DIMENSION_METADATA: usize = 32;
    /// `DivOptions`.
    pub const DIV_OPTIONS: usize = 33;
    /// `DynamicUpdateSliceOptions`.
    pub const DYNAMIC_UPDATE_SLICE_OPTIONS: usize = 34;
    /// `EmbeddingLookupSparseOptions`.
    pub const EMBEDDING_LOOKUP_SPARSE_OPTIONS: usize = 35;
    /// `EqualOptions`.
    pub const EQUAL_OPTIONS: usize = 36;
    /// `ExpOptions`.
    pub const EXP_OPTIONS: usize = 37;
    /// `ExpandDimsOptions`.
    pub const EXPAND_DIMS_OPTIONS: usize = 38;
    /// `ExternalBuffer`.
    pub const EXTERNAL_BUFFER: usize = 39;
    /// `ExternalBufferGroup`.
    pub const EXTERNAL_BUFFER_GROUP: usize = 40;
    /// `FakeQuantOptions`.
    pub const FAKE_QUANT_OPTIONS: usize = 41;
    /// `FillOptions`.
    pub const FILL_OPTIONS: usize = 42;
    /// `FloorDivOptions`.
    pub const FLOOR_DIV_OPTIONS: usize = 43;
    /// `FloorModOptions`.
    pub const FLOOR_MOD_OPTIONS: usize = 44;
    /// `FullyConnectedOptions`.
    pub const FULLY_CONNECTED_OPTIONS: usize = 45;
    /// `GatherNdOptions`.
    pub const GATHER_ND_OPTIONS: usize = 46;
    /// `GatherOptions`.
    pub const GATHER_OPTIONS: usize = 47;
    /// `GeluOptions`.
    pub const GELU_OPTIONS: usize = 48;
    /// `GreaterEqualOptions`.
    pub const GREATER_EQUAL_OPTIONS: usize = 49;
    /// `GreaterOptions`.
    pub const GREATER_OPTIONS: usize = 50;
    /// `HardSwishOptions`.
    pub const HARD_SWISH_OPTIONS: usize = 51;
    /// `HashtableFindOptions`.
    pub const HASHTABLE_FIND_OPTIONS: usize = 52;
    /// `HashtableImportOptions`.
    pub const HASHTABLE_IMPORT_OPTIONS: usize = 53;
    /// `HashtableOptions`.
    pub const HASHTABLE_OPTIONS: usize = 54;
    /// `HashtableSizeOptions`.
    pub const HASHTABLE_SIZE_OPTIONS: usize = 55;
    /// `IfOptions`.
    pub const IF_OPTIONS: usize = 56;
    /// `Int32Vector`.
    pub const INT32_VECTOR: usize = 57;
    /// `L2NormOptions`.
    pub const L2_NORM_OPTIONS: usize = 58;
    /// `LSHProjectionOptions`.
    pub const LSH_PROJECTION_OPTIONS: usize = 59;
    /// `LSTMOptions`.
    pub const LSTM_OPTIONS: usize = 60;
    /// `LeakyReluOptions`.
    pub const LEAKY_RELU_OPTIONS: usize = 61;
    /// `LessEqualOptions`.
    pub const LESS_EQUAL_OPTIONS: usize = 62;
    /// `LessOptions`.
    pub const LESS_OPTIONS: usize = 63;
    /// `LocalResponseNormalizationOptions`.
    pub const LOCAL_RESPONSE_NORMALIZATION_OPTIONS: usize = 64;
    /// `LogSoftmaxOptions`.
    pub const LOG_SOFTMAX_OPTIONS: usize = 65;
    /// `LogicalAndOptions`.
    pub const LOGICAL_AND_OPTIONS: usize = 66;
    /// `LogicalNotOptions`.
    pub const LOGICAL_NOT_OPTIONS: usize = 67;
    /// `LogicalOrOptions`.
    pub const LOGICAL_OR_OPTIONS: usize = 68;
    /// `MatrixDiagOptions`.
    pub const MATRIX_DIAG_OPTIONS: usize = 69;
    /// `MatrixSetDiagOptions`.
    pub const MATRIX_SET_DIAG_OPTIONS: usize = 70;
    /// `MaximumMinimumOptions`.
    pub const MAXIMUM_MINIMUM_OPTIONS: usize = 71;
    /// `Metadata`.
    pub const METADATA: usize = 72;
    /// `MirrorPadOptions`.
    pub const MIRROR_PAD_OPTIONS: usize = 73;
    /// `Model`.
    pub const MODEL: usize = 74;
    /// `MulOptions`.
    pub const MUL_OPTIONS: usize = 75;
    /// `MultiAxisQuantization`.
    pub const MULTI_AXIS_QUANTIZATION: usize = 76;
    /// `NegOptions`.
    pub const NEG_OPTIONS: usize = 77;
    /// `NonMaxSuppressionV4Options`.
    pub const NON_MAX_SUPPRESSION_V4_OPTIONS: usize = 78;
    /// `NonMaxSuppressionV5Options`.
    pub const NON_MAX_SUPPRESSION_V5_OPTIONS: usize = 79;
    /// `NotEqualOptions`.
    pub const NOT_EQUAL_OPTIONS: usize = 80;
    /// `OneHotOptions`.
    pub const ONE_HOT_OPTIONS: usize = 81;
    /// `Operator`.
    pub const OPERATOR: usize = 82;
    /// `OperatorCode`.
    pub const OPERATOR_CODE: usize = 83;
    /// `PackOptions`.
    pub const PACK_OPTIONS: usize = 84;
    /// `PadOptions`.
    pub const PAD_OPTIONS: usize = 85;
    /// `PadV2Options`.
    pub const PAD_V2_OPTIONS: usize = 86;
    /// `Pool2DOptions`.
    pub const POOL2_D_OPTIONS: usize = 87;
    /// `PowOptions`.
    pub const POW_OPTIONS: usize = 88;
    /// `QuantizationParameters`.
    pub const QUANTIZATION_PARAMETERS: usize = 89;
    /// `QuantizeOptions`.
    pub const QUANTIZE_OPTIONS: usize = 90;
    /// `RNNOptions`.
    pub const RNN_OPTIONS: usize = 91;
    /// `RandomOptions`.
    pub const RANDOM_OPTIONS: usize = 92;
    /// `RangeOptions`.
    pub const RANGE_OPTIONS: usize = 93;
    /// `RankOptions`.
    pub const RANK_OPTIONS: usize = 94;
    /// `ReadVariableOptions`.
    pub const READ_VARIABLE_OPTIONS: usize = 95;
    /// `ReduceWindowOptions`.
    pub const REDUCE_WINDOW_OPTIONS: usize = 96;
    /// `ReducerOptions`.
    pub const REDUCER_OPTIONS: usize = 97;
    /// `ReshapeOptions`.
    pub const RESHAPE_OPTIONS: usize = 98;
    /// `ResizeBilinearOptions`.
    pub const RESIZE_BILINEAR_OPTIONS: usize = 99;
    /// `ResizeNearestNeighborOptions`.
    pub const RESIZE_NEAREST_NEIGHBOR_OPTIONS: usize = 100;
    /// `ReverseSequenceOptions`.
    pub const REVERSE_SEQUENCE_OPTIONS: usize = 101;
    /// `ReverseV2Options`.
    pub const REVERSE_V2_OPTIONS: usize = 102;
    /// `Rfft2dOptions`.
    pub const RFFT2D_OPTIONS: usize = 103;
    /// `RightShiftOptions`.
    pub const RIGHT_SHIFT_OPTIONS: usize = 104;
    /// `SVDFOptions`.
    pub const SVDF_OPTIONS: usize = 105;
    /// `ScatterNdOptions`.
    pub const SCATTER_ND_OPTIONS: usize = 106;
    /// `SegmentSumOptions`.
    pub const SEGMENT_SUM_OPTIONS: usize = 107;
    /// `SelectOptions`.
    pub const SELECT_OPTIONS: usize = 108;
    /// `SelectV2Options`.
    pub const SELECT_V2_OPTIONS: usize = 109;
    /// `SequenceRNNOptions`.
    pub const SEQUENCE_RNN_OPTIONS: usize = 110;
    /// `ShapeOptions`.
    pub const SHAPE_OPTIONS: usize = 111;
    /// `SignOptions`.
    pub const SIGN_OPTIONS: usize = 112;
    /// `SignatureDef`.
    pub const SIGNATURE_DEF: usize = 113;
    /// `SkipGramOptions`.
    pub const SKIP_GRAM_OPTIONS: usize = 114;
    /// `SliceOptions`.
    pub const SLICE_OPTIONS: usize = 115;
    /// `SoftmaxOptions`.
    pub const SOFTMAX_OPTIONS: usize = 116;
    /// `SpaceToBatchNDOptions`.
    pub const SPACE_TO_BATCH_ND_OPTIONS: usize = 117;
    /// `SpaceToDepthOptions`.
    pub const SPACE_TO_DEPTH_OPTIONS: usize = 118;
    /// `SparseToDenseOptions`.
    pub const SPARSE_TO_DENSE_OPTIONS: usize = 119;
    /// `SparsityParameters`.
    pub const SPARSITY_PARAMETERS: usize = 120;
    /// `SplitOptions`.
    pub const SPLIT_OPTIONS: usize = 121;
    /// `SplitVOptions`.
    pub const SPLIT_V_OPTIONS: usize = 122;
    /// `SquareOptions`.
    pub const SQUARE_OPTIONS: usize = 123;
    /// `SquaredDifferenceOptions`.
    pub const SQUARED_DIFFERENCE_OPTIONS: usize = 124;
    /// `SqueezeOptions`.
    pub const SQUEEZE_OPTIONS: usize = 125;
    /// `StableHLOCompositeOptions`.
    pub const STABLE_HLO_COMPOSITE_OPTIONS: usize = 126;
    /// `StablehloBroadcastInDimOptions`.
    pub const STABLEHLO_BROADCAST_IN_DIM_OPTIONS: usize = 127;
    /// `StablehloCaseOptions`.
    pub const STABLEHLO_CASE_OPTIONS: usize = 128;
    /// `StablehloCompareOptions`.
    pub const STABLEHLO_COMPARE_OPTIONS: usize = 129;
    /// `StablehloConcatenateOptions`.
    pub const STABLEHLO_CONCATENATE_OPTIONS: usize = 130;
    /// `StablehloConvolutionOptions`.
    pub const STABLEHLO_CONVOLUTION_OPTIONS: usize = 131;
    /// `StablehloCustomCallOptions`.
    pub const STABLEHLO_CUSTOM_CALL_OPTIONS: usize = 132;
    /// `StablehloDotGeneralOptions`.
    pub const STABLEHLO_DOT_GENERAL_OPTIONS: usize = 133;
    /// `StablehloDynamicSliceOptions`.
    pub const STABLEHLO_DYNAMIC_SLICE_OPTIONS: usize = 134;
    /// `StablehloGatherOptions`.
    pub const STABLEHLO_GATHER_OPTIONS: usize = 135;
    /// `StablehloIotaOptions`.
    pub const STABLEHLO_IOTA_OPTIONS: usize = 136;
    /// `StablehloPadOptions`.
    pub const STABLEHLO_PAD_OPTIONS: usize = 137;
    /// `StablehloReduceOptions`.
    pub const STABLEHLO_REDUCE_OPTIONS: usize = 138;
    /// `StablehloReduceWindowOptions`.
    pub const STABLEHLO_REDUCE_WINDOW_OPTIONS: usize = 139;
    /// `StablehloRngBitGeneratorOptions`.
    pub const STABLEHLO_RNG_BIT_GENERATOR_OPTIONS: usize = 140;
    /// `StablehloScatterOptions`.
    pub const STABLEHLO_SCATTER_OPTIONS: usize = 141;
    /// `StablehloShiftLeftOptions`.
    pub const STABLEHLO_SHIFT_LEFT_OPTIONS: usize = 142;
    /// `StablehloSliceOptions`.
    pub const STABLEHLO_SLICE_OPTIONS: usize = 143;
    /// `StablehloSortOptions`.
    pub const STABLEHLO_SORT_OPTIONS: usize = 144;
    /// `StablehloTransposeOptions`.
    pub const STABLEHLO_TRANSPOSE_OPTIONS: usize = 145;
    /// `StablehloWhileOptions`.
    pub const STABLEHLO_WHILE_OPTIONS: usize = 146;
    /// `StridedSliceOptions`.
    pub const STRIDED_SLICE_OPTIONS: usize = 147;
    /// `SubGraph`.
    pub const SUB_GRAPH: usize = 148;
    /// `SubOptions`.
    pub const SUB_OPTIONS: usize = 149;
    /// `Tensor`.
    pub const TENSOR: usize = 150;
    /// `TensorMap`.
    pub const TENSOR_MAP: usize = 151;
    /// `TileOptions`.
    pub const TILE_OPTIONS: usize = 152;
    /// `TopKV2Options`.
    pub const TOP_KV2_OPTIONS: usize = 153;
    /// `TransposeConvOptions`.
    pub const TRANSPOSE_CONV_OPTIONS: usize = 154;
    /// `TransposeOptions`.
    pub const TRANSPOSE_OPTIONS: usize = 155;
    /// `Uint16Vector`.
    pub const UINT16_VECTOR: usize = 156;
    /// `Uint8Vector`.
    pub const UINT8_VECTOR: usize = 157;
    /// `UnidirectionalSequenceLSTMOptions`.
    pub const UNIDIRECTIONAL_SEQUENCE_LSTM_OPTIONS: usize = 158;
    /// `UniqueOptions`.
    pub const UNIQUE_OPTIONS: usize = 159;
    /// `UnpackOptions`.
    pub const UNPACK_OPTIONS: usize = 160;
    /// `UnsortedSegmentMaxOptions`.
    pub const UNSORTED_SEGMENT_MAX_OPTIONS: usize = 161;
    /// `UnsortedSegmentMinOptions`.
    pub const UNSORTED_SEGMENT_MIN_OPTIONS: usize = 162;
    /// `UnsortedSegmentProdOptions`.
    pub const UNSORTED_SEGMENT_PROD_OPTIONS: usize = 163;
    /// `UnsortedSegmentSumOptions`.
    pub const UNSORTED_SEGMENT_SUM_OPTIONS: usize = 164;
    /// `VarHandleOptions`.
    pub const VAR_HANDLE_OPTIONS: usize = 165;
    /// `VariantSubType`.
    pub const VARIANT_SUB_TYPE: usize = 166;
    /// `WhereOptions`.
    pub const WHERE_OPTIONS: usize = 167;
    /// `WhileOptions`.
    pub const WHILE_OPTIONS: usize = 168;
    /// `ZerosLikeOptions`.
    pub const ZEROS_LIKE_OPTIONS: usize = 169;
}

/// Union ids.
pub mod union {
    /// `BuiltinOptions`.
    pub const BUILTIN_OPTIONS: usize = 0;
    /// `BuiltinOptions2`.
    pub const BUILTIN_OPTIONS2: usize = 1;
    /// `QuantizationDetails`.
    pub const QUANTIZATION_DETAILS: usize = 2;
    /// `SparseIndexVector`.
    pub const SPARSE_INDEX_VECTOR: usize = 3;
}

/// Field slots, per table.
pub mod slot {
    /// Slots of `AddOptions`.
    pub mod add_options {
        /// `AddOptions.fused_activation_function`.
        pub const FUSED_ACTIVATION_FUNCTION: usize = 0;
        /// `AddOptions.pot_scale_int16`.
        pub const POT_SCALE_INT16: usize = 1;
    }
    /// Slots of `ArgMaxOptions`.
    pub mod arg_max_options {
        /// `ArgMaxOptions.output_type`.
        pub const OUTPUT_TYPE: usize = 0;
    }
    /// Slots of `ArgMinOptions`.
    pub mod arg_min_options {
        /// `ArgMinOptions.output_type`.
        pub const OUTPUT_TYPE: usize = 0;
    }
    /// Slots of `BatchMatMulOptions`.
    pub mod batch_mat_mul_options {
        /// `BatchMatMulOptions.adj_x`.
        pub const ADJ_X: usize = 0;
        /// `BatchMatMulOptions.adj_y`.
        pub const ADJ_Y: usize = 1;
        /// `BatchMatMulOptions.asymmetric_quantize_inputs`.
        pub const ASYMMETRIC_QUANTIZE_INPUTS: usize = 2;
    }
    /// Slots of `BidirectionalSequenceLSTMOptions`.
    pub mod bidirectional_sequence_lstm_options {
        /// `BidirectionalSequenceLSTMOptions.fused_activation_function`.
        pub const FUSED_ACTIVATION_FUNCTION: usize = 0;
        /// `BidirectionalSequenceLSTMOptions.cell_clip`.
        pub const CELL_CLIP: usize = 1;
        /// `BidirectionalSequenceLSTMOptions.proj_clip`.
        pub const PROJ_CLIP: usize = 2;
        /// `BidirectionalSequenceLSTMOptions.merge_outputs`.
        pub const MERGE_OUTPUTS: usize = 3;
        /// `BidirectionalSequenceLSTMOptions.time_major`.
        pub const TIME_MAJOR: usize = 4;
        /// `BidirectionalSequenceLSTMOptions.asymmetric_quantize_inputs`.
        pub const ASYMMETRIC_QUANTIZE_INPUTS: usize = 5;
    }
    /// Slots of `BidirectionalSequenceRNNOptions`.
    pub mod bidirectional_sequence_rnn_options {
        /// `BidirectionalSequenceRNNOptions.time_major`.
        pub const TIME_MAJOR: usize = 0;
        /// `BidirectionalSequenceRNNOptions.fused_activation_function`.
        pub const FUSED_ACTIVATION_FUNCTION: usize = 1;
        /// `BidirectionalSequenceRNNOptions.merge_outputs`.
        pub const MERGE_OUTPUTS: usize = 2;
        /// `BidirectionalSequenceRNNOptions.asymmetric_quantize_inputs`.
        pub const ASYMMETRIC_QUANTIZE_INPUTS: usize = 3;
    }
    /// Slots of `BlockwiseQuantization`.
    pub mod blockwise_quantization {
        /// `BlockwiseQuantization.scales`.
        pub const SCALES: usize = 0;
        /// `BlockwiseQuantization.zero_points`.
        pub const ZERO_POINTS: usize = 1;
        /// `BlockwiseQuantization.block_size`.
        pub const BLOCK_SIZE: usize = 2;
        /// `BlockwiseQuantization.block_shape`.
        pub const BLOCK_SHAPE: usize = 3;
    }
    /// Slots of `BucketizeOptions`.
    pub mod bucketize_options {
        /// `BucketizeOptions.boundaries`.
        pub const BOUNDARIES: usize = 0;
    }
    /// Slots of `Buffer`.
    pub mod buffer {
        /// `Buffer.data`.
        pub const DATA: usize = 0;
        /// `Buffer.offset`.
        pub const OFFSET: usize = 1;
        /// `Buffer.size`.
        pub const SIZE: usize = 2;
    }
    /// Slots of `CallOnceOptions`.
    pub mod call_once_options {
        /// `CallOnceOptions.init_subgraph_index`.
        pub const INIT_SUBGRAPH_INDEX: usize = 0;
    }
    /// Slots of `CallOptions`.
    pub mod call_options {
        /// `CallOptions.subgraph`.
        pub const SUBGRAPH: usize = 0;
    }
    /// Slots of `CastOptions`.
    pub mod cast_options {
        /// `CastOptions.in_data_type`.
        pub const IN_DATA_TYPE: usize = 0;
        /// `CastOptions.out_data_type`.
        pub const OUT_DATA_TYPE: usize = 1;
    }
    /// Slots of `ConcatEmbeddingsOptions`.
    pub mod concat_embeddings_options {
        /// `ConcatEmbeddingsOptions.num_channels`.
        pub const NUM_CHANNELS: usize = 0;
        /// `ConcatEmbeddingsOptions.num_columns_per_channel`.
        pub const NUM_COLUMNS_PER_CHANNEL: usize = 1;
        /// `ConcatEmbeddingsOptions.embedding_dim_per_channel`.
        pub const EMBEDDING_DIM_PER_CHANNEL: usize = 2;
    }
    /// Slots of `ConcatenationOptions`.
    pub mod concatenation_options {
        /// `ConcatenationOptions.axis`.
        pub const AXIS: usize = 0;
        /// `ConcatenationOptions.fused_activation_function`.
        pub const FUSED_ACTIVATION_FUNCTION: usize = 1;
    }
    /// Slots of `Conv2DOptions`.
    pub mod conv2_d_options {
        /// `Conv2DOptions.padding`.
        pub const PADDING: usize = 0;
        /// `Conv2DOptions.stride_w`.
        pub const STRIDE_W: usize = 1;
        /// `Conv2DOptions.stride_h`.
        pub const STRIDE_H: usize = 2;
        /// `Conv2DOptions.fused_activation_function`.
        pub const FUSED_ACTIVATION_FUNCTION: usize = 3;
        /// `Conv2DOptions.dilation_w_factor`.
        pub const DILATION_W_FACTOR: usize = 4;
        /// `Conv2DOptions.dilation_h_factor`.
        pub const DILATION_H_FACTOR: usize = 5;
        /// `Conv2DOptions.quantized_bias_type`.
        pub const QUANTIZED_BIAS_TYPE: usize = 6;
    }
    /// Slots of `Conv3DOptions`.
    pub mod conv3_d_options {
        /// `Conv3DOptions.padding`.
        pub const PADDING: usize = 0;
        /// `Conv3DOptions.stride_d`.
        pub const STRIDE_D: usize = 1;
        /// `Conv3DOptions.stride_w`.
        pub const STRIDE_W: usize = 2;
        /// `Conv3DOptions.stride_h`.
        pub const STRIDE_H: usize = 3;
        /// `Conv3DOptions.fused_activation_function`.
        pub const FUSED_ACTIVATION_FUNCTION: usize = 4;
        /// `Conv3DOptions.dilation_d_factor`.
        pub const DILATION_D_FACTOR: usize = 5;
        /// `Conv3DOptions.dilation_w_factor`.
        pub const DILATION_W_FACTOR: usize = 6;
        /// `Conv3DOptions.dilation_h_factor`.
        pub const DILATION_H_FACTOR: usize = 7;
    }
    /// Slots of `CumsumOptions`.
    pub mod cumsum_options {
        /// `CumsumOptions.exclusive`.
        pub const EXCLUSIVE: usize = 0;
        /// `CumsumOptions.reverse`.
        pub const REVERSE: usize = 1;
    }
    /// Slots of `CustomQuantization`.
    pub mod custom_quantization {
        /// `CustomQuantization.custom`.
        pub const CUSTOM: usize = 0;
    }
    /// Slots of `DepthToSpaceOptions`.
    pub mod depth_to_space_options {
        /// `DepthToSpaceOptions.block_size`.
        pub const BLOCK_SIZE: usize = 0;
    }
    /// Slots of `DepthwiseConv2DOptions`.
    pub mod depthwise_conv2_d_options {
        /// `DepthwiseConv2DOptions.padding`.
        pub const PADDING: usize = 0;
        /// `DepthwiseConv2DOptions.stride_w`.
        pub const STRIDE_W: usize = 1;
        /// `DepthwiseConv2DOptions.stride_h`.
        pub const STRIDE_H: usize = 2;
        /// `DepthwiseConv2DOptions.depth_multiplier`.
        pub const DEPTH_MULTIPLIER: usize = 3;
        /// `DepthwiseConv2DOptions.fused_activation_function`.
        pub const FUSED_ACTIVATION_FUNCTION: usize = 4;
        /// `DepthwiseConv2DOptions.dilation_w_factor`.
        pub const DILATION_W_FACTOR: usize = 5;
        /// `DepthwiseConv2DOptions.dilation_h_factor`.
        pub const DILATION_H_FACTOR: usize = 6;
    }
    /// Slots of `DimensionMetadata`.
    pub mod dimension_metadata {
        /// `DimensionMetadata.format`.
        pub const FORMAT: usize = 0;
        /// `DimensionMetadata.dense_size`.
        pub const DENSE_SIZE: usize = 1;
        /// `DimensionMetadata.array_segments_type`.
        pub const ARRAY_SEGMENTS_TYPE: usize = 2;
        /// `DimensionMetadata.array_segments`.
        pub const ARRAY_SEGMENTS: usize = 3;
        /// `DimensionMetadata.array_indices_type`.
        pub const ARRAY_INDICES_TYPE: usize = 4;
        /// `DimensionMetadata.array_indices`.
        pub const ARRAY_INDICES: usize = 5;
    }
    /// Slots of `DivOptions`.
    pub mod div_options {
        /// `DivOptions.fused_activation_function`.
        pub const FUSED_ACTIVATION_FUNCTION: usize = 0;
    }
    /// Slots of `EmbeddingLookupSparseOptions`.
    pub mod embedding_lookup_sparse_options {
        /// `EmbeddingLookupSparseOptions.combiner`.
        pub const COMBINER: usize = 0;
    }
    /// Slots of `ExternalBuffer`.
    pub mod external_buffer {
        /// `ExternalBuffer.id`.
        pub const ID: usize = 0;
        /// `ExternalBuffer.group`.
        pub const GROUP: usize = 1;
        /// `ExternalBuffer.offset`.
        pub const OFFSET: usize = 2;
        /// `ExternalBuffer.length`.
        pub const LENGTH: usize = 3;
        /// `ExternalBuffer.packing`.
        pub const PACKING: usize = 4;
    }
    /// Slots of `ExternalBufferGroup`.
    pub mod external_buffer_group {
        /// `ExternalBufferGroup.name`.
        pub const NAME: usize = 0;
    }
    /// Slots of `FakeQuantOptions`.
    pub mod fake_quant_options {
        /// `FakeQuantOptions.min`.
        pub const MIN: usize = 0;
        /// `FakeQuantOptions.max`.
        pub const MAX: usize = 1;
        /// `FakeQuantOptions.num_bits`.
        pub const NUM_BITS: usize = 2;
        /// `FakeQuantOptions.narrow_range`.
        pub const NARROW_RANGE: usize = 3;
    }
    /// Slots of `FullyConnectedOptions`.
    pub mod fully_connected_options {
        /// `FullyConnectedOptions.fused_activation_function`.
        pub const FUSED_ACTIVATION_FUNCTION: usize = 0;
        /// `FullyConnectedOptions.weights_format`.
        pub const WEIGHTS_FORMAT: usize = 1;
        /// `FullyConnectedOptions.keep_num_dims`.
        pub const KEEP_NUM_DIMS: usize = 2;
        /// `FullyConnectedOptions.asymmetric_quantize_inputs`.
        pub const ASYMMETRIC_QUANTIZE_INPUTS: usize = 3;
        /// `FullyConnectedOptions.quantized_bias_type`.
        pub const QUANTIZED_BIAS_TYPE: usize = 4;
        /// `FullyConnectedOptions.quant_spec`.
        pub const QUANT_SPEC: usize = 5;
    }
    /// Slots of `GatherOptions`.
    pub mod gather_options {
        /// `GatherOptions.axis`.
        pub const AXIS: usize = 0;
        /// `GatherOptions.batch_dims`.
        pub const BATCH_DIMS: usize = 1;
    }
    /// Slots of `GeluOptions`.
    pub mod gelu_options {
        /// `GeluOptions.approximate`.
        pub const APPROXIMATE: usize = 0;
    }
    /// Slots of `HashtableOptions`.
    pub mod hashtable_options {
        /// `HashtableOptions.table_id`.
        pub const TABLE_ID: usize = 0;
        /// `HashtableOptions.key_dtype`.
        pub const KEY_DTYPE: usize = 1;
        /// `HashtableOptions.value_dtype`.
        pub const VALUE_DTYPE: usize = 2;
    }
    /// Slots of `IfOptions`.
    pub mod if_options {
        /// `IfOptions.then_subgraph_index`.
        pub const THEN_SUBGRAPH_INDEX: usize = 0;
        /// `IfOptions.else_subgraph_index`.
        pub const ELSE_SUBGRAPH_INDEX: usize = 1;
    }
    /// Slots of `Int32Vector`.
    pub mod int32_vector {
        /// `Int32Vector.values`.
        pub const VALUES: usize = 0;
    }
    /// Slots of `L2NormOptions`.
    pub mod l2_norm_options {
        /// `L2NormOptions.fused_activation_function`.
        pub const FUSED_ACTIVATION_FUNCTION: usize = 0;
    }
    /// Slots of `LSHProjectionOptions`.
    pub mod lsh_projection_options {
        /// `LSHProjectionOptions.type`.
        pub const TYPE: usize = 0;
    }
    /// Slots of `LSTMOptions`.
    pub mod lstm_options {
        /// `LSTMOptions.fused_activation_function`.
        pub const FUSED_ACTIVATION_FUNCTION: usize = 0;
        /// `LSTMOptions.cell_clip`.
        pub const CELL_CLIP: usize = 1;
        /// `LSTMOptions.proj_clip`.
        pub const PROJ_CLIP: usize = 2;
        /// `LSTMOptions.kernel_type`.
        pub const KERNEL_TYPE: usize = 3;
        /// `LSTMOptions.asymmetric_quantize_inputs`.
        pub const ASYMMETRIC_QUANTIZE_INPUTS: usize = 4;
    }
    /// Slots of `LeakyReluOptions`.
    pub mod leaky_relu_options {
        /// `LeakyReluOptions.alpha`.
        pub const ALPHA: usize = 0;
    }
    /// Slots of `LocalResponseNormalizationOptions`.
    pub mod local_response_normalization_options {
        /// `LocalResponseNormalizationOptions.radius`.
        pub const RADIUS: usize = 0;
        /// `LocalResponseNormalizationOptions.bias`.
        pub const BIAS: usize = 1;
        /// `LocalResponseNormalizationOptions.alpha`.
        pub const ALPHA: usize = 2;
        /// `LocalResponseNormalizationOptions.beta`.
        pub const BETA: usize = 3;
    }
    /// Slots of `Metadata`.
    pub mod metadata {
        /// `Metadata.name`.
        pub const NAME: usize = 0;
        /// `Metadata.buffer`.
        pub const BUFFER: usize = 1;
    }
    /// Slots of `MirrorPadOptions`.
    pub mod mirror_pad_options {
        /// `MirrorPadOptions.mode`.
        pub const MODE: usize = 0;
    }
    /// Slots of `Model`.
    pub mod model {
        /// `Model.version`.
        pub const VERSION: usize = 0;
        /// `Model.operator_codes`.
        pub const OPERATOR_CODES: usize = 1;
        /// `Model.subgraphs`.
        pub const SUBGRAPHS: usize = 2;
        /// `Model.description`.
        pub const DESCRIPTION: usize = 3;
        /// `Model.buffers`.
        pub const BUFFERS: usize = 4;
        /// `Model.metadata_buffer`.
        pub const METADATA_BUFFER: usize = 5;
        /// `Model.metadata`.
        pub const METADATA: usize = 6;
        /// `Model.signature_defs`.
        pub const SIGNATURE_DEFS: usize = 7;
        /// `Model.external_buffer_groups`.
        pub const EXTERNAL_BUFFER_GROUPS: usize = 8;
        /// `Model.external_buffers`.
        pub const EXTERNAL_BUFFERS: usize = 9;
    }
    /// Slots of `MulOptions`.
    pub mod mul_options {
        /// `MulOptions.fused_activation_function`.
        pub const FUSED_ACTIVATION_FUNCTION: usize = 0;
    }
    /// Slots of `MultiAxisQuantization`.
    pub mod multi_axis_quantization {
        /// `MultiAxisQuantization.scales`.
        pub const SCALES: usize = 0;
        /// `MultiAxisQuantization.zero_points`.
        pub const ZERO_POINTS: usize = 1;
        /// `MultiAxisQuantization.block_size`.
        pub const BLOCK_SIZE: usize = 2;
        /// `MultiAxisQuantization.quantized_dimensions`.
        pub const QUANTIZED_DIMENSIONS: usize = 3;
    }
    /// Slots of `OneHotOptions`.
    pub mod one_hot_options {
        /// `OneHotOptions.axis`.
        pub const AXIS: usize = 0;
    }
    /// Slots of `Operator`.
    pub mod operator {
        /// `Operator.opcode_index`.
        pub const OPCODE_INDEX: usize = 0;
        /// `Operator.inputs`.
        pub const INPUTS: usize = 1;
        /// `Operator.outputs`.
        pub const OUTPUTS: usize = 2;
        /// `Operator.builtin_options_type`.
        pub const BUILTIN_OPTIONS_TYPE: usize = 3;
        /// `Operator.builtin_options`.
        pub const BUILTIN_OPTIONS: usize = 4;
        /// `Operator.custom_options`.
        pub const CUSTOM_OPTIONS: usize = 5;
        /// `Operator.custom_options_format`.
        pub const CUSTOM_OPTIONS_FORMAT: usize = 6;
        /// `Operator.mutating_variable_inputs`.
        pub const MUTATING_VARIABLE_INPUTS: usize = 7;
        /// `Operator.intermediates`.
        pub const INTERMEDIATES: usize = 8;
        /// `Operator.large_custom_options_offset`.
        pub const LARGE_CUSTOM_OPTIONS_OFFSET: usize = 9;
        /// `Operator.large_custom_options_size`.
        pub const LARGE_CUSTOM_OPTIONS_SIZE: usize = 10;
        /// `Operator.builtin_options2_type`.
        pub const BUILTIN_OPTIONS2_TYPE: usize = 11;
        /// `Operator.builtin_options2`.
        pub const BUILTIN_OPTIONS2: usize = 12;
        /// `Operator.debug_metadata_index`.
        pub const DEBUG_METADATA_INDEX: usize = 13;
    }
    /// Slots of `OperatorCode`.
    pub mod operator_code {
        /// `OperatorCode.deprecated_builtin_code`.
        pub const DEPRECATED_BUILTIN_CODE: usize = 0;
        /// `OperatorCode.custom_code`.
        pub const CUSTOM_CODE: usize = 1;
        /// `OperatorCode.version`.
        pub const VERSION: usize = 2;
        /// `OperatorCode.builtin_code`.
        pub const BUILTIN_CODE: usize = 3;
    }
    /// Slots of `PackOptions`.
    pub mod pack_options {
        /// `PackOptions.values_count`.
        pub const VALUES_COUNT: usize = 0;
        /// `PackOptions.axis`.
        pub const AXIS: usize = 1;
    }
    /// Slots of `Pool2DOptions`.
    pub mod pool2_d_options {
        /// `Pool2DOptions.padding`.
        pub const PADDING: usize = 0;
        /// `Pool2DOptions.stride_w`.
        pub const STRIDE_W: usize = 1;
        /// `Pool2DOptions.stride_h`.
        pub const STRIDE_H: usize = 2;
        /// `Pool2DOptions.filter_width`.
        pub const FILTER_WIDTH: usize = 3;
        /// `Pool2DOptions.filter_height`.
        pub const FILTER_HEIGHT: usize = 4;
        /// `Pool2DOptions.fused_activation_function`.
        pub const FUSED_ACTIVATION_FUNCTION: usize = 5;
    }
    /// Slots of `QuantizationParameters`.
    pub mod quantization_parameters {
        /// `QuantizationParameters.min`.
        pub const MIN: usize = 0;
        /// `QuantizationParameters.max`.
        pub const MAX: usize = 1;
        /// `QuantizationParameters.scale`.
        pub const SCALE: usize = 2;
        /// `QuantizationParameters.zero_point`.
        pub const ZERO_POINT: usize = 3;
        /// `QuantizationParameters.details_type`.
        pub const DETAILS_TYPE: usize = 4;
        /// `QuantizationParameters.details`.
        pub const DETAILS: usize = 5;
        /// `QuantizationParameters.quantized_dimension`.
        pub const QUANTIZED_DIMENSION: usize = 6;
    }
    /// Slots of `RNNOptions`.
    pub mod rnn_options {
        /// `RNNOptions.fused_activation_function`.
        pub const FUSED_ACTIVATION_FUNCTION: usize = 0;
        /// `RNNOptions.asymmetric_quantize_inputs`.
        pub const ASYMMETRIC_QUANTIZE_INPUTS: usize = 1;
    }
    /// Slots of `RandomOptions`.
    pub mod random_options {
        /// `RandomOptions.seed`.
        pub const SEED: usize = 0;
        /// `RandomOptions.seed2`.
        pub const SEED2: usize = 1;
    }
    /// Slots of `ReduceWindowOptions`.
    pub mod reduce_window_options {
        /// `ReduceWindowOptions.reduce_function`.
        pub const REDUCE_FUNCTION: usize = 0;
    }
    /// Slots of `ReducerOptions`.
    pub mod reducer_options {
        /// `ReducerOptions.keep_dims`.
        pub const KEEP_DIMS: usize = 0;
    }
    /// Slots of `ReshapeOptions`.
    pub mod reshape_options {
        /// `ReshapeOptions.new_shape`.
        pub const NEW_SHAPE: usize = 0;
    }
    /// Slots of `ResizeBilinearOptions`.
    pub mod resize_bilinear_options {
        /// `ResizeBilinearOptions.align_corners`.
        pub const ALIGN_CORNERS: usize = 2;
        /// `ResizeBilinearOptions.half_pixel_centers`.
        pub const HALF_PIXEL_CENTERS: usize = 3;
    }
    /// Slots of `ResizeNearestNeighborOptions`.
    pub mod resize_nearest_neighbor_options {
        /// `ResizeNearestNeighborOptions.align_corners`.
        pub const ALIGN_CORNERS: usize = 0;
        /// `ResizeNearestNeighborOptions.half_pixel_centers`.
        pub const HALF_PIXEL_CENTERS: usize = 1;
    }
    /// Slots of `ReverseSequenceOptions`.
    pub mod reverse_sequence_options {
        /// `ReverseSequenceOptions.seq_dim`.
        pub const SEQ_DIM: usize = 0;
        /// `ReverseSequenceOptions.batch_dim`.
        pub const BATCH_DIM: usize = 1;
    }
    /// Slots of `SVDFOptions`.
    pub mod svdf_options {
        /// `SVDFOptions.rank`.
        pub const RANK: usize = 0;
        /// `SVDFOptions.fused_activation_function`.
        pub const FUSED_ACTIVATION_FUNCTION: usize = 1;
        /// `SVDFOptions.asymmetric_quantize_inputs`.
        pub const ASYMMETRIC_QUANTIZE_INPUTS: usize = 2;
    }
    /// Slots of `SequenceRNNOptions`.
    pub mod sequence_rnn_options {
        /// `SequenceRNNOptions.time_major`.
        pub const TIME_MAJOR: usize = 0;
        /// `SequenceRNNOptions.fused_activation_function`.
        pub const FUSED_ACTIVATION_FUNCTION: usize = 1;
        /// `SequenceRNNOptions.asymmetric_quantize_inputs`.
        pub const ASYMMETRIC_QUANTIZE_INPUTS: usize = 2;
    }
    /// Slots of `ShapeOptions`.
    pub mod shape_options {
        /// `ShapeOptions.out_type`.
        pub const OUT_TYPE: usize = 0;
    }
    /// Slots of `SignatureDef`.
    pub mod signature_def {
        /// `SignatureDef.inputs`.
        pub const INPUTS: usize = 0;
        /// `SignatureDef.outputs`.
        pub const OUTPUTS: usize = 1;
        /// `SignatureDef.signature_key`.
        pub const SIGNATURE_KEY: usize = 2;
        /// `SignatureDef.subgraph_index`.
        pub const SUBGRAPH_INDEX: usize = 4;
    }
    /// Slots of `SkipGramOptions`.
    pub mod skip_gram_options {
        /// `SkipGramOptions.ngram_size`.
        pub const NGRAM_SIZE: usize = 0;
        /// `SkipGramOptions.max_skip_size`.
        pub const MAX_SKIP_SIZE: usize = 1;
        /// `SkipGramOptions.include_all_ngrams`.
        pub const INCLUDE_ALL_NGRAMS: usize = 2;
    }
    /// Slots of `SoftmaxOptions`.
    pub mod softmax_options {
        /// `SoftmaxOptions.beta`.
        pub const BETA: usize = 0;
    }
    /// Slots of `SpaceToDepthOptions`.
    pub mod space_to_depth_options {
        /// `SpaceToDepthOptions.block_size`.
        pub const BLOCK_SIZE: usize = 0;
    }
    /// Slots of `SparseToDenseOptions`.
    pub mod sparse_to_dense_options {
        /// `SparseToDenseOptions.validate_indices`.
        pub const VALIDATE_INDICES: usize = 0;
    }
    /// Slots of `SparsityParameters`.
    pub mod sparsity_parameters {
        /// `SparsityParameters.traversal_order`.
        pub const TRAVERSAL_ORDER: usize = 0;
        /// `SparsityParameters.block_map`.
        pub const BLOCK_MAP: usize = 1;
        /// `SparsityParameters.dim_metadata`.
        pub const DIM_METADATA: usize = 2;
    }
    /// Slots of `SplitOptions`.
    pub mod split_options {
        /// `SplitOptions.num_splits`.
        pub const NUM_SPLITS: usize = 0;
    }
    /// Slots of `SplitVOptions`.
    pub mod split_v_options {
        /// `SplitVOptions.num_splits`.
        pub const NUM_SPLITS: usize = 0;
    }
    /// Slots of `SqueezeOptions`.
    pub mod squeeze_options {
        /// `SqueezeOptions.squeeze_dims`.
        pub const SQUEEZE_DIMS: usize = 0;
    }
    /// Slots of `StableHLOCompositeOptions`.
    pub mod stable_hlo_composite_options {
        /// `StableHLOCompositeOptions.name`.
        pub const NAME: usize = 0;
        /// `StableHLOCompositeOptions.decomposition_subgraph_index`.
        pub const DECOMPOSITION_SUBGRAPH_INDEX: usize = 1;
        /// `StableHLOCompositeOptions.composite_attributes`.
        pub const COMPOSITE_ATTRIBUTES: usize = 2;
        /// `StableHLOCompositeOptions.composite_attributes_format`.
        pub const COMPOSITE_ATTRIBUTES_FORMAT: usize = 3;
        /// `StableHLOCompositeOptions.version`.
        pub const VERSION: usize = 4;
    }
    /// Slots of `StablehloBroadcastInDimOptions`.
    pub mod stablehlo_broadcast_in_dim_options {
        /// `StablehloBroadcastInDimOptions.broadcast_dimensions`.
        pub const BROADCAST_DIMENSIONS: usize = 0;
    }
    /// Slots of `StablehloCaseOptions`.
    pub mod stablehlo_case_options {
        /// `StablehloCaseOptions.branch_subgraph_indices`.
        pub const BRANCH_SUBGRAPH_INDICES: usize = 0;
    }
    /// Slots of `StablehloCompareOptions`.
    pub mod stablehlo_compare_options {
        /// `StablehloCompareOptions.comparison_direction`.
        pub const COMPARISON_DIRECTION: usize = 0;
        /// `StablehloCompareOptions.compare_type`.
        pub const COMPARE_TYPE: usize = 1;
    }
    /// Slots of `StablehloConcatenateOptions`.
    pub mod stablehlo_concatenate_options {
        /// `StablehloConcatenateOptions.dimension`.
        pub const DIMENSION: usize = 0;
    }
    /// Slots of `StablehloConvolutionOptions`.
    pub mod stablehlo_convolution_options {
        /// `StablehloConvolutionOptions.window_strides`.
        pub const WINDOW_STRIDES: usize = 0;
        /// `StablehloConvolutionOptions.padding`.
        pub const PADDING: usize = 1;
        /// `StablehloConvolutionOptions.lhs_dilation`.
        pub const LHS_DILATION: usize = 2;
        /// `StablehloConvolutionOptions.rhs_dilation`.
        pub const RHS_DILATION: usize = 3;
        /// `StablehloConvolutionOptions.window_reversal`.
        pub const WINDOW_REVERSAL: usize = 4;
        /// `StablehloConvolutionOptions.input_batch_dimension`.
        pub const INPUT_BATCH_DIMENSION: usize = 5;
        /// `StablehloConvolutionOptions.input_feature_dimension`.
        pub const INPUT_FEATURE_DIMENSION: usize = 6;
        /// `StablehloConvolutionOptions.input_spatial_dimensions`.
        pub const INPUT_SPATIAL_DIMENSIONS: usize = 7;
        /// `StablehloConvolutionOptions.kernel_input_feature_dimension`.
        pub const KERNEL_INPUT_FEATURE_DIMENSION: usize = 8;
        /// `StablehloConvolutionOptions.kernel_output_feature_dimension`.
        pub const KERNEL_OUTPUT_FEATURE_DIMENSION: usize = 9;
        /// `StablehloConvolutionOptions.kernel_spatial_dimensions`.
        pub const KERNEL_SPATIAL_DIMENSIONS: usize = 10;
        /// `StablehloConvolutionOptions.output_batch_dimension`.
        pub const OUTPUT_BATCH_DIMENSION: usize = 11;
        /// `StablehloConvolutionOptions.output_feature_dimension`.
        pub const OUTPUT_FEATURE_DIMENSION: usize = 12;
        /// `StablehloConvolutionOptions.output_spatial_dimensions`.
        pub const OUTPUT_SPATIAL_DIMENSIONS: usize = 13;
        /// `StablehloConvolutionOptions.feature_group_count`.
        pub const FEATURE_GROUP_COUNT: usize = 14;
        /// `StablehloConvolutionOptions.batch_group_count`.
        pub const BATCH_GROUP_COUNT: usize = 15;
        /// `StablehloConvolutionOptions.precision_config`.
        pub const PRECISION_CONFIG: usize = 16;
    }
    /// Slots of `StablehloCustomCallOptions`.
    pub mod stablehlo_custom_call_options {
        /// `StablehloCustomCallOptions.call_target_name`.
        pub const CALL_TARGET_NAME: usize = 0;
        /// `StablehloCustomCallOptions.has_side_effect`.
        pub const HAS_SIDE_EFFECT: usize = 1;
        /// `StablehloCustomCallOptions.backend_config`.
        pub const BACKEND_CONFIG: usize = 2;
        /// `StablehloCustomCallOptions.api_version`.
        pub const API_VERSION: usize = 3;
        /// `StablehloCustomCallOptions.called_computations`.
        pub const CALLED_COMPUTATIONS: usize = 4;
        /// `StablehloCustomCallOptions.custom_attributes`.
        pub const CUSTOM_ATTRIBUTES: usize = 5;
    }
    /// Slots of `StablehloDotGeneralOptions`.
    pub mod stablehlo_dot_general_options {
        /// `StablehloDotGeneralOptions.lhs_batching_dimensions`.
        pub const LHS_BATCHING_DIMENSIONS: usize = 0;
        /// `StablehloDotGeneralOptions.rhs_batching_dimensions`.
        pub const RHS_BATCHING_DIMENSIONS: usize = 1;
        /// `StablehloDotGeneralOptions.lhs_contracting_dimensions`.
        pub const LHS_CONTRACTING_DIMENSIONS: usize = 2;
        /// `StablehloDotGeneralOptions.rhs_contracting_dimensions`.
        pub const RHS_CONTRACTING_DIMENSIONS: usize = 3;
        /// `StablehloDotGeneralOptions.precision_config`.
        pub const PRECISION_CONFIG: usize = 4;
    }
    /// Slots of `StablehloDynamicSliceOptions`.
    pub mod stablehlo_dynamic_slice_options {
        /// `StablehloDynamicSliceOptions.slice_sizes`.
        pub const SLICE_SIZES: usize = 0;
    }
    /// Slots of `StablehloGatherOptions`.
    pub mod stablehlo_gather_options {
        /// `StablehloGatherOptions.offset_dims`.
        pub const OFFSET_DIMS: usize = 0;
        /// `StablehloGatherOptions.collapsed_slice_dims`.
        pub const COLLAPSED_SLICE_DIMS: usize = 1;
        /// `StablehloGatherOptions.start_index_map`.
        pub const START_INDEX_MAP: usize = 2;
        /// `StablehloGatherOptions.index_vector_dim`.
        pub const INDEX_VECTOR_DIM: usize = 3;
        /// `StablehloGatherOptions.slice_sizes`.
        pub const SLICE_SIZES: usize = 4;
        /// `StablehloGatherOptions.indices_are_sorted`.
        pub const INDICES_ARE_SORTED: usize = 5;
    }
    /// Slots of `StablehloIotaOptions`.
    pub mod stablehlo_iota_options {
        /// `StablehloIotaOptions.iota_dimension`.
        pub const IOTA_DIMENSION: usize = 0;
    }
    /// Slots of `StablehloPadOptions`.
    pub mod stablehlo_pad_options {
        /// `StablehloPadOptions.edge_padding_low`.
        pub const EDGE_PADDING_LOW: usize = 0;
        /// `StablehloPadOptions.edge_padding_high`.
        pub const EDGE_PADDING_HIGH: usize = 1;
        /// `StablehloPadOptions.interior_padding`.
        pub const INTERIOR_PADDING: usize = 2;
    }
    /// Slots of `StablehloReduceOptions`.
    pub mod stablehlo_reduce_options {
        /// `StablehloReduceOptions.dimensions`.
        pub const DIMENSIONS: usize = 0;
        /// `StablehloReduceOptions.body_subgraph_index`.
        pub const BODY_SUBGRAPH_INDEX: usize = 1;
    }
    /// Slots of `StablehloReduceWindowOptions`.
    pub mod stablehlo_reduce_window_options {
        /// `StablehloReduceWindowOptions.window_dimensions`.
        pub const WINDOW_DIMENSIONS: usize = 0;
        /// `StablehloReduceWindowOptions.window_strides`.
        pub const WINDOW_STRIDES: usize = 1;
        /// `StablehloReduceWindowOptions.base_dilations`.
        pub const BASE_DILATIONS: usize = 2;
        /// `StablehloReduceWindowOptions.window_dilations`.
        pub const WINDOW_DILATIONS: usize = 3;
        /// `StablehloReduceWindowOptions.padding`.
        pub const PADDING: usize = 4;
        /// `StablehloReduceWindowOptions.body_subgraph_index`.
        pub const BODY_SUBGRAPH_INDEX: usize = 5;
    }
    /// Slots of `StablehloRngBitGeneratorOptions`.
    pub mod stablehlo_rng_bit_generator_options {
        /// `StablehloRngBitGeneratorOptions.algorithm`.
        pub const ALGORITHM: usize = 0;
    }
    /// Slots of `StablehloScatterOptions`.
    pub mod stablehlo_scatter_options {
        /// `StablehloScatterOptions.indices_are_sorted`.
        pub const INDICES_ARE_SORTED: usize = 0;
        /// `StablehloScatterOptions.update_window_dims`.
        pub const UPDATE_WINDOW_DIMS: usize = 1;
        /// `StablehloScatterOptions.inserted_window_dims`.
        pub const INSERTED_WINDOW_DIMS: usize = 2;
        /// `StablehloScatterOptions.scatter_dims_to_operand_dims`.
        pub const SCATTER_DIMS_TO_OPERAND_DIMS: usize = 3;
        /// `StablehloScatterOptions.index_vector_dim`.
        pub const INDEX_VECTOR_DIM: usize = 4;
        /// `StablehloScatterOptions.unique_indices`.
        pub const UNIQUE_INDICES: usize = 5;
        /// `StablehloScatterOptions.update_computation_subgraph_index`.
        pub const UPDATE_COMPUTATION_SUBGRAPH_INDEX: usize = 6;
    }
    /// Slots of `StablehloSliceOptions`.
    pub mod stablehlo_slice_options {
        /// `StablehloSliceOptions.start_indices`.
        pub const START_INDICES: usize = 0;
        /// `StablehloSliceOptions.limit_indices`.
        pub const LIMIT_INDICES: usize = 1;
        /// `StablehloSliceOptions.strides`.
        pub const STRIDES: usize = 2;
    }
    /// Slots of `StablehloSortOptions`.
    pub mod stablehlo_sort_options {
        /// `StablehloSortOptions.dimension`.
        pub const DIMENSION: usize = 0;
        /// `StablehloSortOptions.is_stable`.
        pub const IS_STABLE: usize = 1;
        /// `StablehloSortOptions.comparator_subgraph_index`.
        pub const COMPARATOR_SUBGRAPH_INDEX: usize = 2;
    }
    /// Slots of `StablehloTransposeOptions`.
    pub mod stablehlo_transpose_options {
        /// `StablehloTransposeOptions.permutation`.
        pub const PERMUTATION: usize = 0;
    }
    /// Slots of `StablehloWhileOptions`.
    pub mod stablehlo_while_options {
        /// `StablehloWhileOptions.cond_subgraph_index`.
        pub const COND_SUBGRAPH_INDEX: usize = 0;
        /// `StablehloWhileOptions.body_subgraph_index`.
        pub const BODY_SUBGRAPH_INDEX: usize = 1;
    }
    /// Slots of `StridedSliceOptions`.
    pub mod strided_slice_options {
        /// `StridedSliceOptions.begin_mask`.
        pub const BEGIN_MASK: usize = 0;
        /// `StridedSliceOptions.end_mask`.
        pub const END_MASK: usize = 1;
        /// `StridedSliceOptions.ellipsis_mask`.
        pub const ELLIPSIS_MASK: usize = 2;
        /// `StridedSliceOptions.new_axis_mask`.
        pub const NEW_AXIS_MASK: usize = 3;
        /// `StridedSliceOptions.shrink_axis_mask`.
        pub const SHRINK_AXIS_MASK: usize = 4;
        /// `StridedSliceOptions.offset`.
        pub const OFFSET: usize = 5;
    }
    /// Slots of `SubGraph`.
    pub mod sub_graph {
        /// `SubGraph.tensors`.
        pub const TENSORS: usize = 0;
        /// `SubGraph.inputs`.
        pub const INPUTS: usize = 1;
        /// `SubGraph.outputs`.
        pub const OUTPUTS: usize = 2;
        /// `SubGraph.operators`.
        pub const OPERATORS: usize = 3;
        /// `SubGraph.name`.
        pub const NAME: usize = 4;
        /// `SubGraph.debug_metadata_index`.
        pub const DEBUG_METADATA_INDEX: usize = 5;
    }
    /// Slots of `SubOptions`.
    pub mod sub_options {
        /// `SubOptions.fused_activation_function`.
        pub const FUSED_ACTIVATION_FUNCTION: usize = 0;
        /// `SubOptions.pot_scale_int16`.
        pub const POT_SCALE_INT16: usize = 1;
    }
    /// Slots of `Tensor`.
    pub mod tensor {
        /// `Tensor.shape`.
        pub const SHAPE: usize = 0;
        /// `Tensor.type`.
        pub const TYPE: usize = 1;
        /// `Tensor.buffer`.
        pub const BUFFER: usize = 2;
        /// `Tensor.name`.
        pub const NAME: usize = 3;
        /// `Tensor.quantization`.
        pub const QUANTIZATION: usize = 4;
        /// `Tensor.is_variable`.
        pub const IS_VARIABLE: usize = 5;
        /// `Tensor.sparsity`.
        pub const SPARSITY: usize = 6;
        /// `Tensor.shape_signature`.
        pub const SHAPE_SIGNATURE: usize = 7;
        /// `Tensor.has_rank`.
        pub const HAS_RANK: usize = 8;
        /// `Tensor.variant_tensors`.
        pub const VARIANT_TENSORS: usize = 9;
        /// `Tensor.external_buffer`.
        pub const EXTERNAL_BUFFER: usize = 10;
    }
    /// Slots of `TensorMap`.
    pub mod tensor_map {
        /// `TensorMap.name`.
        pub const NAME: usize = 0;
        /// `TensorMap.tensor_index`.
        pub const TENSOR_INDEX: usize = 1;
    }
    /// Slots of `TransposeConvOptions`.
    pub mod transpose_conv_options {
        /// `TransposeConvOptions.padding`.
        pub const PADDING: usize = 0;
        /// `TransposeConvOptions.stride_w`.
        pub const STRIDE_W: usize = 1;
        /// `TransposeConvOptions.stride_h`.
        pub const STRIDE_H: usize = 2;
        /// `TransposeConvOptions.fused_activation_function`.
        pub const FUSED_ACTIVATION_FUNCTION: usize = 3;
        /// `TransposeConvOptions.quantized_bias_type`.
        pub const QUANTIZED_BIAS_TYPE: usize = 4;
    }
    /// Slots of `Uint16Vector`.
    pub mod uint16_vector {
        /// `Uint16Vector.values`.
        pub const VALUES: usize = 0;
    }
    /// Slots of `Uint8Vector`.
    pub mod uint8_vector {
        /// `Uint8Vector.values`.
        pub const VALUES: usize = 0;
    }
    /// Slots of `UnidirectionalSequenceLSTMOptions`.
    pub mod unidirectional_sequence_lstm_options {
        /// `UnidirectionalSequenceLSTMOptions.fused_activation_function`.
        pub const FUSED_ACTIVATION_FUNCTION: usize = 0;
        /// `UnidirectionalSequenceLSTMOptions.cell_clip`.
        pub const CELL_CLIP: usize = 1;
        /// `UnidirectionalSequenceLSTMOptions.proj_clip`.
        pub const PROJ_CLIP: usize = 2;
        /// `UnidirectionalSequenceLSTMOptions.time_major`.
        pub const TIME_MAJOR: usize = 3;
        /// `UnidirectionalSequenceLSTMOptions.asymmetric_quantize_inputs`.
        pub const ASYMMETRIC_QUANTIZE_INPUTS: usize = 4;
        /// `UnidirectionalSequenceLSTMOptions.diagonal_recurrent_tensors`.
        pub const DIAGONAL_RECURRENT_TENSORS: usize = 5;
    }
    /// Slots of `UniqueOptions`.
    pub mod unique_options {
        /// `UniqueOptions.idx_out_type`.
        pub const IDX_OUT_TYPE: usize = 0;
    }
    /// Slots of `UnpackOptions`.
    pub mod unpack_options {
        /// `UnpackOptions.num`.
        pub const NUM: usize = 0;
        /// `UnpackOptions.axis`.
        pub const AXIS: usize = 1;
    }
    /// Slots of `VarHandleOptions`.
    pub mod var_handle_options {
        /// `VarHandleOptions.container`.
        pub const CONTAINER: usize = 0;
        /// `VarHandleOptions.shared_name`.
        pub const SHARED_NAME: usize = 1;
    }
    /// Slots of `VariantSubType`.
    pub mod variant_sub_type {
        /// `VariantSubType.shape`.
        pub const SHAPE: usize = 0;
        /// `VariantSubType.type`.
        pub const TYPE: usize = 1;
        /// `VariantSubType.has_rank`.
        pub const HAS_RANK: usize = 2;
    }
    /// Slots of `WhileOptions`.
    pub mod while_options {
        /// `WhileOptions.cond_subgraph_index`.
        pub const COND_SUBGRAPH_INDEX: usize = 0;
        /// `WhileOptions.body_subgraph_index`.
        pub const BODY_SUBGRAPH_INDEX: usize = 1;
    }
}

/// `BuiltinOperator`: (value, name).
pub static BUILTIN_OPERATOR: &[(i64, &str)] = &[
    (0, "ADD"),
    (1, "AVERAGE_POOL_2D"),
    (2, "CONCATENATION"),
    (3, "CONV_2D"),
    (4, "DEPTHWISE_CONV_2D"),
    (5, "DEPTH_TO_SPACE"),
    (6, "DEQUANTIZE"),
    (7, "EMBEDDING_LOOKUP"),
    (8, "FLOOR"),
    (9, "FULLY_CONNECTED"),
    (10, "HASHTABLE_LOOKUP"),
    (11, "L2_NORMALIZATION"),
    (12, "L2_POOL_2D"),
    (13, "LOCAL_RESPONSE_NORMALIZATION"),
    (14, "LOGISTIC"),
    (15, "LSH_PROJECTION"),
    (16, "LSTM"),
    (17, "MAX_POOL_2D"),
    (18, "MUL"),
    (19, "RELU"),
    (20, "RELU_N1_TO_1"),
    (21, "RELU6"),
    (22, "RESHAPE"),
    (23, "RESIZE_BILINEAR"),
    (24, "RNN"),
    (25, "SOFTMAX"),
    (26, "SPACE_TO_DEPTH"),
    (27, "SVDF"),
    (28, "TANH"),
    (29, "CONCAT_EMBEDDINGS"),
    (30, "SKIP_GRAM"),
    (31, "CALL"),
    (32, "CUSTOM"),
    (33, "EMBEDDING_LOOKUP_SPARSE"),
    (34, "PAD"),
    (35, "UNIDIRECTIONAL_SEQUENCE_RNN"),
    (36, "GATHER"),
    (37, "BATCH_TO_SPACE_ND"),
    (38, "SPACE_TO_BATCH_ND"),
    (39, "TRANSPOSE"),
    (40, "MEAN"),
    (41, "SUB"),
    (42, "DIV"),
    (43, "SQUEEZE"),
    (44, "UNIDIRECTIONAL_SEQUENCE_LSTM"),
    (45, "STRIDED_SLICE"),
    (46, "BIDIRECTIONAL_SEQUENCE_RNN"),
    (47, "EXP"),
    (48, "TOPK_V2"),
    (49, "SPLIT"),
    (50, "LOG_SOFTMAX"),
    (51, "DELEGATE"),
    (52, "BIDIRECTIONAL_SEQUENCE_LSTM"),
    (53, "CAST"),
    (54, "PRELU"),
    (55, "MAXIMUM"),
    (56, "ARG_MAX"),
    (57, "MINIMUM"),
    (58, "LESS"),
    (59, "NEG"),
    (60, "PADV2"),
    (61, "GREATER"),
    (62, "GREATER_EQUAL"),
    (63, "LESS_EQUAL"),
    (64, "SELECT"),
    (65, "SLICE"),
    (66, "SIN"),
    (67, "TRANSPOSE_CONV"),
    (68, "SPARSE_TO_DENSE"),
    (69, "TILE"),
    (70, "EXPAND_DIMS"),
    (71, "EQUAL"),
    (72, "NOT_EQUAL"),
    (73, "LOG"),
    (74, "SUM"),
    (75, "SQRT"),
    (76, "RSQRT"),
    (77, "SHAPE"),
    (78, "POW"),
    (79, "ARG_MIN"),
    (80, "FAKE_QUANT"),
    (81, "REDUCE_PROD"),
    (82, "REDUCE_MAX"),
    (83, "PACK"),
    (84, "LOGICAL_OR"),
    (85, "ONE_HOT"),
    (86, "LOGICAL_AND"),
    (87, "LOGICAL_NOT"),
    (88, "UNPACK"),
    (89, "REDUCE_MIN"),
    (90, "FLOOR_DIV"),
    (91, "REDUCE_ANY"),
    (92, "SQUARE"),
    (93, "ZEROS_LIKE"),
    (94, "FILL"),
    (95, "FLOOR_MOD"),
    (96, "RANGE"),
    (97, "RESIZE_NEAREST_NEIGHBOR"),
    (98, "LEAKY_RELU"),
    (99, "SQUARED_DIFFERENCE"),
    (100, "MIRROR_PAD"),
    (101, "ABS"),
    (102, "SPLIT_V"),
    (103, "UNIQUE"),
    (104, "CEIL"),
    (105, "REVERSE_V2"),
    (106, "ADD_N"),
    (107, "GATHER_ND"),
    (108, "COS"),
    (109, "WHERE"),
    (110, "RANK"),
    (111, "ELU"),
    (112, "REVERSE_SEQUENCE"),
    (113, "MATRIX_DIAG"),
    (114, "QUANTIZE"),
    (115, "MATRIX_SET_DIAG"),
    (116, "ROUND"),
    (117, "HARD_SWISH"),
    (118, "IF"),
    (119, "WHILE"),
    (120, "NON_MAX_SUPPRESSION_V4"),
    (121, "NON_MAX_SUPPRESSION_V5"),
    (122, "SCATTER_ND"),
    (123, "SELECT_V2"),
    (124, "DENSIFY"),
    (125, "SEGMENT_SUM"),
    (126, "BATCH_MATMUL"),
    (127, "PLACEHOLDER_FOR_GREATER_OP_CODES"),
    (128, "CUMSUM"),
    (129, "CALL_ONCE"),
    (130, "BROADCAST_TO"),
    (131, "RFFT2D"),
    (132, "CONV_3D"),
    (133, "IMAG"),
    (134, "REAL"),
    (135, "COMPLEX_ABS"),
    (136, "HASHTABLE"),
    (137, "HASHTABLE_FIND"),
    (138, "HASHTABLE_IMPORT"),
    (139, "HASHTABLE_SIZE"),
    (140, "REDUCE_ALL"),
    (141, "CONV_3D_TRANSPOSE"),
    (142, "VAR_HANDLE"),
    (143, "READ_VARIABLE"),
    (144, "ASSIGN_VARIABLE"),
    (145, "BROADCAST_ARGS"),
    (146, "RANDOM_STANDARD_NORMAL"),
    (147, "BUCKETIZE"),
    (148, "RANDOM_UNIFORM"),
    (149, "MULTINOMIAL"),
    (150, "GELU"),
    (151, "DYNAMIC_UPDATE_SLICE"),
    (152, "RELU_0_TO_1"),
    (153, "UNSORTED_SEGMENT_PROD"),
    (154, "UNSORTED_SEGMENT_MAX"),
    (155, "UNSORTED_SEGMENT_SUM"),
    (156, "ATAN2"),
    (157, "UNSORTED_SEGMENT_MIN"),
    (158, "SIGN"),
    (159, "BITCAST"),
    (160, "BITWISE_XOR"),
    (161, "RIGHT_SHIFT"),
    (162, "STABLEHLO_LOGISTIC"),
    (163, "STABLEHLO_ADD"),
    (164, "STABLEHLO_DIVIDE"),
    (165, "STABLEHLO_MULTIPLY"),
    (166, "STABLEHLO_MAXIMUM"),
    (167, "STABLEHLO_RESHAPE"),
    (168, "STABLEHLO_CLAMP"),
    (169, "STABLEHLO_CONCATENATE"),
    (170, "STABLEHLO_BROADCAST_IN_DIM"),
    (171, "STABLEHLO_CONVOLUTION"),
    (172, "STABLEHLO_SLICE"),
    (173, "STABLEHLO_CUSTOM_CALL"),
    (174, "STABLEHLO_REDUCE"),
    (175, "STABLEHLO_ABS"),
    (176, "STABLEHLO_AND"),
    (177, "STABLEHLO_COSINE"),
    (178, "STABLEHLO_EXPONENTIAL"),
    (179, "STABLEHLO_FLOOR"),
    (180, "STABLEHLO_LOG"),
    (181, "STABLEHLO_MINIMUM"),
    (182, "STABLEHLO_NEGATE"),
    (183, "STABLEHLO_OR"),
    (184, "STABLEHLO_POWER"),
    (185, "STABLEHLO_REMAINDER"),
    (186, "STABLEHLO_RSQRT"),
    (187, "STABLEHLO_SELECT"),
    (188, "STABLEHLO_SUBTRACT"),
    (189, "STABLEHLO_TANH"),
    (190, "STABLEHLO_SCATTER"),
    (191, "STABLEHLO_COMPARE"),
    (192, "STABLEHLO_CONVERT"),
    (193, "STABLEHLO_DYNAMIC_SLICE"),
    (194, "STABLEHLO_DYNAMIC_UPDATE_SLICE"),
    (195, "STABLEHLO_PAD"),
    (196, "STABLEHLO_IOTA"),
    (197, "STABLEHLO_DOT_GENERAL"),
    (198, "STABLEHLO_REDUCE_WINDOW"),
    (199, "STABLEHLO_SORT"),
    (200, "STABLEHLO_WHILE"),
    (201, "STABLEHLO_GATHER"),
    (202, "STABLEHLO_TRANSPOSE"),
    (203, "DILATE"),
    (204, "STABLEHLO_RNG_BIT_GENERATOR"),
    (205, "REDUCE_WINDOW"),
    (206, "STABLEHLO_COMPOSITE"),
    (207, "STABLEHLO_SHIFT_LEFT"),
    (208, "STABLEHLO_CBRT"),
    (209, "STABLEHLO_CASE"),
];
/// `TensorType`: (value, name).
pub static TENSOR_TYPE: &[(i64, &str)] = &[
    (0, "FLOAT32"),
    (1, "FLOAT16"),
    (2, "INT32"),
    (3, "UINT8"),
    (4, "INT64"),
    (5, "STRING"),
    (6, "BOOL"),
    (7, "INT16"),
    (8, "COMPLEX64"),
    (9, "INT8"),
    (10, "FLOAT64"),
    (11, "COMPLEX128"),
    (12, "UINT64"),
    (13, "RESOURCE"),
    (14, "VARIANT"),
    (15, "UINT32"),
    (16, "UINT16"),
    (17, "INT4"),
    (18, "BFLOAT16"),
    (19, "INT2"),
    (20, "UINT4"),
    (21, "FLOAT8_E4M3FN"),
    (22, "FLOAT8_E5M2"),
];
/// `BuiltinOptions`: (value, name).
pub static BUILTIN_OPTIONS: &[(i64, &str)] = &[
    (0, "NONE"),
    (1, "Conv2DOptions"),
    (2, "DepthwiseConv2DOptions"),
    (3, "ConcatEmbeddingsOptions"),
    (4, "LSHProjectionOptions"),
    (5, "Pool2DOptions"),
    (6, "SVDFOptions"),
    (7, "RNNOptions"),
    (8, "FullyConnectedOptions"),
    (9, "SoftmaxOptions"),
    (10, "ConcatenationOptions"),
    (11, "AddOptions"),
    (12, "L2NormOptions"),
    (13, "LocalResponseNormalizationOptions"),
    (14, "LSTMOptions"),
    (15, "ResizeBilinearOptions"),
    (16, "CallOptions"),
    (17, "ReshapeOptions"),
    (18, "SkipGramOptions"),
    (19, "SpaceToDepthOptions"),
    (20, "EmbeddingLookupSparseOptions"),
    (21, "MulOptions"),
    (22, "PadOptions"),
    (23, "GatherOptions"),
    (24, "BatchToSpaceNDOptions"),
    (25, "SpaceToBatchNDOptions"),
    (26, "TransposeOptions"),
    (27, "ReducerOptions"),
    (28, "SubOptions"),
    (29, "DivOptions"),
    (30, "SqueezeOptions"),
    (31, "SequenceRNNOptions"),
    (32, "StridedSliceOptions"),
    (33, "ExpOptions"),
    (34, "TopKV2Options"),
    (35, "SplitOptions"),
    (36, "LogSoftmaxOptions"),
    (37, "CastOptions"),
    (38, "DequantizeOptions"),
    (39, "MaximumMinimumOptions"),
    (40, "ArgMaxOptions"),
    (41, "LessOptions"),
    (42, "NegOptions"),
    (43, "PadV2Options"),
    (44, "GreaterOptions"),
    (45, "GreaterEqualOptions"),
    (46, "LessEqualOptions"),
    (47, "SelectOptions"),
    (48, "SliceOptions"),
    (49, "TransposeConvOptions"),
    (50, "SparseToDenseOptions"),
    (51, "TileOptions"),
    (52, "ExpandDimsOptions"),
    (53, "EqualOptions"),
    (54, "NotEqualOptions"),
    (55, "ShapeOptions"),
    (56, "PowOptions"),
    (57, "ArgMinOptions"),
    (58, "FakeQuantOptions"),
    (59, "PackOptions"),
    (60, "LogicalOrOptions"),
    (61, "OneHotOptions"),
    (62, "LogicalAndOptions"),
    (63, "LogicalNotOptions"),
    (64, "UnpackOptions"),
    (65, "FloorDivOptions"),
    (66, "SquareOptions"),
    (67, "ZerosLikeOptions"),
    (68, "FillOptions"),
    (69, "BidirectionalSequenceLSTMOptions"),
    (70, "BidirectionalSequenceRNNOptions"),
    (71, "UnidirectionalSequenceLSTMOptions"),
    (72, "FloorModOptions"),
    (73, "RangeOptions"),
    (74, "ResizeNearestNeighborOptions"),
    (75, "LeakyReluOptions"),
    (76, "SquaredDifferenceOptions"),
    (77, "MirrorPadOptions"),
    (78, "AbsOptions"),
    (79, "SplitVOptions"),
    (80, "UniqueOptions"),
    (81, "ReverseV2Options"),
    (82, "AddNOptions"),
    (83, "GatherNdOptions"),
    (84, "CosOptions"),
    (85, "WhereOptions"),
    (86, "RankOptions"),
    (87, "ReverseSequenceOptions"),
    (88, "MatrixDiagOptions"),
    (89, "QuantizeOptions"),
    (90, "MatrixSetDiagOptions"),
    (91, "HardSwishOptions"),
    (92, "IfOptions"),
    (93, "WhileOptions"),
    (94, "DepthToSpaceOptions"),
    (95, "NonMaxSuppressionV4Options"),
    (96, "NonMaxSuppressionV5Options"),
    (97, "ScatterNdOptions"),
    (98, "SelectV2Options"),
    (99, "DensifyOptions"),
    (100, "SegmentSumOptions"),
    (101, "BatchMatMulOptions"),
    (102, "CumsumOptions"),
    (103, "CallOnceOptions"),
    (104, "BroadcastToOptions"),
    (105, "Rfft2dOptions"),
    (106, "Conv3DOptions"),
    (107, "HashtableOptions"),
    (108, "HashtableFindOptions"),
    (109, "HashtableImportOptions"),
    (110, "HashtableSizeOptions"),
    (111, "VarHandleOptions"),
    (112, "ReadVariableOptions"),
    (113, "AssignVariableOptions"),
    (114, "RandomOptions"),
    (115, "BucketizeOptions"),
    (116, "GeluOptions"),
    (117, "DynamicUpdateSliceOptions"),
    (118, "UnsortedSegmentProdOptions"),
    (119, "UnsortedSegmentMaxOptions"),
    (120, "UnsortedSegmentMinOptions"),
    (121, "UnsortedSegmentSumOptions"),
    (122, "ATan2Options"),
    (123, "SignOptions"),
    (124, "BitcastOptions"),
    (125, "BitwiseXorOptions"),
    (126, "RightShiftOptions"),
];
/// `BuiltinOptions2`: (value, name).
pub static BUILTIN_OPTIONS2: &[(i64, &str)] = &[
    (0, "NONE"),
    (1, "StablehloConcatenateOptions"),
    (2, "StablehloBroadcastInDimOptions"),
    (3, "StablehloSliceOptions"),
    (4, "StablehloConvolutionOptions"),
    (5, "StablehloCustomCallOptions"),
    (6, "StablehloReduceOptions"),
    (7, "StablehloScatterOptions"),
    (8, "StablehloCompareOptions"),
    (9, "StablehloDynamicSliceOptions"),
    (10, "StablehloPadOptions"),
    (11, "StablehloIotaOptions"),
    (12, "StablehloDotGeneralOptions"),
    (13, "StablehloReduceWindowOptions"),
    (14, "StablehloSortOptions"),
    (15, "StablehloWhileOptions"),
    (16, "StablehloGatherOptions"),
    (17, "StablehloTransposeOptions"),
    (18, "DilateOptions"),
    (19, "StablehloRngBitGeneratorOptions"),
    (20, "ReduceWindowOptions"),
    (21, "StableHLOCompositeOptions"),
    (22, "StablehloShiftLeftOptions"),
    (23, "StablehloCaseOptions"),
];
/// `QuantizationDetails`: (value, name).
pub static QUANTIZATION_DETAILS: &[(i64, &str)] = &[
    (0, "NONE"),
    (1, "CustomQuantization"),
    (2, "BlockwiseQuantization"),
    (3, "MultiAxisQuantization"),
];
