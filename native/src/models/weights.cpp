#include "models/weights.h"

#include <sstream>

#include "core/error.h"

namespace mc::models {

namespace {
std::string shape_text(at::IntArrayRef shape) {
  std::ostringstream out;
  out << shape;
  return out.str();
}

std::string first_few(const std::vector<std::string>& names) {
  std::string text;
  for (size_t i = 0; i < names.size() && i < 5; ++i) text += (i ? ", " : "") + names[i];
  if (names.size() > 5) text += " and " + std::to_string(names.size() - 5) + " more";
  return text;
}
}  // namespace

LoadReport load_weights(torch::nn::Module& module, const std::map<std::string, torch::Tensor>& tensors,
                        const std::string& component) {
  LoadReport report;
  torch::NoGradGuard no_grad;
  std::map<std::string, bool> taken;
  for (auto& item : module.named_parameters(/*recurse=*/true)) {
    auto& param = item.value();
    auto it = tensors.find(item.key());
    if (it == tensors.end()) {
      report.missing.push_back(item.key());
      continue;
    }
    taken[item.key()] = true;
    if (it->second.sizes() != param.sizes()) {
      report.mismatched.push_back(item.key() + ": expected " + shape_text(param.sizes()) + ", received " +
                                  shape_text(it->second.sizes()));
      continue;
    }
    param.copy_(it->second.to(param.device(), param.scalar_type()));
  }
  for (const auto& [key, tensor] : tensors) {
    if (!taken.count(key)) report.unused.push_back(key);
  }
  const std::string hint =
      "The checkpoint does not match the Stable Diffusion 1.x architecture, or the file is incomplete. "
      "Use an SD1.5 checkpoint (single .safetensors file or a diffusers folder).";
  require(report.mismatched.empty(), codes::kBadCheckpoint,
          component + ": " + std::to_string(report.mismatched.size()) +
              " tensors have the wrong shape: " + first_few(report.mismatched),
          hint);
  require(report.missing.empty(), codes::kBadCheckpoint,
          component + ": " + std::to_string(report.missing.size()) +
              " tensors are missing from the checkpoint: " + first_few(report.missing),
          hint);
  return report;
}

}  // namespace mc::models
