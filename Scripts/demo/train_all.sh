#!/bin/sh
# Rebuild the bundled demo model from scratch (developer tool; ~45 min on 2 shared CPU cores).
# Everything is seeded. Scratch files go to $WORK (default /tmp/clipscope-demo); never commit them.
set -eu
cd "$(dirname "$0")/../.."
WORK=${WORK:-/tmp/clipscope-demo}
mkdir -p "$WORK"
export TOKENIZERS_PARALLELISM=false OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE
python3 Scripts/demo/verify_fixture.py
python3 Scripts/demo/generate.py --assets Assets --train "$WORK/train.npz" --train-size 16000
python3 Scripts/demo/prune_tokenizer.py Tests/Fixtures/xlmr-tokenizer/tokenizer.json "$WORK/tokenizer.json"
T="python3 Scripts/demo/train.py --data $WORK/train.npz --tokenizer $WORK/tokenizer.json"
$T --out "$WORK/ckpt_phase1.pt" --steps 1500 --lr 1.5e-3 --seed 8
$T --init "$WORK/ckpt_phase1.pt" --out "$WORK/ckpt_phase2.pt" --steps 1000 --lr 1e-3 --seed 9
$T --init "$WORK/ckpt_phase2.pt" --out "$WORK/ckpt_phase3.pt" --steps 800 --lr 7e-4 --seed 10 --eval-every 200
python3 Scripts/demo/export.py --ckpt "$WORK/ckpt_phase3.pt" --tokenizer "$WORK/tokenizer.json"
python3 Scripts/demo/evaluate.py --model Assets/models/demo --dataset Assets/eval/eval.json
python3 Scripts/demo/demo_queries.py
