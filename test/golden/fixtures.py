"""Writes test/fixtures/tiny-sd: the diffusers folder and the three single-file LDM checkpoints."""

import json
import os
import shutil

import torch
from diffusers import PNDMScheduler, StableDiffusionPipeline
from diffusers.loaders.single_file_utils import (convert_ldm_clip_checkpoint, convert_ldm_unet_checkpoint,
                                                  convert_ldm_vae_checkpoint)
from safetensors import safe_open
from transformers import CLIPTokenizer

import ldm_keys
import tiny_sd
from common import DIFFUSERS_DIR, FIXTURE_DIR, write_tensors

LDM_FILES = {"tiny-sd-ldm.safetensors": torch.float32, "tiny-sd-ldm-fp16.safetensors": torch.float16,
             "tiny-sd-ldm-bf16.safetensors": torch.bfloat16}

EXPECTED_DIFFUSERS_FILES = sorted([
    "model_index.json", "scheduler/scheduler_config.json",
    "text_encoder/config.json", "text_encoder/model.safetensors",
    "tokenizer/merges.txt", "tokenizer/special_tokens_map.json", "tokenizer/tokenizer_config.json",
    "tokenizer/vocab.json",
    "unet/config.json", "unet/diffusion_pytorch_model.safetensors",
    "vae/config.json", "vae/diffusion_pytorch_model.safetensors",
])


def _files(folder):
    return sorted(os.path.relpath(os.path.join(d, f), folder).replace(os.sep, "/")
                  for d, _, fs in os.walk(folder) for f in fs)


def _same_state(a, b, what):
    if set(a) != set(b):
        raise AssertionError(f"{what}: key sets differ: {sorted(set(a) ^ set(b))[:10]}")
    for k in a:
        if a[k].shape != b[k].shape or a[k].dtype != b[k].dtype or not torch.equal(a[k], b[k]):
            raise AssertionError(f"{what}: tensor {k} differs")


def write_diffusers_folder():
    tok_tmp = os.path.join(FIXTURE_DIR, ".tokenizer-tmp")
    vocab = tiny_sd.write_tokenizer(tok_tmp)
    tokenizer = CLIPTokenizer.from_pretrained(tok_tmp)
    shutil.rmtree(tok_tmp)
    assert len(tokenizer) == len(vocab) and tokenizer.eos_token_id == vocab[tiny_sd.EOS]
    assert tokenizer.bos_token_id == vocab[tiny_sd.BOS] and tokenizer.pad_token_id == vocab[tiny_sd.EOS]
    models = tiny_sd.build_models(vocab)
    pipe = StableDiffusionPipeline(
        vae=models["vae"], text_encoder=models["text_encoder"], tokenizer=tokenizer, unet=models["unet"],
        scheduler=PNDMScheduler.from_config(tiny_sd.SD15_SCHEDULER), safety_checker=None,
        feature_extractor=None, requires_safety_checker=False)
    if os.path.isdir(DIFFUSERS_DIR):
        shutil.rmtree(DIFFUSERS_DIR)
    pipe.save_pretrained(DIFFUSERS_DIR, safe_serialization=True)
    # Keep the files SD1.5 ships: its sparse scheduler config (missing keys take each class's defaults, which
    # matters for from_config: Euler gets "linspace", not PNDM's "leading") and its tokenizer files.
    with open(os.path.join(DIFFUSERS_DIR, "scheduler", "scheduler_config.json"), "w", newline="\n") as f:
        f.write(json.dumps(dict({"_class_name": "PNDMScheduler", "_diffusers_version": "0.6.0"},
                                **tiny_sd.SD15_SCHEDULER), indent=2) + "\n")
    tiny_sd.write_tokenizer(os.path.join(DIFFUSERS_DIR, "tokenizer"))
    if _files(DIFFUSERS_DIR) != EXPECTED_DIFFUSERS_FILES:
        raise AssertionError(f"unexpected diffusers folder content: {_files(DIFFUSERS_DIR)}")
    reloaded = StableDiffusionPipeline.from_pretrained(DIFFUSERS_DIR)
    for name in ("unet", "vae", "text_encoder"):
        _same_state(models[name].state_dict(), getattr(reloaded, name).state_dict(), f"reloaded {name}")
    return models


