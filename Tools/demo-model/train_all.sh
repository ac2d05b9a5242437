#!/bin/sh
# Rebuild the bundled demo model from scratch (developer tool; ~1 h of training on 2 shared CPU cores, plus
# the pictures). Usage: Tools/demo-model/train_all.sh [WORK]   (run from anywhere; it works from the repository root)
# Everything is seeded. Scratch files go to WORK (argument, else $WORK, else /tmp/clipscope-demo); never commit them.
set -eu
WORK=${1:-${WORK:-/tmp/clipscope-demo}}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
cd "$(dirname "$0")/../.."
export TOKENIZERS_PARALLELISM=false OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE
python3 Tools/demo-model/verify_fixture.py
python3 Tools/demo-model/generate.py --assets Assets
python3 Tools/demo-model/heldout.py --out Assets/eval-heldout
python3 Tools/demo-model/prune_tokenizer.py Tests/Fixtures/xlmr-tokenizer/tokenizer.json "$WORK/tokenizer.json"
# training pictures (64 px, with the shapes' masks): two caches of the full variation, one with half busy
# backgrounds, and one of easy pictures (a single upright filled shape on a plain background)
M="python3 Tools/demo-model/make_train.py --random-combos --size 64 --max-res 256 --masks"
$M --out "$WORK/full1.npz" --n 7000 --seed 1 --difficulty 0.4 1
$M --out "$WORK/full2.npz" --n 7000 --seed 2 --difficulty 0.4 1
$M --out "$WORK/busy3.npz" --n 7000 --seed 3 --difficulty 0.4 1 --busy 0.5
$M --out "$WORK/easy.npz" --n 3000 --seed 5 --difficulty 0 0 --one-copy
# phase 1: the vision tower alone (shape / colour / count classifiers and the per-patch shape loss), easy
# pictures first, every picture also turned by a random quarter turn
python3 Tools/demo-model/probe_shape.py --cache "$WORK/full1.npz" "$WORK/full2.npz" "$WORK/busy3.npz" \
    --easy "$WORK/easy.npz" --easy-hold 300 --easy-steps 1500 --dense 1 --dihedral --steps 10000 --seed 1 \
    --threads 2 --eval-every 500 --max-minutes 600 --out "$WORK/vision.pt"
# phase 2: text and image together, starting from that vision tower
python3 Tools/demo-model/train.py --data "$WORK/full1.npz" "$WORK/full2.npz" "$WORK/busy3.npz" \
    --init "$WORK/vision.pt" --image-size 64 --patch-size 8 --threads 2 --tokenizer "$WORK/tokenizer.json" \
    --out "$WORK/joint.pt" --steps 5400 --lr 1e-3 --vision-lr-scale 1 --dense-weight 1 --hard-negatives --dihedral \
    --xling-weight 0.5 --xling-subset 16 --dim-weights 16:2 --seed 31 --eval Assets/eval-heldout/eval.json --eval-every 400 --max-minutes 600
python3 Tools/demo-model/export.py --ckpt "$WORK/joint.pt" --tokenizer "$WORK/tokenizer.json"
python3 Tools/demo-model/evaluate.py --model Assets/models/demo --dataset Assets/eval/eval.json
python3 Tools/demo-model/evaluate.py --model Assets/models/demo --dataset Assets/eval-heldout/eval.json
python3 Tools/demo-model/demo_queries.py
