#!/usr/bin/env python3
"""Generates src/model/schema_gen.rs, the field table of the current TensorFlow Lite schema.

Input: `schema_py_generated.py` from the ai-edge-litert wheel (flatc's Python output for
LiteRT's schema.fbs). It is parsed with `ast`, never imported or executed, and read
mechanically:
  - `def <Table>Start(builder): builder.StartObject(n)`   -> the table has n field slots
  - `def <Table>Add<Field>(builder, x): builder.Prepend<Kind>Slot(id, x, default)`
                                                          -> slot id is <Field>, kind, default
  - the accessor method `<Table>.<Field>` tells what an offset slot points at: a string, a
    vector (of scalars, strings or tables), a table, or a union value
  - `<Union>Creator(unionType, table)` gives each union member's table, and
    `<Table>T._UnPack` says which union a union value slot holds
  - classes holding only integer constants are enums (BuiltinOperator, TensorType, ...)
A slot in 0..n without an Add function is deprecated in the schema.
Anything the script does not recognise stops it with an error: it never guesses.

Usage: gen-schema-table.py SCHEMA_PY_GENERATED OUT_RS  (tools/gen-schema-table.sh runs it)
"""

import ast
import re
import sys

SCALARS = {
    # Prepend<Kind>Slot kind / number_types flag -> (Rust scalar, size)
    "Bool": ("Bool", 1),
    "Int8": ("I8", 1),
    "Uint8": ("U8", 1),
    "Int16": ("I16", 2),
    "Uint16": ("U16", 2),
    "Int32": ("I32", 4),
    "Uint32": ("U32", 4),
    "Int64": ("I64", 8),
    "Uint64": ("U64", 8),
    "Float32": ("F32", 4),
    "Float64": ("F64", 8),
}


def fail(msg):
    sys.exit(f"gen-schema-table: {msg}")


def snake(name):
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    s = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])", "_", s)
    return s.lower()


def screaming(name):
    return snake(name).upper()


def default_bits(kind, literal):
    """The default value as the little-endian bits of the scalar, as a u64."""
    import struct

    rust, size = SCALARS[kind]
    value = ast.literal_eval(literal)
    if rust == "F32":
        return struct.unpack("<I", struct.pack("<f", float(value)))[0]
    if rust == "F64":
        return struct.unpack("<Q", struct.pack("<d", float(value)))[0]
    return int(value) & ((1 << (8 * size)) - 1)


def parse(source):
    tree = ast.parse(source)
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    funcs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}

    def text(node):
        return ast.get_source_segment(source, node)

    # Enums: classes whose body is only `NAME = <int>`.
    enums = {}
    for name, c in classes.items():
        body = [s for s in c.body if not isinstance(s, ast.Expr)]
        if body and all(
            isinstance(s, ast.Assign) and isinstance(s.value, (ast.Constant, ast.UnaryOp))
            for s in body
        ):
            enums[name] = [(s.targets[0].id, ast.literal_eval(s.value)) for s in body]

    # Tables: `<T>Start` calling StartObject(n), with a class T.
    tables = {}
    for fname, f in funcs.items():
        if not fname.endswith("Start") or fname[: -len("Start")] not in classes:
            continue
        call = text(f.body[0])
        m = re.fullmatch(r"builder\.StartObject\((\d+)\)", call.strip())
        if not m:
            fail(f"{fname}: unexpected body {call!r}")
        tables[fname[: -len("Start")]] = {"slots": int(m.group(1)), "fields": {}}

    for tname, t in tables.items():
        cls = classes[tname]
        methods = {m.name: m for m in cls.body if isinstance(m, ast.FunctionDef)}
        for fname, f in funcs.items():
            prefix = tname + "Add"
            field = fname[len(prefix):]
            if not fname.startswith(prefix) or field not in methods:
                continue
            call = text(f.body[0]).strip()
            m = re.fullmatch(r"builder\.Prepend(\w+)Slot\((\d+), (.*), ([^,]+)\)", call)
            if not m:
                fail(f"{fname}: unexpected body {call!r}")
            kind, slot, default = m.group(1), int(m.group(2)), m.group(4)
            if slot >= t["slots"]:
                fail(f"{fname}: slot {slot} beyond StartObject({t['slots']})")
            if slot in t["fields"]:
                fail(f"{tname}: slot {slot} added twice")
            t["fields"][slot] = classify(tname, field, kind, default, text(methods[field]))
        resolve_unions(tname, t, classes, text)
    unions = {}
    for fname, f in funcs.items():
        if fname.endswith("Creator") and fname[: -len("Creator")] in enums:
            uname = fname[: -len("Creator")]
            body = text(f)
            members = re.findall(
                r"if unionType == " + uname + r"\.(\w+):\s*return (\w+)T\.InitFromBuf", body
            )
            values = dict(enums[uname])
            unions[uname] = [(values[m], m, tab) for m, tab in members]
            for _, _, tab in unions[uname]:
                if tab not in tables:
                    fail(f"union {uname}: member table {tab} unknown")
    return tables, unions, enums


