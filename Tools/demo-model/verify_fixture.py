#!/usr/bin/env python3
"""Check model.py against the official outputs in Tests/Fixtures/jina-clip-v2-tiny (tolerance 1e-5).

Loads the fixture checkpoint (official layout, LoRA merged at load), runs the padded text batch and the
four PNG pixel tensors, and compares normalized / truncated / query embeddings; also checks that
`preprocess_image` reproduces the fixture's pixel_values bit-exactly.

  python3 Tools/demo-model/verify_fixture.py [Tests/Fixtures/jina-clip-v2-tiny]
"""
import json
import os
import sys

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import load_model_dir, preprocess_image  # noqa: E402


def main(argv):
    if argv[1:2] in (["-h"], ["--help"]):
        print(__doc__.strip())
        return 0
    here = os.path.dirname(os.path.abspath(__file__))
    fx = argv[1] if len(argv) > 1 else os.path.join(here, "..", "..", "Tests", "Fixtures", "jina-clip-v2-tiny")
    npy = lambda n: np.load(os.path.join(fx, n))  # noqa: E731
    pre = json.load(open(os.path.join(fx, "preprocessor_config.json")))
    ok = True

    def report(label, got, want, tol=1e-5):
        nonlocal ok
        d = float(np.abs(np.asarray(got, np.float64) - want).max())
        ok &= d <= tol
        print(f"{'OK ' if d <= tol else 'BAD'} {label:32s} max|diff| = {d:.2e} (tol {tol:g})")

    torch.set_num_threads(1)
    for weights in ("model.safetensors", "model.f32.safetensors"):
        m = load_model_dir(fx, weights)
        with torch.no_grad():
            ids = torch.from_numpy(npy("texts_input_ids_padded.npy").astype(np.int64))
            raw = m.text_model(ids)
            report(f"{weights} text raw", raw, npy("text_raw_features.npy"))
            report(f"{weights} text emb", m.encode_text(ids), npy("text_embeddings.npy"))
            for d in (16, 32):
                report(f"{weights} text trunc{d}", m.encode_text(ids, d), npy(f"text_embeddings_trunc{d}.npy"))
            q = [torch.from_numpy(npy(f"text_{i}_query_input_ids.npy").astype(np.int64))[None] for i in range(6)]
            qe = torch.cat([m.encode_text(t) for t in q])
            report(f"{weights} text query emb", qe, npy("text_query_embeddings.npy"))
            pix = torch.from_numpy(np.stack([npy(f"image_{i}_pixel_values.npy") for i in range(4)]))
            report(f"{weights} image raw", m.vision_model(pix), npy("image_raw_features.npy"), 2e-5)
            report(f"{weights} image emb", m.encode_image(pix), npy("image_embeddings.npy"))
            for d in (16, 32):
                report(f"{weights} image trunc{d}", m.encode_image(pix, d), npy(f"image_embeddings_trunc{d}.npy"))
    names = ["image_0_landscape_97x71.png", "image_1_portrait_50x83.png", "image_2_gray_64x80.png",
             "image_3_rgba_120x60.png"]
    for i, n in enumerate(names):
        pv = preprocess_image(Image.open(os.path.join(fx, n)), pre["size"], pre["mean"], pre["std"])
        report(f"preprocess {n}", pv, npy(f"image_{i}_pixel_values.npy"), 0.0)
    print("ALL OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
