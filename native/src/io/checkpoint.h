// Finding the weights of a Stable Diffusion 1.x model: a diffusers folder or an LDM single .safetensors file.
// plan_checkpoint reads headers only and says, for each component, which stored tensor becomes which diffusers
// parameter; load_component then reads the bytes. Pickle files (.ckpt/.pt/.pth/.bin) are never opened.
#pragma once
#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

#include "io/safetensors.h"

namespace mc::io {

enum class CheckpointLayout { DiffusersFolder, LdmSingleFile };

const char* layout_name(CheckpointLayout layout);  // "diffusers", "ldm"

struct TensorSource {
  std::string file;  // the .safetensors file holding it
  std::string key;   // its name in that file
  TensorInfo info;
  std::vector<int64_t> reshape_to;  // empty = as stored; [C, C] for the VAE attention 1x1 conv <-> linear weights
};

struct ComponentPlan {
  // Keyed by the DIFFUSERS parameter name of the component, exactly as in diffusers' own unet/, vae/ and
  // text_encoder/ safetensors.
  std::map<std::string, TensorSource> tensors;
  // Compact JSON: <component>/config.json, or the single file's metadata "magicapture.configs" entry; else empty.
  std::string config_json;
};

struct CheckpointPlan {
  CheckpointLayout layout = CheckpointLayout::LdmSingleFile;
  std::string path;
  ComponentPlan unet, vae, text_encoder;
  std::string tokenizer_dir;  // the diffusers folder's tokenizer/ when it has vocab.json and merges.txt, else empty
  std::vector<std::string> unused_keys;  // sorted; prefixed "<component>/" for diffusers folders
  std::map<std::string, std::string> metadata;  // the single file's __metadata__ (or the folder's files' merged)
};

// Throws EngineError: E_FILE_NOT_FOUND (no such path), E_PICKLE_REFUSED (.ckpt/.pt/.pth/.bin, or a diffusers folder
// whose component only has pickles), E_UNSUPPORTED_FORMAT (anything else that is not an SD1.x diffusers folder or
// .safetensors file), E_BAD_CHECKPOINT (damaged headers or configs).
CheckpointPlan plan_checkpoint(const std::string& path);

// Loads every tensor of a component (stored dtype, CPU, reshape_to applied), opening each file once. Throws
// E_BAD_CHECKPOINT if a file changed since it was planned.
std::map<std::string, torch::Tensor> load_component(const ComponentPlan& plan);

}  // namespace mc::io
