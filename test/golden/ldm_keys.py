"""Our own diffusers <-> LDM (CompVis, v1-5-pruned-emaonly.safetensors) key mapping.

Written from the LDM module layout, independently of diffusers' single_file_utils, so that it can serve as an
oracle for the engine's C++ conversion; generate.py checks it both ways and against diffusers' converter.
A mapping is a list of (diffusers prefix, LDM prefix) pairs; a key is renamed by its longest matching prefix.
"""

import torch

UNET_PREFIX = "model.diffusion_model."
VAE_PREFIX = "first_stage_model."
CLIP_PREFIX = "cond_stage_model.transformer."

UNET_RESNET = [("norm1", "in_layers.0"), ("conv1", "in_layers.2"), ("time_emb_proj", "emb_layers.1"),
               ("norm2", "out_layers.0"), ("conv2", "out_layers.3"), ("conv_shortcut", "skip_connection")]
VAE_RESNET = [("norm1", "norm1"), ("conv1", "conv1"), ("norm2", "norm2"), ("conv2", "conv2"),
              ("conv_shortcut", "nin_shortcut")]
VAE_ATTN = [("group_norm", "norm"), ("to_q", "q"), ("to_k", "k"), ("to_v", "v"), ("to_out.0", "proj_out")]


def _resnet(pairs, src, dst, table):
    pairs += [(f"{src}.{a}", f"{dst}.{b}") for a, b in table]


def unet_pairs(cfg):
    n = cfg["layers_per_block"]
    last = len(cfg["block_out_channels"]) - 1
    pairs = [("time_embedding.linear_1", "time_embed.0"), ("time_embedding.linear_2", "time_embed.2"),
             ("conv_in", "input_blocks.0.0"), ("conv_norm_out", "out.0"), ("conv_out", "out.2")]
    for i, kind in enumerate(cfg["down_block_types"]):
        for j in range(n):
            block = 1 + i * (n + 1) + j
            _resnet(pairs, f"down_blocks.{i}.resnets.{j}", f"input_blocks.{block}.0", UNET_RESNET)
            if kind.startswith("CrossAttn"):
                pairs.append((f"down_blocks.{i}.attentions.{j}", f"input_blocks.{block}.1"))
        if i < last:
            pairs.append((f"down_blocks.{i}.downsamplers.0.conv", f"input_blocks.{(i + 1) * (n + 1)}.0.op"))
    _resnet(pairs, "mid_block.resnets.0", "middle_block.0", UNET_RESNET)
    pairs.append(("mid_block.attentions.0", "middle_block.1"))
    _resnet(pairs, "mid_block.resnets.1", "middle_block.2", UNET_RESNET)
    for i, kind in enumerate(cfg["up_block_types"]):
        attn = kind.startswith("CrossAttn")
        for j in range(n + 1):
            block = i * (n + 1) + j
            _resnet(pairs, f"up_blocks.{i}.resnets.{j}", f"output_blocks.{block}.0", UNET_RESNET)
            if attn:
                pairs.append((f"up_blocks.{i}.attentions.{j}", f"output_blocks.{block}.1"))
        if i < last:
            pairs.append((f"up_blocks.{i}.upsamplers.0.conv", f"output_blocks.{i * (n + 1) + n}.{2 if attn else 1}.conv"))
    return [(a, UNET_PREFIX + b) for a, b in pairs]


