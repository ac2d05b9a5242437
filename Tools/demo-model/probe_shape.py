#!/usr/bin/env python3
"""Shape probe: how fast the demo vision tower alone learns shape, measured on the held-out set.

The vision tower (jina-clip-v2 schema, `train.demo_config` sizes) plus linear classifiers on its CLS
output (shape, colour, count) is trained on cached pictures (`make_train.py --masks`), without the text
tower: a quick experiment bench for training recipes. Every --eval-every steps it prints the running
shape accuracy on the training batches and the classifiers' accuracy on `Assets/eval-heldout` (144
pictures; chance: shape 0.167, colour 0.125, count 0.333).

Options: --dense W adds `train.dense_shape_loss` (per-patch shape targets from the masks); --perm P
permutes the RGB channels (or greys) a share P of the pictures and ignores their colour target; --easy
CACHE mixes in easy pictures: the whole batch for the first --easy-hold steps, then a share falling
linearly to 0 at step --easy-steps.

  python3 Tools/demo-model/make_train.py --out W/full.npz --n 14000 --size 64 --max-res 256 --difficulty 0.4 1 --masks
  python3 Tools/demo-model/make_train.py --out W/easy.npz --n 3000 --size 64 --max-res 256 --difficulty 0 0 \\
      --one-copy --masks --seed 1101
  python3 Tools/demo-model/probe_shape.py --cache W/full.npz --easy W/easy.npz --easy-hold 400 --easy-steps 1200 \\
      --steps 1600 --dense 1 --perm 0.5
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from PIL import Image  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from captions import COLOURS, COUNTS, SHAPES  # noqa: E402
from model import JinaCLIP, preprocess_image  # noqa: E402
from train import MEAN, STD, demo_config, dense_shape_loss, init_weights, rot90_each  # noqa: E402


def load(paths):
    parts = [np.load(p) for p in paths]
    if any("masks" not in d for d in parts):
        sys.exit(f"probe_shape.py: {', '.join(paths)}: a cache without masks (make it with make_train.py --masks)")
    return (np.concatenate([d["images"] for d in parts]), np.concatenate([d["masks"] for d in parts]),
            np.concatenate([d["attrs"][:, :3].astype(np.int64) for d in parts]))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", nargs="+", required=True)
    ap.add_argument("--easy", help="cache of easy pictures for the start (see --easy-hold, --easy-steps)")
    ap.add_argument("--easy-hold", type=int, default=0)
    ap.add_argument("--easy-steps", type=int, default=0)
    ap.add_argument("--eval", default="Assets/eval-heldout/eval.json")
    ap.add_argument("--patch", type=int, default=8)
    ap.add_argument("--steps", type=int, default=1600)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--dense", type=float, default=0.0)
    ap.add_argument("--perm", type=float, default=0.0)
    ap.add_argument("--dihedral", action="store_true",
                    help="also rotate every picture (and its mask) by a random multiple of 90 degrees")
    ap.add_argument("--layers", type=int, default=3, help="vision layers")
    ap.add_argument("--width", type=int, default=128, help="width of both towers")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--eval-every", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--vocab", type=int, default=4826, help="vocabulary of the (unused) text tower built with it")
    ap.add_argument("--max-minutes", type=float, default=60.0)
    ap.add_argument("--out", help="checkpoint (vision state, heads) written at every evaluation")
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    imgs, masks, attrs = load(a.cache)
    easy = load([a.easy]) if a.easy else None
    size = imgs.shape[1]
    # the text tower is not used, but it is built with the demo vocabulary so that a seed gives the same initial
    # vision weights and classifiers as in the recipe's runs (init_weights draws the text tower's weights first)
    cfg = demo_config(a.vocab, a.width, vision_layers=a.layers, image_size=size, patch_size=a.patch)
    model = JinaCLIP(cfg)
    init_weights(model, a.seed)
    vm = model.vision_model
    heads = torch.nn.ModuleList([torch.nn.Linear(cfg["vision_config"]["width"], k)
                                 for k in (len(SHAPES), len(COLOURS), len(COUNTS), len(SHAPES) + 1)])
    named = list(vm.named_parameters()) + list(heads.named_parameters(prefix="h"))
    dec = [p for n, p in named if p.ndim >= 2 and "embed" not in n and "token" not in n]
    nod = [p for n, p in named if not (p.ndim >= 2 and "embed" not in n and "token" not in n)]
    opt = torch.optim.AdamW([{"params": dec, "weight_decay": 0.05}, {"params": nod, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, 0.98), eps=1e-6)
    warm = max(1, a.steps // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * 0.5 * (1 + math.cos(math.pi * min(1.0, s / a.steps))))
    mean, std = torch.tensor(MEAN).view(1, 3, 1, 1), torch.tensor(STD).view(1, 3, 1, 1)
    data = json.load(open(a.eval, encoding="utf-8"))
    root = os.path.dirname(os.path.abspath(a.eval))
    ims = [im for im in data["images"] if "scene" in im]
    hp = torch.from_numpy(np.stack([preprocess_image(Image.open(os.path.join(root, im["filename"])), size, MEAN, STD)
                                    for im in ims]))
    hy = np.array([[SHAPES.index(im["scene"]["shape"]), COLOURS.index(im["scene"]["colour"]),
                    COUNTS.index(im["scene"]["count"])] for im in ims])
    t0, run = time.time(), []
    for step in range(a.steps):
        if step < a.easy_hold:
            share = 1.0
        elif step < a.easy_steps:
            share = 1.0 - (step - a.easy_hold) / (a.easy_steps - a.easy_hold)
        else:
            share = 0.0
        ne = int(round(share * a.batch)) if easy else 0
        idx = rng.integers(0, len(imgs), a.batch - ne)
        X, M, Y = imgs[idx], masks[idx], attrs[idx]
        if ne:
            ie = rng.integers(0, len(easy[0]), ne)
            X, M, Y = (np.concatenate([X, easy[0][ie]]), np.concatenate([M, easy[1][ie]]),
                       np.concatenate([Y, easy[2][ie]]))
        x = torch.from_numpy(X).permute(0, 3, 1, 2).float() / 255.0
        m = torch.from_numpy(M).float()[:, None] / 255.0
        y = torch.from_numpy(Y.copy())
        y[:, 2] -= 1
        flip = torch.from_numpy(rng.random(a.batch) < 0.5)
        x[flip], m[flip] = x[flip].flip(-1), m[flip].flip(-1)
        if a.dihedral:
            rot = rng.integers(0, 4, a.batch)
            x, m = rot90_each(x, rot), rot90_each(m, rot)
        for i in np.nonzero(rng.random(a.batch) < a.perm)[0] if a.perm > 0 else ():
            x[i] = (x[i].mean(0, keepdim=True).expand(3, -1, -1) if rng.random() < 0.3
                    else x[i][torch.from_numpy(rng.permutation(3))])
            y[i, 1] = -1
        tokens = vm((x - mean) / std, all_tokens=True)
        cls = tokens[:, 0]
        loss = sum(F.cross_entropy(heads[j](cls), y[:, j], ignore_index=-1) for j in range(3) if (y[:, j] >= 0).any())
        if a.dense > 0:
            loss = loss + a.dense * dense_shape_loss(heads[3], tokens, m, y[:, 0], a.patch)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(vm.parameters(), 1.0)
        opt.step()
        sched.step()
        run.append(float((heads[0](cls).argmax(1) == y[:, 0]).float().mean()))
        elapsed = time.time() - t0
        last = step == a.steps - 1 or elapsed > a.max_minutes * 60
        if (step + 1) % a.eval_every == 0 or last:
            vm.eval()
            with torch.no_grad():
                v = vm(hp)
                acc = [float((heads[j](v).argmax(1).numpy() == hy[:, j]).mean()) for j in range(3)]
            vm.train()
            print(f"step {step + 1} {elapsed / 60:.1f} min loss {loss.item():.3f} train shape {np.mean(run[-50:]):.2f} "
                  f"held-out shape {acc[0]:.3f} colour {acc[1]:.3f} count {acc[2]:.3f}", flush=True)
            if a.out:
                torch.save({"vision": vm.state_dict(), "heads": heads.state_dict(), "config": cfg,
                            "args": vars(a)}, a.out)
        if last:
            break


if __name__ == "__main__":
    main()
