#!/usr/bin/env bash
# Resize storm on the real explorer: runs `clipscope explore --model demo Assets/demo` in
# tmux, resizes its window to STEPS random sizes a few ms apart (1×1, 20×5, 300×100 and other
# thresholds included) while a query is typed with send-keys, and checks that:
#   - the explorer is alive after the storm,
#   - at 1×1, 2×2 and 20×5 the screen shows the (shortened) "too small" message and nothing else,
#   - back at 80×24 the screen is the normal layout with the typed query and its results,
#     every captured row fits the width,
#   - Esc q exits with status 0 and the terminal is restored (stty: icanon echo; no UI left).
# Captures are kept in the work directory (printed at the end) for a look by eye.
# Usage: Scripts/soak/soak_explorer_resize.sh [STEPS=400] [SEED=1]   (needs tmux; uses the release
# build if present, else the debug build; CLIPSCOPE_BIN overrides)
# SOAK_FOLDER and SOAK_CACHE explore another folder with its cache (a library-scale bench folder
# of Scripts/bench/bench_explorer.sh: SOAK_FOLDER=$DATA/100000/img SOAK_CACHE=$DATA/100000/cache);
# the red-triangle check is then left out (its vectors are random).
set -euo pipefail
STEPS=${1:-400}; SEED=${2:-1}
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${CLIPSCOPE_BIN:-}
if [ -z "$bin" ]; then
    for b in "$root/.build/release/clipscope" "$root/.build/debug/clipscope"; do [ -x "$b" ] && { bin=$b; break; }; done
fi
[ -n "$bin" ] || { (cd "$root" && swift build -j 1 >/dev/null); bin="$root/.build/debug/clipscope"; }
work=$(mktemp -d /tmp/clipscope-resize.XXXXXX)
folder=${SOAK_FOLDER:-$root/Assets/demo}
cache=${SOAK_CACHE:-$work/cache}
s=cs-resize-$$
trap 'tmux kill-session -t $s 2>/dev/null || true' EXIT
query="un triángulo rojo"

tmux new-session -d -s "$s" -x 80 -y 24 "bash --norc --noprofile"
tmux send-keys -t "$s" "export CLIPSCOPE_CACHE_DIR=$cache PS1='$ '; clear" Enter
tmux send-keys -t "$s" "$bin explore --model demo $folder; echo EXIT=\$?; stty -a | tr ' ;' '\n\n' | grep -Ex -- '-?(icanon|echo)' | tr '\n' ' '; echo STTY-\$((6*7))" Enter
for _ in $(seq 1 600); do tmux capture-pane -t "$s" -p | grep -q "Query" && break; sleep 0.05; done
shell=$(tmux list-panes -t "$s" -F '#{pane_pid}')
pid=""
for _ in $(seq 1 50); do pid=$(pgrep -P "$shell" -f "clipscope explore" || true); [ -n "$pid" ] && break; sleep 0.1; done
[ -n "$pid" ] || { echo "clipscope did not start"; exit 1; }

fail=0
check() { echo "FAIL: $*"; fail=$((fail + 1)); }
# Every captured row must fit the pane (capture-pane -p drops trailing blanks, never adds cells).
fits() {   # file width
    python3 - "$1" "$2" <<'PY'
import sys, unicodedata
path, width = sys.argv[1], int(sys.argv[2])
def cells(line):
    w = 0
    for ch in line:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        w += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return w
bad = [(i, cells(l)) for i, l in enumerate(open(path, encoding="utf-8").read().split("\n")) if cells(l) > width]
print(" ".join(f"row{i}={w}" for i, w in bad))
sys.exit(1 if bad else 0)
PY
}
shot() {   # W H name: resize, let the explorer draw, capture
    tmux resize-window -t "$s" -x "$1" -y "$2"
    sleep 0.4
    tmux capture-pane -t "$s" -p > "$work/$3.txt"
    out=$(fits "$work/$3.txt" "$1") || check "$3: rows wider than $1: $out"
}

