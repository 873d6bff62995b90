// Every checkpoint key conversion of the engine lives in ldm_keys.cpp: original Stable Diffusion (LDM / CompVis)
// single-file names -> diffusers parameter names, and old diffusers VAE attention names -> current ones.
// Pure string work: shapes are applied by the caller (checkpoint.cpp) from the conv1x1_to_linear flag.
#pragma once
#include <string>
#include <vector>

namespace mc::io {

enum class Component { Unet, Vae, TextEncoder };

const char* component_name(Component component);  // "unet", "vae", "text_encoder"

struct KeyMapping {
  std::string source;  // the key as stored in the file
  Component component;
  std::string target;  // the diffusers parameter name inside that component
  // VAE attention projections: LDM stores 1x1 convs [C, C, 1, 1], diffusers has Linear weights [C, C].
  bool conv1x1_to_linear = false;
};

struct KeyConversion {
  std::vector<KeyMapping> mapped;   // in input order
  std::vector<std::string> unused;  // no component, or not recognised (model_ema.*, position_ids, loss.*, ...)
};

// Converts the keys of an SD1.x LDM single file (model.diffusion_model.*, first_stage_model.*,
// cond_stage_model.transformer.*). The UNet's layers_per_block and the VAE's number of levels are inferred from the
// keys. Throws EngineError(E_UNSUPPORTED_FORMAT) when the UNet block layout is not one it can infer and
// EngineError(E_BAD_CHECKPOINT) when two keys map to the same diffusers name.
KeyConversion convert_ldm_keys(const std::vector<std::string>& keys);

// Normalises the keys of one component of a diffusers folder: the VAE's old attention names
// (query/key/value/proj_attn) become to_q/to_k/to_v/to_out.0; text encoder position_ids are unused.
KeyConversion convert_diffusers_keys(Component component, const std::vector<std::string>& keys);

}  // namespace mc::io
