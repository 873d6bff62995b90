"""lora*.safetensors + lora.json: MagiCapture LoRA adapters and placeholder tokens on the tiny model.

    /work/pyenv/bin/python test/golden/golden_lora.py

Standalone (it reads the committed fixture; generate.py does not call it). Deterministic: a rerun gives
byte-identical files. See the LoRA section of README.md beside this file.

The adapters are applied our own way, with forward hooks adding s * up(down(x)) to the output of every target
Linear (METHOD.md §3), so the goldens do not depend on any LoRA loader. When peft is importable, the kohya file is
also loaded with diffusers' own load_lora_weights and must give the same images (printed, not stored).
"""

import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from common import (DIFFUSERS_DIR, GOLDEN_DIR, REPO, describe, setup_determinism, sha256, write_json,  # noqa: E402
                    write_tensors)

RANK = 4
TOKENS = ["<sks>", "<style1>"]
PROMPT = "a photo of a <sks> person with style <style1>"
PARAMS = dict(prompt=PROMPT, negative_prompt="", num_inference_steps=4, guidance_scale=7.5, height=64, width=64,
              num_images_per_prompt=1, seed=77)
SCALES = {"lora": (0.6, 0.9), "tokens_only": (0.0, 0.0)}  # (unet, text encoder)
WEIGHT_SEED = 2024  # one CPU generator: for each target in official order, down then up; UNet first
TOKEN_SEED = 2025
UP_STD = 0.1  # METHOD's init has up = 0; a non-zero up makes the adapters matter

# Sibling order in the official stack (diffusers 0.14 / transformers 4.25), see native/src/lora/targets.h.
SIBLING_RANK = {"down_blocks": 0, "up_blocks": 1, "mid_block": 2, "attn1": 0, "ff": 1, "attn2": 2,
                "to_q": 0, "to_k": 1, "to_v": 2, "to_out": 3, "k_proj": 0, "v_proj": 1, "q_proj": 2, "out_proj": 3}
UNET_ANCESTORS = {"Attention", "GEGLU"}  # diffusers 0.35's names for 0.14's CrossAttention and GEGLU
TEXT_ANCESTORS = {"CLIPAttention"}
OUTPUTS = ["lora.safetensors", "lora.json", "lora_magicapture.safetensors", "lora_kohya.safetensors"]


def official_key(path):
    return [(0, int(p)) if p.isdigit() else (1, SIBLING_RANK.get(p, 0)) for p in path.split(".")]


def targets(model, ancestors):
    """Every nn.Linear below a module of an ancestor class, in the official (diffusers 0.14) traversal order."""
    found = {}
    for name, module in model.named_modules():
        if type(module).__name__ in ancestors:
            for sub, child in module.named_modules(prefix=name):
                if isinstance(child, torch.nn.Linear):
                    found[sub] = child
    return [(p, found[p]) for p in sorted(found, key=official_key)]


def fp16_exact(t):
    return t.to(torch.float16).to(torch.float32)


def make_adapters(unet_targets, text_targets):
    gen = torch.Generator("cpu").manual_seed(WEIGHT_SEED)
    adapters = {}
    for group, tlist in (("unet", unet_targets), ("text_encoder", text_targets)):
        adapters[group] = []
        for path, linear in tlist:
            down = torch.randn([RANK, linear.in_features], generator=gen) / RANK
            up = torch.randn([linear.out_features, RANK], generator=gen) * UP_STD
            adapters[group].append((path, linear, fp16_exact(down), fp16_exact(up)))
    return adapters


def make_tokens(text_encoder):
    emb = text_encoder.get_input_embeddings().weight
    gen = torch.Generator("cpu").manual_seed(TOKEN_SEED)
    std = emb.std().item()
    return {t: torch.randn([emb.shape[1]], generator=gen) * std for t in TOKENS}


def add_tokens(pipe, vectors):
    ids = []
    for token in TOKENS:
        assert pipe.tokenizer.add_tokens(token) == 1
        ids.append(pipe.tokenizer.convert_tokens_to_ids(token))
    old = pipe.text_encoder.get_input_embeddings().weight.detach()
    assert ids == list(range(old.shape[0], old.shape[0] + len(TOKENS))), ids
    rows = torch.stack([vectors[t] for t in TOKENS])
    pipe.text_encoder.set_input_embeddings(torch.nn.Embedding.from_pretrained(torch.cat([old, rows]), freeze=True))
    return dict(zip(TOKENS, ids))


