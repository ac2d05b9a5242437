#!/usr/bin/env python3
"""Rank Assets/demo for a few multilingual queries at the smallest and the full Matryoshka dimension.

Prints the top 3 files per query and dimension, and the mean top-5 overlap between the two rankings
(how much truncation changes what the explorer shows); whether the labels view puts each picture's own
shape first; and the cross-lingual view's agreement for its built-in demo intent (the same rows as
`ExplorerModelBackend.suggestedCrossLingual`, embedded with the query prefix as that view does): the mean
pairwise overlap of the rows' top 5 at each dimension.

  python3 Tools/demo-model/demo_queries.py [--model Assets/models/demo] [--images Assets/demo]
"""
import argparse
import glob
import json
import os
import sys

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from captions import QUERY_PREFIX  # noqa: E402
from evaluate import SHAPE_LABELS, load_tokenizer, tokenize  # noqa: E402
from model import load_model_dir, preprocess_image  # noqa: E402

QUERIES = ["蓝色的星星", "a red triangle", "红色的三角形", "un triángulo rojo", "مثلث أحمر", "zwei blaue Sterne",
           "что-то жёлтое", "三つの白い星", "तीन सफ़ेद दिल", "un cœur rouge", "a yellow moon", "something green",
           "two black squares"]
CROSS_LINGUAL = ["two blue stars", "两颗蓝色的星星", "dos estrellas azules", "نجمتان زرقاوان", "दो नीले तारे",
                 "две синие звезды", "二つの青い星", "zwei blaue Sterne"]


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="Assets/models/demo")
    ap.add_argument("--images", default="Assets/demo")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    model = load_model_dir(args.model)
    dims = model.config["matryoshka_dimensions"]
    pre = json.load(open(os.path.join(args.model, "preprocessor_config.json")))
    tok = load_tokenizer(os.path.join(args.model, "tokenizer.json"))
    files = sorted(glob.glob(os.path.join(args.images, "*.png")) + glob.glob(os.path.join(args.images, "*.jpg")))
    pix = torch.from_numpy(np.stack([preprocess_image(Image.open(f), pre["size"], pre["mean"], pre["std"]) for f in files]))
    names = [os.path.basename(f) for f in files]
    overlaps = []
    with torch.no_grad():
        for q in QUERIES:
            ids = tokenize(tok, [q])
            tops = {}
            for d in (dims[0], dims[-1]):
                sim = (model.encode_text(ids, d) @ model.encode_image(pix, d).T)[0].numpy()
                tops[d] = list(np.argsort(-sim, kind="stable"))
            overlaps.append(len(set(tops[dims[0]][:5]) & set(tops[dims[-1]][:5])) / 5)
            for d in (dims[-1], dims[0]):
                print(f"{q:22s} dim {d:4d}: " + ", ".join(names[i] for i in tops[d][:3]))
    print(f"mean top-5 overlap between dim {dims[0]} and dim {dims[-1]}: {np.mean(overlaps):.2f}")
    # labels view: does the picture's own shape label rank first among the six shape labels?
    shapes = list(SHAPE_LABELS)
    with torch.no_grad():
        for d in (dims[-1], dims[0]):
            t = model.encode_text(tokenize(tok, [SHAPE_LABELS[s] for s in shapes]), d)
            best = (model.encode_image(pix, d) @ t.T).argmax(1).numpy()
            wrong = [f"{n} -> {shapes[b]}" for n, b in zip(names, best) if shapes[b] not in n]
            print(f"labels view, dim {d}: right shape first for {len(names) - len(wrong)}/{len(names)} pictures"
                  + (": wrong " + ", ".join(wrong) if wrong else ""))

    with torch.no_grad():
        for d in dims:
            sim = (model.encode_text(tokenize(tok, [QUERY_PREFIX + q for q in CROSS_LINGUAL]), d)
                   @ model.encode_image(pix, d).T).numpy()
            tops = [set(np.argsort(-row, kind="stable")[:5]) for row in sim]
            pairs = [len(a & b) / 5 for i, a in enumerate(tops) for b in tops[i + 1:]]
            print(f"cross-lingual view, dim {d}: agreement (mean pairwise overlap@5 of {len(tops)} languages) "
                  f"{np.mean(pairs):.2f}")


if __name__ == "__main__":
    main()
