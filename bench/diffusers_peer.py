"""The diffusers peer of bench/engine-vs-diffusers.mjs: a persistent process speaking JSON lines.

Each stdin line is one request {"id", "cmd", ...}; each reply is one stdout line {"id", "ok", ...}. Timings are
taken here, around the model call only, with time.perf_counter() (wall) and time.process_time() (CPU, all threads). Tensors are exchanged as raw little-endian
float32 files so that the driver can check that both sides computed the same thing.

Commands:
  load   {model, threads, attention?}         -> the pipeline in fp32 on the CPU, euler_a scheduler;
                                               attention "classic" swaps SDPA for AttnProcessor
  unet   {batch, latent: [h, w], timestep, out?}  -> one UNet forward on the fixed inputs of fixed_inputs()
  vae    {latent: [h, w], out?}               -> one VAE decode of the fixed batch-1 latents
  sample {prompt, negative, steps, guidance, seed, width, height, out?} -> one txt2img run
  profile {batch, latent, timestep, rows}   -> torch.profiler table of one UNet forward (op totals)
  quit
"""

import json
import os
import sys
import time

# stdout carries the protocol: anything a library prints goes to stderr.
_protocol = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
os.dup2(sys.stderr.fileno(), sys.stdout.fileno())

import torch  # noqa: E402
from diffusers import EulerAncestralDiscreteScheduler, StableDiffusionPipeline  # noqa: E402
from diffusers.models.attention_processor import AttnProcessor  # noqa: E402
from diffusers.utils import logging as diffusers_logging  # noqa: E402
from transformers.utils import logging as transformers_logging  # noqa: E402

state = {}


def fixed_inputs(batch, height, width, context_dim, timestep):
    """The same formula as fixedInputs() in the driver: smooth, deterministic, no generator involved."""
    n = batch * 4 * height * width
    sample = torch.sin(torch.arange(n, dtype=torch.float64) * 0.37).float().view(batch, 4, height, width)
    m = batch * 77 * context_dim
    context = (0.5 * torch.cos(torch.arange(m, dtype=torch.float64) * 0.11)).float().view(batch, 77, context_dim)
    return sample, torch.full([batch], float(timestep), dtype=torch.float32), context


def write_f32(path, tensor):
    tensor.detach().contiguous().float().numpy().astype("<f4").tofile(path)


def load(req):
    torch.set_num_threads(int(req["threads"]))
    torch.set_grad_enabled(False)
    began = time.perf_counter()
    pipe = StableDiffusionPipeline.from_pretrained(req["model"], torch_dtype=torch.float32, safety_checker=None,
                                                   requires_safety_checker=False)
    pipe.scheduler = EulerAncestralDiscreteScheduler.from_config(pipe.scheduler.config)
    if req.get("attention") == "classic":
        # AttnProcessor: baddbmm + softmax + bmm, the same kernels the engine uses on libtorch 1.13
        pipe.unet.set_attn_processor(AttnProcessor())
        pipe.vae.set_attn_processor(AttnProcessor())
    pipe.set_progress_bar_config(disable=True)
    pipe.to("cpu")
    state["pipe"] = pipe
    return {
        "loadSeconds": time.perf_counter() - began,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "config": torch.__config__.show(),
        "attentionProcessor": type(next(iter(pipe.unet.attn_processors.values()))).__name__,
        "contextDim": pipe.unet.config.cross_attention_dim,
    }


def unet(req):
    u = state["pipe"].unet
    h, w = req["latent"]
    sample, timestep, context = fixed_inputs(req["batch"], h, w, u.config.cross_attention_dim, req["timestep"])
    began, cpu_began = time.perf_counter(), time.process_time()
    out = u(sample, timestep, encoder_hidden_states=context).sample
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu_began
    if req.get("out"):
        write_f32(req["out"], out)
    return {"seconds": seconds, "cpu": cpu, "finite": bool(torch.isfinite(out).all())}


def vae(req):
    v = state["pipe"].vae
    h, w = req["latent"]
    latents, _, _ = fixed_inputs(1, h, w, 1, 0)
    began, cpu_began = time.perf_counter(), time.process_time()
    out = v.decode(latents).sample
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu_began
    if req.get("out"):
        write_f32(req["out"], out)
    return {"seconds": seconds, "cpu": cpu}


def sample(req):
    pipe = state["pipe"]
    generator = torch.Generator("cpu").manual_seed(req["seed"])
    began, cpu_began = time.perf_counter(), time.process_time()
    images = pipe(prompt=req["prompt"], negative_prompt=req["negative"], num_inference_steps=req["steps"],
                  guidance_scale=req["guidance"], height=req["height"], width=req["width"], generator=generator,
                  output_type="pt").images
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu_began
    if req.get("out"):
        write_f32(req["out"], images)
    return {"seconds": seconds, "cpu": cpu, "shape": list(images.shape)}


def profile(req):
    """Where one UNet forward spends its time, by op (self CPU time), as torch.profiler's table."""
    u = state["pipe"].unet
    h, w = req["latent"]
    sample, timestep, context = fixed_inputs(req["batch"], h, w, u.config.cross_attention_dim, req["timestep"])
    u(sample, timestep, encoder_hidden_states=context)
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        u(sample, timestep, encoder_hidden_states=context)
    table = prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=int(req.get("rows", 15)))
    return {"table": table}


COMMANDS = {"load": load, "unet": unet, "vae": vae, "sample": sample, "profile": profile}


def main():
    diffusers_logging.set_verbosity_error()
    diffusers_logging.disable_progress_bar()
    transformers_logging.set_verbosity_error()
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        if req["cmd"] == "quit":
            break
        try:
            reply = {"id": req["id"], "ok": True, **COMMANDS[req["cmd"]](req)}
        except Exception as error:  # the driver reports it and stops
            reply = {"id": req["id"], "ok": False, "error": f"{type(error).__name__}: {error}"}
        _protocol.write(json.dumps(reply, allow_nan=False) + "\n")


if __name__ == "__main__":
    main()
