"""ArcFace goldens: IResNet-50/100 and MobileFaceNet at narrow widths, their input gradients, and ONNX exports.

    /work/pyenv/bin/python test/golden/golden_arcface.py

Writes test/fixtures/arcface/* (weights with arcface_torch state-dict keys, torch.onnx exports) and
test/golden/arcface.safetensors + arcface.json. Deterministic (CPU, one thread, fixed seeds): a rerun gives
byte-identical files. See README.md beside this file, section "ArcFace".

The networks below are written from scratch to mirror insightface's recognition/arcface_torch
backbones/iresnet.py and backbones/mobilefacenet.py: same module tree, so the same state-dict keys, with the
hard-coded widths (64/128/256/512) expressed through `base` so that a narrow copy keeps every block. The ONNX
fixtures are exported the way the public releases were (arcface_torch torch2onnx.py: TorchScript exporter, opset 11,
constant folding, which folds every BatchNorm that follows a convolution into it) and without constant folding
(BatchNorm nodes kept, PRelu slopes behind Unsqueeze, the MobileFaceNet weight behind Transpose); onnxruntime runs
each one and must agree with torch.
"""

import io
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import onnx  # noqa: E402
import onnxruntime  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from common import GOLDEN_DIR, REPO, sha256, write_json, write_tensors  # noqa: E402

FIXTURE_DIR = os.path.join(REPO, "test", "fixtures", "arcface")
COMMAND = "/work/pyenv/bin/python test/golden/golden_arcface.py"
BN_EPS = 1e-5


# ----------------------------------------------------------------------------------------------- networks


def bn2d(c):
    return nn.BatchNorm2d(c, eps=BN_EPS)


class IBasicBlock(nn.Module):
    """arcface_torch IBasicBlock: bn1 -> conv1 (3x3) -> bn2 -> prelu -> conv2 (3x3, stride) -> bn3, + shortcut."""

    def __init__(self, inplanes, planes, stride, with_downsample):
        super().__init__()
        self.bn1 = bn2d(inplanes)
        self.conv1 = nn.Conv2d(inplanes, planes, 3, 1, 1, bias=False)
        self.bn2 = bn2d(planes)
        self.prelu = nn.PReLU(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn3 = bn2d(planes)
        self.downsample = None
        if with_downsample:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=False), bn2d(planes))

    def forward(self, x):
        out = self.bn3(self.conv2(self.prelu(self.bn2(self.conv1(self.bn1(x))))))
        return out + (x if self.downsample is None else self.downsample(x))


class IResNet(nn.Module):
    """arcface_torch IResNet (fc_scale 7*7, dropout 0, eval). Widths base * (1, 2, 4, 8); the output is not normalised."""

    def __init__(self, layers, base=64, embedding=512):
        super().__init__()
        self.conv1 = nn.Conv2d(3, base, 3, 1, 1, bias=False)
        self.bn1 = bn2d(base)
        self.prelu = nn.PReLU(base)
        inplanes = base
        for index, (blocks, planes) in enumerate(zip(layers, [base, 2 * base, 4 * base, 8 * base])):
            stage = [IBasicBlock(inplanes, planes, 2, True)]
            stage += [IBasicBlock(planes, planes, 1, False) for _ in range(blocks - 1)]
            setattr(self, f"layer{index + 1}", nn.Sequential(*stage))
            inplanes = planes
        self.bn2 = bn2d(inplanes)
        self.dropout = nn.Dropout(p=0.0, inplace=True)
        self.fc = nn.Linear(inplanes * 7 * 7, embedding)
        self.features = nn.BatchNorm1d(embedding, eps=BN_EPS)

    def forward(self, x):
        x = self.prelu(self.bn1(self.conv1(x)))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        x = self.dropout(torch.flatten(self.bn2(x), 1))
        return self.features(self.fc(x))


class Flatten(nn.Module):
    def forward(self, x):
        return x.view(x.size(0), -1)  # as arcface_torch writes it: a Reshape (and a Shape chain when batch is dynamic)


class ConvUnit(nn.Module):
    """arcface_torch ConvBlock (conv, bn, prelu) or, without the PReLU, LinearBlock (conv, bn): `layers.0/1/2`."""

    def __init__(self, cin, cout, kernel=1, stride=1, padding=0, groups=1, prelu=True):
        super().__init__()
        parts = [nn.Conv2d(cin, cout, kernel, stride, padding, groups=groups, bias=False), bn2d(cout)]
        self.layers = nn.Sequential(*(parts + [nn.PReLU(cout)] if prelu else parts))

    def forward(self, x):
        return self.layers(x)


