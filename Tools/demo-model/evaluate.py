#!/usr/bin/env python3
"""Recall@1/5/10 (text->image, image->text) per language and Matryoshka dimension on a Karpathy-format set.

Dataset: `images[].filename` (relative to the JSON), `images[].split`, `images[].sentences[].raw`, optional
`sentences[].lang`. t2i: a caption is a hit at K when its own image is among the K nearest images.
i2t: an image is a hit at K when any of its captions (of that language) is among the K nearest captions.
Texts are encoded as documents (no instruction prefix), images with the model's preprocessing.

  python3 Tools/demo-model/evaluate.py --model Assets/models/demo --dataset Assets/eval/eval.json [--json]
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np
import torch
from PIL import Image
from tokenizers import Tokenizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import PAD_ID, load_model_dir, preprocess_image  # noqa: E402


def tokenize(tok: Tokenizer, texts, max_length=512):
    encs = tok.encode_batch(texts)
    ids = [e.ids[: max_length - 1] + ([2] if len(e.ids) > max_length else []) for e in encs]
    S = max(len(i) for i in ids)
    out = np.full((len(ids), S), PAD_ID, np.int64)
    for r, i in enumerate(ids):
        out[r, : len(i)] = i
    return torch.from_numpy(out)


def load_tokenizer(path) -> Tokenizer:
    tok = Tokenizer.from_file(path)
    tok.no_truncation()
    tok.no_padding()
    return tok


@torch.no_grad()
def raw_features(model, tok, texts, pixels, batch=256):
    t = torch.cat([model.text_model(tokenize(tok, texts[i:i + batch])) for i in range(0, len(texts), batch)])
    v = torch.cat([model.vision_model(pixels[i:i + batch]) for i in range(0, len(pixels), batch)])
    return t, v


def recall_table(t_raw, v_raw, text_img, text_lang, dims, ks=(1, 5, 10)):
    """Rows {lang, dims, t2i{r1,r5,r10}, i2t{...}} for every language (and 'all') and dimension."""
    rows = []
    text_img = np.asarray(text_img)
    langs = sorted(set(text_lang))
    n_img = v_raw.shape[0]
    for lang in langs + (["all"] if len(langs) > 1 else []):
        sel = np.array([lang == "all" or l == lang for l in text_lang])
        for d in dims:
            t = torch.nn.functional.normalize(t_raw[sel, :d], dim=-1)
            v = torch.nn.functional.normalize(v_raw[:, :d], dim=-1)
            sim = (t @ v.T).numpy()                                   # [T, I]
            gold = text_img[sel]
            rank_t2i = (sim > sim[np.arange(len(gold)), gold][:, None]).sum(1)   # 0 = top
            # i2t: best rank among the image's own captions
            order = np.argsort(-sim.T, axis=1, kind="stable")         # [I, T]
            pos = np.empty_like(order)
            pos[np.arange(n_img)[:, None], order] = np.arange(order.shape[1])[None, :]
            best = np.full(n_img, np.inf)
            for ti, ii in enumerate(gold):
                best[ii] = min(best[ii], pos[ii, ti])
            has = np.isfinite(best)
            rows.append({"lang": lang, "dims": int(d),
                         "t2i": {f"r{k}": float((rank_t2i < k).mean()) for k in ks},
                         "i2t": {f"r{k}": float((best[has] < k).mean()) for k in ks}})
    return rows


def load_dataset(path, split="test"):
    data = json.load(open(path, encoding="utf-8"))
    root = os.path.dirname(os.path.abspath(path))
    files, texts, text_img, text_lang = [], [], [], []
    for im in data["images"]:
        if im.get("split", split) != split:
            continue
        for s in im["sentences"]:
            texts.append(s["raw"])
            text_img.append(len(files))
            text_lang.append(s.get("lang", "all"))
        files.append(os.path.join(root, im["filename"]))
    return files, texts, text_img, text_lang


def evaluate(model, tok, dataset, dims, preproc):
    files, texts, text_img, text_lang = load_dataset(dataset)
    size, mean, std = preproc["size"], preproc["mean"], preproc["std"]
    pix = torch.from_numpy(np.stack([preprocess_image(Image.open(f), size, mean, std) for f in files]))
    t, v = raw_features(model, tok, texts, pix)
    return recall_table(t, v, text_img, text_lang, dims)


SHAPE_LABELS = {"circle": "a circle", "square": "a square", "triangle": "a triangle", "star": "a star",
                "heart": "a heart", "moon": "a moon"}           # the explorer's labels view wording
COLOUR_LABELS = {c: f"something {c}" for c in ("red", "green", "blue", "yellow", "purple", "orange", "black", "white")}


@torch.no_grad()
def label_accuracy(model, tok, dataset, dims, preproc):
    """Zero-shot labels (image->text): share of pictures whose own shape / colour label ranks first. Labels are
    embedded as documents (no instruction prefix), as the explorer's labels view embeds its rows."""
    data = json.load(open(dataset, encoding="utf-8"))
    root = os.path.dirname(os.path.abspath(dataset))
    ims = [im for im in data["images"] if "scene" in im]
    size, mean, std = preproc["size"], preproc["mean"], preproc["std"]
    pix = torch.from_numpy(np.stack([preprocess_image(Image.open(os.path.join(root, im["filename"])), size, mean, std)
                                     for im in ims]))
    out = []
    for key, table in (("shape", SHAPE_LABELS), ("colour", COLOUR_LABELS)):
        names = list(table)
        t, v = raw_features(model, tok, [table[n] for n in names], pix)
        gold = np.array([names.index(im["scene"][key]) for im in ims])
        for d in dims:
            sim = torch.nn.functional.normalize(v[:, :d], dim=-1) @ torch.nn.functional.normalize(t[:, :d], dim=-1).T
            out.append({"labels": key, "dims": int(d), "top1": float((sim.argmax(1).numpy() == gold).mean())})
    return out


def format_table(rows) -> str:
    out = ["| lang | dims | t2i R@1 | t2i R@5 | t2i R@10 | i2t R@1 | i2t R@5 | i2t R@10 |",
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        t, i = r["t2i"], r["i2t"]
        out.append(f"| {r['lang']} | {r['dims']} | {t['r1']:.3f} | {t['r5']:.3f} | {t['r10']:.3f} | "
                   f"{i['r1']:.3f} | {i['r5']:.3f} | {i['r10']:.3f} |")
    return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="Assets/models/demo")
    ap.add_argument("--dataset", default="Assets/eval/eval.json")
    ap.add_argument("--dims", default=None, help="comma list; default: matryoshka_dimensions")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    model = load_model_dir(args.model)
    cfg = model.config
    dims = [int(x) for x in args.dims.split(",")] if args.dims else cfg["matryoshka_dimensions"]
    preproc = json.load(open(os.path.join(args.model, "preprocessor_config.json")))
    tok = load_tokenizer(os.path.join(args.model, "tokenizer.json"))
    rows = evaluate(model, tok, args.dataset, dims, preproc)
    labels = label_accuracy(model, tok, args.dataset, dims, preproc)
    if args.json:
        print(json.dumps({"model": args.model, "dataset": args.dataset, "rows": rows, "labels": labels}, indent=1))
    else:
        print(format_table(rows))
        print("\nlabels view (image->text, top-1 of " + ", ".join(f"{k} {v}" for k, v in
              (("shape", len(SHAPE_LABELS)), ("colour", len(COLOUR_LABELS)))) + " labels):")
        for r in labels:
            print(f"| {r['labels']} | {r['dims']} | {r['top1']:.3f} |")


if __name__ == "__main__":
    main()