# The storm: random sizes (a fifth of them from the edge list), a few ms apart; the query is typed
# one character every ~STEPS/len steps, so keys arrive between resizes.
edges=("1 1" "300 100" "20 5" "2 2" "40 12" "39 11" "80 20" "79 19" "1 100" "300 1")
RANDOM=$SEED
typed=0; every=$(( STEPS / (${#query} + 1) )); [ "$every" -ge 1 ] || every=1
start=$(date +%s.%N)
for i in $(seq 1 "$STEPS"); do
    if (( RANDOM % 5 == 0 )); then read -r w h <<<"${edges[RANDOM % ${#edges[@]}]}"
    else w=$((RANDOM % 300 + 1)); h=$((RANDOM % 100 + 1)); fi
    tmux resize-window -t "$s" -x "$w" -y "$h"
    if (( i % every == 0 && typed < ${#query} )); then
        tmux send-keys -t "$s" -l "${query:typed:1}"; typed=$((typed + 1))
    fi
    sleep "0.00$((RANDOM % 9 + 1))"
done
[ "$typed" -lt "${#query}" ] && tmux send-keys -t "$s" -l "${query:typed}"
elapsed=$(python3 -c "import time; print(f'{time.time() - $start:.1f}')")
kill -0 "$pid" 2>/dev/null || check "the explorer died during the storm"

# At 1×1 the explorer draws "!" in the only cell, but that cell is the terminal's lower-right
# corner, which ncurses leaves alone on terminals with automatic margins (writing it would scroll):
# the capture is "!" or blank, never anything else. At 2×2 the "!" and "q" lines are in column 0.
shot 1 1 screen-1x1
case "$(tr -d ' \n' < "$work/screen-1x1.txt")" in ""|"!") ;; *) check "1×1 shows: $(cat "$work/screen-1x1.txt")";; esac
shot 2 2 screen-2x2
[ "$(tr -d ' ' < "$work/screen-2x2.txt" | tr '\n' '/')" = "!/q/" ] || check "2×2 shows: $(cat "$work/screen-2x2.txt")"
shot 20 5 screen-20x5
grep -q "Terminal too small" "$work/screen-20x5.txt" && grep -q "20×5, need 40×12" "$work/screen-20x5.txt" \
    || check "20×5 shows: $(cat "$work/screen-20x5.txt")"
shot 300 100 screen-300x100
shot 80 24 screen-80x24
grep -q "› $query" "$work/screen-80x24.txt" || check "80×24: the query is not '$query'"
grep -q "Results @" "$work/screen-80x24.txt" || check "80×24: no results pane"
if [ -z "${SOAK_FOLDER:-}" ]; then
    grep -q " 1  0\.[0-9]* .*red_triangle" "$work/screen-80x24.txt" || check "80×24: the red triangle does not rank first"
fi
[ "$(wc -l < "$work/screen-80x24.txt")" -eq 24 ] || check "80×24: $(wc -l < "$work/screen-80x24.txt") rows captured"
hwm=$(awk '/VmHWM/ {print $2 " " $3}' "/proc/$pid/status" 2>/dev/null || echo "?")

tmux send-keys -t "$s" Escape; sleep 0.5; tmux send-keys -t "$s" q
for _ in $(seq 1 100); do tmux capture-pane -t "$s" -p | grep -q STTY-42 && break; sleep 0.1; done
tmux capture-pane -t "$s" -p > "$work/after-quit.txt"
grep -q "EXIT=0" "$work/after-quit.txt" || check "exit status not 0: $(grep EXIT= "$work/after-quit.txt")"
grep -q "icanon echo STTY-42" "$work/after-quit.txt" || check "terminal not restored: $(grep STTY-42 "$work/after-quit.txt")"
grep -q "Results" "$work/after-quit.txt" && check "the UI is still on screen"

echo "$STEPS resizes in ${elapsed}s (seed $SEED) with '$query' typed in between; explorer peak RSS $hwm"
echo "captures in $work: screen-1x1 screen-2x2 screen-20x5 screen-300x100 screen-80x24 after-quit"
if [ "$fail" -eq 0 ]; then echo "resize soak passed"; else echo "resize soak: $fail check(s) failed"; exit 1; fi
