// Dynamic loss scaling for fp16 training, as torch.cuda.amp.GradScaler: the loss is multiplied by `scale` before
// backward; before clipping, the gradients are divided by it and checked. A step with an inf/NaN gradient is
// skipped and the scale halved; after `growth_interval` good steps in a row the scale doubles. bf16 and fp32 runs
// keep it disabled (scale 1, nothing skipped). Its state is part of a training checkpoint so a resume is exact.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <utility>
#include <vector>

namespace mc::training {

struct LossScalerOptions {
  double init_scale = 65536.0;  // 2^16
  double growth_factor = 2.0;
  double backoff_factor = 0.5;
  int64_t growth_interval = 2000;
};

class LossScaler {
 public:
  explicit LossScaler(bool enabled = false, LossScalerOptions options = {});

  bool enabled() const { return enabled_; }
  double scale() const { return enabled_ ? scale_ : 1.0; }
  int64_t growth_tracker() const { return growth_tracker_; }

  // loss x scale (the loss itself when disabled).
  torch::Tensor scale_loss(const torch::Tensor& loss) const;
  // Divides every defined gradient by the scale in place; returns true when all of them are finite. Disabled: only
  // checks nothing and returns true.
  bool unscale(const std::vector<torch::Tensor>& params) const;
  // After a step: found_inf halves the scale and resets the count of good steps; otherwise counts one good step
  // and grows the scale every growth_interval of them.
  void update(bool found_inf);

  std::vector<std::pair<std::string, torch::Tensor>> state() const;
  void load_state(double scale, int64_t growth_tracker);

 private:
  bool enabled_;
  LossScalerOptions options_;
  double scale_;
  int64_t growth_tracker_ = 0;
};

}  // namespace mc::training
