// numpy float64 arithmetic that diffusers uses to build plans, reproduced operation for operation.
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "schedulers/schedule_math.h"

namespace mc::sched::detail {

void check_steps(int steps, int num_train_timesteps) {
  require(steps >= 1 && steps <= num_train_timesteps, codes::kBadArgument,
          "expected 1 to " + std::to_string(num_train_timesteps) + " steps, received " + std::to_string(steps),
          "Choose a step count between 1 and " + std::to_string(num_train_timesteps) + ".");
}

void check_index(int index, int count, const char* what) {
  require(index >= 0 && index < count, codes::kBadArgument,
          std::string(what) + ": expected a step index from 0 to " + std::to_string(count - 1) + ", received " +
              std::to_string(index),
          "Step indices count from 0 over the planned timesteps.");
}

void check_planned(bool planned, const char* sampler) {
  require(planned, codes::kInternal, std::string(sampler) + ": set_timesteps must be called before sampling",
          "This is an engine bug; please report it.");
}

// numpy: linspace (endpoint=True)
std::vector<double> np_linspace(double start, double stop, int num) {
  std::vector<double> y(static_cast<size_t>(std::max(num, 0)));
  const int div = num - 1;
  const double delta = stop - start;
  const double step = div > 0 ? delta / div : std::numeric_limits<double>::quiet_NaN();
  for (int i = 0; i < num; ++i) {
    double v = static_cast<double>(i);
    if (div > 0 && step == 0.0) {
      v = v / div * delta;
    } else if (div > 0) {
      v = v * step;
    } else {
      v = v * delta;
    }
    y[i] = v + start;
  }
  if (num > 1) y[num - 1] = stop;
  return y;
}

// numpy: interp with xp = arange(len(fp)) (compiled_base.c arr_interp)
double np_interp(double x, const std::vector<double>& fp) {
  const int n = static_cast<int>(fp.size());
  if (std::isnan(x)) return x;
  if (x >= n - 1) return fp[n - 1];
  if (x < 0) return fp[0];
  const int j = static_cast<int>(std::floor(x));
  if (static_cast<double>(j) == x) return fp[j];
  const double slope = (fp[j + 1] - fp[j]) / 1.0;
  double result = slope * (x - j) + fp[j];
  if (std::isnan(result)) {
    result = slope * (x - (j + 1)) + fp[j + 1];
    if (std::isnan(result) && fp[j] == fp[j + 1]) result = fp[j];
  }
  return result;
}

double np_round(double x) { return std::nearbyint(x); }

// diffusers: DPMSolverMultistepScheduler._sigma_to_t. log_sigmas is numpy float32; `low - high` stays float32.
double sigma_to_t(double sigma, const std::vector<float>& log_sigmas) {
  const double log_sigma = std::log(std::max(sigma, 1e-10));
  const int n = static_cast<int>(log_sigmas.size());
  // argmax of cumsum(dists >= 0): the first index where the running count peaks, i.e. the last hit (0 if none).
  int count = 0, best = 0, low_idx = 0;
  for (int i = 0; i < n; ++i) {
    if (log_sigma - static_cast<double>(log_sigmas[i]) >= 0) ++count;
    if (count > best) {
      best = count;
      low_idx = i;
    }
  }
  low_idx = std::min(low_idx, n - 2);
  const int high_idx = low_idx + 1;
  const float low = log_sigmas[low_idx];
  const float high = log_sigmas[high_idx];
  const float span = low - high;
  double w = (static_cast<double>(low) - log_sigma) / static_cast<double>(span);
  w = std::clamp(w, 0.0, 1.0);
  return (1.0 - w) * low_idx + w * high_idx;
}

// diffusers: EulerDiscreteScheduler.set_timesteps / EulerAncestralDiscreteScheduler.set_timesteps
void linspace_sigma_plan(const NoiseSchedule& schedule, int steps, std::vector<double>& timesteps,
                         torch::Tensor& sigmas) {
  const int T = schedule.num_train_timesteps;
  // np.linspace(0, T - 1, steps, dtype=np.float32)[::-1]: computed in float64, stored as float32.
  std::vector<double> grid = np_linspace(0.0, T - 1, steps);
  timesteps.assign(grid.rbegin(), grid.rend());
  for (double& t : timesteps) t = static_cast<double>(static_cast<float>(t));
  // np.interp promotes the float32 train sigmas and timesteps to float64.
  const std::vector<double> train = to_doubles(train_sigmas(schedule));
  std::vector<double> planned;
  planned.reserve(timesteps.size() + 1);
  for (double t : timesteps) planned.push_back(np_interp(t, train));
  planned.push_back(0.0);
  sigmas = to_float32_tensor(planned);
}

std::vector<double> to_doubles(const torch::Tensor& tensor) {
  torch::Tensor t = tensor.detach().to(torch::kCPU, torch::kFloat64).contiguous();
  const double* data = t.data_ptr<double>();
  return std::vector<double>(data, data + t.numel());
}

torch::Tensor to_float32_tensor(const std::vector<double>& values) {
  torch::Tensor t = torch::empty({static_cast<int64_t>(values.size())}, torch::kFloat64);
  std::copy(values.begin(), values.end(), t.data_ptr<double>());
  return t.to(torch::kFloat32);
}

}  // namespace mc::sched::detail
