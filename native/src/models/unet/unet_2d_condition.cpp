#include "models/unet/unet_2d_condition.h"

#include <cmath>

#include "models/common/layers.h"

namespace mc::models {

TimestepEmbeddingImpl::TimestepEmbeddingImpl(int64_t in, int64_t out) {
  linear_1 = register_module("linear_1", linear(in, out));
  linear_2 = register_module("linear_2", linear(out, out));
}

torch::Tensor TimestepEmbeddingImpl::forward(const torch::Tensor& x) {
  return linear_2->forward(torch::silu(linear_1->forward(x)));
}

torch::Tensor timestep_embedding(const torch::Tensor& timesteps, int64_t dim) {
  const int64_t half = dim / 2;
  auto options = torch::TensorOptions().dtype(torch::kFloat).device(timesteps.device());
  auto exponent = torch::arange(0, half, options) * (-std::log(10000.0)) / static_cast<double>(half);
  auto emb = timesteps.unsqueeze(1).to(torch::kFloat) * torch::exp(exponent).unsqueeze(0);  // [B, half]
  return torch::cat({torch::cos(emb), torch::sin(emb)}, 1);                                  // [B, dim]
}

UNet2DConditionModelImpl::UNet2DConditionModelImpl(const UNetConfig& config) : config_(config) {
  config_.validate();
  const auto& channels = config_.block_out_channels;
  const int64_t n = static_cast<int64_t>(channels.size());
  const int64_t temb = channels[0] * 4;
  conv_in = register_module("conv_in", conv2d(config_.in_channels, channels[0], 3, 1, 1));
  time_embedding = register_module("time_embedding", TimestepEmbedding(channels[0], temb));

  UNetBlockOptions base;
  base.temb_channels = temb;
  base.groups = config_.norm_num_groups;
  base.eps = config_.norm_eps;
  base.cross_attention_dim = config_.cross_attention_dim;

  down_blocks = register_module("down_blocks", torch::nn::ModuleList());
  int64_t output_channels = channels[0];
  for (int64_t i = 0; i < n; ++i) {
    UNetBlockOptions o = base;
    o.in_channels = output_channels;
    o.out_channels = output_channels = channels[i];
    o.num_layers = config_.layers_per_block;
    o.with_attention = config_.down_block_types[i] == "CrossAttnDownBlock2D";
    o.heads = config_.attention_heads[i];
    o.add_sampler = i != n - 1;
    down_blocks->push_back(UNetDownBlock(o));
  }

  UNetBlockOptions mid = base;
  mid.in_channels = mid.out_channels = channels[n - 1];
  mid.heads = config_.attention_heads[n - 1];
  mid_block = register_module("mid_block", UNetMidBlock(mid));

  up_blocks = register_module("up_blocks", torch::nn::ModuleList());
  std::vector<int64_t> reversed(channels.rbegin(), channels.rend());
  std::vector<int64_t> reversed_heads(config_.attention_heads.rbegin(), config_.attention_heads.rend());
  int64_t prev_output = reversed[0];
  for (int64_t i = 0; i < n; ++i) {
    UNetBlockOptions o = base;
    o.prev_output_channels = prev_output;
    o.out_channels = prev_output = reversed[i];
    o.num_layers = config_.layers_per_block + 1;
    o.with_attention = config_.up_block_types[i] == "CrossAttnUpBlock2D";
    o.heads = reversed_heads[i];
    o.add_sampler = i != n - 1;
    up_blocks->push_back(UNetUpBlock(o, /*skip_in_channels=*/reversed[std::min(i + 1, n - 1)]));
  }

  conv_norm_out = register_module("conv_norm_out", group_norm(config_.norm_num_groups, channels[0], config_.norm_eps));
  conv_out = register_module("conv_out", conv2d(channels[0], config_.out_channels, 3, 1, 1));
}

void UNet2DConditionModelImpl::set_attention_store(AttentionStore* store) {
  for (const auto& item : named_modules()) {
    if (auto* attention = item.value()->as<AttentionImpl>()) attention->set_capture(item.key(), store);
  }
}

void UNet2DConditionModelImpl::set_gradient_checkpointing(bool enabled) {
  for (const auto& module : modules()) {
    if (auto* block = dynamic_cast<CheckpointedBlock*>(module.get())) block->set_gradient_checkpointing(enabled);
  }
}

torch::Tensor UNet2DConditionModelImpl::forward(const torch::Tensor& sample, const torch::Tensor& timesteps,
                                                const torch::Tensor& context) {
  const int64_t batch = sample.size(0);
  const int64_t upsamplers = static_cast<int64_t>(config_.block_out_channels.size()) - 1;
  const int64_t factor = int64_t{1} << upsamplers;
  const bool explicit_upsample_size = sample.size(2) % factor != 0 || sample.size(3) % factor != 0;

  auto t = timesteps.dim() == 0 ? timesteps.reshape({1}) : timesteps;
  t = t.to(sample.device()).expand({batch});
  auto t_emb = timestep_embedding(t, config_.block_out_channels[0]).to(sample.scalar_type());
  auto emb = time_embedding->forward(t_emb);  // [B, 4*C0]

  auto x = conv_in->forward(sample);
  std::vector<torch::Tensor> skips{x};
  for (const auto& block : *down_blocks) x = block->as<UNetDownBlockImpl>()->forward(x, emb, context, skips);
  x = mid_block->forward(x, emb, context);
  for (size_t i = 0; i < up_blocks->size(); ++i) {
    auto* block = up_blocks[i]->as<UNetUpBlockImpl>();
    std::optional<std::vector<int64_t>> upsample_size;
    const bool is_final = i + 1 == up_blocks->size();
    if (explicit_upsample_size && !is_final) {
      const auto& next_skip = skips[skips.size() - block->num_layers() - 1];
      upsample_size = std::vector<int64_t>{next_skip.size(2), next_skip.size(3)};
    }
    x = block->forward(x, emb, context, skips, upsample_size);
  }
  x = torch::silu(apply_group_norm(conv_norm_out, x));
  return conv_out->forward(x);
}

}  // namespace mc::models