class DepthWise(nn.Module):
    """arcface_torch DepthWise: 1x1 expand to `groups`, depthwise 3x3 (stride), 1x1 project; optional residual."""

    def __init__(self, cin, cout, residual, stride, groups):
        super().__init__()
        self.residual = residual
        self.layers = nn.Sequential(ConvUnit(cin, groups), ConvUnit(groups, groups, 3, stride, 1, groups),
                                    ConvUnit(groups, cout, prelu=False))

    def forward(self, x):
        return x + self.layers(x) if self.residual else self.layers(x)


class Residual(nn.Module):
    def __init__(self, c, blocks, groups):
        super().__init__()
        self.layers = nn.Sequential(*[DepthWise(c, c, True, 1, groups) for _ in range(blocks)])

    def forward(self, x):
        return self.layers(x)


class GDC(nn.Module):
    def __init__(self, c, embedding):
        super().__init__()
        self.layers = nn.Sequential(ConvUnit(c, c, 7, 1, 0, c, prelu=False), Flatten(),
                                    nn.Linear(c, embedding, bias=False), nn.BatchNorm1d(embedding, eps=BN_EPS))

    def forward(self, x):
        return self.layers(x)


class MobileFaceNet(nn.Module):
    """arcface_torch MobileFaceNet (get_mbf: blocks (1,4,6,2), scale 2). base 64 gives the released widths."""

    def __init__(self, blocks=(1, 4, 6, 2), scale=2, base=64, embedding=512):
        super().__init__()
        c1, c2 = base * scale, 2 * base * scale
        second = ConvUnit(c1, c1, 3, 1, 1, base) if blocks[0] == 1 else Residual(c1, blocks[0], 2 * base)
        self.layers = nn.ModuleList([
            ConvUnit(3, c1, 3, 2, 1), second,
            DepthWise(c1, c1, False, 2, 2 * base), Residual(c1, blocks[1], 2 * base),
            DepthWise(c1, c2, False, 2, 4 * base), Residual(c2, blocks[2], 4 * base),
            DepthWise(c2, c2, False, 2, 8 * base), Residual(c2, blocks[3], 4 * base),
        ])
        self.conv_sep = ConvUnit(c2, 8 * base)
        self.features = GDC(8 * base, embedding)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return self.features(self.conv_sep(x))


# ------------------------------------------------------------------------------------------ configurations

# name: (constructor kwargs, weight fixture dtype or None when the weights live only in ONNX fixtures, seed)
NETWORKS = {
    "r50": ({"arch": "iresnet", "layers": [3, 4, 14, 3], "base": 4, "embedding": 16}, torch.float16, 50),
    "r100": ({"arch": "iresnet", "layers": [3, 13, 30, 3], "base": 4, "embedding": 16}, torch.float16, 100),
    "mbf": ({"arch": "mobilefacenet", "blocks": [1, 4, 6, 2], "scale": 2, "base": 8, "embedding": 16},
            torch.float32, 7),
    "r18": ({"arch": "iresnet", "layers": [2, 2, 2, 2], "base": 4, "embedding": 16}, None, 18),
    "mbf_res": ({"arch": "mobilefacenet", "blocks": [2, 1, 1, 1], "scale": 2, "base": 8, "embedding": 16},
                None, 21),
}
WEIGHT_FILES = {"r50": "iresnet50-narrow.safetensors", "r100": "iresnet100-narrow.safetensors",
                "mbf": "mobilefacenet-narrow.safetensors"}
# file: (network, folded by constant folding, opset, dynamic batch axis)
ONNX_FILES = {
    "iresnet18-narrow-folded-opset11.onnx": ("r18", True, 11, False),
    "iresnet18-narrow-opset13.onnx": ("r18", False, 13, True),
    "mobilefacenet-narrow-folded-opset11.onnx": ("mbf", True, 11, False),
    "mobilefacenet-res-narrow-opset13.onnx": ("mbf_res", False, 13, True),
}
INPUT_SEED = 1
COTANGENT_SEED = 2
GRADIENT_NETWORKS = ["r50", "r100", "mbf"]


def build(config):
    if config["arch"] == "iresnet":
        return IResNet(config["layers"], config["base"], config["embedding"])
    return MobileFaceNet(tuple(config["blocks"]), config["scale"], config["base"], config["embedding"])


