#!/usr/bin/env python3
"""Deterministic synthetic scene generator for the ClipScope demo model.

Scenes: 1-3 copies of one shape (circle, square, triangle, star, heart, moon) in one of 8 colours on a
white / gray / black background with a soft gradient and a little noise; sizes, positions, rotations and
colour shades vary. Captions come from `captions.py` (9 languages).

Outputs (everything seeded; the same command gives the same bytes):
  --train OUT.npz    N training images at the model resolution (uint8 [N, S, S, 3]) + scene attributes;
                     a developer cache, never committed.
  --assets DIR       DIR/demo/*.png|jpg   held-out preview images (not in the training stream)
                     DIR/eval/eval.json + DIR/eval/images/*.jpg   held-out eval set, Karpathy JSON format,
                     one image per (shape, colour, count), one canonical caption per language.

  python3 Tools/demo-model/generate.py --assets Assets --train /tmp/clipscope-demo/train.npz
"""
from __future__ import annotations

import argparse
import io
import json
import math
import os
import sys

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from captions import (BACKGROUNDS, CANONICAL, COLOURS, COUNTS, LANGS, SHAPES, Scene)  # noqa: E402

RGB = {"red": (220, 30, 35), "green": (40, 170, 60), "blue": (35, 80, 215), "yellow": (245, 210, 30),
       "purple": (135, 50, 175), "orange": (245, 130, 25), "black": (20, 20, 22), "white": (248, 248, 248)}
BG_RGB = {"white": (240, 240, 236), "gray": (135, 135, 138), "black": (28, 28, 32)}

TRAIN_SEED, EVAL_SEED, DEMO_SEED = 1000, 2000, 3000


def _jitter(rgb, rng, amount):
    return tuple(int(np.clip(c + rng.integers(-amount, amount + 1), 0, 255)) for c in rgb)


def _polygon(shape, cx, cy, r, angle):
    """Vertices of the polygonal shapes in pixel coordinates (r = circumradius)."""
    if shape == "square":
        pts = [(math.cos(angle + math.pi / 4 + k * math.pi / 2) * r, math.sin(angle + math.pi / 4 + k * math.pi / 2) * r)
               for k in range(4)]
    elif shape == "triangle":
        pts = [(math.cos(angle - math.pi / 2 + k * 2 * math.pi / 3) * r, math.sin(angle - math.pi / 2 + k * 2 * math.pi / 3) * r)
               for k in range(3)]
        pts = [(x, y + 0.18 * r) for x, y in pts]  # centre the visual mass
    elif shape == "star":
        pts = []
        for k in range(10):
            rr = r if k % 2 == 0 else r * 0.42
            a = angle - math.pi / 2 + k * math.pi / 5
            pts.append((math.cos(a) * rr, math.sin(a) * rr))
    elif shape == "heart":
        pts = []
        for k in range(64):
            t = 2 * math.pi * k / 64
            x = 16 * math.sin(t) ** 3
            y = -(13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t))
            x, y = x * r / 17, (y + 2) * r / 17
            pts.append((x * math.cos(angle) - y * math.sin(angle), x * math.sin(angle) + y * math.cos(angle)))
    else:
        raise ValueError(shape)
    return [(cx + x, cy + y) for x, y in pts]


def _draw_shape(mask: ImageDraw.ImageDraw, shape, cx, cy, r, angle):
    if shape == "circle":
        mask.ellipse([cx - r * 0.85, cy - r * 0.85, cx + r * 0.85, cy + r * 0.85], fill=255)
    elif shape == "moon":
        mask.ellipse([cx - r * 0.9, cy - r * 0.9, cx + r * 0.9, cy + r * 0.9], fill=255)
        ox, oy = math.cos(angle) * r * 0.45, math.sin(angle) * r * 0.45
        mask.ellipse([cx + ox - r * 0.78, cy + oy - r * 0.78, cx + ox + r * 0.78, cy + oy + r * 0.78], fill=0)
    else:
        mask.polygon(_polygon(shape, cx, cy, r, angle), fill=255)


def _layout(count, rng, size):
    """Non-overlapping (cx, cy, r) in pixels; single shapes are larger."""
    lo, hi = ((0.17, 0.30) if count == 1 else (0.12, 0.19) if count == 2 else (0.10, 0.16))
    for _ in range(1000):
        items = []
        for _ in range(count):
            r = rng.uniform(lo, hi)
            cx, cy = rng.uniform(r + 0.03, 1 - r - 0.03), rng.uniform(r + 0.03, 1 - r - 0.03)
            if all(math.hypot(cx - x, cy - y) > r + q + 0.03 for x, y, q in items):
                items.append((cx, cy, r))
        if len(items) == count:
            return [(x * size, y * size, q * size) for x, y, q in items]
    raise RuntimeError("layout failed")


def render(scene: Scene, size: int, rng: np.random.Generator) -> Image.Image:
    """Render at `size` x `size` (draw at 2x, downsample with Lanczos for clean edges)."""
    big = size * 2
    bg = np.array(_jitter(BG_RGB[scene.background], rng, 12), dtype=np.float32)
    grad = np.linspace(-1, 1, big, dtype=np.float32)[:, None, None] * rng.uniform(-14, 14)
    img = np.broadcast_to(bg, (big, big, 3)) + grad
    img = img + rng.normal(0, 3.0, (big, big, 1)).astype(np.float32)
    canvas = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
    mask = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(mask)
    rot = rng.uniform(-0.35, 0.35) if scene.shape != "moon" else rng.uniform(0, 2 * math.pi)
    for cx, cy, r in _layout(scene.count, rng, big):
        _draw_shape(draw, scene.shape, cx, cy, r, rot + rng.uniform(-0.1, 0.1))
    fill = Image.new("RGB", (big, big), _jitter(RGB[scene.colour], rng, 18))
    canvas.paste(fill, (0, 0), mask)
    if rng.random() < 0.25:
        canvas = canvas.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.2)))
    return canvas.resize((size, size), Image.LANCZOS)


