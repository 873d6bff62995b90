"""The tiny random-weight SD1.5-architecture model: tokenizer files, configs, weights.

Widths are far below SD1.5's so that every committed copy stays small; every block type, block count,
skip connection, channel change and the attention layout are SD1.5's.
"""

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

import torch
from diffusers import AutoencoderKL, UNet2DConditionModel
from transformers import CLIPTextConfig, CLIPTextModel

OPEN_CLIP_PIN = "open_clip_torch==3.3.0"
BPE_MEMBER = "open_clip/bpe_simple_vocab_16e6.txt.gz"
BPE_SHA256 = "924691ac288e54409236115652ad4aa250f48203de50a9e4722a6ecd48d6804a"
BPE_CACHE = os.path.join(os.path.expanduser("~"), ".cache", "magicapture", "bpe_simple_vocab_16e6.txt.gz")
TINY_MERGES = 1000

BOS, EOS = "<|startoftext|>", "<|endoftext|>"

# SD1.5's scheduler/scheduler_config.json, as shipped (keys it lacks take each class's defaults).
SD15_SCHEDULER = {
    "beta_end": 0.012,
    "beta_schedule": "scaled_linear",
    "beta_start": 0.00085,
    "clip_sample": False,
    "num_train_timesteps": 1000,
    "set_alpha_to_one": False,
    "skip_prk_steps": True,
    "steps_offset": 1,
    "trained_betas": None,
}

UNET_CONFIG = dict(
    sample_size=8,
    in_channels=4,
    out_channels=4,
    down_block_types=["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"],
    up_block_types=["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"],
    block_out_channels=[8, 8, 16, 16],
    layers_per_block=2,
    cross_attention_dim=32,
    attention_head_dim=2,  # diffusers' SD1.5 quirk: this is the number of heads
    norm_num_groups=4,
    norm_eps=1e-5,
    act_fn="silu",
    flip_sin_to_cos=True,
    freq_shift=0,
    downsample_padding=1,
    mid_block_scale_factor=1,
    center_input_sample=False,
    use_linear_projection=False,
)

VAE_CONFIG = dict(
    in_channels=3,
    out_channels=3,
    down_block_types=["DownEncoderBlock2D"] * 4,
    up_block_types=["UpDecoderBlock2D"] * 4,
    block_out_channels=[8, 8, 16, 16],
    layers_per_block=2,
    act_fn="silu",
    latent_channels=4,
    norm_num_groups=4,
    sample_size=64,
    scaling_factor=0.18215,
)

SEEDS = {"text_encoder": (0, 100), "unet": (1, 101), "vae": (2, 102)}  # (init seed, perturbation seed)
PERTURB_STD = 0.02


def bpe_path():
    """OpenAI's CLIP BPE merges file, taken from the pinned open_clip_torch wheel (downloaded, never installed)."""
    if not os.path.exists(BPE_CACHE):
        os.makedirs(os.path.dirname(BPE_CACHE), exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(
                [sys.executable, "-m", "pip", "download", OPEN_CLIP_PIN, "--no-deps", "-q", "-d", tmp], check=True
            )
            (wheel,) = [f for f in os.listdir(tmp) if f.endswith(".whl")]
            with zipfile.ZipFile(os.path.join(tmp, wheel)) as z, open(BPE_CACHE + ".part", "wb") as out:
                out.write(z.read(BPE_MEMBER))
        os.replace(BPE_CACHE + ".part", BPE_CACHE)
    with open(BPE_CACHE, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    if digest != BPE_SHA256:
        raise SystemExit(f"{BPE_CACHE}: expected sha256 {BPE_SHA256}, got {digest}; delete it and rerun")
    return BPE_CACHE


def bytes_to_unicode():
    # OpenAI CLIP simple_tokenizer.bytes_to_unicode
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(2**8):
        if b not in bs:
            bs.append(b)
            cs.append(2**8 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def build_vocab(num_merges=TINY_MERGES):
    """vocab and merges exactly as simple_tokenizer.SimpleTokenizer builds them, cut to the first merges."""
    with gzip.open(bpe_path()) as f:
        lines = f.read().decode("utf-8").split("\n")
    merges = [tuple(m.split()) for m in lines[1 : 49152 - 256 - 2 + 1]][:num_merges]
    vocab = list(bytes_to_unicode().values())
    vocab = vocab + [v + "</w>" for v in vocab]
    vocab += ["".join(m) for m in merges]
    vocab += [BOS, EOS]
    assert len(vocab) == len(set(vocab)) == 512 + num_merges + 2
    return {tok: i for i, tok in enumerate(vocab)}, merges


def _added_token(content):
    return {"__type": "AddedToken", "content": content, "lstrip": False, "normalized": True, "rstrip": False,
            "single_word": False}


def write_tokenizer(folder):
    vocab, merges = build_vocab()
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    _write_json(os.path.join(folder, "vocab.json"), vocab, sort_keys=False)
    with open(os.path.join(folder, "merges.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges))
    special = {k: v for k, v in _added_token("").items() if k != "__type"}
    _write_json(os.path.join(folder, "special_tokens_map.json"), {
        "bos_token": dict(special, content=BOS),
        "eos_token": dict(special, content=EOS),
        "pad_token": EOS,
        "unk_token": dict(special, content=EOS),
    })
    _write_json(os.path.join(folder, "tokenizer_config.json"), {
        "add_prefix_space": False,
        "bos_token": _added_token(BOS),
        "do_lower_case": True,
        "eos_token": _added_token(EOS),
        "errors": "replace",
        "model_max_length": 77,
        "pad_token": EOS,
        "tokenizer_class": "CLIPTokenizer",
        "unk_token": _added_token(EOS),
    })
    return vocab


def _write_json(path, obj, sort_keys=True):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(obj, indent=2, sort_keys=sort_keys, ensure_ascii=False) + "\n")


def text_encoder_config(vocab):
    return CLIPTextConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=3,
        num_attention_heads=4,
        max_position_embeddings=77,
        hidden_act="quick_gelu",
        layer_norm_eps=1e-5,
        bos_token_id=vocab[BOS],
        eos_token_id=vocab[EOS],
        pad_token_id=vocab[EOS],
    )


def seed_note(name):
    init_seed, perturb_seed = SEEDS[name]
    return f"init after torch.manual_seed({init_seed}), perturbed with Generator seed {perturb_seed}"


def perturb(model, seed):
    """p += 0.02 * randn for every parameter, in named_parameters() order, from one CPU generator."""
    gen = torch.Generator("cpu").manual_seed(seed)
    with torch.no_grad():
        for _, p in model.named_parameters():
            p.add_(PERTURB_STD * torch.randn(p.shape, generator=gen, dtype=p.dtype))
    return model


def build_models(vocab):
    out = {}
    factories = {
        "text_encoder": lambda: CLIPTextModel(text_encoder_config(vocab)),
        "unet": lambda: UNet2DConditionModel(**UNET_CONFIG),
        "vae": lambda: AutoencoderKL(**VAE_CONFIG),
    }
    for name, make in factories.items():
        init_seed, perturb_seed = SEEDS[name]
        torch.manual_seed(init_seed)
        out[name] = perturb(make().float().eval(), perturb_seed)
    return out
