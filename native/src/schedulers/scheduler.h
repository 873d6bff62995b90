// One interface for every sampler. A scheduler owns the plan of a sampling run (timesteps, sigmas) and its
// multistep history; the pipeline calls scale_model_input -> UNet -> step once per step index.
// Semantics follow diffusers 0.35 exactly (see test/golden/README.md), so CPU results can be compared with it.
#pragma once
#include <torch/torch.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mc::sched {

// The SD1.5 training noise schedule: scaled-linear betas 0.00085 -> 0.012 over 1000 steps, epsilon prediction.
struct NoiseSchedule {
  int num_train_timesteps = 1000;
  double beta_start = 0.00085;
  double beta_end = 0.012;
  // float32, exactly as diffusers builds them (torch float32 linspace, square, cumprod); CPU.
  torch::Tensor betas;           // [T] float32
  torch::Tensor alphas_cumprod;  // [T] float32

  static NoiseSchedule sd15();
};

class Scheduler {
 public:
  virtual ~Scheduler() = default;

  // Plans `steps` inference steps. Resets multistep history.
  virtual void set_timesteps(int steps) = 0;
  // Timesteps fed to the UNet, one per step index (float: Euler's are fractional).
  virtual const std::vector<double>& timesteps() const = 0;
  // Sigmas of a Karras-style sampler, one more than timesteps (last is 0); empty for DDIM.
  virtual std::vector<double> sigmas() const = 0;
  virtual double init_noise_sigma() const = 0;
  // Solver order: how many entries of timesteps() belong to one "step" (1 for every sampler here).
  virtual int order() const { return 1; }

  // Marks where an img2img run starts, so add_noise and lower-order bookkeeping use that index.
  virtual void set_begin_index(int step_index) = 0;

  virtual torch::Tensor scale_model_input(const torch::Tensor& sample, int step_index) = 0;
  // One denoising update. `generator` feeds ancestral noise (Euler-a); deterministic samplers ignore it.
  virtual torch::Tensor step(const torch::Tensor& model_output, int step_index, const torch::Tensor& sample,
                             std::optional<at::Generator> generator) = 0;
  // Forward-diffuses clean latents to the noise level of `step_index` (img2img).
  virtual torch::Tensor add_noise(const torch::Tensor& original, const torch::Tensor& noise, int step_index) = 0;
};

// Names accepted: "ddim", "euler", "euler_a", "dpmpp_2m_karras". Throws mc::EngineError for others.
std::unique_ptr<Scheduler> make_scheduler(const std::string& name, const NoiseSchedule& schedule);
std::vector<std::string> scheduler_names();

// First step index of an img2img run, as StableDiffusionImg2ImgPipeline.get_timesteps computes it:
// init = min(int(steps * strength), steps); start = max(steps - init, 0). Equals `steps` (nothing to denoise)
// when strength is too low. Throws mc::EngineError for steps outside 1..1000 or strength outside [0, 1].
int img2img_start_index(int steps, double strength);

}  // namespace mc::sched
