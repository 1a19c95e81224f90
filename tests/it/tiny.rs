//! Tiny TensorFlow Lite models built byte by byte with a raw flatbuffer builder, for tests that
//! need a model with a given op, field or tensor layout.

use std::path::Path;

use edgepipe::model::check::Reason;
use edgepipe::model::{Model, ModelErrorKind};
use flatbuffers::{FlatBufferBuilder, WIPOffset};

/// Builtin op codes used here.
pub const ADD: i32 = 0;
pub const CONCATENATION: i32 = 2;
pub const CONV_2D: i32 = 3;
pub const DEPTHWISE_CONV_2D: i32 = 4;
pub const EMBEDDING_LOOKUP: i32 = 7;
pub const FULLY_CONNECTED: i32 = 9;
pub const MAX_POOL_2D: i32 = 17;
pub const RELU: i32 = 19;
pub const RESHAPE: i32 = 22;
pub const RESIZE_BILINEAR: i32 = 23;
pub const SOFTMAX: i32 = 25;
pub const CUSTOM: i32 = 32;
pub const PAD: i32 = 34;
pub const GATHER: i32 = 36;
pub const TRANSPOSE: i32 = 39;
pub const MEAN: i32 = 40;
pub const DIV: i32 = 42;
pub const SQUEEZE: i32 = 43;
pub const STRIDED_SLICE: i32 = 45;
pub const SPLIT: i32 = 49;
pub const CAST: i32 = 53;
pub const MAXIMUM: i32 = 55;
pub const ARG_MAX: i32 = 56;
pub const LESS: i32 = 58;
pub const PADV2: i32 = 60;
pub const SLICE: i32 = 65;
pub const TRANSPOSE_CONV: i32 = 67;
pub const TILE: i32 = 69;
pub const EXPAND_DIMS: i32 = 70;
pub const SUM: i32 = 74;
pub const SHAPE: i32 = 77;
pub const ARG_MIN: i32 = 79;
pub const PACK: i32 = 83;
pub const UNPACK: i32 = 88;
pub const MIRROR_PAD: i32 = 100;
pub const SPLIT_V: i32 = 102;
pub const BATCH_MATMUL: i32 = 126;
/// BuiltinOptions union tags used here.
pub const CONV2D_OPTIONS: u8 = 1;
pub const DEPTHWISE_OPTIONS: u8 = 2;
pub const POOL2D_OPTIONS: u8 = 5;
pub const FC_OPTIONS: u8 = 8;
pub const CONCATENATION_OPTIONS: u8 = 10;
pub const ADD_OPTIONS: u8 = 11;
pub const GATHER_OPTIONS: u8 = 23;
pub const REDUCER_OPTIONS: u8 = 27;
pub const SQUEEZE_OPTIONS: u8 = 30;
pub const STRIDED_SLICE_OPTIONS: u8 = 32;
pub const SPLIT_OPTIONS: u8 = 35;
pub const PACK_OPTIONS: u8 = 59;
pub const UNPACK_OPTIONS: u8 = 64;
pub const SPLIT_V_OPTIONS: u8 = 79;
pub const BATCH_MATMUL_OPTIONS: u8 = 101;
/// Tensor types.
pub const FLOAT32: u8 = 0;
pub const INT32: u8 = 2;
pub const UINT8: u8 = 3;
pub const INT64: u8 = 4;

/// One tensor.
#[derive(Clone, Default)]
pub struct T {
    pub name: String,
    pub shape: Vec<i32>,
    pub dtype: u8,
    /// (scale, zero point)
    pub quant: Option<(f32, i64)>,
    /// Constant data.
    pub data: Option<Vec<u8>>,
    pub sparse: bool,
    pub shape_signature: Option<Vec<i32>>,
    /// `Tensor.external_buffer` (slot 10), when non-zero.
    pub external_buffer: u32,
}

/// One operator.
#[derive(Clone, Default)]
pub struct Op {
    pub code: i32,
    pub custom: Option<String>,
    pub custom_options: Option<Vec<u8>>,
    pub inputs: Vec<i32>,
    pub outputs: Vec<i32>,
    /// `builtin_options`: the union tag and the option table's int32 slots (slot, value).
    pub options: Option<(u8, Vec<(u16, i32)>)>,
    /// The option table's int32 vector slots (slot, values), with `options`.
    pub option_vectors: Vec<(u16, Vec<i32>)>,
}

