#!/usr/bin/env bash
# Tokenizer benchmark: clipscope (Swift, release) vs Hugging Face `tokenizers` (Rust, via python3), same
# tokenizer.json, same multilingual corpus, one thread each, on this machine.
#
#   Scripts/bench/bench_tokenizer.sh [TOKENIZER_JSON] [REPEATS]
#
# Corpus: the 331 golden-dev texts plus up to 20,000 real translations (msgstr) from the gettext
# catalogs in /usr/share/locale (dozens of languages and scripts), written as JSON lines.
# Reported: load time (wall), tokens/s (wall) and tokens per CPU-second (thread CPU time; fairer when
# other jobs share the cores). Both sides keep their word cache (tokenizers has a 10,000-entry one).
set -euo pipefail
cd "$(dirname "$0")/../.."
TOK=${1:-Tests/Fixtures/xlmr-tokenizer/tokenizer.json}
REPEATS=${2:-5}
BIN=.build/release/clipscope
CORPUS=${CORPUS:-/tmp/clipscope-tokenizer-corpus.jsonl}

[ -x "$BIN" ] || swift build -c release --product clipscope

python3 - "$CORPUS" <<'PY'
import gettext, glob, json, random, sys
out = sys.argv[1]
texts = [json.loads(l)["text"] for l in open("Tests/Fixtures/xlmr-tokenizer/golden-dev.jsonl", encoding="utf-8") if l.strip()]
mos = sorted(glob.glob("/usr/share/locale/*/LC_MESSAGES/*.mo"))
random.Random(1).shuffle(mos)
seen = set()
for path in mos:
    try:
        with open(path, "rb") as f:
            catalog = gettext.GNUTranslations(f)._catalog
    except Exception:
        continue
    for k, v in catalog.items():
        if k and isinstance(v, str) and v.strip() and v not in seen:
            seen.add(v); texts.append(v)
    if len(texts) >= 20000:
        break
with open(out, "w", encoding="utf-8") as f:
    for t in texts[:20000]:
        f.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")
print(f"corpus: {min(len(texts), 20000)} texts, {sum(len(t.encode()) for t in texts[:20000]) / 1e6:.2f} MB UTF-8 -> {out}", file=sys.stderr)
PY

echo "== clipscope (Swift, release, 1 thread)"
"$BIN" bench tokenizer --tokenizer "$TOK" --jsonl --repeats "$REPEATS" < "$CORPUS"
echo
echo "== Hugging Face tokenizers (Rust via Python, 1 thread)"
RAYON_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false python3 - "$TOK" "$CORPUS" "$REPEATS" <<'PY'
import json, sys, time
import tokenizers
from tokenizers import Tokenizer
tok_path, corpus, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
t0 = time.perf_counter(); tok = Tokenizer.from_file(tok_path); load = time.perf_counter() - t0
tok.no_truncation(); tok.no_padding()
texts = [json.loads(l)["text"] for l in open(corpus, encoding="utf-8") if l.strip()]
for t in texts: tok.encode(t)  # warm-up (fills its word cache)
n = 0
w0, c0 = time.perf_counter(), time.thread_time()
for _ in range(repeats):
    for t in texts: n += len(tok.encode(t).ids)
cpu, wall = time.thread_time() - c0, time.perf_counter() - w0
print(json.dumps({"impl": f"HF tokenizers {tokenizers.__version__} (Rust, Python loop of encode)", "load_seconds": load,
                  "texts": len(texts), "repeats": repeats, "tokens": n, "seconds": wall, "cpu_seconds": cpu,
                  "tokens_per_second": n / wall, "tokens_per_cpu_second": n / cpu}))
# encode_batch runs the loop in Rust (no per-text Python overhead); RAYON_NUM_THREADS=1 keeps it on one
# worker thread, so process CPU time (all threads) is the fair CPU figure here.
n = 0
w0, c0 = time.perf_counter(), time.process_time()
for _ in range(repeats):
    n += sum(len(e.ids) for e in tok.encode_batch(texts))
cpu, wall = time.process_time() - c0, time.perf_counter() - w0
print(json.dumps({"impl": f"HF tokenizers {tokenizers.__version__} (Rust, encode_batch, 1 rayon thread)",
                  "tokens": n, "seconds": wall, "cpu_seconds": cpu,
                  "tokens_per_second": n / wall, "tokens_per_cpu_second": n / cpu}))
PY
