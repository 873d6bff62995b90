// Which Linear layers carry MagiCapture's LoRA adapters, and in which order the official files number them.
//
// Selection (METHOD.md §3, the official lora.py rule): every Linear that descends from a module of an
// "ancestor" class. UNet: diffusers' CrossAttention / Attention (attn1, attn2: to_q, to_k, to_v, to_out.0) and
// GEGLU (ff.net.0.proj), 9 per transformer block, 144 on SD1.5. Text encoder: CLIPAttention (q/k/v/out_proj),
// 4 per layer, 48 on SD1.5. FeedForward's output Linear, proj_in/proj_out and the ResNets get none.
//
// Order: the official files name adapters `unet:{i}` / `text_encoder:{i}`, i counting the targets in a pre-order
// traversal of the *official* stack's modules (diffusers 0.14, transformers 4.25), i.e. in each parent's
// registration order of its children. Verified by instantiating diffusers 0.14.0's UNet2DConditionModel:
//   UNet2DConditionModel: down_blocks, up_blocks, mid_block   (mid_block is assigned after up_blocks is created)
//   BasicTransformerBlock: attn1, ff, attn2                   (ff is registered between the two attentions)
//   CrossAttention: to_q, to_k, to_v, to_out.0
//   CLIPAttention: k_proj, v_proj, q_proj, out_proj           (transformers' registration order)
// Our modules are registered in diffusers 0.35's order (down, mid, up; attn1, attn2, ff; q, k, v, out), so the
// official order is recovered by sorting module paths with the sibling ranks above (ModuleList indices
// numerically). Index 0 is down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q; the mid block comes last.
#pragma once
#include <torch/torch.h>

#include <string>
#include <vector>

#include "lora/lora_linear.h"

namespace mc::lora {

enum class Group { Unet, TextEncoder };

// "unet" / "text_encoder": the official file prefixes.
const char* group_name(Group group);

struct Target {
  std::string path;  // module path inside the model, e.g. "text_model.encoder.layers.3.self_attn.q_proj"
  LoraLinear module;
};

// The adapter targets of a UNet / CLIP text model, in the official order. Throws EngineError(E_INTERNAL) when a
// target sits at a path the order rule does not know (a model structure this code was not written for).
std::vector<Target> unet_targets(torch::nn::Module& unet);
std::vector<Target> text_targets(torch::nn::Module& text_encoder);
std::vector<Target> targets(torch::nn::Module& model, Group group);

// Parameter count of rank-`rank` adapters on `targets`: sum of rank * (in + out).
int64_t adapter_parameter_count(const std::vector<Target>& targets, int64_t rank);

}  // namespace mc::lora
