// The one documented configuration of AutoencoderKL (diffusers vae/config.json). Defaults are SD1.5's.
#pragma once
#include <cstdint>
#include <vector>

namespace mc::models {

struct VaeConfig {
  int64_t in_channels = 3;
  int64_t out_channels = 3;
  int64_t latent_channels = 4;
  std::vector<int64_t> block_out_channels{128, 256, 512, 512};
  int64_t layers_per_block = 2;
  int64_t norm_num_groups = 32;
  int64_t sample_size = 512;
  double scaling_factor = 0.18215;

  void validate() const;
};

}  // namespace mc::models
