// diffusers: models/transformers/transformer_2d.py Transformer2DModel (conv projections, SD1.5),
// models/attention.py BasicTransformerBlock, FeedForward and models/activations.py GEGLU.
#pragma once
#include <torch/torch.h>

#include "models/common/activation_checkpoint.h"
#include "models/common/attention.h"

namespace mc::models {

class GEGLUImpl : public torch::nn::Module {
 public:
  GEGLUImpl(int64_t dim_in, int64_t dim_out);
  torch::Tensor forward(const torch::Tensor& x);
  lora::LoraLinear proj{nullptr};
};
TORCH_MODULE(GEGLU);

// Checkpoint keys: ff.net.0.proj (GEGLU), ff.net.2 (output Linear); net.1 is a Dropout without weights.
class FeedForwardImpl : public torch::nn::Module {
 public:
  explicit FeedForwardImpl(int64_t dim);
  torch::Tensor forward(const torch::Tensor& x);
  torch::nn::ModuleList net;
};
TORCH_MODULE(FeedForward);

class BasicTransformerBlockImpl : public torch::nn::Module {
 public:
  BasicTransformerBlockImpl(int64_t dim, int64_t heads, int64_t dim_head, int64_t cross_attention_dim);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context, std::pair<int64_t, int64_t> grid_hw);

  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr}, norm3{nullptr};
  Attention attn1{nullptr}, attn2{nullptr};
  FeedForward ff{nullptr};
};
TORCH_MODULE(BasicTransformerBlock);

class Transformer2DModelImpl : public torch::nn::Module, public CheckpointedBlock {
 public:
  Transformer2DModelImpl(int64_t channels, int64_t heads, int64_t cross_attention_dim, int64_t groups,
                         int64_t num_layers = 1);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context);
  torch::Tensor run_block(const torch::Tensor& x, const torch::Tensor& context) override;
  std::vector<AttentionImpl*> attention_modules() override;

  torch::nn::GroupNorm norm{nullptr};
  torch::nn::Conv2d proj_in{nullptr}, proj_out{nullptr};
  torch::nn::ModuleList transformer_blocks;
};
TORCH_MODULE(Transformer2DModel);

}  // namespace mc::models
