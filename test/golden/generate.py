"""Regenerates the tiny SD1.5 fixture and every numeric golden of the engine. See README.md beside this file.

    /work/pyenv/bin/python test/golden/generate.py

Deterministic: CPU, fp32, one thread, fixed seeds; a rerun gives byte-identical files.
"""

import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the goldens
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import FIXTURE_DIR, GOLDEN_DIR, REPO, setup_determinism, sha256, write_json, write_tensors  # noqa: E402

setup_determinism()

import fixtures  # noqa: E402
import golden_models  # noqa: E402
import golden_pipelines  # noqa: E402
import golden_schedulers  # noqa: E402
import tiny_sd  # noqa: E402

PROVENANCE = {
    "diffusers/model_index.json": "StableDiffusionPipeline index (safety_checker and feature_extractor null)",
    "diffusers/scheduler/scheduler_config.json": "SD1.5's PNDMScheduler config, verbatim (sparse on purpose)",
    "diffusers/text_encoder/config.json": "CLIPTextConfig: vocab 1514, hidden 32, ffn 64, 3 layers, 4 heads, quick_gelu",
    "diffusers/text_encoder/model.safetensors": "CLIPTextModel fp32, " + tiny_sd.seed_note("text_encoder"),
    "diffusers/tokenizer/merges.txt": "first 1000 merges of OpenAI's bpe_simple_vocab_16e6.txt.gz (open_clip_torch 3.3.0)",
    "diffusers/tokenizer/special_tokens_map.json": "as SD1.5's",
    "diffusers/tokenizer/tokenizer_config.json": "as SD1.5's (model_max_length 77, pad <|endoftext|>)",
    "diffusers/tokenizer/vocab.json": "CLIP simple_tokenizer vocab order: 256 bytes, 256 bytes+</w>, 1000 merges, bos, eos",
    "diffusers/unet/config.json": "UNet2DConditionModel, SD1.5 blocks, widths [8,8,16,16], 4 groups, 2 heads",
    "diffusers/unet/diffusion_pytorch_model.safetensors": "UNet fp32, " + tiny_sd.seed_note("unet"),
    "diffusers/vae/config.json": "AutoencoderKL, SD1.5 blocks, widths [8,8,16,16], 4 groups, scaling 0.18215",
    "diffusers/vae/diffusion_pytorch_model.safetensors": "VAE fp32, " + tiny_sd.seed_note("vae"),
    "tiny-sd-ldm.safetensors": "same weights, LDM/CompVis single-file keys (ldm_keys.py), fp32, configs in metadata",
    "tiny-sd-ldm-fp16.safetensors": "tiny-sd-ldm.safetensors with every float tensor cast to float16",
    "tiny-sd-ldm-bf16.safetensors": "tiny-sd-ldm.safetensors with every float tensor cast to bfloat16",
}
COMMAND = "/work/pyenv/bin/python test/golden/generate.py"
GOLDEN_FILES = ["models.safetensors", "schedulers.json", "scheduler_loops.safetensors", "pipelines.safetensors",
                "pipelines.json"]


def write_provenance():
    lines = ["# test/fixtures/tiny-sd provenance", "",
             f"Every file here is written by `{COMMAND}` (pinned stack in test/golden/requirements.txt), "
             "deterministically; see test/golden/README.md. Random init is the libraries' default init followed by "
             f"p += {tiny_sd.PERTURB_STD} * randn (one CPU generator per model, named_parameters() order).", ""]
    for rel, what in PROVENANCE.items():
        path = os.path.join(FIXTURE_DIR, rel)
        lines.append(f"- `{rel}` ({os.path.getsize(path)} B, sha256 {sha256(path)[:16]}): {what}.")
    with open(os.path.join(FIXTURE_DIR, "PROVENANCE.md"), "w", newline="\n") as f:
        f.write("\n".join(lines) + "\n")


def main():
    models = fixtures.write_diffusers_folder()
    fixtures.write_ldm_files(models)
    write_provenance()

    tensors, _ = golden_models.generate()
    write_tensors(os.path.join(GOLDEN_DIR, "models.safetensors"), tensors)

    tensors, doc = golden_schedulers.generate()
    write_tensors(os.path.join(GOLDEN_DIR, "scheduler_loops.safetensors"), tensors)
    write_json(os.path.join(GOLDEN_DIR, "schedulers.json"), doc)

    tensors, doc = golden_pipelines.generate()
    write_tensors(os.path.join(GOLDEN_DIR, "pipelines.safetensors"), tensors)
    write_json(os.path.join(GOLDEN_DIR, "pipelines.json"), doc)

    total = 0
    outputs = [os.path.join(d, f) for d, _, fs in os.walk(FIXTURE_DIR) for f in fs]
    outputs += [os.path.join(GOLDEN_DIR, f) for f in GOLDEN_FILES]
    for path in sorted(outputs):
        total += os.path.getsize(path)
        print(f"{os.path.getsize(path):>9}  {sha256(path)[:16]}  {os.path.relpath(path, REPO)}")
    print(f"{total:>9}  bytes in total")


if __name__ == "__main__":
    main()
