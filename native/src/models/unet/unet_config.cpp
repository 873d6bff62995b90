#include "models/unet/unet_config.h"

#include "core/error.h"

namespace mc::models {

namespace {
void check(bool ok, const std::string& what) {
  require(ok, codes::kBadCheckpoint, "UNet config: " + what,
          "The checkpoint's unet/config.json describes a model this engine does not build (SD1.x UNets only).");
}
}  // namespace

void UNetConfig::validate() const {
  const size_t n = block_out_channels.size();
  check(n >= 1 && n <= 6, "expected 1 to 6 blocks, received " + std::to_string(n));
  check(down_block_types.size() == n && up_block_types.size() == n && attention_heads.size() == n,
        "expected down_block_types, up_block_types and attention heads to have " + std::to_string(n) + " entries");
  for (size_t i = 0; i < n; ++i) {
    check(block_out_channels[i] > 0 && block_out_channels[i] % norm_num_groups == 0,
          "expected block_out_channels divisible by norm_num_groups " + std::to_string(norm_num_groups) +
              ", received " + std::to_string(block_out_channels[i]));
    check(attention_heads[i] > 0 && block_out_channels[i] % attention_heads[i] == 0,
          "expected attention heads to divide the block width, received " + std::to_string(attention_heads[i]));
    check(down_block_types[i] == "CrossAttnDownBlock2D" || down_block_types[i] == "DownBlock2D",
          "expected CrossAttnDownBlock2D or DownBlock2D, received " + down_block_types[i]);
    check(up_block_types[i] == "CrossAttnUpBlock2D" || up_block_types[i] == "UpBlock2D",
          "expected CrossAttnUpBlock2D or UpBlock2D, received " + up_block_types[i]);
  }
  check(layers_per_block >= 1 && layers_per_block <= 8,
        "expected layers_per_block 1 to 8, received " + std::to_string(layers_per_block));
  check(in_channels > 0 && out_channels > 0 && cross_attention_dim > 0 && norm_num_groups > 0,
        "expected positive channel counts");
}

}  // namespace mc::models
