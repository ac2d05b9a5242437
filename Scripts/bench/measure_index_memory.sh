#!/usr/bin/env bash
# Peak memory of indexing folders of large photos (the requirement: "indexing a folder of many
# large photos keeps peak memory bounded, independent of folder size"). Generates max(COUNTS) photo-like W×H JPEGs
# (smooth colour blobs + gradients + grain, ~4.7 MB each at 4000×3000, so decoding is real work),
# then for each N in COUNTS, with a fresh cache each time:
#   - `clipscope index --model demo DIR` under /usr/bin/time -v: wall time, images/s, peak RSS;
#   - `clipscope explore --model demo DIR` in tmux, a query typed while it indexes, VmHWM read from
#     /proc once the status line shows N/N images (then Esc q).
# Prints a Markdown table. Everything runs under nice -n 19 on core 1 (taskset), so the figures are
# one-core figures on a shared machine. Images go to /tmp (never committed); reused when present.
# Usage: Scripts/bench/measure_index_memory.sh [COUNTS="50 400"] [W=4000] [H=3000]
#   IMAGES_DIR=/tmp/... to reuse generated images; CLIPSCOPE_BIN to pick the binary (default: release).
set -euo pipefail
COUNTS=${1:-"50 400"}; W=${2:-4000}; H=${3:-3000}
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${CLIPSCOPE_BIN:-$root/.build/release/clipscope}
[ -x "$bin" ] || (cd "$root" && nice -n 19 swift build -c release -j 1 >/dev/null)
max=0; for n in $COUNTS; do if (( n > max )); then max=$n; fi; done
images=${IMAGES_DIR:-/tmp/clipscope-memimages-${W}x${H}}
work=$(mktemp -d /tmp/clipscope-mem.XXXXXX)
s=cs-mem-$$
trap 'tmux kill-session -t $s 2>/dev/null || true' EXIT
run() { nice -n 19 taskset -c 1 "$@"; }

mkdir -p "$images"
have=$(find "$images" -maxdepth 1 -name "photo_*.jpg" | wc -l)
if (( have < max )); then
    echo "generating $((max - have)) ${W}×${H} photos in $images …" >&2
    run python3 - "$images" "$have" "$((max - have))" "$W" "$H" <<'PY'
import os, sys, numpy as np
from PIL import Image
out, start, n, w, h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
os.makedirs(out, exist_ok=True)
for i in range(start, start + n):
    rng = np.random.default_rng(i)
    small = Image.fromarray(rng.integers(0, 256, (max(1, h // 100), max(1, w // 100), 3), dtype=np.uint8))
    base = np.asarray(small.resize((w, h), Image.BICUBIC), dtype=np.int16)
    gy = np.linspace(-40, 40, h, dtype=np.float32)[:, None, None]
    gx = np.linspace(-30, 30, w, dtype=np.float32)[None, :, None]
    grain = rng.integers(-18, 19, (h, w, 1), dtype=np.int16)
    px = np.clip(base + (gy + gx).astype(np.int16) + grain, 0, 255).astype(np.uint8)
    Image.fromarray(px).save(os.path.join(out, f"photo_{i:04d}.jpg"), quality=90)
PY
fi

echo "| path | N | total MB | wall s | images/s | peak RSS MB |"
echo "|---|---|---|---|---|---|"
for n in $COUNTS; do
    dir="$work/n$n"; mkdir -p "$dir"
    find "$images" -maxdepth 1 -name 'photo_*.jpg' | sort | head -n "$n" | while read -r f; do ln "$f" "$dir/" 2>/dev/null || cp "$f" "$dir/"; done
    mb=$(du -sm --apparent-size "$dir" | cut -f1)

    # index: one process, /usr/bin/time -v reports its peak RSS.
    export CLIPSCOPE_CACHE_DIR="$work/cache-index-$n"
    run /usr/bin/time -v "$bin" index --model demo "$dir" > "$work/index-$n.out" 2> "$work/index-$n.time" || true
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/index-$n.time")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/index-$n.time" | awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
    grep -q "embedded" "$work/index-$n.out" || { echo "index of $n images failed: $(cat "$work/index-$n.out")" >&2; exit 1; }
    printf '| index | %d | %d | %.1f | %.2f | %.0f |\n' "$n" "$mb" "$wall" "$(echo "$n / $wall" | bc -l)" "$(echo "$rss / 1024" | bc -l)"

    # explore: the same folder, fresh cache, a query typed while indexing runs.
    export CLIPSCOPE_CACHE_DIR="$work/cache-explore-$n"
    tmux kill-session -t "$s" 2>/dev/null || true
    tmux new-session -d -s "$s" -x 120 -y 40 "bash --norc --noprofile"
    tmux send-keys -t "$s" "export CLIPSCOPE_CACHE_DIR=$CLIPSCOPE_CACHE_DIR PS1='$ '; clear" Enter
    t0=$(date +%s.%N)
    tmux send-keys -t "$s" "nice -n 19 taskset -c 1 $bin explore --model demo $dir; echo EXIT=\$?" Enter
    for _ in $(seq 1 200); do tmux capture-pane -t "$s" -p | grep -q "Query" && break; sleep 0.05; done
    tmux send-keys -t "$s" -l "a red circle"
    shell=$(tmux list-panes -t "$s" -F '#{pane_pid}')
    pid=""
    # By its command line: the explorer re-executes itself through /proc/self/exe, so its name is "exe".
    for _ in $(seq 1 50); do pid=$(pgrep -P "$shell" -f " explore --model demo $dir\$" || true); [ -n "$pid" ] && break; sleep 0.1; done
    [ -n "$pid" ] || { echo "explorer did not start" >&2; exit 1; }
    done_=0
    for _ in $(seq 1 $((n * 40 + 600))); do   # up to ~n × 4 s
        if tmux capture-pane -t "$s" -p | grep -q " $n/$n images"; then done_=1; break; fi
        sleep 0.1
    done
    t1=$(date +%s.%N)
    hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
    tmux capture-pane -t "$s" -p > "$work/explore-$n.txt"
    tmux send-keys -t "$s" Escape; sleep 0.5; tmux send-keys -t "$s" q
    for _ in $(seq 1 100); do tmux capture-pane -t "$s" -p | grep -q "EXIT=" && break; sleep 0.1; done
    (( done_ )) || echo "explore of $n images did not finish indexing in time (screen in $work/explore-$n.txt)" >&2
    ewall=$(echo "$t1 - $t0" | bc -l)
    printf '| explore | %d | %d | %.1f | %.2f | %.0f |\n' "$n" "$mb" "$ewall" "$(echo "$n / $ewall" | bc -l)" "$(echo "$hwm / 1024" | bc -l)"
done
echo "(work files in $work; images in $images)" >&2