/// A one-subgraph model (or `subgraphs` copies of it).
#[derive(Clone, Default)]
pub struct Tiny {
    pub tensors: Vec<T>,
    pub ops: Vec<Op>,
    pub inputs: Vec<i32>,
    pub outputs: Vec<i32>,
    pub subgraphs: usize,
}

/// Model-level fields of newer schemas, for refusal tests.
#[derive(Clone, Default)]
pub struct Extras {
    /// `Buffer.offset` (slot 1) of buffer 0, when non-zero.
    pub buffer_offset: u64,
    /// An empty `Model.external_buffers` vector (slot 9).
    pub external_buffers: bool,
    /// One signature def (`Model.signature_defs`, slot 7).
    pub signature: Option<Sig>,
}

/// A signature def: key, inputs and outputs as (name, tensor index), and the subgraph.
#[derive(Clone, Default)]
pub struct Sig {
    pub key: String,
    pub inputs: Vec<(String, u32)>,
    pub outputs: Vec<(String, u32)>,
    pub subgraph_index: u32,
}

impl Sig {
    /// `serving_default` naming `tiny`'s own graph inputs and outputs.
    pub fn of(tiny: &Tiny) -> Sig {
        let names = |ids: &[i32]| -> Vec<(String, u32)> {
            ids.iter()
                .map(|&t| (tiny.tensors[t as usize].name.clone(), t as u32))
                .collect()
        };
        Sig {
            key: "serving_default".into(),
            inputs: names(&tiny.inputs),
            outputs: names(&tiny.outputs),
            subgraph_index: 0,
        }
    }
}

/// Field slots (4 + 2 * field id) of the TFLite schema.
fn slot(id: u16) -> u16 {
    4 + 2 * id
}

impl Tiny {
    /// The `.tflite` bytes.
    pub fn bytes(&self) -> Vec<u8> {
        self.bytes_with(&Extras::default())
    }

