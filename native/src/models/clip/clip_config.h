// The one documented configuration of CLIPTextModel (transformers CLIPTextConfig). Defaults are SD1.5's
// ViT-L/14 text tower.
#pragma once
#include <cstdint>
#include <string>

namespace mc::models {

struct ClipTextConfig {
  int64_t vocab_size = 49408;
  int64_t hidden_size = 768;
  int64_t intermediate_size = 3072;
  int64_t num_hidden_layers = 12;
  int64_t num_attention_heads = 12;
  int64_t max_position_embeddings = 77;
  double layer_norm_eps = 1e-5;
  std::string hidden_act = "quick_gelu";  // or "gelu"

  void validate() const;
};

}  // namespace mc::models