def hook_adapters(adapters, scales):
    handles = []
    for group, scale in zip(("unet", "text_encoder"), scales):
        for _path, linear, down, up in adapters[group]:
            def hook(_m, inputs, output, down=down, up=up, scale=scale):
                return output + scale * F.linear(F.linear(inputs[0], down), up)
            handles.append(linear.register_forward_hook(hook))
    return handles


def run(pipe, output_type):
    record = {}

    def pre_hook(_module, _args, kwargs):
        record.setdefault("prompt_embeds", kwargs["encoder_hidden_states"].clone())

    handle = pipe.unet.register_forward_pre_hook(pre_hook, with_kwargs=True)
    args = {k: v for k, v in PARAMS.items() if k != "seed"}
    try:
        out = pipe(**args, generator=torch.Generator("cpu").manual_seed(PARAMS["seed"]), output_type=output_type).images
    finally:
        handle.remove()
    return out, record["prompt_embeds"]


def magicapture_file(adapters, vectors):
    """The official layout (METHOD §6; lora_diffusion's save_safeloras_with_embeds)."""
    tensors, metadata = {}, {}
    for group, classes in (("unet", ["CrossAttention", "Attention", "GEGLU"]), ("text_encoder", ["CLIPAttention"])):
        metadata[group] = json.dumps(classes)
        for i, (_path, _linear, down, up) in enumerate(adapters[group]):
            metadata[f"{group}:{i}:rank"] = str(RANK)
            tensors[f"{group}:{i}:up"] = up.to(torch.float16)
            tensors[f"{group}:{i}:down"] = down.to(torch.float16)
    for token, vector in vectors.items():
        metadata[token] = "<embed>"
        tensors[token] = vector
    return tensors, metadata


def kohya_file(adapters):
    tensors = {}
    for group, prefix in (("unet", "lora_unet_"), ("text_encoder", "lora_te_")):
        for path, _linear, down, up in adapters[group]:
            key = prefix + path.replace(".", "_")
            tensors[key + ".lora_down.weight"] = down.to(torch.float16)
            tensors[key + ".lora_up.weight"] = up.to(torch.float16)
            tensors[key + ".alpha"] = torch.tensor(float(RANK))
    metadata = {"ss_network_module": "networks.lora", "ss_network_dim": str(RANK), "ss_network_alpha": str(RANK),
                "ss_base_model_version": "sd_v1", "ss_v2": "False"}
    return tensors, metadata


def sd15_counts():
    """METHOD §3's counts on the real SD1.5 structure (meta tensors, no weights): 144 / 1,246,464 and 48 / 294,912."""
    from diffusers import UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    from tiny_sd import UNET_CONFIG

    config = dict(UNET_CONFIG, sample_size=64, block_out_channels=[320, 640, 1280, 1280], cross_attention_dim=768,
                  attention_head_dim=8, norm_num_groups=32)
    with torch.device("meta"):
        unet = UNet2DConditionModel(**config)
        clip = CLIPTextModel(CLIPTextConfig(hidden_size=768, intermediate_size=3072, num_hidden_layers=12,
                                            num_attention_heads=12))
    out = {}
    for name, tlist in (("unet", targets(unet, UNET_ANCESTORS)), ("text_encoder", targets(clip, TEXT_ANCESTORS))):
        out[name] = {"modules": len(tlist), "parameters": sum(RANK * (m.in_features + m.out_features) for _, m in tlist)}
    assert out == {"unet": {"modules": 144, "parameters": 1246464},
                   "text_encoder": {"modules": 48, "parameters": 294912}}, out
    return out


def check_with_diffusers(kohya_path, vectors, expected):
    """diffusers' own kohya loader (needs peft) on a fresh pipeline must give the golden images."""
    try:
        import peft  # noqa: F401
    except ImportError:
        print("diffusers load_lora_weights check skipped: peft is not installed")
        return
    from diffusers import StableDiffusionPipeline

    from golden_schedulers import make
    pipe = StableDiffusionPipeline.from_pretrained(DIFFUSERS_DIR, scheduler=make("euler_a")).to(torch.float32)
    pipe.set_progress_bar_config(disable=True)
    add_tokens(pipe, vectors)
    pipe.load_lora_weights(kohya_path, adapter_name="magicapture")
    pipe.set_adapters(["magicapture"], adapter_weights=[{"unet": SCALES["lora"][0], "text_encoder": SCALES["lora"][1]}])
    images, _ = run(pipe, "pt")
    error = (images - expected).abs().max().item()
    print(f"diffusers load_lora_weights on the kohya file: images within {error:.2e} of the golden")
    if error > 1e-5:
        raise AssertionError(f"diffusers' kohya loader differs from the golden by {error}")


