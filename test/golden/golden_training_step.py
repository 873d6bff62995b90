"""training_step.safetensors + training_step.json: one MagiCapture training step per task type, on the tiny model:
its loss terms, the gradients of the placeholder rows and every LoRA weight, and the weights after the update.

    /work/pyenv/bin/python test/golden/golden_training_step.py

Standalone (it reads the committed tiny-sd and ArcFace fixtures; generate.py does not call it). Deterministic: a
rerun gives byte-identical files. See the "Training step" section of README.md beside this file.

Every loss is written from METHOD.md (§1.5, §4.1-4.5) in the official code's own form, on diffusers/transformers
modules, kornia's warp_affine and an arcface_torch IResNet; nothing here is ported from the engine. Every random
input (latents, noise, timesteps, masks, landmarks, token rows, LoRA weights) is fixed and stored, so the engine can
be fed the same values. LoRA up-weights are non-zero (METHOD's init has up = 0) so that every adapter gradient is
non-trivial.
"""

import json
import math
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import kornia  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from safetensors.torch import load_file  # noqa: E402

from common import DIFFUSERS_DIR, GOLDEN_DIR, REPO, describe, setup_determinism, sha256, write_json, write_tensors  # noqa: E402,E501

SIZE = 128  # 16x16 latents, so the attention-refocusing layers have 4x4 query grids
RANK = 4
SEED = 42  # the engine's TrainConfig.seed: <style1> starts as randn([D], Generator(SEED)) * 0.017
STYLE_INIT_STD = 0.017
INITIALIZER = "a"  # the tiny vocabulary has no single token for "person"
TOKENS = ["<sks>", "<style1>"]
ADAPTER_SEED, UP_STD = 2026, 0.1
LAMBDA = {"id": 0.25, "attn": 2.5, "style": 2.0}
PHASE2_TIMESTEP_FRACTION = 0.8
AR_LAYERS = ("up_blocks.1", "down_blocks.2")  # the 16x16 layers at 512x512 (METHOD §4.4); 4x4 here
ARCFACE = os.path.join(REPO, "test", "fixtures", "arcface", "iresnet100-narrow.safetensors")
ARCFACE_TEMPLATE = [[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655],
                    [70.7299, 92.2041]]
PROMPTS = {"instance": "a photo of a <sks> person", "style": "a painting of a person in the style of <style1>",
           "composed": "a photo of a <sks> person in the style of <style1>"}
STEPS = {1: 20, 2: 10}  # steps of each phase in the cases' runs: progress = phase_step / steps
LR = {"ti": 2e-3, "unet": 4e-4, "text": 4e-5, "embedding": 1e-4}  # the engine's defaults (effective official LRs)
WEIGHT_DECAY_LORA, GRAD_CLIP, TI_NORM_TARGET = 1e-3, 1.0, 0.4
# name: phase, task, steps done in the phase, t, t_id, noise seed, config overrides
CASES = {
    "p1_instance": dict(phase=1, task="instance", phase_step=6, t=637, t_id=402, noise_seed=31, config={}),
    "p1_style": dict(phase=1, task="style", phase_step=5, t=341, t_id=12, noise_seed=32, config={}),
    "p2_instance": dict(phase=2, task="instance", phase_step=6, t=421, t_id=155, noise_seed=33,
                        config={"idLossOnInstance": True}),
    "p2_style": dict(phase=2, task="style", phase_step=6, t=512, t_id=77, noise_seed=34, config={}),
    "p2_composed": dict(phase=2, task="composed", phase_step=1, t=250, t_id=120, noise_seed=35, config={}),
}
for spec in CASES.values():
    spec["config"] = dict(spec["config"], stepsTi=STEPS[1], stepsLora=STEPS[2])
OUTPUTS = ["training_step.safetensors", "training_step.json"]


# ------------------------------------------------------------------------------------------------- inputs


