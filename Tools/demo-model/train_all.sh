#!/bin/sh
# Rebuild the bundled demo model from scratch (developer tool; ~45 min on 2 shared CPU cores).
# Usage: Tools/demo-model/train_all.sh [WORK]   (run from anywhere; it works from the repository root)
# Everything is seeded. Scratch files go to WORK (argument, else $WORK, else /tmp/clipscope-demo); never commit them.
set -eu
WORK=${1:-${WORK:-/tmp/clipscope-demo}}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
cd "$(dirname "$0")/../.."
export TOKENIZERS_PARALLELISM=false OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE
python3 Tools/demo-model/verify_fixture.py
python3 Tools/demo-model/generate.py --assets Assets --train "$WORK/train.npz" --train-size 16000
python3 Tools/demo-model/heldout.py --out Assets/eval-heldout
python3 Tools/demo-model/prune_tokenizer.py Tests/Fixtures/xlmr-tokenizer/tokenizer.json "$WORK/tokenizer.json"
T="python3 Tools/demo-model/train.py --data $WORK/train.npz --tokenizer $WORK/tokenizer.json"
$T --out "$WORK/ckpt_phase1.pt" --steps 1500 --lr 1.5e-3 --seed 8
$T --init "$WORK/ckpt_phase1.pt" --out "$WORK/ckpt_phase2.pt" --steps 1000 --lr 1e-3 --seed 9
$T --init "$WORK/ckpt_phase2.pt" --out "$WORK/ckpt_phase3.pt" --steps 800 --lr 7e-4 --seed 10 --eval-every 200
python3 Tools/demo-model/export.py --ckpt "$WORK/ckpt_phase3.pt" --tokenizer "$WORK/tokenizer.json"
python3 Tools/demo-model/evaluate.py --model Assets/models/demo --dataset Assets/eval/eval.json
python3 Tools/demo-model/evaluate.py --model Assets/models/demo --dataset Assets/eval-heldout/eval.json
python3 Tools/demo-model/demo_queries.py
