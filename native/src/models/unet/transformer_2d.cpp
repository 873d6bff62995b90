#include "models/unet/transformer_2d.h"

#include "models/common/layers.h"

namespace mc::models {

GEGLUImpl::GEGLUImpl(int64_t dim_in, int64_t dim_out) {
  proj = register_module("proj", lora::LoraLinear(dim_in, dim_out * 2, true));
}

torch::Tensor GEGLUImpl::forward(const torch::Tensor& x) {
  auto parts = proj->forward(x).chunk(2, -1);  // hidden, gate: [B, N, dim_out] each
  return parts[0] * torch::gelu(parts[1]);
}

FeedForwardImpl::FeedForwardImpl(int64_t dim) {
  const int64_t inner = dim * 4;
  net = register_module("net", torch::nn::ModuleList(GEGLU(dim, inner), torch::nn::Dropout(0.0), linear(inner, dim)));
}

torch::Tensor FeedForwardImpl::forward(const torch::Tensor& x) {
  auto h = net[0]->as<GEGLUImpl>()->forward(x);
  return net[2]->as<torch::nn::Linear>()->forward(h);
}

BasicTransformerBlockImpl::BasicTransformerBlockImpl(int64_t dim, int64_t heads, int64_t dim_head,
                                                     int64_t cross_attention_dim) {
  AttentionOptions self_options;
  self_options.query_dim = dim;
  self_options.heads = heads;
  self_options.dim_head = dim_head;
  AttentionOptions cross_options = self_options;
  cross_options.cross_attention_dim = cross_attention_dim;
  norm1 = register_module("norm1", layer_norm(dim, 1e-5));
  attn1 = register_module("attn1", Attention(self_options));
  norm2 = register_module("norm2", layer_norm(dim, 1e-5));
  attn2 = register_module("attn2", Attention(cross_options));
  norm3 = register_module("norm3", layer_norm(dim, 1e-5));
  ff = register_module("ff", FeedForward(dim));
}

torch::Tensor BasicTransformerBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& context,
                                                 std::pair<int64_t, int64_t> grid_hw) {
  auto h = attn1->forward(norm1->forward(x), std::nullopt, grid_hw) + x;
  h = attn2->forward(norm2->forward(h), context, grid_hw) + h;
  return ff->forward(norm3->forward(h)) + h;
}

Transformer2DModelImpl::Transformer2DModelImpl(int64_t channels, int64_t heads, int64_t cross_attention_dim,
                                               int64_t groups, int64_t num_layers) {
  norm = register_module("norm", group_norm(groups, channels, 1e-6));
  proj_in = register_module("proj_in", conv2d(channels, channels, 1));
  transformer_blocks = register_module("transformer_blocks", torch::nn::ModuleList());
  for (int64_t i = 0; i < num_layers; ++i) {
    transformer_blocks->push_back(BasicTransformerBlock(channels, heads, channels / heads, cross_attention_dim));
  }
  proj_out = register_module("proj_out", conv2d(channels, channels, 1));
}

torch::Tensor Transformer2DModelImpl::forward(const torch::Tensor& x, const torch::Tensor& context) {
  return run_maybe_checkpointed(x, context);
}

std::vector<AttentionImpl*> Transformer2DModelImpl::attention_modules() {
  std::vector<AttentionImpl*> modules;
  for (const auto& block : *transformer_blocks) {
    auto* b = block->as<BasicTransformerBlockImpl>();
    modules.push_back(b->attn1.get());
    modules.push_back(b->attn2.get());
  }
  return modules;
}

torch::Tensor Transformer2DModelImpl::run_block(const torch::Tensor& x, const torch::Tensor& context) {
  const int64_t b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  auto hidden = proj_in->forward(apply_group_norm(norm, x));
  hidden = hidden.permute({0, 2, 3, 1}).reshape({b, h * w, c});  // [B, HW, C]
  for (const auto& block : *transformer_blocks) {
    hidden = block->as<BasicTransformerBlockImpl>()->forward(hidden, context, {h, w});
  }
  hidden = hidden.reshape({b, h, w, c}).permute({0, 3, 1, 2}).contiguous();  // [B, C, H, W]
  return proj_out->forward(hidden) + x;
}

}  // namespace mc::models
