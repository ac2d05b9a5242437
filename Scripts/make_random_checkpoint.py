#!/usr/bin/env python3
"""Write a FULL-SIZE random jina-clip-v2 checkpoint in the official layout, for benchmarks.

    python3 Scripts/make_random_checkpoint.py /tmp/jcv2-random [--seed 0] [--dtype F16|BF16|F32]

Writes DIR/model.safetensors (999 tensors of spec §5.2, LoRA parametrizations included, F16 by default,
~1.73 GB), DIR/config.json (the real jina-clip-v2 config: text sizes come from the jina-embeddings-v3
defaults, as in the published file), DIR/preprocessor_config.json and DIR/tokenizer.json (copied from
Tests/Fixtures/xlmr-tokenizer/). Weights are random (normal, std 0.02; LayerNorm weights ≈ 1), so the
embeddings mean nothing: this is for load time, memory and speed only. Never commit the output.
Only numpy is needed (the safetensors file is written by hand, streaming tensor by tensor).
"""
import argparse
import json
import os
import shutil
import struct
import sys

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CONFIG = {
    "_name_or_path": "jinaai/jina-clip-v2 (random weights, Scripts/make_random_checkpoint.py)",
    "add_projections": False,
    "architectures": ["JinaCLIPModel"],
    "initializer_factor": 1.0,
    "logit_scale_init_value": 2.6592,
    "matryoshka_dimensions": [32, 64, 128, 256, 512, 768, 1024],
    "model_type": "jina_clip",
    "projection_dim": 1024,
    "text_config": {
        "default_instruction_task": None,
        "default_lora_task": "retrieval.query",
        "embed_dim": 1024,
        "hf_model_config_kwargs": {
            "load_trained_adapters": False,
            "lora_adaptations": ["retrieval.query"],
            "lora_alpha": 4,
            "lora_dropout_p": 0.0,
            "lora_main_params_trainable": False,
            "lora_rank": 4,
            "task_instructions": {"retrieval.query": "Represent the query for retrieving evidence documents: "},
            "use_flash_attn": True,
        },
        "hf_model_name_or_path": "jinaai/jina-embeddings-v3",
        "model_type": "jina_clip_text",
        "pooler_type": "mean_pooler",
        "proj_bias": False,
        "proj_type": None,
    },
    "torch_dtype": "bfloat16",
    "truncate_dim": None,
    "use_text_flash_attn": None,
    "use_vision_xformers": None,
    "vision_config": {
        "embed_dim": 1024, "fused_layer_norm": False, "head_width": 64, "image_size": 512, "intp_freq": True,
        "layers": 24, "ls_init_value": None, "mlp_ratio": 2.6667, "model_type": "jina_clip_vision",
        "naive_swiglu": True, "patch_dropout": 0.1, "patch_size": 14, "post_norm": False, "proj_type": None,
        "pt_hw_seq_len": 16, "qkv_bias": True, "rope_embeddings": True, "subln": True, "width": 1024,
        "x_attention": True,
    },
}

PREPROCESSOR = {
    "fill_color": 0, "image_processor_type": "JinaCLIPImageProcessor", "interpolation": "bicubic",
    "mean": [0.48145466, 0.4578275, 0.40821073], "processor_class": "JinaCLIPProcessor",
    "resize_mode": "shortest", "size": 512, "std": [0.26862954, 0.26130258, 0.27577711],
}


