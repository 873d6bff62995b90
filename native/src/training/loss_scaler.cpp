#include "training/loss_scaler.h"

#include <string>

namespace mc::training {

LossScaler::LossScaler(bool enabled, LossScalerOptions options)
    : enabled_(enabled), options_(options), scale_(options.init_scale) {}

torch::Tensor LossScaler::scale_loss(const torch::Tensor& loss) const {
  return enabled_ ? loss * scale_ : loss;
}

bool LossScaler::unscale(const std::vector<torch::Tensor>& params) const {
  if (!enabled_) return true;
  torch::NoGradGuard no_grad;
  bool finite = true;
  const double inverse = 1.0 / scale_;
  for (const auto& p : params) {
    if (!p.grad().defined()) continue;
    auto grad = p.mutable_grad();
    grad.mul_(inverse);
    if (finite && !torch::isfinite(grad).all().item<bool>()) finite = false;
  }
  return finite;
}

void LossScaler::update(bool found_inf) {
  if (!enabled_) return;
  if (found_inf) {
    scale_ *= options_.backoff_factor;
    growth_tracker_ = 0;
    return;
  }
  if (++growth_tracker_ >= options_.growth_interval) {
    scale_ *= options_.growth_factor;
    growth_tracker_ = 0;
  }
}

std::vector<std::pair<std::string, torch::Tensor>> LossScaler::state() const {
  // The scale is always a power of two, so float32 holds it exactly.
  return {{"scaler.scale", torch::tensor({static_cast<float>(scale_)}, torch::kFloat)},
          {"scaler.growth_tracker", torch::tensor({growth_tracker_}, torch::kLong)}};
}

void LossScaler::load_state(double scale, int64_t growth_tracker) {
  scale_ = scale;
  growth_tracker_ = growth_tracker;
}

}  // namespace mc::training
