// Small constructors for the layers every model uses, so block code reads like the diffusers source it ports.
#pragma once
#include <torch/torch.h>

namespace mc::models {

inline torch::nn::Conv2d conv2d(int64_t in, int64_t out, int64_t kernel, int64_t stride = 1, int64_t padding = 0) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding));
}

inline torch::nn::Linear linear(int64_t in, int64_t out, bool bias = true) {
  return torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(bias));
}

inline torch::nn::GroupNorm group_norm(int64_t groups, int64_t channels, double eps) {
  return torch::nn::GroupNorm(torch::nn::GroupNormOptions(groups, channels).eps(eps).affine(true));
}

inline torch::nn::LayerNorm layer_norm(int64_t dim, double eps) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(eps).elementwise_affine(true));
}

// GroupNorm in float32 when the activations are half precision; diffusers relies on PyTorch doing this internally
// on CUDA, and CPU half GroupNorm is not implemented in libtorch 1.13.
inline torch::Tensor apply_group_norm(torch::nn::GroupNorm& norm, const torch::Tensor& x) {
  if (x.scalar_type() == torch::kFloat || x.is_cuda()) return norm->forward(x);
  auto& o = norm->options;
  return torch::group_norm(x.to(torch::kFloat), o.num_groups(), norm->weight.to(torch::kFloat),
                           norm->bias.to(torch::kFloat), o.eps())
      .to(x.scalar_type());
}

}  // namespace mc::models
