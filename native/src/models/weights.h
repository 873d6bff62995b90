// Copies checkpoint tensors into a module whose parameter names equal the checkpoint keys.
#pragma once
#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

namespace mc::models {

struct LoadReport {
  std::vector<std::string> missing;     // parameters the checkpoint lacks
  std::vector<std::string> unused;      // checkpoint tensors no parameter takes
  std::vector<std::string> mismatched;  // "key: expected [..], received [..]"
};

// Fills every parameter and buffer of `module` from `tensors` (casting to the parameter's dtype and device).
// Throws mc::EngineError(E_BAD_CHECKPOINT) naming the component when anything is missing or mis-shaped;
// unused tensors are reported, not fatal.
LoadReport load_weights(torch::nn::Module& module, const std::map<std::string, torch::Tensor>& tensors,
                        const std::string& component);

}  // namespace mc::models
