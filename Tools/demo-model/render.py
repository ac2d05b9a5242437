"""Shape geometry, backgrounds and the two training rasterisers of the demo model.

A scene is drawn from a *layout*: per copy of the shape a centre (cx, cy), a size r (circumradius, in
pixels), a rotation, an aspect squash (sx, sy) and a style (filled, outlined or thick stroke with a
stroke width). Geometry is the same for every rasteriser: `outline(shape, ...)` gives the closed boundary
polygon (the moon is the crescent between two circles), in pixel coordinates.

Hearts come in two constructions (`heart_variant`): the parametric 16 sin^3 t curve and `lobed_heart`
(two lobe circles, sides from the tip tangent to them, straight or bowed), with random lobe size, notch depth,
tip length and bow, so that no single heart curve carries the label.

Rasterisers used for training (each picture picks one):
  * `raster_pillow` - Pillow ImageDraw polygons / ellipses on a 1x-3x supersampled mask, box downsample;
  * `raster_sdf`    - NumPy signed distance to the boundary polygon, evaluated on a 2x2 (or 3x3)
                      supersampling grid, coverage = clip(0.5 - d, 0, 1) per sample.
The held-out generalisation set uses a third, independent one (matplotlib Agg, `heldout.py`) and
backgrounds that these functions never produce.

Backgrounds (training): plain, linear gradient between two colours, pixel noise, smooth "photo-like"
value noise at several scales, and tints of the shape's own colour family (lighter or darker, so the
shape stays visible). Photometric: shade jitter, Gaussian blur, JPEG quality 20-95, 48-1024 px.
"""
from __future__ import annotations

import io
import math

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

RGB = {"red": (220, 30, 35), "green": (40, 170, 60), "blue": (35, 80, 215), "yellow": (245, 210, 30),
       "purple": (135, 50, 175), "orange": (245, 130, 25), "black": (20, 20, 22), "white": (248, 248, 248)}
PLAIN_BG = {"white": (240, 240, 236), "gray": (135, 135, 138), "black": (28, 28, 32)}


# ---------------------------------------------------------------- geometry

