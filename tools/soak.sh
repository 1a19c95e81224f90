#!/usr/bin/env bash
# Soak: N frames (default 100,000) from the synthetic source through `edgepipe run` with a
# 2-segment CPU pipeline; checks that every classification line is intact with rising frame
# numbers, that captured = classified + dropped + in flight at the stop, and samples RSS.
#
# usage: tools/soak.sh [FRAMES]   (needs ../shared/models or $EDGEPIPE_TEST_DATA)
set -euo pipefail
cd "$(dirname "$0")/.."
frames=${1:-100000}
data=${EDGEPIPE_TEST_DATA:-../shared/models}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet
target/release/edgepipe segment "$data/coral/mobilenet_v1_0.25_128_quant.tflite" -n 2 --out-dir "$work" >/dev/null
# Coral's file names two classes "crane"; edgepipe refuses a repeated label.
sed '0,/^crane$/s//crane (bird)/' "$data/coral/imagenet_labels.txt" > "$work/labels.txt"
cat > "$work/soak.toml" <<CONF
[source]
kind = "pattern"
size = "640x480"
fps = 0
[model]
segments = ["mobilenet_v1_0.25_128_quant_segment_0_of_2.tflite", "mobilenet_v1_0.25_128_quant_segment_1_of_2.tflite"]
labels = "labels.txt"
[status]
interval_s = 10
CONF
start=$(date +%s)
target/release/edgepipe run --config "$work/soak.toml" --frames "$frames" --stdout > "$work/out.txt" 2> "$work/err.txt" &
pid=$!
echo "seconds rss_kb" > "$work/rss.txt"
while kill -0 "$pid" 2>/dev/null; do
  rss=$(awk '/^VmRSS/ {print $2}' /proc/$pid/status 2>/dev/null || true)
  [ -n "$rss" ] && echo "$(( $(date +%s) - start )) $rss" >> "$work/rss.txt"
  sleep 5
done
wait "$pid"
python3 - "$work/out.txt" "$work/rss.txt" <<'PY'
import sys
sys.path.insert(0, ".")
lines = open(sys.argv[1]).read().splitlines()
def crc16(data):
    crc = 0xFFFF
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc
bad = 0
seqs = []
status = None
for l in lines:
    body, _, crc = l.rpartition("\t*")
    if crc16(body.encode()) != int(crc, 16):
        bad += 1
        continue
    f = body.split("\t")
    if f[1] == "C":
        seqs.append(int(f[2]))
    if f[1] == "S":
        status = dict(x.split("=", 1) for x in f[2:])
rising = all(b > a for a, b in zip(seqs, seqs[1:]))
cap, done, drop = int(status["captured"]), int(status["frames"]), int(status["dropped"])
rss = [int(r.split()[1]) for r in open(sys.argv[2]).read().splitlines()[1:]]
print(f"classified {len(seqs)} frames, damaged lines {bad}, frame numbers rising: {rising}")
print(f"captured {cap} = classified {done} + dropped {drop} + unaccounted {cap - done - drop}")
if rss:
    warm = rss[len(rss)//5:] or rss
    print(f"RSS kB: first {rss[0]}, after warm-up min {min(warm)} max {max(warm)}, last {rss[-1]} ({len(rss)} samples)")
ok = bad == 0 and rising and done == len(seqs) and 0 <= cap - done - drop <= 16
print("soak", "passed" if ok else "FAILED")
sys.exit(0 if ok else 1)
PY
echo "elapsed $(( $(date +%s) - start )) s"
