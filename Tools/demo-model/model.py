"""PyTorch jina-clip-v2 architecture (text + vision towers), written from the inference spec (docs/spec.md).

Module names are chosen so that `state_dict()` keys are exactly the PLAIN MERGED checkpoint layout ClipScope
loads: official key names, except that the LoRA-parametrized text tensors are single merged `...weight`
tensors (`word_embeddings.weight`, `token_type_embeddings.weight`, `mixer.Wqkv.weight`,
`mixer.out_proj.weight`, `mlp.fc1.weight`, `mlp.fc2.weight`). `load_official()` reads the official layout
(LoRA triples) and merges the adapter (spec §5.3).

Text:   ids [B,S] -> word + type emb -> LN(1e-5) -> N x post-LN layer (fused Wqkv, NeoX RoPE base 20000,
        key-pad bias -10000, exact GELU) -> mean over ids != 1.
Vision: pixels [B,3,H,H] -> conv patch embed -> CLS + pos embed -> N x pre-LN EVA02 block (q/v bias, 2-D
        interleaved RoPE on patches only, sub-LN, SwiGLU, LN eps 1e-6) -> final LN -> CLS.
"""
from __future__ import annotations

import json
import math
import os
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

V3_DEFAULTS = {"vocab_size": 250002, "hidden_size": 1024, "num_hidden_layers": 24, "num_attention_heads": 16,
               "intermediate_size": 4096, "layer_norm_eps": 1e-5, "rotary_emb_base": 20000.0, "pad_token_id": 1,
               "type_vocab_size": 1, "lora_rank": 4, "lora_alpha": 4}
PAD_ID = 1


def text_config(config: dict) -> dict:
    """jina-embeddings-v3 defaults updated with text_config.hf_model_config_kwargs (as the official loader)."""
    tc = dict(V3_DEFAULTS)
    tc.update(config["text_config"].get("hf_model_config_kwargs", {}))
    return tc


# ------------------------------------------------------------------------------------------------ text
class _Mixer(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.Wqkv = nn.Linear(d, 3 * d)       # rows: [q (heads x hd); k; v]
        self.out_proj = nn.Linear(d, d)


class _TextMLP(nn.Module):
    def __init__(self, d, inner):
        super().__init__()
        self.fc1 = nn.Linear(d, inner)
        self.fc2 = nn.Linear(inner, d)


class _TextLayer(nn.Module):
    def __init__(self, d, inner, eps):
        super().__init__()
        self.mixer = _Mixer(d)
        self.norm1 = nn.LayerNorm(d, eps=eps)
        self.mlp = _TextMLP(d, inner)
        self.norm2 = nn.LayerNorm(d, eps=eps)


class _Embeddings(nn.Module):
    def __init__(self, vocab, d, types):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab, d)
        self.token_type_embeddings = nn.Embedding(types, d)


class _Encoder(nn.Module):
    def __init__(self, n, d, inner, eps):
        super().__init__()
        self.layers = nn.ModuleList([_TextLayer(d, inner, eps) for _ in range(n)])


class _Roberta(nn.Module):
    def __init__(self, tc):
        super().__init__()
        d = tc["hidden_size"]
        self.embeddings = _Embeddings(tc["vocab_size"], d, tc["type_vocab_size"])
        self.emb_ln = nn.LayerNorm(d, eps=tc["layer_norm_eps"])
        self.encoder = _Encoder(tc["num_hidden_layers"], d, tc["intermediate_size"], tc["layer_norm_eps"])


class _Transformer(nn.Module):
    def __init__(self, tc):
        super().__init__()
        self.roberta = _Roberta(tc)


