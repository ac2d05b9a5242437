#!/usr/bin/env python3
"""Train the demo jina-clip-v2-architecture model on the synthetic scenes (CPU, from scratch).

Loss: symmetric InfoNCE with multi-positive soft targets (a partial caption such as "something red" is a
positive for every red image in the batch), summed over the Matryoshka dimensions (prefix slices of the
embedding, each re-normalized). Batches hold distinct (shape, colour, count) combinations.

  python3 Tools/demo-model/generate.py --train /tmp/clipscope-demo/train.npz
  python3 Tools/demo-model/prune_tokenizer.py Tests/Fixtures/xlmr-tokenizer/tokenizer.json /tmp/clipscope-demo/tokenizer.json
  python3 Tools/demo-model/train.py --data /tmp/clipscope-demo/train.npz --tokenizer /tmp/clipscope-demo/tokenizer.json \
      --out /tmp/clipscope-demo/ckpt_phase1.pt
  (then two warm restarts with --init, see Tools/demo-model/train_all.sh)
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

# Threads that wait for work sleep instead of spinning: on a shared, busy machine spinning OpenMP threads
# made every step several times slower. Must be set before torch starts its thread pool.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from PIL import Image  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from captions import (BACKGROUNDS, COLOURS, COUNTS, LANGS, QUERY_PREFIX, SHAPES, VARIANTS, Scene)  # noqa: E402
from evaluate import evaluate, format_table, label_accuracy, load_tokenizer, tokenize  # noqa: E402
from model import JinaCLIP  # noqa: E402

MEAN = [0.48145466, 0.4578275, 0.40821073]
STD = [0.26862954, 0.26130258, 0.27577711]


def demo_config(vocab_size, width=128, text_layers=3, vision_layers=3, heads=4, image_size=112, dims=None,
                patch_size=14):
    """config.json in the jina-clip-v2 schema with demo sizes (text sizes in hf_model_config_kwargs)."""
    dims = dims or [d for d in (16, 32, 64, 128, 256, 512) if d <= width]
    return {
        "add_projections": False, "architectures": ["JinaCLIPModel"],
        "auto_map": {"AutoConfig": "jinaai/jina-clip-implementation--configuration_clip.JinaCLIPConfig",
                     "AutoModel": "jinaai/jina-clip-implementation--modeling_clip.JinaCLIPModel"},
        "initializer_factor": 1.0, "logit_scale_init_value": 2.6592, "matryoshka_dimensions": dims,
        "model_type": "jina_clip", "projection_dim": width,
        "text_config": {
            "default_instruction_task": None, "default_lora_task": "retrieval.query", "embed_dim": width,
            "hf_model_config_kwargs": {
                "load_trained_adapters": False, "lora_adaptations": ["retrieval.query"], "lora_alpha": 4,
                "lora_dropout_p": 0.0, "lora_main_params_trainable": False, "lora_rank": 4,
                "task_instructions": {"retrieval.query": QUERY_PREFIX}, "use_flash_attn": True,
                "vocab_size": vocab_size, "hidden_size": width, "num_hidden_layers": text_layers,
                "num_attention_heads": heads, "intermediate_size": 4 * width},
            "hf_model_name_or_path": "jinaai/jina-embeddings-v3", "model_type": "jina_clip_text",
            "pooler_type": "mean_pooler", "proj_bias": False, "proj_type": None},
        "torch_dtype": "float16", "truncate_dim": None, "use_text_flash_attn": None, "use_vision_xformers": None,
        "vision_config": {
            "embed_dim": width, "fused_layer_norm": False, "head_width": width // heads, "image_size": image_size,
            "intp_freq": True, "layers": vision_layers, "ls_init_value": None, "mlp_ratio": 2.6667,
            "model_type": "jina_clip_vision", "naive_swiglu": True, "patch_dropout": 0.0, "patch_size": patch_size,
            "post_norm": False, "proj_type": None, "pt_hw_seq_len": 16, "qkv_bias": True, "rope_embeddings": True,
            "subln": True, "width": width, "x_attention": True},
    }


def init_weights(model: JinaCLIP, seed):
    g = torch.Generator().manual_seed(seed)
    for name, p in model.named_parameters():
        if name == "logit_scale":
            continue
        if p.ndim >= 2:
            p.data.normal_(0.0, 0.02, generator=g)
        elif name.endswith("bias") or name.endswith("q_bias") or name.endswith("v_bias"):
            p.data.zero_()
        elif "norm" in name or "_ln" in name:
            p.data.fill_(1.0)


class CaptionBank:
    """All caption variants of every scene, per language, with their attribute vectors."""

    def __init__(self):
        self.cache = {}

    def get(self, scene: Scene, lang: str):
        key = (scene, lang)
        if key not in self.cache:
            self.cache[key] = VARIANTS[lang](scene)
        return self.cache[key]


def caption_attrs(c):
    return [SHAPES.index(c.shape) if c.shape else -1, COLOURS.index(c.colour) if c.colour else -1,
            c.count if c.count else -1, BACKGROUNDS.index(c.background) if c.background else -1]


def soft_targets(cap_attrs: np.ndarray, img_attrs: np.ndarray) -> torch.Tensor:
    """M[i, j] = caption i is true of image j (unstated attributes match anything)."""
    m = np.ones((len(cap_attrs), len(img_attrs)), bool)
    for a in range(4):
        c = cap_attrs[:, a][:, None]
        m &= (c == -1) | (c == img_attrs[:, a][None, :])
    return torch.from_numpy(m.astype(np.float32))


def matryoshka_loss(t_raw, v_raw, targets, scale, dims, weights=None):
    """Symmetric multi-positive InfoNCE summed over the Matryoshka prefixes, prefix d weighted by weights[d]
    (default 1)."""
    total = 0.0
    t_tgt = targets / targets.sum(1, keepdim=True)
    v_tgt = (targets / targets.sum(0, keepdim=True)).T
    for d in dims:
        w = weights.get(d, 1.0) if weights else 1.0
        t = F.normalize(t_raw[:, :d], dim=-1)
        v = F.normalize(v_raw[:, :d], dim=-1)
        logits = scale * t @ v.T
        total = total + w * 0.5 * (-(t_tgt * F.log_softmax(logits, 1)).sum(1).mean()
                               - (v_tgt * F.log_softmax(logits.T, 1)).sum(1).mean())
    return total


def hard_negative_batch(rng, key_pos, B, shape_p=None):
    """B distinct (shape, colour, count) combos: a 4-shape x 4-colour grid in as many counts as fit (each picture
    has same-colour/other-shape, same-shape/other-colour and same-both/other-count negatives), rest random.
    shape_p: probabilities of the grid's shapes (drawn without replacement; None: uniform)."""
    shapes = (rng.choice(len(SHAPES), min(4, len(SHAPES)), replace=False) if shape_p is None else
              rng.choice(len(SHAPES), min(4, len(SHAPES)), replace=False, p=shape_p))
    colours = rng.choice(len(COLOURS), min(4, len(COLOURS)), replace=False)
    counts = rng.choice(COUNTS, max(1, min(len(COUNTS), B // (len(shapes) * len(colours)))), replace=False)
    grid = [key_pos[(s, c, n)] for s in shapes for c in colours for n in counts if (s, c, n) in key_pos]
    grid = grid[:B]
    rest = np.setdiff1d(np.arange(len(key_pos)), grid)
    extra = rng.choice(rest, min(len(rest), B - len(grid)), replace=False) if B > len(grid) else []
    return np.concatenate([np.array(grid, np.int64), np.asarray(extra, np.int64)])


class OnlineBatches(torch.utils.data.IterableDataset):
    """Training batches rendered on the fly by `render.py` (Pillow and SDF rasterisers, half each).

    Batch b is drawn from its own random stream (seed, b), so the batches do not depend on the number of
    DataLoader workers or their timing. A batch holds B / views distinct (shape, colour, count) combinations
    (a hard-negative grid with --hard-negatives), each rendered `views` times independently (other size,
    position, rotation, style, background, rasteriser, resolution): the views are positives of each other.
    Yields (uint8 images [B, S, S, 3], attrs [B, 4] = shape, colour, count, plain background or -1, uint8
    coverage masks of the shapes [B, S, S]). busy: share of busy backgrounds (render.busy_background)."""

    def __init__(self, seed, steps, batch, views, size, hard_negatives, max_res, start=0, curriculum=0, busy=0.0,
                 curriculum_start=0.2, curriculum_hold=0):
        super().__init__()
        self.curriculum_start, self.curriculum_hold = curriculum_start, curriculum_hold
        self.seed, self.steps, self.batch, self.views, self.size = seed, steps, batch, views, size
        self.hard, self.max_res, self.start, self.curriculum = hard_negatives, max_res, start, curriculum
        self.busy = busy
        self.keys = [(s, c, n) for s in range(len(SHAPES)) for c in range(len(COLOURS)) for n in COUNTS]
        self.key_pos = {k: j for j, k in enumerate(self.keys)}

    def make(self, b):
        from generate import to_model_input
        from render import random_resolution, render_train
        rng = np.random.default_rng([self.seed, b])
        # curriculum: difficulty stays at curriculum_start (0.2) for the first curriculum_hold batches, then
        # rises linearly to 1 at batch `curriculum`
        d0, hold = self.curriculum_start, self.curriculum_hold
        difficulty = 1.0 if b >= self.curriculum else d0 + (1 - d0) * max(0, b - hold) / max(1, self.curriculum - hold)
        n = self.batch // self.views
        pick = (hard_negative_batch(rng, self.key_pos, n) if self.hard
                else rng.choice(len(self.keys), n, replace=False))
        images = np.zeros((n * self.views, self.size, self.size, 3), np.uint8)
        attrs = np.zeros((n * self.views, 4), np.int64)
        masks = np.zeros((n * self.views, self.size, self.size), np.uint8)
        for v in range(self.views):
            for i, c in enumerate(pick):
                s, co, k = self.keys[c]
                res = min(random_resolution(rng), self.max_res)
                img, bg, _, m = render_train(SHAPES[s], COLOURS[co], k, rng, size=res, difficulty=difficulty,
                                             return_mask=True, busy=self.busy)
                images[v * n + i] = to_model_input(img, self.size)
                masks[v * n + i] = np.asarray(Image.fromarray((m * 255).astype(np.uint8)).resize(
                    (self.size, self.size), Image.BOX))
                attrs[v * n + i] = [s, co, k, BACKGROUNDS.index(bg) if bg else -1]
        return images, attrs, masks

    def __iter__(self):
        info = torch.utils.data.get_worker_info()
        wid, nw = (info.id, info.num_workers) if info else (0, 1)
        for b in range(self.start + wid, self.steps, nw):
            yield self.make(b)


def supcon_loss(v_raw, attrs, tau=0.1):
    """Supervised contrastive loss on the image embeddings: pictures of the same (shape, colour, count)
    are positives of each other, every other picture of the batch a negative."""
    z = F.normalize(v_raw, dim=-1)
    sim = z @ z.T / tau
    B = len(z)
    eye = torch.eye(B, dtype=torch.bool)
    key = torch.from_numpy(attrs[:, 0] * 100 + attrs[:, 1] * 10 + attrs[:, 2])
    pos = (key[:, None] == key[None, :]) & ~eye
    sim = sim.masked_fill(eye, -1e9)
    logp = F.log_softmax(sim, 1)
    has = pos.any(1)
    return -((logp * pos).sum(1)[has] / pos.sum(1)[has]).mean()


def dense_shape_loss(head, tokens, masks, shapes, patch):
    """Per-patch shape classification (training only): a patch token's target is the picture's shape when the
    shapes cover more than 15 % of that patch, else "background" (class len(SHAPES)). tokens [B, 1 + g², W]
    (CLS first), masks [B, 1, S, S] coverage in 0..1, shapes [B]. A dense signal for the patch embedding and
    the attention (64 targets a picture instead of one), which the CLS token then reads."""
    cov = F.avg_pool2d(masks, patch).flatten(1)                                   # [B, g²]
    bg = torch.full_like(cov, len(SHAPES), dtype=torch.long)
    lab = torch.where(cov > 0.15, shapes[:, None].expand_as(bg), bg)
    logits = head(tokens[:, 1:])
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), lab.reshape(-1))


@torch.no_grad()
def heldout_attribute_accuracy(model, aux, dataset, preproc):
    """Accuracy of the auxiliary shape / colour / count classifiers on a set with `scene` entries (the
    held-out set): how well the vision tower alone separates the attributes, without any text."""
    from model import preprocess_image
    data = json.load(open(dataset, encoding="utf-8"))
    root = os.path.dirname(os.path.abspath(dataset))
    ims = [im for im in data["images"] if "scene" in im]
    pix = torch.from_numpy(np.stack([preprocess_image(Image.open(os.path.join(root, im["filename"])),
                                                      preproc["size"], preproc["mean"], preproc["std"])
                                     for im in ims]))
    v = model.vision_model(pix)
    gold = [[SHAPES.index(im["scene"]["shape"]) for im in ims], [COLOURS.index(im["scene"]["colour"]) for im in ims],
            [COUNTS.index(im["scene"]["count"]) for im in ims]]
    return {k: float((aux[j](v).argmax(1).numpy() == np.array(gold[j])).mean())
            for j, k in enumerate(("shape", "colour", "count"))}


def rot90_each(x, ks):
    """x [B, C, H, W] with picture i rotated by ks[i] quarter turns (ks None: x unchanged)."""
    if ks is None:
        return x
    return torch.stack([torch.rot90(x[i], int(k), (1, 2)) for i, k in enumerate(ks)])


def probe_init(ckpt, model, path):
    """Start from a probe_shape.py checkpoint: its vision tower, and its shape / colour / count / per-patch
    classifiers as the auxiliary classifiers 0, 1, 2 and 4 (the background classifier 3 starts fresh). The text
    tower keeps its fresh initialisation. Returns the checkpoint in train.py's form (aux only)."""
    vc, mc = ckpt.get("config", ckpt.get("cfg"))["vision_config"], model.config["vision_config"]
    for k in ("image_size", "patch_size", "width", "layers"):
        if vc[k] != mc[k]:
            sys.exit(f"train.py: {path}: vision {k} {vc[k]}, this run's is {mc[k]} (set --image-size/--patch-size)")
    model.vision_model.load_state_dict(ckpt["vision"])
    h = ckpt["heads"]
    aux = {f"{j}.{w}": h[f"{i}.{w}"] for i, j in ((0, 0), (1, 1), (2, 2), (3, 4)) for w in ("weight", "bias")}
    return {"aux_partial": aux}


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", nargs="+",
                    help="pre-rendered training caches (generate.py / make_train.py), concatenated; or --online")
    ap.add_argument("--online", action="store_true",
                    help="render every batch on the fly in DataLoader workers (render.py, see OnlineBatches)")
    ap.add_argument("--workers", type=int, default=1, help="rendering processes for --online")
    ap.add_argument("--max-res", type=int, default=512, help="--online: largest rendering resolution (px)")
    ap.add_argument("--curriculum", type=int, default=0,
                    help="--online: batches over which the pictures' difficulty rises to the full variation")
    ap.add_argument("--views", type=int, default=1,
                    help="--online: renderings of every combination per batch (positives of each other)")
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--eval", default="Assets/eval/eval.json")
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1.5e-3)
    ap.add_argument("--width", type=int, default=128)
    ap.add_argument("--text-layers", type=int, default=2)
    ap.add_argument("--vision-layers", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--hard-negatives", action="store_true",
                    help="batches built around a 4-shape x 4-colour grid in every count (see hard_negative_batch)")
    ap.add_argument("--image-size", type=int, default=112)
    ap.add_argument("--patch-size", type=int, default=14)
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--eval-every", type=int, default=250)
    ap.add_argument("--query-prob", type=float, default=0.2)
    ap.add_argument("--max-minutes", type=float, default=55.0)
    ap.add_argument("--init", help="start from this checkpoint's weights (a second, lower-LR phase); a probe_shape.py "
                                   "checkpoint sets the vision tower and its classifiers only")
    ap.add_argument("--aux-weight", type=float, default=1.0,
                    help="weight of the auxiliary attribute classifiers on the image CLS (training only)")
    ap.add_argument("--shape-weight", type=float, default=1.0, help="extra factor on the shape classifier's loss")
    ap.add_argument("--supcon-weight", type=float, default=0.0,
                    help="weight of the image-image supervised contrastive loss (same combination = positive)")
    ap.add_argument("--dense-weight", type=float, default=0.0,
                    help="--online: weight of the per-patch shape classifier on the patch tokens (dense_shape_loss)")
    ap.add_argument("--busy", type=float, default=0.0,
                    help="--online: share of busy backgrounds (camouflage patches, scribbles, crossed waves)")
    ap.add_argument("--curriculum-start", type=float, default=0.2, help="--online: difficulty of the first batches")
    ap.add_argument("--curriculum-hold", type=int, default=0,
                    help="--online: batches at --curriculum-start before the difficulty starts rising")
    ap.add_argument("--colour-perm", type=float, default=0.0,
                    help="--vision-only: share of pictures whose RGB channels are permuted (or turned grey); their "
                         "colour target is ignored, so shape cannot lean on colour")
    ap.add_argument("--vision-only", action="store_true",
                    help="train the vision tower with the auxiliary (and dense) classifiers only, no text tower")
    ap.add_argument("--xling-weight", type=float, default=0.0,
                    help="cross-lingual loss: InfoNCE between each caption and one of the same meaning in a random "
                         "language (one with a variant of the same attributes), over the Matryoshka prefixes")
    ap.add_argument("--xling-subset", type=int, default=0,
                    help="with --xling-weight: only this many captions of the batch (a random subset) get a second "
                         "caption, so the loss costs a fraction of a text forward (0: all)")
    ap.add_argument("--dim-weights", default="",
                    help="weights of the Matryoshka prefixes in the image-text loss, e.g. 16:2 (others 1)")
    ap.add_argument("--grid-shape-weights", default="",
                    help="with --hard-negatives (cached data): weights of shapes in the batch grid, e.g. heart:2 "
                         "(others 1)")
    ap.add_argument("--dihedral", action="store_true",
                    help="also rotate every picture (and its mask) by a random multiple of 90 degrees")
    ap.add_argument("--vision-lr-scale", type=float, default=1.0,
                    help="learning-rate factor for the vision tower (e.g. < 1 after a --vision-only phase)")
    args = ap.parse_args(argv)
    if not args.data and not args.online:
        ap.error("give --data CACHE or --online")

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    tok = load_tokenizer(args.tokenizer)
    config = demo_config(tok.get_vocab_size(with_added_tokens=True), args.width, args.text_layers, args.vision_layers,
                         image_size=args.image_size, patch_size=args.patch_size)
    dims = config["matryoshka_dimensions"]
    dim_w = {int(k): float(v) for k, v in (kv.split(":") for kv in args.dim_weights.split(",") if kv)}
    if any(d not in dims for d in dim_w):
        ap.error(f"--dim-weights {args.dim_weights}: dimensions must be among {dims}")
    grid_w = {k: float(v) for k, v in (kv.split(":") for kv in args.grid_shape_weights.split(",") if kv)}
    if any(k not in SHAPES for k in grid_w):
        ap.error(f"--grid-shape-weights {args.grid_shape_weights}: shapes must be among {SHAPES}")
    shape_p = None
    if grid_w:
        shape_p = np.array([grid_w.get(k, 1.0) for k in SHAPES])
        shape_p = shape_p / shape_p.sum()
    model = JinaCLIP(config)
    init_weights(model, args.seed)
    init = torch.load(args.init, map_location="cpu", weights_only=False) if args.init else None
    if init and "vision" in init:
        init = probe_init(init, model, args.init)
    elif init:
        model.load_state_dict(init["state_dict"])
    n_params = sum(p.numel() for p in model.parameters())
    print(f"params {n_params / 1e6:.2f} M, dims {dims}, grid {args.image_size // args.patch_size}", flush=True)

    size = args.image_size
    if args.online:
        loader = torch.utils.data.DataLoader(
            OnlineBatches(args.seed, args.steps, args.batch, args.views, size, args.hard_negatives, args.max_res,
                          curriculum=args.curriculum, busy=args.busy, curriculum_start=args.curriculum_start,
                          curriculum_hold=args.curriculum_hold),
            batch_size=None, num_workers=args.workers, prefetch_factor=4 if args.workers else None,
            persistent_workers=False)
        batches = iter(loader)
    else:
        parts = [np.load(p) for p in args.data]
        images = np.concatenate([d["images"] for d in parts])
        attrs = np.concatenate([d["attrs"][:, :4].astype(np.int64) for d in parts])  # shape, colour, count, bg or -1
        cache_masks = np.concatenate([d["masks"] for d in parts]) if all("masks" in d for d in parts) else None
        if images.shape[1] != size:
            sys.exit(f"train.py: {', '.join(args.data)}: pictures of {images.shape[1]} px, --image-size is {size}")
        if args.dense_weight > 0 and cache_masks is None:
            sys.exit(f"train.py: {', '.join(args.data)}: --dense-weight needs masks (make_train.py --masks)")
        combos = {}
        for i, (sh, co, n, _) in enumerate(attrs):
            combos.setdefault((sh, co, n), []).append(i)
        combo_keys = sorted(combos)
        key_pos = {k: j for j, k in enumerate(combo_keys)}

        def cached():
            B = min(args.batch, len(combo_keys))
            while True:
                pick = (hard_negative_batch(rng, key_pos, B, shape_p) if args.hard_negatives
                        else rng.choice(len(combo_keys), B, replace=False))
                idx = np.array([rng.choice(combos[combo_keys[c]]) for c in pick])
                yield (torch.from_numpy(images[idx]), torch.from_numpy(attrs[idx]),
                       None if cache_masks is None else torch.from_numpy(cache_masks[idx]))
        batches = cached()
    mean = torch.tensor(MEAN).view(1, 3, 1, 1)
    std = torch.tensor(STD).view(1, 3, 1, 1)
    bank = CaptionBank()
    preproc = {"size": size, "mean": MEAN, "std": STD}

    # Auxiliary linear classifiers (shape, colour, count, background) on the image features: a direct
    # training signal for the vision tower, which otherwise learns colour long before shape. Not exported.
    # The fifth (per-patch shape or background) serves dense_shape_loss.
    aux = torch.nn.ModuleList([torch.nn.Linear(args.width, k) for k in
                               (len(SHAPES), len(COLOURS), len(COUNTS), len(BACKGROUNDS), len(SHAPES) + 1)])
    if init and "aux" in init and len(init["aux"]) == len(aux.state_dict()):
        aux.load_state_dict(init["aux"])
    if init and "aux_partial" in init:
        aux.load_state_dict(init["aux_partial"], strict=False)
    aux_w = [args.shape_weight, 1.0, 1.0, 1.0]
    groups = {}
    for n, p in list(model.named_parameters()) + list(aux.named_parameters(prefix="aux")):
        if args.vision_only and n.startswith("text_model"):
            p.requires_grad_(False)
            continue
        wd = 0.05 if p.ndim >= 2 and "embed" not in n and "token" not in n else 0.0
        lr = args.lr * (args.vision_lr_scale if n.startswith("vision_model") else 1.0)
        groups.setdefault((wd, lr), []).append(p)
    opt = torch.optim.AdamW([{"params": ps, "weight_decay": wd, "lr": lr} for (wd, lr), ps in groups.items()],
                            lr=args.lr, betas=(0.9, 0.98), eps=1e-6)
    warm = max(1, args.steps // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * 0.5 * (1 + math.cos(math.pi * min(1.0, s / args.steps))))

    t0 = time.time()
    t_data = 0.0
    for step in range(args.steps):
        model.train()
        td = time.time()
        imgs, at, masks = next(batches)
        t_data += time.time() - td
        at = at.numpy().astype(np.int64)
        B = len(at)
        batch = imgs.permute(0, 3, 1, 2).float() / 255.0
        flip = torch.from_numpy(rng.random(B) < 0.5)
        batch[flip] = batch[flip].flip(-1)
        rot = rng.integers(0, 4, B) if args.dihedral else None
        batch = rot90_each(batch, rot)
        pix = (batch - mean) / std
        if args.vision_only:
            a = torch.from_numpy(at - np.array([0, 0, 1, 0]))
            if args.colour_perm > 0:
                for i in np.nonzero(rng.random(B) < args.colour_perm)[0]:
                    if rng.random() < 0.3:
                        batch[i] = batch[i].mean(0, keepdim=True).expand(3, -1, -1)
                    else:
                        batch[i] = batch[i][torch.from_numpy(rng.permutation(3))]
                    a[i, 1] = -1
                pix = (batch - mean) / std
            tokens = model.vision_model(pix, all_tokens=True)
            v_raw = tokens[:, 0]
            loss = sum(w * F.cross_entropy(h(v_raw), a[:, j], ignore_index=-1)
                       for j, (h, w) in enumerate(zip(aux[:4], aux_w)) if (a[:, j] >= 0).any())
            parts = [loss.item()]
            if args.dense_weight > 0:
                m = masks.float()[:, None] / 255.0
                m[flip] = m[flip].flip(-1)
                m = rot90_each(m, rot)
                ld = dense_shape_loss(aux[4], tokens, m, a[:, 0], args.patch_size)
                loss = loss + args.dense_weight * ld
                parts.append(ld.item())
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            elapsed = time.time() - t0
            if step % 25 == 0 or step == args.steps - 1:
                print(f"step {step:5d} loss {loss.item():.3f} ({' '.join(f'{p:.3f}' for p in parts)}) "
                      f"lr {sched.get_last_lr()[0]:.2e} {elapsed / 60:.1f} min (data wait {t_data / 60:.1f})",
                      flush=True)
            last = step == args.steps - 1 or elapsed > args.max_minutes * 60
            if args.eval and ((step + 1) % args.eval_every == 0 or last):
                model.eval()
                acc = heldout_attribute_accuracy(model, aux, args.eval, preproc)
                print("classifiers " + " ".join(f"{k} {v:.3f}" for k, v in acc.items()), flush=True)
                torch.save({"config": config, "state_dict": model.state_dict(), "step": step + 1,
                            "aux": aux.state_dict(), "args": vars(args)}, args.out)
            if last:
                break
            continue
        texts, cap_attrs = [], []
        for sh, co, n, bg in at:
            scene = Scene(SHAPES[sh], COLOURS[co], int(n), BACKGROUNDS[bg] if bg >= 0 else "white")
            variants = bank.get(scene, LANGS[rng.integers(len(LANGS))])
            if bg < 0:  # not a plain background: no caption that names one
                variants = [v for v in variants if v.background is None]
            c = variants[rng.integers(len(variants))]
            texts.append(QUERY_PREFIX + c.text if rng.random() < args.query_prob else c.text)
            cap_attrs.append(caption_attrs(c))
        targets = soft_targets(np.array(cap_attrs), at)
        ids = tokenize(tok, texts)
        t_raw = model.text_model(ids)
        if args.xling_weight > 0:
            # each caption again in other languages (first one, in a random order, with a variant of the same
            # attributes): captions that mean the same are positives of each other, all others negatives
            texts2, cap2 = [], []
            sub = (np.sort(rng.choice(B, args.xling_subset, replace=False)) if 0 < args.xling_subset < B
                   else np.arange(B))
            for (sh, co, n, bg), ca in zip(at[sub], [cap_attrs[i] for i in sub]):
                scene = Scene(SHAPES[sh], COLOURS[co], int(n), BACKGROUNDS[bg] if bg >= 0 else "white")
                for li in rng.permutation(len(LANGS)):
                    same = [v for v in bank.get(scene, LANGS[li]) if caption_attrs(v) == ca]
                    if same:
                        break
                c2 = same[rng.integers(len(same))]
                texts2.append(QUERY_PREFIX + c2.text if rng.random() < args.query_prob else c2.text)
                cap2.append(ca)
            same_meaning = torch.from_numpy((np.array(cap_attrs)[sub][:, None, :] == np.array(cap2)[None, :, :])
                                            .all(-1).astype(np.float32))
            t2_raw = model.text_model(tokenize(tok, texts2))
        tokens = model.vision_model(pix, all_tokens=True)
        v_raw = tokens[:, 0]
        scale = model.logit_scale.clamp(max=math.log(100.0)).exp()
        loss = matryoshka_loss(t_raw, v_raw, targets, scale, dims, dim_w)
        parts = [loss.item()]
        if args.aux_weight > 0:
            a = torch.from_numpy(at - np.array([0, 0, 1, 0]))
            la = sum(w * F.cross_entropy(h(v_raw), a[:, j], ignore_index=-1)
                     for j, (h, w) in enumerate(zip(aux[:4], aux_w)) if (a[:, j] >= 0).any())
            loss = loss + args.aux_weight * la
            parts.append(la.item())
        if args.dense_weight > 0:
            m = masks.float()[:, None] / 255.0
            m[flip] = m[flip].flip(-1)
            m = rot90_each(m, rot)
            ld = dense_shape_loss(aux[4], tokens, m, torch.from_numpy(at[:, 0]), args.patch_size)
            loss = loss + args.dense_weight * ld
            parts.append(ld.item())
        if args.xling_weight > 0:
            lx = matryoshka_loss(t_raw[torch.from_numpy(sub)], t2_raw, same_meaning, scale, dims)
            loss = loss + args.xling_weight * lx
            parts.append(lx.item())
        if args.supcon_weight > 0:
            ls = sum(supcon_loss(v_raw[:, :d], at) for d in dims) / len(dims)
            loss = loss + args.supcon_weight * ls
            parts.append(ls.item())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        elapsed = time.time() - t0
        if step % 25 == 0 or step == args.steps - 1:
            print(f"step {step:5d} loss {loss.item():.3f} ({' '.join(f'{p:.3f}' for p in parts)}) "
                  f"scale {scale.item():.1f} lr {sched.get_last_lr()[0]:.2e} {elapsed / 60:.1f} min "
                  f"(data wait {t_data / 60:.1f})", flush=True)
        last = step == args.steps - 1 or elapsed > args.max_minutes * 60
        if args.eval and ((step + 1) % args.eval_every == 0 or last):
            model.eval()
            rows = evaluate(model, tok, args.eval, dims, preproc)
            print(format_table([r for r in rows if r["lang"] == "all" or r["dims"] in (dims[0], dims[-1])]),
                  flush=True)
            if "heldout" in args.eval:
                labels = label_accuracy(model, tok, args.eval, [dims[0], dims[-1]], preproc)
                print("labels " + " ".join(f"{r['labels']}@{r['dims']} {r['top1']:.3f}" for r in labels), flush=True)
                acc = heldout_attribute_accuracy(model, aux, args.eval, preproc)
                print("classifiers " + " ".join(f"{k} {v:.3f}" for k, v in acc.items()), flush=True)
            torch.save({"config": config, "state_dict": model.state_dict(), "step": step + 1,
                        "aux": aux.state_dict(), "args": vars(args)}, args.out)
        if last:
            break
    print(f"done: {step + 1} steps in {(time.time() - t0) / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()
