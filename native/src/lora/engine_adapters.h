// What the Engine's adapter methods (include/magicapture/engine.h, src/pipelines/engine_lora.cpp) take and return.
#pragma once
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "lora/adapters.h"
#include "lora/formats.h"
#include "lora/token_rows.h"

namespace mc::lora {

struct LoadOptions {
  double unet_scale = kInferenceUnetScale;
  double text_scale = kInferenceTextScale;
  // The id of every token the file embeds, decided by the facade's tokenizer (see token_rows.h).
  std::map<std::string, int64_t> token_ids;
  std::string embedding_token;  // (c) files: the token to load the vector as (default: the file's "name")
};

struct AdapterStatus {
  std::string format;  // of the last file loaded ("" when nothing was loaded)
  size_t unet_adapters = 0;
  size_t text_adapters = 0;
  int64_t rank = 0;
  double unet_scale = kInferenceUnetScale;
  double text_scale = kInferenceTextScale;
  std::vector<std::pair<std::string, int64_t>> tokens;  // placeholder token -> row, in id order
};

// The Engine's private adapter bookkeeping.
struct EngineAdapterState {
  TokenRows rows;
  AdapterStatus status;
};

}  // namespace mc::lora
