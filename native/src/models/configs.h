// Model configurations from a checkpoint: parsed from diffusers/transformers config.json text when the
// checkpoint has one, else inferred from tensor shapes (SD1.x single files carry no config).
#pragma once
#include <map>
#include <string>
#include <vector>

#include "models/clip/clip_config.h"
#include "models/unet/unet_config.h"
#include "models/vae/vae_config.h"

namespace mc::models {

using ShapeMap = std::map<std::string, std::vector<int64_t>>;  // diffusers key -> shape

UNetConfig unet_config_from_json(const std::string& json_text);
VaeConfig vae_config_from_json(const std::string& json_text);
ClipTextConfig clip_config_from_json(const std::string& json_text);

// SD1.x rules where the weights are silent: 8 UNet heads per block and 64-wide CLIP heads.
UNetConfig infer_unet_config(const ShapeMap& shapes);
VaeConfig infer_vae_config(const ShapeMap& shapes);
ClipTextConfig infer_clip_config(const ShapeMap& shapes);

}  // namespace mc::models
