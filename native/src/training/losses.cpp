#include "training/losses.h"

#include <cmath>

#include "core/error.h"

namespace mc::training {

namespace F = torch::nn::functional;

// Attention probabilities are on a fixed [0, 1] scale, so an absolute bound is meaningful: below it the min-max
// normalisation would divide by a number whose reciprocal overflows float32 in the backward pass.
constexpr double kMinAttentionRange = 1e-12;

torch::Tensor latent_mask(const torch::Tensor& mask, int64_t latent_h, int64_t latent_w, double temperature) {
  auto m = mask.slice(1, 0, 1).to(torch::kFloat);  // [B, 1, H, W]
  m = F::interpolate(m, F::InterpolateFuncOptions()
                            .size(std::vector<int64_t>{latent_h, latent_w})
                            .mode(torch::kNearest));  // [B, 1, h, w]
  m = (m + 0.01).pow(temperature);
  auto max = std::get<0>(m.flatten(1).max(1)).view({-1, 1, 1, 1});  // [B, 1, 1, 1]
  return m / max;
}

torch::Tensor masked_eps_loss(const torch::Tensor& eps_hat, const torch::Tensor& eps, const torch::Tensor& mask) {
  require(eps_hat.sizes() == eps.sizes() && eps_hat.dim() == 4, codes::kBadArgument,
          "masked loss: expected predicted and true noise of the same [B, C, H, W] shape");
  auto m = mask.to(torch::kFloat);                                            // [B, 1, H, W]
  auto diff = (m * eps_hat.to(torch::kFloat) - m * eps.to(torch::kFloat)).pow(2);  // [B, C, H, W]
  const double channels = static_cast<double>(eps_hat.size(1));
  return diff.flatten(1).sum(1) / (channels * m.flatten(1).sum(1));  // [B]
}

torch::Tensor tweedie_x0(const torch::Tensor& z_t, const torch::Tensor& eps_hat, const torch::Tensor& alpha_bar) {
  auto a = alpha_bar.to(torch::kFloat).view({-1, 1, 1, 1});  // [B, 1, 1, 1]
  return z_t / a.sqrt() - eps_hat * ((1 - a) / a).sqrt();
}

torch::Tensor attention_refocus_loss(const std::vector<torch::Tensor>& maps, int64_t token, const torch::Tensor& target) {
  require(!maps.empty(), codes::kBadArgument, "attention loss: expected at least one attention map");
  const int64_t h = target.size(-2), w = target.size(-1);
  auto target2d = target.to(torch::kFloat).view({h, w});
  auto inside = target2d >= 0.5;
  std::vector<torch::Tensor> normalised;
  for (const auto& probs : maps) {
    const int64_t heads = probs.size(0), queries = probs.size(1);
    const auto side = static_cast<int64_t>(std::lround(std::sqrt(static_cast<double>(queries))));
    require(side * side == queries, codes::kBadArgument, "attention loss: expected square attention maps");
    auto a = probs.select(2, token).to(torch::kFloat).view({heads, 1, side, side});  // [heads, 1, s, s]
    a = F::interpolate(a, F::InterpolateFuncOptions()
                              .size(std::vector<int64_t>{h, w})
                              .mode(torch::kBilinear)
                              .align_corners(false))
            .view({heads, h, w});
    for (int64_t i = 0; i < heads; ++i) {
      auto map = a[i];
      // The official code takes min and max as Python floats: constants for autograd.
      const double lo = map.min().item<double>();
      const double range = (map - lo).max().item<double>();
      // A map without shape has nothing to refocus; it contributes zeros instead of 0/0. That includes a head
      // that gives the token (almost) no attention at all: probabilities of 1e-40 are finite, but 1/range is not,
      // and one such head made the whole step's gradient NaN (the official code has the same division).
      auto scaled = range > kMinAttentionRange ? (map - lo) / range : torch::zeros_like(map);
      normalised.push_back(torch::where(inside, torch::ones_like(scaled), scaled));
    }
  }
  auto mean_map = torch::stack(normalised).mean(0);  // [H, W]
  return (mean_map - target2d).pow(2).mean();
}

}  // namespace mc::training
