// Euler ancestral: an Euler step down to sigma_down, then fresh noise of size sigma_up drawn from the generator.
// diffusers: EulerAncestralDiscreteScheduler (timestep_spacing="linspace")
#include "schedulers/schedule_math.h"

namespace mc::sched::detail {
namespace {

class EulerAncestralScheduler final : public Scheduler {
 public:
  explicit EulerAncestralScheduler(const NoiseSchedule& schedule) : schedule_(schedule) {}

  void set_timesteps(int steps) override {
    check_steps(steps, schedule_.num_train_timesteps);
    linspace_sigma_plan(schedule_, steps, timesteps_, sigmas_);
  }

  const std::vector<double>& timesteps() const override { return timesteps_; }
  std::vector<double> sigmas() const override { return to_doubles(sigmas_); }
  double init_noise_sigma() const override { return sigmas_.max().item<double>(); }
  void set_begin_index(int step_index) override { check(step_index, "euler_a set_begin_index"); }

  // diffusers: EulerAncestralDiscreteScheduler.scale_model_input
  torch::Tensor scale_model_input(const torch::Tensor& sample, int step_index) override {
    check(step_index, "euler_a scale_model_input");
    torch::Tensor sigma = sigmas_[step_index];  // 0-d float32
    return sample / (sigma.pow(2) + 1).pow(0.5);
  }

  // diffusers: EulerAncestralDiscreteScheduler.step (epsilon)
  torch::Tensor step(const torch::Tensor& model_output, int step_index, const torch::Tensor& sample,
                     std::optional<at::Generator> generator) override {
    check(step_index, "euler_a step");
    torch::Tensor sigma = sigmas_[step_index];
    torch::Tensor x = sample.to(torch::kFloat32);
    torch::Tensor pred_original_sample = x - sigma * model_output;

    torch::Tensor sigma_from = sigmas_[step_index];
    torch::Tensor sigma_to = sigmas_[step_index + 1];
    torch::Tensor sigma_up = (sigma_to.pow(2) * (sigma_from.pow(2) - sigma_to.pow(2)) / sigma_from.pow(2)).pow(0.5);
    torch::Tensor sigma_down = (sigma_to.pow(2) - sigma_up.pow(2)).pow(0.5);

    torch::Tensor derivative = (x - pred_original_sample) / sigma;
    torch::Tensor dt = sigma_down - sigma;
    torch::Tensor prev_sample = x + derivative * dt;

    // diffusers: randn_tensor. Noise is drawn on every step, the last one included (its sigma_up is 0), so the
    // generator advances exactly as in diffusers. A CPU generator draws on the CPU, then the noise moves over.
    torch::Device rand_device = generator.has_value() ? generator->device() : model_output.device();
    c10::optional<at::Generator> gen;
    if (generator.has_value()) gen = *generator;
    auto options = torch::TensorOptions().dtype(model_output.scalar_type()).device(rand_device);
    torch::Tensor noise = torch::randn(model_output.sizes(), gen, options).to(model_output.device());
    prev_sample = prev_sample + noise * sigma_up;
    return prev_sample.to(model_output.scalar_type());
  }

  // diffusers: EulerAncestralDiscreteScheduler.add_noise with begin_index set
  torch::Tensor add_noise(const torch::Tensor& original, const torch::Tensor& noise, int step_index) override {
    check(step_index, "euler_a add_noise");
    torch::Tensor sigma = sigmas_.to(original.device(), original.scalar_type())[step_index];
    return original + noise * sigma;
  }

 private:
  void check(int step_index, const char* what) const {
    check_planned(!timesteps_.empty(), "euler_a");
    check_index(step_index, static_cast<int>(timesteps_.size()), what);
  }

  NoiseSchedule schedule_;
  std::vector<double> timesteps_;
  torch::Tensor sigmas_;  // [steps + 1] float32, CPU
};

}  // namespace

std::unique_ptr<Scheduler> make_euler_ancestral(const NoiseSchedule& schedule) {
  return std::make_unique<EulerAncestralScheduler>(schedule);
}

}  // namespace mc::sched::detail
