"""schedulers.json (plans, resolved configs) and scheduler_loops.safetensors (synthetic denoising loops)."""

import math

import torch
from diffusers import DDIMScheduler, DPMSolverMultistepScheduler, EulerAncestralDiscreteScheduler, EulerDiscreteScheduler

from common import describe, randn
from tiny_sd import SD15_SCHEDULER

SAMPLERS = {
    "ddim": (DDIMScheduler, {}),
    "euler": (EulerDiscreteScheduler, {}),
    "euler_a": (EulerAncestralDiscreteScheduler, {}),
    "dpmpp_2m_karras": (DPMSolverMultistepScheduler,
                        {"use_karras_sigmas": True, "algorithm_type": "dpmsolver++", "solver_order": 2}),
}
PLAN_STEPS = [1, 4, 10, 25, 50]
IMG2IMG_PLANS = [(10, 0.6), (25, 0.3), (4, 1.0)]
LOOP_STEPS = [4, 10, 25]
SEEDS = {"loop_noise": 1234, "loop_generator": 99, "addnoise_original": 5, "addnoise_noise": 6}


def make(name):
    cls, extra = SAMPLERS[name]
    return cls.from_config(SD15_SCHEDULER, **extra)


def _json_value(v):
    # JSON has no infinities: DPMSolverMultistepScheduler's lambda_min_clipped defaults to -inf.
    if isinstance(v, float) and math.isinf(v):
        return "-inf" if v < 0 else "inf"
    return v


def resolved_config(scheduler):
    """scheduler.config without private keys; infinities written as the strings "inf" / "-inf"."""
    return {k: _json_value(v) for k, v in scheduler.config.items() if not k.startswith("_")}


def _floats(t):
    return [float(v) for v in t.tolist()]


def img2img_start(steps, strength, scheduler):
    """StableDiffusionImg2ImgPipeline.get_timesteps: int() truncates steps * strength computed in double."""
    init_timestep = min(int(steps * strength), steps)
    t_start = max(steps - init_timestep, 0)
    return t_start * scheduler.order, steps - t_start


def plans(name):
    out = {}
    for steps in PLAN_STEPS:
        s = make(name)
        s.set_timesteps(steps)
        sigmas = getattr(s, "sigmas", None)
        out[str(steps)] = {
            "timesteps": _floats(s.timesteps),
            "timesteps_dtype": str(s.timesteps.dtype).replace("torch.", ""),
            "sigmas": None if sigmas is None else _floats(sigmas),
            "init_noise_sigma": float(s.init_noise_sigma),
        }
    return out


def img2img_plans(name):
    out = []
    for steps, strength in IMG2IMG_PLANS:
        s = make(name)
        s.set_timesteps(steps)
        start, remaining = img2img_start(steps, strength, s)
        out.append({"steps": steps, "strength": strength, "start_index": start, "remaining_steps": remaining,
                    "set_begin_index": start if hasattr(s, "set_begin_index") else None,
                    "timesteps": _floats(s.timesteps[start:])})
    return out


def loop(name, steps):
    s = make(name)
    s.set_timesteps(steps)
    noise = randn(SEEDS["loop_noise"])
    x = noise * s.init_noise_sigma
    gen = torch.Generator("cpu").manual_seed(SEEDS["loop_generator"])
    trajectory = []
    for t in s.timesteps:
        xin = s.scale_model_input(x, t)
        eps = 0.5 * xin + float(t) / 1000
        x = s.step(eps, t, x, generator=gen).prev_sample
        trajectory.append(x)
    return noise, x, torch.cat(trajectory)


def add_noise(name):
    s = make(name)
    s.set_timesteps(10)
    start, _ = img2img_start(10, 0.6, s)
    if hasattr(s, "set_begin_index"):
        s.set_begin_index(start)
    original, noise = randn(SEEDS["addnoise_original"]), randn(SEEDS["addnoise_noise"])
    timestep = s.timesteps[start:start + 1]
    return original, noise, s.add_noise(original, noise, timestep), float(timestep[0])


def generate():
    tensors, doc = {}, {}
    a = make("ddim").alphas_cumprod
    tensors["common.alphas_cumprod"] = a
    tensors["common.train_sigmas"] = ((1 - a) / a) ** 0.5
    for name, (cls, extra) in SAMPLERS.items():
        entry = {"class": cls.__name__, "from_config_kwargs": extra, "config": resolved_config(make(name)),
                 "order": make(name).order, "plans": plans(name), "img2img_plans": img2img_plans(name),
                 "loops": {}}
        for steps in LOOP_STEPS:
            noise, final, trajectory = loop(name, steps)
            prefix = f"{name}.{steps}"
            tensors.update({f"{prefix}.noise": noise, f"{prefix}.final": final, f"{prefix}.trajectory": trajectory})
            entry["loops"][str(steps)] = [f"{prefix}.noise", f"{prefix}.final", f"{prefix}.trajectory"]
        original, noise, noisy, timestep = add_noise(name)
        tensors.update({f"{name}.addnoise.original": original, f"{name}.addnoise.noise": noise,
                        f"{name}.addnoise.noisy": noisy})
        entry["add_noise"] = {"steps": 10, "strength": 0.6, "timestep": timestep,
                              "tensors": [f"{name}.addnoise.{k}" for k in ("original", "noise", "noisy")]}
        doc[name] = entry
    return tensors, {
        "base_config": SD15_SCHEDULER,
        "seeds": SEEDS,
        "loop_recipe": ("noise = randn([1,4,8,8], Generator('cpu').manual_seed(1234)); x = noise * init_noise_sigma; "
                        "gen = Generator('cpu').manual_seed(99); for t in timesteps: xin = scale_model_input(x, t); "
                        "eps = 0.5 * xin + float(t) / 1000; x = step(eps, t, x, generator=gen).prev_sample. "
                        "trajectory[i] = x after step i (concatenated on dim 0)."),
        "add_noise_recipe": ("set_timesteps(10); start = img2img start for strength 0.6; set_begin_index(start) "
                             "where the scheduler has it (not DDIM); noisy = add_noise(randn seed 5, randn seed 6, "
                             "timesteps[start:start+1])."),
        "samplers": doc,
        "tensors": describe(tensors),
    }
