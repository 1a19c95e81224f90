"""Make the schema test models: small Keras models whose .tflite carry fields added to the
TensorFlow Lite schema after 1.15, for checking that segmentation carries every field.

Run by tools/make-schema-models.sh (which installs the pinned TensorFlow); writes into --out:
  resize_bilinear.tflite   RESIZE_BILINEAR v3 and RESIZE_NEAREST_NEIGHBOR v3, half_pixel_centers
  transpose_conv.tflite    TRANSPOSE_CONV with a fused RELU (TransposeConvOptions field 3)
  gather_slice.tflite      STRIDED_SLICE with masks, GATHER with batch_dims = 1, batch 2
  gelu_batch_matmul.tflite GELU (opcode 150) and BATCH_MATMUL (126) with adj_y
  int8_signature.tflite    full int8 (per-channel weights), signature defs, TRANSPOSE_CONV + RELU
Weights are random but fixed (numpy seeds); the script asserts that each model's outputs are
non-trivial and that each semantic post-1.15 field changes the outputs when it is dropped.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

SEED = 13


# ---------------------------------------------------------------- weights and conversion


def set_weights(model, seed):
    """Every weight from one numpy generator: He-scaled weights (activations keep their
    spread through the ReLUs), small positive biases (few dead units)."""
    rng = np.random.default_rng(seed)
    for w in model.weights:
        shape = tuple(w.shape)
        if len(shape) == 1:
            value = rng.uniform(0.0, 0.2, size=shape)
        else:
            fan_in = int(np.prod(shape[:-1])) if len(shape) > 1 else 1
            value = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=shape)
        w.assign(value.astype(np.float32))


def convert_float(tf, model):
    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    return conv.convert()


def convert_int8(tf, model, shape, seed):
    rng = np.random.default_rng(seed)
    samples = [rng.uniform(-1, 1, size=(1,) + shape).astype(np.float32) for _ in range(16)]

    def representative():
        for s in samples:
            yield [s]

    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = representative
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = tf.int8
    conv.inference_output_type = tf.int8
    return conv.convert()


# ---------------------------------------------------------------- the models


def resize_bilinear(tf):
    k = tf.keras.layers
    x = inp = k.Input(shape=(6, 6, 3), name="image")
    x = k.Conv2D(4, 3, padding="same", activation="relu", name="conv0")(x)
    x = k.UpSampling2D(2, interpolation="bilinear", name="up_bilinear")(x)
    x = k.Conv2D(4, 3, padding="same", activation="tanh", name="conv1")(x)
    x = k.UpSampling2D(2, interpolation="nearest", name="up_nearest")(x)
    x = k.Conv2D(3, 3, padding="same", name="conv2")(x)
    x = k.Activation("sigmoid", name="keypoints")(x)
    return tf.keras.Model(inp, x, name="resize_bilinear")


def transpose_conv(tf):
    k = tf.keras.layers
    x = inp = k.Input(shape=(5, 5, 4), batch_size=1, name="features")
    x = k.Conv2D(6, 3, padding="same", activation="tanh", name="conv0")(x)
    x = k.Conv2DTranspose(6, 3, strides=2, padding="same", activation="relu", name="deconv0")(x)
    x = k.Conv2D(6, 3, padding="same", activation="tanh", name="conv1")(x)
    x = k.Conv2DTranspose(4, 3, strides=2, padding="same", activation="relu", name="deconv1")(x)
    x = k.Conv2D(2, 1, name="conv2")(x)
    return tf.keras.Model(inp, x, name="transpose_conv")


def gather_slice(tf):
    k = tf.keras.layers
    idx = np.array([[3, 0, 5], [1, 1, 4]], dtype=np.int32)  # one row of indices per batch item
    x = inp = k.Input(shape=(8, 6), batch_size=2, name="sequence")
    x = k.Dense(6, activation="tanh", name="dense0")(x)
    x = k.Lambda(lambda t: t[:, 1:7:1, ::2] * 1.5, name="slice")(x)  # STRIDED_SLICE, masks
    x = k.Lambda(lambda t: tf.gather(t, idx, axis=1, batch_dims=1), name="gather")(x)
    x = k.Dense(4, activation="tanh", name="dense1")(x)
    x = k.Lambda(lambda t: t[:, ::-1, 1], name="slice_rev")(x)  # shrink axis, negative stride
    return tf.keras.Model(inp, x, name="gather_slice")


def gelu_batch_matmul(tf):
    k = tf.keras.layers
    x = inp = k.Input(shape=(4, 8), batch_size=1, name="tokens")
    h = k.Dense(8, name="dense0")(x)
    h = k.Activation(lambda t: tf.nn.gelu(t, approximate=True), name="gelu")(h)
    a = k.Lambda(lambda t: tf.matmul(t[0], t[1], transpose_b=True), name="attn")([h, x])
    a = k.Softmax(name="softmax")(a)
    v = k.Lambda(lambda t: tf.matmul(t[0], t[1]), name="mix")([a, h])
    v = k.Activation(lambda t: tf.nn.gelu(t, approximate=False), name="gelu_exact")(v)
    v = k.Dense(3, name="dense1")(v)
    return tf.keras.Model(inp, v, name="gelu_batch_matmul")


def int8_signature(tf):
    k = tf.keras.layers
    x = inp = k.Input(shape=(8, 8, 3), batch_size=1, name="image")
    x = k.Conv2D(8, 3, strides=2, padding="same", activation="relu6", name="conv0")(x)
    x = k.DepthwiseConv2D(3, padding="same", activation="relu6", name="dw0")(x)
    x = k.Conv2D(8, 1, name="project0")(x)
    x = k.Conv2DTranspose(4, 3, strides=2, padding="same", activation="relu", name="deconv0")(x)
    x = k.UpSampling2D(2, interpolation="bilinear", name="up_bilinear")(x)
    x = k.Conv2D(4, 3, strides=2, padding="same", activation="relu", name="conv1")(x)
    y = k.GlobalAveragePooling2D(name="pool")(x)
    y = k.Dense(5, name="logits")(y)
    return tf.keras.Model(inp, {"features": x, "logits": y}, name="int8_signature")


# (file, builder, input shape without batch, int8?)
MODELS = [
    ("resize_bilinear.tflite", resize_bilinear, (6, 6, 3), False),
    ("transpose_conv.tflite", transpose_conv, (5, 5, 4), False),
    ("gather_slice.tflite", gather_slice, None, False),
    ("gelu_batch_matmul.tflite", gelu_batch_matmul, (4, 8), False),
    ("int8_signature.tflite", int8_signature, (8, 8, 3), True),
]


# ---------------------------------------------------------------- checks on what came out


def run(tf, model_bytes, seed, requests=3):
    interp = tf.lite.Interpreter(model_content=bytes(model_bytes))
    interp.allocate_tensors()
    rng = np.random.default_rng(seed)
    outs = []
    for _ in range(requests):
        for d in interp.get_input_details():
            if np.issubdtype(d["dtype"], np.floating):
                v = rng.uniform(-1, 1, size=d["shape"]).astype(d["dtype"])
            else:
                v = rng.integers(-128, 128, size=d["shape"]).astype(d["dtype"])
            interp.set_tensor(d["index"], v)
        interp.invoke()
        outs.append([interp.get_tensor(d["index"]).copy() for d in interp.get_output_details()])
    return outs


def check_nontrivial(name, outs):
    for i, o in enumerate(outs[0]):
        v = o.astype(np.float64)
        assert np.all(np.isfinite(v)), f"{name}: output {i} not finite"
        assert np.unique(v).size > max(2, v.size // 8), f"{name}: output {i} nearly constant"
        if o.dtype == np.int8:
            sat = np.mean((o == -128) | (o == 127))
            assert sat < 0.5, f"{name}: output {i} saturated ({sat:.0%})"
    assert any(
        not np.array_equal(a, b) for a, b in zip(outs[0], outs[1])
    ), f"{name}: outputs do not depend on the input"


def ops_of(schema, model_bytes):
    m = schema.ModelT.InitFromPackedBuf(bytearray(model_bytes), 0)
    names = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
    out = []
    for op in m.subgraphs[0].operators:
        code = m.operatorCodes[op.opcodeIndex]
        builtin = max(code.builtinCode, code.deprecatedBuiltinCode)
        out.append((names[builtin], code.version, op))
    return m, out


def without(schema, model_bytes, op_name, mutate):
    """The model with `mutate(options)` applied to every `op_name` operator (a field dropped)."""
    import flatbuffers

    m, ops = ops_of(schema, model_bytes)
    hits = 0
    for name, _, op in ops:
        if name == op_name:
            mutate(op)
            hits += 1
    assert hits, f"no {op_name} operator"
    b = flatbuffers.Builder(1024)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    return b.Output()


def check_fields(tf, schema, name, model_bytes, outs):
    """Each semantic post-1.15 field the model is meant to carry is there and matters."""
    _, ops = ops_of(schema, model_bytes)
    seen = {(n, v) for n, v, _ in ops}
    want = {
        "resize_bilinear.tflite": [("RESIZE_BILINEAR", 3), ("RESIZE_NEAREST_NEIGHBOR", 3)],
        "transpose_conv.tflite": [("TRANSPOSE_CONV", 4)],
        "gather_slice.tflite": [("GATHER", 5), ("STRIDED_SLICE", 1)],
        "gelu_batch_matmul.tflite": [("GELU", 1), ("BATCH_MATMUL", 1)],
        "int8_signature.tflite": [("TRANSPOSE_CONV", 4), ("RESIZE_BILINEAR", 3)],
    }[name]
    for op, version in want:
        assert any(n == op and v >= version for n, v in seen), f"{name}: no {op} v{version}+ in {seen}"

    def drop(op_name, mutate):
        changed = run(tf, without(schema, model_bytes, op_name, mutate), 1)
        assert any(
            not np.array_equal(a, b) for a, b in zip(outs[0], changed[0])
        ), f"{name}: dropping a field of {op_name} does not change the outputs"

    def hpc_off(op):
        assert op.builtinOptions.halfPixelCenters, "half_pixel_centers not set"
        op.builtinOptions.halfPixelCenters = False

    def act_off(op):
        assert op.builtinOptions.fusedActivationFunction != 0, "no fused activation"
        op.builtinOptions.fusedActivationFunction = 0

    if name in ("resize_bilinear.tflite", "int8_signature.tflite"):
        drop("RESIZE_BILINEAR", hpc_off)
    if name == "resize_bilinear.tflite":
        drop("RESIZE_NEAREST_NEIGHBOR", hpc_off)
    if name in ("transpose_conv.tflite", "int8_signature.tflite"):
        drop("TRANSPOSE_CONV", act_off)
    if name == "gather_slice.tflite":
        for _, _, op in ops:
            if op.builtinOptionsType == schema.BuiltinOptions.GatherOptions:
                assert op.builtinOptions.batchDims == 1, "batch_dims not 1"
    if name == "int8_signature.tflite":
        m, _ = ops_of(schema, model_bytes)
        assert m.signatureDefs, "no signature defs"


def describe(schema, model_bytes):
    _, ops = ops_of(schema, model_bytes)
    return ", ".join(f"{n} v{v}" for n, v, _ in ops)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, type=Path)
    args = ap.parse_args()

    import tensorflow as tf
    from tensorflow.lite.python import schema_py_generated as schema

    args.out.mkdir(parents=True, exist_ok=True)
    for i, (name, build, shape, int8) in enumerate(MODELS):
        tf.keras.backend.clear_session()
        model = build(tf)
        set_weights(model, SEED + i)
        data = convert_int8(tf, model, shape, SEED + i) if int8 else convert_float(tf, model)
        outs = run(tf, data, 0)
        check_nontrivial(name, outs)
        check_fields(tf, schema, name, data, outs)
        (args.out / name).write_bytes(data)
        print(f"{name}: {len(data)} bytes: {describe(schema, data)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