def tensor_table():
    """[(name, shape, kind)] of the official layout (spec §5.2): 999 entries."""
    d, ff, L, vocab, r = 1024, 4096, 24, 250002, 4
    T = "text_model.transformer.roberta."
    P = ".parametrizations.weight."
    out = [("logit_scale", (), "scalar")]

    def emb(name, rows):
        out.extend([(T + name + P + "original", (rows, d), "w"), (T + name + P + "0.lora_A", (1, rows, r), "lora"),
                    (T + name + P + "0.lora_B", (1, r, d), "lora")])

    def lin(name, o, i):
        out.extend([(name + P + "original", (o, i), "w"), (name + P + "0.lora_A", (1, r, i), "lora"),
                    (name + P + "0.lora_B", (1, o, r), "lora"), (name + ".bias", (o,), "b")])

    def norm(name, n):
        out.extend([(name + ".weight", (n,), "ln"), (name + ".bias", (n,), "b")])

    emb("embeddings.word_embeddings", vocab)
    emb("embeddings.token_type_embeddings", 1)
    norm(T + "emb_ln", d)
    for l in range(L):
        p = f"{T}encoder.layers.{l}."
        lin(p + "mixer.Wqkv", 3 * d, d)
        lin(p + "mixer.out_proj", d, d)
        norm(p + "norm1", d)
        lin(p + "mlp.fc1", ff, d)
        lin(p + "mlp.fc2", d, ff)
        norm(p + "norm2", d)
    w, h, V = 1024, 2730, "vision_model."
    out += [(V + "cls_token", (1, 1, w), "w"), (V + "pos_embed", (1, 1297, w), "w"),
            (V + "patch_embed.proj.weight", (w, 3, 14, 14), "w"), (V + "patch_embed.proj.bias", (w,), "b")]
    norm(V + "norm", w)
    for l in range(L):
        p = f"{V}blocks.{l}."
        norm(p + "norm1", w)
        out += [(p + "attn.q_proj.weight", (w, w), "w"), (p + "attn.k_proj.weight", (w, w), "w"),
                (p + "attn.v_proj.weight", (w, w), "w"), (p + "attn.q_bias", (w,), "b"), (p + "attn.v_bias", (w,), "b")]
        norm(p + "attn.inner_attn_ln", w)
        out += [(p + "attn.proj.weight", (w, w), "w"), (p + "attn.proj.bias", (w,), "b")]
        norm(p + "norm2", w)
        out += [(p + "mlp.w1.weight", (h, w), "w"), (p + "mlp.w1.bias", (h,), "b"),
                (p + "mlp.w2.weight", (h, w), "w"), (p + "mlp.w2.bias", (h,), "b")]
        norm(p + "mlp.ffn_ln", h)
        out += [(p + "mlp.w3.weight", (w, h), "w"), (p + "mlp.w3.bias", (w,), "b")]
    return out


def encode(x: np.ndarray, dtype: str) -> bytes:
    x = np.ascontiguousarray(x, dtype=np.float32)
    if dtype == "F32":
        return x.astype("<f4").tobytes()
    if dtype == "F16":
        return x.astype("<f2").tobytes()
    b = x.view(np.uint32)
    return ((b + 0x7FFF + ((b >> 16) & 1)) >> 16).astype("<u2").tobytes()   # BF16, round to nearest even


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dtype", choices=["F16", "BF16", "F32"], default="F16")
    a = ap.parse_args(argv)
    os.makedirs(a.out_dir, exist_ok=True)
    rng = np.random.default_rng(a.seed)
    table = tensor_table()
    assert len(table) == 999, len(table)
    size = {"F16": 2, "BF16": 2, "F32": 4}[a.dtype]
    header, offset = {"__metadata__": {"format": "pt", "note": "random weights for benchmarks"}}, 0
    for name, shape, _ in table:
        n = int(np.prod(shape, dtype=np.int64))
        header[name] = {"dtype": a.dtype, "shape": list(shape), "data_offsets": [offset, offset + n * size]}
        offset += n * size
    hb = json.dumps(header, separators=(",", ":")).encode()
    hb += b" " * (-len(hb) % 8)
    path = os.path.join(a.out_dir, "model.safetensors")
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hb)))
        f.write(hb)
        for name, shape, kind in table:
            n = int(np.prod(shape, dtype=np.int64))
            chunk = 1 << 24
            for start in range(0, n, chunk):
                m = min(chunk, n - start)
                if kind == "scalar":
                    x = np.full(m, 4.6052, np.float32)
                elif kind == "ln":
                    x = 1.0 + 0.02 * rng.standard_normal(m, np.float32)
                elif kind == "b":
                    x = 0.01 * rng.standard_normal(m, np.float32)
                elif kind == "lora":
                    x = 0.01 * rng.standard_normal(m, np.float32)
                else:
                    x = 0.02 * rng.standard_normal(m, np.float32)
                f.write(encode(x, a.dtype))
    with open(os.path.join(a.out_dir, "config.json"), "w") as f:
        json.dump(CONFIG, f, indent=2)
    with open(os.path.join(a.out_dir, "preprocessor_config.json"), "w") as f:
        json.dump(PREPROCESSOR, f, indent=2)
    shutil.copy(os.path.join(REPO, "Tests", "Fixtures", "xlmr-tokenizer", "tokenizer.json"),
                os.path.join(a.out_dir, "tokenizer.json"))
    total = sum(int(np.prod(s, dtype=np.int64)) for _, s, _ in table)
    print(f"{path}: {len(table)} tensors, {total:,} parameters, {os.path.getsize(path):,} bytes ({a.dtype})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
