#!/usr/bin/env python3
"""Held-out generalisation set: pictures drawn by a renderer the training never uses (matplotlib Agg).

One picture per (shape, colour, count) = 144 pictures, each with its canonical caption in the 9 languages
(Karpathy JSON, like Assets/eval), so a caption pins down exactly one picture and top-1 is well defined.
What differs from the training pictures (`render.py`):
  * rasteriser: matplotlib's Agg (its own anti-aliasing and curve flattening), shapes built from
    matplotlib patches: Circle/Ellipse, RegularPolygon, a star with another inner radius, a heart made of
    Bezier curves and a moon made of two arcs - not the training polygons;
  * backgrounds never used in training: stripes, checkerboards, radial gradients, dotted grids;
  * sizes, positions, resolutions (72-640 px, also non-square) and JPEG/PNG from a separate seed.

  python3 Tools/demo-model/heldout.py --out Assets/eval-heldout
Needs matplotlib (developer tool only).
"""
from __future__ import annotations

import argparse
import io
import json
import math
import os
import sys

import numpy as np
from PIL import Image

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Circle, Ellipse, PathPatch, Polygon, RegularPolygon  # noqa: E402
from matplotlib.path import Path  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from captions import CANONICAL, COLOURS, COUNTS, LANGS, SHAPES, Scene  # noqa: E402
from render import RGB  # noqa: E402

SEED = 5000


def heart_path(cx, cy, r, angle, sx, sy):
    """Heart from two cubic Bezier lobes (not the training parametric curve)."""
    v = [(0, -0.55), (0, -0.95), (-0.9, -1.0), (-0.9, -0.3), (-0.9, 0.2), (-0.3, 0.55), (0, 0.9),
         (0.3, 0.55), (0.9, 0.2), (0.9, -0.3), (0.9, -1.0), (0, -0.95), (0, -0.55)]
    codes = [Path.MOVETO] + [Path.CURVE4] * 12
    ca, sa = math.cos(angle), math.sin(angle)
    pts = [(cx + (x * sx * r) * ca - (-y * sy * r) * sa, cy + (x * sx * r) * sa + (-y * sy * r) * ca) for x, y in v]
    return Path(pts, codes)


def moon_path(cx, cy, r, angle):
    """Crescent: outer arc of a circle and inner arc of a second one (matplotlib arcs)."""
    R, q, o = 0.88 * r, 0.72 * r, 0.40 * r
    xi = (R * R - q * q + o * o) / (2 * o)
    a0 = math.degrees(math.acos(xi / R))
    b0 = math.degrees(math.acos((xi - o) / q))
    outer = Path.arc(a0, 360 - a0)
    inner = Path.arc(b0, 360 - b0)
    ov = outer.vertices * R
    iv = inner.vertices[::-1] * q + np.array([o, 0])
    pts = np.concatenate([ov, iv, ov[:1]])
    ca, sa = math.cos(angle), math.sin(angle)
    rot = np.array([[ca, -sa], [sa, ca]])
    pts = pts @ rot.T + np.array([cx, cy])
    return Path(pts, [Path.MOVETO] + [Path.LINETO] * (len(pts) - 2) + [Path.CLOSEPOLY])


def patch(shape, cx, cy, r, angle, sx, sy, star_inner, **kw):
    deg = math.degrees(angle)
    if shape == "circle":
        if sx == sy == 1.0:
            return Circle((cx, cy), 0.85 * r, **kw)
        return Ellipse((cx, cy), 1.7 * r * sx, 1.7 * r * sy, angle=deg, **kw)
    if shape == "square":
        return RegularPolygon((cx, cy), 4, radius=r, orientation=math.pi / 4 + angle, **kw)
    if shape == "triangle":
        return RegularPolygon((cx, cy), 3, radius=r, orientation=angle, **kw)
    if shape == "star":
        pts = []
        for k in range(10):
            rr = r if k % 2 == 0 else r * star_inner
            a = math.pi / 2 + k * math.pi / 5 + angle
            pts.append((cx + math.cos(a) * rr, cy + math.sin(a) * rr))
        return Polygon(pts, closed=True, **kw)
    if shape == "heart":
        return PathPatch(heart_path(cx, cy, r, angle, sx, sy), **kw)
    if shape == "moon":
        return PathPatch(moon_path(cx, cy, r, angle), **kw)
    raise ValueError(shape)


