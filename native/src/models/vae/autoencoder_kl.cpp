#include "models/vae/autoencoder_kl.h"

#include "core/error.h"
#include "core/random.h"
#include "models/common/layers.h"

namespace mc::models {

namespace {
constexpr double kVaeEps = 1e-6;

ResnetOptions vae_resnet(int64_t in, int64_t out, int64_t groups) {
  ResnetOptions r;
  r.in_channels = in;
  r.out_channels = out;
  r.groups = groups;
  r.eps = kVaeEps;
  return r;
}
}  // namespace

void VaeConfig::validate() const {
  const bool ok = !block_out_channels.empty() && block_out_channels.size() <= 6 && layers_per_block >= 1 &&
                  latent_channels > 0 && norm_num_groups > 0 && scaling_factor > 0;
  require(ok, codes::kBadCheckpoint, "VAE config: expected 1 to 6 blocks, layers_per_block >= 1, a positive scaling factor",
          "The checkpoint's vae/config.json does not describe an AutoencoderKL this engine builds.");
  for (auto c : block_out_channels) {
    require(c % norm_num_groups == 0, codes::kBadCheckpoint,
            "VAE config: expected block_out_channels divisible by " + std::to_string(norm_num_groups) +
                ", received " + std::to_string(c));
  }
}

VaeBlockImpl::VaeBlockImpl(int64_t in, int64_t out, int64_t layers, int64_t groups, bool down, bool add_sampler) {
  resnets = register_module("resnets", torch::nn::ModuleList());
  for (int64_t i = 0; i < layers; ++i) resnets->push_back(ResnetBlock2D(vae_resnet(i == 0 ? in : out, out, groups)));
  if (down) {
    downsamplers = register_module("downsamplers", torch::nn::ModuleList());
    if (add_sampler) downsamplers->push_back(Downsample2D(out, /*padding=*/0));
  } else {
    upsamplers = register_module("upsamplers", torch::nn::ModuleList());
    if (add_sampler) upsamplers->push_back(Upsample2D(out));
  }
}

torch::Tensor VaeBlockImpl::forward(torch::Tensor x) {
  for (const auto& resnet : *resnets) x = resnet->as<ResnetBlock2DImpl>()->forward(x);
  if (downsamplers && !downsamplers->is_empty()) x = downsamplers[0]->as<Downsample2DImpl>()->forward(x);
  if (upsamplers && !upsamplers->is_empty()) x = upsamplers[0]->as<Upsample2DImpl>()->forward(x);
  return x;
}

VaeMidBlockImpl::VaeMidBlockImpl(int64_t channels, int64_t groups) {
  resnets = register_module("resnets", torch::nn::ModuleList());
  attentions = register_module("attentions", torch::nn::ModuleList());
  AttentionOptions o;
  o.query_dim = channels;
  o.heads = 1;
  o.dim_head = channels;
  o.qkv_bias = true;
  o.norm_num_groups = groups;
  o.norm_eps = kVaeEps;
  o.residual_connection = true;
  o.upcast_softmax = true;
  resnets->push_back(ResnetBlock2D(vae_resnet(channels, channels, groups)));
  attentions->push_back(Attention(o));
  resnets->push_back(ResnetBlock2D(vae_resnet(channels, channels, groups)));
}

torch::Tensor VaeMidBlockImpl::forward(torch::Tensor x) {
  x = resnets[0]->as<ResnetBlock2DImpl>()->forward(x);
  x = attentions[0]->as<AttentionImpl>()->forward(x);
  return resnets[1]->as<ResnetBlock2DImpl>()->forward(x);
}

VaeEncoderImpl::VaeEncoderImpl(const VaeConfig& c) {
  const auto& ch = c.block_out_channels;
  const size_t n = ch.size();
  conv_in = register_module("conv_in", conv2d(c.in_channels, ch[0], 3, 1, 1));
  down_blocks = register_module("down_blocks", torch::nn::ModuleList());
  int64_t out = ch[0];
  for (size_t i = 0; i < n; ++i) {
    const int64_t in = out;
    out = ch[i];
    down_blocks->push_back(VaeBlock(in, out, c.layers_per_block, c.norm_num_groups, true, i + 1 != n));
  }
  mid_block = register_module("mid_block", VaeMidBlock(ch[n - 1], c.norm_num_groups));
  conv_norm_out = register_module("conv_norm_out", group_norm(c.norm_num_groups, ch[n - 1], kVaeEps));
  conv_out = register_module("conv_out", conv2d(ch[n - 1], 2 * c.latent_channels, 3, 1, 1));
}

torch::Tensor VaeEncoderImpl::forward(const torch::Tensor& x) {
  auto h = conv_in->forward(x);
  for (const auto& block : *down_blocks) h = block->as<VaeBlockImpl>()->forward(h);
  h = mid_block->forward(h);
  return conv_out->forward(torch::silu(apply_group_norm(conv_norm_out, h)));
}

VaeDecoderImpl::VaeDecoderImpl(const VaeConfig& c) {
  std::vector<int64_t> reversed(c.block_out_channels.rbegin(), c.block_out_channels.rend());
  const size_t n = reversed.size();
  conv_in = register_module("conv_in", conv2d(c.latent_channels, reversed[0], 3, 1, 1));
  mid_block = register_module("mid_block", VaeMidBlock(reversed[0], c.norm_num_groups));
  up_blocks = register_module("up_blocks", torch::nn::ModuleList());
  int64_t out = reversed[0];
  for (size_t i = 0; i < n; ++i) {
    const int64_t in = out;
    out = reversed[i];
    up_blocks->push_back(VaeBlock(in, out, c.layers_per_block + 1, c.norm_num_groups, false, i + 1 != n));
  }
  conv_norm_out = register_module("conv_norm_out", group_norm(c.norm_num_groups, reversed[n - 1], kVaeEps));
  conv_out = register_module("conv_out", conv2d(reversed[n - 1], c.out_channels, 3, 1, 1));
}

torch::Tensor VaeDecoderImpl::forward(const torch::Tensor& z) {
  auto h = mid_block->forward(conv_in->forward(z));
  for (const auto& block : *up_blocks) h = block->as<VaeBlockImpl>()->forward(h);
  return conv_out->forward(torch::silu(apply_group_norm(conv_norm_out, h)));
}

torch::Tensor LatentDistribution::sample(std::optional<at::Generator> generator) const {
  auto noise = mc::randn(mean.sizes(), generator, mean.options());
  return mean + torch::exp(0.5 * logvar) * noise;
}

AutoencoderKLImpl::AutoencoderKLImpl(const VaeConfig& config) : config_(config) {
  config_.validate();
  encoder = register_module("encoder", VaeEncoder(config_));
  decoder = register_module("decoder", VaeDecoder(config_));
  const int64_t latent = config_.latent_channels;
  quant_conv = register_module("quant_conv", conv2d(2 * latent, 2 * latent, 1));
  post_quant_conv = register_module("post_quant_conv", conv2d(latent, latent, 1));
}

LatentDistribution AutoencoderKLImpl::encode(const torch::Tensor& image) {
  auto moments = quant_conv->forward(encoder->forward(image)).chunk(2, 1);  // mean, logvar: [B, latent, h, w]
  return {moments[0], torch::clamp(moments[1], -30.0, 20.0)};
}

torch::Tensor AutoencoderKLImpl::decode(const torch::Tensor& latents) {
  return decoder->forward(post_quant_conv->forward(latents));
}

}  // namespace mc::models
