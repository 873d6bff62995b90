#include "lora/adapters.h"

#include <algorithm>

#include "core/error.h"

namespace mc::lora {

std::vector<torch::Tensor> inject(const std::vector<Target>& targets, const InjectOptions& options,
                                  at::Generator generator) {
  for (const auto& t : targets) {
    const int64_t limit = std::min(t.module->in_features(), t.module->out_features());
    require(options.rank >= 1 && options.rank <= limit, codes::kBadArgument,
            "expected a LoRA rank from 1 to " + std::to_string(limit) + " for " + t.path + ", received " +
                std::to_string(options.rank));
  }
  std::vector<torch::Tensor> trainable;
  trainable.reserve(targets.size() * 2);
  torch::NoGradGuard no_grad;
  const double std_dev = 1.0 / static_cast<double>(options.rank);
  for (const auto& t : targets) {
    const auto target = torch::TensorOptions().device(t.module->weight.device()).dtype(options.dtype);
    auto down = torch::empty({options.rank, t.module->in_features()}, torch::kFloat);  // [r, in]
    down.normal_(0.0, std_dev, generator);
    auto adapter = std::make_shared<LoraAdapter>();
    adapter->down = down.to(target);
    adapter->up = torch::zeros({t.module->out_features(), options.rank}, target);  // [out, r]
    adapter->down.set_requires_grad(true);
    adapter->up.set_requires_grad(true);
    adapter->scale = options.scale;
    trainable.push_back(adapter->up);
    trainable.push_back(adapter->down);
    t.module.ptr()->set_adapter(std::move(adapter));
  }
  return trainable;
}

void set_scale(const std::vector<Target>& targets, double scale) {
  for (const auto& t : targets) {
    if (t.module->adapter()) t.module->adapter()->scale = scale;
  }
}

void remove(const std::vector<Target>& targets) {
  for (const auto& t : targets) t.module.ptr()->set_adapter(nullptr);
}

size_t attached_count(const std::vector<Target>& targets) {
  return static_cast<size_t>(
      std::count_if(targets.begin(), targets.end(), [](const Target& t) { return t.module->adapter() != nullptr; }));
}

std::vector<torch::Tensor> adapter_parameters(const std::vector<Target>& targets) {
  std::vector<torch::Tensor> out;
  for (const auto& t : targets) {
    if (!t.module->adapter()) continue;
    out.push_back(t.module->adapter()->up);
    out.push_back(t.module->adapter()->down);
  }
  return out;
}

}  // namespace mc::lora
