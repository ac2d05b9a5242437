#!/usr/bin/env python3
"""Export a training checkpoint to Assets/models/demo and write the Swift conformance goldens.

  Assets/models/demo/config.json               jina-clip-v2 schema, demo sizes
  Assets/models/demo/preprocessor_config.json  size = image size, CLIP mean/std, shortest/bicubic
  Assets/models/demo/tokenizer.json            the pruned XLM-R tokenizer
  Assets/models/demo/model.safetensors         F16, PLAIN MERGED layout (see model.py)
  Tests/Fixtures/demo/expected.json            ids + FP32 embeddings of the exported (F16) weights

The goldens are computed by reloading the exported directory (F16 -> FP32), so they are exactly what an
FP32 implementation of the exported files must produce. With --reference PATH (the independent NumPy
float64 implementation, jina_clip_v2_reference.py, not part of this repository) they are cross-checked
against it; without it the cross-check is skipped.

  python3 Tools/demo-model/export.py --ckpt /tmp/clipscope-demo/ckpt.pt --tokenizer /tmp/clipscope-demo/tokenizer.json \
      [--root .] [--reference PATH/jina_clip_v2_reference.py]
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import sys

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from captions import QUERY_PREFIX  # noqa: E402
from evaluate import load_tokenizer, tokenize  # noqa: E402
from model import load_model_dir, preprocess_image, write_safetensors  # noqa: E402
from train import MEAN, STD  # noqa: E402

GOLDEN_TEXTS = [  # (text, task)
    ("a red triangle", None),
    ("two blue stars on a gray background", None),
    ("红色的三角形", None),
    ("un triángulo rojo", None),
    ("zwei grüne Kreise", None),
    ("что-то жёлтое", None),
    ("مثلث أحمر", None),
    ("二つの白いハート", None),
    ("तीन नीले तारे", None),
    ("une étoile jaune", "retrieval.query"),
]
GOLDEN_IMAGES = ["00_red_triangle.png", "01_red_triangle_x2.jpg", "12_yellow_star.png", "21_white_moon_x2.jpg"]


def export_model(ckpt, tokenizer, out_dir):
    state = ckpt["state_dict"]
    config = ckpt["config"]
    os.makedirs(out_dir, exist_ok=True)
    tensors = {k: v.detach().float().numpy().astype(np.float16) for k, v in state.items()}
    write_safetensors(os.path.join(out_dir, "model.safetensors"), tensors,
                      {"format": "pt", "producer": "ClipScope Tools/demo-model/export.py", "step": str(ckpt["step"])})
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    pre = {"auto_map": {"AutoImageProcessor": "jinaai/jina-clip-implementation--processing_clip.JinaCLIPImageProcessor",
                        "AutoProcessor": "jinaai/jina-clip-implementation--processing_clip.JinaCLIPProcessor"},
           "fill_color": 0, "image_processor_type": "JinaCLIPImageProcessor", "interpolation": "bicubic",
           "mean": MEAN, "processor_class": "JinaCLIPProcessor", "resize_mode": "shortest",
           "size": config["vision_config"]["image_size"], "std": STD}
    with open(os.path.join(out_dir, "preprocessor_config.json"), "w") as f:
        json.dump(pre, f, indent=2)
    shutil.copyfile(tokenizer, os.path.join(out_dir, "tokenizer.json"))
    return tensors


def goldens(model_dir, demo_dir, out_path, repo_root):
    model = load_model_dir(model_dir)
    cfg = model.config
    dims = cfg["matryoshka_dimensions"]
    pre = json.load(open(os.path.join(model_dir, "preprocessor_config.json")))
    tok = load_tokenizer(os.path.join(model_dir, "tokenizer.json"))
    texts = []
    with torch.no_grad():
        for text, task in GOLDEN_TEXTS:
            full = (QUERY_PREFIX if task else "") + text
            ids = tokenize(tok, [full])
            raw = model.text_model(ids)
            texts.append({"text": text, "task": task, "input_ids": ids[0].tolist(),
                          "embedding": model.encode_text(ids)[0].tolist(),
                          f"embedding_trunc{dims[0]}": model.encode_text(ids, dims[0])[0].tolist(),
                          "raw_features": raw[0].tolist()})
        images = []
        for name in GOLDEN_IMAGES:
            path = os.path.join(demo_dir, name)
            pix = torch.from_numpy(preprocess_image(Image.open(path), pre["size"], pre["mean"], pre["std"]))[None]
            images.append({"file": os.path.relpath(path, repo_root),
                           "embedding": model.encode_image(pix)[0].tolist(),
                           f"embedding_trunc{dims[0]}": model.encode_image(pix, dims[0])[0].tolist(),
                           "raw_features": model.vision_model(pix)[0].tolist()})
    doc = {
        "description": "Golden outputs of the bundled demo model (Assets/models/demo) for the Swift conformance "
                       "test. Computed by Tools/demo-model/export.py with the PyTorch model of Tools/demo-model/model.py in "
                       "FP32 from the exported F16 weights (upcast). Texts: input_ids from the model's tokenizer.json "
                       "(<s> ... </s>, no padding, max_length 512); task 'retrieval.query' means the instruction "
                       "prefix was prepended to `text` before tokenizing. Images: file relative to the repository "
                       "root, decoded with Pillow, resized shortest side to `image_size` (PIL bicubic) and "
                       "centre-cropped, CLIP mean/std. `embedding` = L2-normalized full-dimension vector, "
                       f"`embedding_trunc{dims[0]}` = first {dims[0]} dims then L2-normalized, `raw_features` = "
                       "mean-pooled text / CLS image features before normalization.",
        "model": os.path.relpath(model_dir, repo_root),
        "weights_dtype": "F16",
        "dim": cfg["projection_dim"],
        "matryoshka_dimensions": dims,
        "image_size": pre["size"],
        "query_prefix": QUERY_PREFIX,
        "tolerance": {"input_ids": "exact", "embedding": 1e-5, f"embedding_trunc{dims[0]}": 1e-5,
                      "raw_features": 1e-4},
        "texts": texts,
        "images": images,
    }
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    with open(out_path, "w", encoding="utf-8") as f:
        f.write(_compact_json(doc))
    return doc


def _compact_json(doc) -> str:
    """Indented JSON with every number list on one line."""
    import re
    text = json.dumps(doc, ensure_ascii=False, indent=1)
    return re.sub(r"\[\s*([-0-9.eE+,\s]+?)\s*\]", lambda m: "[" + ", ".join(x.strip() for x in m.group(1).split(",")) + "]", text) + "\n"


def cross_check(model_dir, doc, repo_root, reference):
    """Independent NumPy float64 reference on the exported folder vs the goldens."""
    if not reference:
        print("no --reference given; NumPy cross-check skipped")
        return
    if not os.path.isfile(reference):
        raise SystemExit(f"export: --reference {reference}: no such file")
    spec = importlib.util.spec_from_file_location("ref", reference)
    ref = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ref)
    r = ref.JinaClipV2Reference(model_dir)
    worst = 0.0
    for t in doc["texts"]:
        ids = r.tokenize(r.instruction(t["task"]) + t["text"] if t["task"] else t["text"])
        assert list(ids) == t["input_ids"], (t["text"], ids, t["input_ids"])
        e = ref.l2_normalize(r.text_features([ids]))[0]
        worst = max(worst, float(np.abs(e - np.asarray(t["embedding"])).max()))
    for im in doc["images"]:
        e = r.encode_image([os.path.join(repo_root, im["file"])])[0]
        worst = max(worst, float(np.abs(e - np.asarray(im["embedding"])).max()))
    print(f"NumPy reference vs goldens: ids identical, max |diff| of normalized embeddings = {worst:.2e}")


def main(argv=None):
    ap = argparse.ArgumentParser(description="Export a training checkpoint to Assets/models/demo and write "
                                             "Tests/Fixtures/demo/expected.json.")
    ap.add_argument("--ckpt", required=True, help="checkpoint written by train.py")
    ap.add_argument("--tokenizer", required=True, help="pruned tokenizer.json written by prune_tokenizer.py")
    ap.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."),
                    help="repository root (default: two folders above this script)")
    ap.add_argument("--reference", default=os.environ.get("JCV2_REFERENCE"),
                    help="jina_clip_v2_reference.py (NumPy float64) to cross-check the goldens; "
                         "default $JCV2_REFERENCE, else skipped")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    root = os.path.abspath(args.root)
    model_dir = os.path.join(root, "Assets/models/demo")
    ckpt = torch.load(args.ckpt, map_location="cpu", weights_only=False)
    export_model(ckpt, args.tokenizer, model_dir)
    size = sum(os.path.getsize(os.path.join(model_dir, f)) for f in os.listdir(model_dir))
    print(f"exported step {ckpt['step']} to {model_dir} ({size / 1e6:.2f} MB)")
    doc = goldens(model_dir, os.path.join(root, "Assets/demo"), os.path.join(root, "Tests/Fixtures/demo/expected.json"), root)
    cross_check(model_dir, doc, root, args.reference)


if __name__ == "__main__":
    main()
