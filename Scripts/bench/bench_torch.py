#!/usr/bin/env python3
"""PyTorch FP32 counterpart of `clipscope bench --json`, on the same checkpoint directory.

    python3 Scripts/bench/bench_torch.py /tmp/jcv2-random [--threads N] [--repeats 10] [--autocast-bf16]

Model: Tools/demo-model/model.py (the jina-clip-v2 text + vision towers written from the spec), loaded from the
official layout with the retrieval.query LoRA merged ONCE at load (the "PyTorch with the LoRA merged" baseline
of docs/perf.md, not the official code that rebuilds W + B.A on every call). Weights are read through mmap and
converted to FP32; the module tree is built on the meta device so no time goes into random init.

Workloads, identical to BenchCommand.swift: 1 query of 13 tokens (the text alone,
tokenized each call, median of N warm runs) and the same text with the retrieval.query instruction prefix
(24 tokens, what the explorer sends: text_query_prefixed_ms); the same 32 captions right-padded with id 1 to
the longest (median of 3 runs);
1 and 4 images of the same synthetic pixel values (the same LCG as EmbedBenchmark.syntheticPixels);
sgemm GFLOPS = best of 3 torch.mm 2048^3. FLOP counts use the same formulas as ClipEmbedder.
Prints one JSON object with the same keys (progress on stderr). Peak RSS = VmHWM (MiB).
--autocast-bf16: the image workloads under torch.autocast("cpu", dtype=torch.bfloat16) (PyTorch's counterpart
of `clipscope bench --precision fast`, whose text tower also stays FP32); adds "precision": "fast" and
fast_cosine_min, the cosine between the bf16-autocast and the FP32 embedding of the one image.
"""
from __future__ import annotations

import argparse
import json
import mmap
import os
import statistics
import struct
import sys
import time
import warnings

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tools", "demo-model"))
import model as jm  # noqa: E402  (Tools/demo-model/model.py)

QUERY = "a photo of a cat sleeping on a red sofa."   # 13 tokens with <s> and </s>
SUBJECTS = ["a dog", "two cats", "a red car", "an old bridge", "children", "a bowl of ramen", "a lighthouse", "mountains"]
PLACES = ["on the beach", "in the snow", "at night in the city", "under a blue sky", "next to a river"]
CAPTIONS = [f"{SUBJECTS[i % 8]} {PLACES[i % 5]}" + (" in the early morning light" if i % 3 == 0 else "") for i in range(32)]
_TORCH = {"F16": torch.float16, "BF16": torch.bfloat16, "F32": torch.float32, "I32": torch.int32, "I64": torch.int64}


def log(msg):
    print("bench_torch: " + msg, file=sys.stderr, flush=True)


def rss_mib(field="VmHWM"):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return float(line.split()[1]) / 1024
    return 0.0


def read_fp32(path) -> dict[str, torch.Tensor]:
    """safetensors via mmap -> FP32 tensors (F16/BF16 widened exactly, by torch's vectorized conversion)."""
    with open(path, "rb") as f:
        mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    n = struct.unpack("<Q", mm[:8])[0]
    header = json.loads(mm[8:8 + n])
    base, out = 8 + n, {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.frombuffer warns that the mmap is read-only: we only copy from it
        for k, m in header.items():
            if k == "__metadata__":
                continue
            a, b = m["data_offsets"]
            dt = _TORCH[m["dtype"]]
            count = (b - a) // torch.empty(0, dtype=dt).element_size()
            t = torch.frombuffer(mm, dtype=dt, count=count, offset=base + a) if count else torch.empty(0, dtype=dt)
            out[k] = (t.to(torch.float32, copy=True) if t.is_floating_point() else t.clone()).reshape(m["shape"])
    return out


def load(model_dir) -> jm.JinaCLIP:
    config = json.load(open(os.path.join(model_dir, "config.json")))
    with torch.device("meta"):
        model = jm.JinaCLIP(config)
    tc = jm.text_config(config)
    state = jm.merged_state(read_fp32(os.path.join(model_dir, "model.safetensors")), tc["lora_alpha"] / tc["lora_rank"])
    shapes = {k: v.shape for k, v in model.state_dict().items()}
    state = {k: v.float().contiguous().reshape(shapes[k]) for k, v in state.items()}
    model.load_state_dict(state, strict=True, assign=True)
    # non-persistent buffers were built on meta: recompute them on the CPU
    tm, vm = model.text_model, model.vision_model
    hd = tc["hidden_size"] // tc["num_attention_heads"]
    tm.inv_freq = 1.0 / (float(tc["rotary_emb_base"]) ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd))
    vc = config["vision_config"]
    vm.rope_cos, vm.rope_sin = jm.VisionModel._rope_tables(vm.grid, vc["head_width"], vc["pt_hw_seq_len"])
    return model.eval()


