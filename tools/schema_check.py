#!/usr/bin/env python3
"""Independent field-by-field check of a segmentation against its source model, on the current
TensorFlow Lite schema: LiteRT's own `ai_edge_litert/schema_py_generated.py` (ai-edge-litert
2.3.0, in the venv tools/litert-check.sh makes). Nothing of edgepipe is used.

usage: schema_check.py SOURCE SEGMENT... [-- SEGMENT...]...
                                    segments in chain order; `--` starts another segmentation
                                    of the same source (read once)
       schema_check.py --self-test MODEL...   prove the check catches dropped fields

For every operator of every segment, its source operator is the one writing the same output
tensor names, and these must be equal, defaults applied (the object API fills them in):
every field of the Operator table and of its BuiltinOptions / BuiltinOptions2 table (compared
generically: every attribute the generated class has, so fields TensorFlow adds later are
compared too); its OperatorCode (deprecated_builtin_code, builtin_code, version, custom_code);
every tensor it reads, writes or keeps as an intermediate (name, type, shape, shape_signature,
has_rank, is_variable, quantization with per-channel scales and quantized_dimension and
details, sparsity, variant tensors, external_buffer) and the bytes, offset and size of the
buffer behind it. Only the index fields a segmenter must rewrite (Operator.opcode_index,
inputs, outputs, intermediates; Tensor.buffer) are compared through what they point at.
Also: every table's vtable has no slot this schema does not know (such a field could not be
compared) and no unknown union tag; every source operator is in exactly one segment; each
segment's inputs are exactly the non-constant tensors it reads and does not write, each comes
from the model's inputs or an earlier segment's outputs; each segment outputs what later
segments and the model's outputs need; the source's signature defs become, per segment, one
naming exactly the segment's inputs and outputs (the source's keys kept for the model's own
inputs and outputs); metadata, model version and file identifier are carried.
Exit 1 naming segment, operator, table and field on any difference; 2 on bad usage.
"""
import copy
import re
import struct
import sys
import zlib

import numpy as np
from ai_edge_litert import schema_py_generated as S

MAX_SHOWN = 40
# Index fields the segmenter rewrites: compared through what they point at, not as numbers.
STRUCTURAL = {
    "OperatorT": {"opcodeIndex", "inputs", "outputs", "intermediates"},
    "TensorT": {"buffer"},
}
OP_NAMES = {v: k for k, v in vars(S.BuiltinOperator).items() if not k.startswith("_")}