def portrait(seed, face_rgb, center, axes):
    """A [3, S, S] image in [0, 1] (smooth background, textured elliptic face), its binary face map and 5 landmarks."""
    g = torch.Generator("cpu").manual_seed(seed)
    y = torch.linspace(0, 1, SIZE, dtype=torch.float64)[:, None]
    x = torch.linspace(0, 1, SIZE, dtype=torch.float64)[None, :]
    phase = torch.rand(3, generator=g, dtype=torch.float64) * 2 * math.pi
    background = torch.stack([0.5 + 0.35 * torch.sin(2 * math.pi * (1.3 * x + 0.7 * y) + phase[c]) for c in range(3)])
    cx, cy = center
    ax, ay = axes
    px = torch.arange(SIZE, dtype=torch.float64)
    face = (((px[None, :] - cx) / ax) ** 2 + ((px[:, None] - cy) / ay) ** 2) < 1  # [S, S]
    texture = 0.08 * torch.rand(3, SIZE, SIZE, generator=g, dtype=torch.float64)
    skin = torch.tensor(face_rgb, dtype=torch.float64)[:, None, None] + texture
    image = torch.where(face[None], skin, background).clamp(0, 1).to(torch.float32)
    landmarks = torch.tensor([[cx - 0.4 * ax, cy - 0.25 * ay], [cx + 0.4 * ax, cy - 0.25 * ay], [cx, cy + 0.1 * ay],
                              [cx - 0.3 * ax, cy + 0.5 * ay], [cx + 0.3 * ax, cy + 0.5 * ay]], dtype=torch.float64)
    box = (int(cx - ax - 6), int(cy - ay - 8), int(cx + ax + 6), int(cy + ay + 6))
    return image, soft_face_mask(face, box), landmarks


def soft_face_mask(face, box):
    """METHOD §1.5 steps 4-5: (m + 0.01) / max(m + 0.01) inside the detector box, 0 outside. [1, S, S]."""
    x1, y1, x2, y2 = box
    crop = face[y1:y2, x1:x2].to(torch.float32)
    canvas = torch.zeros(SIZE, SIZE)
    canvas[y1:y2, x1:x2] = (crop + 0.01) / (crop + 0.01).max()
    return canvas[None]


def latent_mask(mask, hw):
    """METHOD §1.5 [T:479-497]: channel 0, nearest to the latent grid, (m + 0.01)^1 / max. [1, 1, h, w]."""
    m = F.interpolate(mask[None, :1], size=hw, mode="nearest")
    m = (m + 0.01) ** 1.0
    return m / m.max()


def similarity(src, dst):
    """skimage SimilarityTransform.estimate (Umeyama with scale), float64: the 2x3 source->destination matrix."""
    src, dst = np.asarray(src, np.float64), np.asarray(dst, np.float64)
    n, dim = src.shape
    src_mean, dst_mean = src.mean(0), dst.mean(0)
    src_d, dst_d = src - src_mean, dst - dst_mean
    a = dst_d.T @ src_d / n
    d = np.ones(dim)
    if np.linalg.det(a) < 0:
        d[dim - 1] = -1
    u, s, v = np.linalg.svd(a)
    assert np.linalg.matrix_rank(a) == dim
    rotation = u @ np.diag(d) @ v
    scale = 1.0 / src_d.var(axis=0).sum() * (s @ d)
    out = np.zeros((2, 3))
    out[:, :2] = rotation * scale
    out[:, 2] = dst_mean - scale * (rotation @ src_mean)
    return torch.tensor(out, dtype=torch.float32)


def align(image01, landmarks):
    """METHOD §1.3: kornia warp_affine (bilinear, zeros, align_corners=True) to 112x112, then [-1, 1]."""
    matrix = similarity(landmarks, ARCFACE_TEMPLATE)[None]
    return kornia.geometry.transform.warp_affine(image01, matrix, (112, 112), align_corners=True) * 2 - 1


