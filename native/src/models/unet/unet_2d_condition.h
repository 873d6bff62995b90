// diffusers: models/unets/unet_2d_condition.py UNet2DConditionModel (the SD1.x subset: no class embedding,
// no addition embedding, conv projections, one transformer layer per block).
#pragma once
#include <torch/torch.h>

#include "models/common/attention_store.h"
#include "models/unet/unet_blocks.h"
#include "models/unet/unet_config.h"

namespace mc::models {

class TimestepEmbeddingImpl : public torch::nn::Module {
 public:
  TimestepEmbeddingImpl(int64_t in, int64_t out);
  torch::Tensor forward(const torch::Tensor& x);
  torch::nn::Linear linear_1{nullptr}, linear_2{nullptr};
};
TORCH_MODULE(TimestepEmbedding);

// diffusers: embeddings.get_timestep_embedding with flip_sin_to_cos=True, downscale_freq_shift=0.
torch::Tensor timestep_embedding(const torch::Tensor& timesteps, int64_t dim);

class UNet2DConditionModelImpl : public torch::nn::Module {
 public:
  explicit UNet2DConditionModelImpl(const UNetConfig& config);

  // sample: [B, 4, h, w]; timesteps: 0-d or [B] (any numeric dtype); context: [B, 77, cross_attention_dim].
  torch::Tensor forward(const torch::Tensor& sample, const torch::Tensor& timesteps, const torch::Tensor& context);

  // Routes cross-attention probabilities into `store` (nullptr stops capturing).
  void set_attention_store(AttentionStore* store);
  // Checkpoints every resnet and transformer (activation_checkpoint.h): less memory for one more forward when
  // training. Captured attention maps keep their gradients.
  void set_gradient_checkpointing(bool enabled);
  const UNetConfig& config() const { return config_; }

  torch::nn::Conv2d conv_in{nullptr}, conv_out{nullptr};
  TimestepEmbedding time_embedding{nullptr};
  torch::nn::ModuleList down_blocks, up_blocks;
  UNetMidBlock mid_block{nullptr};
  torch::nn::GroupNorm conv_norm_out{nullptr};

 private:
  UNetConfig config_;
};
TORCH_MODULE(UNet2DConditionModel);

}  // namespace mc::models