def _configs():
    out = {}
    for name in ("unet", "vae", "text_encoder"):
        with open(os.path.join(DIFFUSERS_DIR, name, "config.json")) as f:
            out[name] = json.load(f)
    return out


def write_ldm_files(models):
    cfg = _configs()
    unet_sd, vae_sd, clip_sd = (models[n].state_dict() for n in ("unet", "vae", "text_encoder"))
    ldm = ldm_keys.to_ldm(unet_sd, vae_sd, clip_sd, cfg["unet"], cfg["vae"],
                          cfg["text_encoder"]["max_position_embeddings"])
    check_ldm(ldm, unet_sd, vae_sd, clip_sd, cfg)
    metadata = {"format": "pt", "magicapture.configs": json.dumps(cfg, sort_keys=True, separators=(",", ":"))}
    for fname, dtype in LDM_FILES.items():
        cast = {k: (v.to(dtype) if v.is_floating_point() else v) for k, v in ldm.items()}
        path = os.path.join(FIXTURE_DIR, fname)
        write_tensors(path, cast, metadata)
        with safe_open(path, "pt") as f:
            assert json.loads(f.metadata()["magicapture.configs"]) == cfg
            _same_state(cast, {k: f.get_tensor(k) for k in f.keys()}, fname)
    return ldm


def check_ldm(ldm, unet_sd, vae_sd, clip_sd, cfg):
    """Round trip through our inverse mapping, then an independent check with diffusers' own converter."""
    unet_back, vae_back, clip_back, unused = ldm_keys.from_ldm(ldm, cfg["unet"], cfg["vae"])
    # position_ids is a non-persistent buffer of transformers' CLIPTextModel: no weight, so unused as well.
    assert unused == [ldm_keys.CLIP_PREFIX + "text_model.embeddings.position_ids", "model_ema.decay"], unused
    _same_state(unet_sd, unet_back, "LDM round trip unet")
    _same_state(vae_sd, vae_back, "LDM round trip vae")
    _same_state(clip_sd, clip_back, "LDM round trip clip")
    _same_state(unet_sd, convert_ldm_unet_checkpoint(dict(ldm), cfg["unet"]), "diffusers converter unet")
    _same_state(vae_sd, convert_ldm_vae_checkpoint(dict(ldm), cfg["vae"]), "diffusers converter vae")
    clip_theirs = convert_ldm_clip_checkpoint(dict(ldm))
    clip_theirs.pop("text_model.embeddings.position_ids")
    _same_state(clip_sd, clip_theirs, "diffusers converter clip")
    ldm_names = [k for k in ldm if k.startswith(ldm_keys.UNET_PREFIX)]
    for probe in ("input_blocks.7.0.skip_connection.weight", "input_blocks.3.0.op.weight",
                  "output_blocks.2.1.conv.weight", "output_blocks.5.2.conv.weight", "middle_block.1.proj_in.weight",
                  "output_blocks.11.1.transformer_blocks.0.attn2.to_k.weight", "time_embed.2.bias", "out.2.weight"):
        assert ldm_keys.UNET_PREFIX + probe in ldm_names, probe
    for probe, shape in (("encoder.mid.attn_1.q.weight", (16, 16, 1, 1)), ("decoder.up.1.block.0.nin_shortcut.weight", None),
                         ("decoder.up.3.upsample.conv.weight", None), ("encoder.down.3.block.1.conv2.weight", None)):
        key = ldm_keys.VAE_PREFIX + probe
        assert key in ldm and (shape is None or tuple(ldm[key].shape) == shape), probe
