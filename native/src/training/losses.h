// MagiCapture's losses (METHOD.md §4), each a pure function of tensors so it can be checked by hand.
#pragma once
#include <torch/torch.h>

#include <vector>

namespace mc::training {

// Latent-resolution soft mask (METHOD §1.5, [T:479-497]): channel 0 of a [B, C, H, W] mask in [0, 1], nearest
// downsampling to latent_hw, then M = (m + 0.01)^tau / max((m + 0.01)^tau) per sample. Returns [B, 1, h, w].
torch::Tensor latent_mask(const torch::Tensor& mask, int64_t latent_h, int64_t latent_w, double temperature = 1.0);

// Masked epsilon loss, normalised per sample (METHOD §4.2, fixing B9):
//   L_b = sum_{c,h,w} M_hw^2 (eps_hat - eps)^2 / (C * sum_hw M_hw).  Returns [B] in float32.
torch::Tensor masked_eps_loss(const torch::Tensor& eps_hat, const torch::Tensor& eps, const torch::Tensor& mask);

// Tweedie / DDPM estimate of the clean latent from an epsilon prediction (METHOD §4.3 step 2).
// alpha_bar: [B] (float64 or float32) cumulative alphas at each sample's timestep.
torch::Tensor tweedie_x0(const torch::Tensor& z_t, const torch::Tensor& eps_hat, const torch::Tensor& alpha_bar);

// Attention Refocusing loss for one token (METHOD §4.4). maps: the captured cross-attention probabilities of
// one sample, each [heads, Q, T] with Q = side*side (16x16 in SD1.5); target: [H, W] mask (64x64).
// For every head of every map: bilinear upsample (align_corners false) to the target size, min-max normalise
// with the min and max taken as constants (no gradient), set to 1 wherever target >= 0.5, then average all
// maps and heads and take the mean squared difference from the target. The gradient reaches the probabilities.
// A head whose map spans less than 1e-12 (no shape, or no attention to the token) counts as all zeros.
torch::Tensor attention_refocus_loss(const std::vector<torch::Tensor>& maps, int64_t token, const torch::Tensor& target);

}  // namespace mc::training