def randomize(model, seed, dtype):
    """Variance-preserving random weights; BatchNorm statistics measured on random images, then perturbed.

    Measured statistics keep every activation of a 100-layer network at unit scale (so 1e-4 is a meaningful
    tolerance); the perturbation (mean shifted by 0.2 std, variance scaled by 0.6 to 1.4) makes eval-mode
    BatchNorm differ from batch statistics, so an implementation that ignored the running statistics fails.
    """
    generator = torch.Generator("cpu").manual_seed(seed)
    norms = [m for m in model.modules() if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d))]
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.PReLU):
                module.weight.copy_(0.25 + 0.1 * torch.randn(module.weight.shape, generator=generator))
            elif isinstance(module, (nn.Conv2d, nn.Linear)):
                fan_in = module.weight[0].numel()
                module.weight.copy_(torch.randn(module.weight.shape, generator=generator) / fan_in ** 0.5)
                if module.bias is not None:
                    module.bias.copy_(0.1 * torch.randn(module.bias.shape, generator=generator))
        for module in norms:
            module.weight.copy_(1.0 + 0.2 * torch.randn(module.weight.shape, generator=generator))
            module.bias.copy_(0.1 * torch.randn(module.bias.shape, generator=generator))
            module.reset_running_stats()
            module.momentum = None  # cumulative average over the calibration batch
        calibration = torch.rand(8, 3, 112, 112, generator=generator) * 2 - 1
        model.train()(calibration)
        for module in norms:
            std = module.running_var.sqrt()
            module.running_mean.add_(0.2 * std * torch.randn(std.shape, generator=generator))
            module.running_var.mul_(0.6 + 0.8 * torch.rand(std.shape, generator=generator))
            module.num_batches_tracked.fill_(1000)
            module.momentum = 0.1
        if dtype == torch.float16:
            for tensor in model.state_dict().values():
                if tensor.is_floating_point():
                    tensor.copy_(tensor.half().float())  # exactly representable in the F16 fixture
    return model.eval()


def export_onnx(model, path, folded, opset, dynamic):
    example = torch.zeros(1, 3, 112, 112)
    buffer = io.BytesIO()
    kwargs = {"dynamic_axes": {"data": {0: "batch"}}} if dynamic else {}
    torch.onnx.export(model, example, buffer, input_names=["data"], keep_initializers_as_inputs=False,
                      opset_version=opset, do_constant_folding=folded, dynamo=False, **kwargs)
    proto = onnx.load_from_string(buffer.getvalue())
    if not dynamic:
        # What arcface_torch's torch2onnx.py does after exporting at batch 1.
        proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param = "None"
    onnx.checker.check_model(proto)
    with open(path, "wb") as f:
        f.write(proto.SerializeToString())
    return proto


def onnx_summary(proto):
    return {
        "ir_version": proto.ir_version,
        "opset": [int(o.version) for o in proto.opset_import if o.domain in ("", "ai.onnx")][0],
        "producer": f"{proto.producer_name} {proto.producer_version}",
        "ops": sorted({n.op_type for n in proto.graph.node}),
        "nodes": len(proto.graph.node),
        "initializers": len(proto.graph.initializer),
    }


# ------------------------------------------------------------------------------------------------ generate


def state_for_file(model, dtype):
    out = {}
    for key, value in model.state_dict().items():
        out[key] = value.to(dtype) if value.dtype == torch.float32 else value
    return out


