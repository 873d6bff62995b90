// DPM-Solver++(2M) with Karras sigmas: a multistep solver on the data prediction, first order on the first step
// and on the last (final sigma is 0), second order in between.
// diffusers: DPMSolverMultistepScheduler(use_karras_sigmas=True, algorithm_type="dpmsolver++", solver_order=2,
//            solver_type="midpoint", lower_order_final=True, final_sigmas_type="zero")
#include <cmath>

#include "core/error.h"
#include "schedulers/schedule_math.h"

namespace mc::sched::detail {
namespace {

struct AlphaSigma {
  torch::Tensor alpha_t;
  torch::Tensor sigma_t;
};

// diffusers: DPMSolverMultistepScheduler._sigma_to_alpha_sigma_t
AlphaSigma to_alpha_sigma(const torch::Tensor& sigma) {
  torch::Tensor alpha_t = (sigma.pow(2) + 1).pow(0.5).reciprocal();  // Python's `1 / t` is t.reciprocal() * 1
  return {alpha_t, sigma * alpha_t};
}

torch::Tensor lambda_of(const AlphaSigma& as) { return torch::log(as.alpha_t) - torch::log(as.sigma_t); }

class DpmSolverPP2MKarras final : public Scheduler {
 public:
  explicit DpmSolverPP2MKarras(const NoiseSchedule& schedule) : schedule_(schedule) {}

  // diffusers: DPMSolverMultistepScheduler.set_timesteps (use_karras_sigmas branch)
  void set_timesteps(int steps) override {
    check_steps(steps, schedule_.num_train_timesteps);
    // numpy holds the train sigmas as float32, so np.log runs in float32. numpy's SIMD logf can differ from this
    // one by an ulp; of the step counts 1..1000 that moves one rounded timestep, at 854 steps (28 for 29).
    const std::vector<double> train = to_doubles(train_sigmas(schedule_));
    std::vector<float> log_sigmas(train.size());
    for (size_t i = 0; i < train.size(); ++i) log_sigmas[i] = std::log(static_cast<float>(train[i]));

    // diffusers: _convert_to_karras (rho = 7), in float64 from the float32 extremes.
    const double sigma_min = train.front();
    const double sigma_max = train.back();
    const double rho = 7.0;
    const double min_inv_rho = std::pow(sigma_min, 1.0 / rho);
    const double max_inv_rho = std::pow(sigma_max, 1.0 / rho);
    std::vector<double> karras;
    for (double r : np_linspace(0.0, 1.0, steps)) {
      karras.push_back(std::pow(max_inv_rho + r * (min_inv_rho - max_inv_rho), rho));
    }

    // Timesteps are the karras sigmas mapped back through log-sigma interpolation, rounded (half to even),
    // then cast to int64.
    timesteps_.clear();
    for (double s : karras) timesteps_.push_back(np_round(sigma_to_t(s, log_sigmas)));
    karras.push_back(0.0);  // final_sigmas_type="zero"
    sigmas_ = to_float32_tensor(karras);
    reset_history();
  }

  const std::vector<double>& timesteps() const override { return timesteps_; }
  std::vector<double> sigmas() const override { return to_doubles(sigmas_); }
  double init_noise_sigma() const override { return 1.0; }

  // diffusers keeps the multistep history across set_begin_index; only set_timesteps clears it.
  void set_begin_index(int step_index) override { check(step_index, "dpmpp_2m_karras set_begin_index"); }

  torch::Tensor scale_model_input(const torch::Tensor& sample, int step_index) override {
    check(step_index, "dpmpp_2m_karras scale_model_input");
    return sample;
  }