def lobed_heart(rho, k, tip, bulge, n=72):
    """Heart of two lobe circles and two sides, in units of r, tip down (+y), centred on its bounding box:
    lobe circles of radius rho centred at (+-k*rho, 0) (they cross at x = 0, k < 1 sets the notch depth),
    tip at (0, tip), each side runs from the tip to its tangent point on the lobe, bowed outwards by
    bulge * its length (quadratic curve; bulge < 0 bows inwards). Scaled so the larger half-extent is 0.92."""
    c = k * rho
    pts_right = []
    tx, ty = 0.0, tip
    dist = math.hypot(tx - c, ty)
    to_tip = math.atan2(ty, tx - c)               # direction from the right lobe's centre to the tip
    gap = math.acos(min(1.0, rho / dist))         # angle at the centre between the tip and a tangent point
    a_p = max((to_tip + gap, to_tip - gap), key=lambda a: math.cos(a))   # the outer tangent point
    px, py = c + rho * math.cos(a_p), rho * math.sin(a_p)
    a_n = math.atan2(-math.sqrt(max(rho * rho - c * c, 0.0)), -c)   # the upper crossing of the two lobes
    # side: tip -> tangent point, bowed outwards
    m = n // 4
    mx, my = (tx + px) / 2, (ty + py) / 2
    ln = math.hypot(px - tx, py - ty)
    nx, ny = (py - ty) / ln, -(px - tx) / ln      # unit normal pointing away from the axis
    if nx < 0:
        nx, ny = -nx, -ny
    qx, qy = mx + 2 * bulge * ln * nx, my + 2 * bulge * ln * ny
    for i in range(m):
        u = i / m
        pts_right.append(((1 - u) ** 2 * tx + 2 * u * (1 - u) * qx + u * u * px,
                          (1 - u) ** 2 * ty + 2 * u * (1 - u) * qy + u * u * py))
    # lobe arc from the tangent point (angle a_p) round the outside and the top to the notch (angle a_n)
    a_end = a_n
    while a_end > a_p:
        a_end -= 2 * math.pi
    for i in range(n // 2 + 1):
        a = a_p + (a_end - a_p) * i / (n // 2)
        pts_right.append((c + rho * math.cos(a), rho * math.sin(a)))
    pts = pts_right + [(-x, y) for x, y in reversed(pts_right[1:-1])]
    xs, ys = [x for x, _ in pts], [y for _, y in pts]
    cy0 = (min(ys) + max(ys)) / 2
    half = max(max(xs), (max(ys) - min(ys)) / 2)
    return [(x * 0.92 / half, (y - cy0) * 0.92 / half) for x, y in pts]


def heart_variant(rng):
    """Construction of a training heart: None (the parametric 16 sin^3 curve) with probability 1/3, else
    `lobed_heart` parameters (rho, k, tip, bulge) drawn uniformly."""
    if rng.random() < 1 / 3:
        return None
    return (float(rng.uniform(0.45, 0.6)), float(rng.uniform(0.5, 0.85)), float(rng.uniform(1.1, 1.6)),
            float(rng.uniform(-0.06, 0.12)))


def outline(shape, cx, cy, r, angle, sx=1.0, sy=1.0, star_inner=0.42, n=72, heart=None):
    """Closed boundary polygon [(x, y)] of one shape (r = circumradius in pixels). heart: None for the
    parametric heart curve, else `lobed_heart` parameters."""
    if shape == "circle":
        pts = [(math.cos(2 * math.pi * k / n) * r * 0.85, math.sin(2 * math.pi * k / n) * r * 0.85)
               for k in range(n)]
    elif shape == "square":
        pts = [(math.cos(math.pi / 4 + k * math.pi / 2) * r, math.sin(math.pi / 4 + k * math.pi / 2) * r)
               for k in range(4)]
    elif shape == "triangle":
        pts = [(math.cos(-math.pi / 2 + k * 2 * math.pi / 3) * r, math.sin(-math.pi / 2 + k * 2 * math.pi / 3) * r + 0.18 * r)
               for k in range(3)]
    elif shape == "star":
        pts = []
        for k in range(10):
            rr = r if k % 2 == 0 else r * star_inner
            a = -math.pi / 2 + k * math.pi / 5
            pts.append((math.cos(a) * rr, math.sin(a) * rr))
    elif shape == "heart" and heart is not None:
        pts = [(x * r, y * r) for x, y in lobed_heart(*heart, n=n)]
    elif shape == "heart":
        pts = []
        for k in range(n):
            t = 2 * math.pi * k / n
            x = 16 * math.sin(t) ** 3
            y = -(13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t))
            pts.append((x * r / 17, (y + 2) * r / 17))
    elif shape == "moon":
        # crescent: outer circle R=0.9r minus inner circle (0.78r) shifted right by 0.45r
        R, q, o = 0.9 * r, 0.78 * r, 0.45 * r
        xi = (R * R - q * q + o * o) / (2 * o)          # x of the two circle intersections
        a0 = math.acos(max(-1.0, min(1.0, xi / R)))
        b0 = math.acos(max(-1.0, min(1.0, (xi - o) / q)))
        pts = [(R * math.cos(a), R * math.sin(a)) for a in np.linspace(a0, 2 * math.pi - a0, n)]
        pts += [(o + q * math.cos(b), q * math.sin(b)) for b in np.linspace(2 * math.pi - b0, b0, n // 2)]
    else:
        raise ValueError(shape)
    ca, sa = math.cos(angle), math.sin(angle)
    return [(cx + (x * sx) * ca - (y * sy) * sa, cy + (x * sx) * sa + (y * sy) * ca) for x, y in pts]


def random_layout(count, size, rng, clip_ok=True, difficulty=1.0):
    """Per copy: dict(cx, cy, r, angle, sx, sy). Size: 15-90 % of the frame for one copy, smaller for more.
    difficulty < 1 (the training curriculum) narrows the size range towards the largest sizes and makes
    clipping, free rotation and squash rarer."""
    lo, hi = {1: (0.15, 0.90), 2: (0.15, 0.48), 3: (0.15, 0.38)}[count]
    lo = hi - (hi - lo) * (0.3 + 0.7 * difficulty)
    for _ in range(2000):
        ext = rng.uniform(lo, hi)                 # shape extent as a fraction of the frame
        r = ext / 2
        items = []
        for _ in range(count):
            rr = r * rng.uniform(0.85, 1.15) if count > 1 else r
            # a single copy may be off-centre and partly clipped (at most ~20 % of its extent)
            m = -0.2 * rr if (clip_ok and count == 1 and rng.random() < 0.3 * difficulty) else 0.02
            lo_c, hi_c = rr + m, 1 - rr - m
            if lo_c > hi_c:
                lo_c = hi_c = 0.5
            cx, cy = rng.uniform(lo_c, hi_c), rng.uniform(lo_c, hi_c)
            if all(math.hypot(cx - x, cy - y) > (rr + q) * 0.95 + 0.02 for x, y, q in items):
                items.append((cx, cy, rr))
        if len(items) == count:
            break
    else:
        raise RuntimeError("layout failed")
    base_angle = rng.uniform(-math.pi, math.pi) if rng.random() < 0.5 * difficulty else rng.uniform(-0.4, 0.4)
    out = []
    for cx, cy, rr in items:
        squash = rng.uniform(0.72, 1.0) if rng.random() < 0.4 * difficulty else 1.0
        sx, sy = (squash, 1.0) if rng.random() < 0.5 else (1.0, squash)
        out.append(dict(cx=cx * size, cy=cy * size, r=rr * size, angle=base_angle + rng.uniform(-0.15, 0.15),
                        sx=sx, sy=sy))
    return out


def random_style(rng, r_px, difficulty=1.0):
    """('fill', 0) or ('stroke', width in px); strokes are rarer at difficulty < 1."""
    u = rng.random()
    if u < 1.0 - 0.4 * difficulty:
        return "fill", 0.0
    if u < 1.0 - 0.2 * difficulty:
        return "stroke", max(1.5, r_px * rng.uniform(0.06, 0.12))
    return "stroke", max(2.0, r_px * rng.uniform(0.15, 0.28))


# ---------------------------------------------------------------- colours and backgrounds

def shade(colour, rng, amount=22):
    base = np.array(RGB[colour], np.float32)
    if colour in ("black", "white"):
        return np.clip(base + rng.integers(-amount, amount + 1), 0, 255)
    return np.clip(base + rng.integers(-amount, amount + 1, 3), 0, 255)


def _value_noise(size, rng, cells):
    g = rng.random((cells + 1, cells + 1)).astype(np.float32)
    im = Image.fromarray((g * 255).astype(np.uint8)).resize((size, size), Image.BICUBIC)
    return np.asarray(im, np.float32) / 255.0


def _contrast_ok(bg_mean, fg):
    return float(np.abs(np.asarray(bg_mean, np.float32) - fg).sum()) > 150


def _two_colours(fg, rng):
    """Two random background colours that both contrast with the shape colour fg."""
    for _ in range(50):
        a = rng.integers(0, 256, 3).astype(np.float32)
        b = np.clip(a + rng.integers(-110, 111, 3), 0, 255).astype(np.float32)
        if _contrast_ok(a, fg) and _contrast_ok(b, fg):
            return a, b
    g = np.array(PLAIN_BG["gray"], np.float32)
    return g, g


def busy_background(size, fg, rng):
    """A saturated, high-frequency background between two random colours (both contrasting with fg):
    "camo" (value noise at 6-30 cells, thresholded: irregular hard-edged patches), "scribble" (10-40 random
    lines and arcs) or "waves" (two crossed soft sinusoids). Meant to break the shortcut "the one coloured
    blob on a plain field": the shape must be told by its outline against structured clutter."""
    a, b = _two_colours(fg, rng)
    kind = ["camo", "scribble", "waves"][rng.integers(3)]
    if kind == "camo":
        t = (_value_noise(size, rng, int(rng.integers(6, 31))) > rng.uniform(0.4, 0.6)).astype(np.float32)
    elif kind == "scribble":
        im = Image.new("L", (size, size), 0)
        d = ImageDraw.Draw(im)
        for _ in range(int(rng.integers(10, 41))):
            w = max(1, int(size * rng.uniform(0.005, 0.03)))
            x0, y0, x1, y1 = (float(v) for v in rng.uniform(-0.1, 1.1, 4) * size)
            if rng.random() < 0.5:
                d.line([(x0, y0), (x1, y1)], fill=255, width=w)
            else:
                box = [min(x0, x1), min(y0, y1), max(x0, x1) + 1, max(y0, y1) + 1]
                d.arc(box, float(rng.uniform(0, 360)), float(rng.uniform(0, 360)), fill=255, width=w)
        t = np.asarray(im, np.float32) / 255.0
    else:
        yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
        t = np.zeros((size, size), np.float32)
        for _ in range(2):
            th, per = rng.uniform(0, math.pi), rng.uniform(0.05, 0.25)
            t += np.sin(2 * math.pi * (xx * math.cos(th) + yy * math.sin(th)) / per + rng.uniform(0, 6.3))
        t = np.clip(0.5 + 0.35 * t, 0, 1)
    return (a * (1 - t[..., None]) + b * t[..., None]).astype(np.float32)


def random_background(size, colour, fg, rng, difficulty=1.0, busy=0.0):
    """[size, size, 3] float32 background and its plain-colour name (white/gray/black) or None.
    At difficulty < 1 plain backgrounds are more frequent. busy: share of `busy_background`s (drawn before
    anything else, so busy=0 leaves the random stream of the other kinds unchanged)."""
    if busy > 0 and rng.random() < busy * difficulty:
        return busy_background(size, fg, rng), None
    kind = rng.choice(["plain", "plain", "gradient", "noise", "texture", "family"])
    if rng.random() > difficulty:
        kind = "plain"
    if kind == "plain" or kind == "noise":
        name = ["white", "gray", "black"][rng.integers(3)]
        if name == colour or not _contrast_ok(PLAIN_BG[name], fg):
            name = "gray" if colour in ("white", "black") else ("white" if colour != "yellow" else "black")
        base = np.array(PLAIN_BG[name], np.float32) + rng.integers(-14, 15)
        img = np.broadcast_to(base, (size, size, 3)).astype(np.float32)
        if kind == "noise":
            img = img + rng.normal(0, rng.uniform(4, 22), (size, size, 1 if rng.random() < 0.5 else 3))
        else:
            img = img + np.linspace(-1, 1, size, dtype=np.float32)[:, None, None] * rng.uniform(-12, 12)
        return img, name
    for _ in range(20):
        if kind == "family":      # the shape's own colour family, lighter or darker
            t = rng.uniform(0.45, 0.75)
            target = 255.0 if (rng.random() < 0.5 or colour == "black") and colour != "white" else 0.0
            a = fg * (1 - t) + target * t
            b = a + rng.integers(-20, 21, 3)
        else:
            a = rng.integers(0, 256, 3).astype(np.float32)
            b = rng.integers(0, 256, 3).astype(np.float32)
        if _contrast_ok(a, fg) and _contrast_ok(b, fg):
            break
    else:
        a = b = np.array(PLAIN_BG["gray" if colour in ("white", "black") else "white"], np.float32)
    if kind in ("gradient", "family"):
        th = rng.uniform(0, 2 * math.pi)
        yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / max(1, size - 1)
        t = np.clip((xx - 0.5) * math.cos(th) + (yy - 0.5) * math.sin(th) + 0.5, 0, 1)[..., None]
        img = a * (1 - t) + b * t
    else:                          # texture: value noise at two scales between a and b, plus grain
        t = 0.65 * _value_noise(size, rng, int(rng.integers(2, 6))) + 0.35 * _value_noise(size, rng, int(rng.integers(8, 24)))
        img = a * (1 - t[..., None]) + b * t[..., None]
        img = img + rng.normal(0, 5, (size, size, 1))
    return img.astype(np.float32), None


# ---------------------------------------------------------------- rasterisers

def raster_pillow(shape, layout, style, size, rng):
    """Coverage mask [size, size] in 0..1 drawn with ImageDraw on a supersampled canvas."""
    ss = 3 if size <= 160 else 2 if size <= 512 else 1
    big = size * ss
    mask = Image.new("L", (big, big), 0)
    d = ImageDraw.Draw(mask)
    for it in layout:
        kind, w = style
        r = it["r"] * ss
        cx, cy = it["cx"] * ss, it["cy"] * ss
        if shape == "circle" and it["sx"] == 1.0 and it["sy"] == 1.0:
            box = [cx - 0.85 * r, cy - 0.85 * r, cx + 0.85 * r, cy + 0.85 * r]
            if kind == "fill":
                d.ellipse(box, fill=255)
            else:
                d.ellipse(box, outline=255, width=max(1, int(round(w * ss))))
            continue
        pts = outline(shape, cx, cy, r, it["angle"], it["sx"], it["sy"], heart=it.get("heart"))
        if kind == "fill":
            d.polygon(pts, fill=255)
        else:
            d.line(pts + [pts[0], pts[1]], fill=255, width=max(1, int(round(w * ss))), joint="curve")
    if ss > 1:
        mask = mask.resize((size, size), Image.BOX)
    return np.asarray(mask, np.float32) / 255.0


def _polygon_sdf(px, py, pts):
    """Signed distance (negative inside, even-odd) from sample points to a closed polygon."""
    v = np.asarray(pts, np.float32)
    w = np.roll(v, -1, axis=0)
    dmin = np.full(px.shape, np.inf, np.float32)
    inside = np.zeros(px.shape, bool)
    for (ax, ay), (bx, by) in zip(v, w):
        ex, ey = bx - ax, by - ay
        wx, wy = px - ax, py - ay
        t = np.clip((wx * ex + wy * ey) / max(ex * ex + ey * ey, 1e-9), 0, 1)
        dx, dy = wx - ex * t, wy - ey * t
        np.minimum(dmin, dx * dx + dy * dy, out=dmin)
        cond = (ay > py) != (by > py)
        xint = ax + (py - ay) * ex / np.where(ey == 0, 1e-9, ey)
        inside ^= cond & (px < xint)
    d = np.sqrt(dmin)
    return np.where(inside, -d, d)


def raster_sdf(shape, layout, style, size, rng):
    """Coverage mask [size, size]: signed distance on an s x s sub-pixel grid, averaged."""
    s = 3 if size <= 128 else 2
    kind, w = style
    acc = np.zeros((size, size), np.float32)
    offs = (np.arange(s, dtype=np.float32) + 0.5) / s
    # bounding boxes keep the cost proportional to the shapes' area
    for it in layout:
        pts = outline(shape, it["cx"], it["cy"], it["r"], it["angle"], it["sx"], it["sy"], n=48,
                      heart=it.get("heart"))
        arr = np.asarray(pts)
        pad = w + 2
        x0, y0 = max(0, int(arr[:, 0].min() - pad)), max(0, int(arr[:, 1].min() - pad))
        x1, y1 = min(size, int(arr[:, 0].max() + pad) + 1), min(size, int(arr[:, 1].max() + pad) + 1)
        if x1 <= x0 or y1 <= y0:
            continue
        cov = np.zeros((y1 - y0, x1 - x0), np.float32)
        yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        for oy in offs:
            for ox in offs:
                d = _polygon_sdf(xx + ox, yy + oy, pts)
                if kind == "stroke":
                    d = np.abs(d) - w / 2
                cov += np.clip(0.5 - d, 0, 1)
        cov /= s * s
        np.maximum(acc[y0:y1, x0:x1], cov, out=acc[y0:y1, x0:x1])
    return acc


def compose(bg, mask, fg):
    img = bg * (1 - mask[..., None]) + fg[None, None, :] * mask[..., None]
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))


def photometric(img: Image.Image, rng, jpeg_p=0.5, q=(20, 95)):
    if rng.random() < 0.3:
        img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.5) * img.size[0] / 224))
    if rng.random() < jpeg_p:
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=int(rng.integers(q[0], q[1] + 1)))
        img = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    return img