# ----------------------------------------------------------------------------------------------- models


class RecordingAttnProcessor:
    """softmax(Q K^T / sqrt(d)) V, as MagiCapture's controller; keeps the AR layers' cross-attention with history."""

    def __init__(self, store, name):
        self.store, self.name = store, name

    def __call__(self, attn, hidden_states, encoder_hidden_states=None, attention_mask=None, temb=None, **kwargs):
        batch, length, _ = hidden_states.shape  # [B, HW, C]
        context = hidden_states if encoder_hidden_states is None else encoder_hidden_states
        query, key, value = attn.to_q(hidden_states), attn.to_k(context), attn.to_v(context)
        heads = attn.heads
        head_dim = query.shape[-1] // heads
        query = query.view(batch, -1, heads, head_dim).transpose(1, 2)  # [B, heads, HW, d]
        key = key.view(batch, -1, heads, head_dim).transpose(1, 2)  # [B, heads, 77, d]
        value = value.view(batch, -1, heads, head_dim).transpose(1, 2)
        probs = torch.softmax(query @ key.transpose(-1, -2) * head_dim ** -0.5, dim=-1)  # [B, heads, HW, 77]
        if self.store is not None and self.name.endswith("attn2") and self.name.startswith(AR_LAYERS):
            self.store.append(probs)
        out = (probs @ value).transpose(1, 2).reshape(batch, length, heads * head_dim)  # [B, HW, C]
        return attn.to_out[1](attn.to_out[0](out))


class TableLookup(torch.nn.Module):
    """The token embedding as a lookup in owner.table = cat(vocabulary, placeholder rows): gradients reach the rows."""

    def __init__(self, owner):
        super().__init__()
        self.owner = owner.__dict__  # not a submodule

    def forward(self, ids):
        return F.embedding(ids, self.owner["table"])


class Models:
    def __init__(self):
        from diffusers import AutoencoderKL, DDPMScheduler, UNet2DConditionModel
        from transformers import CLIPTextModel, CLIPTokenizer

        import golden_arcface
        from golden_lora import TEXT_ANCESTORS, UNET_ANCESTORS, targets
        from tiny_sd import SD15_SCHEDULER

        self.tokenizer = CLIPTokenizer.from_pretrained(DIFFUSERS_DIR, subfolder="tokenizer")
        self.text_encoder = CLIPTextModel.from_pretrained(DIFFUSERS_DIR, subfolder="text_encoder").eval()
        self.unet = UNet2DConditionModel.from_pretrained(DIFFUSERS_DIR, subfolder="unet").eval()
        self.vae = AutoencoderKL.from_pretrained(DIFFUSERS_DIR, subfolder="vae").eval()
        self.scheduler = DDPMScheduler.from_config(SD15_SCHEDULER)  # as the official script builds it
        for model in (self.text_encoder, self.unet, self.vae):
            model.requires_grad_(False)
        config = golden_arcface.NETWORKS["r100"][0]
        self.arcface = golden_arcface.build(config)
        self.arcface.load_state_dict({k: v.float() if v.is_floating_point() else v
                                      for k, v in load_file(ARCFACE).items()})
        self.arcface.eval().requires_grad_(False)
        self.vocab = self.text_encoder.config.vocab_size
        for token in TOKENS:
            assert self.tokenizer.add_tokens(token) == 1
        self.token_ids = [self.tokenizer.convert_tokens_to_ids(t) for t in TOKENS]
        assert self.token_ids == [self.vocab, self.vocab + 1], self.token_ids
        self.unet_targets = targets(self.unet, UNET_ANCESTORS)
        self.text_targets = targets(self.text_encoder, TEXT_ANCESTORS)
        self.processors = [RecordingAttnProcessor(None, name.removesuffix(".processor"))
                           for name in self.unet.attn_processors]
        self.unet.set_attn_processor({p.name + ".processor": p for p in self.processors})
        self.base_rows = self.text_encoder.get_input_embeddings().weight.detach().clone()
        self.table = None
        self.text_encoder.set_input_embeddings(TableLookup(self))

    def capture(self, store):
        for processor in self.processors:
            processor.store = store

    def ids(self, text):
        return self.tokenizer(text, padding="max_length", max_length=77, truncation=True).input_ids

    def initializer_id(self):
        ids = self.tokenizer(INITIALIZER).input_ids
        assert len(ids) == 3, ids
        return ids[1]

    def embed_face(self, aligned):
        return self.arcface(aligned)