    /// The `.tflite` bytes with `extras`.
    pub fn bytes_with(&self, extras: &Extras) -> Vec<u8> {
        let mut b = FlatBufferBuilder::new();
        let mut buffers = vec![{
            let s = b.start_table();
            b.push_slot::<u64>(slot(1), extras.buffer_offset, 0);
            b.end_table(s)
        }];
        let mut tensors = Vec::new();
        for t in &self.tensors {
            let buffer = match &t.data {
                Some(d) => {
                    let data = b.create_vector(d);
                    let s = b.start_table();
                    b.push_slot_always(slot(0), data);
                    buffers.push(b.end_table(s));
                    buffers.len() as u32 - 1
                }
                None => 0,
            };
            let shape = b.create_vector(&t.shape);
            let name = b.create_string(&t.name);
            let signature = t.shape_signature.as_ref().map(|s| b.create_vector(s));
            let sparsity = t.sparse.then(|| {
                let s = b.start_table();
                b.end_table(s)
            });
            let quant = t.quant.map(|(scale, zp)| {
                let scale = b.create_vector(&[scale]);
                let zp = b.create_vector(&[zp]);
                let s = b.start_table();
                b.push_slot_always(slot(2), scale);
                b.push_slot_always(slot(3), zp);
                b.end_table(s)
            });
            let s = b.start_table();
            b.push_slot_always(slot(0), shape);
            b.push_slot::<u8>(slot(1), t.dtype, 0);
            b.push_slot::<u32>(slot(2), buffer, 0);
            b.push_slot_always(slot(3), name);
            if let Some(q) = quant {
                b.push_slot_always(slot(4), q);
            }
            if let Some(sp) = sparsity {
                b.push_slot_always(slot(6), sp);
            }
            if let Some(sig) = signature {
                b.push_slot_always(slot(7), sig);
            }
            b.push_slot::<u32>(slot(10), t.external_buffer, 0);
            tensors.push(b.end_table(s));
        }
        let mut codes: Vec<(i32, Option<String>)> = Vec::new();
        for op in &self.ops {
            if !codes.contains(&(op.code, op.custom.clone())) {
                codes.push((op.code, op.custom.clone()));
            }
        }
        let opcodes: Vec<WIPOffset<_>> = codes
            .iter()
            .map(|(code, custom)| {
                let custom = custom.as_ref().map(|c| b.create_string(c));
                let s = b.start_table();
                b.push_slot::<i8>(slot(0), (*code).min(127) as i8, 0);
                if let Some(c) = custom {
                    b.push_slot_always(slot(1), c);
                }
                b.push_slot::<i32>(slot(2), 1, 1);
                b.push_slot::<i32>(slot(3), *code, 0);
                b.end_table(s)
            })
            .collect();
        let ops: Vec<WIPOffset<_>> = self
            .ops
            .iter()
            .map(|op| {
                let index = codes
                    .iter()
                    .position(|c| *c == (op.code, op.custom.clone()))
                    .unwrap_or(0) as u32;
                let ins = b.create_vector(&op.inputs);
                let outs = b.create_vector(&op.outputs);
                let custom_options = op.custom_options.as_ref().map(|o| b.create_vector(o));
                let options = op.options.as_ref().map(|(tag, slots)| {
                    let vectors: Vec<_> = op
                        .option_vectors
                        .iter()
                        .map(|(id, v)| (*id, b.create_vector(v)))
                        .collect();
                    let s = b.start_table();
                    for &(id, v) in slots {
                        b.push_slot_always::<i32>(slot(id), v);
                    }
                    for (id, v) in vectors {
                        b.push_slot_always(slot(id), v);
                    }
                    (*tag, b.end_table(s))
                });
                let s = b.start_table();
                if let Some((tag, o)) = options {
                    b.push_slot_always::<u8>(slot(3), tag);
                    b.push_slot_always(slot(4), o);
                }
                b.push_slot::<u32>(slot(0), index, 0);
                b.push_slot_always(slot(1), ins);
                b.push_slot_always(slot(2), outs);
                if let Some(o) = custom_options {
                    b.push_slot_always(slot(5), o);
                }
                b.end_table(s)
            })
            .collect();
        let tensors = b.create_vector(&tensors);
        let ops = b.create_vector(&ops);
        let sg_in = b.create_vector(&self.inputs);
        let sg_out = b.create_vector(&self.outputs);
        let subgraph = {
            let s = b.start_table();
            b.push_slot_always(slot(0), tensors);
            b.push_slot_always(slot(1), sg_in);
            b.push_slot_always(slot(2), sg_out);
            b.push_slot_always(slot(3), ops);
            b.end_table(s)
        };
        let subgraphs = b.create_vector(&vec![subgraph; self.subgraphs.max(1)]);
        let opcodes = b.create_vector(&opcodes);
        let buffers = b.create_vector(&buffers);
        let signature = extras.signature.as_ref().map(|sig| {
            let mut maps = |side: &[(String, u32)]| {
                let maps: Vec<_> = side
                    .iter()
                    .map(|(name, t)| {
                        let name = b.create_string(name);
                        let s = b.start_table();
                        b.push_slot_always(slot(0), name);
                        b.push_slot::<u32>(slot(1), *t, 0);
                        b.end_table(s)
                    })
                    .collect();
                b.create_vector(&maps)
            };
            let (inputs, outputs) = (maps(&sig.inputs), maps(&sig.outputs));
            let key = b.create_string(&sig.key);
            let s = b.start_table();
            b.push_slot_always(slot(0), inputs);
            b.push_slot_always(slot(1), outputs);
            b.push_slot_always(slot(2), key);
            b.push_slot::<u32>(slot(4), sig.subgraph_index, 0);
            let def = b.end_table(s);
            b.create_vector(&[def])
        });
        let external = extras.external_buffers.then(|| {
            let none: Vec<WIPOffset<flatbuffers::TableFinishedWIPOffset>> = Vec::new();
            b.create_vector(&none)
        });
        let model = {
            let s = b.start_table();
            b.push_slot::<u32>(slot(0), 3, 0);
            b.push_slot_always(slot(1), opcodes);
            b.push_slot_always(slot(2), subgraphs);
            b.push_slot_always(slot(4), buffers);
            if let Some(sig) = signature {
                b.push_slot_always(slot(7), sig);
            }
            if let Some(e) = external {
                b.push_slot_always(slot(9), e);
            }
            b.end_table(s)
        };
        b.finish(model, Some("TFL3"));
        b.finished_data().to_vec()
    }

    /// float32 [1, 4] -> RELU -> float32 [1, 4].
    pub fn relu() -> Tiny {
        let t = |name: &str| T {
            name: name.into(),
            shape: vec![1, 4],
            dtype: FLOAT32,
            ..Default::default()
        };
        Tiny {
            tensors: vec![t("in"), t("out")],
            ops: vec![Op {
                code: RELU,
                inputs: vec![0],
                outputs: vec![1],
                ..Default::default()
            }],
            inputs: vec![0],
            outputs: vec![1],
            subgraphs: 1,
        }
    }
}

