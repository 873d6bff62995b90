#include "training/face_warp.h"

#include "core/error.h"

namespace mc::training {

namespace F = torch::nn::functional;

const std::array<std::array<double, 2>, 5> kArcfaceTemplate112{{{38.2946, 51.6963},
                                                                 {73.5318, 51.5014},
                                                                 {56.0252, 71.7366},
                                                                 {41.5493, 92.3655},
                                                                 {70.7299, 92.2041}}};

torch::Tensor arcface_template() {
  auto out = torch::empty({5, 2}, torch::kDouble);
  for (int64_t i = 0; i < 5; ++i) {
    out[i][0] = kArcfaceTemplate112[i][0];
    out[i][1] = kArcfaceTemplate112[i][1];
  }
  return out;
}

torch::Tensor estimate_similarity(const torch::Tensor& src_in, const torch::Tensor& dst_in) {
  require(src_in.sizes() == dst_in.sizes() && src_in.dim() == 2 && src_in.size(1) == 2 && src_in.size(0) >= 2,
          codes::kBadArgument, "similarity: expected two [N, 2] point sets with N >= 2");
  auto src = src_in.to(torch::kDouble).cpu();
  auto dst = dst_in.to(torch::kDouble).cpu();
  const double n = static_cast<double>(src.size(0));
  auto src_mean = src.mean(0), dst_mean = dst.mean(0);
  auto src_c = src - src_mean, dst_c = dst - dst_mean;  // [N, 2]
  auto cov = dst_c.t().matmul(src_c) / n;              // [2, 2]
  auto svd = at::linalg_svd(cov, /*full_matrices=*/true);  // ATen: the same call on libtorch 1.13 and 2.x
  auto u = std::get<0>(svd), s = std::get<1>(svd), vh = std::get<2>(svd);
  auto d = torch::ones({2}, torch::kDouble);
  if (torch::det(cov).item<double>() < 0) d[1] = -1.0;
  auto rotation = u.matmul(torch::diag(d)).matmul(vh);  // [2, 2]
  const double variance = src_c.pow(2).sum(1).mean().item<double>();
  require(variance > 0, codes::kBadArgument, "similarity: the landmarks are all at one point");
  const double scale = (s * d).sum().item<double>() / variance;
  auto linear = rotation * scale;
  auto translation = dst_mean - linear.matmul(src_mean);
  return torch::cat({linear, translation.unsqueeze(1)}, 1);  // [2, 3]
}

torch::Tensor warp_affine(const torch::Tensor& image, const torch::Tensor& matrices, int64_t size) {
  const int64_t b = image.size(0), h = image.size(2), w = image.size(3);
  require(matrices.dim() == 3 && matrices.size(0) == b && matrices.size(1) == 2 && matrices.size(2) == 3,
          codes::kBadArgument, "warp: expected one [2, 3] matrix per image");
  auto row = torch::tensor({0.0, 0.0, 1.0}, torch::kDouble).view({1, 1, 3}).expand({b, 1, 3});
  auto full = torch::cat({matrices.to(torch::kDouble).cpu(), row}, 1);  // [B, 3, 3]
  auto inverse = torch::inverse(full);                                  // destination -> source pixels
  auto coords = torch::arange(size, torch::kDouble);
  auto grid = torch::meshgrid({coords, coords}, "ij");                  // ys, xs: [size, size]
  auto ones = torch::ones({size, size}, torch::kDouble);
  auto dest = torch::stack({grid[1], grid[0], ones}, -1).view({1, size * size, 3});  // [1, S*S, 3]
  auto source = dest.matmul(inverse.transpose(1, 2));                                 // [B, S*S, 3]
  // align_corners=True: pixel index i <-> -1 + 2 i / (extent - 1).
  auto x = source.select(2, 0) * (2.0 / static_cast<double>(w - 1)) - 1.0;
  auto y = source.select(2, 1) * (2.0 / static_cast<double>(h - 1)) - 1.0;
  auto sample_grid = torch::stack({x, y}, -1).view({b, size, size, 2}).to(image.device(), image.scalar_type());
  return F::grid_sample(image, sample_grid,
                        F::GridSampleFuncOptions().mode(torch::kBilinear).padding_mode(torch::kZeros).align_corners(true));
}

}  // namespace mc::training
