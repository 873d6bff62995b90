#include "models/arcface/mobilefacenet.h"

#include "models/arcface/autocast.h"
#include "models/arcface/norm_layers.h"

namespace mc::models {

using namespace arcface;

ArcConvUnitImpl::ArcConvUnitImpl(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding,
                                 int64_t groups, bool with_prelu, bool folded) {
  layers = torch::nn::Sequential();
  layers->push_back("0", conv(in, out, kernel, stride, padding, groups, folded));
  if (!folded) layers->push_back("1", batch_norm2d(out));
  if (with_prelu) layers->push_back("2", prelu(out));
  register_module("layers", layers);
}

DepthWiseImpl::DepthWiseImpl(int64_t in, int64_t out, bool residual, int64_t stride, int64_t groups, bool folded)
    : residual_(residual) {
  layers = register_module("layers", torch::nn::Sequential(ArcConvUnit(in, groups, 1, 1, 0, 1, true, folded),
                                                           ArcConvUnit(groups, groups, 3, stride, 1, groups, true, folded),
                                                           ArcConvUnit(groups, out, 1, 1, 0, 1, false, folded)));
}

torch::Tensor DepthWiseImpl::forward(const torch::Tensor& x) {
  auto y = layers->forward(x);
  return residual_ ? x + y : y;
}

ResidualImpl::ResidualImpl(int64_t channels, int64_t blocks, int64_t groups, bool folded) {
  layers = torch::nn::Sequential();
  for (int64_t i = 0; i < blocks; ++i) layers->push_back(DepthWise(channels, channels, true, 1, groups, folded));
  register_module("layers", layers);
}

GDCImpl::GDCImpl(int64_t channels, int64_t embedding_size, bool folded) {
  layers = register_module(
      "layers", torch::nn::Sequential(ArcConvUnit(channels, channels, 7, 1, 0, channels, false, folded),
                                      torch::nn::Flatten(),  // [B, C, 1, 1] -> [B, C]
                                      torch::nn::Linear(torch::nn::LinearOptions(channels, embedding_size).bias(false)),
                                      batch_norm1d(embedding_size)));
}

MobileFaceNetImpl::MobileFaceNetImpl(const ArcFaceConfig& config) {
  const int64_t base = config.base_width;
  const bool folded = config.folded;
  const int64_t c1 = base * config.scale, c2 = 2 * base * config.scale;
  layers = torch::nn::Sequential(ArcConvUnit(3, c1, 3, 2, 1, 1, true, folded));
  if (config.layers[0] == 1) {
    layers->push_back(ArcConvUnit(c1, c1, 3, 1, 1, base, true, folded));
  } else {
    layers->push_back(Residual(c1, config.layers[0], 2 * base, folded));
  }
  layers->push_back(DepthWise(c1, c1, false, 2, 2 * base, folded));
  layers->push_back(Residual(c1, config.layers[1], 2 * base, folded));
  layers->push_back(DepthWise(c1, c2, false, 2, 4 * base, folded));
  layers->push_back(Residual(c2, config.layers[2], 4 * base, folded));
  layers->push_back(DepthWise(c2, c2, false, 2, 8 * base, folded));
  layers->push_back(Residual(c2, config.layers[3], 4 * base, folded));
  register_module("layers", layers);
  conv_sep = register_module("conv_sep", ArcConvUnit(c2, 8 * base, 1, 1, 0, 1, true, folded));
  features = register_module("features", GDC(8 * base, config.embedding_size, folded));
}

torch::Tensor MobileFaceNetImpl::forward(const torch::Tensor& input, bool fp16_trunk) {
  torch::Tensor x;
  {
    CudaFp16Autocast autocast(fp16_trunk);
    x = layers->forward(input);
  }
  return features->forward(conv_sep->forward(x.to(torch::kFloat)));
}

}  // namespace mc::models
