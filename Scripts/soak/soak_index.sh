#!/usr/bin/env bash
# Soak test of `clipscope index` under SIGKILL: generate N images (a few percent broken),
# index them with --model demo (release build), SIGKILL the indexer at random points K times,
# reopening each time, then compare `clipscope export` with a clean, uninterrupted run's export:
# every decodable image must be present exactly once, with the clean run's vector.
#   Scripts/soak/soak_index.sh [N=300] [K=10] [SEED=1]
# Needs python3 with numpy and Pillow; builds `swift build -c release --product clipscope` if missing.
set -euo pipefail
N=${1:-300}; K=${2:-10}; SEED=${3:-1}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN="$ROOT/.build/release/clipscope"
[ -x "$BIN" ] || (cd "$ROOT" && swift build -c release --product clipscope)
WORK=$(mktemp -d /tmp/clipscope-soak.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
IMG="$WORK/images"; mkdir -p "$IMG"
RANDOM=$SEED

python3 - "$IMG" "$N" "$SEED" <<'PY'
import os, random, sys
from PIL import Image
folder, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(seed)
broken = 0
for i in range(n):
    w, h = rng.randint(16, 640), rng.randint(16, 640)
    img = Image.new("RGB", (w, h), tuple(rng.randrange(256) for _ in range(3)))
    px = img.load()
    for _ in range(40):                                # a few random rectangles so images differ
        x0, y0 = rng.randrange(w), rng.randrange(h)
        c = tuple(rng.randrange(256) for _ in range(3))
        for x in range(x0, min(w, x0 + rng.randint(1, 60))):
            for y in range(y0, min(h, y0 + rng.randint(1, 60))):
                px[x, y] = c
    ext = "png" if i % 2 else "jpg"
    sub = f"d{i % 7}"
    os.makedirs(os.path.join(folder, sub), exist_ok=True)
    path = os.path.join(folder, sub, f"img{i:05d}.{ext}")
    img.save(path, "PNG" if ext == "png" else "JPEG", quality=85)
    if rng.random() < 0.04:                            # broken: truncated or garbage
        broken += 1
        data = open(path, "rb").read()
        open(path, "wb").write(data[: len(data) // 3] if rng.random() < 0.3 else os.urandom(len(data) // 2))
print(f"generated {n} images, {broken} broken")
PY

# Clean reference run (its own cache).
export CLIPSCOPE_CACHE_DIR="$WORK/cache-clean"
t0=$(date +%s.%N)
"$BIN" index --model demo "$IMG" > "$WORK/clean.txt" 2>/dev/null || true
t1=$(date +%s.%N)
CLEAN_S=$(echo "$t1 - $t0" | bc)
"$BIN" export --model demo "$IMG" --out "$WORK/clean.npy" > /dev/null 2>&1 || true
echo "clean run: $(grep -m1 'images indexed' "$WORK/clean.txt") in ${CLEAN_S}s"
# Fixed cost of a run with nothing to embed (model load, scan, cache open): kills land after it.
t0=$(date +%s.%N)
"$BIN" index --model demo "$IMG" > /dev/null 2>&1 || true
t1=$(date +%s.%N)
IDLE_S=$(echo "$t1 - $t0" | bc)
echo "reopen with nothing to do: ${IDLE_S}s"

# Interrupted runs (another cache), K times: SIGKILL at idle + U(0, 1.5 · (clean − idle) / K) seconds,
# so the kills are spread over the whole indexing instead of the first run finishing everything.
export CLIPSCOPE_CACHE_DIR="$WORK/cache-soak"
killed=0
for k in $(seq 1 "$K"); do
    delay=$(python3 -c "import random; random.seed($SEED * 1000 + $k); i = $IDLE_S; c = $CLEAN_S; print(round(i + random.uniform(0, 1.5 * max(0.05, c - i) / $K), 3))")
    # Under a pty (script) so the progress bar reports how many images were done when the kill hit.
    rm -f "$WORK/pid"
    script -qfec "sh -c 'echo \$\$ > $WORK/pid; exec $BIN index --model demo $IMG'" /dev/null > "$WORK/run$k.txt" 2>&1 &
    spid=$!
    sleep "$delay"
    pid=$(cat "$WORK/pid" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; then killed=$((killed + 1)); state="killed after ${delay}s"; else state="finished before ${delay}s"; fi
    wait "$spid" 2>/dev/null || true
    echo "kill $k: $state"
done
"$BIN" index --model demo "$IMG" > "$WORK/final.txt" 2>"$WORK/final.err" || true
echo "final reopen: $(grep -m1 'images indexed' "$WORK/final.txt")"
if grep -qi "corrupt\|cannot read the cache\|discard" "$WORK/final.txt" "$WORK/final.err"; then
    echo "cache problem reported:"; grep -i "corrupt\|cannot read the cache\|discard" "$WORK/final.txt" "$WORK/final.err"
fi
"$BIN" export --model demo "$IMG" --out "$WORK/soak.npy" > /dev/null 2>&1 || true

python3 - "$WORK" "$IMG" "$killed" "$K" <<'PY'
import json, os, re, sys
import numpy as np
work, folder, killed, K = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
# Durability: each run starts with "embedding X of Y images (…)"; Y − X files are settled (a cached
# vector or a remembered failure). The progress bar's last "D/X" before the kill is a lower bound of
# what that run reported done (vectors and failures), so the next run must start with at least
# (Y − X) + D settled: nothing reported done is ever lost.
def settled(text):
    m = re.search(r"embedding (\d+) of (\d+) images", text)
    return int(m.group(2)) - int(m.group(1)) if m else None
lost, cached = 0, []
for k in range(1, K + 1):
    text = open(os.path.join(work, f"run{k}.txt"), errors="replace").read()
    done = [int(d) for d, _ in re.findall(r"\] (\d+)/(\d+) ", text)]
    cached.append((settled(text), max(done, default=0)))
cached.append((settled(open(os.path.join(work, "final.err"), errors="replace").read()), 0))
for (z0, d0), (z1, _) in zip(cached, cached[1:]):
    if z0 is not None and z1 is not None and z1 < z0 + d0: lost += z0 + d0 - z1
print("per run (settled at start, reported done before the kill):", cached)
print(f"vectors reported done but not cached at the next start: {lost}")
def load(name):
    X = np.load(os.path.join(work, name + ".npy"))
    paths = [json.loads(l)["path"] for l in open(os.path.join(work, name + ".paths.jsonl"))]
    return X, paths
A, pa = load("clean"); B, pb = load("soak")
ok = True
if len(set(pb)) != len(pb): print("DUPLICATE paths in the soak export"); ok = False
if sorted(pa) != sorted(pb):
    print("path sets differ: missing", sorted(set(pa) - set(pb))[:5], "extra", sorted(set(pb) - set(pa))[:5]); ok = False
ia = {p: i for i, p in enumerate(pa)}
common = [p for p in pb if p in ia]
diff = max((float(np.abs(A[ia[p]] - B[i]).max()) for i, p in enumerate(pb) if p in ia), default=0.0)
norms = np.linalg.norm(B, axis=1)
finite = bool(np.isfinite(B).all())
print(f"kills: {killed}; exported rows clean {len(pa)}, soak {len(pb)}; max |Δ| vs clean {diff:.3g}; "
      f"norms in [{norms.min():.6f}, {norms.max():.6f}]; all finite: {finite}")
if diff > 1e-4 or not finite or lost: ok = False
print("SOAK OK" if ok else "SOAK FAILED")
sys.exit(0 if ok else 1)
PY
