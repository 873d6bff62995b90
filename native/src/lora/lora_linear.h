// A Linear layer that can carry a low-rank adapter: y = W x + b + scale * up(down(x)).
// Its own parameters keep the checkpoint names (weight, bias); the adapter is held beside them, not registered,
// so loading a base checkpoint never sees LoRA keys and an adapter can be attached, scaled or removed at will.
// MagiCapture (METHOD.md §3): rank 4, down ~ N(0, (1/r)^2), up = 0, no alpha/r factor, dropout 0.
#pragma once
#include <torch/torch.h>

#include <memory>

namespace mc::lora {

struct LoraAdapter {
  torch::Tensor down;  // [rank, in]
  torch::Tensor up;    // [out, rank]
  double scale = 1.0;
};

class LoraLinearImpl : public torch::nn::Module {
 public:
  LoraLinearImpl(int64_t in_features, int64_t out_features, bool bias);
  torch::Tensor forward(const torch::Tensor& x);

  void set_adapter(std::shared_ptr<LoraAdapter> adapter) { adapter_ = std::move(adapter); }
  const std::shared_ptr<LoraAdapter>& adapter() const { return adapter_; }
  int64_t in_features() const { return weight.size(1); }
  int64_t out_features() const { return weight.size(0); }

  torch::Tensor weight;  // [out, in]
  torch::Tensor bias;    // [out] or undefined

 private:
  std::shared_ptr<LoraAdapter> adapter_;
};
TORCH_MODULE(LoraLinear);

}  // namespace mc::lora
