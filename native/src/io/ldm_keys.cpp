#include "io/ldm_keys.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

#include "core/error.h"

namespace mc::io {

namespace {

using Str = std::string_view;

constexpr Str kUnetPrefix = "model.diffusion_model.";
constexpr Str kVaePrefix = "first_stage_model.";
constexpr Str kClipPrefix = "cond_stage_model.transformer.";

bool eat(Str& s, Str prefix) {
  if (s.substr(0, prefix.size()) != prefix) return false;
  s.remove_prefix(prefix.size());
  return true;
}

// Consumes "<index>." (decimal, no leading zeros, at most 6 digits).
bool eat_index(Str& s, int& out) {
  size_t n = 0;
  while (n < s.size() && n < 7 && s[n] >= '0' && s[n] <= '9') ++n;
  if (n == 0 || n > 6 || n >= s.size() || s[n] != '.' || (n > 1 && s[0] == '0')) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) v = v * 10 + (s[i] - '0');
  out = v;
  s.remove_prefix(n + 1);
  return true;
}

bool is_param(Str s) { return s == "weight" || s == "bias"; }

std::string cat(std::initializer_list<Str> parts) {
  std::string out;
  for (Str p : parts) out.append(p.data(), p.size());
  return out;
}

std::string num(int i) { return std::to_string(i); }

// diffusers: ResnetBlock2D <- ldm: ResBlock
std::optional<std::string> unet_resnet(Str rest) {
  static constexpr std::pair<Str, Str> kNames[] = {
      {"in_layers.0.", "norm1."},  {"in_layers.2.", "conv1."},  {"emb_layers.1.", "time_emb_proj."},
      {"out_layers.0.", "norm2."}, {"out_layers.3.", "conv2."}, {"skip_connection.", "conv_shortcut."},
  };
  for (const auto& [from, to] : kNames) {
    Str r = rest;
    if (eat(r, from) && is_param(r)) return cat({to, r});
  }
  return std::nullopt;
}

// diffusers: Transformer2DModel <- ldm: SpatialTransformer; SD1.x names are identical below the block.
std::optional<std::string> unet_transformer(Str rest) {
  for (Str head : {Str("norm."), Str("proj_in."), Str("proj_out.")}) {
    Str r = rest;
    if (eat(r, head) && is_param(r)) return std::string(rest);
  }
  Str r = rest;
  int block = 0;
  if (eat(r, "transformer_blocks.") && eat_index(r, block) && !r.empty()) return std::string(rest);
  return std::nullopt;
}

std::optional<std::string> conv_param(Str rest, Str target) {
  Str r = rest;
  if (eat(r, "conv.") && is_param(r)) return cat({target, r});
  return std::nullopt;
}

struct UnetLayout {
  int layers_per_block = 0;
  int blocks = 0;
};

UnetLayout infer_unet_layout(const std::vector<Str>& rests) {
  std::set<int> inputs, downsamplers, outputs;
  for (Str rest : rests) {
    Str r = rest;
    int i = 0;
    if (eat(r, "input_blocks.") && eat_index(r, i)) {
      inputs.insert(i);
      if (r.substr(0, 5) == "0.op.") downsamplers.insert(i);
    } else if (r = rest; eat(r, "output_blocks.") && eat_index(r, i)) {
      outputs.insert(i);
    }
  }
  UnetLayout layout;
  if (inputs.empty()) return layout;
  auto unsupported = [&](const std::string& why) {
    fail(codes::kUnsupportedFormat,
         "cannot infer the UNet block layout from model.diffusion_model.input_blocks/output_blocks: " + why,
         "MagiCapture reads Stable Diffusion 1.x checkpoints; use the model's diffusers folder or an SD1.x .safetensors file");
  };
  if (downsamplers.empty()) {
    layout.blocks = 1;
    layout.layers_per_block = *inputs.rbegin();
  } else {
    layout.layers_per_block = *downsamplers.begin() - 1;
    layout.blocks = static_cast<int>(downsamplers.size()) + 1;
    int k = 1;
    for (int d : downsamplers)
      if (d != k++ * (layout.layers_per_block + 1))
        unsupported("downsamplers at input_blocks " + num(d) + " do not repeat every layers_per_block + 1 = " +
                    num(layout.layers_per_block + 1) + " blocks");
  }
  if (layout.layers_per_block < 1) unsupported("expected at least one resnet per down block");
  int last = layout.blocks * (layout.layers_per_block + 1) - 1;
  if (*inputs.rbegin() != last)
    unsupported("expected the last input block to be " + num(last) + " (layers_per_block " + num(layout.layers_per_block) +
                ", " + num(layout.blocks) + " down blocks), found " + num(*inputs.rbegin()));
  if (!outputs.empty() && *outputs.rbegin() != last)
    unsupported("expected the last output block to be " + num(last) + ", found " + num(*outputs.rbegin()));
  return layout;
}

std::optional<std::string> convert_unet_key(Str rest, const UnetLayout& layout) {
  const int per = layout.layers_per_block + 1;
  Str r = rest;
  int i = 0;
  if (eat(r, "time_embed.")) {
    if (eat(r, "0.") && is_param(r)) return cat({"time_embedding.linear_1.", r});
    if (eat(r, "2.") && is_param(r)) return cat({"time_embedding.linear_2.", r});
    return std::nullopt;
  }
  if (r = rest; eat(r, "out.")) {
    if (eat(r, "0.") && is_param(r)) return cat({"conv_norm_out.", r});
    if (eat(r, "2.") && is_param(r)) return cat({"conv_out.", r});
    return std::nullopt;
  }
  if (r = rest; eat(r, "input_blocks.") && eat_index(r, i)) {
    if (i == 0) {
      if (eat(r, "0.") && is_param(r)) return cat({"conv_in.", r});
      return std::nullopt;
    }
    int b = (i - 1) / per, l = (i - 1) % per;
    std::string block = "down_blocks." + num(b) + ".";
    if (l == layout.layers_per_block) {
      if (eat(r, "0.op.") && is_param(r)) return cat({block, "downsamplers.0.conv.", r});
      return std::nullopt;
    }
    if (eat(r, "0.")) {
      if (auto s = unet_resnet(r)) return block + "resnets." + num(l) + "." + *s;
    } else if (eat(r, "1.")) {
      if (auto s = unet_transformer(r)) return block + "attentions." + num(l) + "." + *s;
    }
    return std::nullopt;
  }
  if (r = rest; eat(r, "middle_block.")) {
    if (eat(r, "1.")) {
      if (auto s = unet_transformer(r)) return "mid_block.attentions.0." + *s;
    } else if (int m = 0; eat_index(r, m) && (m == 0 || m == 2)) {
      if (auto s = unet_resnet(r)) return "mid_block.resnets." + num(m / 2) + "." + *s;
    }
    return std::nullopt;
  }
  if (r = rest; eat(r, "output_blocks.") && eat_index(r, i)) {
    int b = i / per, l = i % per;
    std::string block = "up_blocks." + num(b) + ".";
    int part = 0;
    if (!eat_index(r, part)) return std::nullopt;
    if (part == 0) {
      if (auto s = unet_resnet(r)) return block + "resnets." + num(l) + "." + *s;
      return std::nullopt;
    }
    // The upsampler follows the last resnet of a block: output_blocks.i.1.conv without attention, .2.conv with it.
    if ((part == 1 || part == 2) && l == layout.layers_per_block)
      if (auto s = conv_param(r, "upsamplers.0.conv.")) return block + *s;
    if (part == 1)
      if (auto s = unet_transformer(r)) return block + "attentions." + num(l) + "." + *s;
    return std::nullopt;
  }
  return std::nullopt;
}

// diffusers: ResnetBlock2D <- ldm: taming ResnetBlock
std::optional<std::string> vae_resnet(Str rest) {
  static constexpr std::pair<Str, Str> kNames[] = {
      {"norm1.", "norm1."}, {"conv1.", "conv1."}, {"norm2.", "norm2."}, {"conv2.", "conv2."}, {"nin_shortcut.", "conv_shortcut."},
  };
  for (const auto& [from, to] : kNames) {
    Str r = rest;
    if (eat(r, from) && is_param(r)) return cat({to, r});
  }
  return std::nullopt;
}

// Returns the diffusers name and whether it is a projection that is a 1x1 conv in LDM.
std::optional<std::pair<std::string, bool>> vae_mid(Str rest) {
  Str r = rest;
  if (eat(r, "block_1.")) {
    if (auto s = vae_resnet(r)) return std::make_pair("mid_block.resnets.0." + *s, false);
  } else if (eat(r, "block_2.")) {
    if (auto s = vae_resnet(r)) return std::make_pair("mid_block.resnets.1." + *s, false);
  } else if (eat(r, "attn_1.")) {
    // diffusers: Attention (VAE mid block) <- ldm: AttnBlock
    static constexpr std::pair<Str, Str> kNames[] = {
        {"norm.", "group_norm."}, {"q.", "to_q."}, {"k.", "to_k."}, {"v.", "to_v."}, {"proj_out.", "to_out.0."},
    };
    for (const auto& [from, to] : kNames) {
      Str p = r;
      if (eat(p, from) && is_param(p))
        return std::make_pair(cat({"mid_block.attentions.0.", to, p}), from != "norm." && p == "weight");
    }
  }
  return std::nullopt;
}

std::optional<std::pair<std::string, bool>> convert_vae_key(Str rest, int decoder_levels) {
  Str r = rest;
  for (Str conv : {Str("quant_conv."), Str("post_quant_conv.")}) {
    Str p = rest;
    if (eat(p, conv) && is_param(p)) return std::make_pair(std::string(rest), false);
  }
  Str side;
  if (eat(r, "encoder.")) side = "encoder.";
  else if (r = rest; eat(r, "decoder.")) side = "decoder.";
  else return std::nullopt;
  auto plain = [&](std::string name) { return std::make_optional(std::make_pair(std::string(side) + name, false)); };

  Str p = r;
  if (eat(p, "conv_in.") && is_param(p)) return plain(cat({"conv_in.", p}));
  if (p = r; eat(p, "conv_out.") && is_param(p)) return plain(cat({"conv_out.", p}));
  if (p = r; eat(p, "norm_out.") && is_param(p)) return plain(cat({"conv_norm_out.", p}));
  if (p = r; eat(p, "mid.")) {
    if (auto m = vae_mid(p)) return std::make_pair(std::string(side) + m->first, m->second);
    return std::nullopt;
  }
  int i = 0, j = 0;
  if (p = r; side == "encoder." && eat(p, "down.") && eat_index(p, i)) {
    std::string block = "down_blocks." + num(i) + ".";
    if (eat(p, "downsample.")) {
      if (auto s = conv_param(p, "downsamplers.0.conv.")) return plain(block + *s);
    } else if (eat(p, "block.") && eat_index(p, j)) {
      if (auto s = vae_resnet(p)) return plain(block + "resnets." + num(j) + "." + *s);
    }
    return std::nullopt;
  }
  if (p = r; side == "decoder." && eat(p, "up.") && eat_index(p, i) && i < decoder_levels) {
    // LDM counts decoder levels from the lowest resolution up; diffusers counts them in execution order.
    std::string block = "up_blocks." + num(decoder_levels - 1 - i) + ".";
    if (eat(p, "upsample.")) {
      if (auto s = conv_param(p, "upsamplers.0.conv.")) return plain(block + *s);
    } else if (eat(p, "block.") && eat_index(p, j)) {
      if (auto s = vae_resnet(p)) return plain(block + "resnets." + num(j) + "." + *s);
    }
  }
  return std::nullopt;
}

int count_decoder_levels(const std::vector<Str>& rests) {
  int levels = 0;
  for (Str rest : rests) {
    Str r = rest;
    int i = 0;
    if (eat(r, "decoder.up.") && eat_index(r, i)) levels = std::max(levels, i + 1);
  }
  return levels;
}

std::optional<std::string> convert_clip_key(Str rest) {
  Str r = rest;
  if (!eat(r, "text_model.")) {
    // Older transformers saved CLIPTextTransformer directly, without the text_model level.
    bool known = false;
    for (Str head : {Str("embeddings."), Str("encoder."), Str("final_layer_norm.")})
      if (rest.substr(0, head.size()) == head) known = true;
    if (!known) return std::nullopt;
  }
  std::string out = cat({"text_model.", r});
  // position_ids is a constant buffer (arange) that newer transformers no longer store.
  if (r.size() >= 12 && r.substr(r.size() - 12) == "position_ids") return std::nullopt;
  return out;
}

void reject_duplicate_targets(const KeyConversion& conversion) {
  std::map<std::pair<Component, Str>, Str> seen;
  for (const auto& m : conversion.mapped) {
    auto [it, inserted] = seen.emplace(std::make_pair(m.component, Str(m.target)), Str(m.source));
    if (!inserted)
      fail(codes::kBadCheckpoint,
           "the keys \"" + std::string(it->second) + "\" and \"" + m.source + "\" both map to the " +
               component_name(m.component) + " parameter \"" + m.target + "\" (expected each parameter once)",
           "the checkpoint mixes two layouts; use a clean copy of the model");
  }
}

}  // namespace

