// The SD1.5 training noise schedule, reproducing diffusers' float32 tensors bit for bit.
#include <cmath>

#include "schedulers/schedule_math.h"
#include "schedulers/scheduler.h"

namespace mc::sched {

// diffusers: DDIMScheduler.__init__ (beta_schedule="scaled_linear"), shared by every scheduler class:
//   betas = torch.linspace(beta_start**0.5, beta_end**0.5, T, dtype=float32) ** 2
//   alphas_cumprod = torch.cumprod(1.0 - betas, dim=0)
// Written out instead of calling torch::linspace because libtorch's own CPU linspace changed between releases:
// torch >= 2.0 evaluates start + step * i per element, contracted to one fused multiply-add in its AVX2/AVX512
// kernels (what diffusers runs on any current x86 CPU); libtorch 1.13 vectorises it differently and differs by
// one ulp at about a quarter of the entries. torch.cumprod accumulates float32 in double.
NoiseSchedule NoiseSchedule::sd15() {
  NoiseSchedule schedule;
  const int T = schedule.num_train_timesteps;
  const float start = static_cast<float>(std::sqrt(schedule.beta_start));
  const float end = static_cast<float>(std::sqrt(schedule.beta_end));
  const float step = (end - start) / static_cast<float>(T - 1);
  const int halfway = T / 2;
  schedule.betas = torch::empty({T}, torch::kFloat32);           // [T]
  schedule.alphas_cumprod = torch::empty({T}, torch::kFloat32);  // [T]
  float* betas = schedule.betas.data_ptr<float>();
  float* alphas_cumprod = schedule.alphas_cumprod.data_ptr<float>();
  double cumprod = 1.0;
  for (int i = 0; i < T; ++i) {
    const float root = i < halfway ? std::fma(step, static_cast<float>(i), start)
                                   : std::fma(-step, static_cast<float>(T - i - 1), end);
    betas[i] = root * root;
    cumprod *= static_cast<double>(1.0f - betas[i]);
    alphas_cumprod[i] = static_cast<float>(cumprod);
  }
  return schedule;
}

namespace detail {

// Same torch ops as diffusers on the whole [T] tensor. torch's vectorised float32 sqrt is not correctly rounded in
// every build (pip/CUDA builds use MKL's vsSqrt), so this follows the libtorch at hand: bit-exact with diffusers on
// the same build, within one ulp elsewhere (Debian's 1.13 rounds correctly).
torch::Tensor train_sigmas(const NoiseSchedule& schedule) {
  const torch::Tensor& ac = schedule.alphas_cumprod;
  return (torch::rsub(ac, 1.0) / ac).pow(0.5);  // [T] float32
}

}  // namespace detail
}  // namespace mc::sched
