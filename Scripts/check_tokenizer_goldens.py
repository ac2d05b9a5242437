#!/usr/bin/env python3
"""Runs `clipscope tokenize --jsonl` over a golden file and reports lines whose ids differ.

usage: check_tokenizer_goldens.py CLIPSCOPE TOKENIZER_JSON GOLDEN.jsonl [--max-length N]
"""
import json, subprocess, sys

def main():
    exe, tok, golden = sys.argv[1:4]
    extra = sys.argv[4:]
    lines = [l for l in open(golden, encoding="utf-8").read().split("\n") if l]
    inp = "\n".join(json.dumps({"text": json.loads(l)["text"]}) for l in lines) + "\n"
    out = subprocess.run([exe, "tokenize", "--tokenizer", tok, "--jsonl", *extra], input=inp.encode(),
                         capture_output=True)
    got = out.stdout.decode().split("\n")[:-1]
    bad = 0
    for i, (g, o) in enumerate(zip(lines, got)):
        g = json.loads(g); o = json.loads(o)
        if g["ids"] != o.get("ids"):
            bad += 1
            if bad <= 10:
                print(f"line {i+1}: {g['text'][:80]!r}\n  want {g['ids'][:40]}\n  got  {o.get('ids', o)[:40] if isinstance(o.get('ids'), list) else o}")
    print(f"{golden}: {len(lines) - bad}/{len(lines)} identical (outputs {len(got)}), exit {out.returncode}")
    sys.exit(1 if bad or len(got) != len(lines) else 0)

main()
