"""Writes a random-weight model with Stable Diffusion 1.5's exact architecture as a diffusers folder.

The benchmark needs SD1.5's shapes (UNet 320/640/1280/1280 with 8 heads and 768-wide cross-attention, VAE
128/256/512/512, CLIP ViT-L/14 text encoder) but not its trained weights, which are large and not available
offline. Weights are PyTorch's default initialisation after torch.manual_seed(SEED): the timings do not depend
on the values. The tokenizer is the real CLIP vocabulary bundled in assets/clip-tokenizer/.

Usage: python bench/make_random_sd15.py [OUT_DIR]   (default /tmp/magicapture-bench/sd15-random)
About 4.3 GB is written (fp32). Never commit the output.
"""

import json
import os
import shutil
import sys
import time

import torch
from diffusers import AutoencoderKL, UNet2DConditionModel
from transformers import CLIPTextConfig, CLIPTextModel

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOKENIZER_SRC = os.path.join(REPO, "assets", "clip-tokenizer")
DEFAULT_OUT = "/tmp/magicapture-bench/sd15-random"
SEED = 0
BOS, EOS = "<|startoftext|>", "<|endoftext|>"

# runwayml/stable-diffusion-v1-5 unet/config.json
UNET_CONFIG = dict(
    sample_size=64,
    in_channels=4,
    out_channels=4,
    down_block_types=["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"],
    up_block_types=["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"],
    block_out_channels=[320, 640, 1280, 1280],
    layers_per_block=2,
    cross_attention_dim=768,
    attention_head_dim=8,  # diffusers' SD1.5 quirk: this is the number of heads
    norm_num_groups=32,
    norm_eps=1e-5,
    act_fn="silu",
    flip_sin_to_cos=True,
    freq_shift=0,
    downsample_padding=1,
    mid_block_scale_factor=1,
    center_input_sample=False,
    use_linear_projection=False,
)

# runwayml/stable-diffusion-v1-5 vae/config.json
VAE_CONFIG = dict(
    in_channels=3,
    out_channels=3,
    down_block_types=["DownEncoderBlock2D"] * 4,
    up_block_types=["UpDecoderBlock2D"] * 4,
    block_out_channels=[128, 256, 512, 512],
    layers_per_block=2,
    act_fn="silu",
    latent_channels=4,
    norm_num_groups=32,
    sample_size=512,
    scaling_factor=0.18215,
)

# runwayml/stable-diffusion-v1-5 scheduler/scheduler_config.json
SCHEDULER_CONFIG = {
    "_class_name": "PNDMScheduler",
    "_diffusers_version": "0.6.0",
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

MODEL_INDEX = {
    "_class_name": "StableDiffusionPipeline",
    "_diffusers_version": "0.35.2",
    "feature_extractor": [None, None],
    "image_encoder": [None, None],
    "requires_safety_checker": False,
    "safety_checker": [None, None],
    "scheduler": ["diffusers", "PNDMScheduler"],
    "text_encoder": ["transformers", "CLIPTextModel"],
    "tokenizer": ["transformers", "CLIPTokenizer"],
    "unet": ["diffusers", "UNet2DConditionModel"],
    "vae": ["diffusers", "AutoencoderKL"],
}


def text_config(vocab):
    # openai/clip-vit-large-patch14 text tower, as SD1.5 ships it (text_encoder/config.json)
    return CLIPTextConfig(
        vocab_size=len(vocab),
        hidden_size=768,
        intermediate_size=3072,
        num_hidden_layers=12,
        num_attention_heads=12,
        max_position_embeddings=77,
        projection_dim=768,
        hidden_act="quick_gelu",
        layer_norm_eps=1e-5,
        bos_token_id=vocab[BOS],
        eos_token_id=vocab[EOS],
        pad_token_id=vocab[EOS],
    )


def write_json(path, obj):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(obj, indent=2, sort_keys=True) + "\n")


def write_tokenizer(folder):
    os.makedirs(folder)
    for name in ("vocab.json", "merges.txt"):
        shutil.copyfile(os.path.join(TOKENIZER_SRC, name), os.path.join(folder, name))
    token = {"lstrip": False, "normalized": True, "rstrip": False, "single_word": False}
    write_json(os.path.join(folder, "special_tokens_map.json"), {
        "bos_token": dict(token, content=BOS), "eos_token": dict(token, content=EOS),
        "pad_token": EOS, "unk_token": dict(token, content=EOS),
    })
    write_json(os.path.join(folder, "tokenizer_config.json"), {
        "add_prefix_space": False, "bos_token": dict(token, content=BOS, __type="AddedToken"), "do_lower_case": True,
        "eos_token": dict(token, content=EOS, __type="AddedToken"), "errors": "replace", "model_max_length": 77,
        "pad_token": EOS, "tokenizer_class": "CLIPTokenizer", "unk_token": dict(token, content=EOS, __type="AddedToken"),
    })
    with open(os.path.join(folder, "vocab.json"), encoding="utf-8") as f:
        return json.load(f)


def main():
    out = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUT)
    part = out + ".part"
    if os.path.isdir(part):
        shutil.rmtree(part)
    os.makedirs(part)
    torch.set_grad_enabled(False)
    vocab = write_tokenizer(os.path.join(part, "tokenizer"))
    if len(vocab) != 49408:
        raise SystemExit(f"{TOKENIZER_SRC}: expected the 49408-token CLIP vocabulary, found {len(vocab)} tokens")
    factories = {
        "text_encoder": lambda: CLIPTextModel(text_config(vocab)),
        "unet": lambda: UNet2DConditionModel(**UNET_CONFIG),
        "vae": lambda: AutoencoderKL(**VAE_CONFIG),
    }
    for name, make in factories.items():
        began = time.perf_counter()
        torch.manual_seed(SEED)
        model = make().float().eval()
        model.save_pretrained(os.path.join(part, name), safe_serialization=True, max_shard_size="20GB")
        params = sum(p.numel() for p in model.parameters())
        print(f"{name}: {params / 1e6:.1f}M parameters, {time.perf_counter() - began:.0f} s", flush=True)
        del model
    os.makedirs(os.path.join(part, "scheduler"))
    write_json(os.path.join(part, "scheduler", "scheduler_config.json"), SCHEDULER_CONFIG)
    write_json(os.path.join(part, "model_index.json"), MODEL_INDEX)
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.replace(part, out)
    print(out)


if __name__ == "__main__":
    main()
