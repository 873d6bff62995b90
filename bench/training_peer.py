"""The Python side of bench/training-step.mjs: one MagiCapture training step (forward, backward, AdamW update) per
task type on a diffusers model, with the reference code of test/golden/golden_training_step.py (written from
METHOD.md, not ported from the engine). A persistent process: one JSON request per line on stdin, one reply per
line on stdout.

    {"id", "cmd": "load", "model": DIR, "size": S, "threads": N, "inputs": PATH}
        builds the models, the two portraits at S x S, their latents, the initial rows and LoRA weights, and writes
        them to PATH (safetensors) so the engine is fed the same values.
    {"id", "cmd": "step", "case": NAME}  -> {"seconds", "cpu", "losses"}
        one step of golden_training_step.CASES[NAME]; timed with perf_counter (wall) and process_time (CPU, all
        threads) around the step only.
    {"id": 0, "cmd": "quit"}
"""

import json
import os
import sys
import time
import traceback

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "test", "golden"))

import torch  # noqa: E402
from safetensors.torch import save_file  # noqa: E402

import golden_training_step as g  # noqa: E402

STATE = {}


def load(req):
    torch.set_num_threads(int(req["threads"]))
    torch.set_grad_enabled(True)
    g.DIFFUSERS_DIR = req["model"]
    size = int(req["size"])
    g.SIZE = size
    k = size / 128  # the golden portraits are laid out for 128 x 128
    models = g.Models()
    init_rows = torch.stack([models.base_rows[models.initializer_id()],
                             torch.randn([models.base_rows.shape[1]], generator=torch.Generator("cpu").manual_seed(g.SEED))
                             * g.STYLE_INIT_STD])
    adapters = g.make_adapters(models)
    src = g.portrait(1, (0.85, 0.65, 0.55), (62.0 * k, 58.0 * k), (22.0 * k, 28.0 * k))
    ref = g.portrait(2, (0.55, 0.5, 0.6), (66.0 * k, 62.0 * k), (24.0 * k, 30.0 * k))
    with torch.no_grad():
        latents = {}
        for name, image, seed in (("source", src[0], 51), ("reference", ref[0], 52)):
            posterior = models.vae.encode(image[None] * 2 - 1).latent_dist
            latents[name] = posterior.sample(torch.Generator("cpu").manual_seed(seed)) * models.vae.config.scaling_factor
        e_ref = models.embed_face(g.align(src[0][None], src[2]))[0]
    hw = tuple(latents["source"].shape[2:])
    face_s = g.latent_mask(src[1], hw)
    nonface_r = g.latent_mask(1 - ref[1], hw)
    ids = {task: models.ids(text) for task, text in g.PROMPTS.items()}
    sks, style = models.token_ids
    items = {
        "instance": dict(task="instance", latent=latents["source"], mask=face_s, prompt=ids["instance"],
                         attention=[(ids["instance"].index(sks), face_s[0, 0])], landmarks=src[2]),
        "style": dict(task="style", latent=latents["reference"], mask=nonface_r, prompt=ids["style"],
                      attention=[(ids["style"].index(style), nonface_r[0, 0])], landmarks=ref[2]),
        "composed": dict(task="composed", latent=latents["reference"], mask=nonface_r, prompt=ids["composed"],
                         attention=[(ids["composed"].index(sks), 1 - nonface_r[0, 0]),
                                    (ids["composed"].index(style), nonface_r[0, 0])], landmarks=ref[2]),
    }
    for item in items.values():
        item["e_ref"] = e_ref
    STATE.update(models=models, init_rows=init_rows, adapters=adapters, items=items, hooks=[], hooked=False)
    noises = {f"noise.{name}": torch.randn(latents["source"].shape, generator=torch.Generator("cpu").manual_seed(
        spec["noise_seed"])).contiguous() for name, spec in g.CASES.items()}
    save_file({**noises,
        "source.image": src[0].contiguous(), "source.face_mask": src[1].contiguous(),
        "source.landmarks": src[2].float().contiguous(), "source.latent": latents["source"].contiguous(),
        "reference.image": ref[0].contiguous(), "reference.face_mask": ref[1].contiguous(),
        "reference.landmarks": ref[2].float().contiguous(), "reference.latent": latents["reference"].contiguous(),
        "init.adapters": torch.cat([g.flat(g.adapter_tensors(adapters, "unet")),
                                    g.flat(g.adapter_tensors(adapters, "text"))]).detach().contiguous(),
    }, req["inputs"])
    cases = {name: {k: v for k, v in spec.items() if k != "noise_seed"} for name, spec in g.CASES.items()}
    return {"latent": list(hw), "cases": cases, "prompts": g.PROMPTS, "arcface": g.ARCFACE}


def step(req):
    spec = g.CASES[req["case"]]
    models, adapters = STATE["models"], STATE["adapters"]
    want_hooks = spec["phase"] == 2
    if want_hooks != STATE["hooked"]:
        for h in STATE["hooks"]:
            h.remove()
        STATE["hooks"] = g.hook_adapters(adapters) if want_hooks else []
        STATE["hooked"] = want_hooks
    item = STATE["items"][spec["task"]]
    case = dict(spec, noise=torch.randn(item["latent"].shape,
                                        generator=torch.Generator("cpu").manual_seed(spec["noise_seed"])))
    began, cpu_began = time.perf_counter(), time.process_time()
    rows = STATE["init_rows"].clone().requires_grad_(True)
    terms, _ = g.run_case(models, case, item, rows, adapters)
    _, per_param = g.gradients(models, terms["total"], rows, adapters, spec["phase"])
    unet = g.adapter_tensors(adapters, "unet") if spec["phase"] == 2 else []
    text = g.adapter_tensors(adapters, "text") if spec["phase"] == 2 else []
    g.update(case, [rows] + unet + text, per_param, len(unet))
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu_began
    return {"seconds": seconds, "cpu": cpu, "losses": {k: float(v.detach()) for k, v in terms.items()}}


def main():
    g.setup_determinism()
    torch.use_deterministic_algorithms(False)
    for line in sys.stdin:
        req = json.loads(line)
        if req["cmd"] == "quit":
            break
        try:
            reply = load(req) if req["cmd"] == "load" else step(req)
            reply.update(id=req["id"], ok=True)
        except Exception as error:  # noqa: BLE001 -- reported to the bench
            reply = {"id": req["id"], "ok": False, "error": f"{error}\n{traceback.format_exc()}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
