#include "models/clip/clip_text_model.h"

#include <cmath>

#include "core/error.h"
#include "models/common/attention.h"
#include "models/common/layers.h"

namespace mc::models {

void ClipTextConfig::validate() const {
  const bool ok = vocab_size > 0 && hidden_size > 0 && num_attention_heads > 0 &&
                  hidden_size % num_attention_heads == 0 && num_hidden_layers >= 1 && num_hidden_layers <= 64 &&
                  max_position_embeddings > 0 && intermediate_size > 0;
  require(ok, codes::kBadCheckpoint,
          "text encoder config: expected positive sizes with hidden_size divisible by num_attention_heads, received "
          "hidden_size " + std::to_string(hidden_size) + " and " + std::to_string(num_attention_heads) + " heads",
          "The checkpoint's text_encoder/config.json does not describe a CLIP text model.");
  require(hidden_act == "quick_gelu" || hidden_act == "gelu", codes::kBadCheckpoint,
          "text encoder config: expected hidden_act quick_gelu or gelu, received " + hidden_act);
}

ClipAttentionImpl::ClipAttentionImpl(int64_t hidden, int64_t heads)
    : heads_(heads), scale_(1.0 / std::sqrt(static_cast<double>(hidden / heads))) {
  q_proj = register_module("q_proj", lora::LoraLinear(hidden, hidden, true));
  k_proj = register_module("k_proj", lora::LoraLinear(hidden, hidden, true));
  v_proj = register_module("v_proj", lora::LoraLinear(hidden, hidden, true));
  out_proj = register_module("out_proj", lora::LoraLinear(hidden, hidden, true));
}

torch::Tensor ClipAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& causal_mask) {
  auto q = split_heads(q_proj->forward(x), heads_);  // [B, heads, T, D]
  auto k = split_heads(k_proj->forward(x), heads_);
  auto v = split_heads(v_proj->forward(x), heads_);
  auto scores = torch::matmul(q, k.transpose(-1, -2)) * scale_ + causal_mask;  // [B, heads, T, T]
  auto probs = scores.softmax(-1);
  return out_proj->forward(merge_heads(torch::matmul(probs, v)));
}

ClipMlpImpl::ClipMlpImpl(int64_t hidden, int64_t intermediate, bool quick_gelu) : quick_gelu_(quick_gelu) {
  fc1 = register_module("fc1", linear(hidden, intermediate));
  fc2 = register_module("fc2", linear(intermediate, hidden));
}

torch::Tensor ClipMlpImpl::forward(const torch::Tensor& x) {
  auto h = fc1->forward(x);
  h = quick_gelu_ ? h * torch::sigmoid(1.702 * h) : torch::gelu(h);
  return fc2->forward(h);
}

ClipEncoderLayerImpl::ClipEncoderLayerImpl(const ClipTextConfig& c) {
  self_attn = register_module("self_attn", ClipAttention(c.hidden_size, c.num_attention_heads));
  layer_norm1 = register_module("layer_norm1", layer_norm(c.hidden_size, c.layer_norm_eps));
  mlp = register_module("mlp", ClipMlp(c.hidden_size, c.intermediate_size, c.hidden_act == "quick_gelu"));
  layer_norm2 = register_module("layer_norm2", layer_norm(c.hidden_size, c.layer_norm_eps));
}

torch::Tensor ClipEncoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& causal_mask) {
  auto h = x + self_attn->forward(layer_norm1->forward(x), causal_mask);
  return h + mlp->forward(layer_norm2->forward(h));
}

ClipTextEmbeddingsImpl::ClipTextEmbeddingsImpl(const ClipTextConfig& c) {
  token_embedding = register_module("token_embedding", torch::nn::Embedding(c.vocab_size, c.hidden_size));
  position_embedding =
      register_module("position_embedding", torch::nn::Embedding(c.max_position_embeddings, c.hidden_size));
}

ClipEncoderImpl::ClipEncoderImpl(const ClipTextConfig& c) {
  layers = register_module("layers", torch::nn::ModuleList());
  for (int64_t i = 0; i < c.num_hidden_layers; ++i) layers->push_back(ClipEncoderLayer(c));
}

ClipTextTransformerImpl::ClipTextTransformerImpl(const ClipTextConfig& c) {
  embeddings = register_module("embeddings", ClipTextEmbeddings(c));
  encoder = register_module("encoder", ClipEncoder(c));
  final_layer_norm = register_module("final_layer_norm", layer_norm(c.hidden_size, c.layer_norm_eps));
}

torch::Tensor ClipTextTransformerImpl::forward(const torch::Tensor& input_ids) {
  return forward_token_embeddings(embeddings->token_embedding->forward(input_ids));
}

torch::Tensor ClipTextTransformerImpl::forward_token_embeddings(const torch::Tensor& token_embeddings) {
  const int64_t t = token_embeddings.size(1);
  auto positions = torch::arange(t, torch::TensorOptions().dtype(torch::kLong).device(token_embeddings.device()));
  auto h = token_embeddings + embeddings->position_embedding->forward(positions).unsqueeze(0);  // [B, T, hidden]
  // Causal mask: position i attends to positions <= i; above the diagonal the dtype's lowest value, as
  // transformers uses torch.finfo(dtype).min.
  const double lowest = h.scalar_type() == torch::kHalf       ? -65504.0
                        : h.scalar_type() == torch::kBFloat16 ? -3.3895313892515355e38
                                                              : static_cast<double>(std::numeric_limits<float>::lowest());
  auto mask = torch::full({t, t}, lowest, h.options()).triu(1);  // [T, T]
  for (const auto& layer : *encoder->layers) h = layer->as<ClipEncoderLayerImpl>()->forward(h, mask);
  return final_layer_norm->forward(h);
}

ClipTextModelImpl::ClipTextModelImpl(const ClipTextConfig& config) : config_(config) {
  config_.validate();
  text_model = register_module("text_model", ClipTextTransformer(config_));
}

}  // namespace mc::models