def classify(tname, field, kind, default, acc):
    where = f"{tname}.{field}"
    if kind != "UOffsetTRelative":
        if kind not in SCALARS:
            fail(f"{where}: unknown slot kind {kind}")
        m = re.search(r"self\._tab\.Get\(flatbuffers\.number_types\.(\w+)Flags, o \+ self\._tab\.Pos\)", acc)
        if not m or m.group(1) != kind:
            fail(f"{where}: accessor does not read a {kind}")
        return {"name": field, "kind": ("Scalar", SCALARS[kind][0]), "default": default_bits(kind, default)}
    if default.strip() != "0":
        fail(f"{where}: offset with default {default}")
    if "self._tab.Union(" in acc:
        return {"name": field, "kind": ("UnionValue", None), "default": 0}
    if "self._tab.Vector(o)" in acc:
        if "self._tab.Indirect(x)" in acc:
            obj = re.search(r"obj = (\w+)\(\)", acc)
            if not obj:
                fail(f"{where}: vector of offsets to what?")
            return {"name": field, "kind": ("VecTable", obj.group(1)), "default": 0}
        if "self._tab.String(" in acc:
            return {"name": field, "kind": ("VecString", None), "default": 0}
        m = re.search(r"self\._tab\.Get\(flatbuffers\.number_types\.(\w+)Flags, a \+ flatbuffers\.number_types\.UOffsetTFlags\.py_type\(j \* (\d+)\)\)", acc)
        if not m or m.group(1) not in SCALARS or SCALARS[m.group(1)][1] != int(m.group(2)):
            fail(f"{where}: vector of an unrecognised element (struct?)")
        return {"name": field, "kind": ("VecScalar", SCALARS[m.group(1)][0]), "default": 0}
    if "self._tab.String(o + self._tab.Pos)" in acc:
        return {"name": field, "kind": ("String", None), "default": 0}
    if "self._tab.Indirect(o + self._tab.Pos)" in acc:
        obj = re.search(r"obj = (\w+)\(\)", acc)
        if not obj:
            fail(f"{where}: table of what?")
        return {"name": field, "kind": ("Table", obj.group(1)), "default": 0}
    fail(f"{where}: unrecognised accessor (a struct?)")


def resolve_unions(tname, t, classes, text):
    """Union value slots: which union (from <T>T._UnPack) and which slot holds the tag."""
    by_name = {f["name"]: slot for slot, f in t["fields"].items()}
    unpack = None
    tcls = classes.get(tname + "T")
    if tcls is not None:
        unpack = next((m for m in tcls.body if isinstance(m, ast.FunctionDef) and m.name == "_UnPack"), None)
    for slot, f in t["fields"].items():
        if f["kind"][0] != "UnionValue":
            continue
        name = f["name"]
        m = unpack and re.search(r"= (\w+)Creator\(self\.\w+, \w+\." + name + r"\(\)\)", text(unpack))
        if not m:
            fail(f"{tname}.{name}: union of which type?")
        tag = by_name.get(name + "Type")
        if tag is None or t["fields"][tag]["kind"] != ("Scalar", "U8"):
            fail(f"{tname}.{name}: no ubyte tag slot {name}Type")
        f["kind"] = ("UnionValue", (m.group(1), tag))
        t["fields"][tag]["kind"] = ("UnionTag", m.group(1))


