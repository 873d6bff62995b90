// diffusers: models/unets/unet_2d_blocks.py CrossAttnDownBlock2D / DownBlock2D (one class, attentions optional),
// UNetMidBlock2DCrossAttn, CrossAttnUpBlock2D / UpBlock2D (one class, attentions optional).
#pragma once
#include <torch/torch.h>

#include <optional>
#include <vector>

#include "models/common/resnet.h"
#include "models/unet/transformer_2d.h"

namespace mc::models {

struct UNetBlockOptions {
  int64_t in_channels = 0;
  int64_t out_channels = 0;
  int64_t prev_output_channels = 0;  // up blocks only
  int64_t temb_channels = 0;
  int64_t num_layers = 2;
  int64_t groups = 32;
  double eps = 1e-5;
  bool with_attention = true;
  int64_t heads = 8;
  int64_t cross_attention_dim = 768;
  bool add_sampler = true;  // downsample at the end of a down block / upsample at the end of an up block
};

class UNetDownBlockImpl : public torch::nn::Module {
 public:
  explicit UNetDownBlockImpl(const UNetBlockOptions& options);
  // Returns the block output and appends every intermediate state to `skips`.
  torch::Tensor forward(torch::Tensor x, const torch::Tensor& temb, const torch::Tensor& context,
                        std::vector<torch::Tensor>& skips);

  torch::nn::ModuleList resnets, attentions, downsamplers;
};
TORCH_MODULE(UNetDownBlock);

class UNetMidBlockImpl : public torch::nn::Module {
 public:
  explicit UNetMidBlockImpl(const UNetBlockOptions& options);
  torch::Tensor forward(torch::Tensor x, const torch::Tensor& temb, const torch::Tensor& context);

  torch::nn::ModuleList resnets, attentions;
};
TORCH_MODULE(UNetMidBlock);

class UNetUpBlockImpl : public torch::nn::Module {
 public:
  UNetUpBlockImpl(const UNetBlockOptions& options, int64_t skip_in_channels);
  // Consumes the last num_layers entries of `skips`. upsample_size: explicit target size or nullopt for x2.
  torch::Tensor forward(torch::Tensor x, const torch::Tensor& temb, const torch::Tensor& context,
                        std::vector<torch::Tensor>& skips, std::optional<std::vector<int64_t>> upsample_size);

  int64_t num_layers() const { return static_cast<int64_t>(resnets->size()); }

  torch::nn::ModuleList resnets, attentions, upsamplers;
};
TORCH_MODULE(UNetUpBlock);

}  // namespace mc::models