def make_adapters(models):
    """Official order (UNet first), one CPU generator: down = randn([r, in]) / r, up = randn([out, r]) * UP_STD."""
    g = torch.Generator("cpu").manual_seed(ADAPTER_SEED)
    groups = {}
    for group, tlist in (("unet", models.unet_targets), ("text", models.text_targets)):
        groups[group] = []
        for _path, linear in tlist:
            down = (torch.randn([RANK, linear.in_features], generator=g) / RANK).requires_grad_(True)
            up = (torch.randn([linear.out_features, RANK], generator=g) * UP_STD).requires_grad_(True)
            groups[group].append((linear, down, up))
    return groups


def hook_adapters(adapters):
    """y = W x + b + 1.0 * up(down(x)) on every target (METHOD §3: training scale 1, no alpha/r, no dropout)."""
    handles = []
    for entries in adapters.values():
        for linear, down, up in entries:
            def hook(_m, inputs, output, down=down, up=up):
                return output + F.linear(F.linear(inputs[0], down), up)
            handles.append(linear.register_forward_hook(hook))
    return handles


def flat(tensors):
    return torch.cat([t.reshape(-1) for t in tensors])


def adapter_tensors(adapters, group):
    return [t for _linear, down, up in adapters[group] for t in (down, up)]


# ----------------------------------------------------------------------------------------------- losses


def masked_loss(eps_hat, eps, mask):
    """METHOD §4.2 in the official form: mean((M eps_hat - M eps)^2) * (H W / sum M), fp32."""
    per_sample = F.mse_loss(eps_hat.float() * mask, eps.float() * mask, reduction="none").mean([1, 2, 3])
    return per_sample * (mask.shape[2] * mask.shape[3] / mask.sum([1, 2, 3]))


def attention_loss(maps, position, target):
    """METHOD §4.4 for one token: upsample, min-max with constant bounds, 1 inside M >= 0.5, mean of maps, MSE."""
    h, w = target.shape
    scaled = []
    for probs in maps:  # [1, heads, Q, 77]
        side = int(round(math.sqrt(probs.shape[2])))
        for head in range(probs.shape[1]):
            a = probs[0, head, :, position].reshape(1, 1, side, side)
            a = F.interpolate(a, size=(h, w), mode="bilinear", align_corners=False)[0, 0]
            lo = a.min().item()
            a = (a - lo) / (a - lo).max().item()
            scaled.append(torch.where(target >= 0.5, torch.ones_like(a), a))
    mean = torch.stack(scaled).mean(0)
    return ((mean - target) ** 2).mean()


def identity_loss(models, z_t, eps_hat, t_id, landmarks, e_ref):
    """METHOD §4.3: Tweedie x0, VAE decode with gradient, align, ArcFace, 1 - cos (cosine-embedding loss, +1)."""
    alpha = models.scheduler.alphas_cumprod[t_id].float()
    z0 = z_t / alpha.sqrt() - eps_hat * ((1 - alpha) / alpha).sqrt()
    image = (models.vae.decode(z0 / models.vae.config.scaling_factor).sample / 2 + 0.5).clamp(0, 1)
    e = models.embed_face(align(image, landmarks))
    return F.cosine_embedding_loss(e, e_ref[None], torch.ones(1)), image


