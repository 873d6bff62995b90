// diffusers: models/resnet.py ResnetBlock2D, models/downsampling.py Downsample2D, models/upsampling.py Upsample2D.
#pragma once
#include <torch/torch.h>

#include <optional>

#include "models/common/activation_checkpoint.h"

namespace mc::models {

struct ResnetOptions {
  int64_t in_channels = 0;
  int64_t out_channels = 0;
  int64_t temb_channels = 0;  // 0 = no time embedding (VAE)
  int64_t groups = 32;
  double eps = 1e-6;
};

class ResnetBlock2DImpl : public torch::nn::Module, public CheckpointedBlock {
 public:
  explicit ResnetBlock2DImpl(const ResnetOptions& options);
  torch::Tensor forward(const torch::Tensor& x, const std::optional<torch::Tensor>& temb = std::nullopt);
  // temb undefined = no time embedding (VAE).
  torch::Tensor run_block(const torch::Tensor& x, const torch::Tensor& temb) override;

  torch::nn::GroupNorm norm1{nullptr}, norm2{nullptr};
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv_shortcut{nullptr};
  torch::nn::Linear time_emb_proj{nullptr};
};
TORCH_MODULE(ResnetBlock2D);

// Strided 3x3 convolution. padding 1 in the UNet; padding 0 after an asymmetric (0,1,0,1) pad in the VAE.
class Downsample2DImpl : public torch::nn::Module {
 public:
  Downsample2DImpl(int64_t channels, int64_t padding);
  torch::Tensor forward(const torch::Tensor& x);

  torch::nn::Conv2d conv{nullptr};

 private:
  int64_t padding_;
};
TORCH_MODULE(Downsample2D);

// Nearest-neighbour x2 (or to an explicit size, when the UNet input is not a multiple of 8) then a 3x3 conv.
class Upsample2DImpl : public torch::nn::Module {
 public:
  explicit Upsample2DImpl(int64_t channels);
  torch::Tensor forward(const torch::Tensor& x, std::optional<std::vector<int64_t>> size = std::nullopt);

  torch::nn::Conv2d conv{nullptr};
};
TORCH_MODULE(Upsample2D);

}  // namespace mc::models
