// LoRA and embedding files (safetensors only; pickles are refused by io::SafetensorsFile).
//
// (a) "magicapture": the official MagiCapture / lora_diffusion layout (METHOD.md §6).
//     Tensors: unet:{i}:up [out, r] and unet:{i}:down [r, in], text_encoder:{i}:up/down, all fp16, `up` already
//     times the training scale (1.0); i is the official target order (lora/targets.h). Token embeddings are
//     tensors named by the token ("<sks>", "<style1>"), [hidden] fp32.
//     Metadata: "unet" / "text_encoder" -> JSON list of ancestor class names, "{group}:{i}:rank" -> "4", each
//     token -> "<embed>". A file may hold only embeddings (a phase-1 textual-inversion checkpoint).
// (b) "kohya": kohya-ss sd-scripts / A1111 networks.lora with diffusers module names:
//     lora_unet_<path, dots -> underscores>.lora_down.weight [r, in], .lora_up.weight [out, r], .alpha (0-d);
//     lora_te_text_model_encoder_layers_N_self_attn_q_proj... for the text encoder. The adapter's multiplier is
//     alpha / r (1 when alpha is absent). A file may cover a subset of the targets.
// (c) "embedding": an A1111 / kohya textual-inversion embedding: one token per file, emb_params [n, hidden].
//
// Reading validates everything against the model before anything is applied: the layout, every module name,
// every shape, rank metadata and finiteness. Failures are EngineError E_BAD_CHECKPOINT (damaged or mismatched
// file) or E_UNSUPPORTED_FORMAT (another kind of file), naming the tensor and what was expected.
#pragma once
#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

#include "lora/targets.h"

namespace mc::lora {

enum class Format { MagiCapture, Kohya, Embedding };

const char* format_name(Format format);  // "magicapture", "kohya", "embedding"
// Throws EngineError(E_BAD_ARGUMENT) for any other name.
Format parse_format(const std::string& name);

// The target class names written into (a)'s metadata.
inline const std::vector<std::string> kUnetAncestorClasses = {"CrossAttention", "Attention", "GEGLU"};
inline const std::vector<std::string> kTextAncestorClasses = {"CLIPAttention"};

struct AdapterWeights {
  size_t target = 0;   // index into the group's target list (official order)
  torch::Tensor down;  // [r, in] float32, CPU
  torch::Tensor up;    // [out, r] float32, CPU, the file's multiplier (kohya alpha / r) already applied
};

struct TokenEmbedding {
  std::string token;
  torch::Tensor vector;  // [hidden] float32, CPU
};

struct LoraFile {
  Format format = Format::MagiCapture;
  std::vector<AdapterWeights> unet, text;  // in target order
  std::vector<TokenEmbedding> embeddings;  // in file order
  int64_t rank = 0;                        // the largest adapter rank (0: no adapters)
};

// What a file holds, from its header alone (no model needed): used to plan token ids before loading.
struct FileSummary {
  Format format = Format::MagiCapture;
  size_t unet_adapters = 0;
  size_t text_adapters = 0;
  int64_t rank = 0;
  std::vector<std::string> tokens;  // (c): `token` if given, else metadata "name", else the file name's stem
  std::map<std::string, std::string> metadata;
};

FileSummary inspect(const std::string& path, const std::string& embedding_token = "");

// Reads and validates `path` against the targets of the loaded UNet and text encoder and the width of its token
// embeddings. `embedding_token` names the token of an (c) file (default as in FileSummary::tokens).
LoraFile read(const std::string& path, const std::vector<Target>& unet, const std::vector<Target>& text,
              int64_t hidden_size, const std::string& embedding_token = "");

// Writers: the adapters attached to `unet` / `text` targets (their `up` as held: the runtime scale is never
// written) and the given embeddings. Files are written atomically.
// (a) needs either every target of a group or none of it (its indices cannot express a subset): otherwise
// EngineError(E_BAD_ARGUMENT). Nothing to write at all is also E_BAD_ARGUMENT.
void write_magicapture(const std::string& path, const std::vector<Target>& unet, const std::vector<Target>& text,
                       const std::vector<TokenEmbedding>& embeddings);
// (b) holds adapters only (A1111 loads embeddings from their own files, see write_embedding); alpha = rank.
void write_kohya(const std::string& path, const std::vector<Target>& unet, const std::vector<Target>& text);
// (c) one token: emb_params [1, hidden] fp32, metadata {"name": token}.
void write_embedding(const std::string& path, const TokenEmbedding& embedding);

// kohya's module key of a target path: "lora_unet_" / "lora_te_" + the path with dots replaced by underscores.
std::string kohya_key(Group group, const std::string& path);

}  // namespace mc::lora
