// The one documented configuration of UNet2DConditionModel (diffusers unet/config.json fields we honour).
// Defaults are SD1.5; tests use tiny widths with the same structure.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace mc::models {

struct UNetConfig {
  int64_t in_channels = 4;
  int64_t out_channels = 4;
  int64_t sample_size = 64;
  std::vector<std::string> down_block_types{"CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D",
                                            "DownBlock2D"};
  std::vector<std::string> up_block_types{"UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D",
                                          "CrossAttnUpBlock2D"};
  std::vector<int64_t> block_out_channels{320, 640, 1280, 1280};
  int64_t layers_per_block = 2;
  int64_t cross_attention_dim = 768;
  int64_t norm_num_groups = 32;
  double norm_eps = 1e-5;
  // diffusers' SD1.x configs call the head COUNT "attention_head_dim" (one value or one per block).
  std::vector<int64_t> attention_heads{8, 8, 8, 8};

  // Throws mc::EngineError (E_BAD_CHECKPOINT) naming the field when the config cannot describe a UNet we build.
  void validate() const;
};

}  // namespace mc::models
