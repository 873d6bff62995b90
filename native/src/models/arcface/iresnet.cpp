#include "models/arcface/iresnet.h"

#include "models/arcface/autocast.h"
#include "models/arcface/norm_layers.h"

namespace mc::models {

using namespace arcface;

IBasicBlockImpl::IBasicBlockImpl(int64_t inplanes, int64_t planes, int64_t stride, bool with_downsample, bool folded) {
  bn1 = register_module("bn1", batch_norm2d(inplanes));
  conv1 = register_module("conv1", conv(inplanes, planes, 3, 1, 1, 1, folded));
  if (!folded) bn2 = register_module("bn2", batch_norm2d(planes));
  prelu = register_module("prelu", arcface::prelu(planes));
  conv2 = register_module("conv2", conv(planes, planes, 3, stride, 1, 1, folded));
  if (!folded) bn3 = register_module("bn3", batch_norm2d(planes));
  if (with_downsample) {
    downsample = torch::nn::Sequential(conv(inplanes, planes, 1, stride, 0, 1, folded));
    if (!folded) downsample->push_back(batch_norm2d(planes));
    register_module("downsample", downsample);
  }
}

torch::Tensor IBasicBlockImpl::forward(const torch::Tensor& x) {
  auto out = conv1->forward(bn1->forward(x));
  if (bn2) out = bn2->forward(out);
  out = conv2->forward(prelu->forward(out));
  if (bn3) out = bn3->forward(out);
  return out + (downsample ? downsample->forward(x) : x);
}

IResNetImpl::IResNetImpl(const ArcFaceConfig& config) : folded_(config.folded) {
  const int64_t base = config.base_width;
  conv1 = register_module("conv1", conv(3, base, 3, 1, 1, 1, folded_));
  if (!folded_) bn1 = register_module("bn1", batch_norm2d(base));
  prelu = register_module("prelu", arcface::prelu(base));
  int64_t inplanes = base;
  torch::nn::Sequential* stages[4] = {&layer1, &layer2, &layer3, &layer4};
  for (int s = 0; s < 4; ++s) {
    const int64_t planes = base << s;  // 64, 128, 256, 512 at full width
    torch::nn::Sequential stage(IBasicBlock(inplanes, planes, 2, true, folded_));
    for (int64_t b = 1; b < config.layers[s]; ++b) stage->push_back(IBasicBlock(planes, planes, 1, false, folded_));
    *stages[s] = register_module("layer" + std::to_string(s + 1), stage);
    inplanes = planes;
  }
  bn2 = register_module("bn2", batch_norm2d(inplanes));
  fc = register_module("fc", torch::nn::Linear(inplanes * 7 * 7, config.embedding_size));
  features = register_module("features", batch_norm1d(config.embedding_size));
}

torch::Tensor IResNetImpl::forward(const torch::Tensor& input, bool fp16_trunk) {
  torch::Tensor x;
  {
    CudaFp16Autocast autocast(fp16_trunk);
    x = conv1->forward(input);
    if (bn1) x = bn1->forward(x);
    x = prelu->forward(x);
    x = layer4->forward(layer3->forward(layer2->forward(layer1->forward(x))));
    x = torch::flatten(bn2->forward(x), 1);  // [B, 8 * base * 7 * 7]; dropout(p=0) in eval is the identity
  }
  return features->forward(fc->forward(x.to(torch::kFloat)));
}

}  // namespace mc::models
