#!/usr/bin/env python3
"""Checks edgepipe's `litert` engine against the Python ai_edge_litert Interpreter: for each
model and each kernel set (XNNPACK, LiteRT's builtin kernels), `edgepipe verify --engine litert
--save DIR` runs seeded random requests and saves their inputs and outputs; the Python
Interpreter, with the same kernels and threads, runs the same inputs; every output must be
byte-identical.

With --time K, also times K invokes of each on the same inputs' shapes (mean per invoke,
after 2 warm-up invokes): `edgepipe bench` against the Python Interpreter, and prints the ratio.

usage: litert-engine-check.py EDGEPIPE MODEL... [--threads N] [--requests K] [--time K]
"""
import json
import time
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
from ai_edge_litert.interpreter import Interpreter, OpResolverType

# edgepipe's --kernels and the Python Interpreter's op resolver with the same kernels.
KERNELS = {
    "xnnpack": OpResolverType.AUTO,
    "builtin": OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
}


def file_name(name):
    """How `edgepipe verify --save` names a tensor's file."""
    return "".join(c if c.isalnum() or c in "-." else "_" for c in name)


def python_outputs(model, kernels, threads, saved, request):
    interp = Interpreter(model_path=model, num_threads=threads,
                         experimental_op_resolver_type=KERNELS[kernels])
    interp.allocate_tensors()
    for d in interp.get_input_details():
        path = os.path.join(saved, f"request_{request}_input_{file_name(d['name'])}.bin")
        data = np.fromfile(path, dtype=d["dtype"]).reshape(d["shape"])
        interp.set_tensor(d["index"], data)
    interp.invoke()
    return {d["name"]: interp.get_tensor(d["index"]).tobytes()
            for d in interp.get_output_details()}


def check(edgepipe, model, kernels, threads, requests):
    with tempfile.TemporaryDirectory() as saved:
        run = subprocess.run(
            [edgepipe, "verify", model, model, "--engine", "litert", "--kernels", kernels,
             "--threads", str(threads), "--count", str(requests), "--save", saved],
            capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"edgepipe verify failed on {model}:\n{run.stderr}")
        lines = run.stdout.splitlines()
        engine = next((l[8:] for l in lines if l.startswith("engine: ")), "?")
        for r in range(requests):
            want = python_outputs(model, kernels, threads, saved, r)
            for name, expected in want.items():
                path = os.path.join(saved, f"request_{r}_output_{file_name(name)}.bin")
                with open(path, "rb") as f:
                    got = f.read()
                if got != expected:
                    differ = sum(a != b for a, b in zip(got, expected))
                    sys.exit(f"{model} ({kernels}, {threads} thread(s)), request {r}: output "
                             f"'{name}' differs from the Python interpreter in {differ} byte(s)")
    print(f"{os.path.basename(model)}: {kernels}, {threads} thread(s): {requests} request(s) "
          f"byte-identical to the Python interpreter ({engine})")


def timed(edgepipe, model, kernels, threads, count):
    """Mean ms per invoke of the whole model: edgepipe's litert engine, then Python's."""
    run = subprocess.run(
        [edgepipe, "bench", "--model-dir", os.path.dirname(model) or ".",
         "--model", os.path.basename(model), "-n", "1", "--count", str(count), "--json",
         "--engine", "litert", "--kernels", kernels, "--threads", str(threads)],
        capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"edgepipe bench failed on {model}:\n{run.stderr}")
    ours = json.loads(run.stdout)["single"]["mean_ms"]
    interp = Interpreter(model_path=model, num_threads=threads,
                         experimental_op_resolver_type=KERNELS[kernels])
    interp.allocate_tensors()
    rng = np.random.default_rng(3)
    for d in interp.get_input_details():
        info = np.iinfo(d["dtype"]) if np.issubdtype(d["dtype"], np.integer) else None
        data = (rng.integers(info.min, info.max, size=d["shape"], endpoint=True)
                if info else rng.uniform(-1, 1, size=d["shape"]))
        interp.set_tensor(d["index"], data.astype(d["dtype"]))
    for _ in range(2):
        interp.invoke()
    started = time.perf_counter()
    for _ in range(count):
        interp.invoke()
    python = (time.perf_counter() - started) * 1e3 / count
    print(f"{os.path.basename(model)}: {kernels}, {threads} thread(s), {count} invokes: "
          f"edgepipe litert {ours:.2f} ms, Python interpreter {python:.2f} ms, "
          f"ratio {ours / python:.3f}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("edgepipe")
    p.add_argument("models", nargs="+")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--requests", type=int, default=2)
    p.add_argument("--time", type=int, default=0, metavar="K")
    a = p.parse_args()
    for model in a.models:
        for kernels in KERNELS:
            check(a.edgepipe, model, kernels, a.threads, a.requests)
            if a.time:
                timed(a.edgepipe, model, kernels, a.threads, a.time)


if __name__ == "__main__":
    main()
