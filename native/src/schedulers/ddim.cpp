// DDIM with eta = 0, as StableDiffusionPipeline drives it.
// diffusers: DDIMScheduler (timestep_spacing="leading", steps_offset=1, set_alpha_to_one=False, clip_sample=False)
#include "core/error.h"
#include "schedulers/schedule_math.h"

namespace mc::sched::detail {
namespace {

class DdimScheduler final : public Scheduler {
 public:
  explicit DdimScheduler(const NoiseSchedule& schedule)
      : train_steps_(schedule.num_train_timesteps),
        alphas_cumprod_(schedule.alphas_cumprod),
        final_alpha_cumprod_(schedule.alphas_cumprod[0]) {}  // set_alpha_to_one=False

  void set_timesteps(int steps) override {
    check_steps(steps, train_steps_);
    // "leading" spacing plus steps_offset: at 1000 steps the first timestep would be 1000, past the table.
    const int step_ratio = train_steps_ / steps;
    const int first = (steps - 1) * step_ratio + kStepsOffset;
    require(first < train_steps_, codes::kBadArgument,
            "ddim: expected 1 to " + std::to_string(train_steps_ - 1) + " steps, received " + std::to_string(steps),
            "DDIM's leading spacing with steps_offset 1 runs past the last train timestep; use fewer steps.");
    steps_ = steps;
    timesteps_.clear();
    for (int i = steps - 1; i >= 0; --i) timesteps_.push_back(static_cast<double>(i * step_ratio + kStepsOffset));
  }

  const std::vector<double>& timesteps() const override { return timesteps_; }
  std::vector<double> sigmas() const override { return {}; }
  double init_noise_sigma() const override { return 1.0; }
  void set_begin_index(int step_index) override {
    check_planned(steps_ > 0, "ddim");
    check_index(step_index, steps_, "ddim set_begin_index");
  }

  torch::Tensor scale_model_input(const torch::Tensor& sample, int step_index) override {
    check_planned(steps_ > 0, "ddim");
    check_index(step_index, steps_, "ddim scale_model_input");
    return sample;
  }

  // diffusers: DDIMScheduler.step (prediction_type="epsilon", eta=0, no clipping)
  torch::Tensor step(const torch::Tensor& model_output, int step_index, const torch::Tensor& sample,
                     std::optional<at::Generator> generator) override {
    check_planned(steps_ > 0, "ddim");
    check_index(step_index, steps_, "ddim step");
    const int64_t timestep = static_cast<int64_t>(timesteps_[step_index]);
    const int64_t prev_timestep = timestep - train_steps_ / steps_;
    // 0-d float32 CPU tensors, so the scalar arithmetic rounds exactly as diffusers' does.
    torch::Tensor alpha_prod_t = alphas_cumprod_[timestep];
    torch::Tensor alpha_prod_t_prev = prev_timestep >= 0 ? alphas_cumprod_[prev_timestep] : final_alpha_cumprod_;
    torch::Tensor beta_prod_t = torch::rsub(alpha_prod_t, 1);

    torch::Tensor pred_original_sample = (sample - beta_prod_t.pow(0.5) * model_output) / alpha_prod_t.pow(0.5);
    const torch::Tensor& pred_epsilon = model_output;

    torch::Tensor beta_prod_t_prev = torch::rsub(alpha_prod_t_prev, 1);
    torch::Tensor variance = (beta_prod_t_prev / beta_prod_t) * torch::rsub(alpha_prod_t / alpha_prod_t_prev, 1);
    torch::Tensor std_dev_t = variance.pow(0.5) * kEta;

    torch::Tensor pred_sample_direction =
        (torch::rsub(alpha_prod_t_prev, 1) - std_dev_t.pow(2)).pow(0.5) * pred_epsilon;
    return alpha_prod_t_prev.pow(0.5) * pred_original_sample + pred_sample_direction;
  }

  // diffusers: DDIMScheduler.add_noise at timesteps[step_index]
  torch::Tensor add_noise(const torch::Tensor& original, const torch::Tensor& noise, int step_index) override {
    check_planned(steps_ > 0, "ddim");
    check_index(step_index, steps_, "ddim add_noise");
    torch::Tensor alphas_cumprod = alphas_cumprod_.to(original.device(), original.scalar_type());
    torch::Tensor alpha_prod = alphas_cumprod[static_cast<int64_t>(timesteps_[step_index])];
    torch::Tensor sqrt_alpha_prod = alpha_prod.pow(0.5);
    torch::Tensor sqrt_one_minus_alpha_prod = torch::rsub(alpha_prod, 1).pow(0.5);
    return sqrt_alpha_prod * original + sqrt_one_minus_alpha_prod * noise;
  }

 private:
  static constexpr int kStepsOffset = 1;
  static constexpr double kEta = 0.0;
  int train_steps_;
  int steps_ = 0;
  torch::Tensor alphas_cumprod_;       // [T] float32
  torch::Tensor final_alpha_cumprod_;  // 0-d float32
  std::vector<double> timesteps_;
};

}  // namespace

std::unique_ptr<Scheduler> make_ddim(const NoiseSchedule& schedule) {
  return std::make_unique<DdimScheduler>(schedule);
}

}  // namespace mc::sched::detail
