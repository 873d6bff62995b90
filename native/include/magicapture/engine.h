// The engine's C++ API: open a Stable Diffusion 1.x checkpoint on a device and dtype, then sample from it.
// No N-API here; binding/ translates this to JavaScript and native/lib validates every argument first.
#pragma once
#include <torch/torch.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "lora/engine_adapters.h"
#include "models/clip/clip_text_model.h"
#include "models/common/attention_store.h"
#include "models/unet/unet_2d_condition.h"
#include "models/vae/autoencoder_kl.h"

namespace mc {

struct OpenOptions {
  std::string device = "cpu";
  std::string dtype = "fp32";
};

struct ComponentInfo {
  int64_t parameters = 0;
  std::string config_source;  // "provided" (config.json / file metadata) or "inferred from weights"
  std::vector<std::string> unused_keys;
};

struct ModelInfo {
  std::string path;
  std::string layout;  // "diffusers" or "ldm"
  std::string device;
  std::string dtype;
  std::string tokenizer_dir;  // empty: the checkpoint has no tokenizer; use the bundled CLIP vocabulary
  std::vector<std::string> unused_keys;
  ComponentInfo unet, vae, text_encoder;
  models::UNetConfig unet_config;
  models::VaeConfig vae_config;
  models::ClipTextConfig text_config;
  double load_seconds = 0;
};

struct SampleRequest {
  // Token ids, one row of 77 per prompt (tokenised by the facade). negative_ids: one row per prompt.
  std::vector<std::vector<int64_t>> prompt_ids;
  std::vector<std::vector<int64_t>> negative_ids;
  int64_t images_per_prompt = 1;
  int64_t width = 512;
  int64_t height = 512;
  int steps = 30;
  double guidance_scale = 7.0;
  std::string sampler = "euler_a";
  uint64_t seed = 0;
  // img2img: [1 or P, 3, H, W] in [0, 1] on the CPU, and how much of the schedule to run.
  std::optional<torch::Tensor> init_image;
  double strength = 0.75;
  bool return_latents = false;
  std::optional<models::AttentionCaptureSpec> attention;
};

struct SampleProgress {
  int step = 0;   // steps done in this run
  int total = 0;  // steps this run will do (fewer than `steps` for img2img)
  double elapsed_seconds = 0;
};

struct SampleResult {
  torch::Tensor images;   // [N, 3, H, W] float32 in [0, 1], CPU
  torch::Tensor latents;  // [N, 4, H/8, W/8] float32, CPU (when requested)
  std::vector<models::CapturedMap> attention;
  std::vector<double> timesteps;
};

using ProgressFn = std::function<void(const SampleProgress&)>;

class Engine {
 public:
  static std::shared_ptr<Engine> open(const std::string& path, const OpenOptions& options);

  const ModelInfo& info() const { return info_; }
  torch::Device device() const { return device_; }
  torch::ScalarType dtype() const { return dtype_; }

  // One job at a time per engine; `cancel` is polled between steps (mc::EngineError E_CANCELLED).
  SampleResult sample(const SampleRequest& request, const ProgressFn& progress, const std::atomic<bool>* cancel);

  // [B, 77] token ids -> [B, 77, hidden] on the engine's device and dtype.
  torch::Tensor encode_text(const std::vector<std::vector<int64_t>>& ids);

  models::UNet2DConditionModel unet{nullptr};
  models::AutoencoderKL vae{nullptr};
  models::ClipTextModel text_encoder{nullptr};

  // ---- LoRA adapters and placeholder-token embeddings (src/pipelines/engine_lora.cpp; see src/lora/) ----
  // Each waits for a running sample() to finish. load_adapters reads and validates the whole file first, so a bad
  // file changes nothing. A LoRA file (magicapture, kohya) replaces the adapters already attached; every file's
  // token embeddings are written at the ids in options.token_ids (decided by the facade's tokenizer).
  lora::AdapterStatus load_adapters(const std::string& path, const lora::LoadOptions& options);
  lora::AdapterStatus set_adapter_scales(double unet_scale, double text_scale);
  // Detaches every adapter and restores the token-embedding matrix as opened.
  lora::AdapterStatus clear_adapters();
  // Writes the attached adapters and the placeholder embeddings; format Embedding writes `token` only (default:
  // the only placeholder token).
  void save_adapters(const std::string& path, lora::Format format, const std::string& token = "");
  // Fresh trainable adapters on every target of both models (a training run's start; lora::inject), replacing any.
  lora::AdapterStatus inject_adapters(const lora::InjectOptions& options, uint64_t seed);
  // Writes placeholder rows directly (a trainer's learned embeddings), recorded like loaded ones.
  void set_token_embeddings(const std::vector<std::pair<lora::TokenEmbedding, int64_t>>& rows);
  lora::AdapterStatus adapter_status();

 private:
  lora::AdapterStatus refresh_adapter_status();  // recounts attached adapters and tokens; job_mutex_ held
  lora::EngineAdapterState adapters_;
  // ---- end of the LoRA block ----

  Engine() = default;
  ModelInfo info_;
  torch::Device device_{torch::kCPU};
  torch::ScalarType dtype_ = torch::kFloat;
  std::mutex job_mutex_;
};

}  // namespace mc
