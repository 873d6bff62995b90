// Euler ancestral: an Euler step down to sigma_down, then fresh noise of size sigma_up drawn from the generator.
// diffusers: EulerAncestralDiscreteScheduler (timestep_spacing="linspace")
#include "core/random.h"
#include "schedulers/sigma_scheduler.h"

namespace mc::sched::detail {
namespace {

class EulerAncestralScheduler final : public SigmaScheduler {
 public:
  explicit EulerAncestralScheduler(const NoiseSchedule& schedule) : SigmaScheduler(schedule, "euler_a") {}

  // diffusers: EulerAncestralDiscreteScheduler.step (epsilon)
  torch::Tensor step(const torch::Tensor& model_output, int step_index, const torch::Tensor& sample,
                     std::optional<at::Generator> generator) override {
    check(step_index, "step");
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
    // generator advances exactly as in diffusers.
    torch::Tensor noise = mc::randn(model_output.sizes(), generator, model_output.options());
    prev_sample = prev_sample + noise * sigma_up;
    return prev_sample.to(model_output.scalar_type());
  }
};

}  // namespace

std::unique_ptr<Scheduler> make_euler_ancestral(const NoiseSchedule& schedule) {
  return std::make_unique<EulerAncestralScheduler>(schedule);
}

}  // namespace mc::sched::detail
