#!/usr/bin/env bash
# oneDNN f32 matmul vs OpenBLAS sgemm (as ClipScope calls it) on the encoder's GEMM shapes.
# Needs libdnnl-dev and libopenblas-dev (Debian); a developer benchmark, not a build dependency.
# Usage: Scripts/bench/gemm_onednn.sh [THREADS...]   (default: 1 2)
set -euo pipefail
cd "$(dirname "$0")"
BIN=$(mktemp /tmp/gemm_onednn.XXXXXX)
trap 'rm -f "$BIN"' EXIT
cc -O2 -fopenmp -o "$BIN" gemm_onednn.c -ldnnl -lopenblas
# OpenBLAS picks its kernel itself (the program prints which). Where it does not recognise the CPU
# ClipScope re-selects SkylakeX or Haswell (Gemm.selectedCore): set OPENBLAS_CORETYPE to match.
for t in "${@:-1 2}"; do
    OMP_NUM_THREADS=$t OMP_WAIT_POLICY=PASSIVE "$BIN" "$t" 4
done
