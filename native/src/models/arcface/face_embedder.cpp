#include "models/arcface/face_embedder.h"

#include <set>
#include <sstream>

#include "core/device.h"
#include "core/error.h"
#include "io/safetensors.h"
#include "models/weights.h"

namespace mc::models {

namespace {

constexpr const char* kHint =
    "Use an arcface_torch IResNet or MobileFaceNet backbone (backbone.pth converted to .safetensors on a trusted "
    "machine), or convert a released .onnx file (w600k_r50.onnx, glintr100.onnx, w600k_mbf.onnx) with "
    "convertArcfaceOnnx.";

std::string shape_text(at::IntArrayRef shape) {
  std::ostringstream out;
  out << shape;
  return out.str();
}

// arcface_torch saves `backbone.module.state_dict()`; a plain DataParallel save prefixes every key with "module.".
std::string common_prefix(const std::vector<io::TensorInfo>& tensors) {
  const std::string prefix = "module.";
  for (const auto& t : tensors) {
    if (t.name.rfind(prefix, 0) != 0) return "";
  }
  return tensors.empty() ? "" : prefix;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// load_weights fills parameters; BatchNorm running statistics are buffers, filled here. num_batches_tracked only
// matters in training and may be absent (ONNX conversions have none).
void load_buffers(torch::nn::Module& module, const std::map<std::string, torch::Tensor>& tensors,
                  std::set<std::string>& taken, const std::string& file) {
  torch::NoGradGuard no_grad;
  std::vector<std::string> missing, mismatched;
  for (auto& item : module.named_buffers(/*recurse=*/true)) {
    auto it = tensors.find(item.key());
    const bool optional = ends_with(item.key(), "num_batches_tracked");
    if (it == tensors.end()) {
      if (!optional) missing.push_back(item.key());
      continue;
    }
    taken.insert(item.key());
    if (it->second.numel() != item.value().numel() || (!optional && it->second.sizes() != item.value().sizes())) {
      mismatched.push_back(item.key() + ": expected " + shape_text(item.value().sizes()) + ", received " +
                           shape_text(it->second.sizes()));
      continue;
    }
    item.value().copy_(it->second.reshape(item.value().sizes()).to(item.value().scalar_type()));
  }
  require(mismatched.empty(), codes::kBadCheckpoint,
          file + ": " + std::to_string(mismatched.size()) + " BatchNorm statistics have the wrong shape, the first: " +
              (mismatched.empty() ? "" : mismatched.front()),
          kHint);
  require(missing.empty(), codes::kBadCheckpoint,
          file + ": " + std::to_string(missing.size()) + " BatchNorm statistics are missing, the first: " +
              (missing.empty() ? "" : missing.front()),
          kHint);
}

}  // namespace

FaceEmbedder FaceEmbedder::load(const std::string& path, const FaceEmbedderOptions& options) {
  const torch::Device device = parse_device(options.device);
  io::SafetensorsFile file = io::SafetensorsFile::open(path);
  const std::string prefix = common_prefix(file.tensors());
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const auto& t : file.tensors()) shapes[t.name.substr(prefix.size())] = t.shape;

  FaceEmbedderInfo info;
  info.path = path;
  auto meta = file.metadata().find(kArcFaceMetadataKey);
  if (meta != file.metadata().end()) {
    info.config = ArcFaceConfig::from_json(meta->second, path);
    info.config_source = "metadata";
  } else {
    info.config = infer_arcface_config(shapes, path);
    info.config_source = "inferred from weights";
  }
  info.device = device.str();
  info.fp16 = options.fp16 && device.is_cuda();

  FaceEmbedder embedder(info, device);
  std::shared_ptr<torch::nn::Module> module;
  if (info.config.architecture == ArcFaceArchitecture::IResNet) {
    embedder.iresnet_ = IResNet(info.config).ptr();
    module = embedder.iresnet_;
  } else {
    embedder.mobilefacenet_ = MobileFaceNet(info.config).ptr();
    module = embedder.mobilefacenet_;
  }

  std::map<std::string, torch::Tensor> tensors;
  for (const auto& t : file.tensors()) tensors[t.name.substr(prefix.size())] = file.load(t);
  const std::string component = path + " (" + info.config.describe() + ")";
  LoadReport report;
  try {
    report = load_weights(*module, tensors, component);
  } catch (const EngineError& e) {
    throw EngineError(e.code(), e.what(), kHint);  // load_weights' own hint speaks of Stable Diffusion
  }
  std::set<std::string> taken_buffers;
  load_buffers(*module, tensors, taken_buffers, component);
  for (const auto& key : report.unused) {
    if (!taken_buffers.count(key)) embedder.info_.unused_keys.push_back(prefix + key);
  }

  module->to(device);
  module->eval();
  for (auto& p : module->parameters()) {
    p.set_requires_grad(false);
    embedder.info_.parameters += p.numel();
  }
  return embedder;
}

torch::Tensor FaceEmbedder::embed(const torch::Tensor& aligned112) const {
  require(aligned112.defined() && aligned112.dim() == 4 && aligned112.size(0) >= 1 && aligned112.size(1) == 3 &&
              aligned112.size(2) == 112 && aligned112.size(3) == 112,
          codes::kBadArgument,
          "expected aligned faces of shape [B, 3, 112, 112] with B >= 1, received " +
              (aligned112.defined() ? shape_text(aligned112.sizes()) : std::string("an undefined tensor")),
          "Align each face to ArcFace's 112x112 template first (five landmarks, similarity transform).");
  require(aligned112.is_floating_point(), codes::kBadArgument,
          "expected a floating-point image in [-1, 1], received " + std::string(c10::toString(aligned112.scalar_type())));
  const torch::Tensor x = aligned112.to(device_, torch::kFloat);
  return iresnet_ ? iresnet_->forward(x, info_.fp16) : mobilefacenet_->forward(x, info_.fp16);
}

}  // namespace mc::models
