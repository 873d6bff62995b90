#include "models/common/resnet.h"

#include "models/common/layers.h"

namespace mc::models {

namespace F = torch::nn::functional;

ResnetBlock2DImpl::ResnetBlock2DImpl(const ResnetOptions& o) {
  norm1 = register_module("norm1", group_norm(o.groups, o.in_channels, o.eps));
  conv1 = register_module("conv1", conv2d(o.in_channels, o.out_channels, 3, 1, 1));
  if (o.temb_channels > 0) time_emb_proj = register_module("time_emb_proj", linear(o.temb_channels, o.out_channels));
  norm2 = register_module("norm2", group_norm(o.groups, o.out_channels, o.eps));
  conv2 = register_module("conv2", conv2d(o.out_channels, o.out_channels, 3, 1, 1));
  if (o.in_channels != o.out_channels) {
    conv_shortcut = register_module("conv_shortcut", conv2d(o.in_channels, o.out_channels, 1));
  }
}

torch::Tensor ResnetBlock2DImpl::forward(const torch::Tensor& x, const std::optional<torch::Tensor>& temb) {
  return run_maybe_checkpointed(x, temb.value_or(torch::Tensor()));
}

torch::Tensor ResnetBlock2DImpl::run_block(const torch::Tensor& x, const torch::Tensor& temb) {
  auto h = torch::silu(apply_group_norm(norm1, x));
  h = conv1->forward(h);
  if (time_emb_proj && temb.defined()) {
    h = h + time_emb_proj->forward(torch::silu(temb)).unsqueeze(-1).unsqueeze(-1);  // [B, C, 1, 1]
  }
  h = torch::silu(apply_group_norm(norm2, h));
  h = conv2->forward(h);
  auto shortcut = conv_shortcut ? conv_shortcut->forward(x) : x;
  return shortcut + h;
}

Downsample2DImpl::Downsample2DImpl(int64_t channels, int64_t padding) : padding_(padding) {
  conv = register_module("conv", conv2d(channels, channels, 3, 2, padding));
}

torch::Tensor Downsample2DImpl::forward(const torch::Tensor& x) {
  if (padding_ == 0) {
    return conv->forward(F::pad(x, F::PadFuncOptions({0, 1, 0, 1}).mode(torch::kConstant).value(0)));
  }
  return conv->forward(x);
}

Upsample2DImpl::Upsample2DImpl(int64_t channels) { conv = register_module("conv", conv2d(channels, channels, 3, 1, 1)); }

torch::Tensor Upsample2DImpl::forward(const torch::Tensor& x, std::optional<std::vector<int64_t>> size) {
  // diffusers upsamples bfloat16 in float32 (nearest on bf16 was unsupported in older PyTorch).
  auto input = x.scalar_type() == torch::kBFloat16 ? x.to(torch::kFloat) : x;
  auto options = F::InterpolateFuncOptions().mode(torch::kNearest);
  if (size.has_value()) {
    options.size(*size);
  } else {
    options.scale_factor(std::vector<double>{2.0, 2.0});
  }
  auto up = F::interpolate(input, options).to(x.scalar_type());
  return conv->forward(up);
}

}  // namespace mc::models
