#!/usr/bin/env python3
"""Training cache of the demo model: N pictures from `render.py` (Pillow and SDF rasterisers, half each).

Every (shape, colour, count) appears equally often; each picture is rendered at a random resolution
(48-1024 px) and brought to the model's input with the inference resize (PIL bicubic). Background
attribute: 0/1/2 = plain white/gray/black, -1 = anything else (gradients, textures, colour tints).
Seeded per chunk, so the result does not depend on --workers. With --masks the file also holds the
shapes' coverage masks (uint8, the input size) for the dense shape targets of `probe_shape.py`.
--difficulty LO HI draws each picture's difficulty (render_train) uniformly in [LO, HI]; --busy sets the
share of busy backgrounds; --one-copy renders every combination with a single copy (count 1).
--random-combos draws every picture's (shape, colour, count) at random from one stream instead (one process,
`default_rng([seed, 77])`, per picture: shape, colour, count, resolution, difficulty, then the rendering): the
caches of the shape-probe recipe in the README. --heart-variants (with --random-combos) draws every heart's
construction from a second stream `default_rng([seed, 78])`: the hearts change, every other picture stays
byte for byte the same.

  python3 Tools/demo-model/make_train.py --out /tmp/clipscope-demo/train.npz [--n 24000] [--workers 2]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from multiprocessing import Pool

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from captions import BACKGROUNDS, COLOURS, COUNTS, SHAPES  # noqa: E402
from generate import to_model_input  # noqa: E402
from PIL import Image  # noqa: E402
from render import random_resolution, render_train  # noqa: E402

SEED = 1100
CHUNK = 500


class Cache:
    """n pictures of the model's input size: images [n, size, size, 3], shape masks [n, size, size] and
    attributes [n, 5] = (shape, colour, count, background, rasteriser)."""

    def __init__(self, n, size):
        self.size = size
        self.images = np.zeros((n, size, size, 3), np.uint8)
        self.masks = np.zeros((n, size, size), np.uint8)
        self.attrs = np.zeros((n, 5), np.int16)

    def render(self, i, s, c, k, rng, res, difficulty, busy, variant_rng=None):
        """Row i: (shape s, colour c, count k) drawn by render_train at resolution res (None: its own)."""
        img, bg, ras, m = render_train(SHAPES[s], COLOURS[c], k, rng, size=res, difficulty=difficulty,
                                       return_mask=True, busy=busy, variant_rng=variant_rng)
        self.images[i] = to_model_input(img, self.size)
        self.masks[i] = np.asarray(Image.fromarray((m * 255).astype(np.uint8)).resize((self.size, self.size), Image.BOX))
        self.attrs[i] = [s, c, k, BACKGROUNDS.index(bg) if bg else -1, 0 if ras == "pillow" else 1]


def chunk(args):
    start, n, size, seed, lo, hi, busy, max_res, one_copy = args
    rng = np.random.default_rng([seed, start])
    combos = [(s, c, k) for s in range(len(SHAPES)) for c in range(len(COLOURS)) for k in ((1,) if one_copy else COUNTS)]
    out = Cache(n, size)
    for i in range(n):
        s, c, k = combos[(start + i) % len(combos)]
        difficulty = lo if lo == hi else float(rng.uniform(lo, hi))
        res = min(random_resolution(rng), max_res) if max_res else None
        out.render(i, s, c, k, rng, res, difficulty, busy)
    return out.images, out.attrs, out.masks


def serial(n, size, seed, lo, hi, busy, max_res, one_copy, heart_variants=False):
    """--random-combos: n pictures from one random stream, each with a random (shape, colour, count);
    with heart_variants the hearts' constructions come from a second stream `default_rng([seed, 78])`."""
    rng = np.random.default_rng([seed, 77])
    vrng = np.random.default_rng([seed, 78]) if heart_variants else None
    out = Cache(n, size)
    for i in range(n):
        s, c = int(rng.integers(len(SHAPES))), int(rng.integers(len(COLOURS)))
        k = 1 if one_copy else int(rng.choice(COUNTS))
        res = min(random_resolution(rng), max_res) if max_res else random_resolution(rng)
        difficulty = lo if lo == hi else float(rng.uniform(lo, hi))
        out.render(i, s, c, k, rng, res, difficulty, busy, vrng)
    return out.images, out.attrs, out.masks


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--n", type=int, default=24000)
    ap.add_argument("--size", type=int, default=112)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--difficulty", type=float, nargs=2, default=(1.0, 1.0), metavar=("LO", "HI"))
    ap.add_argument("--busy", type=float, default=0.0)
    ap.add_argument("--max-res", type=int, default=0, help="cap on the rendering resolution (0: none)")
    ap.add_argument("--one-copy", action="store_true")
    ap.add_argument("--masks", action="store_true")
    ap.add_argument("--random-combos", action="store_true",
                    help="random (shape, colour, count) per picture from one stream (single process)")
    ap.add_argument("--heart-variants", action="store_true",
                    help="with --random-combos: hearts in several constructions (render.heart_variant), drawn "
                         "from a second stream, so every other picture is the same as without it")
    args = ap.parse_args(argv)
    t0 = time.time()
    lo, hi = args.difficulty
    jobs = [(s, min(CHUNK, args.n - s), args.size, args.seed, lo, hi, args.busy, args.max_res, args.one_copy)
            for s in range(0, args.n, CHUNK)]
    if args.random_combos:
        parts = [serial(args.n, args.size, args.seed, lo, hi, args.busy, args.max_res, args.one_copy,
                        args.heart_variants)]
    else:
        with Pool(args.workers) as pool:
            parts = pool.map(chunk, jobs)
    images = np.concatenate([p[0] for p in parts])
    attrs = np.concatenate([p[1] for p in parts])
    extra = {"masks": np.concatenate([p[2] for p in parts])} if args.masks else {}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    np.savez(args.out, images=images, attrs=attrs, **extra)
    print(f"wrote {len(images)} training pictures to {args.out} in {(time.time() - t0) / 60:.1f} min")


if __name__ == "__main__":
    main()