class TextModel(nn.Module):
    def __init__(self, tc: dict):
        super().__init__()
        self.tc = tc
        self.transformer = _Transformer(tc)
        self.heads = tc["num_attention_heads"]
        hd = tc["hidden_size"] // self.heads
        # fp32 like the official code: inv_freq = 1 / base^(arange(0, hd, 2)/hd)
        inv = 1.0 / (float(tc["rotary_emb_base"]) ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd))
        self.register_buffer("inv_freq", inv, persistent=False)

    def _rope(self, S):
        t = torch.arange(S, dtype=torch.float32)
        ang = torch.outer(t, self.inv_freq)                    # [S, hd/2]
        cos, sin = ang.cos(), ang.sin()
        return torch.cat([cos, cos], -1), torch.cat([sin, sin], -1)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """ids [B, S] right-padded with 1 -> mean-pooled features [B, D] (not normalized)."""
        r = self.transformer.roberta
        B, S = ids.shape
        D = self.tc["hidden_size"]
        nh, hd = self.heads, D // self.heads
        mask = ids != PAD_ID
        x = r.embeddings.word_embeddings(ids) + r.embeddings.token_type_embeddings.weight[0]
        x = r.emb_ln(x)
        cos, sin = self._rope(S)

        def rope(t):  # [B, nh, S, hd], NeoX half split
            t1, t2 = t[..., : hd // 2], t[..., hd // 2:]
            return t * cos + torch.cat([-t2, t1], -1) * sin

        bias = torch.zeros(B, 1, 1, S, dtype=x.dtype).masked_fill(~mask[:, None, None, :], -10000.0)
        for layer in r.encoder.layers:
            qkv = layer.mixer.Wqkv(x).view(B, S, 3, nh, hd).permute(2, 0, 3, 1, 4)
            q, k, v = rope(qkv[0]), rope(qkv[1]), qkv[2]
            a = F.scaled_dot_product_attention(q, k, v, attn_mask=bias)
            a = a.transpose(1, 2).reshape(B, S, D)
            x = layer.norm1(x + layer.mixer.out_proj(a))
            m = layer.mlp.fc2(F.gelu(layer.mlp.fc1(x)))
            x = layer.norm2(x + m)
        mf = mask[..., None].to(x.dtype)
        return (x * mf).sum(1) / mf.sum(1)


# ------------------------------------------------------------------------------------------------ vision
class _PatchEmbed(nn.Module):
    def __init__(self, width, patch):
        super().__init__()
        self.proj = nn.Conv2d(3, width, patch, patch)


class _Attn(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.q_proj = nn.Linear(d, d, bias=False)
        self.k_proj = nn.Linear(d, d, bias=False)
        self.v_proj = nn.Linear(d, d, bias=False)
        self.q_bias = nn.Parameter(torch.zeros(d))
        self.v_bias = nn.Parameter(torch.zeros(d))
        self.inner_attn_ln = nn.LayerNorm(d, eps=1e-6)
        self.proj = nn.Linear(d, d)


class _SwiGLU(nn.Module):
    def __init__(self, d, hidden):
        super().__init__()
        self.w1 = nn.Linear(d, hidden)
        self.w2 = nn.Linear(d, hidden)
        self.ffn_ln = nn.LayerNorm(hidden, eps=1e-6)
        self.w3 = nn.Linear(hidden, d)


class _Block(nn.Module):
    def __init__(self, d, hidden):
        super().__init__()
        self.norm1 = nn.LayerNorm(d, eps=1e-6)
        self.attn = _Attn(d)
        self.norm2 = nn.LayerNorm(d, eps=1e-6)
        self.mlp = _SwiGLU(d, hidden)


class VisionModel(nn.Module):
    def __init__(self, vc: dict):
        super().__init__()
        self.vc = vc
        d, ps = vc["width"], vc["patch_size"]
        self.grid = vc["image_size"] // ps
        self.heads = d // vc["head_width"]
        self.patch_embed = _PatchEmbed(d, ps)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, d))
        self.pos_embed = nn.Parameter(torch.zeros(1, 1 + self.grid ** 2, d))
        hidden = int(d * vc["mlp_ratio"])
        self.blocks = nn.ModuleList([_Block(d, hidden) for _ in range(vc["layers"])])
        self.norm = nn.LayerNorm(d, eps=1e-6)
        cos, sin = self._rope_tables(self.grid, vc["head_width"], vc["pt_hw_seq_len"])
        self.register_buffer("rope_cos", cos, persistent=False)
        self.register_buffer("rope_sin", sin, persistent=False)

    @staticmethod
    def _rope_tables(grid, head_dim, pt):
        dq = head_dim // 2
        fr = 1.0 / (10000 ** (torch.arange(0, dq, 2, dtype=torch.float32)[: dq // 2] / dq))
        t = torch.arange(grid, dtype=torch.float32) / grid * pt      # intp_freq: squeeze onto the pt grid
        f1 = (t[:, None] * fr[None, :]).repeat_interleave(2, -1)     # [grid, dq], pairs duplicated
        ang = torch.cat([f1[:, None, :].expand(grid, grid, dq),       # row index -> first half
                         f1[None, :, :].expand(grid, grid, dq)], -1).reshape(grid * grid, head_dim)
        return ang.cos(), ang.sin()

    def _rope(self, t):  # [B, nh, N, hd], interleaved pairs
        r = torch.stack([-t[..., 1::2], t[..., 0::2]], -1).flatten(-2)
        return t * self.rope_cos + r * self.rope_sin

    def forward(self, pixels: torch.Tensor, all_tokens: bool = False) -> torch.Tensor:
        """pixels [B, 3, H, H] normalized -> CLS features after the final LN [B, width] (not normalized);
        all_tokens: every token after the final LN [B, 1 + grid², width] (CLS first; training targets only)."""
        B = pixels.shape[0]
        d, nh = self.vc["width"], self.heads
        hd = d // nh
        x = self.patch_embed.proj(pixels).flatten(2).transpose(1, 2)  # conv ignores leftover pixels
        x = torch.cat([self.cls_token.expand(B, 1, d), x], 1) + self.pos_embed
        N = x.shape[1]
        for blk in self.blocks:
            y = blk.norm1(x)
            a = blk.attn
            q = (a.q_proj(y) + a.q_bias).view(B, N, nh, hd).transpose(1, 2)
            k = a.k_proj(y).view(B, N, nh, hd).transpose(1, 2)
            v = (a.v_proj(y) + a.v_bias).view(B, N, nh, hd).transpose(1, 2)
            q = torch.cat([q[:, :, :1], self._rope(q[:, :, 1:])], 2)
            k = torch.cat([k[:, :, :1], self._rope(k[:, :, 1:])], 2)
            o = F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(B, N, d)
            x = x + a.proj(a.inner_attn_ln(o))
            y = blk.norm2(x)
            h = F.silu(blk.mlp.w1(y)) * blk.mlp.w2(y)
            x = x + blk.mlp.w3(blk.mlp.ffn_ln(h))
        x = self.norm(x)
        return x if all_tokens else x[:, 0]


class JinaCLIP(nn.Module):
    def __init__(self, config: dict):
        super().__init__()
        self.config = config
        self.text_model = TextModel(text_config(config))
        self.vision_model = VisionModel(config["vision_config"])
        self.logit_scale = nn.Parameter(torch.tensor(float(config.get("logit_scale_init_value", 2.6592))))

    def encode_text(self, ids, dim=None):
        return _trunc_norm(self.text_model(ids), dim)

    def encode_image(self, pixels, dim=None):
        return _trunc_norm(self.vision_model(pixels), dim)


def _trunc_norm(e, dim):
    if dim is not None:
        e = e[:, :dim]
    return F.normalize(e, dim=-1)


# ------------------------------------------------------------------------------------------------ I/O
_DT = {"F16": np.float16, "F32": np.float32, "BF16": None, "I32": np.int32, "I64": np.int64}


def read_safetensors(path) -> dict[str, np.ndarray]:
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for k, m in header.items():
        if k == "__metadata__":
            continue
        a, b = m["data_offsets"]
        raw = data[a:b]
        if m["dtype"] == "BF16":
            u = np.frombuffer(raw, np.uint16).astype(np.uint32) << 16
            arr = u.view(np.float32)
        else:
            arr = np.frombuffer(raw, _DT[m["dtype"]])
        out[k] = arr.reshape(m["shape"]).astype(np.float32) if arr.dtype.kind == "f" else arr.reshape(m["shape"])
    return out


def write_safetensors(path, tensors: dict[str, np.ndarray], metadata: dict | None = None):
    """Tensors in the given order, little-endian, 8-byte aligned header."""
    names = {np.dtype(np.float16): "F16", np.dtype(np.float32): "F32"}
    header, offset, blobs = {}, 0, []
    if metadata:
        header["__metadata__"] = metadata
    for k, v in tensors.items():
        v = np.asarray(v).copy(order="C")  # keeps 0-d (logit_scale is a scalar, shape [])
        b = v.astype(v.dtype.newbyteorder("<")).tobytes()
        header[k] = {"dtype": names[v.dtype], "shape": list(v.shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def merged_state(raw: dict[str, np.ndarray], lora_scale: float) -> dict[str, np.ndarray]:
    """Official (LoRA-parametrized) layout -> plain merged layout, merge in fp32 (adapter 0)."""
    out = {}
    for k, v in raw.items():
        if ".parametrizations.weight." not in k:
            out[k] = v
            continue
        base = k.split(".parametrizations.weight.")[0]
        if not k.endswith(".original"):
            continue
        A = raw[base + ".parametrizations.weight.0.lora_A"][0]
        Bm = raw[base + ".parametrizations.weight.0.lora_B"][0]
        if base.endswith("_embeddings"):          # embeddings: E + s * A @ B
            out[base + ".weight"] = v + lora_scale * (A @ Bm)
        else:                                     # linear: W + s * B @ A
            out[base + ".weight"] = v + lora_scale * (Bm @ A)
    return out


def load_model_dir(model_dir: str, weights: str = "model.safetensors") -> JinaCLIP:
    """Build from config.json and load either layout (official LoRA triples are merged)."""
    config = json.load(open(os.path.join(model_dir, "config.json")))
    model = JinaCLIP(config)
    tc = text_config(config)
    raw = read_safetensors(os.path.join(model_dir, weights))
    state = merged_state(raw, tc["lora_alpha"] / tc["lora_rank"])
    state = {k: torch.from_numpy(np.array(v, dtype=np.float32)).reshape(model.state_dict()[k].shape)
             for k, v in state.items()}
    model.load_state_dict(state, strict=True)
    return model.eval()


def pixel_values(u8_hwc: np.ndarray, mean, std) -> np.ndarray:
    """(uint8/255 - mean)/std in float32, CHW (same as ToTensor + Normalize)."""
    x = u8_hwc.astype(np.float32) / np.float32(255.0)
    x = (x - np.asarray(mean, np.float32)) / np.asarray(std, np.float32)
    return np.ascontiguousarray(x.transpose(2, 0, 1))


def preprocess_image(img, size, mean, std) -> np.ndarray:
    """PIL image -> [3, size, size]: resize shortest side (PIL bicubic, floor), centre crop (half-to-even)."""
    from PIL import Image
    img = img.convert("RGB")
    w, h = img.size
    if w <= h:
        nw, nh = size, int(size * h / w)
    else:
        nw, nh = int(size * w / h), size
    if (nw, nh) != (w, h):
        img = img.resize((nw, nh), Image.BICUBIC)
    top, left = round((nh - size) / 2), round((nw - size) / 2)
    img = img.crop((left, top, left + size, top + size))
    return pixel_values(np.asarray(img, dtype=np.uint8), mean, std)