def background(w, h, fg, rng):
    """Backgrounds the training never draws: stripes, checkerboard, radial gradient, dot grid."""
    for _ in range(50):
        a = rng.integers(0, 256, 3).astype(np.float32)
        b = np.clip(a + rng.integers(-70, 71, 3), 0, 255)
        if min(np.abs(a - fg).sum(), np.abs(b - fg).sum()) > 170:
            break
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    kind = ["stripes", "checker", "radial", "dots"][rng.integers(4)]
    if kind == "stripes":
        th, period = rng.uniform(0, math.pi), rng.uniform(0.04, 0.15) * max(w, h)
        t = (np.sin(2 * math.pi * (xx * math.cos(th) + yy * math.sin(th)) / period) > 0).astype(np.float32)
    elif kind == "checker":
        c = rng.uniform(0.05, 0.14) * max(w, h)
        t = ((np.floor(xx / c) + np.floor(yy / c)) % 2).astype(np.float32)
    elif kind == "radial":
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        t = np.clip(np.hypot(xx - cx, yy - cy) / (0.8 * max(w, h)), 0, 1)
    else:
        c = rng.uniform(0.04, 0.08) * max(w, h)
        t = (np.hypot((xx % c) - c / 2, (yy % c) - c / 2) < c * 0.12).astype(np.float32)
    return (a * (1 - t[..., None]) + b * t[..., None]).astype(np.uint8), kind


def render(shape, colour, count, rng):
    w = int(rng.integers(72, 640))
    h = w if rng.random() < 0.7 else int(w * rng.uniform(0.8, 1.25))
    side = min(w, h)
    fg = np.clip(np.array(RGB[colour], np.float32) + rng.integers(-15, 16, 3), 0, 255)
    bg, kind = background(w, h, fg, rng)
    dpi = 100
    fig = plt.figure(figsize=(w / dpi, h / dpi), dpi=dpi)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(0, w)
    ax.set_ylim(h, 0)
    ax.axis("off")
    ax.imshow(bg, extent=(0, w, h, 0), interpolation="nearest")
    # sizes/positions: centred square region of the shortest side (the model's centre crop keeps it)
    ox, oy = (w - side) / 2, (h - side) / 2
    lo, hi = {1: (0.18, 0.85), 2: (0.18, 0.45), 3: (0.16, 0.36)}[count]
    for _ in range(3000):
        ext = rng.uniform(lo, hi)
        items = []
        for _ in range(count):
            rr = ext / 2 * rng.uniform(0.9, 1.1)
            m = 0.03
            cx, cy = rng.uniform(rr + m, 1 - rr - m), rng.uniform(rr + m, 1 - rr - m)
            if all(math.hypot(cx - x, cy - y) > (rr + q) + 0.03 for x, y, q in items):
                items.append((cx, cy, rr))
        if len(items) == count:
            break
    angle = rng.uniform(-math.pi, math.pi) if rng.random() < 0.5 else rng.uniform(-0.3, 0.3)
    style = rng.choice(["fill", "fill", "stroke"])
    star_inner = rng.uniform(0.36, 0.5)
    colour01 = tuple(fg / 255.0)
    for cx, cy, rr in items:
        r = rr * side
        squash = rng.uniform(0.8, 1.0) if rng.random() < 0.3 else 1.0
        sx, sy = (squash, 1.0) if rng.random() < 0.5 else (1.0, squash)
        kw = (dict(facecolor=colour01, edgecolor="none") if style == "fill" else
              dict(facecolor="none", edgecolor=colour01, linewidth=max(1.0, r * rng.uniform(0.08, 0.2)) * 72 / dpi,
                   joinstyle="round"))
        ax.add_patch(patch(shape, ox + cx * side, oy + cy * side, r, angle + rng.uniform(-0.1, 0.1), sx, sy,
                           star_inner, antialiased=True, **kw))
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    img = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    return img, kind, style


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="Assets/eval-heldout")
    args = ap.parse_args(argv)
    rng = np.random.default_rng(SEED)
    os.makedirs(os.path.join(args.out, "images"), exist_ok=True)
    images, sentid = [], 0
    for shape in SHAPES:
        for colour in COLOURS:
            for count in COUNTS:
                img, kind, style = render(shape, colour, count, rng)
                ext = "png" if rng.random() < 0.3 else "jpg"
                name = f"{shape}_{colour}_{count}.{ext}"
                path = os.path.join(args.out, "images", name)
                if ext == "png":
                    img.save(path, "PNG", optimize=True)
                else:
                    img.save(path, "JPEG", quality=int(rng.integers(60, 93)))
                s = Scene(shape, colour, count, "white")
                sents = []
                for lang in LANGS:
                    sents.append({"raw": CANONICAL[lang](s), "lang": lang, "sentid": sentid})
                    sentid += 1
                images.append({"filename": f"images/{name}", "split": "test", "imgid": len(images),
                               "sentids": [x["sentid"] for x in sents], "sentences": sents,
                               "scene": {"shape": shape, "colour": colour, "count": count,
                                         "background": kind, "style": style, "size": list(img.size)}})
    with open(os.path.join(args.out, "eval.json"), "w", encoding="utf-8") as f:
        json.dump({"dataset": "clipscope-demo-shapes-heldout", "images": images}, f, ensure_ascii=False, indent=1)
    print(f"wrote {len(images)} held-out pictures to {args.out}")


if __name__ == "__main__":
    main()
