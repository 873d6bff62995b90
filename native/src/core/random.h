// Random numbers drawn the way diffusers' randn_tensor draws them: on the generator's device (the CPU for a
// seeded job), in the target dtype, then moved. The same seed therefore gives the same latents on CPU and CUDA, and the
// same numbers as a diffusers pipeline given torch.Generator("cpu").manual_seed(seed).
#pragma once
#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cstdint>
#include <optional>

namespace mc {

inline at::Generator cpu_generator(uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

inline torch::Tensor randn(at::IntArrayRef shape, std::optional<at::Generator> generator,
                           const torch::TensorOptions& target) {
  if (!generator.has_value()) return torch::randn(shape, target);
  auto noise = at::randn(shape, *generator, torch::TensorOptions().dtype(target.dtype()).device(torch::kCPU));
  return noise.to(target.device());
}

}  // namespace mc
