// Sampler names, the factory, and the img2img start index.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/error.h"
#include "schedulers/schedule_math.h"

namespace mc::sched {

namespace {

struct Entry {
  const char* name;
  std::unique_ptr<Scheduler> (*make)(const NoiseSchedule&);
};

const Entry kSamplers[] = {
    {"ddim", detail::make_ddim},
    {"euler", detail::make_euler},
    {"euler_a", detail::make_euler_ancestral},
    {"dpmpp_2m_karras", detail::make_dpmpp_2m_karras},
};

std::string format_number(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

}  // namespace

std::vector<std::string> scheduler_names() {
  std::vector<std::string> names;
  for (const Entry& e : kSamplers) names.emplace_back(e.name);
  return names;
}

std::unique_ptr<Scheduler> make_scheduler(const std::string& name, const NoiseSchedule& schedule) {
  for (const Entry& e : kSamplers) {
    if (name == e.name) return e.make(schedule);
  }
  std::ostringstream valid;
  for (const Entry& e : kSamplers) valid << (&e == kSamplers ? "" : ", ") << e.name;
  fail(codes::kBadArgument, "expected a sampler name (" + valid.str() + "), received \"" + name + "\"",
       "Pick one of: " + valid.str() + ".");
}

// diffusers: StableDiffusionImg2ImgPipeline.get_timesteps (order 1 for every sampler here)
int img2img_start_index(int steps, double strength) {
  detail::check_steps(steps, NoiseSchedule{}.num_train_timesteps);
  require(std::isfinite(strength) && strength >= 0.0 && strength <= 1.0, codes::kBadArgument,
          "expected a strength from 0 to 1, received " + format_number(strength),
          "Strength is how much of the image is re-noised: 0 keeps it, 1 replaces it.");
  const int init_timestep = std::min(static_cast<int>(steps * strength), steps);
  return std::max(steps - init_timestep, 0);
}

}  // namespace mc::sched
