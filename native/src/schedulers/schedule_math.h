// Helpers shared by the samplers: the numpy float64 arithmetic diffusers uses to build a plan, and the checks
// every sampler makes. Internal to native/src/schedulers.
#pragma once
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "schedulers/scheduler.h"

namespace mc::sched::detail {

// Throws E_BAD_ARGUMENT unless 1 <= steps <= num_train_timesteps.
void check_steps(int steps, int num_train_timesteps);
// Throws E_BAD_ARGUMENT unless 0 <= index < count; `what` names the call for the message.
void check_index(int index, int count, const char* what);
// Throws E_INTERNAL when a sampler is used before set_timesteps.
void check_planned(bool planned, const char* sampler);

// numpy.linspace(start, stop, num) in float64 (endpoint included, last element set to `stop`).
std::vector<double> np_linspace(double start, double stop, int num);
// numpy.interp(x, arange(len(fp)), fp) in float64.
double np_interp(double x, const std::vector<double>& fp);
// numpy.round: half to even.
double np_round(double x);

// ((1 - alphas_cumprod) / alphas_cumprod) ** 0.5 as diffusers computes it: float32 torch ops. [T] float32
torch::Tensor train_sigmas(const NoiseSchedule& schedule);
// diffusers _sigma_to_t: fractional train timestep of `sigma` by interpolating log-sigmas (float32 table).
double sigma_to_t(double sigma, const std::vector<float>& log_sigmas);

// Euler-family plan (timestep_spacing="linspace", interpolation_type="linear", final_sigmas_type="zero"):
// float32 timesteps from 999 down to 0 and sigmas interpolated at them, plus a final 0. sigmas: [steps + 1] float32
void linspace_sigma_plan(const NoiseSchedule& schedule, int steps, std::vector<double>& timesteps,
                         torch::Tensor& sigmas);

std::vector<double> to_doubles(const torch::Tensor& tensor);
// Values rounded to float32 (numpy .astype(np.float32)), as a CPU float32 tensor.
torch::Tensor to_float32_tensor(const std::vector<double>& values);

// Factories of the concrete samplers (one file each).
std::unique_ptr<Scheduler> make_ddim(const NoiseSchedule& schedule);
std::unique_ptr<Scheduler> make_euler(const NoiseSchedule& schedule);
std::unique_ptr<Scheduler> make_euler_ancestral(const NoiseSchedule& schedule);
std::unique_ptr<Scheduler> make_dpmpp_2m_karras(const NoiseSchedule& schedule);

}  // namespace mc::sched::detail