def run_case(models, case, item, rows, adapters):
    """One step's loss terms for `item` (METHOD §4.5); returns (terms, total, eps_hat)."""
    models.table = torch.cat([models.base_rows, rows])  # [V + 2, D]
    context = models.text_encoder(torch.tensor([item["prompt"]]))[0]
    noise = case["noise"]
    z_t = models.scheduler.add_noise(item["latent"], noise, torch.tensor([case["t"]]))
    phase2 = case["phase"] == 2
    store = []
    models.capture(store if phase2 else None)
    eps_hat = models.unet(z_t, torch.tensor([case["t"]]), encoder_hidden_states=context).sample
    models.capture(None)
    progress = case["phase_step"] / STEPS[case["phase"]]
    weight = LAMBDA["style"] if item["task"] != "instance" and progress < 0.5 else 1.0
    terms = {"mask": masked_loss(eps_hat, noise, item["mask"])[0] * weight}
    total = terms["mask"]
    if phase2:
        assert len(store) == 5, len(store)  # up_blocks.1: 3 layers, down_blocks.2: 2 layers
        per_token = [attention_loss(store, position, target) for position, target in item["attention"]]
        terms["attn"] = sum(per_token) / len(per_token)
        total = total + LAMBDA["attn"] * terms["attn"]
        id_task = item["task"] == "composed" or (item["task"] == "instance" and case["config"].get("idLossOnInstance"))
        if id_task:
            z_id = models.scheduler.add_noise(item["latent"], noise, torch.tensor([case["t_id"]]))
            eps_id = models.unet(z_id, torch.tensor([case["t_id"]]), encoder_hidden_states=context).sample
            terms["id"], _ = identity_loss(models, z_id, eps_id, case["t_id"], item["landmarks"], item["e_ref"])
            total = total + LAMBDA["id"] * terms["id"]
    terms["total"] = total
    return terms, eps_hat


def gradients(models, loss, rows, adapters, phase):
    """d loss / d (rows, UNet LoRA, text LoRA): flat tensors for the golden, and the per-parameter list."""
    params = [rows] + (adapter_tensors(adapters, "unet") + adapter_tensors(adapters, "text") if phase == 2 else [])
    grads = torch.autograd.grad(loss, params, retain_graph=True, allow_unused=True)
    grads = [torch.zeros_like(p) if g is None else g for p, g in zip(params, grads)]
    out = {"rows": grads[0]}
    if phase == 2:
        n = len(adapter_tensors(adapters, "unet"))
        out["unet_lora"], out["text_lora"] = flat(grads[1:1 + n]), flat(grads[1 + n:])
    return out, grads


def update(case, params, grads, unet_params):
    """METHOD §5.1 / §5.2, one step from fresh moments: linear LR decay (no warm-up, stepped after the update,
    B17 fixed), phase 2 clips every trainable gradient to norm 1 (rows, UNet and text LoRA), torch AdamW
    (betas 0.9/0.999, eps 1e-8), phase 1 then pulls each placeholder row's norm toward 0.4 (clip_ti_decay).
    params = [rows, *unet (down, up), *text (down, up)], unet_params of them UNet; returns the values after the step."""
    factor = 1 - case["phase_step"] / STEPS[case["phase"]]
    params = [p.detach().clone().requires_grad_(True) for p in params]
    for p, g in zip(params, grads):
        p.grad = g.detach().clone()
    if case["phase"] == 1:
        optimizer = torch.optim.AdamW(params, lr=LR["ti"] * factor, weight_decay=0.0)
    else:
        torch.nn.utils.clip_grad_norm_(params, GRAD_CLIP)
        unet = 1 + unet_params
        groups = [(params[1:unet], LR["unet"]), (params[:1], LR["embedding"]), (params[unet:], LR["text"])]
        optimizer = torch.optim.AdamW([{"params": g, "lr": lr * factor} for g, lr in groups],
                                      weight_decay=WEIGHT_DECAY_LORA)
    optimizer.step()
    if case["phase"] == 1:
        with torch.no_grad():
            rows = params[0]
            decay = min(1.0, 100 * LR["ti"] * factor)
            norms = rows.norm(dim=1, keepdim=True)
            rows.copy_(rows / norms * (norms + decay * (TI_NORM_TARGET - norms)))
    return [p.detach() for p in params]


