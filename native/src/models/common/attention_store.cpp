#include "models/common/attention_store.h"

namespace mc::models {

bool AttentionStore::wants(const std::string& layer, int64_t query_len) const {
  if (spec_.max_queries > 0 && query_len > spec_.max_queries) return false;
  if (!spec_.steps.empty() && spec_.steps.count(step_) == 0) return false;
  if (spec_.layer_prefixes.empty()) return true;
  for (const auto& prefix : spec_.layer_prefixes) {
    if (layer.compare(0, prefix.size(), prefix) == 0) return true;
  }
  return false;
}

void AttentionStore::record(const std::string& layer, const torch::Tensor& probs, int64_t height, int64_t width) {
  if (spec_.keep_grad) {
    captured_.push_back({layer, step_, probs, height, width});
    return;
  }
  torch::NoGradGuard no_grad;
  const int64_t batch = probs.size(0);
  const int64_t begin = std::clamp<int64_t>(spec_.batch_begin, 0, batch);
  const int64_t end = spec_.batch_end < 0 ? batch : std::clamp<int64_t>(spec_.batch_end, begin, batch);
  const int64_t tokens = std::min<int64_t>(spec_.token_count, probs.size(3));
  auto maps = probs.slice(0, begin, end).slice(3, 0, tokens).to(torch::kFloat).mean(1);  // [b, HW, T]
  maps = maps.transpose(1, 2).reshape({end - begin, tokens, height, width});            // [b, T, H, W]
  if (height != spec_.resolution || width != spec_.resolution) {
    maps = torch::nn::functional::interpolate(
        maps, torch::nn::functional::InterpolateFuncOptions()
                  .size(std::vector<int64_t>{spec_.resolution, spec_.resolution})
                  .mode(torch::kBilinear)
                  .align_corners(false));
  }
  captured_.push_back({layer, step_, maps.cpu().contiguous(), height, width});
}

}  // namespace mc::models
