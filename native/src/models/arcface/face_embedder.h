// FaceEmbedder: an arcface_torch face-recognition network loaded from .safetensors, frozen, in eval mode.
// The identity loss backpropagates through it into the generated image, so embed() is differentiable with respect
// to its input while the network's own weights never require gradients.
#pragma once
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "models/arcface/arcface_config.h"
#include "models/arcface/iresnet.h"
#include "models/arcface/mobilefacenet.h"

namespace mc::models {

struct FaceEmbedderOptions {
  std::string device = "cpu";  // "cpu", "cuda", "cuda:N"
  // CUDA only: run the trunk under fp16 autocast with fc/features in fp32, as arcface_torch's fp16=True (which is
  // how MagiCapture's ArcFace-R100 runs). Ignored on the CPU, which always computes in fp32.
  bool fp16 = false;
};

struct FaceEmbedderInfo {
  std::string path;
  ArcFaceConfig config;
  std::string config_source;  // "metadata" (magicapture.arcface) or "inferred from weights"
  std::string device;
  bool fp16 = false;  // effective: requested and on CUDA
  int64_t parameters = 0;
  std::vector<std::string> unused_keys;  // checkpoint tensors no parameter or buffer took (num_batches_tracked aside)
};

class FaceEmbedder {
 public:
  // Reads `path` (.safetensors, any float dtype), infers or reads the architecture, builds it on the device and
  // loads every parameter and BatchNorm statistic. Throws EngineError: E_FILE_NOT_FOUND, E_PICKLE_REFUSED,
  // E_BAD_CHECKPOINT (not an ArcFace network, missing or mis-shaped tensors), E_DEVICE.
  static FaceEmbedder load(const std::string& path, const FaceEmbedderOptions& options = {});
  static FaceEmbedder load(const std::string& path, const std::string& device) {
    FaceEmbedderOptions options;
    options.device = device;
    return load(path, options);
  }

  // [B, 3, 112, 112] aligned faces in [-1, 1] (any float dtype, any device) -> [B, embedding_size] float32 on the
  // network's device, not L2-normalised. Differentiable with respect to `aligned112`. Throws E_BAD_ARGUMENT for
  // another shape.
  torch::Tensor embed(const torch::Tensor& aligned112) const;

  const FaceEmbedderInfo& info() const { return info_; }
  const ArcFaceConfig& config() const { return info_.config; }
  torch::Device device() const { return device_; }

 private:
  FaceEmbedder(FaceEmbedderInfo info, torch::Device device) : info_(std::move(info)), device_(device) {}

  FaceEmbedderInfo info_;
  torch::Device device_;
  std::shared_ptr<IResNetImpl> iresnet_;
  std::shared_ptr<MobileFaceNetImpl> mobilefacenet_;
};

}  // namespace mc::models