const char* component_name(Component component) {
  switch (component) {
    case Component::Unet: return "unet";
    case Component::Vae: return "vae";
    case Component::TextEncoder: return "text_encoder";
  }
  return "?";
}

KeyConversion convert_ldm_keys(const std::vector<std::string>& keys) {
  std::vector<Str> unet_rests, vae_rests;
  for (const auto& key : keys) {
    Str r = key;
    if (eat(r, kUnetPrefix)) unet_rests.push_back(r);
    else if (r = key; eat(r, kVaePrefix)) vae_rests.push_back(r);
  }
  const UnetLayout layout = infer_unet_layout(unet_rests);
  const int decoder_levels = count_decoder_levels(vae_rests);

  KeyConversion out;
  for (const auto& key : keys) {
    Str r = key;
    if (eat(r, kUnetPrefix)) {
      if (auto name = convert_unet_key(r, layout)) {
        out.mapped.push_back({key, Component::Unet, *name, false});
        continue;
      }
    } else if (r = key; eat(r, kVaePrefix)) {
      if (auto name = convert_vae_key(r, decoder_levels)) {
        out.mapped.push_back({key, Component::Vae, name->first, name->second});
        continue;
      }
    } else if (r = key; eat(r, kClipPrefix)) {
      if (auto name = convert_clip_key(r)) {
        out.mapped.push_back({key, Component::TextEncoder, *name, false});
        continue;
      }
    }
    out.unused.push_back(key);
  }
  reject_duplicate_targets(out);
  return out;
}