def vae_pairs(cfg):
    n = cfg["layers_per_block"]
    levels = len(cfg["block_out_channels"])
    pairs = [("quant_conv", "quant_conv"), ("post_quant_conv", "post_quant_conv")]
    for part in ("encoder", "decoder"):
        pairs += [(f"{part}.conv_in", f"{part}.conv_in"), (f"{part}.conv_out", f"{part}.conv_out"),
                  (f"{part}.conv_norm_out", f"{part}.norm_out")]
        _resnet(pairs, f"{part}.mid_block.resnets.0", f"{part}.mid.block_1", VAE_RESNET)
        _resnet(pairs, f"{part}.mid_block.resnets.1", f"{part}.mid.block_2", VAE_RESNET)
        _resnet(pairs, f"{part}.mid_block.attentions.0", f"{part}.mid.attn_1", VAE_ATTN)
    for i in range(levels):
        for j in range(n):
            _resnet(pairs, f"encoder.down_blocks.{i}.resnets.{j}", f"encoder.down.{i}.block.{j}", VAE_RESNET)
        if i < levels - 1:
            pairs.append((f"encoder.down_blocks.{i}.downsamplers.0.conv", f"encoder.down.{i}.downsample.conv"))
        ldm_level = levels - 1 - i  # LDM numbers decoder levels from the lowest resolution up
        for j in range(n + 1):
            _resnet(pairs, f"decoder.up_blocks.{i}.resnets.{j}", f"decoder.up.{ldm_level}.block.{j}", VAE_RESNET)
        if i < levels - 1:
            pairs.append((f"decoder.up_blocks.{i}.upsamplers.0.conv", f"decoder.up.{ldm_level}.upsample.conv"))
    return [(a, VAE_PREFIX + b) for a, b in pairs]


def _rename(key, pairs):
    best = None
    for src, dst in pairs:
        if (key == src or key.startswith(src + ".")) and (best is None or len(src) > len(best[0])):
            best = (src, dst)
    if best is None:
        raise KeyError(f"no mapping for {key}")
    return best[1] + key[len(best[0]):]


def _is_vae_attn_matrix(ldm_key):
    parts = ldm_key.split(".")
    return "attn_1" in parts and parts[-2] in ("q", "k", "v", "proj_out") and parts[-1] == "weight"


def _convert(state, pairs, reshape):
    out = {}
    for key, tensor in state.items():
        new = _rename(key, pairs)
        if new in out:
            raise KeyError(f"two keys map to {new}")
        if reshape and _is_vae_attn_matrix(new):
            tensor = tensor.reshape(*tensor.shape, 1, 1)  # diffusers Linear [C, C] -> LDM 1x1 conv [C, C, 1, 1]
        out[new] = tensor
    return out


def to_ldm(unet_sd, vae_sd, clip_sd, unet_cfg, vae_cfg, max_positions):
    out = {}
    out.update(_convert(unet_sd, unet_pairs(unet_cfg), False))
    out.update(_convert(vae_sd, vae_pairs(vae_cfg), True))
    out.update({CLIP_PREFIX + k: v for k, v in clip_sd.items()})
    # Real SD1.5 files carry these two keys although no diffusers module needs them.
    out[CLIP_PREFIX + "text_model.embeddings.position_ids"] = torch.arange(max_positions, dtype=torch.int64)[None]
    out["model_ema.decay"] = torch.tensor(0.9999, dtype=torch.float32)
    return out


def from_ldm(ldm, unet_cfg, vae_cfg):
    """Inverse of to_ldm; returns (unet, vae, clip) state dicts and the keys no model uses."""
    inverse = {"unet": [(b, a) for a, b in unet_pairs(unet_cfg)], "vae": [(b, a) for a, b in vae_pairs(vae_cfg)]}
    unet, vae, clip, unused = {}, {}, {}, []
    for key, tensor in ldm.items():
        if key.startswith(UNET_PREFIX):
            unet[_rename(key, inverse["unet"])] = tensor
        elif key.startswith(VAE_PREFIX):
            new = _rename(key, inverse["vae"])
            vae[new] = tensor.reshape(tensor.shape[:2]) if _is_vae_attn_matrix(key) else tensor
        elif key.startswith(CLIP_PREFIX) and not key.endswith(".position_ids"):
            clip[key[len(CLIP_PREFIX):]] = tensor
        else:
            unused.append(key)
    return unet, vae, clip, unused
