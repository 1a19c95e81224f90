#!/usr/bin/env python3
"""Checks segments written by `edgepipe segment` in a current TensorFlow Lite (LiteRT): every
segment loads and runs, and the chain of segments (tensors routed by name) gives the whole
model's outputs byte for byte, on random inputs.

usage: litert_chain.py MODEL SEGMENT... [--requests K]
"""
import argparse
import sys

import numpy as np
from ai_edge_litert.interpreter import Interpreter


def load(path):
    interp = Interpreter(model_path=path, num_threads=1)
    interp.allocate_tensors()
    return interp


def run(interp, feed):
    for d in interp.get_input_details():
        interp.set_tensor(d["index"], feed[d["name"]])
    interp.invoke()
    return {d["name"]: interp.get_tensor(d["index"]).copy() for d in interp.get_output_details()}


def random_input(detail, rng):
    dtype, shape = detail["dtype"], detail["shape"]
    if np.issubdtype(dtype, np.floating):
        return rng.uniform(-1, 1, size=shape).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, size=shape, endpoint=True).astype(dtype)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model")
    p.add_argument("segments", nargs="+")
    p.add_argument("--requests", type=int, default=3)
    a = p.parse_args()
    whole = load(a.model)
    segments = [load(s) for s in a.segments]
    rng = np.random.default_rng(5)
    for r in range(a.requests):
        feed = {d["name"]: random_input(d, rng) for d in whole.get_input_details()}
        expected = run(whole, feed)
        tensors = dict(feed)
        for i, seg in enumerate(segments):
            missing = [d["name"] for d in seg.get_input_details() if d["name"] not in tensors]
            if missing:
                sys.exit(f"segment {i} needs {missing}, produced by no earlier segment")
            try:
                tensors.update(run(seg, tensors))
            except (ValueError, RuntimeError) as e:
                sys.exit(f"request {r}: segment {i} ({a.segments[i]}) fails to run: {e}")
        for name, want in expected.items():
            got = tensors.get(name)
            if got is None:
                sys.exit(f"request {r}: output '{name}' of {a.model} is produced by no segment")
            if got.shape != want.shape or got.tobytes() != want.tobytes():
                if got.shape != want.shape:
                    how = f"shape {got.shape}, whole model {want.shape}"
                else:
                    gap = np.abs(got.astype(np.float64) - want.astype(np.float64))
                    how = f"by up to {gap.max():g} in {np.count_nonzero(gap)} of {gap.size} values"
                sys.exit(f"request {r}: output '{name}' differs between the chain and {a.model}: {how}")
    print(f"LiteRT: {len(segments)} segment(s) of {a.model} chain bit-exactly on {a.requests} request(s)")


if __name__ == "__main__":
    main()
