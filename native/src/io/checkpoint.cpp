#include "io/checkpoint.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/error.h"
#include "io/json.h"
#include "io/ldm_keys.h"

namespace mc::io {

namespace fs = std::filesystem;

namespace {

constexpr const char* kLayoutHint =
    "choose a Stable Diffusion 1.x model: its diffusers folder (with unet/, vae/ and text_encoder/) or a single "
    ".safetensors file";
constexpr uint64_t kMaxConfigBytes = 1 << 20;

std::string lower_extension(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

bool is_pickle_extension(const std::string& ext) { return ext == ".ckpt" || ext == ".pt" || ext == ".pth" || ext == ".bin"; }

bool regular_file_at(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

bool directory_at(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

// Reads a small text file (config.json, model_index.json) and parses it as a JSON object.
json::Value read_json_object(const fs::path& path) {
  std::error_code ec;
  uint64_t size = fs::file_size(path, ec);
  if (ec) fail(codes::kBadCheckpoint, "cannot read " + path.string() + ": " + ec.message(), "check that the file is readable");
  if (size > kMaxConfigBytes)
    fail(codes::kBadCheckpoint,
         path.string() + ": expected a JSON config of at most " + std::to_string(kMaxConfigBytes) + " bytes, received " +
             std::to_string(size),
         "the model's configuration files are damaged; re-download the model");
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) fail(codes::kBadCheckpoint, "cannot read " + path.string(), "check that the file is readable");
  json::ParseOptions opts;
  opts.max_bytes = kMaxConfigBytes;
  opts.error_code = codes::kBadCheckpoint;
  opts.context = path.string();
  opts.hint = "the model's configuration files are damaged; re-download the model";
  json::Value v = json::parse(text, opts);
  if (!v.is_object())
    fail(codes::kBadCheckpoint, path.string() + ": expected a JSON object, received " + json::serialize(v).substr(0, 80), opts.hint);
  return v;
}

std::vector<int64_t> linear_shape(const TensorInfo& info) {
  const auto& s = info.shape;
  if (s.size() == 4 && s[2] == 1 && s[3] == 1) return {s[0], s[1]};
  return {};
}

void add_mapped(ComponentPlan& plan, const KeyMapping& m, const SafetensorsFile& file) {
  const TensorInfo* info = file.find(m.source);
  TensorSource src{file.path(), m.source, *info, m.conv1x1_to_linear ? linear_shape(*info) : std::vector<int64_t>{}};
  if (!plan.tensors.emplace(m.target, std::move(src)).second)
    fail(codes::kBadCheckpoint,
         file.path() + ": two tensors map to the " + component_name(m.component) + " parameter \"" + m.target + "\"",
         "the model folder mixes two weight files; use a clean copy of the model");
}

ComponentPlan& component_of(CheckpointPlan& plan, Component c) {
  switch (c) {
    case Component::Unet: return plan.unet;
    case Component::Vae: return plan.vae;
    case Component::TextEncoder: return plan.text_encoder;
  }
  return plan.unet;
}

[[noreturn]] void refuse_pickle(const std::string& path) {
  fail(codes::kPickleRefused, path + " is a pickle checkpoint, which MagiCapture refuses to open", kPickleHint);
}

// ---- LDM single file -------------------------------------------------------------------------------------------

void read_embedded_configs(CheckpointPlan& plan) {
  auto it = plan.metadata.find("magicapture.configs");
  if (it == plan.metadata.end()) return;
  json::ParseOptions opts;
  opts.max_bytes = 16u << 20;
  opts.error_code = codes::kBadCheckpoint;
  opts.context = plan.path + ": metadata \"magicapture.configs\"";
  opts.hint = kDamagedFileHint;
  json::Value configs = json::parse(it->second, opts);
  if (!configs.is_object())
    fail(codes::kBadCheckpoint, opts.context + ": expected an object with unet, vae and text_encoder configs", kDamagedFileHint);
  for (Component c : {Component::Unet, Component::Vae, Component::TextEncoder}) {
    const json::Value* config = configs.find(component_name(c));
    if (!config) continue;
    if (!config->is_object())
      fail(codes::kBadCheckpoint,
           opts.context + ": expected \"" + component_name(c) + "\" to be an object, received " +
               json::serialize(*config).substr(0, 80),
           kDamagedFileHint);
    component_of(plan, c).config_json = json::serialize(*config);
  }
}

CheckpointPlan plan_ldm_file(const std::string& path) {
  SafetensorsFile file = SafetensorsFile::open(path);
  CheckpointPlan plan;
  plan.layout = CheckpointLayout::LdmSingleFile;
  plan.path = path;
  plan.metadata = file.metadata();

  std::vector<std::string> keys;
  keys.reserve(file.tensors().size());
  for (const auto& t : file.tensors()) keys.push_back(t.name);
  KeyConversion conversion = convert_ldm_keys(keys);
  for (const auto& m : conversion.mapped) add_mapped(component_of(plan, m.component), m, file);
  plan.unused_keys = std::move(conversion.unused);
  std::sort(plan.unused_keys.begin(), plan.unused_keys.end());

  std::string missing;
  if (plan.unet.tensors.empty()) missing += "UNet (model.diffusion_model.*)";
  if (plan.vae.tensors.empty()) missing += std::string(missing.empty() ? "" : ", ") + "VAE (first_stage_model.*)";
  if (plan.text_encoder.tensors.empty())
    missing += std::string(missing.empty() ? "" : ", ") + "CLIP text encoder (cond_stage_model.transformer.*)";
  if (!missing.empty()) {
    auto has_prefix = [&](const char* prefix) {
      return std::any_of(keys.begin(), keys.end(), [&](const std::string& k) { return k.rfind(prefix, 0) == 0; });
    };
    std::string guess;
    if (has_prefix("conditioner.embedders.")) guess = " (it looks like a Stable Diffusion XL checkpoint)";
    else if (has_prefix("cond_stage_model.model.")) guess = " (it looks like a Stable Diffusion 2.x checkpoint)";
    else if (has_prefix("lora_") || has_prefix("lora_unet_")) guess = " (it looks like a LoRA, not a full model)";
    fail(codes::kUnsupportedFormat,
         path + ": expected a Stable Diffusion 1.x checkpoint with UNet, VAE and CLIP text encoder weights; found no " +
             missing + guess,
         kLayoutHint);
  }
  read_embedded_configs(plan);
  return plan;
}

// ---- diffusers folder ------------------------------------------------------------------------------------------

fs::path find_weights(const fs::path& dir) {
  for (const char* name : {"diffusion_pytorch_model.safetensors", "model.safetensors",
                           "diffusion_pytorch_model.fp16.safetensors", "model.fp16.safetensors"}) {
    if (regular_file_at(dir / name)) return dir / name;
  }
  std::vector<fs::path> safetensors;
  bool pickle = false, sharded = false;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    std::string name = p.filename().string();
    std::string ext = lower_extension(p);
    if (name.size() > 11 && name.substr(name.size() - 11) == ".index.json") sharded = true;
    if (!regular_file_at(p)) continue;
    if (ext == ".safetensors") safetensors.push_back(p);
    if (is_pickle_extension(ext)) pickle = true;
  }
  if (ec) fail(codes::kFileNotFound, "cannot list " + dir.string() + ": " + ec.message(), "check that the folder is readable");
  if (sharded)
    fail(codes::kUnsupportedFormat, dir.string() + ": sharded weights (*.index.json) are not supported",
         "save the model with one weight file per component (diffusers save_pretrained(max_shard_size=\"10GB\"))");
  if (safetensors.size() == 1) return safetensors.front();
  if (safetensors.size() > 1)
    fail(codes::kUnsupportedFormat,
         dir.string() + ": expected one weight file (diffusion_pytorch_model.safetensors or model.safetensors), found " +
             std::to_string(safetensors.size()) + " .safetensors files",
         "keep only the weight file of the variant you want in that folder");
  if (pickle)
    fail(codes::kPickleRefused,
         dir.string() + " only has pickle weights (.bin/.ckpt), which MagiCapture refuses to open", kPickleHint);
  fail(codes::kUnsupportedFormat, dir.string() + ": expected a .safetensors weight file, found none", kLayoutHint);
}

CheckpointPlan plan_diffusers_folder(const std::string& path) {
  const fs::path root(path);
  CheckpointPlan plan;
  plan.layout = CheckpointLayout::DiffusersFolder;
  plan.path = path;

  std::string missing;
  for (const char* sub : {"unet", "vae", "text_encoder"})
    if (!directory_at(root / sub)) missing += std::string(missing.empty() ? "" : ", ") + sub + "/";
  if (!missing.empty())
    fail(codes::kUnsupportedFormat,
         path + ": expected a diffusers model folder with unet/, vae/ and text_encoder/ subfolders; missing " + missing,
         kLayoutHint);
  if (regular_file_at(root / "model_index.json")) read_json_object(root / "model_index.json");

  for (Component c : {Component::Unet, Component::Vae, Component::TextEncoder}) {
    const fs::path dir = root / component_name(c);
    SafetensorsFile file = SafetensorsFile::open(find_weights(dir).string());
    std::vector<std::string> keys;
    keys.reserve(file.tensors().size());
    for (const auto& t : file.tensors()) keys.push_back(t.name);
    KeyConversion conversion = convert_diffusers_keys(c, keys);
    ComponentPlan& component = component_of(plan, c);
    for (const auto& m : conversion.mapped) add_mapped(component, m, file);
    for (const auto& k : conversion.unused) plan.unused_keys.push_back(std::string(component_name(c)) + "/" + k);
    for (const auto& [k, v] : file.metadata()) plan.metadata.emplace(k, v);
    if (component.tensors.empty())
      fail(codes::kUnsupportedFormat, file.path() + ": expected the " + std::string(component_name(c)) + " weights, found no tensors",
           kLayoutHint);
    if (regular_file_at(dir / "config.json")) component.config_json = json::serialize(read_json_object(dir / "config.json"));
  }
  std::sort(plan.unused_keys.begin(), plan.unused_keys.end());
  const fs::path tokenizer = root / "tokenizer";
  if (regular_file_at(tokenizer / "vocab.json") && regular_file_at(tokenizer / "merges.txt")) plan.tokenizer_dir = tokenizer.string();
  return plan;
}

}  // namespace

const char* layout_name(CheckpointLayout layout) {
  return layout == CheckpointLayout::DiffusersFolder ? "diffusers" : "ldm";
}

CheckpointPlan plan_checkpoint(const std::string& path) {
  require(!path.empty(), codes::kBadArgument, "expected a model path, received an empty string");
  std::error_code ec;
  fs::file_status status = fs::status(path, ec);
  if ((ec && ec != std::errc::no_such_file_or_directory && ec != std::errc::not_a_directory))
    fail(codes::kFileNotFound, "cannot access " + path + ": " + ec.message(), "check that the model is readable");
  if (ec || !fs::exists(status))
    fail(codes::kFileNotFound, "model not found: " + path, "check the path; the model may have been moved or deleted");
  if (fs::is_directory(status)) return plan_diffusers_folder(path);
  std::string ext = lower_extension(fs::path(path));
  if (is_pickle_extension(ext)) refuse_pickle(path);
  if (ext == ".safetensors") return plan_ldm_file(path);
  fail(codes::kUnsupportedFormat,
       "expected a diffusers model folder or a .safetensors file, received " + path +
           (ext.empty() ? std::string() : " (" + ext + ")"),
       kLayoutHint);
}

std::map<std::string, torch::Tensor> load_component(const ComponentPlan& plan) {
  std::map<std::string, std::vector<std::pair<const std::string*, const TensorSource*>>> by_file;
  for (const auto& [name, src] : plan.tensors) by_file[src.file].emplace_back(&name, &src);
  std::map<std::string, torch::Tensor> out;
  for (const auto& [path, entries] : by_file) {
    SafetensorsFile file = SafetensorsFile::open(path);
    for (const auto& [name, src] : entries) {
      torch::Tensor t = file.load(src->info);
      if (!src->reshape_to.empty()) {
        int64_t numel = 1;
        for (int64_t d : src->reshape_to) numel *= d;
        require(numel == t.numel(), codes::kInternal,
                "cannot reshape " + src->key + " to the planned shape (element counts differ)");
        t = t.reshape(src->reshape_to);
      }
      out.emplace(*name, std::move(t));
    }
  }
  return out;
}

}  // namespace mc::io
