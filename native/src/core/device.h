// Device and dtype chosen per engine: "cpu", "cuda", "cuda:N"; "fp32", "fp16", "bf16".
#pragma once
#include <torch/torch.h>

#include <string>

namespace mc {

torch::Device parse_device(const std::string& text);
torch::ScalarType parse_dtype(const std::string& text, const torch::Device& device);
std::string dtype_name(torch::ScalarType dtype);

}  // namespace mc