def emit(tables, unions, enums, header):
    names = sorted(tables)
    index = {n: i for i, n in enumerate(names)}
    uindex = {n: i for i, n in enumerate(sorted(unions))}
    out = [header, "", "use super::schema::{Field, Kind, Scalar, TableDesc, UnionDesc};", ""]
    out.append("/// Every table of the schema, by [`TableId`](super::schema::TableId).")
    out.append("pub static TABLES: [TableDesc; %d] = [" % len(names))
    for n in names:
        t = tables[n]
        out.append(f"    TableDesc {{ name: \"{n}\", slots: {t['slots']}, fields: &[")
        for slot in range(t["slots"]):
            f = t["fields"].get(slot)
            if f is None:
                out.append(f"        Field {{ name: \"(deprecated)\", kind: Kind::Deprecated, default: 0 }},")
                continue
            k, arg = f["kind"]
            if k == "Scalar":
                kind = f"Kind::Scalar(Scalar::{arg})"
            elif k in ("String", "VecString"):
                kind = f"Kind::{k}"
            elif k == "VecScalar":
                kind = f"Kind::VecScalar(Scalar::{arg})"
            elif k in ("VecTable", "Table"):
                if arg not in index:
                    fail(f"{n}.{f['name']}: table {arg} unknown")
                kind = f"Kind::{k}({index[arg]})"
            elif k == "UnionTag":
                kind = f"Kind::UnionTag({uindex[arg]})"
            elif k == "UnionValue":
                kind = f"Kind::UnionValue {{ union: {uindex[arg[0]]}, tag: {arg[1]} }}"
            else:
                fail(f"{n}.{f['name']}: kind {k}")
            out.append(
                f"        Field {{ name: \"{snake(f['name'])}\", kind: {kind}, default: {f['default']:#x} }},"
            )
        out.append("    ] },")
    out.append("];")
    out.append("")
    out.append("/// Every union of the schema: (tag, member name, member table).")
    out.append("pub static UNIONS: [UnionDesc; %d] = [" % len(unions))
    for u in sorted(unions):
        members = ", ".join(f"({v}, \"{m}\", {index[tab]})" for v, m, tab in unions[u])
        out.append(f"    UnionDesc {{ name: \"{u}\", members: &[{members}] }},")
    out.append("];")
    out.append("")
    out.append("/// Table ids.")
    out.append("pub mod table {")
    for n in names:
        out.append(f"    /// `{n}`.")
        out.append(f"    pub const {screaming(n)}: usize = {index[n]};")
    out.append("}")
    out.append("")
    out.append("/// Union ids.")
    out.append("pub mod union {")
    for u in sorted(unions):
        out.append(f"    /// `{u}`.")
        out.append(f"    pub const {screaming(u)}: usize = {uindex[u]};")
    out.append("}")
    out.append("")
    out.append("/// Field slots, per table.")
    out.append("pub mod slot {")
    for n in names:
        fields = tables[n]["fields"]
        if not fields:
            continue
        out.append(f"    /// Slots of `{n}`.")
        out.append(f"    pub mod {snake(n)} {{")
        for slot in sorted(fields):
            out.append(f"        /// `{n}.{snake(fields[slot]['name'])}`.")
            out.append(f"        pub const {screaming(fields[slot]['name'])}: usize = {slot};")
        out.append("    }")
    out.append("}")
    out.append("")
    for e in ("BuiltinOperator", "TensorType", "BuiltinOptions", "BuiltinOptions2", "QuantizationDetails"):
        if e not in enums:
            fail(f"enum {e} missing")
        values = ", ".join(f"({v}, \"{k}\")" for k, v in sorted(enums[e], key=lambda kv: kv[1]))
        out.append(f"/// `{e}`: (value, name).")
        out.append(f"pub static {screaming(e)}: &[(i64, &str)] = &[{values}];")
    out.append("")
    return "\n".join(out)


def main():
    if len(sys.argv) != 4:
        fail("usage: gen-schema-table.py SCHEMA_PY_GENERATED OUT_RS SOURCE_DESCRIPTION")
    source = open(sys.argv[1], encoding="utf-8").read()
    tables, unions, enums = parse(source)
    header = (
        "//! The field table of the current TensorFlow Lite schema. GENERATED: do not edit.\n"
        f"//! Source: {sys.argv[3]}.\n"
        "//! Regenerate with `tools/gen-schema-table.sh` (see tools/gen-schema-table.py).\n"
        "#![allow(missing_docs)]"
    )
    open(sys.argv[2], "w", encoding="utf-8").write(emit(tables, unions, enums, header))


if __name__ == "__main__":
    main()