# --------------------------------------------------------------------------------------------- generate


def golden_case(models, name, spec, item, init_rows, adapters):
    """One case: the loss terms, their gradients (also of the attention part alone) and the update."""
    assert spec["phase"] == 1 or max(spec["t"], spec["t_id"]) < 1000 * PHASE2_TIMESTEP_FRACTION
    case = dict(spec, noise=torch.randn(item["latent"].shape,
                                        generator=torch.Generator("cpu").manual_seed(spec["noise_seed"])))
    rows = init_rows.clone().requires_grad_(True)
    terms, eps_hat = run_case(models, case, item, rows, adapters)
    grads, per_param = gradients(models, terms["total"], rows, adapters, spec["phase"])
    tensors = {f"{name}.noise": case["noise"], f"{name}.eps_hat": eps_hat.detach()}
    tensors.update({f"{name}.grad.{k}": v for k, v in grads.items()})
    if "attn" in terms:
        attn, _ = gradients(models, LAMBDA["attn"] * terms["attn"], rows, adapters, 2)
        tensors.update({f"{name}.grad_attn.{k}": v for k, v in attn.items()})
    unet = adapter_tensors(adapters, "unet") if spec["phase"] == 2 else []
    text = adapter_tensors(adapters, "text") if spec["phase"] == 2 else []
    after = update(case, [rows] + unet + text, per_param, len(unet))
    tensors[f"{name}.after.rows"] = after[0]
    if spec["phase"] == 2:
        tensors[f"{name}.after.unet_lora"] = flat(after[1:1 + len(unet)])
        tensors[f"{name}.after.text_lora"] = flat(after[1 + len(unet):])
    doc = {k: v for k, v in spec.items() if k != "noise_seed"}
    doc.update(prompt_ids=item["prompt"], losses={k: float(v.detach()) for k, v in terms.items()},
               noise_recipe=f"randn({list(case['noise'].shape)}, Generator('cpu').manual_seed({spec['noise_seed']}))")
    return tensors, doc


