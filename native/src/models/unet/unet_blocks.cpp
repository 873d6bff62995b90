#include "models/unet/unet_blocks.h"

namespace mc::models {

namespace {
ResnetOptions resnet_options(const UNetBlockOptions& o, int64_t in, int64_t out) {
  ResnetOptions r;
  r.in_channels = in;
  r.out_channels = out;
  r.temb_channels = o.temb_channels;
  r.groups = o.groups;
  r.eps = o.eps;
  return r;
}

Transformer2DModel transformer(const UNetBlockOptions& o) {
  return Transformer2DModel(o.out_channels, o.heads, o.cross_attention_dim, o.groups);
}
}  // namespace

UNetDownBlockImpl::UNetDownBlockImpl(const UNetBlockOptions& o) {
  resnets = register_module("resnets", torch::nn::ModuleList());
  attentions = register_module("attentions", torch::nn::ModuleList());
  downsamplers = register_module("downsamplers", torch::nn::ModuleList());
  for (int64_t i = 0; i < o.num_layers; ++i) {
    resnets->push_back(ResnetBlock2D(resnet_options(o, i == 0 ? o.in_channels : o.out_channels, o.out_channels)));
    if (o.with_attention) attentions->push_back(transformer(o));
  }
  if (o.add_sampler) downsamplers->push_back(Downsample2D(o.out_channels, /*padding=*/1));
}

torch::Tensor UNetDownBlockImpl::forward(torch::Tensor x, const torch::Tensor& temb, const torch::Tensor& context,
                                         std::vector<torch::Tensor>& skips) {
  for (size_t i = 0; i < resnets->size(); ++i) {
    x = resnets[i]->as<ResnetBlock2DImpl>()->forward(x, temb);
    if (!attentions->is_empty()) x = attentions[i]->as<Transformer2DModelImpl>()->forward(x, context);
    skips.push_back(x);
  }
  if (!downsamplers->is_empty()) {
    x = downsamplers[0]->as<Downsample2DImpl>()->forward(x);
    skips.push_back(x);
  }
  return x;
}

UNetMidBlockImpl::UNetMidBlockImpl(const UNetBlockOptions& o) {
  resnets = register_module("resnets", torch::nn::ModuleList());
  attentions = register_module("attentions", torch::nn::ModuleList());
  resnets->push_back(ResnetBlock2D(resnet_options(o, o.in_channels, o.in_channels)));
  attentions->push_back(transformer(o));
  resnets->push_back(ResnetBlock2D(resnet_options(o, o.in_channels, o.in_channels)));
}

torch::Tensor UNetMidBlockImpl::forward(torch::Tensor x, const torch::Tensor& temb, const torch::Tensor& context) {
  x = resnets[0]->as<ResnetBlock2DImpl>()->forward(x, temb);
  x = attentions[0]->as<Transformer2DModelImpl>()->forward(x, context);
  return resnets[1]->as<ResnetBlock2DImpl>()->forward(x, temb);
}

UNetUpBlockImpl::UNetUpBlockImpl(const UNetBlockOptions& o, int64_t skip_in_channels) {
  resnets = register_module("resnets", torch::nn::ModuleList());
  attentions = register_module("attentions", torch::nn::ModuleList());
  upsamplers = register_module("upsamplers", torch::nn::ModuleList());
  for (int64_t i = 0; i < o.num_layers; ++i) {
    const int64_t skip = i == o.num_layers - 1 ? skip_in_channels : o.out_channels;
    const int64_t resnet_in = i == 0 ? o.prev_output_channels : o.out_channels;
    resnets->push_back(ResnetBlock2D(resnet_options(o, resnet_in + skip, o.out_channels)));
    if (o.with_attention) attentions->push_back(transformer(o));
  }
  if (o.add_sampler) upsamplers->push_back(Upsample2D(o.out_channels));
}

torch::Tensor UNetUpBlockImpl::forward(torch::Tensor x, const torch::Tensor& temb, const torch::Tensor& context,
                                       std::vector<torch::Tensor>& skips,
                                       std::optional<std::vector<int64_t>> upsample_size) {
  for (size_t i = 0; i < resnets->size(); ++i) {
    auto skip = skips.back();
    skips.pop_back();
    x = torch::cat({x, skip}, 1);  // [B, C + C_skip, H, W]
    x = resnets[i]->as<ResnetBlock2DImpl>()->forward(x, temb);
    if (!attentions->is_empty()) x = attentions[i]->as<Transformer2DModelImpl>()->forward(x, context);
  }
  if (!upsamplers->is_empty()) x = upsamplers[0]->as<Upsample2DImpl>()->forward(x, upsample_size);
  return x;
}

}  // namespace mc::models
