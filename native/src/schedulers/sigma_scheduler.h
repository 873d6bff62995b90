// What Euler and Euler-ancestral share: the linspace sigma plan, input scaling and noising of diffusers'
// Euler*DiscreteScheduler classes. Each sampler adds only its step.
#pragma once
#include <string>

#include "schedulers/schedule_math.h"

namespace mc::sched::detail {

class SigmaScheduler : public Scheduler {
 public:
  SigmaScheduler(const NoiseSchedule& schedule, std::string name) : schedule_(schedule), name_(std::move(name)) {}

  void set_timesteps(int steps) override {
    check_steps(steps, schedule_.num_train_timesteps);
    linspace_sigma_plan(schedule_, steps, timesteps_, sigmas_);
  }

  const std::vector<double>& timesteps() const override { return timesteps_; }
  std::vector<double> sigmas() const override { return to_doubles(sigmas_); }
  // linspace spacing: the largest sigma itself, not sqrt(sigma_max^2 + 1).
  double init_noise_sigma() const override { return sigmas_.max().item<double>(); }
  void set_begin_index(int step_index) override { check(step_index, "set_begin_index"); }

  // diffusers: Euler(Ancestral)DiscreteScheduler.scale_model_input
  torch::Tensor scale_model_input(const torch::Tensor& sample, int step_index) override {
    check(step_index, "scale_model_input");
    torch::Tensor sigma = sigmas_[step_index];  // 0-d float32
    return sample / (sigma.pow(2) + 1).pow(0.5);
  }

  // diffusers: Euler(Ancestral)DiscreteScheduler.add_noise with begin_index set
  torch::Tensor add_noise(const torch::Tensor& original, const torch::Tensor& noise, int step_index) override {
    check(step_index, "add_noise");
    torch::Tensor sigma = sigmas_.to(original.device(), original.scalar_type())[step_index];
    return original + noise * sigma;
  }

 protected:
  void check(int step_index, const char* what) const {
    check_planned(!timesteps_.empty(), name_.c_str());
    check_index(step_index, static_cast<int>(timesteps_.size()), (name_ + " " + what).c_str());
  }

  NoiseSchedule schedule_;
  std::string name_;
  std::vector<double> timesteps_;
  torch::Tensor sigmas_;  // [steps + 1] float32, CPU
};

}  // namespace mc::sched::detail
