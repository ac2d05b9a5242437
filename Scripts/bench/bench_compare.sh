#!/usr/bin/env bash
# Side-by-side measurement: `clipscope bench --json` and Scripts/bench/bench_torch.py on the same
# checkpoint, back to back in both orders (A: clipscope then PyTorch, B: PyTorch then clipscope), then a
# table of both and of the targets (docs/perf.md). Usage:
#   Scripts/bench/bench_compare.sh [DIR=/tmp/jcv2-random] [THREADS=2] [OUT=/tmp/bench-compare]
# Make the checkpoint with `python3 Scripts/fixtures/make_random_checkpoint.py DIR` and build with
# `swift build -c release --product clipscope` first. Run on a quiet machine: both use all THREADS cores.
set -euo pipefail
DIR=${1:-/tmp/jcv2-random}
THREADS=${2:-2}
OUT=${3:-/tmp/bench-compare}
cd "$(dirname "$0")/../.."
BIN=.build/release/clipscope
[ -x "$BIN" ] || { echo "bench_compare: build first: swift build -c release --product clipscope" >&2; exit 2; }
[ -f "$DIR/model.safetensors" ] || { echo "bench_compare: $DIR/model.safetensors missing (Scripts/fixtures/make_random_checkpoint.py $DIR)" >&2; exit 2; }
mkdir -p "$OUT"
run_cs() { "$BIN" bench --model "$DIR" --json --threads "$THREADS" > "$OUT/clipscope_$1.json" 2> "$OUT/clipscope_$1.log"; }
run_pt() { python3 Scripts/bench/bench_torch.py "$DIR" --threads "$THREADS" > "$OUT/torch_$1.json" 2> "$OUT/torch_$1.log"; }
echo "pair A (clipscope, then PyTorch) $(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)"
run_cs A; run_pt A
echo "pair B (PyTorch, then clipscope) $(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)"
run_pt B; run_cs B
echo "done $(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)"
python3 - "$OUT" <<'PY'
import json, sys, os
out = sys.argv[1]
r = {k: json.load(open(os.path.join(out, k + ".json"))) for k in ("clipscope_A", "torch_A", "torch_B", "clipscope_B")}
keys = ["load_s", "peak_rss_mb", "text_query_ms", "text_query_prefixed_ms", "text_batch32_ms", "text_batch32_gflops",
        "image_1_ms", "image_4_ms", "image_1_gflops", "sgemm_gflops", "threads"]
print("| key | clipscope A | PyTorch A | PyTorch B | clipscope B |")
print("| --- | --- | --- | --- | --- |")
for k in keys:
    print(f"| {k} | " + " | ".join(f"{r[c].get(k, float('nan')):.1f}" if isinstance(r[c].get(k), float) else str(r[c].get(k, "-")) for c in r) + " |")
print()
for p in "AB":
    c, t = r["clipscope_" + p], r["torch_" + p]
    print(f"pair {p}: query {c['text_query_ms']:.1f} ms (goal <= 80; {c['text_query_ms'] / t['text_query_ms']:.2f}x PyTorch, goal <= 0.4x), "
          f"32 captions {c['text_batch32_ms'] / t['text_batch32_ms']:.2f}x PyTorch (goal <= 1.05x), "
          f"image {c.get('image_1_ms', 0) / 1000:.2f} s (goal <= 6.2 s; {t.get('image_1_ms', 0) / max(c.get('image_1_ms', 1), 1):.2f}x faster than PyTorch), "
          f"4 images {c.get('image_4_ms', 0) / 4000:.2f} s each, load {c['load_s']:.2f} s (goal <= 2), peak RSS {c['peak_rss_mb'] / 1024:.2f} GiB (goal <= 3)")
PY
