#!/usr/bin/env python3
"""Differential fuzz: `clipscope tokenize --jsonl` vs Hugging Face `tokenizers` on random strings.

usage: fuzz_tokenizer_vs_hf.py CLIPSCOPE TOKENIZER_JSON [N] [SEED]
Compares ids and tokens for N seeded random texts (random code points from many Unicode blocks,
whitespace, combining marks, CR LF, literal special tokens, NFKC-sensitive characters).
"""
import json, random, subprocess, sys
from tokenizers import Tokenizer

BLOCKS = [(0x20, 0x7E), (0x00, 0x1F), (0x7F, 0xFF), (0x100, 0x24F), (0x300, 0x36F), (0x370, 0x3FF),
          (0x400, 0x4FF), (0x590, 0x5FF), (0x600, 0x6FF), (0x900, 0x97F), (0x980, 0x9FF), (0xE00, 0xE7F),
          (0x1100, 0x11FF), (0x1F00, 0x1FFF), (0x2000, 0x206F), (0x2070, 0x209F), (0x2100, 0x218F),
          (0x2460, 0x24FF), (0x2500, 0x25FF), (0x2E80, 0x2FDF), (0x3000, 0x30FF), (0x3200, 0x33FF),
          (0x4E00, 0x4FFF), (0xAC00, 0xAD00), (0xFB00, 0xFB4F), (0xFE00, 0xFE6F), (0xFF00, 0xFFEF),
          (0x1D400, 0x1D7FF), (0x1F300, 0x1F6FF), (0x1F900, 0x1F9FF), (0xE0000, 0xE007F), (0x20000, 0x20100),
          (0x1F1E6, 0x1F1FF), (0x0E80, 0x0EFF), (0x1780, 0x17FF), (0x0F00, 0x0FFF), (0x10A0, 0x10FF)]
SPECIAL = ["<s>", "</s>", "<pad>", "<unk>", "<mask>", " <mask> ", "<MASK>", "\r\n", "\u200d", "\u00a0",
           "\u3000", "\u0085", "\u2028", "  ", "\t", "\u2581", "e\u0301", "ﬁ\u0301", "a\u0308\u0301",
           "\U0001F468\u200d\U0001F469", "\u0915\u094d\u0937", "\u1100\u1161\u11a8", "①", "㍻", "\ufeff",
           "\u00ad", "\ud7a3", "Å", "x²", "\u0000"]

def rand_text(r):
    parts = []
    for _ in range(r.randint(0, 12)):
        k = r.random()
        if k < 0.25:
            parts.append(r.choice(SPECIAL))
        elif k < 0.45:
            parts.append(" " * r.randint(1, 3))
        elif k < 0.6:
            parts.append(r.choice(["hello", "world", "Zürich", "Москва", "東京タワー", "naïve", "co-op", "123", "ÉCOLE"]))
        else:
            lo, hi = r.choice(BLOCKS)
            parts.append("".join(chr(r.randint(lo, hi)) for _ in range(r.randint(1, 6))))
    s = "".join(parts)
    return "".join(c for c in s if not (0xD800 <= ord(c) <= 0xDFFF))

def main():
    if sys.argv[1:2] in (["-h"], ["--help"]):
        print(__doc__.strip()); sys.exit(0)
    if len(sys.argv) < 3:
        print(__doc__.strip(), file=sys.stderr); sys.exit(2)
    exe, tokfile = sys.argv[1:3]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    r = random.Random(seed)
    texts = [rand_text(r) for _ in range(n)]
    hf = Tokenizer.from_file(tokfile)
    hf.no_truncation(); hf.no_padding()
    want = [hf.encode(t) for t in texts]
    inp = "\n".join(json.dumps({"text": t}) for t in texts) + "\n"
    out = subprocess.run([exe, "tokenize", "--tokenizer", tokfile, "--jsonl"], input=inp.encode(), capture_output=True)
    got = [json.loads(l) for l in out.stdout.decode().split("\n")[:-1]]
    bad_ids = bad_tokens = 0
    for t, w, g in zip(texts, want, got):
        if w.ids != g["ids"]:
            bad_ids += 1
            if bad_ids <= 8:
                print("IDS", repr(t)); print("  hf ", w.ids, w.tokens); print("  us ", g["ids"], g["tokens"])
        elif w.tokens != g["tokens"]:
            bad_tokens += 1
            if bad_tokens <= 5:
                print("TOKENS", repr(t)); print("  hf ", w.tokens); print("  us ", g["tokens"])
    print(f"{tokfile}: {n} texts (seed {seed}), outputs {len(got)}: ids differ {bad_ids}, tokens differ {bad_tokens}")
    sys.exit(1 if bad_ids or bad_tokens or len(got) != n else 0)

main()
