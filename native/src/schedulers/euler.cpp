// Euler (k-diffusion "euler") with s_churn = 0, so the step is deterministic.
// diffusers: EulerDiscreteScheduler (timestep_spacing="linspace", interpolation_type="linear", final sigma 0)
#include "schedulers/schedule_math.h"

namespace mc::sched::detail {
namespace {

class EulerScheduler final : public Scheduler {
 public:
  explicit EulerScheduler(const NoiseSchedule& schedule) : schedule_(schedule) {}

  void set_timesteps(int steps) override {
    check_steps(steps, schedule_.num_train_timesteps);
    linspace_sigma_plan(schedule_, steps, timesteps_, sigmas_);
  }

  const std::vector<double>& timesteps() const override { return timesteps_; }
  std::vector<double> sigmas() const override { return to_doubles(sigmas_); }
  // linspace spacing: the largest sigma itself, not sqrt(sigma_max^2 + 1).
  double init_noise_sigma() const override { return sigmas_.max().item<double>(); }
  void set_begin_index(int step_index) override { check(step_index, "euler set_begin_index"); }

  // diffusers: EulerDiscreteScheduler.scale_model_input
  torch::Tensor scale_model_input(const torch::Tensor& sample, int step_index) override {
    check(step_index, "euler scale_model_input");
    torch::Tensor sigma = sigmas_[step_index];  // 0-d float32
    return sample / (sigma.pow(2) + 1).pow(0.5);
  }

  // diffusers: EulerDiscreteScheduler.step (epsilon, gamma = 0 so sigma_hat = sigma)
  torch::Tensor step(const torch::Tensor& model_output, int step_index, const torch::Tensor& sample,
                     std::optional<at::Generator> generator) override {
    check(step_index, "euler step");
    torch::Tensor x = sample.to(torch::kFloat32);  // diffusers upcasts the sample for the update
    torch::Tensor sigma_hat = sigmas_[step_index] * 1.0;
    torch::Tensor pred_original_sample = x - sigma_hat * model_output;
    torch::Tensor derivative = (x - pred_original_sample) / sigma_hat;
    torch::Tensor dt = sigmas_[step_index + 1] - sigma_hat;
    torch::Tensor prev_sample = x + derivative * dt;
    return prev_sample.to(model_output.scalar_type());
  }

  // diffusers: EulerDiscreteScheduler.add_noise with begin_index set
  torch::Tensor add_noise(const torch::Tensor& original, const torch::Tensor& noise, int step_index) override {
    check(step_index, "euler add_noise");
    torch::Tensor sigma = sigmas_.to(original.device(), original.scalar_type())[step_index];
    return original + noise * sigma;
  }

 private:
  void check(int step_index, const char* what) const {
    check_planned(!timesteps_.empty(), "euler");
    check_index(step_index, static_cast<int>(timesteps_.size()), what);
  }

  NoiseSchedule schedule_;
  std::vector<double> timesteps_;
  torch::Tensor sigmas_;  // [steps + 1] float32, CPU
};

}  // namespace

std::unique_ptr<Scheduler> make_euler(const NoiseSchedule& schedule) {
  return std::make_unique<EulerScheduler>(schedule);
}

}  // namespace mc::sched::detail
