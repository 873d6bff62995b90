#include "lora/lora_linear.h"

namespace mc::lora {

LoraLinearImpl::LoraLinearImpl(int64_t in_features, int64_t out_features, bool with_bias) {
  // Same initialisation as torch::nn::Linear, so a model built without a checkpoint behaves alike.
  weight = register_parameter("weight", torch::empty({out_features, in_features}));
  torch::nn::init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (with_bias) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(in_features));
    bias = register_parameter("bias", torch::empty({out_features}).uniform_(-bound, bound));
  }
}

torch::Tensor LoraLinearImpl::forward(const torch::Tensor& x) {
  auto y = torch::nn::functional::linear(x, weight, bias);
  if (adapter_ && adapter_->scale != 0.0) {
    const auto& a = *adapter_;
    if (a.down.scalar_type() == x.scalar_type()) {
      auto low = torch::nn::functional::linear(x, a.down);  // [..., rank]
      y = y + torch::nn::functional::linear(low, a.up) * a.scale;
    } else {
      // Mixed precision: fp32 master adapters on a bf16/fp16 model. The low-rank path runs in the adapters' dtype
      // (fp32) and its result is added in the activation dtype; gradients reach the fp32 weights directly.
      auto low = torch::nn::functional::linear(x.to(a.down.scalar_type()), a.down);  // [..., rank]
      y = y + (torch::nn::functional::linear(low, a.up.to(a.down.scalar_type())) * a.scale).to(x.scalar_type());
    }
  }
  return y;
}

}  // namespace mc::lora
