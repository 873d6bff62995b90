#include "training/adamw.h"

#include <cmath>

#include "core/error.h"

namespace mc::training {

AdamW::AdamW(std::vector<ParamGroup> groups, double beta1, double beta2, double eps)
    : groups_(std::move(groups)), beta1_(beta1), beta2_(beta2), eps_(eps) {
  for (const auto& p : all_params()) {
    exp_avg_.push_back(torch::zeros_like(p));
    exp_avg_sq_.push_back(torch::zeros_like(p));
  }
}

std::vector<torch::Tensor> AdamW::all_params() const {
  std::vector<torch::Tensor> params;
  for (const auto& g : groups_) params.insert(params.end(), g.params.begin(), g.params.end());
  return params;
}

void AdamW::zero_grad() {
  for (auto& p : all_params()) {
    if (p.grad().defined()) p.mutable_grad() = torch::Tensor();
  }
}

void AdamW::step() {
  torch::NoGradGuard no_grad;
  ++steps_;
  const double bias1 = 1 - std::pow(beta1_, static_cast<double>(steps_));
  const double bias2 = 1 - std::pow(beta2_, static_cast<double>(steps_));
  size_t index = 0;
  for (auto& group : groups_) {
    for (auto& p : group.params) {
      auto& m = exp_avg_[index];
      auto& v = exp_avg_sq_[index];
      ++index;
      if (!p.grad().defined()) continue;
      const auto& g = p.grad();
      p.mul_(1 - group.lr * group.weight_decay);
      m.mul_(beta1_).add_(g, 1 - beta1_);
      v.mul_(beta2_).addcmul_(g, g, 1 - beta2_);
      auto denom = (v.sqrt() / std::sqrt(bias2)).add_(eps_);
      p.addcdiv_(m, denom, -group.lr / bias1);
    }
  }
}

std::vector<std::pair<std::string, torch::Tensor>> AdamW::state() const {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (size_t i = 0; i < exp_avg_.size(); ++i) {
    out.emplace_back("adam." + std::to_string(i) + ".exp_avg", exp_avg_[i]);
    out.emplace_back("adam." + std::to_string(i) + ".exp_avg_sq", exp_avg_sq_[i]);
  }
  out.emplace_back("adam.steps", torch::tensor({steps_}, torch::kLong));
  return out;
}

void AdamW::load_state(const std::vector<std::pair<std::string, torch::Tensor>>& state) {
  std::map<std::string, torch::Tensor> byName(state.begin(), state.end());
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < exp_avg_.size(); ++i) {
    for (auto [suffix, target] : {std::pair{".exp_avg", &exp_avg_[i]}, {".exp_avg_sq", &exp_avg_sq_[i]}}) {
      auto it = byName.find("adam." + std::to_string(i) + suffix);
      require(it != byName.end() && it->second.sizes() == target->sizes(), codes::kBadCheckpoint,
              "training checkpoint: optimizer state " + std::to_string(i) + suffix + " is missing or mis-shaped",
              "The checkpoint belongs to a different run; start the run again.");
      target->copy_(it->second);
    }
  }
  auto steps = byName.find("adam.steps");
  require(steps != byName.end(), codes::kBadCheckpoint, "training checkpoint: optimizer step count missing");
  steps_ = steps->second.item<int64_t>();
}

}  // namespace mc::training
