#include "lora/targets.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/error.h"
#include "models/clip/clip_text_model.h"
#include "models/common/attention.h"
#include "models/unet/transformer_2d.h"

namespace mc::lora {

namespace {

// Position of a child among its siblings in the official stack (see targets.h). Names absent here never differ
// between two targets at the same depth.
const std::map<std::string, int>& sibling_rank() {
  static const std::map<std::string, int> ranks = {
      {"down_blocks", 0}, {"up_blocks", 1}, {"mid_block", 2},              // UNet2DConditionModel (0.14)
      {"attn1", 0},       {"ff", 1},        {"attn2", 2},                  // BasicTransformerBlock (0.14)
      {"to_q", 0},        {"to_k", 1},      {"to_v", 2},     {"to_out", 3},  // CrossAttention
      {"k_proj", 0},      {"v_proj", 1},    {"q_proj", 2},   {"out_proj", 3},  // CLIPAttention
  };
  return ranks;
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t dot = path.find('.', start);
    parts.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

bool is_index(const std::string& s) {
  return !s.empty() && s.size() < 10 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// True when `a` precedes `b` in the official traversal.
bool official_before(const std::string& a, const std::string& b) {
  const auto pa = split_path(a), pb = split_path(b);
  for (size_t i = 0; i < std::min(pa.size(), pb.size()); ++i) {
    if (pa[i] == pb[i]) continue;
    if (is_index(pa[i]) && is_index(pb[i])) return std::stoll(pa[i]) < std::stoll(pb[i]);
    const auto& ranks = sibling_rank();
    const auto ra = ranks.find(pa[i]), rb = ranks.find(pb[i]);
    if (ra == ranks.end() || rb == ranks.end()) {
      fail(codes::kInternal, "LoRA targets " + a + " and " + b + " differ at \"" + pa[i] + "\" / \"" + pb[i] +
                                 "\", which the official module order does not rank",
           "The model structure is not the SD1.x structure the LoRA formats were written for.");
    }
    return ra->second < rb->second;
  }
  return pa.size() < pb.size();
}

template <typename... Ancestors>
std::vector<Target> collect(torch::nn::Module& model) {
  std::vector<Target> found;
  std::set<const LoraLinearImpl*> seen;
  for (const auto& item : model.named_modules()) {
    const auto& module = item.value();
    const bool is_ancestor = (... || (dynamic_cast<const Ancestors*>(module.get()) != nullptr));
    if (!is_ancestor) continue;
    for (const auto& child : module->named_modules(item.key(), false)) {
      auto linear = std::dynamic_pointer_cast<LoraLinearImpl>(child.value());
      if (!linear || !seen.insert(linear.get()).second) continue;
      found.push_back({child.key(), LoraLinear(linear)});
    }
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const Target& x, const Target& y) { return official_before(x.path, y.path); });
  return found;
}

}  // namespace

const char* group_name(Group group) { return group == Group::Unet ? "unet" : "text_encoder"; }

std::vector<Target> unet_targets(torch::nn::Module& unet) {
  return collect<models::AttentionImpl, models::GEGLUImpl>(unet);
}

std::vector<Target> text_targets(torch::nn::Module& text_encoder) {
  return collect<models::ClipAttentionImpl>(text_encoder);
}

std::vector<Target> targets(torch::nn::Module& model, Group group) {
  return group == Group::Unet ? unet_targets(model) : text_targets(model);
}

int64_t adapter_parameter_count(const std::vector<Target>& targets, int64_t rank) {
  int64_t total = 0;
  for (const auto& t : targets) total += rank * (t.module->in_features() + t.module->out_features());
  return total;
}

}  // namespace mc::lora