def random_resolution(rng):
    u = rng.random()
    if u < 0.15:
        return int(rng.integers(48, 96))
    if u < 0.85:
        return int(rng.integers(96, 360))
    if u < 0.97:
        return int(rng.integers(360, 640))
    return int(rng.integers(640, 1025))


def render_train(shape, colour, count, rng, rasteriser=None, size=None, difficulty=1.0, return_mask=False,
                 busy=0.0, variant_rng=None):
    """One training picture: (PIL image, plain background name or None, rasteriser name), plus the shapes'
    coverage mask [size, size] in 0..1 as a fourth item with return_mask (dense training targets).
    difficulty in [0, 1]: 1 = the full variation above; lower values (the start of a training
    curriculum) draw larger, upright, filled shapes on plain backgrounds more often. busy: share of
    `busy_background`s. variant_rng: a heart's construction (`heart_variant`, the same for every copy) is
    drawn from this separate stream, so the other pictures of a cache stay as without it; None: the
    parametric curve only."""
    size = size or random_resolution(rng)
    fg = shade(colour, rng)
    bg, bg_name = random_background(size, colour, fg, rng, difficulty, busy)
    layout = random_layout(count, size, rng, difficulty=difficulty)
    if shape == "heart" and variant_rng is not None:
        v = heart_variant(variant_rng)
        for it in layout:
            it["heart"] = v
    style = random_style(rng, min(it["r"] for it in layout), difficulty)
    rasteriser = rasteriser or ("pillow" if rng.random() < 0.5 else "sdf")
    mask = (raster_pillow if rasteriser == "pillow" else raster_sdf)(shape, layout, style, size, rng)
    img = photometric(compose(bg, mask, fg), rng)
    return (img, bg_name, rasteriser, mask) if return_mask else (img, bg_name, rasteriser)
