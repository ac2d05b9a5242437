#!/usr/bin/env bash
# Re-runs the numbered examples of the reliability audit (docs/reliability.md, "Failure classes")
# against a clipscope binary and prints one line per example:
#   class | command | exit | first line of stderr | PASS/FAIL (why)
# PASS means: no exit by signal, done within 10 s, and the expected outcome (exit status and a clear
# message, or the correct result). Everything runs in a fresh temporary folder with its own cache.
# Needs python3 with numpy (to craft the inputs).
#
#   Scripts/soak/audit_examples.sh [BIN]     BIN defaults to .build/release/clipscope
#   CLIPSCOPE_AUDIT_KEEP=1 keeps the work folder.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${1:-.build/release/clipscope}
[ -x "$BIN" ] || { echo "no executable at $BIN (swift build -c release)" >&2; exit 2; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
export CLIPSCOPE_ASSETS=$PWD/Assets
exec python3 - "$BIN" <<'PY'
import json, os, shutil, signal, stat, struct, subprocess, sys, tempfile, time, zlib
import numpy as np

BIN = sys.argv[1]
DEMO = os.path.join(os.environ["CLIPSCOPE_ASSETS"], "models", "demo")
work = tempfile.mkdtemp(prefix="clipscope-audit-")
env = dict(os.environ, CLIPSCOPE_CACHE_DIR=os.path.join(work, "cache"), HOME=work, HF_HOME=os.path.join(work, "hf"),
           CLIPSCOPE_MODELS_DIR=os.path.join(work, "models"))
rows, failures = [], 0

def P(*parts): return os.path.join(work, *parts)

def run(cls, args, expect, *, stdin=None, stdout=None, stderr=subprocess.PIPE, extra_env=None, shell_note=None,
        pre_exec=None):
    """Runs BIN args; `expect(rc, out, err)` returns None (pass) or why it fails."""
    global failures
    e = dict(env, **(extra_env or {}))
    t0 = time.time()
    try:
        p = subprocess.run([BIN] + args, stdin=stdin if stdin is not None else subprocess.DEVNULL,
                           stdout=stdout if stdout is not None else subprocess.PIPE, stderr=stderr,
                           env=e, timeout=10, cwd=work, preexec_fn=pre_exec)
        rc, out, err = p.returncode, p.stdout or b"", p.stderr or b""
        why = None
        if rc < 0: why = f"killed by signal {-rc}"
        else: why = expect(rc, out, err)
    except subprocess.TimeoutExpired:
        rc, out, err, why = "timeout", b"", b"", "still running after 10 s"
    dt = time.time() - t0
    first = err.decode("utf-8", "backslashreplace").split("\n")[0]
    if any(c in first for c in "\x1b\r\x07"): first = repr(first)
    cmd = shell_note or " ".join(["clipscope"] + [a.replace(work, "$W") for a in args])
    if why: failures += 1
    rows.append((cls, cmd, rc, first.replace(work, "$W").replace("|", "\\|")[:110], "PASS" if not why else f"FAIL: {why}", dt))

def status(want, *phrases, stream="err", absent=()):
    def check(rc, out, err):
        text = (err if stream == "err" else out).decode("utf-8", "replace")
        if rc != want: return f"exit {rc}, expected {want}"
        for ph in phrases:
            if ph not in text: return f"no '{ph}'"
        for ph in absent:
            if ph in text: return f"'{ph}' present"
        return None
    return check

def copy_demo(name):
    d = P(name); shutil.copytree(DEMO, d); return d

def edit_config(d, f):
    c = json.load(open(os.path.join(d, "config.json"))); f(c)
    json.dump(c, open(os.path.join(d, "config.json"), "w"))

def png(path, w, h, rgb_rows, level=6):
    raw = b"".join(b"\0" + r for r in rgb_rows)
    def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    open(path, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                           + chunk(b"IDAT", zlib.compress(raw, level)) + chunk(b"IEND", b""))

def safetensors(path, header_obj, data=b""):
    h = json.dumps(header_obj).encode()
    open(path, "wb").write(struct.pack("<Q", len(h)) + h + data)

# A small folder of demo pictures.
folder = P("photos"); os.makedirs(folder)
for n in sorted(os.listdir(os.path.join(os.environ["CLIPSCOPE_ASSETS"], "demo")))[:6]:
    shutil.copy(os.path.join(os.environ["CLIPSCOPE_ASSETS"], "demo", n), folder)
m = ["--model", "demo"]
subprocess.run([BIN, "index", folder] + m, env=env, capture_output=True, timeout=120)

# 1. Unbounded numbers
run(1, ["search", folder, "--text", "a red circle", "--top", "9223372036854775807"] + m, status(0))
run(1, ["search", folder, "--text", "a red circle", "--top", "4294967296"] + m, status(0))
run(1, ["search", folder, "--text", "a red circle", "--top", "4611686018427387904"] + m, status(0))
run(1, ["search", folder, "--text", "a red circle", "--top", "0"] + m, status(2, "top"))
run(1, ["search", folder, "--text", "a red circle", "--dims", "100000"] + m, status(2, "dims"))
run(1, ["tokenize", "--max-length", "99999999999999999999", "hi"] + m, status(2, "max-length"))

# 2. Absurd configs
big = copy_demo("layers1e9"); edit_config(big, lambda c: c["vision_config"].update(layers=10**9))
run(2, ["model", "info", big], status(1, "layers"))
run(2, ["embed", "--model", big, "--text", "hi"], status(1, "memory"))

# 3. Overflowing safetensors shape
ov = copy_demo("overflow"); safetensors(os.path.join(ov, "model.safetensors"), {"w": {"dtype": "F32", "shape": [2**32, 2**32], "data_offsets": [0, 4]}}, b"\0" * 4)
run(3, ["model", "info", ov], status(1, "too large"))

# 4. Output errors
full = open("/dev/full", "wb")
run(4, ["embed", "--text", "hi"] + m, status(1, "No space left on device"), stdout=full, shell_note="clipscope embed --model demo --text hi > /dev/full")
run(4, ["search", folder, "--text", "hi", "--json"] + m, status(1, "No space left on device"), stdout=full, shell_note="clipscope search … --json > /dev/full")
run(4, ["model", "list"], status(1, "No space left on device"), stdout=full, shell_note="clipscope model list > /dev/full")
run(4, ["embed", "--text", "hi"] + m, status(1, "Bad file descriptor"),
    stdout=subprocess.DEVNULL, pre_exec=lambda: os.close(1), shell_note="clipscope embed --model demo --text hi >&-")
def cache_still_clean(rc, o, e):
    if rc != 1: return f"exit {rc}"
    again = subprocess.run([BIN, "search", folder, "--text", "hi"] + m, env=env, capture_output=True, timeout=10)
    return "the cache was damaged by the output" if b"damaged" in again.stderr or b"ignored" in again.stderr else None
run(4, ["search", folder, "--text", "hi"] + m, cache_still_clean,
    stdout=subprocess.DEVNULL, pre_exec=lambda: os.close(1), shell_note="clipscope search … >&- (cache untouched)")
r, w = os.pipe(); os.close(r)
run(4, ["tokenize", "hi"] + m, status(141), stdout=w, pre_exec=lambda: signal.signal(signal.SIGPIPE, signal.SIG_IGN),
    shell_note="clipscope tokenize hi | (closed), SIGPIPE ignored")
os.close(w)
run(4, ["export", folder, "--out", P("x.npy")] + m, lambda rc, o, e: None if rc in (0, 1) else f"exit {rc}",
    stderr=full, shell_note="clipscope export … 2> /dev/full")

# 5. FIFOs and devices
fifo_model = copy_demo("fifomodel"); os.remove(os.path.join(fifo_model, "model.safetensors")); os.mkfifo(os.path.join(fifo_model, "model.safetensors"))
run(5, ["model", "verify", fifo_model], status(1, "FIFO"))
run(5, ["embed", "--model", fifo_model, "--text", "hi"], status(1, "FIFO"))
os.mkfifo(P("pipe.jpg"))
run(5, ["embed", "--image", P("pipe.jpg")] + m, status(1, "FIFO", stream="out"))
run(5, ["embed", "--image", "/dev/zero"] + m, status(1, "character device", stream="out"))
os.mkfifo(P("data.json"))
run(5, ["eval", "--dataset", P("data.json")] + m, status(1, "FIFO"))

# 6. --out over a device or FIFO
img = os.path.join(folder, sorted(os.listdir(folder))[0])
run(6, ["preprocess", "--image", img, "--out", "/dev/full"] + m,
    lambda rc, o, e: (f"exit {rc}" if rc != 1 else None) or (None if stat.S_ISCHR(os.stat("/dev/full").st_mode) else "/dev/full replaced"))
os.mkfifo(P("out.npy"))
run(6, ["export", folder, "--out", P("out.npy")] + m,
    lambda rc, o, e: (f"exit {rc}" if rc != 1 else None) or (None if stat.S_ISFIFO(os.stat(P("out.npy")).st_mode) else "FIFO replaced"))

# 7. A fine-tune with the same config and shapes
ft = copy_demo("finetune")
with open(os.path.join(ft, "model.safetensors"), "r+b") as f:
    n = struct.unpack("<Q", f.read(8))[0]; f.seek(8 + n + 1000); b = f.read(1); f.seek(8 + n + 1000); f.write(bytes([b[0] ^ 1]))
run(7, ["index", folder, "--model", ft], status(0, f"{len(os.listdir(folder))} embedded", stream="out"))

# 8. Same size and ends, different middle (uncompressed PNGs, 300 × 300)
same = P("same"); os.makedirs(same)
def square(colour):
    edge = bytes([128, 128, 128]) * 300
    mid = bytes(colour) * 300
    return [edge] * 120 + [mid] * 60 + [edge] * 120
png(os.path.join(same, "red.png"), 300, 300, square([255, 0, 0]), level=0)
png(os.path.join(same, "blue.png"), 300, 300, square([0, 0, 255]), level=0)
run(8, ["index", same] + m, status(0, "2 embedded", "0 reused after rename/copy", stream="out"))

# 9. import of hostile rows
imp = P("import.npy")
np.save(imp, np.array([[1e30] * 128, [0] * 128, [1] * 128, [1] * 128, [1] * 128], dtype="<f4"))
names = sorted(os.listdir(folder))
open(P("import.paths.jsonl"), "w").write("".join(json.dumps({"path": p}) + "\n" for p in [names[0], names[1], names[2], names[2], "../etc/passwd"]))
run(9, ["import", folder, "--vectors", imp] + m, status(1, "all zeros", "outside"))

# 10. A JPEG cut in half
cutdir = P("cut"); os.makedirs(cutdir)
jpeg = open(os.path.join(os.environ["CLIPSCOPE_ASSETS"], "..", "Tests", "Fixtures", "jina-clip-v2-tiny", "image_jpeg_120x90_q90.jpg"), "rb").read()
open(os.path.join(cutdir, "cut.jpg"), "wb").write(jpeg[: len(jpeg) // 2])
run(10, ["embed", "--image", os.path.join(cutdir, "cut.jpg")] + m, status(1, "image file is truncated", stream="out"))
run(10, ["index", cutdir] + m, status(1, "image file is truncated", stream="out"))
run(10, ["index", cutdir, "--allow-partial"] + m, status(0, "partial: 1 image(s)", stream="out"))

# 11. Control characters in file names
NL = b"\n"
hostile = P("hostile"); os.makedirs(hostile)
for name in ["\x1b]2;pwned\x07.png", "\x1b[41mred.png", "cr\rover.png", "lf\nsplit.png"]:
    shutil.copy(img, os.path.join(hostile, name))
clean = lambda rc, o, e: (f"exit {rc}" if rc != 0 else None) or (
    "control byte in output" if any(c in o + e for c in b"\x1b\r\x07") else None) or (
    None if o.count(NL) == 4 else "%d lines, expected 4" % o.count(NL))
run(11, ["search", hostile, "--text", "red", "--top", "4"] + m, clean, shell_note="clipscope search DIR-with-ESC/CR/LF-names --top 4")
run(11, ["index", hostile] + m, lambda rc, o, e: (f"exit {rc}" if rc != 0 else None) or (
    "control byte in output" if any(c in o + e for c in b"\x1b\r\x07") else None))

# 12. Links out of the folder
links = P("links"); os.makedirs(links); shutil.copy(img, links)
os.symlink("..", os.path.join(links, "up")); os.symlink("/etc/passwd", os.path.join(links, "passwd.jpg"))
run(12, ["index", links] + m, status(0, "1 of 1 images indexed", "symbolic link out of the folder", stream="out"))
refs = P("hf", "hub", "models--jinaai--jina-clip-v2", "refs"); os.makedirs(refs)
open(os.path.join(refs, "main"), "w").write("../../../../etc")
run(12, ["embed", "--model", "jinaai/jina-clip-v2", "--text", "hi"], lambda rc, o, e: None if rc == 1 and b"/etc" not in o else f"exit {rc}")
open(P("evil.json"), "w").write(json.dumps({"images": [{"filename": "../../etc/passwd", "split": "test", "sentences": [{"raw": "x"}]}]}))
run(12, ["eval", "--dataset", P("evil.json")] + m, status(1, "leads out"))

# 14. 1 × 100,000,000 PNG
tall = P("tall.png")
c = zlib.compressobj(9); parts = []
row = b"\0\x10\x80\xf0"
for _ in range(100):
    parts.append(c.compress(row * 1_000_000))
parts.append(c.flush())
def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
open(tall, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 100_000_000, 8, 2, 0, 0, 0))
                       + chunk(b"IDAT", b"".join(parts)) + chunk(b"IEND", b""))
run(14, ["embed", "--image", tall] + m, status(0), shell_note=f"clipscope embed --image tall.png (1×100,000,000, {os.path.getsize(tall) // 1024} KB)")

# 15. Cache files that are directories; unusable caches
stores = [d for d in os.listdir(P("cache")) if d.startswith("store-")]
for s in stores:
    v = P("cache", s, "vectors.bin")
    if os.path.exists(v): os.remove(v)
    os.makedirs(v, exist_ok=True)
run(15, ["search", folder, "--text", "a red circle"] + m, status(0, "not a file"))
open(P("notadir"), "w").write("x")
ro = {"CLIPSCOPE_CACHE_DIR": P("notadir", "cache")}
run(15, ["search", folder, "--text", "a red circle", "--top", "1"] + m, status(0, "could not be updated"), extra_env=ro,
    shell_note="CLIPSCOPE_CACHE_DIR=<unwritable> clipscope search …")
run(15, ["index", folder] + m, status(1, "cannot update the cache"), extra_env=ro, shell_note="CLIPSCOPE_CACHE_DIR=<unwritable> clipscope index …")

# 16. Messages
run(16, ["tokenize", "--tokenizer", P("pipe.jpg"), "hi"], status(1, "FIFO", absent=("permission",)))
neg = copy_demo("mlp"); edit_config(neg, lambda c: c["vision_config"].update(mlp_ratio=-2))
run(16, ["embed", "--model", neg, "--text", "hi"], status(1, "mlp_ratio"))
run(16, ["model", "download", "jinaai/jina-clip-v2", "--yes"], status(1, "HF_ENDPOINT"),
    extra_env={"HF_ENDPOINT": "http://no-such-host.invalid"}, shell_note="HF_ENDPOINT=http://no-such-host.invalid clipscope model download")
run(16, ["embed", "--model", fifo_model, "--text", "hi"], status(1, absent=("NSCocoaErrorDomain",)))

print("| class | command | exit | first line of stderr | result | s |")
print("|---|---|---|---|---|---|")
for cls, cmd, rc, first, verdict, dt in rows:
    print(f"| {cls} | `{cmd}` | {rc} | {first} | {verdict} | {dt:.1f} |")
print(f"\n{len(rows) - failures} of {len(rows)} passed (13: see Scripts/soak/soak_explorer_signals.sh)")
if not os.environ.get("CLIPSCOPE_AUDIT_KEEP"): shutil.rmtree(work, ignore_errors=True)
else: print("kept", work)
sys.exit(1 if failures else 0)
PY
