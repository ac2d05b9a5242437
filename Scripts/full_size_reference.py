#!/usr/bin/env python3
"""Expected outputs for a full-size model directory, from the NumPy float64 reference implementation.

    python3 Scripts/full_size_reference.py /tmp/jcv2-random --reference PATH/jina_clip_v2_reference.py

Writes DIR/reference/: texts.json (texts, ids, query ids), text_embeddings.npy [n, 1024],
text_query_embeddings.npy [n, 1024], image_pixel_values.npy [1, 3, S, S] (random, seed 7),
image_embedding.npy [1, 1024]. The env-gated Swift test (CLIPSCOPE_FULL_MODEL_DIR=DIR swift test
--filter FullSizeTests) compares ClipScope's embeddings with these. Needs numpy and tokenizers.
"""
import argparse
import importlib.util
import json
import os
import sys
import time

import numpy as np

TEXTS = [
    "a photo of a cat",
    "Ein Hund läuft über die Straße zum Bahnhof.",
    "一只蓝色的猫坐在红色的垫子上。",
    "I ❤️ pizza 🍕 and my family!",
]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir")
    ap.add_argument("--reference", required=True, help="path to jina_clip_v2_reference.py")
    ap.add_argument("--skip-image", action="store_true")
    a = ap.parse_args(argv)
    spec = importlib.util.spec_from_file_location("jcv2ref", a.reference)
    ref = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ref)
    m = ref.JinaClipV2Reference(a.model_dir)
    out = os.path.join(a.model_dir, "reference")
    os.makedirs(out, exist_ok=True)
    t = time.time()
    e, ids = m.encode_text(TEXTS, return_ids=True)
    q, qids = m.encode_text(TEXTS, task="retrieval.query", return_ids=True)
    np.save(os.path.join(out, "text_embeddings.npy"), e.astype(np.float32))
    np.save(os.path.join(out, "text_query_embeddings.npy"), q.astype(np.float32))
    with open(os.path.join(out, "texts.json"), "w", encoding="utf-8") as f:
        json.dump({"texts": TEXTS, "ids": ids, "query_ids": qids}, f, ensure_ascii=False)
    print(f"text: {time.time() - t:.1f}s")
    if not a.skip_image:
        s = m.vision_config["image_size"]
        pv = np.random.default_rng(7).uniform(-1.8, 2.2, size=(1, 3, s, s)).astype(np.float32)
        t = time.time()
        img = ref.l2_normalize(m.image_features(pv))
        np.save(os.path.join(out, "image_pixel_values.npy"), pv)
        np.save(os.path.join(out, "image_embedding.npy"), img.astype(np.float32))
        print(f"image: {time.time() - t:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