  // diffusers: DPMSolverMultistepScheduler.step
  torch::Tensor step(const torch::Tensor& model_output, int step_index, const torch::Tensor& sample,
                     std::optional<at::Generator> generator) override {
    check(step_index, "dpmpp_2m_karras step");
    require(lower_order_nums_ == 0 || step_index == last_step_index_ + 1, codes::kInternal,
            "dpmpp_2m_karras: expected step index " + std::to_string(last_step_index_ + 1) + ", received " +
                std::to_string(step_index),
            "A multistep sampler must run its steps in order; call set_timesteps to start over.");
    const int n = static_cast<int>(timesteps_.size());
    // lower_order_final with final_sigmas_type="zero": the last step is always first order.
    const bool lower_order_final = step_index == n - 1;

    // diffusers: convert_model_output (dpmsolver++, epsilon): the data prediction x0.
    AlphaSigma s = to_alpha_sigma(sigmas_[step_index]);
    torch::Tensor x0_pred = (sample - s.sigma_t * model_output) / s.alpha_t;
    previous_output_ = latest_output_;
    latest_output_ = x0_pred;

    torch::Tensor x = sample.to(torch::kFloat32);
    torch::Tensor prev_sample = (lower_order_nums_ < 1 || lower_order_final) ? first_order(step_index, x)
                                                                             : second_order(step_index, x);
    if (lower_order_nums_ < kSolverOrder) ++lower_order_nums_;
    last_step_index_ = step_index;
    return prev_sample.to(x0_pred.scalar_type());
  }

  // diffusers: DPMSolverMultistepScheduler.add_noise with begin_index set
  torch::Tensor add_noise(const torch::Tensor& original, const torch::Tensor& noise, int step_index) override {
    check(step_index, "dpmpp_2m_karras add_noise");
    torch::Tensor sigma = sigmas_.to(original.device(), original.scalar_type())[step_index];
    AlphaSigma as = to_alpha_sigma(sigma);
    return as.alpha_t * original + as.sigma_t * noise;
  }

 private:
  static constexpr int kSolverOrder = 2;

  // diffusers: dpm_solver_first_order_update (dpmsolver++)
  torch::Tensor first_order(int i, const torch::Tensor& x) const {
    AlphaSigma t = to_alpha_sigma(sigmas_[i + 1]);
    AlphaSigma s = to_alpha_sigma(sigmas_[i]);
    torch::Tensor h = lambda_of(t) - lambda_of(s);  // +inf on the final step (sigma_t = 0); exp(-h) is then 0
    return (t.sigma_t / s.sigma_t) * x - (t.alpha_t * (torch::exp(-h) - 1.0)) * latest_output_;
  }

  // diffusers: multistep_dpm_solver_second_order_update (dpmsolver++, midpoint)
  torch::Tensor second_order(int i, const torch::Tensor& x) const {
    AlphaSigma t = to_alpha_sigma(sigmas_[i + 1]);
    AlphaSigma s0 = to_alpha_sigma(sigmas_[i]);
    AlphaSigma s1 = to_alpha_sigma(sigmas_[i - 1]);
    torch::Tensor lambda_t = lambda_of(t), lambda_s0 = lambda_of(s0), lambda_s1 = lambda_of(s1);
    const torch::Tensor& m0 = latest_output_;
    const torch::Tensor& m1 = previous_output_;
    torch::Tensor h = lambda_t - lambda_s0;
    torch::Tensor h_0 = lambda_s0 - lambda_s1;
    torch::Tensor r0 = h_0 / h;
    const torch::Tensor& d0 = m0;
    torch::Tensor d1 = r0.reciprocal() * (m0 - m1);
    torch::Tensor coeff = t.alpha_t * (torch::exp(-h) - 1.0);
    return (t.sigma_t / s0.sigma_t) * x - coeff * d0 - (coeff * 0.5) * d1;
  }

  void reset_history() {
    latest_output_ = torch::Tensor();
    previous_output_ = torch::Tensor();
    lower_order_nums_ = 0;
    last_step_index_ = -1;
  }

  void check(int step_index, const char* what) const {
    check_planned(!timesteps_.empty(), "dpmpp_2m_karras");
    check_index(step_index, static_cast<int>(timesteps_.size()), what);
  }

  NoiseSchedule schedule_;
  std::vector<double> timesteps_;  // integral values (diffusers stores int64)
  torch::Tensor sigmas_;           // [steps + 1] float32, CPU
  torch::Tensor latest_output_;    // data prediction of the current step
  torch::Tensor previous_output_;  // and of the step before
  int lower_order_nums_ = 0;
  int last_step_index_ = -1;
};

}  // namespace

std::unique_ptr<Scheduler> make_dpmpp_2m_karras(const NoiseSchedule& schedule) {
  return std::make_unique<DpmSolverPP2MKarras>(schedule);
}

}  // namespace mc::sched::detail