def generate():
    from diffusers import StableDiffusionPipeline

    from golden_schedulers import make, resolved_config
    pipe = StableDiffusionPipeline.from_pretrained(DIFFUSERS_DIR, scheduler=make("euler_a")).to(torch.float32)
    pipe.set_progress_bar_config(disable=True)
    unet_targets = targets(pipe.unet, UNET_ANCESTORS)
    text_targets = targets(pipe.text_encoder, TEXT_ANCESTORS)
    assert len(unet_targets) == 144 and len(text_targets) == 12, (len(unet_targets), len(text_targets))
    adapters = make_adapters(unet_targets, text_targets)
    vectors = make_tokens(pipe.text_encoder)
    token_ids = add_tokens(pipe, vectors)
    prompt_ids = pipe.tokenizer(PROMPT, padding="max_length", max_length=77, truncation=True).input_ids

    tensors = {f"token.{t}": v for t, v in vectors.items()}
    cases = {}
    for case, scales in SCALES.items():
        handles = hook_adapters(adapters, scales)
        try:
            images, prompt_embeds = run(pipe, "pt")
            latents, _ = run(pipe, "latent")
        finally:
            for h in handles:
                h.remove()
        clamped = ((images == 0) | (images == 1)).float().mean().item()
        if clamped > 0.15:
            raise AssertionError(f"{case}: {clamped:.1%} of the pixels are clamped; the golden would be insensitive")
        tensors.update({f"{case}.images": images, f"{case}.latents": latents, f"{case}.prompt_embeds": prompt_embeds})
        cases[case] = {"unet_scale": scales[0], "text_scale": scales[1], "clamped_pixel_fraction": round(clamped, 6)}
    effect = (tensors["lora.images"] - tensors["tokens_only.images"]).abs().max().item()
    if effect < 0.05:
        raise AssertionError(f"the adapters change the images by only {effect}; raise UP_STD")

    files = {"lora_magicapture.safetensors": magicapture_file(adapters, vectors),
             "lora_kohya.safetensors": kohya_file(adapters)}
    for name, (file_tensors, metadata) in files.items():
        write_tensors(os.path.join(GOLDEN_DIR, name), file_tensors, metadata)
    check_with_diffusers(os.path.join(GOLDEN_DIR, "lora_kohya.safetensors"), vectors, tensors["lora.images"])

    doc = {
        "model": "test/fixtures/tiny-sd/diffusers (fp32, CPU), EulerAncestralDiscreteScheduler from SD1.5's config",
        "scheduler_config": resolved_config(pipe.scheduler),
        "params": PARAMS,
        "cases": cases,
        "tokens": token_ids,
        "prompt_ids": prompt_ids,
        "rank": RANK,
        "adapter_recipe": f"torch.Generator('cpu').manual_seed({WEIGHT_SEED}); for each target in official order, UNet "
                          f"first: down = randn([{RANK}, in]) / {RANK}, then up = randn([out, {RANK}]) * {UP_STD}; both "
                          "rounded to float16 (so the fp16 files hold them exactly). Applied as "
                          "y = W x + b + scale * up(down(x)) by forward hooks.",
        "token_recipe": f"torch.Generator('cpu').manual_seed({TOKEN_SEED}); for each token in order: "
                        "randn([hidden]) * std(token_embedding.weight); rows appended after the vocabulary",
        "targets": {"unet": [p for p, _ in unet_targets], "text_encoder": [p for p, _ in text_targets]},
        "target_parameters": {
            "unet": sum(RANK * (m.in_features + m.out_features) for _, m in unet_targets),
            "text_encoder": sum(RANK * (m.in_features + m.out_features) for _, m in text_targets)},
        "sd15_targets": sd15_counts(),
        "files": {"lora_magicapture.safetensors": "official MagiCapture layout (METHOD §6)",
                  "lora_kohya.safetensors": "kohya / A1111 networks.lora, diffusers module names, alpha = rank"},
        "tensors": describe(tensors),
    }
    return tensors, doc


def main():
    setup_determinism()
    tensors, doc = generate()
    write_tensors(os.path.join(GOLDEN_DIR, "lora.safetensors"), tensors)
    write_json(os.path.join(GOLDEN_DIR, "lora.json"), doc)
    for name in OUTPUTS:
        path = os.path.join(GOLDEN_DIR, name)
        print(f"{os.path.getsize(path):>9}  {sha256(path)[:16]}  {os.path.relpath(path, REPO)}")


if __name__ == "__main__":
    main()
