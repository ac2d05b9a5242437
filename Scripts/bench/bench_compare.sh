#!/usr/bin/env bash
# Side-by-side measurement: `clipscope bench --json` and Scripts/bench/bench_torch.py on the same
# checkpoint, back to back in both orders (A: clipscope then PyTorch, B: PyTorch then clipscope), then a
# table of both and of the targets (docs/perf.md). Usage:
#   Scripts/bench/bench_compare.sh [DIR=/tmp/jcv2-random] [THREADS=2] [OUT=/tmp/bench-compare]
#   Scripts/bench/bench_compare.sh --threads-list [1,2,4,…] [--runs R=3] [DIR] [OUT]
# The second form is the scaling table: for every thread count, R runs of each program, the order
# alternating run to run (clipscope first in odd runs, PyTorch first in even ones), then one row per
# thread count of image_1 ms, query ms and 32 captions ms as "median (min–max)" over the R runs of each
# program (each run's figure is already that program's median of its repeats), with the 1-minute load
# average before and after each thread count. Without a list: 1, 2 and the powers of two up to `nproc`,
# and `nproc` itself.
# Make the checkpoint with `python3 Scripts/fixtures/make_random_checkpoint.py DIR` and build with
# `swift build -c release --product clipscope` first. Run on a quiet machine: both use all THREADS cores.
set -euo pipefail
if [ "${1:-}" = "--threads-list" ] || [ "${1:-}" = "--runs" ]; then
    LIST="" RUNS=3
    while [ $# -gt 0 ]; do
        case "$1" in
            --threads-list) if [[ "${2:-}" =~ ^[0-9,]+$ ]]; then LIST=$2; shift 2; else shift; fi ;;
            --runs) RUNS=${2:?--runs needs a count}; shift 2 ;;
            *) break ;;
        esac
    done
    DIR=${1:-/tmp/jcv2-random}
    OUT=${2:-/tmp/bench-compare-threads}
    cd "$(dirname "$0")/../.."
    BIN=.build/release/clipscope
    [ -x "$BIN" ] || { echo "bench_compare: build first: swift build -c release --product clipscope" >&2; exit 2; }
    [ -f "$DIR/model.safetensors" ] || { echo "bench_compare: $DIR/model.safetensors missing (Scripts/fixtures/make_random_checkpoint.py $DIR)" >&2; exit 2; }
    [[ "$RUNS" =~ ^[1-9][0-9]?$ ]] || { echo "bench_compare: --runs wants 1…99, got $RUNS" >&2; exit 2; }
    if [ -z "$LIST" ]; then
        cores=$(nproc); LIST="1"; t=2
        while [ "$t" -le "$cores" ]; do LIST="$LIST,$t"; t=$((t * 2)); done
        case ",$LIST," in *",$cores,"*) ;; *) LIST="$LIST,$cores" ;; esac
    fi
    [[ "$LIST" =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || { echo "bench_compare: --threads-list wants counts like 1,2,4, got $LIST" >&2; exit 2; }
    mkdir -p "$OUT"
    for t in ${LIST//,/ }; do
        echo "threads $t: start $(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)"
        cut -d' ' -f1 /proc/loadavg > "$OUT/load_${t}_before"
        for r in $(seq 1 "$RUNS"); do
            cs() { "$BIN" bench --model "$DIR" --json --threads "$t" > "$OUT/clipscope_t${t}_r${r}.json" 2> "$OUT/clipscope_t${t}_r${r}.log"; }
            pt() { python3 Scripts/bench/bench_torch.py "$DIR" --threads "$t" > "$OUT/torch_t${t}_r${r}.json" 2> "$OUT/torch_t${t}_r${r}.log"; }
            if [ $((r % 2)) -eq 1 ]; then cs; pt; else pt; cs; fi
            echo "  run $r done $(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)"
        done
        cut -d' ' -f1 /proc/loadavg > "$OUT/load_${t}_after"
    done
    python3 - "$OUT" "$LIST" "$RUNS" <<'PY'
import json, os, statistics, sys
out, threads, runs = sys.argv[1], [int(t) for t in sys.argv[2].split(",")], int(sys.argv[3])
def cell(prog, t, key):
    v = [json.load(open(os.path.join(out, f"{prog}_t{t}_r{r}.json"))).get(key) for r in range(1, runs + 1)]
    v = [x for x in v if isinstance(x, (int, float))]
    if not v: return "-"
    return f"{statistics.median(v):.0f} ({min(v):.0f}–{max(v):.0f})"
print(f"median (min–max) of {runs} runs per program, each run that program's own median; orders alternate run to run")
print()
print("| threads | image_1 ms clipscope / PyTorch | query ms clipscope / PyTorch | 32 captions ms clipscope / PyTorch | load before / after |")
print("| --- | --- | --- | --- | --- |")
for t in threads:
    load = " / ".join(open(os.path.join(out, f"load_{t}_{w}")).read().strip() for w in ("before", "after"))
    row = [f"{cell('clipscope', t, k)} / {cell('torch', t, k)}" for k in ("image_1_ms", "text_query_ms", "text_batch32_ms")]
    print(f"| {t} | " + " | ".join(row) + f" | {load} |")
PY
    exit 0
fi
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
