//! Writes the repository's demo model, `models/demo_mlp.tflite`: a float32 multilayer
//! perceptron, 64 inputs -> 128 -> 128 -> 64 -> 10 classes (softmax), with Glorot-uniform
//! weights drawn from SplitMix64 seed 1. Not trained: it exists so `edgepipe demo` has a real
//! TensorFlow Lite model to cut and run on any machine. Deterministic: the same bytes every run.
//!
//! usage: cargo run --release --example make_demo_model -- [OUT]

use std::ffi::CString;

use tflite::model::stl::memory::UniquePtr;
use tflite::model::stl::vector::{VectorInsert, VectorSlice};
use tflite::model::*;

use edgepipe::verify::SplitMix64;

const WIDTHS: [usize; 5] = [64, 128, 128, 64, 10];

struct Builder {
    model: Model,
    subgraph: UniquePtr<SubGraphT>,
    rng: SplitMix64,
}

impl Builder {
    fn tensor(&mut self, name: &str, shape: &[i32], data: Option<Vec<f32>>) -> i32 {
        let mut t: UniquePtr<TensorT> = Default::default();
        t.shape.assign(shape.iter().copied());
        t.typ = TensorType::TensorType_FLOAT32;
        t.name.assign(&CString::new(name).expect("no NUL in names"));
        t.buffer = match data {
            Some(values) => {
                let mut b: UniquePtr<BufferT> = Default::default();
                b.data.assign(values.iter().flat_map(|v| v.to_le_bytes()));
                self.model.buffers.push_back(b);
                (self.model.buffers.size() - 1) as u32
            }
            None => 0,
        };
        self.subgraph.tensors.push_back(t);
        (self.subgraph.tensors.size() - 1) as i32
    }

    fn uniform(&mut self, n: usize, limit: f32) -> Vec<f32> {
        (0..n)
            .map(|_| ((self.rng.next_u64() >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0) * limit)
            .collect()
    }

    fn op(
        &mut self,
        opcode: u32,
        options: BuiltinOptionsUnion,
        inputs: Vec<i32>,
        outputs: Vec<i32>,
    ) {
        let mut op: UniquePtr<OperatorT> = Default::default();
        op.opcode_index = opcode;
        op.builtin_options = options;
        op.inputs.assign(inputs);
        op.outputs.assign(outputs);
        self.subgraph.operators.push_back(op);
    }
}

fn main() {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "models/demo_mlp.tflite".into());
    let mut b = Builder {
        model: Model::default(),
        subgraph: Default::default(),
        rng: SplitMix64::new(1),
    };
    b.model.version = 3;
    b.model
        .description
        .assign(&CString::new("edgepipe demo MLP (untrained)").unwrap());
    b.model.buffers.push_back(UniquePtr::<BufferT>::default());
    for (code, version) in [
        (BuiltinOperator::BuiltinOperator_FULLY_CONNECTED, 1),
        (BuiltinOperator::BuiltinOperator_SOFTMAX, 1),
    ] {
        let mut c: UniquePtr<OperatorCodeT> = Default::default();
        c.builtin_code = code;
        c.version = version;
        b.model.operator_codes.push_back(c);
    }
    let input = b.tensor("input", &[1, WIDTHS[0] as i32], None);
    let mut x = input;
    for layer in 0..WIDTHS.len() - 1 {
        let (fan_in, fan_out) = (WIDTHS[layer], WIDTHS[layer + 1]);
        let limit = (6.0 / (fan_in + fan_out) as f32).sqrt();
        let w = b.uniform(fan_in * fan_out, limit);
        let bias = b.uniform(fan_out, 0.05);
        let w = b.tensor(
            &format!("dense_{layer}/kernel"),
            &[fan_out as i32, fan_in as i32],
            Some(w),
        );
        let bias = b.tensor(
            &format!("dense_{layer}/bias"),
            &[fan_out as i32],
            Some(bias),
        );
        let y = b.tensor(&format!("dense_{layer}"), &[1, fan_out as i32], None);
        let mut options = BuiltinOptionsUnion::FullyConnectedOptions();
        if layer + 2 < WIDTHS.len() {
            let fc: &mut FullyConnectedOptionsT = options.as_mut();
            fc.fused_activation_function = ActivationFunctionType::ActivationFunctionType_RELU;
        }
        b.op(0, options, vec![x, w, bias], vec![y]);
        x = y;
    }
    let probs = b.tensor("probabilities", &[1, WIDTHS[WIDTHS.len() - 1] as i32], None);
    let mut softmax = BuiltinOptionsUnion::SoftmaxOptions();
    let options: &mut SoftmaxOptionsT = softmax.as_mut();
    options.beta = 1.0;
    b.op(1, softmax, vec![x], vec![probs]);
    b.subgraph.inputs.assign(vec![input]);
    b.subgraph.outputs.assign(vec![probs]);
    b.subgraph.name.assign(&CString::new("main").unwrap());
    let Builder {
        mut model,
        subgraph,
        ..
    } = b;
    model.subgraphs.push_back(subgraph);
    std::fs::write(&out, model.to_buffer()).unwrap_or_else(|e| panic!("cannot write {out}: {e}"));
    println!("wrote {out}");
}