def random_scene(rng) -> Scene:
    while True:
        s = Scene(SHAPES[rng.integers(len(SHAPES))], COLOURS[rng.integers(len(COLOURS))],
                  COUNTS[rng.integers(len(COUNTS))], BACKGROUNDS[rng.integers(len(BACKGROUNDS))])
        if s.colour != s.background:
            return s


def background_for(colour, rng):
    choices = [b for b in BACKGROUNDS if b != colour]
    return choices[rng.integers(len(choices))]


def to_model_input(img: Image.Image, size: int) -> np.ndarray:
    """Square image -> size x size uint8 with PIL bicubic, exactly the inference preprocessing for squares."""
    if img.size != (size, size):
        img = img.resize((size, size), Image.BICUBIC)
    return np.asarray(img.convert("RGB"), dtype=np.uint8)


def make_train(path, n, size, seed=TRAIN_SEED):
    rng = np.random.default_rng(seed)
    images = np.zeros((n, size, size, 3), np.uint8)
    attrs = np.zeros((n, 4), np.int16)
    for i in range(n):
        s = random_scene(rng)
        src = int(rng.choice([size * 2, size * 3, 256]))
        img = render(s, src, rng)
        if rng.random() < 0.3:  # JPEG artefacts like the demo/eval JPEGs
            buf = io.BytesIO()
            img.save(buf, "JPEG", quality=int(rng.integers(70, 96)))
            img = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
        images[i] = to_model_input(img, size)
        attrs[i] = [SHAPES.index(s.shape), COLOURS.index(s.colour), s.count, BACKGROUNDS.index(s.background)]
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    np.savez(path, images=images, attrs=attrs)
    print(f"wrote {n} training images to {path}")


def make_eval(root, size=224, seed=EVAL_SEED):
    """One image per (shape, colour, count); captions = the canonical caption in every language."""
    rng = np.random.default_rng(seed)
    os.makedirs(os.path.join(root, "images"), exist_ok=True)
    images, sentid = [], 0
    for shape in SHAPES:
        for colour in COLOURS:
            for count in COUNTS:
                s = Scene(shape, colour, count, background_for(colour, rng))
                name = f"{shape}_{colour}_{count}.jpg"
                render(s, size, rng).save(os.path.join(root, "images", name), "JPEG", quality=90)
                sents = []
                for lang in LANGS:
                    sents.append({"raw": CANONICAL[lang](s), "lang": lang, "sentid": sentid})
                    sentid += 1
                images.append({"filename": f"images/{name}", "split": "test", "imgid": len(images),
                               "sentids": [x["sentid"] for x in sents], "sentences": sents,
                               "scene": {"shape": shape, "colour": colour, "count": count, "background": s.background}})
    with open(os.path.join(root, "eval.json"), "w", encoding="utf-8") as f:
        json.dump({"dataset": "clipscope-demo-shapes", "images": images}, f, ensure_ascii=False, indent=1)
    print(f"wrote {len(images)} eval images to {root}")


DEMO_SCENES = [  # (shape, colour, count): every shape and colour, a few counts; the query examples are covered
    ("triangle", "red", 1), ("triangle", "red", 2), ("triangle", "blue", 1), ("triangle", "yellow", 3),
    ("circle", "red", 1), ("circle", "green", 2), ("circle", "blue", 3), ("circle", "orange", 1),
    ("square", "purple", 1), ("square", "red", 3), ("square", "green", 1), ("square", "black", 2),
    ("star", "yellow", 1), ("star", "blue", 2), ("star", "red", 1), ("star", "white", 3),
    ("heart", "red", 1), ("heart", "purple", 2), ("heart", "orange", 3), ("heart", "white", 1),
    ("moon", "yellow", 1), ("moon", "white", 2), ("moon", "blue", 1), ("moon", "black", 1),
    ("triangle", "green", 2), ("circle", "yellow", 1), ("square", "orange", 2), ("star", "purple", 1),
    ("heart", "black", 1), ("moon", "red", 3), ("triangle", "white", 1), ("circle", "purple", 3),
    ("square", "blue", 1), ("star", "green", 3), ("heart", "green", 1), ("moon", "orange", 2),
]


def make_demo(root, size=320, seed=DEMO_SEED):
    rng = np.random.default_rng(seed)
    os.makedirs(root, exist_ok=True)
    manifest = []
    for i, (shape, colour, count) in enumerate(DEMO_SCENES):
        s = Scene(shape, colour, count, background_for(colour, rng))
        img = render(s, size, rng)
        ext = "png" if i % 2 == 0 else "jpg"
        name = f"{i:02d}_{colour}_{shape}{'' if count == 1 else f'_x{count}'}.{ext}"
        if ext == "png":
            img.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).convert("RGB") \
               .save(os.path.join(root, name), "PNG", optimize=True)
        else:
            img.save(os.path.join(root, name), "JPEG", quality=88)
        manifest.append(name)
    print(f"wrote {len(manifest)} demo images to {root}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--assets", help="write Assets/demo and Assets/eval under this folder")
    ap.add_argument("--train", help="write the training cache (.npz)")
    ap.add_argument("--train-size", type=int, default=16000)
    ap.add_argument("--image-size", type=int, default=112)
    args = ap.parse_args(argv)
    if args.assets:
        make_demo(os.path.join(args.assets, "demo"))
        make_eval(os.path.join(args.assets, "eval"))
    if args.train:
        make_train(args.train, args.train_size, args.image_size)


if __name__ == "__main__":
    main()
