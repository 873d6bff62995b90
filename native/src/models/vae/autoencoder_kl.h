// diffusers: models/autoencoders/autoencoder_kl.py AutoencoderKL, models/autoencoders/vae.py Encoder / Decoder /
// DiagonalGaussianDistribution, models/unets/unet_2d_blocks.py DownEncoderBlock2D, UpDecoderBlock2D, UNetMidBlock2D.
#pragma once
#include <torch/torch.h>

#include <optional>

#include "models/common/attention.h"
#include "models/common/resnet.h"
#include "models/vae/vae_config.h"

namespace mc::models {

// Down/up blocks of the VAE: resnets then an optional resampler. Checkpoint keys: resnets.N, downsamplers.0,
// upsamplers.0.
class VaeBlockImpl : public torch::nn::Module {
 public:
  VaeBlockImpl(int64_t in, int64_t out, int64_t layers, int64_t groups, bool down, bool add_sampler);
  torch::Tensor forward(torch::Tensor x);
  torch::nn::ModuleList resnets, downsamplers, upsamplers;
};
TORCH_MODULE(VaeBlock);

class VaeMidBlockImpl : public torch::nn::Module {
 public:
  VaeMidBlockImpl(int64_t channels, int64_t groups);
  torch::Tensor forward(torch::Tensor x);
  torch::nn::ModuleList resnets, attentions;
};
TORCH_MODULE(VaeMidBlock);

class VaeEncoderImpl : public torch::nn::Module {
 public:
  explicit VaeEncoderImpl(const VaeConfig& config);
  torch::Tensor forward(const torch::Tensor& x);  // [B, 3, H, W] -> moments [B, 2*latent, H/8, W/8]
  torch::nn::Conv2d conv_in{nullptr}, conv_out{nullptr};
  torch::nn::ModuleList down_blocks;
  VaeMidBlock mid_block{nullptr};
  torch::nn::GroupNorm conv_norm_out{nullptr};
};
TORCH_MODULE(VaeEncoder);

class VaeDecoderImpl : public torch::nn::Module {
 public:
  explicit VaeDecoderImpl(const VaeConfig& config);
  torch::Tensor forward(const torch::Tensor& z);  // [B, latent, h, w] -> [B, 3, 8h, 8w]
  torch::nn::Conv2d conv_in{nullptr}, conv_out{nullptr};
  torch::nn::ModuleList up_blocks;
  VaeMidBlock mid_block{nullptr};
  torch::nn::GroupNorm conv_norm_out{nullptr};
};
TORCH_MODULE(VaeDecoder);

struct LatentDistribution {
  torch::Tensor mean, logvar;  // logvar clamped to [-30, 20] as diffusers does
  // diffusers: DiagonalGaussianDistribution.sample; the noise comes from randn on the generator's device (CPU).
  torch::Tensor sample(std::optional<at::Generator> generator) const;
};

class AutoencoderKLImpl : public torch::nn::Module {
 public:
  explicit AutoencoderKLImpl(const VaeConfig& config);
  LatentDistribution encode(const torch::Tensor& image);  // image in [-1, 1]
  torch::Tensor decode(const torch::Tensor& latents);     // unscaled latents -> image in about [-1, 1]
  const VaeConfig& config() const { return config_; }

  VaeEncoder encoder{nullptr};
  VaeDecoder decoder{nullptr};
  torch::nn::Conv2d quant_conv{nullptr}, post_quant_conv{nullptr};

 private:
  VaeConfig config_;
};
TORCH_MODULE(AutoencoderKL);

}  // namespace mc::models
