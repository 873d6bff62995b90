// Per-job store of cross-attention probabilities. The pipeline (viewer maps) and the trainer (attention loss,
// which needs gradients) both register one on the UNet; Attention modules report into it.
#pragma once
#include <torch/torch.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace mc::models {

struct AttentionCaptureSpec {
  // Layer path prefixes to record, e.g. "up_blocks.1" or a full
  // "down_blocks.2.attentions.0.transformer_blocks.0.attn2". Empty = every cross-attention layer.
  std::vector<std::string> layer_prefixes;
  // Step indices to record. Empty = every step.
  std::set<int> steps;
  // Keep autograd history (training) instead of detached, aggregated maps (viewer).
  bool keep_grad = false;
  // Only layers whose query grid has at most this many positions (0 = no limit).
  int64_t max_queries = 0;
  // Viewer maps are resized to resolution x resolution.
  int64_t resolution = 16;
  // Viewer maps keep token positions [0, token_count) and batch rows [batch_begin, batch_end) of the UNet batch
  // (the conditional half under classifier-free guidance).
  int64_t token_count = 77;
  int64_t batch_begin = 0;
  int64_t batch_end = -1;
};

struct CapturedMap {
  std::string layer;
  int step;
  // keep_grad: raw probabilities [B, heads, HW, tokens] with history.
  // otherwise: head-averaged maps [B, token_count, resolution, resolution], float32, CPU.
  torch::Tensor maps;
  int64_t height, width;  // query grid of the layer
};

class AttentionStore {
 public:
  explicit AttentionStore(AttentionCaptureSpec spec) : spec_(std::move(spec)) {}

  void set_step(int step) { step_ = step; }
  int step() const { return step_; }
  const AttentionCaptureSpec& spec() const { return spec_; }

  bool wants(const std::string& layer, int64_t query_len) const;
  // probs: [B, heads, HW, tokens]; height*width == HW.
  void record(const std::string& layer, const torch::Tensor& probs, int64_t height, int64_t width);

  const std::vector<CapturedMap>& captured() const { return captured_; }
  // Gradient checkpointing swaps a recorded map for the same values with the checkpoint's history.
  void replace_maps(size_t index, torch::Tensor maps) { captured_.at(index).maps = std::move(maps); }
  void clear() { captured_.clear(); }

 private:
  AttentionCaptureSpec spec_;
  int step_ = 0;
  std::vector<CapturedMap> captured_;
};

}  // namespace mc::models
