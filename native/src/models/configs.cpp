#include "models/configs.h"

#include "core/error.h"
#include "io/json.h"

namespace mc::models {

namespace {

namespace json = mc::io::json;

json::Value parse_config(const std::string& text, const std::string& what) {
  json::ParseOptions options;
  options.error_code = codes::kBadCheckpoint;
  options.context = what;
  options.hint = "The checkpoint's " + what + " is damaged; re-download the model.";
  auto value = json::parse(text, options);
  require(value.is_object(), codes::kBadCheckpoint, what + ": expected a JSON object");
  return value;
}

int64_t get_int(const json::Value& config, const char* key, int64_t fallback, const std::string& what) {
  const auto* v = config.find(key);
  if (v == nullptr || v->is_null()) return fallback;
  uint64_t out = 0;
  require(v->as_uint64(out) && out < (uint64_t{1} << 40), codes::kBadCheckpoint,
          what + ": expected " + key + " to be a non-negative integer");
  return static_cast<int64_t>(out);
}

double get_double(const json::Value& config, const char* key, double fallback, const std::string& what) {
  const auto* v = config.find(key);
  if (v == nullptr || v->is_null()) return fallback;
  double out = 0;
  require(v->as_double(out), codes::kBadCheckpoint, what + ": expected " + key + " to be a number");
  return out;
}

std::string get_string(const json::Value& config, const char* key, const std::string& fallback,
                       const std::string& what) {
  const auto* v = config.find(key);
  if (v == nullptr || v->is_null()) return fallback;
  require(v->is_string(), codes::kBadCheckpoint, what + ": expected " + key + " to be a string");
  return v->text;
}

std::vector<int64_t> get_ints(const json::Value& config, const char* key, std::vector<int64_t> fallback,
                              const std::string& what) {
  const auto* v = config.find(key);
  if (v == nullptr || v->is_null()) return fallback;
  require(v->is_array(), codes::kBadCheckpoint, what + ": expected " + key + " to be a list of integers");
  std::vector<int64_t> out;
  for (const auto& item : v->items) {
    uint64_t n = 0;
    require(item.as_uint64(n) && n < (uint64_t{1} << 40), codes::kBadCheckpoint,
            what + ": expected " + key + " to be a list of integers");
    out.push_back(static_cast<int64_t>(n));
  }
  return out;
}

std::vector<std::string> get_strings(const json::Value& config, const char* key, std::vector<std::string> fallback,
                                     const std::string& what) {
  const auto* v = config.find(key);
  if (v == nullptr || v->is_null()) return fallback;
  require(v->is_array(), codes::kBadCheckpoint, what + ": expected " + key + " to be a list of strings");
  std::vector<std::string> out;
  for (const auto& item : v->items) {
    require(item.is_string(), codes::kBadCheckpoint, what + ": expected " + key + " to be a list of strings");
    out.push_back(item.text);
  }
  return out;
}

const std::vector<int64_t>& shape_of(const ShapeMap& shapes, const std::string& key, const std::string& what) {
  auto it = shapes.find(key);
  require(it != shapes.end() && !it->second.empty(), codes::kBadCheckpoint,
          what + ": expected tensor " + key + " in the checkpoint, it is missing",
          "The file is not a Stable Diffusion 1.x checkpoint or it is damaged.");
  return it->second;
}

bool has_prefix(const ShapeMap& shapes, const std::string& prefix) {
  auto it = shapes.lower_bound(prefix);
  return it != shapes.end() && it->first.compare(0, prefix.size(), prefix) == 0;
}

// Number of consecutive indices i with some key starting with prefix + i + ".".
int64_t count_indexed(const ShapeMap& shapes, const std::string& prefix) {
  int64_t n = 0;
  while (has_prefix(shapes, prefix + std::to_string(n) + ".")) ++n;
  return n;
}

}  // namespace

UNetConfig unet_config_from_json(const std::string& text) {
  const std::string what = "unet/config.json";
  auto c = parse_config(text, what);
  UNetConfig u;
  u.in_channels = get_int(c, "in_channels", u.in_channels, what);
  u.out_channels = get_int(c, "out_channels", u.out_channels, what);
  u.sample_size = get_int(c, "sample_size", u.sample_size, what);
  u.block_out_channels = get_ints(c, "block_out_channels", u.block_out_channels, what);
  u.down_block_types = get_strings(c, "down_block_types", u.down_block_types, what);
  u.up_block_types = get_strings(c, "up_block_types", u.up_block_types, what);
  u.layers_per_block = get_int(c, "layers_per_block", u.layers_per_block, what);
  u.cross_attention_dim = get_int(c, "cross_attention_dim", u.cross_attention_dim, what);
  u.norm_num_groups = get_int(c, "norm_num_groups", u.norm_num_groups, what);
  u.norm_eps = get_double(c, "norm_eps", u.norm_eps, what);
  // num_attention_heads wins when present; SD1.x configs put the head count in attention_head_dim.
  const char* heads_key = c.find("num_attention_heads") && !c.find("num_attention_heads")->is_null()
                              ? "num_attention_heads"
                              : "attention_head_dim";
  const auto* heads = c.find(heads_key);
  const size_t n = u.block_out_channels.size();
  if (heads != nullptr && heads->is_array()) {
    u.attention_heads = get_ints(c, heads_key, {}, what);
  } else {
    u.attention_heads.assign(n, get_int(c, heads_key, 8, what));
  }
  const auto* linear = c.find("use_linear_projection");
  require(linear == nullptr || !linear->boolean, codes::kBadCheckpoint,
          what + ": expected use_linear_projection false (SD1.x), received true",
          "SD2.x and SDXL checkpoints are not supported; use a Stable Diffusion 1.5 checkpoint.");
  u.validate();
  return u;
}

VaeConfig vae_config_from_json(const std::string& text) {
  const std::string what = "vae/config.json";
  auto c = parse_config(text, what);
  VaeConfig v;
  v.in_channels = get_int(c, "in_channels", v.in_channels, what);
  v.out_channels = get_int(c, "out_channels", v.out_channels, what);
  v.latent_channels = get_int(c, "latent_channels", v.latent_channels, what);
  v.block_out_channels = get_ints(c, "block_out_channels", v.block_out_channels, what);
  v.layers_per_block = get_int(c, "layers_per_block", v.layers_per_block, what);
  v.norm_num_groups = get_int(c, "norm_num_groups", v.norm_num_groups, what);
  v.sample_size = get_int(c, "sample_size", v.sample_size, what);
  v.scaling_factor = get_double(c, "scaling_factor", v.scaling_factor, what);
  v.validate();
  return v;
}

ClipTextConfig clip_config_from_json(const std::string& text) {
  const std::string what = "text_encoder/config.json";
  auto c = parse_config(text, what);
  ClipTextConfig t;
  t.vocab_size = get_int(c, "vocab_size", t.vocab_size, what);
  t.hidden_size = get_int(c, "hidden_size", t.hidden_size, what);
  t.intermediate_size = get_int(c, "intermediate_size", t.intermediate_size, what);
  t.num_hidden_layers = get_int(c, "num_hidden_layers", t.num_hidden_layers, what);
  t.num_attention_heads = get_int(c, "num_attention_heads", t.num_attention_heads, what);
  t.max_position_embeddings = get_int(c, "max_position_embeddings", t.max_position_embeddings, what);
  t.layer_norm_eps = get_double(c, "layer_norm_eps", t.layer_norm_eps, what);
  t.hidden_act = get_string(c, "hidden_act", t.hidden_act, what);
  t.validate();
  return t;
}

UNetConfig infer_unet_config(const ShapeMap& shapes) {
  const std::string what = "UNet";
  UNetConfig u;
  const int64_t blocks = count_indexed(shapes, "down_blocks.");
  require(blocks >= 1, codes::kBadCheckpoint, "UNet: expected down_blocks.* tensors, found none",
          "The file is not a Stable Diffusion 1.x checkpoint.");
  u.in_channels = shape_of(shapes, "conv_in.weight", what)[1];
  u.out_channels = shape_of(shapes, "conv_out.weight", what)[0];
  u.layers_per_block = count_indexed(shapes, "down_blocks.0.resnets.");
  u.block_out_channels.clear();
  u.down_block_types.clear();
  u.up_block_types.clear();
  for (int64_t i = 0; i < blocks; ++i) {
    const std::string down = "down_blocks." + std::to_string(i);
    const std::string up = "up_blocks." + std::to_string(i);
    u.block_out_channels.push_back(shape_of(shapes, down + ".resnets.0.conv1.weight", what)[0]);
    u.down_block_types.push_back(shapes.count(down + ".attentions.0.norm.weight") ? "CrossAttnDownBlock2D"
                                                                                   : "DownBlock2D");
    u.up_block_types.push_back(shapes.count(up + ".attentions.0.norm.weight") ? "CrossAttnUpBlock2D" : "UpBlock2D");
  }
  u.cross_attention_dim = shape_of(shapes, "mid_block.attentions.0.transformer_blocks.0.attn2.to_k.weight", what)[1];
  // SD1.x (768-wide text) uses 8 heads everywhere; SD2-style models use 64-wide heads.
  u.attention_heads.clear();
  for (auto c : u.block_out_channels) u.attention_heads.push_back(u.cross_attention_dim == 768 ? 8 : c / 64);
  u.validate();
  return u;
}

VaeConfig infer_vae_config(const ShapeMap& shapes) {
  const std::string what = "VAE";
  VaeConfig v;
  const int64_t blocks = count_indexed(shapes, "encoder.down_blocks.");
  require(blocks >= 1, codes::kBadCheckpoint, "VAE: expected encoder.down_blocks.* tensors, found none",
          "The file is not a Stable Diffusion 1.x checkpoint.");
  v.block_out_channels.clear();
  for (int64_t i = 0; i < blocks; ++i) {
    v.block_out_channels.push_back(
        shape_of(shapes, "encoder.down_blocks." + std::to_string(i) + ".resnets.0.conv1.weight", what)[0]);
  }
  v.layers_per_block = count_indexed(shapes, "encoder.down_blocks.0.resnets.");
  v.in_channels = shape_of(shapes, "encoder.conv_in.weight", what)[1];
  v.out_channels = shape_of(shapes, "decoder.conv_out.weight", what)[0];
  v.latent_channels = shape_of(shapes, "decoder.conv_in.weight", what)[1];
  v.validate();
  return v;
}

ClipTextConfig infer_clip_config(const ShapeMap& shapes) {
  const std::string what = "text encoder";
  ClipTextConfig t;
  const auto& embedding = shape_of(shapes, "text_model.embeddings.token_embedding.weight", what);
  t.vocab_size = embedding[0];
  t.hidden_size = embedding[1];
  t.max_position_embeddings = shape_of(shapes, "text_model.embeddings.position_embedding.weight", what)[0];
  t.num_hidden_layers = count_indexed(shapes, "text_model.encoder.layers.");
  t.intermediate_size = shape_of(shapes, "text_model.encoder.layers.0.mlp.fc1.weight", what)[0];
  t.num_attention_heads = std::max<int64_t>(1, t.hidden_size / 64);
  t.validate();
  return t;
}

}  // namespace mc::models
