"""Builds assets/clip-tokenizer/{vocab.json,merges.txt} from OpenAI's bpe_simple_vocab_16e6.txt.gz.

    /work/pyenv/bin/python test/golden/build_clip_vocab.py            # pip-downloads open_clip_torch 3.3.0
    /work/pyenv/bin/python test/golden/build_clip_vocab.py --gz PATH  # or use a bpe_simple_vocab_16e6.txt.gz you have

The construction is OpenAI's simple_tokenizer.SimpleTokenizer (CLIP, MIT licence), written out in the two-file
layout that transformers' CLIPTokenizer reads. It is the tokenizer of SD1.5's text encoder (ViT-L/14): 49,408 ids.
The wheel is only a carrier for the .gz; it is downloaded to a temporary folder and never committed.
"""

import argparse
import gzip
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
OUT_DIR = os.path.join(REPO, "assets", "clip-tokenizer")

WHEEL_SPEC = "open_clip_torch==3.3.0"
GZ_MEMBER = "open_clip/bpe_simple_vocab_16e6.txt.gz"
# The SHA-256 that OpenAI's CLIP repository and open_clip ship for this file.
GZ_SHA256 = "924691ac288e54409236115652ad4aa250f48203de50a9e4722a6ecd48d6804a"
VOCAB_SIZE = 49408
MERGE_COUNT = 49152 - 256 - 2


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
    bs += list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(2**8):
        if b not in bs:
            bs.append(b)
            cs.append(2**8 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def gz_from_wheel(tmp):
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-d", tmp, WHEEL_SPEC],
        check=True,
    )
    wheels = [f for f in os.listdir(tmp) if f.endswith(".whl")]
    if len(wheels) != 1:
        raise SystemExit(f"expected one wheel in {tmp}, found {wheels}")
    with zipfile.ZipFile(os.path.join(tmp, wheels[0])) as z:
        return z.read(GZ_MEMBER)


def build(gz_bytes):
    digest = hashlib.sha256(gz_bytes).hexdigest()
    if digest != GZ_SHA256:
        raise SystemExit(f"bpe_simple_vocab_16e6.txt.gz: expected sha256 {GZ_SHA256}, received {digest}")
    lines = gzip.decompress(gz_bytes).decode("utf-8").split("\n")
    merges = [tuple(line.split()) for line in lines[1 : MERGE_COUNT + 1]]
    if len(merges) != MERGE_COUNT or any(len(m) != 2 for m in merges):
        raise SystemExit("unexpected merges layout in bpe_simple_vocab_16e6.txt")
    vocab = list(bytes_to_unicode().values())
    vocab = vocab + [v + "</w>" for v in vocab]
    vocab += ["".join(m) for m in merges]
    vocab += ["<|startoftext|>", "<|endoftext|>"]
    encoder = {tok: i for i, tok in enumerate(vocab)}
    if len(encoder) != VOCAB_SIZE:
        raise SystemExit(f"expected {VOCAB_SIZE} distinct tokens, built {len(encoder)}")
    return encoder, merges, digest


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gz", help="path to bpe_simple_vocab_16e6.txt.gz (skips the pip download)")
    ap.add_argument("--out", default=OUT_DIR)
    args = ap.parse_args()

    if args.gz:
        with open(args.gz, "rb") as f:
            gz_bytes = f.read()
    else:
        with tempfile.TemporaryDirectory() as tmp:
            gz_bytes = gz_from_wheel(tmp)
    encoder, merges, digest = build(gz_bytes)

    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "vocab.json"), "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(encoder, ensure_ascii=False, separators=(",", ":")) + "\n")
    with open(os.path.join(args.out, "merges.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write("#version: 0.2\n")
        for a, b in merges:
            f.write(f"{a} {b}\n")
    print(f"bpe_simple_vocab_16e6.txt.gz sha256 {digest}")
    for name in ("vocab.json", "merges.txt"):
        with open(os.path.join(args.out, name), "rb") as f:
            print(f"{name}: sha256 {hashlib.sha256(f.read()).hexdigest()}")
    print(f"{len(encoder)} tokens, {len(merges)} merges -> {args.out}")


if __name__ == "__main__":
    main()
