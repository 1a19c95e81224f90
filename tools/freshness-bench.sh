#!/bin/sh
# Freshness benchmark (issue 17): the appliance fed faster than its model can go. Prints the
# median end-to-end latency of the C lines (capture to result) against the sum of the stages'
# mean invoke times measured in the same run, and checks the accounting
# (captured = classified + dropped) on the final status line.
#
#   tools/freshness-bench.sh [FRAMES] [FPS] [PLAN [EDGETPU_LIB]]
#       defaults: 300 frames, a 1000 fps source (faster than the model on any machine)
#
# Uses `edgepipe demo`'s model (EfficientNet-Lite0 in 2 CPU segments) and photos; with PLAN,
# the stages of that plan file instead (`edgepipe plan ... --out-dir`; replicated stages
# included), their Edge TPUs through EDGETPU_LIB (the fake libedgetpu with sim=1 simulates
# them: see tools/plan-bench.sh).
set -eu
frames=${1:-300}
fps=${2:-1000}
plan=${3:-}
edgetpu_lib=${4:-}
bin=${EDGEPIPE_BIN:-target/release/edgepipe}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" demo --out-dir "$work" --frames 1 >/dev/null 2>&1
sed -i "s/^fps = .*/fps = $fps/; s/^interval_s = .*/interval_s = 1/" "$work/edgepipe.toml"
if [ -n "$plan" ]; then
    plan=$(realpath "$plan")
    sed -i "s|^segments = .*|plan = \"$plan\"|" "$work/edgepipe.toml"
fi
if [ -n "$edgetpu_lib" ]; then
    mkdir -p "$work/locks"
    sed -i "s|^provider = .*|&\nedgetpu_lib = \"$(realpath "$edgetpu_lib")\"\nlock_dir = \"$work/locks\"|" \
        "$work/edgepipe.toml"
fi
EDGEPIPE_LOG=info "$bin" run --stdout --config "$work/edgepipe.toml" --frames "$frames" \
    >"$work/out" 2>"$work/log"
awk -F'\t' '
    FILENAME ~ /log$/ && /mean_ms=/ {
        for (i = 1; i <= NF; i++) if ($i ~ /mean_ms=/) {}
        n = split($0, w, " ")
        for (i = 1; i <= n; i++) if (w[i] ~ /^mean_ms=/) { sub("mean_ms=", "", w[i]); sum += w[i]; stages++ }
        next
    }
    FILENAME ~ /out$/ && $2 == "C" { lat[++c] = $5 }
    FILENAME ~ /out$/ && $2 == "S" { last = $0 }
    END {
        # sort latencies (insertion sort: a few hundred values)
        for (i = 2; i <= c; i++) { v = lat[i]; j = i - 1; while (j > 0 && lat[j] > v) { lat[j+1] = lat[j]; j-- } lat[j+1] = v }
        med = (c % 2) ? lat[(c+1)/2] : (lat[c/2] + lat[c/2+1]) / 2
        split(last, f, "\t")
        for (i in f) { if (f[i] ~ /^captured=/) cap = substr(f[i], 10); if (f[i] ~ /^frames=/) fr = substr(f[i], 8); if (f[i] ~ /^dropped=/) dr = substr(f[i], 9); if (f[i] ~ /^age_ms=/) age = substr(f[i], 8) }
        printf "C lines: %d; median latency %.1f ms; sum of %d stage means %.1f ms; ratio %.2f\n", c, med, stages, sum, med / sum
        printf "final status: captured=%s frames=%s dropped=%s (%s) age_ms=%s\n", cap, fr, dr, (cap == fr + dr) ? "closes" : "DOES NOT CLOSE", age
    }' "$work/log" "$work/out"
