#include "lora/formats.h"

#include <algorithm>
#include <set>

#include "core/error.h"
#include "io/json.h"
#include "io/safetensors.h"
#include "lora/adapters.h"

namespace mc::lora {

namespace {

constexpr const char* kEmbedFlag = "<embed>";
constexpr const char* kOtherModelHint =
    "This file was made for a different base model; use it with the model it was trained on (MagiCapture "
    "adapters are made for Stable Diffusion 1.x).";
constexpr size_t kNamesShown = 4;

[[noreturn]] void bad(const std::string& path, const std::string& what, const std::string& hint = kOtherModelHint) {
  fail(codes::kBadCheckpoint, path + ": " + what, hint);
}

[[noreturn]] void unsupported(const std::string& path, const std::string& what, const std::string& hint) {
  fail(codes::kUnsupportedFormat, path + ": " + what, hint);
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

std::string listed(const std::vector<std::string>& names) {
  std::string s;
  for (size_t i = 0; i < std::min(names.size(), kNamesShown); ++i) s += (i ? ", " : "") + names[i];
  if (names.size() > kNamesShown) s += " and " + std::to_string(names.size() - kNamesShown) + " more";
  return s;
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

bool is_float(io::DType d) {
  return d == io::DType::F32 || d == io::DType::F16 || d == io::DType::BF16 || d == io::DType::F64;
}

std::string file_stem(const std::string& path) {
  const size_t slash = path.find_last_of("/\\");
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  const size_t dot = name.rfind('.');
  return dot == std::string::npos || dot == 0 ? name : name.substr(0, dot);
}

void check_token(const std::string& path, const std::string& token) {
  const bool ok = !token.empty() && token.size() <= 100 &&
                  std::none_of(token.begin(), token.end(), [](char c) { return static_cast<unsigned char>(c) <= ' '; });
  if (!ok) {
    bad(path, "expected a token name of 1 to 100 characters without spaces, received " + io::json::quote(token),
        "Rename the token in the file (or pass the token to use).");
  }
}

// Loads a float tensor as float32 and refuses NaN and infinity (they would turn every image black).
torch::Tensor load_float(const std::string& path, const io::SafetensorsFile& file, const io::TensorInfo& info) {
  if (!is_float(info.dtype)) {
    bad(path, "tensor " + io::json::quote(info.name) + ": expected F32, F16, BF16 or F64, received " +
                  io::dtype_name(info.dtype),
        io::kDamagedFileHint);
  }
  auto t = file.load(info).to(torch::kFloat);
  if (!torch::isfinite(t).all().item<bool>()) {
    bad(path, "tensor " + io::json::quote(info.name) + " holds NaN or infinite values",
        "The adapter diverged while training; export an earlier checkpoint.");
  }
  return t;
}

// ---- layout detection ----

struct OfficialKey {
  Group group = Group::Unet;
  size_t index = 0;
  bool up = false;
};

bool parse_official_key(const std::string& name, OfficialKey& out) {
  std::string rest;
  if (starts_with(name, "unet:")) {
    out.group = Group::Unet;
    rest = name.substr(5);
  } else if (starts_with(name, "text_encoder:")) {
    out.group = Group::TextEncoder;
    rest = name.substr(13);
  } else {
    return false;
  }
  const size_t colon = rest.find(':');
  if (colon == std::string::npos || colon == 0 || colon > 6) return false;
  const std::string index = rest.substr(0, colon), direction = rest.substr(colon + 1);
  if (!std::all_of(index.begin(), index.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
  if (direction != "up" && direction != "down") return false;
  out.index = std::stoul(index);
  out.up = direction == "up";
  return true;
}

enum class Family { Official, Kohya, EmbParams, Peft, Unknown };

Family classify(const std::string& name, const std::map<std::string, std::string>& metadata) {
  OfficialKey key;
  if (parse_official_key(name, key)) return Family::Official;
  const auto flag = metadata.find(name);
  if (flag != metadata.end() && flag->second == kEmbedFlag) return Family::Official;
  if (starts_with(name, "lora_unet_") || starts_with(name, "lora_te_") || starts_with(name, "lora_te1_") ||
      starts_with(name, "lora_te2_")) {
    return Family::Kohya;
  }
  if (name == "emb_params") return Family::EmbParams;
  if (name.find(".lora_A.") != std::string::npos || name.find(".lora_B.") != std::string::npos ||
      name.find("lora.down.weight") != std::string::npos || name.find("lora.up.weight") != std::string::npos) {
    return Family::Peft;
  }
  return Family::Unknown;
}

Format detect(const io::SafetensorsFile& file) {
  const std::string& path = file.path();
  if (file.tensors().empty()) bad(path, "holds no tensors; expected LoRA adapters or token embeddings", io::kDamagedFileHint);
  std::set<Family> families;
  std::vector<std::string> unknown, peft;
  for (const auto& t : file.tensors()) {
    const Family f = classify(t.name, file.metadata());
    if (f == Family::Unknown) unknown.push_back(t.name);
    if (f == Family::Peft) peft.push_back(t.name);
    if (f != Family::Unknown) families.insert(f);
  }
  if (!peft.empty()) {
    unsupported(path, "holds diffusers / PEFT LoRA tensors (" + listed(peft) + ")",
                "Convert it to the kohya format (lora_unet_... .lora_down.weight), which MagiCapture and A1111 read.");
  }
  if (families.size() > 1) {
    unsupported(path, "mixes tensors of several LoRA layouts (MagiCapture unet:{i}:up, kohya lora_unet_..., emb_params)",
                "Export the adapters again in one format.");
  }
  if (families.empty()) {
    unsupported(path, "is not a LoRA or embedding file: expected unet:{i}:up / lora_unet_... / emb_params tensors, "
                      "received " + listed(unknown),
                "Choose a MagiCapture LoRA, a kohya / A1111 LoRA or a textual-inversion embedding (.safetensors).");
  }
  switch (*families.begin()) {
    case Family::Official: return Format::MagiCapture;
    case Family::Kohya: return Format::Kohya;
    default: return Format::Embedding;
  }
}

// ---- (a) MagiCapture ----

void check_class_list(const std::string& path, const std::map<std::string, std::string>& metadata, Group group) {
  const auto it = metadata.find(group_name(group));
  if (it == metadata.end()) return;
  io::json::ParseOptions options;
  options.error_code = codes::kBadCheckpoint;
  options.context = "the \"" + std::string(group_name(group)) + "\" metadata of " + path;
  const auto list = io::json::parse(it->second, options);
  const auto& known = group == Group::Unet ? kUnetAncestorClasses : kTextAncestorClasses;
  if (!list.is_array()) {
    bad(path, "expected the \"" + it->first + "\" metadata to be a JSON list of class names", io::kDamagedFileHint);
  }
  for (const auto& item : list.items) {
    if (!item.is_string() || std::find(known.begin(), known.end(), item.text) == known.end()) {
      unsupported(path, "its " + it->first + " adapters target " + io::json::serialize(item) +
                            " modules; this engine applies adapters to " + listed(known) + " only",
                  "Retrain without the extended LoRA targets (ResnetBlock2D and other convolutions).");
    }
  }
}

struct OfficialPair {
  const io::TensorInfo* up = nullptr;
  const io::TensorInfo* down = nullptr;
};

// Checks one official adapter against its target and returns it as float32.
AdapterWeights official_adapter(const std::string& path, const io::SafetensorsFile& file, Group group, size_t index,
                                const OfficialPair& pair, const Target& target) {
  const std::string key = std::string(group_name(group)) + ":" + std::to_string(index);
  if (!pair.up || !pair.down) bad(path, "tensor " + key + (pair.up ? ":down" : ":up") + " is missing", io::kDamagedFileHint);
  const auto& d = pair.down->shape;
  const auto& u = pair.up->shape;
  const int64_t rank = d.size() == 2 ? d[0] : 0;
  const int64_t in = target.module->in_features(), out = target.module->out_features();
  if (d.size() != 2 || rank < 1 || d[1] != in) {
    bad(path, key + ":down (" + target.path + "): expected [rank, " + std::to_string(in) + "], received " + shape_text(d));
  }
  if (u != std::vector<int64_t>{out, rank}) {
    bad(path, key + ":up (" + target.path + "): expected " + shape_text({out, rank}) + ", received " + shape_text(u));
  }
  const auto stated = file.metadata().find(key + ":rank");
  if (stated != file.metadata().end() && stated->second != std::to_string(rank)) {
    bad(path, "metadata " + key + ":rank says " + io::json::quote(stated->second) + " but " + key +
                  ":down has rank " + std::to_string(rank),
        io::kDamagedFileHint);
  }
  return {index, load_float(path, file, *pair.down), load_float(path, file, *pair.up)};
}

std::vector<AdapterWeights> official_group(const std::string& path, const io::SafetensorsFile& file, Group group,
                                           const std::map<size_t, OfficialPair>& pairs,
                                           const std::vector<Target>& targets) {
  std::vector<AdapterWeights> out;
  if (pairs.empty()) return out;
  const std::string name = group_name(group);
  const std::string what = group == Group::Unet ? "UNet" : "text-encoder";
  const size_t last = pairs.rbegin()->first;
  if (last >= targets.size()) {
    bad(path, "tensor " + name + ":" + std::to_string(last) + " has no module to adapt: this model has " +
                  std::to_string(targets.size()) + " " + what + " adapter targets (" + name + ":0 to " + name + ":" +
                  std::to_string(targets.size() - 1) + ")");
  }
  if (pairs.size() != targets.size()) {
    size_t missing = 0;
    while (pairs.count(missing)) ++missing;
    bad(path, "expected " + std::to_string(targets.size()) + " " + what + " adapters (" + name + ":0 to " + name +
                  ":" + std::to_string(targets.size() - 1) + "), received " + std::to_string(pairs.size()) + "; " +
                  name + ":" + std::to_string(missing) + " (" + targets[missing].path + ") is missing");
  }
  for (const auto& [index, pair] : pairs) out.push_back(official_adapter(path, file, group, index, pair, targets[index]));
  return out;
}

TokenEmbedding read_embedding_tensor(const std::string& path, const io::SafetensorsFile& file,
                                     const io::TensorInfo& info, const std::string& token, int64_t hidden) {
  check_token(path, token);
  const auto& s = info.shape;
  const bool one = (s.size() == 1 && s[0] == hidden) || (s.size() == 2 && s[0] == 1 && s[1] == hidden);
  if (s.size() == 2 && s[0] > 1 && s[1] == hidden) {
    unsupported(path, "the embedding of " + io::json::quote(token) + " has " + std::to_string(s[0]) +
                          " vectors; only one vector per token is supported",
                "Train or export the embedding with one vector per token.");
  }
  if (!one) {
    bad(path, "the embedding of " + io::json::quote(token) + ": expected [" + std::to_string(hidden) + "] or [1, " +
                  std::to_string(hidden) + "], received " + shape_text(s));
  }
  return {token, load_float(path, file, info).reshape({hidden})};
}

LoraFile read_official(const io::SafetensorsFile& file, const std::vector<Target>& unet,
                       const std::vector<Target>& text, int64_t hidden) {
  const std::string& path = file.path();
  check_class_list(path, file.metadata(), Group::Unet);
  check_class_list(path, file.metadata(), Group::TextEncoder);
  std::map<size_t, OfficialPair> pairs[2];
  std::vector<const io::TensorInfo*> tokens;
  for (const auto& t : file.tensors()) {
    OfficialKey key;
    if (parse_official_key(t.name, key)) {
      auto& pair = pairs[key.group == Group::Unet ? 0 : 1][key.index];
      (key.up ? pair.up : pair.down) = &t;
      continue;
    }
    const auto flag = file.metadata().find(t.name);
    if (flag != file.metadata().end() && flag->second == kEmbedFlag) {
      tokens.push_back(&t);
      continue;
    }
    bad(path, "unknown tensor " + io::json::quote(t.name) +
                  ": expected unet:{i}:up/down, text_encoder:{i}:up/down or token embeddings marked \"<embed>\" in "
                  "the metadata",
        io::kDamagedFileHint);
  }
  LoraFile out;
  out.format = Format::MagiCapture;
  out.unet = official_group(path, file, Group::Unet, pairs[0], unet);
  out.text = official_group(path, file, Group::TextEncoder, pairs[1], text);
  for (const auto* t : tokens) out.embeddings.push_back(read_embedding_tensor(path, file, *t, t->name, hidden));
  return out;
}

// ---- (b) kohya ----

struct KohyaParts {
  const io::TensorInfo* down = nullptr;
  const io::TensorInfo* up = nullptr;
  const io::TensorInfo* alpha = nullptr;
};

std::string kohya_hint(const std::vector<std::string>& unknown) {
  for (const auto& name : unknown) {
    if (starts_with(name, "lora_te1_") || starts_with(name, "lora_te2_")) {
      return "This is an SDXL LoRA; MagiCapture works with Stable Diffusion 1.x LoRAs.";
    }
    if (name.find("input_blocks") != std::string::npos || name.find("output_blocks") != std::string::npos ||
        name.find("middle_block") != std::string::npos) {
      return "The file uses original Stable Diffusion (LDM) module names; re-save it with diffusers names "
             "(kohya sd-scripts' networks/lora.py does).";
    }
  }
  return "MagiCapture applies adapters to the attention projections (q/k/v/out), the GEGLU input projection and "
         "the CLIP self-attention only; retrain or convert the LoRA without the other modules.";
}

LoraFile read_kohya(const io::SafetensorsFile& file, const std::vector<Target>& unet, const std::vector<Target>& text) {
  const std::string& path = file.path();
  std::map<std::string, std::pair<Group, size_t>> lookup;
  for (size_t i = 0; i < unet.size(); ++i) lookup[kohya_key(Group::Unet, unet[i].path)] = {Group::Unet, i};
  for (size_t i = 0; i < text.size(); ++i) lookup[kohya_key(Group::TextEncoder, text[i].path)] = {Group::TextEncoder, i};

  std::map<std::pair<int, size_t>, KohyaParts> modules;
  std::vector<std::string> unknown, other_kinds;
  for (const auto& t : file.tensors()) {
    const size_t dot = t.name.find('.');
    const std::string module = t.name.substr(0, dot);
    const std::string part = dot == std::string::npos ? "" : t.name.substr(dot + 1);
    if (part != "lora_down.weight" && part != "lora_up.weight" && part != "alpha") {
      other_kinds.push_back(t.name);
      continue;
    }
    const auto it = lookup.find(module);
    if (it == lookup.end()) {
      if (std::find(unknown.begin(), unknown.end(), module) == unknown.end()) unknown.push_back(module);
      continue;
    }
    auto& parts = modules[{it->second.first == Group::Unet ? 0 : 1, it->second.second}];
    (part == "alpha" ? parts.alpha : part == "lora_up.weight" ? parts.up : parts.down) = &t;
  }
  if (!other_kinds.empty()) {
    unsupported(path, "holds tensors other than lora_down / lora_up / alpha (" + listed(other_kinds) +
                          "): LyCORIS, LoCon, LoHa, DoRA and bundled embeddings are not supported",
                "Use a plain LoRA (kohya networks.lora) file; load embeddings from their own files.");
  }
  if (!unknown.empty()) {
    bad(path, std::to_string(unknown.size()) + " modules are not adapter targets of this model: " + listed(unknown),
        kohya_hint(unknown));
  }
  LoraFile out;
  out.format = Format::Kohya;
  for (const auto& [key, parts] : modules) {
    const Group group = key.first == 0 ? Group::Unet : Group::TextEncoder;
    const Target& target = (group == Group::Unet ? unet : text)[key.second];
    const std::string name = kohya_key(group, target.path);
    if (!parts.down || !parts.up) {
      bad(path, "tensor " + name + (parts.down ? ".lora_up.weight" : ".lora_down.weight") + " is missing",
          io::kDamagedFileHint);
    }
    const auto& d = parts.down->shape;
    const auto& u = parts.up->shape;
    const int64_t rank = d.size() == 2 ? d[0] : 0;
    const int64_t in = target.module->in_features(), out_features = target.module->out_features();
    if (d.size() != 2 || rank < 1 || d[1] != in) {
      bad(path, name + ".lora_down.weight: expected [rank, " + std::to_string(in) + "], received " + shape_text(d));
    }
    if (u != std::vector<int64_t>{out_features, rank}) {
      bad(path, name + ".lora_up.weight: expected " + shape_text({out_features, rank}) + ", received " + shape_text(u));
    }
    double multiplier = 1.0;
    if (parts.alpha) {
      if (parts.alpha->numel() != 1) {
        bad(path, name + ".alpha: expected a single number, received shape " + shape_text(parts.alpha->shape),
            io::kDamagedFileHint);
      }
      multiplier = load_float(path, file, *parts.alpha).item<double>() / static_cast<double>(rank);
    }
    auto& group_out = group == Group::Unet ? out.unet : out.text;
    group_out.push_back({key.second, load_float(path, file, *parts.down), load_float(path, file, *parts.up) * multiplier});
  }
  if (out.unet.empty() && out.text.empty()) bad(path, "holds no adapters", io::kDamagedFileHint);
  return out;
}

// ---- (c) embedding ----

std::string embedding_token_of(const io::SafetensorsFile& file, const std::string& token) {
  if (!token.empty()) return token;
  const auto name = file.metadata().find("name");
  if (name != file.metadata().end() && !name->second.empty()) return name->second;
  return file_stem(file.path());
}

LoraFile read_embedding_file(const io::SafetensorsFile& file, int64_t hidden, const std::string& token) {
  const std::string& path = file.path();
  if (file.tensors().size() != 1) {
    bad(path, "expected one tensor, emb_params, in an embedding file, received " +
                  std::to_string(file.tensors().size()),
        io::kDamagedFileHint);
  }
  LoraFile out;
  out.format = Format::Embedding;
  out.embeddings.push_back(
      read_embedding_tensor(path, file, file.tensors().front(), embedding_token_of(file, token), hidden));
  return out;
}

int64_t max_rank(const LoraFile& file) {
  int64_t rank = 0;
  for (const auto* group : {&file.unet, &file.text})
    for (const auto& a : *group) rank = std::max(rank, a.down.size(0));
  return rank;
}

// ---- writing ----

torch::Tensor half(const torch::Tensor& t) { return t.detach().to(torch::kCPU, torch::kHalf).contiguous(); }

void require_some(const std::string& path, bool any) {
  require(any, codes::kBadArgument, "nothing to write to " + path + ": no adapters are attached and no embeddings given",
          "Load or train adapters first.");
}

}  // namespace

const char* format_name(Format format) {
  switch (format) {
    case Format::MagiCapture: return "magicapture";
    case Format::Kohya: return "kohya";
    default: return "embedding";
  }
}

Format parse_format(const std::string& name) {
  for (Format f : {Format::MagiCapture, Format::Kohya, Format::Embedding})
    if (name == format_name(f)) return f;
  fail(codes::kBadArgument, "expected a LoRA format magicapture, kohya or embedding, received " + io::json::quote(name));
}

std::string kohya_key(Group group, const std::string& path) {
  std::string key = path;
  std::replace(key.begin(), key.end(), '.', '_');
  return (group == Group::Unet ? "lora_unet_" : "lora_te_") + key;
}

FileSummary inspect(const std::string& path, const std::string& embedding_token) {
  const auto file = io::SafetensorsFile::open(path);
  FileSummary summary;
  summary.format = detect(file);
  summary.metadata = file.metadata();
  std::set<std::string> modules[2];
  for (const auto& t : file.tensors()) {
    OfficialKey key;
    if (summary.format == Format::MagiCapture && parse_official_key(t.name, key)) {
      modules[key.group == Group::Unet ? 0 : 1].insert(std::to_string(key.index));
      if (!key.up && !t.shape.empty()) summary.rank = std::max(summary.rank, t.shape[0]);
    } else if (summary.format == Format::MagiCapture && classify(t.name, file.metadata()) == Family::Official) {
      summary.tokens.push_back(t.name);  // marked "<embed>" in the metadata
    } else if (summary.format == Format::Kohya) {
      const std::string module = t.name.substr(0, t.name.find('.'));
      modules[starts_with(module, "lora_unet_") ? 0 : 1].insert(module);
      if (t.name.size() > module.size() && t.name.substr(module.size()) == ".lora_down.weight" && !t.shape.empty()) {
        summary.rank = std::max(summary.rank, t.shape[0]);
      }
    }
  }
  if (summary.format == Format::Embedding) summary.tokens.push_back(embedding_token_of(file, embedding_token));
  summary.unet_adapters = modules[0].size();
  summary.text_adapters = modules[1].size();
  return summary;
}

LoraFile read(const std::string& path, const std::vector<Target>& unet, const std::vector<Target>& text,
              int64_t hidden_size, const std::string& embedding_token) {
  const auto file = io::SafetensorsFile::open(path);
  LoraFile out;
  switch (detect(file)) {
    case Format::MagiCapture: out = read_official(file, unet, text, hidden_size); break;
    case Format::Kohya: out = read_kohya(file, unet, text); break;
    case Format::Embedding: out = read_embedding_file(file, hidden_size, embedding_token); break;
  }
  out.rank = max_rank(out);
  return out;
}

void write_magicapture(const std::string& path, const std::vector<Target>& unet, const std::vector<Target>& text,
                       const std::vector<TokenEmbedding>& embeddings) {
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  std::map<std::string, std::string> metadata;
  for (const Group group : {Group::Unet, Group::TextEncoder}) {
    const auto& targets = group == Group::Unet ? unet : text;
    const std::string name = group_name(group);
    const size_t attached = attached_count(targets);
    if (attached == 0) continue;
    require(attached == targets.size(), codes::kBadArgument,
            "the MagiCapture format stores every " + name + " target; " + std::to_string(attached) + " of " +
                std::to_string(targets.size()) + " carry an adapter",
            "Export this LoRA in the kohya format, which can hold a subset of the modules.");
    std::string classes;  // Python's json.dumps spacing, as the official writer produces it
    for (const auto& c : group == Group::Unet ? kUnetAncestorClasses : kTextAncestorClasses) {
      classes += (classes.empty() ? "" : ", ") + io::json::quote(c);
    }
    metadata[name] = "[" + classes + "]";
    for (size_t i = 0; i < targets.size(); ++i) {
      const auto& adapter = *targets[i].module->adapter();
      const std::string key = name + ":" + std::to_string(i);
      metadata[key + ":rank"] = std::to_string(adapter.down.size(0));
      tensors.emplace_back(key + ":up", half(adapter.up));      // [out, r]
      tensors.emplace_back(key + ":down", half(adapter.down));  // [r, in]
    }
  }
  for (const auto& e : embeddings) {
    check_token(path, e.token);
    require(metadata.count(e.token) == 0, codes::kBadArgument, "the token " + io::json::quote(e.token) + " is given twice");
    metadata[e.token] = kEmbedFlag;
    tensors.emplace_back(e.token, e.vector.detach().to(torch::kCPU, torch::kFloat).reshape({-1}).contiguous());
  }
  require_some(path, !tensors.empty());
  io::write_safetensors(path, tensors, metadata);
}

void write_kohya(const std::string& path, const std::vector<Target>& unet, const std::vector<Target>& text) {
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  int64_t rank = 0;
  for (const Group group : {Group::Unet, Group::TextEncoder}) {
    for (const auto& t : group == Group::Unet ? unet : text) {
      if (!t.module->adapter()) continue;
      const auto& adapter = *t.module->adapter();
      const std::string key = kohya_key(group, t.path);
      const int64_t r = adapter.down.size(0);
      rank = std::max(rank, r);
      // alpha = rank: the multiplier alpha / rank is 1, the adapter as held.
      tensors.emplace_back(key + ".alpha", torch::scalar_tensor(static_cast<double>(r), torch::kFloat));
      tensors.emplace_back(key + ".lora_down.weight", half(adapter.down));       // [r, in]
      tensors.emplace_back(key + ".lora_up.weight", half(adapter.up));           // [out, r]
    }
  }
  require_some(path, !tensors.empty());
  const std::map<std::string, std::string> metadata = {
      {"ss_network_module", "networks.lora"},
      {"ss_network_dim", std::to_string(rank)},
      {"ss_network_alpha", std::to_string(rank)},
      {"ss_base_model_version", "sd_v1"},
      {"ss_v2", "False"},
      {"ss_training_comment", "MagiCapture Studio export"},
  };
  io::write_safetensors(path, tensors, metadata);
}

void write_embedding(const std::string& path, const TokenEmbedding& embedding) {
  check_token(path, embedding.token);
  auto vector = embedding.vector.detach().to(torch::kCPU, torch::kFloat).reshape({1, -1}).contiguous();  // [1, hidden]
  io::write_safetensors(path, {{"emb_params", vector}}, {{"name", embedding.token}});
}

}  // namespace mc::lora
