// arcface_torch: backbones/iresnet.py (IBasicBlock, IResNet). Module names equal its state-dict keys.
#pragma once
#include <torch/torch.h>

#include "models/arcface/arcface_config.h"

namespace mc::models {

// arcface_torch: IBasicBlock. bn1 -> conv1 3x3 -> bn2 -> prelu -> conv2 3x3 (stride) -> bn3, plus the shortcut
// (downsample = 1x1 conv (stride) + BatchNorm on the first block of a stage). Folded: no bn2/bn3/downsample.1.
class IBasicBlockImpl : public torch::nn::Module {
 public:
  IBasicBlockImpl(int64_t inplanes, int64_t planes, int64_t stride, bool with_downsample, bool folded);
  torch::Tensor forward(const torch::Tensor& x);

  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr}, bn3{nullptr};
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
  torch::nn::PReLU prelu{nullptr};
  torch::nn::Sequential downsample{nullptr};
};
TORCH_MODULE(IBasicBlock);

// arcface_torch: IResNet (dropout 0, fc_scale 7*7). [B, 3, 112, 112] in [-1, 1] -> [B, embedding], not normalised.
class IResNetImpl : public torch::nn::Module {
 public:
  explicit IResNetImpl(const ArcFaceConfig& config);
  // fp16_trunk: everything up to the flatten under CUDA fp16 autocast, fc and features in fp32 (fp16=True).
  torch::Tensor forward(const torch::Tensor& x, bool fp16_trunk = false);

  torch::nn::Conv2d conv1{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
  torch::nn::PReLU prelu{nullptr};
  torch::nn::Sequential layer1{nullptr}, layer2{nullptr}, layer3{nullptr}, layer4{nullptr};
  torch::nn::Linear fc{nullptr};
  torch::nn::BatchNorm1d features{nullptr};

 private:
  bool folded_;
};
TORCH_MODULE(IResNet);

}  // namespace mc::models
