// Gradient (activation) checkpointing: a block runs without keeping its activations and runs again during the
// backward pass, trading one more forward for the memory of its intermediates (torch.utils.checkpoint, reentrant).
//
// The attention-refocusing loss (METHOD.md §4.4) is a loss on cross-attention probabilities captured inside the
// blocks. A plain checkpoint would hand the loss detached maps and silently drop its gradient (the official
// configuration loses it another way). Here the maps a block records are extra outputs of the checkpoint, so
// their gradients flow back through the recomputation like the block's own output.
#pragma once
#include <torch/torch.h>

#include <vector>

namespace mc::models {

class AttentionImpl;

class CheckpointedBlock {
 public:
  virtual ~CheckpointedBlock() = default;
  // The block's forward, unchanged. `b` may be undefined (a block with one input).
  virtual torch::Tensor run_block(const torch::Tensor& a, const torch::Tensor& b) = 0;
  // Attention modules inside the block whose captures must survive the recomputation.
  virtual std::vector<AttentionImpl*> attention_modules() { return {}; }

  void set_gradient_checkpointing(bool enabled) { checkpointing_ = enabled; }

 protected:
  // run_block directly, or through a checkpoint when enabled and a gradient is being recorded.
  torch::Tensor run_maybe_checkpointed(const torch::Tensor& a, const torch::Tensor& b);

 private:
  bool checkpointing_ = false;
};

}  // namespace mc::models