def main():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    os.makedirs(FIXTURE_DIR, exist_ok=True)

    image = (torch.rand(2, 3, 112, 112, generator=torch.Generator("cpu").manual_seed(INPUT_SEED)) * 2 - 1)
    image = image.half().float()  # stored as F16, exactly
    goldens = {"arcface.input": image.half()}
    doc = {"command": COMMAND, "bn_eps": BN_EPS, "input": "arcface.input", "networks": {}, "onnx": {}}
    provenance = {}

    models = {}
    for name, (config, dtype, seed) in NETWORKS.items():
        torch.manual_seed(seed)
        model = randomize(build(config), seed, dtype or torch.float32)
        models[name] = model
        embedding = model(image).detach()
        entry = {"config": config, "seed": seed, "parameters": sum(p.numel() for p in model.parameters()),
                 "embedding": f"arcface.{name}.embedding",
                 "max_abs_embedding": float(embedding.abs().max())}
        goldens[entry["embedding"]] = embedding
        if name in GRADIENT_NETWORKS:
            cotangent = torch.randn(config["embedding"], generator=torch.Generator("cpu").manual_seed(COTANGENT_SEED))
            x = image.clone().requires_grad_(True)
            (model(x) * cotangent).sum().backward()
            goldens[f"arcface.{name}.cotangent"] = cotangent
            goldens[f"arcface.{name}.input_grad"] = x.grad[:1].clone()  # image 0 (eval BN: images independent)
            entry.update({"cotangent": f"arcface.{name}.cotangent", "input_grad": f"arcface.{name}.input_grad",
                          "max_abs_input_grad": float(x.grad[:1].abs().max())})
        if dtype is not None:
            path = os.path.join(FIXTURE_DIR, WEIGHT_FILES[name])
            write_tensors(path, state_for_file(model, dtype))
            entry["weights"] = f"test/fixtures/arcface/{WEIGHT_FILES[name]}"
            provenance[WEIGHT_FILES[name]] = (
                f"`{name}` {describe_config(config)}, arcface_torch state-dict keys (num_batches_tracked included), "
                f"{'F16' if dtype == torch.float16 else 'F32'}, seed {seed}")
        doc["networks"][name] = entry

    for file, (name, folded, opset, dynamic) in ONNX_FILES.items():
        config = NETWORKS[name][0]
        path = os.path.join(FIXTURE_DIR, file)
        proto = export_onnx(models[name], path, folded, opset, dynamic)
        session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
        batch = image.numpy() if dynamic else image[:1].numpy()
        ort_out = torch.from_numpy(session.run(None, {"data": batch})[0])
        reference = goldens[f"arcface.{name}.embedding"][: batch.shape[0]]
        ort_diff = float((ort_out - reference).abs().max())
        if ort_diff > 1e-4:
            raise AssertionError(f"{file}: onnxruntime differs from torch by {ort_diff}")
        entry = {"network": name, "constant_folding": folded, "dynamic_batch": dynamic,
                 "onnxruntime_vs_torch_max_abs_diff": ort_diff, **onnx_summary(proto)}
        doc["onnx"][file] = entry
        provenance[file] = (f"`{name}` {describe_config(config)} exported by torch.onnx.export (TorchScript exporter), "
                            f"opset {opset}, do_constant_folding={folded}, "
                            f"{'dynamic batch' if dynamic else 'batch 1 then dim_param None as torch2onnx.py does'}")

    goldens_path = os.path.join(GOLDEN_DIR, "arcface.safetensors")
    write_tensors(goldens_path, goldens)
    doc["tensors"] = {k: {"shape": list(v.shape), "dtype": str(v.dtype).replace("torch.", "")} for k, v in goldens.items()}
    write_json(os.path.join(GOLDEN_DIR, "arcface.json"), doc)
    write_provenance(provenance)

    total = 0
    outputs = [os.path.join(FIXTURE_DIR, f) for f in sorted(os.listdir(FIXTURE_DIR))]
    outputs += [goldens_path, os.path.join(GOLDEN_DIR, "arcface.json")]
    for path in outputs:
        total += os.path.getsize(path)
        print(f"{os.path.getsize(path):>9}  {sha256(path)[:16]}  {os.path.relpath(path, REPO)}")
    print(f"{total:>9}  bytes in total")


def describe_config(config):
    if config["arch"] == "iresnet":
        return f"IResNet layers {config['layers']} base width {config['base']} embedding {config['embedding']}"
    return (f"MobileFaceNet blocks {config['blocks']} scale {config['scale']} base width {config['base']} "
            f"embedding {config['embedding']}")


def write_provenance(provenance):
    lines = ["# test/fixtures/arcface provenance", "",
             f"Every file here is written by `{COMMAND}` (pinned stack in test/golden/requirements.txt), "
             "deterministically; see test/golden/README.md, section \"ArcFace\". The networks are the script's own "
             "definitions mirroring insightface arcface_torch backbones (same state-dict keys), with random weights.",
             ""]
    for rel, what in provenance.items():
        path = os.path.join(FIXTURE_DIR, rel)
        lines.append(f"- `{rel}` ({os.path.getsize(path)} B, sha256 {sha256(path)[:16]}): {what}.")
    with open(os.path.join(FIXTURE_DIR, "PROVENANCE.md"), "w", newline="\n") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