def snake(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def table(obj):
    return type(obj).__name__[:-1]  # ConvOptionsT -> ConvOptions


# ---------------------------------------------------------------- generic comparison


def is_vector(v):
    return isinstance(v, (list, np.ndarray))


def diff(a, b, path, out):
    """Appends `path: source X, segment Y` to out for every difference, recursively."""
    if is_vector(a) or is_vector(b) or (a is None and b is None):
        a_list = [] if a is None else a
        b_list = [] if b is None else b
        if len(a_list) != len(b_list):
            out.append(f"{path}: source has {len(a_list)} entries, segment {len(b_list)}")
            return
        if isinstance(a_list, np.ndarray) and isinstance(b_list, np.ndarray):
            if a_list.tobytes() != b_list.tobytes():
                out.append(f"{path}: source {short(a_list)}, segment {short(b_list)}")
            return
        for i, (x, y) in enumerate(zip(a_list, b_list)):
            diff(x, y, f"{path}[{i}]", out)
        return
    if hasattr(a, "__dict__") or hasattr(b, "__dict__"):
        if type(a) is not type(b):
            out.append(f"{path}: source {type(a).__name__[:-1] if a else None}, "
                       f"segment {type(b).__name__[:-1] if b else None}")
            return
        skip = STRUCTURAL.get(type(a).__name__, set())
        for field in sorted(vars(a)):
            if field not in skip:
                diff(getattr(a, field), getattr(b, field), f"{path}.{snake(field)}", out)
        return
    if isinstance(a, float) or isinstance(b, float):
        same = struct.pack("<d", float(a)) == struct.pack("<d", float(b))
    else:
        same = a == b
    if not same:
        out.append(f"{path}: source {a!r}, segment {b!r}")


def short(v):
    v = np.asarray(v)
    return repr(v.tolist()) if v.size <= 8 else f"{v.size} values (crc32 {zlib.crc32(v.tobytes()):08x})"


def shown(name):
    """A tensor name for messages: converter names can be hundreds of characters long."""
    text = name.decode(errors="replace") if name else ""
    return text if len(text) <= 60 else text[:57] + "..."


# ---------------------------------------------------------------- raw vtable walk


class _Count:
    def StartObject(self, n):
        self.n = n


def field_count(name):
    c = _Count()
    getattr(S, name + "Start")(c)
    return c.n


def unknown_slots(reader, name, where, out):
    """Vtable slots beyond what this schema knows, with a non-zero offset: a field that could
    not be compared (and that the object API would silently drop)."""
    buf, pos = reader._tab.Bytes, reader._tab.Pos
    vt = pos - struct.unpack_from("<i", buf, pos)[0]
    slots = (struct.unpack_from("<H", buf, vt)[0] - 4) // 2
    known = field_count(name)
    for i in range(known, slots):
        if struct.unpack_from("<H", buf, vt + 4 + 2 * i)[0]:
            out.append(f"{where}: table {name} has field slot {i}, unknown to this schema "
                       f"({known} fields)")


def union_table(enum, tag, tab, where, out):
    names = {v: k for k, v in vars(enum).items() if not k.startswith("_")}
    if tag not in names:
        out.append(f"{where}: unknown {enum.__name__} union tag {tag}")
        return None, None
    if tag == 0 or tab is None:
        return None, None
    cls = getattr(S, names[tag])
    obj = cls()
    obj.Init(tab.Bytes, tab.Pos)
    return obj, names[tag]


def walk_raw(buf, label, out):
    m = S.Model.GetRootAs(buf, 0)
    unknown_slots(m, "Model", label, out)
    for i in range(m.OperatorCodesLength()):
        unknown_slots(m.OperatorCodes(i), "OperatorCode", f"{label} operator_codes[{i}]", out)
    for i in range(m.BuffersLength()):
        unknown_slots(m.Buffers(i), "Buffer", f"{label} buffers[{i}]", out)
    for i in range(m.MetadataLength()):
        unknown_slots(m.Metadata(i), "Metadata", f"{label} metadata[{i}]", out)
    for i in range(m.SignatureDefsLength()):
        sd = m.SignatureDefs(i)
        unknown_slots(sd, "SignatureDef", f"{label} signature_defs[{i}]", out)
        for j in range(sd.InputsLength()):
            unknown_slots(sd.Inputs(j), "TensorMap", f"{label} signature_defs[{i}].inputs[{j}]", out)
        for j in range(sd.OutputsLength()):
            unknown_slots(sd.Outputs(j), "TensorMap", f"{label} signature_defs[{i}].outputs[{j}]", out)
    for s in range(m.SubgraphsLength()):
        g = m.Subgraphs(s)
        unknown_slots(g, "SubGraph", f"{label} subgraph {s}", out)
        for t in range(g.TensorsLength()):
            walk_tensor(g.Tensors(t), f"{label} tensor {t}", out)
        for o in range(g.OperatorsLength()):
            op = g.Operators(o)
            where = f"{label} operator {o}"
            unknown_slots(op, "Operator", where, out)
            for enum, tag, tab in ((S.BuiltinOptions, op.BuiltinOptionsType(), op.BuiltinOptions()),
                                   (S.BuiltinOptions2, op.BuiltinOptions2Type(), op.BuiltinOptions2())):
                obj, name = union_table(enum, tag, tab, where, out)
                if obj is not None:
                    unknown_slots(obj, name, where, out)


def walk_tensor(t, where, out):
    unknown_slots(t, "Tensor", where, out)
    q = t.Quantization()
    if q is not None:
        unknown_slots(q, "QuantizationParameters", where, out)
        obj, name = union_table(S.QuantizationDetails, q.DetailsType(), q.Details(), where, out)
        if obj is not None:
            unknown_slots(obj, name, where, out)
    sp = t.Sparsity()
    if sp is not None:
        unknown_slots(sp, "SparsityParameters", where, out)
        for d in range(sp.DimMetadataLength()):
            dm = sp.DimMetadata(d)
            unknown_slots(dm, "DimensionMetadata", f"{where} sparsity dim {d}", out)
            for tag, tab in ((dm.ArraySegmentsType(), dm.ArraySegments()),
                             (dm.ArrayIndicesType(), dm.ArrayIndices())):
                obj, name = union_table(S.SparseIndexVector, tag, tab, where, out)
                if obj is not None:
                    unknown_slots(obj, name, where, out)
    for v in range(t.VariantTensorsLength()):
        unknown_slots(t.VariantTensors(v), "VariantSubType", f"{where} variant {v}", out)


# ---------------------------------------------------------------- one model


class BadInput(Exception):
    pass


class Loaded:
    def __init__(self, path, buf):
        self.path, self.buf = path, bytearray(buf)
        try:
            self.m = S.ModelT.InitFromPackedBuf(self.buf, 0)
        except Exception as e:  # the generated reader raises whatever a bad offset causes
            raise BadInput(f"{path}: not a readable TFLite flatbuffer ({type(e).__name__}: {e})")
        if not self.m.subgraphs or len(self.m.subgraphs) != 1:
            raise BadInput(f"{path}: {len(self.m.subgraphs or [])} subgraphs; one expected")
        self.g = self.m.subgraphs[0]
        self.tensors = self.g.tensors or []
        self.names = [t.name for t in self.tensors]

    def buffer(self, t):
        bufs = self.m.buffers or []
        return bufs[t.buffer] if 0 <= t.buffer < len(bufs) else None

    def data(self, t):
        b = self.buffer(t)
        return b"" if b is None or b.data is None else np.asarray(b.data).tobytes()

    def is_const(self, i):
        return len(self.data(self.tensors[i])) > 0

    def io_names(self, which):
        return [self.names[i] for i in (getattr(self.g, which) if getattr(self.g, which) is not None else [])]

    def op_name(self, op):
        c = self.m.operatorCodes[op.opcodeIndex]
        return OP_NAMES.get(max(c.builtinCode, c.deprecatedBuiltinCode), f"op {c.builtinCode}")

    def metadata(self):
        out = {}
        for md in self.m.metadata or []:
            bufs = self.m.buffers or []
            b = bufs[md.buffer] if 0 <= md.buffer < len(bufs) else None
            out[md.name] = b"" if b is None or b.data is None else np.asarray(b.data).tobytes()
        return out


def diff_tensor(src, si, seg, ti, path, out):
    a, b = src.tensors[si], seg.tensors[ti]
    diff(a, b, f"{path} Tensor", out)
    if src.data(a) != seg.data(b):
        out.append(f"{path} Buffer.data: source {len(src.data(a))} bytes, segment "
                   f"{len(seg.data(b))} bytes, contents differ")
    ba, bb = src.buffer(a) or S.BufferT(), seg.buffer(b) or S.BufferT()
    for field in sorted(vars(ba)):
        if field != "data":
            diff(getattr(ba, field), getattr(bb, field), f"{path} Buffer.{snake(field)}", out)


def diff_operator(src, j, seg, k, path, out):
    a, b = src.g.operators[j], seg.g.operators[k]
    code_a, code_b = src.m.operatorCodes[a.opcodeIndex], seg.m.operatorCodes[b.opcodeIndex]
    if code_a.builtinCode == 0 and code_b.builtinCode == code_a.deprecatedBuiltinCode:
        # A pre-2.4 model sets only deprecated_builtin_code (slot 0); writing builtin_code next
        # to it, as the schema asks of writers, names the same op (readers take the larger).
        code_b = copy.copy(code_b)
        code_b.builtinCode = 0
    diff(code_a, code_b, f"{path}: OperatorCode", out)
    diff(a, b, f"{path}: Operator", out)
    for field in ("inputs", "outputs", "intermediates"):
        xs = [] if getattr(a, field) is None else list(getattr(a, field))
        ys = [] if getattr(b, field) is None else list(getattr(b, field))
        if len(xs) != len(ys):
            out.append(f"{path}: Operator.{field}: source has {len(xs)}, segment {len(ys)}")
            continue
        for n, (x, y) in enumerate(zip(xs, ys)):
            where = f"{path}: Operator.{field}[{n}]"
            if x < 0 or y < 0:
                if x != y:
                    out.append(f"{where}: source {x}, segment {y} (optional input)")
                continue
            diff_tensor(src, x, seg, y, where, out)


# ---------------------------------------------------------------- the segmentation


def check(src, segs):
    """All differences, as lines naming segment, operator, table and field."""
    errors = []
    raw = []
    walk_raw(src.buf, f"source {src.path}", raw)
    errors += [f"{e} (the check cannot compare it)" for e in raw]
    key_of = {}
    for j, op in enumerate(src.g.operators or []):
        key = tuple(src.names[i] for i in op.outputs)
        if key in key_of:
            errors.append(f"source operator {j}: writes the same tensors as operator {key_of[key]}")
        key_of[key] = j
    placed = {j: [] for j in range(len(src.g.operators or []))}
    produced = {}  # tensor name -> segment that writes it
    for s, seg in enumerate(segs):
        for op in seg.g.operators or []:
            for i in op.outputs:
                produced.setdefault(seg.names[i], s)
    src_sig_keys = signature_keys(src)
    for s, seg in enumerate(segs):
        label = f"segment {s} ({seg.path})"
        e = []
        walk_raw(seg.buf, label, e)
        check_model_fields(src, seg, label, e)
        for k, op in enumerate(seg.g.operators or []):
            key = tuple(seg.names[i] for i in op.outputs)
            j = key_of.get(key)
            path = f"{label} operator {k} ({seg.op_name(op)} writing '{shown(key[0]) if key else ''}')"
            if j is None:
                e.append(f"{path}: no source operator writes these tensors")
                continue
            placed[j].append(s)
            diff_operator(src, j, seg, k, f"{path} = source operator {j}", e)
        check_io(src, segs, s, produced, label, e)
        check_signatures(src_sig_keys, seg, label, e)
        errors += e
    for j, where in placed.items():
        if len(where) != 1:
            errors.append(f"source operator {j} ({src.op_name(src.g.operators[j])}) is in "
                          f"{len(where)} segments {where}; exactly one expected")
    return errors


def check_model_fields(src, seg, label, e):
    if src.buf[4:8] != seg.buf[4:8]:
        e.append(f"{label}: file identifier: source {bytes(src.buf[4:8])!r}, segment {bytes(seg.buf[4:8])!r}")
    handled = {"operatorCodes", "subgraphs", "description", "buffers", "metadataBuffer",
               "metadata", "signatureDefs"}
    for field in sorted(vars(src.m)):
        if field not in handled:
            diff(getattr(src.m, field), getattr(seg.m, field), f"{label}: Model.{snake(field)}", e)
    mine = seg.metadata()
    for name, data in src.metadata().items():
        if name not in mine:
            e.append(f"{label}: Model.metadata: '{name.decode()}' missing")
        elif mine[name] != data:
            e.append(f"{label}: Model.metadata: '{name.decode()}' has different bytes")
    for field in sorted(vars(src.g)):
        if field in ("tensors", "inputs", "outputs", "operators", "name"):
            continue
        if field == "debugMetadataIndex":
            a, b = src.g.debugMetadataIndex, seg.g.debugMetadataIndex
            na = src.m.metadata[a].name if a >= 0 else None
            nb = seg.m.metadata[b].name if 0 <= b < len(seg.m.metadata or []) else None
            if na != nb:
                e.append(f"{label}: SubGraph.debug_metadata_index: source names {na}, segment {nb}")
            continue
        diff(getattr(src.g, field), getattr(seg.g, field), f"{label}: SubGraph.{snake(field)}", e)


def check_io(src, segs, s, produced, label, e):
    seg = segs[s]
    written, read = set(), []
    for op in seg.g.operators or []:
        read += [i for i in op.inputs if i >= 0 and not seg.is_const(i)]
        written.update(seg.names[i] for i in op.outputs)
    needs = {seg.names[i] for i in read} - written
    inputs, outputs = seg.io_names("inputs"), seg.io_names("outputs")
    for n in sorted(needs - set(inputs)):
        e.append(f"{label}: SubGraph.inputs: '{shown(n)}' is read and not written, but not an input")
    for n in sorted(set(inputs) - needs):
        e.append(f"{label}: SubGraph.inputs: '{shown(n)}' is an input the segment does not read")
    earlier = set(src.io_names("inputs"))
    for t in segs[:s]:
        earlier.update(t.io_names("outputs"))
    for n in inputs:
        if n not in earlier:
            e.append(f"{label}: input '{shown(n)}' is neither a model input nor an earlier segment's output")
        if n in src.names and n in seg.names:
            diff_tensor(src, src.names.index(n), seg, seg.names.index(n), f"{label}: input '{shown(n)}'", e)
    later = set()
    for t in segs[s + 1:]:
        later.update(t.io_names("inputs"))
    wanted = {n for n in written if n in later or n in src.io_names("outputs")}
    for n in sorted(wanted - set(outputs)):
        e.append(f"{label}: SubGraph.outputs: '{shown(n)}' is needed later but not an output")
    for n in outputs:
        if n not in written:
            e.append(f"{label}: SubGraph.outputs: '{shown(n)}' is not written by the segment")
        elif n in src.names:
            diff_tensor(src, src.names.index(n), seg, seg.names.index(n), f"{label}: output '{shown(n)}'", e)
    if s == len(segs) - 1:
        for n in src.io_names("outputs"):
            if n not in produced:
                e.append(f"model output '{shown(n)}' is written by no segment")


def signature_keys(m):
    """None without signature defs, else {tensor name: key} for the model's inputs and outputs."""
    if not m.m.signatureDefs:
        return None
    keys = {"inputs": {}, "outputs": {}}
    for sd in m.m.signatureDefs:
        for which in ("inputs", "outputs"):
            for tm in getattr(sd, which) or []:
                keys[which][m.names[tm.tensorIndex]] = tm.name
    return keys


def check_signatures(src_keys, seg, label, e):
    sigs = seg.m.signatureDefs or []
    if src_keys is not None and len(sigs) != 1:
        e.append(f"{label}: Model.signature_defs: {len(sigs)}; the source has signature defs, "
                 "so one naming the segment's inputs and outputs is expected")
    for n, sd in enumerate(sigs):
        where = f"{label}: signature_defs[{n}] ('{(sd.signatureKey or b'').decode()}')"
        if sd.subgraphIndex != 0:
            e.append(f"{where}.subgraph_index: {sd.subgraphIndex}")
        for which in ("inputs", "outputs"):
            maps = getattr(sd, which) or []
            got = [tm.tensorIndex for tm in maps]
            want = list(getattr(seg.g, which) if getattr(seg.g, which) is not None else [])
            if sorted(got) != sorted(want):
                e.append(f"{where}.{which}: tensors {sorted(got)}, the subgraph's {which} are {sorted(want)}")
            keys = [tm.name for tm in maps]
            if len(set(keys)) != len(keys):
                e.append(f"{where}.{which}: duplicate names {keys}")
            for tm in maps:
                if src_keys is None or not 0 <= tm.tensorIndex < len(seg.names):
                    continue
                kept = src_keys[which].get(seg.names[tm.tensorIndex])
                if kept is not None and kept != tm.name:
                    e.append(f"{where}.{which}: '{shown(seg.names[tm.tensorIndex])}' is named "
                             f"'{tm.name.decode()}', the source names it '{kept.decode()}'")


# ---------------------------------------------------------------- self test


def pack(m):
    import flatbuffers

    b = flatbuffers.Builder(1 << 16)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    return b.Output()


def first(items, pred):
    return next((x for x in items if pred(x)), None)


def mutations(m):
    """(what, field the report must name, mutate) for each field this model lets us drop."""
    g = m.subgraphs[0]
    ops, tensors = g.operators, g.tensors
    out = []

    def opt(attr):
        return first(ops, lambda o: o.builtinOptions is not None and bool(getattr(o.builtinOptions, attr, False)))

    for attr in ("halfPixelCenters", "fusedActivationFunction", "batchDims", "adjY", "approximate"):
        op = opt(attr)
        if op is not None:
            out.append((f"option {attr} reset", snake(attr), lambda o=op, a=attr: setattr(o.builtinOptions, a, type(getattr(o.builtinOptions, a))(0))))
    code = first(m.operatorCodes, lambda c: c.builtinCode > 0)
    if code is not None:
        out.append(("builtin_code left at its default (a 1.15 writer)", "builtin_code", lambda c=code: setattr(c, "builtinCode", 0)))
    t = first(tensors, lambda t: t.shapeSignature is not None)
    if t is not None:
        out.append(("shape_signature dropped", "shape_signature", lambda t=t: setattr(t, "shapeSignature", None)))
    t = first(tensors, lambda t: t.hasRank)
    if t is not None:
        out.append(("has_rank dropped", "has_rank", lambda t=t: setattr(t, "hasRank", False)))
    t = first(tensors, lambda t: t.quantization is not None and t.quantization.scale is not None
              and len(t.quantization.scale) > 1)
    if t is not None:
        out.append(("quantized_dimension changed", "quantized_dimension",
                    lambda t=t: setattr(t.quantization, "quantizedDimension", t.quantization.quantizedDimension + 1)))
        out.append(("one per-channel scale changed", "scale",
                    lambda t=t: t.quantization.scale.__setitem__(-1, t.quantization.scale[-1] * 2)))
    b = first(m.buffers or [], lambda b: b.data is not None and len(b.data) > 0)
    if b is not None:
        out.append(("one weight byte flipped", "Buffer.data", lambda b=b: b.data.__setitem__(0, b.data[0] ^ 1)))
    if m.signatureDefs:
        out.append(("signature defs dropped", "signature_defs", lambda: setattr(m, "signatureDefs", None)))
    op = first(ops, lambda o: o.builtinOptions is not None)
    if op is not None:
        out.append(("an option table with a field slot this schema does not know", "unknown to this schema",
                    lambda o=op: setattr(o, "builtinOptions", _UnknownSlot(type(o.builtinOptions).__name__[:-1]))))
    out.append(("an operator dropped", "in 0 segments", lambda: g.operators.pop()))
    return out


class _UnknownSlot:
    """Packs as table `name` with one more field slot than the schema knows, set to true."""

    def __init__(self, name):
        self.slot = field_count(name)

    def Pack(self, builder):
        builder.StartObject(self.slot + 1)
        builder.PrependBoolSlot(self.slot, True, False)
        return builder.EndObject()


def self_test(path):
    buf = open(path, "rb").read()
    src = Loaded(path, buf)
    same = check(src, [Loaded("whole model, repacked", pack(S.ModelT.InitFromPackedBuf(bytearray(buf), 0)))])
    if same:
        print("\n".join(same[:MAX_SHOWN]))
        sys.exit(f"self-test: the repacked whole model differs from {path}")
    count = len(mutations(S.ModelT.InitFromPackedBuf(bytearray(buf), 0)))
    for n in range(count):
        m = S.ModelT.InitFromPackedBuf(bytearray(buf), 0)
        what, field, mutate = mutations(m)[n]
        mutate()
        errors = check(src, [Loaded(what, pack(m))])
        if not any(field in e for e in errors):
            sys.exit(f"self-test: {what} in {path} not reported as {field}: {errors[:3]}")
        print(f"self-test: {what}: caught ({errors[0]})")
    print(f"schema check self-test passed on {path}: {count} mutations caught")


def main(argv):
    if len(argv) >= 2 and argv[0] == "--self-test":
        for p in argv[1:]:
            self_test(p)
        return 0
    if len(argv) < 2 or argv[0].startswith("-"):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    groups = [[]]
    for a in argv[1:]:
        if a == "--":
            groups.append([])
        else:
            groups[-1].append(a)
    if any(not g for g in groups):
        print("schema check: an empty segmentation (two `--` in a row?)", file=sys.stderr)
        return 2
    try:
        src = Loaded(argv[0], open(argv[0], "rb").read())
    except (OSError, BadInput) as e:
        print(f"schema check: {e}", file=sys.stderr)
        return 2
    status = 0
    for paths in groups:
        try:
            segs = [Loaded(p, open(p, "rb").read()) for p in paths]
        except (OSError, BadInput) as e:
            print(f"schema check: {e}", file=sys.stderr)
            return 2
        status = max(status, report(src, segs))
    return status


def report(src, segs):
    errors = check(src, segs)
    if errors:
        for line in errors[:MAX_SHOWN]:
            print(f"FIELD LOST {line}", file=sys.stderr)
        if len(errors) > MAX_SHOWN:
            print(f"... and {len(errors) - MAX_SHOWN} more differences", file=sys.stderr)
        print(f"schema check FAILED: {len(errors)} difference(s) between {src.path} and its "
              f"{len(segs)} segment(s)", file=sys.stderr)
        return 1
    ops = sum(len(s.g.operators or []) for s in segs)
    print(f"schema check: {len(segs)} segment(s) of {src.path}: every field of {ops} operator(s), "
          "their options, opcodes, tensors and buffers equal to the source")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
