// arcface_torch: backbones/mobilefacenet.py (ConvBlock, LinearBlock, DepthWise, Residual, GDC, MobileFaceNet).
// Module names equal its state-dict keys; arcface_torch's hard-coded 64/128/256/512 are base_width x 1/2/4/8.
#pragma once
#include <torch/torch.h>

#include "models/arcface/arcface_config.h"

namespace mc::models {

// arcface_torch: ConvBlock (conv, BatchNorm, PReLU) and, without the PReLU, LinearBlock (conv, BatchNorm), as
// `layers.0/1/2`. Folded: the convolution has a bias and `layers.1` is absent (the PReLU keeps the name `2`).
class ArcConvUnitImpl : public torch::nn::Module {
 public:
  ArcConvUnitImpl(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding, int64_t groups,
                  bool with_prelu, bool folded);
  torch::Tensor forward(const torch::Tensor& x) { return layers->forward(x); }

  torch::nn::Sequential layers{nullptr};
};
TORCH_MODULE(ArcConvUnit);

// arcface_torch: DepthWise. 1x1 expand to `groups` channels, depthwise 3x3 (stride), 1x1 linear projection;
// residual blocks add their input.
class DepthWiseImpl : public torch::nn::Module {
 public:
  DepthWiseImpl(int64_t in, int64_t out, bool residual, int64_t stride, int64_t groups, bool folded);
  torch::Tensor forward(const torch::Tensor& x);

  torch::nn::Sequential layers{nullptr};

 private:
  bool residual_;
};
TORCH_MODULE(DepthWise);

// arcface_torch: Residual. `blocks` residual DepthWise blocks of stride 1.
class ResidualImpl : public torch::nn::Module {
 public:
  ResidualImpl(int64_t channels, int64_t blocks, int64_t groups, bool folded);
  torch::Tensor forward(const torch::Tensor& x) { return layers->forward(x); }

  torch::nn::Sequential layers{nullptr};
};
TORCH_MODULE(Residual);

// arcface_torch: GDC. Global depthwise 7x7 LinearBlock, flatten, Linear without bias, BatchNorm1d.
class GDCImpl : public torch::nn::Module {
 public:
  GDCImpl(int64_t channels, int64_t embedding_size, bool folded);
  torch::Tensor forward(const torch::Tensor& x) { return layers->forward(x); }

  torch::nn::Sequential layers{nullptr};
};
TORCH_MODULE(GDC);

// arcface_torch: MobileFaceNet. [B, 3, 112, 112] in [-1, 1] -> [B, embedding], not normalised.
class MobileFaceNetImpl : public torch::nn::Module {
 public:
  explicit MobileFaceNetImpl(const ArcFaceConfig& config);
  // fp16_trunk: `layers` under CUDA fp16 autocast, conv_sep and features in fp32 (arcface_torch fp16=True).
  torch::Tensor forward(const torch::Tensor& x, bool fp16_trunk = false);

  torch::nn::Sequential layers{nullptr};
  ArcConvUnit conv_sep{nullptr};
  GDC features{nullptr};
};
TORCH_MODULE(MobileFaceNet);

}  // namespace mc::models
