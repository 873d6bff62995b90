// Euler (k-diffusion "euler") with s_churn = 0, so the step is deterministic.
// diffusers: EulerDiscreteScheduler (timestep_spacing="linspace", interpolation_type="linear", final sigma 0)
#include "schedulers/sigma_scheduler.h"

namespace mc::sched::detail {
namespace {

class EulerScheduler final : public SigmaScheduler {
 public:
  explicit EulerScheduler(const NoiseSchedule& schedule) : SigmaScheduler(schedule, "euler") {}

  // diffusers: EulerDiscreteScheduler.step (epsilon, gamma = 0 so sigma_hat = sigma)
  torch::Tensor step(const torch::Tensor& model_output, int step_index, const torch::Tensor& sample,
                     std::optional<at::Generator> generator) override {
    check(step_index, "step");
    torch::Tensor x = sample.to(torch::kFloat32);  // diffusers upcasts the sample for the update
    torch::Tensor sigma_hat = sigmas_[step_index] * 1.0;
    torch::Tensor pred_original_sample = x - sigma_hat * model_output;
    torch::Tensor derivative = (x - pred_original_sample) / sigma_hat;
    torch::Tensor dt = sigmas_[step_index + 1] - sigma_hat;
    torch::Tensor prev_sample = x + derivative * dt;
    return prev_sample.to(model_output.scalar_type());
  }
};

}  // namespace

std::unique_ptr<Scheduler> make_euler(const NoiseSchedule& schedule) {
  return std::make_unique<EulerScheduler>(schedule);
}

}  // namespace mc::sched::detail
