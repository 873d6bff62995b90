"""pipelines.safetensors + pipelines.json: end-to-end txt2img / img2img on the tiny diffusers folder."""

import torch
from diffusers import StableDiffusionImg2ImgPipeline, StableDiffusionPipeline

from common import DIFFUSERS_DIR, describe, pattern01
from golden_schedulers import SAMPLERS, make, resolved_config

ASTRONAUT = "a photo of an astronaut riding a horse"
TXT2IMG = dict(prompt=ASTRONAUT, negative_prompt="blurry, low quality", num_inference_steps=10, guidance_scale=7.5,
               height=64, width=64, num_images_per_prompt=2, seed=42)
IMG2IMG = dict(prompt="a portrait photo", negative_prompt="", num_inference_steps=10, guidance_scale=7.5,
               strength=0.6, num_images_per_prompt=1, seed=7)

CASES = [(f"txt2img.{s}", "txt2img", s, TXT2IMG) for s in SAMPLERS] + [
    ("txt2img_nocfg.euler_a", "txt2img", "euler_a",
     dict(prompt=ASTRONAUT, negative_prompt="", num_inference_steps=4, guidance_scale=1.0, height=64, width=64,
          num_images_per_prompt=1, seed=3)),
    ("txt2img_batch.euler", "txt2img", "euler",
     dict(prompt=["a red apple", "a blue car"], negative_prompt=None, num_inference_steps=4, guidance_scale=5.0,
          height=64, width=64, num_images_per_prompt=1, seed=11)),
    ("img2img.euler_a", "img2img", "euler_a", IMG2IMG),
    ("img2img.ddim", "img2img", "ddim", IMG2IMG),
]

DRAW_ORDER = {
    "txt2img": "1) latents = randn([B*N,4,H/8,W/8]) (one call), then latents *= init_noise_sigma; "
               "2) euler_a only: one randn(model_output.shape) inside every step, the last step included "
               "(its sigma_up is 0); ddim (eta 0), euler (s_churn 0) and dpmpp_2m draw nothing.",
    "img2img": "1) the VAE posterior sample: randn([1,4,8,8]), x0 = mean + exp(0.5*clamp(logvar,-30,20)) * eps, "
               "then x0 *= scaling_factor (0.18215); 2) noise = randn(x0.shape); latents = add_noise(x0, noise, "
               "timesteps[start]); no init_noise_sigma scaling; 3) euler_a: one randn per step as in txt2img.",
}

NOTES = [
    "Prompt batch: encoder_hidden_states = cat([negative, positive]) (uncond FIRST) when guidance_scale > 1; "
    "each prompt's embedding is repeated num_images_per_prompt times consecutively ([p0,p0,p1,p1]).",
    "negative_prompt None means '' for every prompt; with guidance_scale <= 1 no negative branch runs at all.",
    "Tokens: padding='max_length', max_length=77, truncation=True; the text encoder gets no attention mask and "
    "its last_hidden_state (after final_layer_norm) is used.",
    "CFG: noise_pred = uncond + guidance_scale * (text - uncond), uncond = first half of the UNet output.",
    "The UNet gets the scheduler's timestep unchanged (int64 for ddim and dpmpp_2m_karras, float32 for euler and "
    "euler_a, fractional when 999/(steps-1) is not an integer); the UNet broadcasts it to the batch and casts to "
    "float32 inside the sinusoidal embedding.",
    "Decode: image = vae.decode(latents / 0.18215) (a division, not a multiplication by 1/0.18215); "
    "output_type 'pt' gives (image / 2 + 0.5).clamp(0, 1); 'latent' returns the final latents unscaled.",
    "img2img preprocessing of a [0,1] float tensor of a multiple-of-8 size: 2 * image - 1, no resize.",
    "img2img start: init_timestep = min(int(steps * strength), steps) with the product in double; "
    "t_start = steps - init_timestep; timesteps[t_start:], set_begin_index(t_start) where the scheduler has it.",
]


