// Differentiable face alignment for the identity loss (METHOD §1.3): a least-squares similarity transform
// (Umeyama, as skimage's SimilarityTransform.estimate) from 5 landmarks to the ArcFace 112x112 template, then a
// bilinear warp of the image tensor with kornia.warp_affine's semantics (align_corners=True, zero padding).
#pragma once
#include <torch/torch.h>

#include <array>

namespace mc::training {

// ArcFace template: eyes, nose tip, mouth corners, in 112x112 pixel coordinates.
extern const std::array<std::array<double, 2>, 5> kArcfaceTemplate112;
// The same as a [5, 2] float64 tensor.
torch::Tensor arcface_template();

// 2x3 float64 matrix mapping source pixel coordinates to destination pixel coordinates.
// src, dst: [5, 2] (any float dtype, CPU).
torch::Tensor estimate_similarity(const torch::Tensor& src, const torch::Tensor& dst);

// image: [B, C, H, W]; matrices: [B, 2, 3] source->destination pixel transforms. Returns [B, C, size, size];
// gradients flow to the image.
torch::Tensor warp_affine(const torch::Tensor& image, const torch::Tensor& matrices, int64_t size);

}  // namespace mc::training
