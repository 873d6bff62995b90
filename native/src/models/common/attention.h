// diffusers: models/attention_processor.py Attention (+ AttnProcessor / AttnProcessor2_0).
// Used by the UNet transformer blocks (attn1 self, attn2 cross) and the VAE mid-block (with group_norm and a
// residual connection on a 4-D input).
#pragma once
#include <torch/torch.h>

#include <optional>
#include <string>

#include "lora/lora_linear.h"
#include "models/common/attention_store.h"

namespace mc::models {

struct AttentionOptions {
  int64_t query_dim = 0;
  int64_t cross_attention_dim = 0;  // 0 = self-attention
  int64_t heads = 8;
  int64_t dim_head = 64;
  bool qkv_bias = false;
  int64_t norm_num_groups = 0;  // > 0: GroupNorm on a [B, C, H, W] input (VAE style)
  double norm_eps = 1e-6;
  bool residual_connection = false;
  bool upcast_softmax = false;
};

class AttentionImpl : public torch::nn::Module {
 public:
  explicit AttentionImpl(const AttentionOptions& options);

  // hidden: [B, N, C] or, with group norm, [B, C, H, W]. context: [B, T, Cc] for cross-attention.
  // grid_hw: the query grid (H, W) of a [B, N, C] input, needed only to report maps.
  torch::Tensor forward(const torch::Tensor& hidden, const std::optional<torch::Tensor>& context = std::nullopt,
                        std::pair<int64_t, int64_t> grid_hw = {0, 0});

  void set_capture(const std::string& name, AttentionStore* store) {
    name_ = name;
    store_ = store;
  }
  const std::string& capture_name() const { return name_; }
  AttentionStore* capture_store() const { return store_; }
  bool is_cross_attention() const { return options_.cross_attention_dim > 0; }

  torch::nn::GroupNorm group_norm{nullptr};
  lora::LoraLinear to_q{nullptr}, to_k{nullptr}, to_v{nullptr};
  torch::nn::ModuleList to_out;  // [0] LoraLinear (diffusers keeps a Dropout at [1]; it has no weights)

 private:
  torch::Tensor attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, bool capture,
                       std::pair<int64_t, int64_t> grid_hw);

  AttentionOptions options_;
  double scale_;
  std::string name_;
  AttentionStore* store_ = nullptr;
};
TORCH_MODULE(Attention);

// Splits [B, N, heads*D] into [B, heads, N, D].
torch::Tensor split_heads(const torch::Tensor& x, int64_t heads);
// Merges [B, heads, N, D] into [B, N, heads*D].
torch::Tensor merge_heads(const torch::Tensor& x);

}  // namespace mc::models