def _scheduler_config(pipe, sampler):
    """The pipeline's scheduler swap equals from_config(SD1.5 base): checked, and the config recorded."""
    cls, extra = SAMPLERS[sampler]
    scheduler = make(sampler)
    via_pipe = cls.from_config(pipe.scheduler.config, **extra)
    if resolved_config(via_pipe) != resolved_config(scheduler):
        raise AssertionError(f"{sampler}: from_config(pipe.scheduler.config) differs from the SD1.5 base config")
    return scheduler


def _run(pipe, kind, params, output_type, image):
    record = {"unet_calls": [], "step_latents": []}

    def pre_hook(_module, args, kwargs):
        if not record["unet_calls"]:
            record["first_unet_sample"] = args[0].clone()
            record["prompt_embeds"] = kwargs["encoder_hidden_states"].clone()
        record["unet_calls"].append(float(args[1]))

    def on_step_end(_pipe, _i, _t, kwargs):
        record["step_latents"].append(kwargs["latents"].clone())
        return {}

    handle = pipe.unet.register_forward_pre_hook(pre_hook, with_kwargs=True)
    args = {k: v for k, v in params.items() if k != "seed"}
    if kind == "img2img":
        args["image"] = image
    try:
        out = pipe(**args, generator=torch.Generator("cpu").manual_seed(params["seed"]), output_type=output_type,
                   callback_on_step_end=on_step_end).images
    finally:
        handle.remove()
    return out, record


def generate():
    base = StableDiffusionPipeline.from_pretrained(DIFFUSERS_DIR).to(torch.float32)
    base.set_progress_bar_config(disable=True)
    image01 = pattern01()
    preprocessed = StableDiffusionImg2ImgPipeline(**base.components).image_processor.preprocess(image01)
    assert torch.equal(preprocessed, 2.0 * image01 - 1.0)
    tensors = {"img2img.image": image01}
    cases = {}
    for case, kind, sampler, params in CASES:
        pipe_cls = StableDiffusionPipeline if kind == "txt2img" else StableDiffusionImg2ImgPipeline
        pipe = pipe_cls(**dict(base.components, scheduler=_scheduler_config(base, sampler)))
        pipe.set_progress_bar_config(disable=True)
        images, record = _run(pipe, kind, params, "pt", image01)
        latents, again = _run(pipe, kind, params, "latent", image01)
        if not torch.equal(latents, record["step_latents"][-1]) or again["unet_calls"] != record["unet_calls"]:
            raise AssertionError(f"{case}: the latent run differs from the image run")
        clamped = ((images == 0) | (images == 1)).float().mean().item()
        if clamped > 0.15:
            raise AssertionError(f"{case}: {clamped:.1%} of the pixels are clamped; the golden would be insensitive")
        names = {"images": images, "latents": latents, "step_latents": torch.stack(record["step_latents"]),
                 "first_unet_sample": record["first_unet_sample"], "prompt_embeds": record["prompt_embeds"]}
        tensors.update({f"{case}.{k}": v for k, v in names.items()})
        cases[case] = {
            "pipeline": pipe_cls.__name__,
            "sampler": sampler,
            "scheduler_class": type(pipe.scheduler).__name__,
            "scheduler_config": resolved_config(pipe.scheduler),
            "params": dict(params, **({"image": "img2img.image"} if kind == "img2img" else {})),
            "generator": f"torch.Generator('cpu').manual_seed({params['seed']})",
            "generator_draw_order": DRAW_ORDER[kind],
            "unet_timesteps": record["unet_calls"],
            "clamped_pixel_fraction": round(clamped, 6),
            "tensors": sorted(f"{case}.{k}" for k in names),
        }
    return tensors, {
        "model": "test/fixtures/tiny-sd/diffusers (fp32, CPU), safety_checker None",
        "tensor_meanings": {
            "images": "output_type='pt': [N,3,64,64] in [0,1]",
            "latents": "output_type='latent': final latents [N,4,8,8] (not divided by the scaling factor)",
            "step_latents": "latents after each scheduler step, [steps, N,4,8,8]",
            "first_unet_sample": "the UNet input of the first step (CFG-doubled, after scale_model_input)",
            "prompt_embeds": "encoder_hidden_states given to the UNet (cat([negative, positive]) under CFG)",
        },
        "notes": NOTES,
        "cases": cases,
        "tensors": describe(tensors),
    }
