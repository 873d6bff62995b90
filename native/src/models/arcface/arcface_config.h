// The one documented configuration of the ArcFace face-recognition backbones of insightface's arcface_torch
// (backbones/iresnet.py, backbones/mobilefacenet.py). Defaults are IResNet-100, MagiCapture's identity network.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mc::models {

enum class ArcFaceArchitecture { IResNet, MobileFaceNet };

// The safetensors metadata key that holds ArcFaceConfig::to_json() (written by the ONNX converter).
inline constexpr const char* kArcFaceMetadataKey = "magicapture.arcface";

struct ArcFaceConfig {
  ArcFaceArchitecture architecture = ArcFaceArchitecture::IResNet;
  // IResNet: blocks per stage (r18 {2,2,2,2}, r34 {3,4,6,3}, r50 {3,4,14,3}, r100 {3,13,30,3}, r200 {6,26,60,6}).
  // MobileFaceNet: blocks of the four residual groups (mbf {1,4,6,2}, mbf_large {2,8,12,4}); a first entry of 1
  // is arcface_torch's single grouped ConvBlock instead of a Residual group.
  std::vector<int64_t> layers{3, 13, 30, 3};
  // arcface_torch hard-codes the widths 64/128/256/512 (and MobileFaceNet's group counts); they are base_width x
  // 1/2/4/8 here, so tests can build a narrow copy with the very same structure.
  int64_t base_width = 64;
  // MobileFaceNet's multiplier on the widths of its first groups (mbf 2, mbf_large 4). IResNet: always 1.
  int64_t scale = 1;
  int64_t embedding_size = 512;
  // Every BatchNorm that directly follows a convolution is folded into it: the convolution has a bias and the
  // BatchNorm is absent. This is what constant-folded ONNX exports (insightface's released .onnx files) hold.
  bool folded = false;

  static ArcFaceConfig iresnet(std::vector<int64_t> layers, int64_t base_width = 64, int64_t embedding_size = 512);
  static ArcFaceConfig mobilefacenet(std::vector<int64_t> blocks = {1, 4, 6, 2}, int64_t scale = 2,
                                     int64_t base_width = 64, int64_t embedding_size = 512);

  // Throws mc::EngineError (E_BAD_CHECKPOINT) naming the field when the config cannot describe a network we build.
  void validate() const;
  // "iresnet layers [3,13,30,3], base width 64, embedding 512" (+ ", folded batch norms").
  std::string describe() const;
  // {"architecture":"iresnet","layers":[...],"baseWidth":64,"scale":1,"embeddingSize":512,"folded":false}
  std::string to_json() const;
  static ArcFaceConfig from_json(const std::string& text, const std::string& file);
};

const char* architecture_name(ArcFaceArchitecture architecture);  // "iresnet" / "mobilefacenet"

// Infers the config from the state-dict keys and shapes of an arcface_torch backbone (backbone.pth converted to
// safetensors) or of a converted ONNX file. Throws E_BAD_CHECKPOINT when the keys are neither network's.
ArcFaceConfig infer_arcface_config(const std::map<std::string, std::vector<int64_t>>& shapes, const std::string& file);

}  // namespace mc::models
