#!/usr/bin/env bash
# The command fuzz of issue 16 at nightly size: mutants of real models (bit flips, field
# overwrites, truncations, splices, byte overwrites) through inspect, segment, verify and a
# one-frame run, each under RLIMIT_AS/RLIMIT_CPU and a deadline (tests/it/fuzz_commands.rs).
# CI runs 2000 cases of seed 16 inside `cargo test --release`; this runs more, from other seeds,
# with verify and run on every case.
#
#   tools/fuzz-nightly.sh                 # 20000 cases, seed = today's date (YYYYMMDD)
#   tools/fuzz-nightly.sh CASES SEED      # e.g. tools/fuzz-nightly.sh 50000 7
#
# A failing mutant is kept in target/tmp/fuzz-failures/seed<S>-case<N>.tflite with a .txt
# saying what was done to it and what broke; add its kind to tests/it/corpus.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-20000}
seed=${2:-$(date -u +%Y%m%d)}
EDGEPIPE_FUZZ_CASES=$cases EDGEPIPE_FUZZ_SEED=$seed EDGEPIPE_FUZZ_FULL=1 \
  nice cargo test --release --test it fuzz_commands:: -- --nocapture
