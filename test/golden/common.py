"""Paths, deterministic writers and the shared test image for the golden generator."""

import hashlib
import json
import math
import os

import torch
from safetensors.torch import save

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
FIXTURE_DIR = os.path.join(REPO, "test", "fixtures", "tiny-sd")
DIFFUSERS_DIR = os.path.join(FIXTURE_DIR, "diffusers")
GOLDEN_DIR = HERE

LATENT_SHAPE = [1, 4, 8, 8]


def setup_determinism():
    from diffusers.utils import logging as diffusers_logging
    from transformers.utils import logging as transformers_logging

    diffusers_logging.set_verbosity_error()  # the safety-checker and accelerate notices are expected here
    diffusers_logging.disable_progress_bar()
    transformers_logging.set_verbosity_error()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    torch.set_grad_enabled(False)


def write_json(path, obj):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(obj, indent=2, ensure_ascii=False, allow_nan=False) + "\n")


def write_tensors(path, tensors, metadata=None):
    for name, t in tensors.items():
        if not torch.isfinite(t.double()).all():
            raise ValueError(f"{path}: {name} is not finite")
    blob = save({k: v.detach().contiguous().clone() for k, v in tensors.items()}, metadata=metadata)
    with open(path, "wb") as f:
        f.write(_sorted_metadata(blob))


def _sorted_metadata(blob):
    """safetensors writes __metadata__ from a hash map, in a random order; sort it so reruns are byte-identical."""
    n = int.from_bytes(blob[:8], "little")
    header = json.loads(blob[8:8 + n])
    if "__metadata__" in header:
        header["__metadata__"] = dict(sorted(header["__metadata__"].items()))
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return len(text).to_bytes(8, "little") + text + blob[8 + n:]


def describe(tensors):
    """{name: {"shape": [...], "dtype": "float32"}} for the JSON indexes."""
    return {k: {"shape": list(v.shape), "dtype": str(v.dtype).replace("torch.", "")} for k, v in tensors.items()}


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def randn(seed, shape=LATENT_SHAPE):
    return torch.randn(shape, generator=torch.Generator("cpu").manual_seed(seed), dtype=torch.float32)


def pattern01():
    """A smooth RGB test image in [0.1, 0.9], [1, 3, 64, 64] float32 (computed in float64, then rounded)."""
    y = torch.linspace(0.0, 1.0, 64, dtype=torch.float64)[:, None]
    x = torch.linspace(0.0, 1.0, 64, dtype=torch.float64)[None, :]
    r = 0.5 + 0.4 * torch.sin(2 * math.pi * (x + 0.5 * y))
    g = 0.5 + 0.4 * torch.cos(2 * math.pi * (1.5 * x - y))
    b = 0.5 + 0.4 * torch.sin(math.pi * (3 * x * y + 0.5))
    return torch.stack([r, g, b])[None].to(torch.float32)
