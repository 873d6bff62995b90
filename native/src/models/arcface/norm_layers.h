// Constructors for the layers of the ArcFace backbones, so the block code reads like arcface_torch.
#pragma once
#include <torch/torch.h>

namespace mc::models::arcface {

inline constexpr double kBatchNormEps = 1e-5;  // every BatchNorm of arcface_torch's IResNet and MobileFaceNet

// bias: only in the folded variant, where the following BatchNorm was folded into the convolution.
inline torch::nn::Conv2d conv(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding, int64_t groups,
                              bool bias) {
  return torch::nn::Conv2d(
      torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding).groups(groups).bias(bias));
}

inline torch::nn::BatchNorm2d batch_norm2d(int64_t channels) {
  return torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(channels).eps(kBatchNormEps));
}

inline torch::nn::BatchNorm1d batch_norm1d(int64_t channels) {
  return torch::nn::BatchNorm1d(torch::nn::BatchNorm1dOptions(channels).eps(kBatchNormEps));
}

inline torch::nn::PReLU prelu(int64_t channels) {
  return torch::nn::PReLU(torch::nn::PReLUOptions().num_parameters(channels));
}

}  // namespace mc::models::arcface