/// A uint8 [1, 8] activation with scale 1 and zero point 0 (values are the numbers).
fn act(name: &str) -> T {
    T {
        name: name.into(),
        shape: vec![1, 8],
        dtype: UINT8,
        quant: Some((1.0, 0)),
        ..Default::default()
    }
}

/// One step of a chain of uint8 [1, 8] tensors adding a constant (saturating at 255).
pub enum Step {
    /// The CPU op ADD with a constant tensor.
    Cpu(u8),
    /// `edgetpu-custom-op`, which only a TPU (here: the fake libedgetpu) runs.
    Tpu(u8),
}

/// A model running `steps` from tensor `names[0]` to `names[steps.len()]`.
pub fn chain(names: &[&str], steps: &[Step]) -> Tiny {
    let mut m = Tiny {
        subgraphs: 1,
        ..Default::default()
    };
    m.tensors.push(act(names[0]));
    let mut prev = 0i32;
    for (i, step) in steps.iter().enumerate() {
        let op = match step {
            Step::Cpu(k) => {
                m.tensors.push(T {
                    data: Some(vec![*k; 8]),
                    ..act(&format!("{}_plus", names[i + 1]))
                });
                Op {
                    code: ADD,
                    inputs: vec![prev, m.tensors.len() as i32 - 1],
                    ..Default::default()
                }
            }
            Step::Tpu(k) => Op {
                code: CUSTOM,
                custom: Some("edgetpu-custom-op".into()),
                custom_options: Some(vec![*k]),
                inputs: vec![prev],
                ..Default::default()
            },
        };
        m.tensors.push(act(names[i + 1]));
        let out = m.tensors.len() as i32 - 1;
        m.ops.push(Op {
            outputs: vec![out],
            ..op
        });
        prev = out;
    }
    m.inputs = vec![0];
    m.outputs = vec![prev];
    m
}

/// A float32 tensor, constant when `data` is given.
pub fn float(name: &str, shape: &[i32], data: Option<Vec<u8>>) -> T {
    T {
        name: name.into(),
        shape: shape.to_vec(),
        dtype: FLOAT32,
        data,
        ..Default::default()
    }
}

/// One operator `code` from the first `ins` tensors (those without data are graph inputs)
/// to the others.
pub fn op(code: i32, tensors: Vec<T>, ins: usize, options: Option<(u8, Vec<(u16, i32)>)>) -> Tiny {
    let n = tensors.len() as i32;
    let graph_inputs = (0..ins).filter(|&i| tensors[i].data.is_none());
    Tiny {
        inputs: graph_inputs.map(|i| i as i32).collect(),
        ops: vec![Op {
            code,
            inputs: (0..ins as i32).collect(),
            outputs: (ins as i32..n).collect(),
            options,
            ..Default::default()
        }],
        outputs: (ins as i32..n).collect(),
        tensors,
        subgraphs: 1,
    }
}

/// A constant float tensor of `shape`.
pub fn weights(name: &str, shape: &[i32]) -> T {
    let n: i32 = shape.iter().product();
    float(name, shape, Some(vec![0; 4 * n as usize]))
}

// What the model layer says of a tiny model.

/// The model's refusal: the table, the field and the reason; the message names the file and
/// the operator or tensor `owner`.
pub fn refused(model: &Tiny, owner: &str) -> (&'static str, String, Reason) {
    match Model::from_bytes(&model.bytes(), Path::new("hostile.tflite")) {
        Ok(_) => panic!("accepted; expected a refusal naming {owner}"),
        Err(e) => {
            let message = e.to_string();
            assert!(message.contains("hostile.tflite"), "{message}");
            assert!(message.contains(owner), "'{message}' does not name {owner}");
            match e.kind {
                ModelErrorKind::Refused(r) => (r.table, r.field, r.reason),
                other => panic!("expected a refusal, got {other:?}"),
            }
        }
    }
}

/// The refusal's field and its shape text.
pub fn shapes_refused(model: &Tiny, owner: &str) -> (String, String) {
    match refused(model, owner) {
        ("Operator", field, Reason::Shapes(text)) => (field, text),
        other => panic!("expected a shape refusal, got {other:?}"),
    }
}
