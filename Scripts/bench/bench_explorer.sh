#!/usr/bin/env bash
# The explorer at library scale: for each N, a folder of N tiny distinct 8×8 PNGs in sub-folders of
# 1,000 (made once under $CLIPSCOPE_BENCH_DATA, default /tmp/clipscope-bench-data), random unit vectors
# put in a private cache with `clipscope import` (the demo model, 128 dims), then the release explorer
# driven in tmux (140×40) with CLIPSCOPE_TRACE on: a query typed one key every 150 ms, twelve dimension
# switches ([ and ]), scrolling in the folder pane and in the results, a second query, quit.
# Prints, per N, p50 / p95 / max of the trace's `frame`, `key-to-results` and `dim-switch` lines, the
# start-up time (launch to first frame, and its phases with the resident memory after each, from the
# trace), the peak RSS (/usr/bin/time -v) and the steady RSS (VmRSS once the second query is shown),
# next to the size of the vectors (N × 128 × 4 bytes).
# Usage: Scripts/bench/bench_explorer.sh [N ...]    (default: 1000 10000 100000; 1000000 when asked)
# Needs tmux, python3 with numpy. CLIPSCOPE_BIN overrides the binary (default .build/release/clipscope).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${CLIPSCOPE_BIN:-$root/.build/release/clipscope}
[ -x "$bin" ] || { echo "no $bin: run 'swift build -c release' first" >&2; exit 2; }
data=${CLIPSCOPE_BENCH_DATA:-/tmp/clipscope-bench-data}
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)
mkdir -p "$data"

make_folder() {   # N DIR: N distinct PNGs, vectors .npy + .paths.jsonl
    python3 - "$1" "$2" <<'PY'
import os, struct, sys, zlib, json
import numpy as np
n, d = int(sys.argv[1]), sys.argv[2]
def chunk(t, b): return struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b) & 0xffffffff)
ihdr = chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
paths = []
for i in range(n):
    sub = f"f{i // 1000:04d}"
    os.makedirs(os.path.join(d, "img", sub), exist_ok=True)
    rows = b"".join(b"\0" + bytes(((i >> (8 * (p % 3))) + y * 8 + x) & 255 for x in range(8) for p in range(3)) for y in range(8))
    rel = f"{sub}/img{i:07d}.png"
    with open(os.path.join(d, "img", rel), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + ihdr + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    paths.append(rel)
v = np.random.default_rng(1).standard_normal((n, 128)).astype(np.float32)
v /= np.linalg.norm(v, axis=1, keepdims=True)
np.save(os.path.join(d, "vectors.npy"), v)
with open(os.path.join(d, "vectors.paths.jsonl"), "w") as f:
    for p in paths: f.write(json.dumps({"path": p}) + "\n")
PY
}

stats() {   # TRACE EVENT: "n p50 p95 max" of the ms= values of that event
    python3 - "$1" "$2" <<'PY'
import re, sys
vals = []
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) > 1 and f[1] == sys.argv[2]:
        m = re.search(r" ms=([0-9.eE+-]+)", line)
        if m: vals.append(float(m.group(1)))
vals.sort()
def pct(p): return vals[min(len(vals) - 1, int(round(p / 100 * (len(vals) - 1))))]
print(f"{len(vals):5d} {pct(50):9.1f} {pct(95):9.1f} {vals[-1]:9.1f}" if vals else "    0         -         -         -")
PY
}

keys() { for ((i = 0; i < ${#1}; i++)); do tmux send-keys -t "$s" -l "${1:$i:1}"; sleep 0.15; done; }
press() { local k=$1 n=$2 d=$3; for ((i = 0; i < n; i++)); do tmux send-keys -t "$s" "$k"; sleep "$d"; done; }

echo "bench_explorer: $bin, $(nproc) cores, $(uptime | sed 's/.*load/load/')"
printf "%-9s %-15s %5s %9s %9s %9s\n" N event n p50_ms p95_ms max_ms
for n in "${sizes[@]}"; do
    dir=$data/$n
    if [ ! -f "$dir/imported" ]; then
        rm -rf "$dir"; mkdir -p "$dir"
        echo "making $n images in $dir ..." >&2
        make_folder "$n" "$dir"
        CLIPSCOPE_CACHE_DIR=$dir/cache "$bin" import --model demo "$dir/img" --vectors "$dir/vectors.npy" >&2
        touch "$dir/imported"
    fi
    trace=$dir/trace.txt; rm -f "$trace" "$dir/time.txt"
    s=cs-bench-$$-$n
    tmux new-session -d -s "$s" -x 140 -y 40 "bash --norc --noprofile"
    trap 'tmux kill-session -t $s 2>/dev/null || true' EXIT
    t0=$(date +%s%N)
    tmux send-keys -t "$s" "CLIPSCOPE_CACHE_DIR=$dir/cache CLIPSCOPE_TRACE=$trace /usr/bin/time -v -o $dir/time.txt $bin explore --model demo $dir/img; exit" Enter
    for _ in $(seq 1 1200); do grep -q " frame " "$trace" 2>/dev/null && break; sleep 0.05; done
    startup=$(( ($(date +%s%N) - t0) / 1000000 ))
    sleep 1
    keys "a red circle"; sleep 1.5
    # Tab, not Esc, leaves the editor: a lagging explorer would read Esc [ as one escape sequence.
    tmux send-keys -t "$s" Tab; sleep 0.3
    press "[" 3 0.3; press "]" 3 0.3; press "[" 3 0.3; press "]" 3 0.3; sleep 0.5
    press Down 20 0.05; press NPage 5 0.1
    tmux send-keys -t "$s" Tab; sleep 0.2
    press Down 20 0.05; press NPage 5 0.1; press Up 10 0.05
    tmux send-keys -t "$s" "/"; sleep 0.2; keys " and a blue star"; sleep 1.5
    # The explorer is the child of time(1) (it re-executes itself in place, so the pid stays).
    tpid=$(pgrep -f "time -v -o $dir/time.txt" | head -1 || true)
    epid=$([ -n "$tpid" ] && pgrep -P "$tpid" | head -1 || true)
    steady=$([ -n "$epid" ] && awk '/VmRSS/ { print int($2 / 1024) }' "/proc/$epid/status" 2>/dev/null || echo "?")
    tmux send-keys -t "$s" Tab; sleep 0.5; tmux send-keys -t "$s" q
    for _ in $(seq 1 200); do tmux has-session -t "$s" 2>/dev/null || break; sleep 0.1; done
    tmux kill-session -t "$s" 2>/dev/null || true
    for e in frame key-to-results dim-switch; do printf "%-9s %-15s %s\n" "$n" "$e" "$(stats "$trace" "$e")"; done
    rss=$(awk -F': ' '/Maximum resident/ {print int($2 / 1024)}' "$dir/time.txt" 2>/dev/null || echo "?")
    vec=$(awk -v n="$n" 'BEGIN { printf "%.1f", n * 128 * 4 / 1048576 }')
    printf "%-9s %-15s launch to first frame %d ms, peak RSS %s MiB, steady RSS %s MiB (vectors %s MiB)\n" "$n" startup "$startup" "${rss:-?}" "${steady:-?}" "$vec"
    grep " startup phase=" "$trace" | awk -v n="$n" '{ sub("phase=", "", $3); sub("ms=", "", $4); sub("rss_mib=", "", $5)
        printf "%-9s startup-%-7s %9.1f ms  resident %s MiB after it\n", n, $3, $4, ($5 == "" ? "?" : sprintf("%.0f", $5)) }'
done
