#!/usr/bin/env python3
"""Build the demo model's pruned XLM-R tokenizer.json from the full XLM-R tokenizer.

Kept pieces (real XLM-R pieces and log-prob scores, in real-id order, ids renumbered):
  * `<s> <pad> </s> <unk>` (ids 0..3), `<mask>` last (lstrip true), as in the real file;
  * every piece the full tokenizer produces for any caption / label / query the generator can make
    (all variants of all scenes in all languages, the query prefix, the README example queries);
  * a margin: the `--common` most frequent XLM-R pieces (lowest ids) and every single-character piece of
    the scripts used (Latin, Cyrillic, Arabic, Devanagari, kana) plus the CJK characters among the
    `--cjk-top` most frequent pieces, so typed queries outside the caption vocabulary degrade gracefully.
Normalizer (real precompiled_charsmap), pre_tokenizer, post_processor, decoder are copied unchanged.
Checks with `tokenizers` that every generated text segments into the same pieces as with the full file.

  python3 Tools/demo-model/prune_tokenizer.py Tests/Fixtures/xlmr-tokenizer/tokenizer.json Assets/models/demo/tokenizer.json
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import unicodedata

from tokenizers import Tokenizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from captions import all_texts  # noqa: E402

EXTRA_QUERIES = [
    "a red triangle", "红色的三角形", "un triángulo rojo", "مثلث أحمر", "ein roter Kreis", "синяя звезда",
    "赤いハート", "पीला चाँद", "une étoile jaune", "something blue", "two hearts", "a green square",
    "shapes", "a circle", "black", "white", "moon", "hello world", "a photo of a cat",
]
SCRIPTS = ("LATIN", "CYRILLIC", "ARABIC", "DEVANAGARI", "HIRAGANA", "KATAKANA")


def single_char_ok(piece: str) -> bool:
    ch = piece[1:] if piece.startswith("\u2581") else piece
    if len(ch) != 1:
        return False
    try:
        name = unicodedata.name(ch)
    except ValueError:
        return False
    return name.startswith(SCRIPTS) or ch.isdigit() or unicodedata.category(ch).startswith("P")


def is_cjk(piece: str) -> bool:
    ch = piece[1:] if piece.startswith("\u2581") else piece
    return len(ch) == 1 and "CJK UNIFIED" in unicodedata.name(ch, "")


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("full")
    ap.add_argument("out")
    ap.add_argument("--common", type=int, default=2000)
    ap.add_argument("--cjk-top", type=int, default=30000)
    args = ap.parse_args(argv)

    full_json = json.load(open(args.full, encoding="utf-8"))
    full = Tokenizer.from_file(args.full)
    vocab = full_json["model"]["vocab"]
    texts = all_texts() + EXTRA_QUERIES

    used = set()
    for enc in full.encode_batch(texts):
        used.update(enc.ids)
    keep = set(range(4)) | used | set(range(4, 4 + args.common))
    for i, (piece, _) in enumerate(vocab[:-1]):
        if single_char_ok(piece) or (i < args.cjk_top and is_cjk(piece)):
            keep.add(i)
    keep.discard(len(vocab) - 1)  # <mask>, appended last
    old_ids = sorted(keep)
    new_vocab = [vocab[i] for i in old_ids] + [vocab[-1]]
    assert new_vocab[:4] == vocab[:4] and new_vocab[-1][0] == "<mask>"
    remap = {old: new for new, old in enumerate(old_ids)}
    remap[len(vocab) - 1] = len(new_vocab) - 1

    out = dict(full_json)
    out["model"] = dict(full_json["model"], vocab=new_vocab)
    out["added_tokens"] = [dict(t, id=remap[t["id"]]) for t in full_json["added_tokens"]]
    # Same fields as the real jina-clip-v2 tokenizer.json (ignored by encode_text).
    out["truncation"] = {"direction": "Right", "max_length": 77, "strategy": "LongestFirst", "stride": 0}
    out["padding"] = {"strategy": {"Fixed": 77}, "direction": "Right", "pad_to_multiple_of": None,
                      "pad_id": 1, "pad_type_id": 0, "pad_token": "<pad>"}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, separators=(",", ":"))

    pruned = Tokenizer.from_file(args.out)
    pruned.no_truncation()
    pruned.no_padding()
    bad = 0
    for t, a, b in zip(texts, full.encode_batch(texts), pruned.encode_batch(texts)):
        if a.tokens != b.tokens or [remap[i] for i in a.ids] != b.ids:
            bad += 1
            if bad <= 5:
                print("MISMATCH", t, a.tokens, b.tokens)
    n_caption_pieces = len(used)
    print(f"{len(new_vocab)} pieces ({n_caption_pieces} used by {len(texts)} texts); "
          f"segmentation identical for {len(texts) - bad}/{len(texts)} texts")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