def synthetic_pixels(s: int) -> np.ndarray:
    """EmbedBenchmark.syntheticPixels: 64-bit LCG, (Int(g >> 40) % 2001 - 1000) / 500, CHW."""
    mask, g, out = (1 << 64) - 1, 1, np.empty(3 * s * s, np.float32)
    for i in range(out.size):
        g = (g * 6364136223846793005 + 1442695040888963407) & mask
        out[i] = ((g >> 40) % 2001 - 1000) / 500
    return out.reshape(1, 3, s, s)


def text_flops(tc, t):
    d, f, n = tc["hidden_size"], tc["intermediate_size"], tc["num_hidden_layers"]
    return t * n * 2 * (4 * d * d + 2 * d * f) + n * 4 * t * t * d


def image_flops(vc):
    w, ps, grid = vc["width"], vc["patch_size"], vc["image_size"] // vc["patch_size"]
    h, n, t = int(w * vc["mlp_ratio"]), vc["layers"], grid * grid + 1
    return t * n * 2 * (4 * w * w + 3 * h * w) + n * 4 * t * t * w + 2 * grid * grid * 3 * ps * ps * w


def sgemm_gflops(n=2048):
    a, b = torch.full((n, n), 0.5), torch.full((n, n), 0.25)
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - t)
    return 2 * n ** 3 / best / 1e9


