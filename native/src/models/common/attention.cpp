#include "models/common/attention.h"

#include "core/torch_compat.h"
#include "models/common/layers.h"

namespace mc::models {

namespace {
// Attention scores are computed in slices of the batch*heads axis so that a 64x64 self-attention at 512x512 does
// not need a multi-gigabyte score tensor. Slicing changes no numbers. 16 MiB of fp32 scores per slice keeps the
// transient memory small and cost nothing measurable in bmm efficiency on an SD1.5-shaped UNet.
constexpr int64_t kMaxScoreElements = int64_t{1} << 22;
}  // namespace

torch::Tensor split_heads(const torch::Tensor& x, int64_t heads) {
  const int64_t b = x.size(0), n = x.size(1), d = x.size(2) / heads;
  return x.view({b, n, heads, d}).transpose(1, 2);  // [B, heads, N, D]
}

torch::Tensor merge_heads(const torch::Tensor& x) {
  const int64_t b = x.size(0), h = x.size(1), n = x.size(2), d = x.size(3);
  return x.transpose(1, 2).reshape({b, n, h * d});  // [B, N, heads*D]
}

AttentionImpl::AttentionImpl(const AttentionOptions& options)
    : options_(options), scale_(1.0 / std::sqrt(static_cast<double>(options.dim_head))) {
  const int64_t inner = options.heads * options.dim_head;
  const int64_t context_dim = options.cross_attention_dim > 0 ? options.cross_attention_dim : options.query_dim;
  if (options.norm_num_groups > 0) {
    group_norm = register_module("group_norm", mc::models::group_norm(options.norm_num_groups, options.query_dim,
                                                                       options.norm_eps));
  }
  to_q = register_module("to_q", lora::LoraLinear(options.query_dim, inner, options.qkv_bias));
  to_k = register_module("to_k", lora::LoraLinear(context_dim, inner, options.qkv_bias));
  to_v = register_module("to_v", lora::LoraLinear(context_dim, inner, options.qkv_bias));
  to_out = register_module("to_out", torch::nn::ModuleList(lora::LoraLinear(inner, options.query_dim, true)));
}

torch::Tensor AttentionImpl::attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                    bool capture, std::pair<int64_t, int64_t> grid_hw) {
  // q: [B, heads, N, D], k/v: [B, heads, T, D]
  const int64_t b = q.size(0), h = q.size(1), n = q.size(2), t = k.size(2), d = q.size(3);
#if MC_TORCH_AT_LEAST(2, 0)
  // diffusers' AttnProcessor2_0 also uses SDPA for the VAE (whose upcast_softmax it ignores).
  if (!capture) return at::scaled_dot_product_attention(q, k, v);
#endif
  auto q3 = q.reshape({b * h, n, d});  // [BH, N, D]
  auto k3 = k.reshape({b * h, t, d});  // [BH, T, D]
  auto v3 = v.reshape({b * h, t, d});  // [BH, T, D]
  const int64_t slice = std::max<int64_t>(1, kMaxScoreElements / std::max<int64_t>(1, n * t));
  std::vector<torch::Tensor> outputs, all_probs;
  for (int64_t begin = 0; begin < b * h; begin += slice) {
    const int64_t end = std::min(b * h, begin + slice);
    // Not baddbmm(empty, ..., beta=0) as diffusers writes it: libtorch 1.13's CPU bf16 kernel reads the
    // uninitialised input despite beta=0 and turns garbage NaNs into scores.
    auto scores = torch::bmm(q3.slice(0, begin, end), k3.slice(0, begin, end).transpose(1, 2)).mul_(scale_);
    auto probs = options_.upcast_softmax ? scores.to(torch::kFloat).softmax(-1).to(q.scalar_type())
                                         : scores.softmax(-1);  // [bh, N, T]
    outputs.push_back(torch::bmm(probs, v3.slice(0, begin, end)));
    if (capture) all_probs.push_back(probs);
  }
  if (capture) {
    auto probs = torch::cat(all_probs, 0).view({b, h, n, t});  // [B, heads, N, T]
    store_->record(name_, probs, grid_hw.first, grid_hw.second);
  }
  return torch::cat(outputs, 0).view({b, h, n, d});  // [B, heads, N, D]
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& hidden, const std::optional<torch::Tensor>& context,
                                     std::pair<int64_t, int64_t> grid_hw) {
  torch::Tensor x = hidden;
  const bool spatial = hidden.dim() == 4;
  int64_t channels = 0, height = 0, width = 0;
  if (spatial) {
    channels = hidden.size(1), height = hidden.size(2), width = hidden.size(3);
    grid_hw = {height, width};
  }
  if (group_norm) x = apply_group_norm(group_norm, x);
  if (spatial) x = x.view({x.size(0), channels, height * width}).transpose(1, 2);  // [B, HW, C]

  const auto& ctx = context.has_value() ? *context : x;
  auto q = split_heads(to_q->forward(x), options_.heads);
  auto k = split_heads(to_k->forward(ctx), options_.heads);
  auto v = split_heads(to_v->forward(ctx), options_.heads);
  const bool capture = store_ != nullptr && is_cross_attention() && store_->wants(name_, q.size(2));
  auto out = merge_heads(attend(q, k, v, capture, grid_hw));
  out = to_out[0]->as<lora::LoraLinearImpl>()->forward(out);

  if (spatial) out = out.transpose(1, 2).reshape({out.size(0), channels, height, width});  // [B, C, H, W]
  if (options_.residual_connection) out = out + hidden;
  return out;
}

}  // namespace mc::models
