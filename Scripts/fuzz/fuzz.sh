#!/usr/bin/env bash
# libFuzzer + AddressSanitizer runs of the parser harnesses in Fuzz/. Not part of CI.
#   Scripts/fuzz/fuzz.sh [SECONDS=600] [HARNESS...]      harnesses: safetensors tokenizer cache image cli (default: all)
# Builds Fuzz/ (release, -g, --sanitize=fuzzer --sanitize=address) into .build-fuzz, seeds
# .build-fuzz/corpus/NAME from Fuzz/Seeds/NAME, the decode fixtures (image) and seeds the harness
# writes with the library's own writer (safetensors, cache), then runs each harness for SECONDS
# (with Fuzz/Dictionaries/NAME.dict when there is one),
# one after the other, pinned to one core. Prints executions, exec/s, coverage, corpus size and
# findings per harness; exits 1 if any harness found something (inputs in .build-fuzz/findings/NAME).
# Environment: FUZZ_CPU (core, default 1), FUZZ_NICE (default 5), FUZZ_JOBS (build jobs, default 1),
# FUZZ_SKIP_BUILD=1 (reuse the binaries), FUZZ_ARGS (extra libFuzzer flags).
set -euo pipefail
SECONDS_PER=${1:-600}
shift || true
HARNESSES=("$@")
[ ${#HARNESSES[@]} -gt 0 ] || HARNESSES=(safetensors tokenizer cache image cli)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SCRATCH="$ROOT/.build-fuzz"
BIN="$SCRATCH/release"
CPU=${FUZZ_CPU:-1}; NICE=${FUZZ_NICE:-5}; JOBS=${FUZZ_JOBS:-1}

for h in "${HARNESSES[@]}"; do
    case "$h" in safetensors|tokenizer|cache|image|cli) ;; *) echo "fuzz.sh: unknown harness '$h' (safetensors tokenizer cache image cli)" >&2; exit 2 ;; esac
done

if [ "${FUZZ_SKIP_BUILD:-0}" != 1 ]; then
    echo "== building the harnesses (ASan + libFuzzer, release with debug info)"
    # SwiftPM caches the resolved graph by the Fuzz manifest's mtime and misses changes to the root
    # Package.swift behind the ClipScopeRoot symlink (a new C target gave "no such module"): touch it.
    touch "$ROOT/Fuzz/Package.swift"
    # Both spellings are needed: SwiftPM's --sanitize makes it link libFuzzer's main() (otherwise it
    # links main=<Target>_main, which the harnesses do not define) but leaves the Swift modules without
    # coverage counters; -Xswiftc/-Xcc instrument every module (34,126 counters instead of 766).
    nice -n 19 swift build --package-path "$ROOT/Fuzz" --scratch-path "$SCRATCH" -c release -j "$JOBS" \
        -Xswiftc -g --sanitize=fuzzer --sanitize=address \
        -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address
fi

seed() {   # seed NAME: fills .build-fuzz/corpus/NAME (kept between runs, so later runs start richer)
    local name=$1 corpus="$SCRATCH/corpus/$1"
    mkdir -p "$corpus"
    if [ -d "$ROOT/Fuzz/Seeds/$name" ]; then cp -n "$ROOT/Fuzz/Seeds/$name"/* "$corpus"/ 2>/dev/null || true; fi
    case "$name" in
        # Leak checking off: the seed writer exits from LLVMFuzzerInitialize with everything still live.
        safetensors|cache) ASAN_OPTIONS=detect_leaks=0 CLIPSCOPE_FUZZ_WRITE_SEEDS="$corpus" "$BIN/fuzz-$name" >/dev/null ;;
        image) cp -n "$ROOT"/Tests/Fixtures/jina-clip-v2-tiny/decode/*.jpg "$ROOT"/Tests/Fixtures/jina-clip-v2-tiny/decode/*.png \
                 "$ROOT"/Tests/Fixtures/imaging/formats/*.webp "$ROOT"/Tests/Fixtures/imaging/formats/*.gif \
                 "$ROOT"/Tests/Fixtures/imaging/formats/*.bmp "$ROOT"/Tests/Fixtures/imaging/formats/*.tif \
                 "$ROOT"/Tests/Fixtures/imaging/heif/*.heic "$ROOT"/Tests/Fixtures/imaging/heif/*.avif "$corpus"/ ;;
    esac
}

status=0
SUMMARY=()
for h in "${HARNESSES[@]}"; do
    seed "$h"
    corpus="$SCRATCH/corpus/$h"
    findings="$SCRATCH/findings/$h"
    log="$SCRATCH/logs/$h.log"
    mkdir -p "$findings" "$(dirname "$log")"
    dict=()
    [ -f "$ROOT/Fuzz/Dictionaries/$h.dict" ] && dict=(-dict="$ROOT/Fuzz/Dictionaries/$h.dict")
    before=$(ls "$corpus" | wc -l)
    echo "== $h: ${SECONDS_PER}s on core $CPU, corpus $before files, log $log"
    set +e
    # -rss_limit_mb/-malloc_limit_mb: a single allocation or a resident set above 2 GB is a finding
    # (a size read from the input must be bounded before it is allocated); -timeout: 10 s per input.
    LSAN_OPTIONS="suppressions=$ROOT/Fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}" \
    nice -n "$NICE" taskset -c "$CPU" "$BIN/fuzz-$h" "$corpus" \
        -max_total_time="$SECONDS_PER" -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10 \
        -artifact_prefix="$findings/" -print_final_stats=1 "${dict[@]}" ${FUZZ_ARGS:-} >"$log" 2>&1
    rc=$?
    set -e
    last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
    cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
    after=$(ls "$corpus" | wc -l)
    found=$(find "$findings" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
    line="$h: execs ${execs:-?} (${rate:-?}/s), cov ${cov:-?}, ft ${ft:-?}, corpus $before→$after files, peak rss ${rss:-?} MB, findings $found, exit $rc"
    echo "$line"
    SUMMARY+=("$line")
    if [ "$found" -gt 0 ] || [ "$rc" -ne 0 ]; then
        status=1
        grep -E 'ERROR|SUMMARY|Fatal error|fuzz invariant' "$log" | head -5 || true
        ls "$findings"
    fi
done

echo "== summary (${SECONDS_PER}s each)"
printf '%s\n' "${SUMMARY[@]}"
exit $status
