#include "core/device.h"

#include "core/error.h"

namespace mc {

torch::Device parse_device(const std::string& text) {
  if (text == "cpu") return torch::Device(torch::kCPU);
  int index = 0;
  if (text == "cuda") {
    index = 0;
  } else if (text.rfind("cuda:", 0) == 0 && text.size() > 5 && text.size() < 9 &&
             text.find_first_not_of("0123456789", 5) == std::string::npos) {
    index = std::stoi(text.substr(5));
  } else {
    fail(codes::kBadArgument, "expected device \"cpu\", \"cuda\" or \"cuda:N\", received \"" + text + "\"");
  }
  require(torch::cuda::is_available(), codes::kDevice, "device " + text + " requested but no CUDA GPU is available",
          "Install the CUDA build of the engine and an NVIDIA driver, or choose the CPU.");
  const int count = static_cast<int>(torch::cuda::device_count());
  require(index < count, codes::kDevice,
          "expected a CUDA device index below " + std::to_string(count) + ", received " + std::to_string(index),
          "Pick one of the GPUs this machine has.");
  return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
}

torch::ScalarType parse_dtype(const std::string& text, const torch::Device& device) {
  if (text == "fp32") return torch::kFloat;
  if (text == "bf16") return torch::kBFloat16;
  if (text == "fp16") {
    require(device.is_cuda(), codes::kBadArgument, "dtype fp16 needs a CUDA device, received device cpu",
            "Use fp32 (exact) or bf16 (smaller, slower) on the CPU.");
    return torch::kHalf;
  }
  fail(codes::kBadArgument, "expected dtype \"fp32\", \"fp16\" or \"bf16\", received \"" + text + "\"");
}

std::string dtype_name(torch::ScalarType dtype) {
  switch (dtype) {
    case torch::kFloat: return "fp32";
    case torch::kHalf: return "fp16";
    case torch::kBFloat16: return "bf16";
    default: return c10::toString(dtype);
  }
}

}  // namespace mc
