#!/usr/bin/env bash
# Interrupts the explorer with a random terminating signal (INT TERM HUP QUIT USR1 USR2 ALRM) at random moments (while it indexes a fresh folder and
# while a query is being typed) K times, in tmux, and checks each time that:
#   - the process ends by that signal (exit status 128+n: 130, 143, 129, 131, 138, 140, 142),
#   - the terminal is restored (stty shows icanon and echo; the UI's alternate screen is gone),
#   - finished vectors were kept (the next `clipscope index` reuses some and embeds the rest).
# Usage: Scripts/soak/soak_explorer_signals.sh [K=20] [IMAGES=400] [SEED=1]   (needs tmux, python3 + Pillow)
#        CLIPSCOPE_BIN=.build/debug/clipscope to test another build than the release one
set -euo pipefail
K=${1:-20}; N=${2:-400}; SEED=${3:-1}
root=$(cd "$(dirname "$0")/../.." && pwd)
bin="${CLIPSCOPE_BIN:-$root/.build/release/clipscope}"
[ -x "$bin" ] || (cd "$root" && swift build -c release >/dev/null)
work=$(mktemp -d /tmp/clipscope-sigsoak.XXXXXX)
trap 'tmux kill-session -t cs-sigsoak 2>/dev/null || true' EXIT
python3 - "$work/images" "$N" "$SEED" <<'PY'
import os, random, sys
from PIL import Image, ImageDraw
out, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(out, exist_ok=True)
rng = random.Random(seed)
for i in range(n):
    im = Image.new("RGB", (320, 320), tuple(rng.randrange(256) for _ in range(3)))
    d = ImageDraw.Draw(im)
    for _ in range(3):
        x, y, r = rng.randrange(320), rng.randrange(320), rng.randrange(20, 90)
        d.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    im.save(os.path.join(out, f"img_{i:04d}." + ("jpg" if i % 2 else "png")))
PY
RANDOM=$SEED
pass=0; fail=0
for i in $(seq 1 "$K"); do
    export CLIPSCOPE_CACHE_DIR="$work/cache"          # one cache across runs: vectors must accumulate
    tmux kill-session -t cs-sigsoak 2>/dev/null || true
    tmux new-session -d -s cs-sigsoak -x 100 -y 30 "bash --norc --noprofile"
    tmux send-keys -t cs-sigsoak "ulimit -c 0; export CLIPSCOPE_CACHE_DIR=$work/cache PS1='$ '; clear" Enter
    # Through a non-interactive bash: an interactive one abandons the rest of the line when its child
    # ends by SIGINT (as after Ctrl-C), and the explorer does end by the signal it got.
    printf '%s\n' "\"$bin\" explore --model demo \"$work/images\"; echo EXIT=\$?" > "$work/run.sh"
    tmux send-keys -t cs-sigsoak "bash $work/run.sh; stty -a | tr ' ;' '\n\n' | grep -Ex -- '-?(icanon|echo)' | tr '\n' ' '; echo STTY-\$((6*7))" Enter
    # Signal only once the UI is up (before that the default action applies and nothing needs restoring).
    for _ in $(seq 1 100); do tmux capture-pane -t cs-sigsoak -p | grep -q "Query" && break; sleep 0.05; done
    sleep "0.$((RANDOM % 9 + 1))"
    if (( RANDOM % 2 )); then tmux send-keys -t cs-sigsoak "two red circles"; sleep "0.$((RANDOM % 5))"; fi
    shell=$(tmux list-panes -t cs-sigsoak -F '#{pane_pid}')
    pid=""
    for _ in $(seq 1 50); do pid=$(pgrep -f " explore --model demo $work/images" || true); [ -n "$pid" ] && break; sleep 0.1; done
    if [ -z "$pid" ]; then echo "run $i: clipscope did not start"; fail=$((fail + 1)); continue; fi
    sigs=(INT TERM HUP QUIT USR1 USR2 ALRM); wants=(130 143 129 131 138 140 142)
    pick=$((RANDOM % 7)); sig=${sigs[$pick]}; want=${wants[$pick]}
    kill -s "$sig" "$pid"
    for _ in $(seq 1 100); do tmux capture-pane -t cs-sigsoak -p | grep -q STTY-42 && break; sleep 0.1; done
    screen=$(tmux capture-pane -t cs-sigsoak -p)
    ok=1
    grep -q "EXIT=$want" <<<"$screen" || { echo "run $i ($sig): exit status not $want"; ok=0; }
    grep -q "icanon echo STTY-42" <<<"$screen" || { echo "run $i ($sig): terminal not restored: $(grep STTY-42 <<<"$screen")"; ok=0; }
    grep -q "Results" <<<"$screen" && { echo "run $i ($sig): the UI is still on screen"; ok=0; }
    if (( ok )); then pass=$((pass + 1)); else fail=$((fail + 1)); echo "$screen" | tail -5; fi
done
summary=$("$bin" index --model demo "$work/images" 2>/dev/null | head -1)
echo "after $K interrupts: $summary"
echo "(\"reused\" counts the vectors the interrupted explorer runs embedded and kept)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