def check(model, ref):
    """Max |diff| of the FP32 torch embeddings against the float64 NumPy reference outputs."""
    meta = json.load(open(os.path.join(ref, "texts.json")))
    for key, npy in (("ids", "text_embeddings.npy"), ("query_ids", "text_query_embeddings.npy")):
        ids = meta[key]
        s = max(map(len, ids))
        got = model.encode_text(torch.tensor([i + [jm.PAD_ID] * (s - len(i)) for i in ids])).numpy()
        log(f"check {npy}: max |diff| {np.abs(got - np.load(os.path.join(ref, npy))).max():.2e}")
    px = torch.from_numpy(np.load(os.path.join(ref, "image_pixel_values.npy")).astype(np.float32))
    got = model.encode_image(px).numpy()
    log(f"check image_embedding.npy: max |diff| {np.abs(got - np.load(os.path.join(ref, 'image_embedding.npy'))).max():.2e}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model_dir")
    ap.add_argument("--threads", type=int, default=None, help="torch intra-op threads (default: all cores)")
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--skip-images", action="store_true")
    ap.add_argument("--autocast-bf16", action="store_true", help="image workloads under bfloat16 autocast")
    ap.add_argument("--check", action="store_true",
                    help="first compare with DIR/reference/ (Scripts/fixtures/full_size_reference.py): max |diff| on stderr")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    from tokenizers import Tokenizer

    torch.set_grad_enabled(False)
    t0 = time.perf_counter()
    model = load(args.model_dir)
    tok = Tokenizer.from_file(os.path.join(args.model_dir, "tokenizer.json"))
    load_s = time.perf_counter() - t0
    config = model.config
    tc, vc = jm.text_config(config), config["vision_config"]
    prefix = tc.get("task_instructions", {}).get("retrieval.query", "Represent the query for retrieving evidence documents: ")
    log(f"loaded in {load_s:.2f} s, torch {torch.__version__}, {torch.get_num_threads()} threads")
    if args.check:
        check(model, os.path.join(args.model_dir, "reference"))
    sgemm = sgemm_gflops()
    log(f"sgemm 2048^3: {sgemm:.1f} GFLOPS")

    def encode(texts):
        ids = [e.ids for e in tok.encode_batch(texts)]
        s = max(map(len, ids))
        batch = torch.tensor([i + [jm.PAD_ID] * (s - len(i)) for i in ids], dtype=torch.long)
        return model.encode_text(batch), s

    def median_ms(texts, repeats):
        encode(texts)  # warm-up
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            encode(texts)
            times.append(time.perf_counter() - t)
        return statistics.median(times) * 1000

    query_ms = median_ms([QUERY], args.repeats)
    log(f"1 query (13 tokens): {query_ms:.1f} ms (median of {args.repeats})")
    prefixed_ms = median_ms([prefix + QUERY], args.repeats)
    log(f"1 query with the retrieval.query prefix: {prefixed_ms:.1f} ms (median of {args.repeats})")

    _, padded = encode(CAPTIONS)
    times = []
    for _ in range(3):
        t = time.perf_counter()
        encode(CAPTIONS)
        times.append(time.perf_counter() - t)
    batch_s = statistics.median(times)
    batch_gf = text_flops(tc, padded) * 32 / batch_s / 1e9
    log(f"32 captions (padded to {padded} tokens): {batch_s * 1000:.1f} ms (median of 3), {batch_gf:.1f} GFLOPS")
    fields = {"load_s": load_s, "text_query_ms": query_ms, "text_query_prefixed_ms": prefixed_ms,
              "text_batch32_ms": batch_s * 1000,
              "text_batch32_gflops": batch_gf}

    if not args.skip_images:
        # One warm-up forward, then the median of 3 (as `clipscope bench`).
        one = torch.from_numpy(synthetic_pixels(vc["image_size"]))
        import contextlib
        cast = (lambda: torch.autocast("cpu", dtype=torch.bfloat16)) if args.autocast_bf16 else contextlib.nullcontext
        times = []
        for _ in range(4):
            t = time.perf_counter()
            with cast():
                v = model.encode_image(one)
            times.append(time.perf_counter() - t)
        if args.autocast_bf16:
            exact = model.encode_image(one).float()
            v = v.float()
            fields["fast_cosine_min"] = float((v * exact).sum() / (v.norm() * exact.norm()))
        single = statistics.median(times[1:])
        log(f"1 image: {single * 1000:.0f} ms (median of 3 after a warm-up of {times[0] * 1000:.0f} ms), "
            f"{image_flops(vc) / single / 1e9:.1f} GFLOPS")
        four = one.expand(4, -1, -1, -1).contiguous()
        t = time.perf_counter()
        with cast():
            model.encode_image(four)
        b4 = time.perf_counter() - t
        log(f"4 images: {b4 * 1000:.0f} ms ({b4 * 250:.0f} ms each)")
        fields.update({"image_1_ms": single * 1000, "image_4_ms": b4 * 1000,
                       "image_1_gflops": image_flops(vc) / single / 1e9})
    fields.update({"sgemm_gflops": sgemm, "peak_rss_mb": rss_mib(), "threads": torch.get_num_threads()})
    out = {k: (v if k == "threads" else round(v, 6 if k == "fast_cosine_min" else 3)) for k, v in fields.items()}
    out["precision"] = "fast" if args.autocast_bf16 else "exact"
    print(json.dumps(out))


if __name__ == "__main__":
    main()