def generate():
    torch.set_grad_enabled(True)
    models = Models()
    init_rows = torch.stack([models.base_rows[models.initializer_id()],
                             torch.randn([models.base_rows.shape[1]], generator=torch.Generator("cpu").manual_seed(SEED))
                             * STYLE_INIT_STD])
    adapters = make_adapters(models)
    source_image, source_mask, source_landmarks = portrait(1, (0.85, 0.65, 0.55), (62.0, 58.0), (22.0, 28.0))
    reference_image, reference_mask, reference_landmarks = portrait(2, (0.55, 0.5, 0.6), (66.0, 62.0), (24.0, 30.0))
    with torch.no_grad():
        latents = {}
        for name, image, seed in (("source", source_image, 51), ("reference", reference_image, 52)):
            posterior = models.vae.encode(image[None] * 2 - 1).latent_dist
            latents[name] = posterior.sample(torch.Generator("cpu").manual_seed(seed)) * models.vae.config.scaling_factor
        e_ref = models.embed_face(align(source_image[None], source_landmarks))[0]
    hw = tuple(latents["source"].shape[2:])
    face_s = latent_mask(source_mask, hw)
    nonface_r = latent_mask(1 - reference_mask, hw)
    ids = {task: models.ids(text) for task, text in PROMPTS.items()}
    sks, style = models.token_ids
    items = {
        "instance": dict(task="instance", latent=latents["source"], mask=face_s, prompt=ids["instance"],
                         attention=[(ids["instance"].index(sks), face_s[0, 0])], landmarks=source_landmarks),
        "style": dict(task="style", latent=latents["reference"], mask=nonface_r, prompt=ids["style"],
                      attention=[(ids["style"].index(style), nonface_r[0, 0])], landmarks=reference_landmarks),
        "composed": dict(task="composed", latent=latents["reference"], mask=nonface_r, prompt=ids["composed"],
                         attention=[(ids["composed"].index(sks), 1 - nonface_r[0, 0]),
                                    (ids["composed"].index(style), nonface_r[0, 0])], landmarks=reference_landmarks),
    }
    for item in items.values():
        item["e_ref"] = e_ref  # the composed item's identity target is its paired source (source 0)

    tensors = {
        "inputs.source.image": source_image, "inputs.source.face_mask": source_mask,
        "inputs.source.landmarks": source_landmarks.float(), "inputs.source.latent": latents["source"],
        "inputs.reference.image": reference_image, "inputs.reference.face_mask": reference_mask,
        "inputs.reference.landmarks": reference_landmarks.float(), "inputs.reference.latent": latents["reference"],
        "inputs.source_embedding": e_ref, "init.rows": init_rows,
        "init.unet_lora": flat(adapter_tensors(adapters, "unet")).detach(),
        "init.text_lora": flat(adapter_tensors(adapters, "text")).detach(),
    }
    hooks = []
    cases_doc = {}
    try:
        for name, spec in CASES.items():
            for h in hooks:
                h.remove()
            hooks = hook_adapters(adapters) if spec["phase"] == 2 else []
            case_tensors, cases_doc[name] = golden_case(models, name, spec, items[spec["task"]], init_rows, adapters)
            tensors.update(case_tensors)
    finally:
        for h in hooks:
            h.remove()
    doc = {
        "model": "test/fixtures/tiny-sd/diffusers (fp32, CPU); ArcFace test/fixtures/arcface/iresnet100-narrow",
        "size": SIZE, "rank": RANK, "seed": SEED, "lambda": LAMBDA, "lr": LR, "steps": STEPS,
        "weight_decay_lora": WEIGHT_DECAY_LORA, "grad_clip": GRAD_CLIP, "initializer": INITIALIZER,
        "initializer_id": models.initializer_id(), "tokens": dict(zip(TOKENS, models.token_ids)),
        "attention_layers": list(AR_LAYERS), "cases": cases_doc,
        "adapter_layout": "per target in official order (golden_lora.targets), UNet then text encoder: down [r, in] "
                          "then up [out, r], each row-major, concatenated",
        "adapter_recipe": f"Generator('cpu').manual_seed({ADAPTER_SEED}); per target: down = randn([{RANK}, in]) / "
                          f"{RANK}, then up = randn([out, {RANK}]) * {UP_STD}",
        "rows_recipe": f"<sks> = token_embedding[{INITIALIZER!r}]; <style1> = randn([D], Generator('cpu')."
                       f"manual_seed({SEED})) * {STYLE_INIT_STD} (the engine's own init for seed {SEED})",
        "latent_recipe": "vae.encode(2 image - 1).latent_dist.sample(Generator(51 source / 52 reference)) * 0.18215",
        "tensors": describe(tensors),
    }
    return tensors, doc


def main():
    setup_determinism()
    tensors, doc = generate()
    write_tensors(os.path.join(GOLDEN_DIR, "training_step.safetensors"), tensors)
    write_json(os.path.join(GOLDEN_DIR, "training_step.json"), doc)
    for name, case in doc["cases"].items():
        print(name, json.dumps({k: round(v, 6) for k, v in case["losses"].items()}))
    for name in OUTPUTS:
        path = os.path.join(GOLDEN_DIR, name)
        print(f"{os.path.getsize(path):>9}  {sha256(path)[:16]}  {os.path.relpath(path, REPO)}")


if __name__ == "__main__":
    main()
