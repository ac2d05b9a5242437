# Regenerates pillow_resize/*.npy: Pillow's own bicubic resize + center crop (the torchvision
# Resize(S) / CenterCrop(S) arithmetic) of synthetic RGB images, and a few plain resizes, as ground truth for the Swift
# resampler. Inputs are not stored: pixel i of the flattened HWC array is
# ((i * 1103515245 + 12345) >> 16) & 255 ("noise") or, for "smooth" cases, a gradient
# (x * 255 // max(w-1,1) for R, y * 255 // max(h-1,1) for G, (x + y) & 255 for B);
# ImagingTests regenerates them the same way.  Run: python3 make_pillow_resize.py (Pillow 13.0.0 used).
import json, os
import numpy as np
from PIL import Image

CASES = [  # (w, h, S, kind)
    (97, 71, 60, "noise"), (50, 83, 60, "noise"), (1, 300, 32, "noise"), (300, 1, 32, "noise"),
    (7, 5, 64, "noise"), (640, 480, 224, "smooth"), (123, 457, 100, "noise"), (2, 2, 37, "noise"),
    (1000, 3, 16, "noise"), (33, 33, 33, "noise"), (33, 40, 33, "noise"), (40, 33, 33, "noise"),
    (2000, 1500, 60, "smooth"), (1501, 999, 61, "noise"), (5, 997, 19, "smooth"), (1023, 769, 256, "noise"),
    # tall downscales: Pillow 13 runs the vertical pass first here
    (300, 800, 64, "noise"), (90, 250, 40, "smooth"), (47, 301, 13, "noise"),
]

# Plain resizes (w, h) -> (nw, nh), no crop: both sides of Pillow 13's pass-order rule
# (vertical first iff dy = h - nh > 0 and dy > 2 * (w - nw)).
RESIZES = [
    (40, 50, 30, 29), (40, 50, 30, 30), (40, 50, 30, 31), (20, 60, 25, 10), (60, 20, 10, 25),
    (31, 17, 11, 29), (64, 64, 100, 20), (64, 64, 20, 100), (9, 7, 1, 1),
]

def make(w, h, kind):
    if kind == "noise":
        i = np.arange(w * h * 3, dtype=np.int64)
        return (((i * 1103515245 + 12345) >> 16) & 255).astype(np.uint8).reshape(h, w, 3)
    y, x = np.mgrid[0:h, 0:w]
    r = x * 255 // max(w - 1, 1); g = y * 255 // max(h - 1, 1); b = (x + y) & 255
    return np.stack([r, g, b], axis=-1).astype(np.uint8)

def preprocess(arr, size):
    im = Image.fromarray(arr, "RGB")
    w, h = im.size
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = size, int(size * long / short)
    nw, nh = (new_short, new_long) if w <= h else (new_long, new_short)
    if (nw, nh) != (w, h):
        im = im.resize((nw, nh), Image.BICUBIC)
    top = int(round((nh - size) / 2.0)); left = int(round((nw - size) / 2.0))
    return np.asarray(im.crop((left, top, left + size, top + size)))

here = os.path.dirname(os.path.abspath(__file__))
index = []
for w, h, s, kind in CASES:
    name = f"{kind}_{w}x{h}_to_{s}.npy"
    np.save(os.path.join(here, "pillow_resize", name), preprocess(make(w, h, kind), s))
    index.append({"file": name, "width": w, "height": h, "size": s, "kind": kind})
resizes = []
for w, h, nw, nh in RESIZES:
    name = f"resize_noise_{w}x{h}_to_{nw}x{nh}.npy"
    out = np.asarray(Image.fromarray(make(w, h, "noise"), "RGB").resize((nw, nh), Image.BICUBIC))
    np.save(os.path.join(here, "pillow_resize", name), out)
    resizes.append({"file": name, "width": w, "height": h, "outWidth": nw, "outHeight": nh})
with open(os.path.join(here, "pillow_resize", "cases.json"), "w") as f:
    json.dump({"crops": index, "resizes": resizes}, f, indent=1)