KeyConversion convert_diffusers_keys(Component component, const std::vector<std::string>& keys) {
  KeyConversion out;
  for (const auto& key : keys) {
    if (component == Component::TextEncoder) {
      Str k = key;
      if (k.size() >= 12 && k.substr(k.size() - 12) == "position_ids") {
        out.unused.push_back(key);
        continue;
      }
      out.mapped.push_back({key, component, key, false});
      continue;
    }
    if (component == Component::Vae) {
      // diffusers < 0.14 named the VAE mid-block attention query/key/value/proj_attn.
      static constexpr std::pair<Str, Str> kOld[] = {
          {"query.", "to_q."}, {"key.", "to_k."}, {"value.", "to_v."}, {"proj_attn.", "to_out.0."},
          {"to_q.", "to_q."},  {"to_k.", "to_k."}, {"to_v.", "to_v."},  {"to_out.0.", "to_out.0."},
      };
      bool done = false;
      for (Str side : {Str("encoder."), Str("decoder.")}) {
        Str r = key;
        if (!eat(r, side) || !eat(r, "mid_block.attentions.0.")) continue;
        for (const auto& [from, to] : kOld) {
          Str p = r;
          if (eat(p, from) && is_param(p)) {
            out.mapped.push_back({key, component, cat({side, "mid_block.attentions.0.", to, p}), p == "weight"});
            done = true;
            break;
          }
        }
      }
      if (done) continue;
    }
    out.mapped.push_back({key, component, key, false});
  }
  reject_duplicate_targets(out);
  return out;
}

}  // namespace mc::io
