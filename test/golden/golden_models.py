"""models.safetensors: CLIP text encoder, UNet (with cross-attention probabilities) and VAE on the tiny model."""

import torch
from diffusers import AutoencoderKL, UNet2DConditionModel
from transformers import CLIPTextModel, CLIPTokenizer

from common import DIFFUSERS_DIR, pattern01, randn

PROMPTS = ["a photo of an astronaut riding a horse", ""]
SEEDS = {"unet.sample": 10, "unet.encoder_hidden_states": 11, "vae.latent_in": 12, "vae.latent_sample": 7,
         "unet_odd.sample": 13, "unet_odd.encoder_hidden_states": 14}
ODD_SHAPE = [1, 4, 12, 10]  # 12x10 -> 6x5 -> 3x3 -> 2x2: upsampling must follow the skip sizes (upsample_size)
ODD_TIMESTEP = 500
UNET_TIMESTEPS = [999.0, 3.5]


class RecordingAttnProcessor:
    """Attention with explicit softmax(Q K^T * head_dim^-0.5); records the probabilities of its layer."""

    def __init__(self, store, name):
        self.store, self.name = store, name

    def __call__(self, attn, hidden_states, encoder_hidden_states=None, attention_mask=None, temb=None, **kwargs):
        assert attention_mask is None and attn.spatial_norm is None and attn.norm_cross is None
        assert hidden_states.ndim == 3 and not attn.residual_connection and attn.rescale_output_factor == 1.0
        batch, length, _ = hidden_states.shape  # [B, HW, C]
        context = hidden_states if encoder_hidden_states is None else encoder_hidden_states
        query, key, value = attn.to_q(hidden_states), attn.to_k(context), attn.to_v(context)
        heads = attn.heads
        head_dim = query.shape[-1] // heads
        query = query.view(batch, -1, heads, head_dim).transpose(1, 2)  # [B, heads, HW, d]
        key = key.view(batch, -1, heads, head_dim).transpose(1, 2)  # [B, heads, 77, d]
        value = value.view(batch, -1, heads, head_dim).transpose(1, 2)
        probs = torch.softmax(query @ key.transpose(-1, -2) * head_dim ** -0.5, dim=-1)  # [B, heads, HW, 77]
        if self.name.endswith("attn2"):
            self.store[self.name] = probs.clone()
        out = (probs @ value).transpose(1, 2).reshape(batch, length, heads * head_dim)  # [B, HW, C]
        return attn.to_out[1](attn.to_out[0](out))


def clip_goldens():
    tokenizer = CLIPTokenizer.from_pretrained(DIFFUSERS_DIR, subfolder="tokenizer")
    encoder = CLIPTextModel.from_pretrained(DIFFUSERS_DIR, subfolder="text_encoder").eval()
    ids = tokenizer(PROMPTS, padding="max_length", max_length=77, truncation=True, return_tensors="pt").input_ids
    return {"clip.input_ids": ids, "clip.last_hidden_state": encoder(ids)[0]}


def unet_goldens():
    unet = UNet2DConditionModel.from_pretrained(DIFFUSERS_DIR, subfolder="unet").eval()
    sample = randn(SEEDS["unet.sample"], [2, 4, 8, 8])
    context = randn(SEEDS["unet.encoder_hidden_states"], [2, 77, 32])
    timestep = torch.tensor(UNET_TIMESTEPS, dtype=torch.float32)
    out = unet(sample, timestep, encoder_hidden_states=context).sample
    odd = {"unet_odd.sample": randn(SEEDS["unet_odd.sample"], ODD_SHAPE),
           "unet_odd.timestep": torch.tensor(ODD_TIMESTEP, dtype=torch.int64),
           "unet_odd.encoder_hidden_states": randn(SEEDS["unet_odd.encoder_hidden_states"], [1, 77, 32])}
    odd["unet_odd.out"] = unet(odd["unet_odd.sample"], odd["unet_odd.timestep"],
                               encoder_hidden_states=odd["unet_odd.encoder_hidden_states"]).sample
    store = {}
    unet.set_attn_processor({name: RecordingAttnProcessor(store, name.removesuffix(".processor"))
                             for name in unet.attn_processors})
    recorded = unet(sample, timestep, encoder_hidden_states=context).sample
    diff = (recorded - out).abs().max().item()
    if diff > 1e-5:
        raise AssertionError(f"recording attention processor differs from the default by {diff}")
    tensors = {"unet.sample": sample, "unet.timestep": timestep, "unet.encoder_hidden_states": context,
               "unet.out": out, **odd}
    tensors.update({f"unet.attn_probs.{name}": probs for name, probs in sorted(store.items())})
    return tensors, diff


def vae_goldens():
    vae = AutoencoderKL.from_pretrained(DIFFUSERS_DIR, subfolder="vae").eval()
    image = 2.0 * pattern01() - 1.0
    dist = vae.encode(image).latent_dist
    latent_in = randn(SEEDS["vae.latent_in"])
    return {
        "vae.image": image,
        "vae.posterior_mean": dist.mean,
        "vae.posterior_logvar": dist.logvar,
        "vae.latent_sample": dist.sample(generator=torch.Generator("cpu").manual_seed(SEEDS["vae.latent_sample"])),
        "vae.latent_in": latent_in,
        "vae.decoded": vae.decode(latent_in).sample,
    }


def generate():
    tensors = clip_goldens()
    unet_tensors, processor_diff = unet_goldens()
    tensors.update(unet_tensors)
    tensors.update(vae_goldens())
    return tensors, {"prompts": PROMPTS, "seeds": SEEDS, "unet_timesteps": UNET_TIMESTEPS,
                     "recording_processor_max_abs_diff": processor_diff}
