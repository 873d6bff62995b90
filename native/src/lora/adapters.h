// Attaching, scaling and removing adapters on the targets of lora/targets.h.
//
// Training (METHOD.md §3, §5.2): rank 4, down ~ N(0, (1/r)^2), up = 0, scale 1.0, no alpha/r factor and no
// dropout. Inference (§7): the UNet's adapters at 0.6, the text encoder's at 0.9; there is never dropout at
// inference (B7: the official wrappers stayed in training mode with p = 0.1; we do not reproduce that).
#pragma once
#include <ATen/core/Generator.h>
#include <torch/torch.h>

#include <vector>

#include "lora/targets.h"

namespace mc::lora {

inline constexpr double kInferenceUnetScale = 0.6;
inline constexpr double kInferenceTextScale = 0.9;

struct InjectOptions {
  int64_t rank = 4;
  double scale = 1.0;
  torch::Dtype dtype = torch::kFloat;  // of down/up (trainable adapters stay fp32 under autocast)
};

// Attaches a fresh trainable adapter to every target, replacing any adapter there. For each target in order, one
// draw of [rank, in] standard normals from `generator` (always a CPU generator, so the same seed gives the same
// adapters on every device), times 1/rank, becomes `down`; `up` is zeros. Both live on the target's device and
// require grad. Returns the trainable tensors in the official order: up, down of target 0, up, down of target 1...
// Throws EngineError(E_BAD_ARGUMENT) for a rank outside 1..min(in, out) of some target.
std::vector<torch::Tensor> inject(const std::vector<Target>& targets, const InjectOptions& options,
                                  at::Generator generator);

// Sets the multiplier of every attached adapter (targets without one are skipped).
void set_scale(const std::vector<Target>& targets, double scale);

// Detaches every adapter: the targets compute W x + b again, exactly.
void remove(const std::vector<Target>& targets);

// How many targets currently carry an adapter.
size_t attached_count(const std::vector<Target>& targets);

// The trainable tensors (up, down per attached target, in order), e.g. to rebuild an optimizer after a resume.
std::vector<torch::Tensor> adapter_parameters(const std::vector<Target>& targets);

}  // namespace mc::lora
