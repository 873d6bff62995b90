// Engine::open: plan the checkpoint (headers only), build each model from its config, then load its weights.
#include <chrono>

#include "core/device.h"
#include "core/error.h"
#include "io/checkpoint.h"
#include "magicapture/engine.h"
#include "models/configs.h"
#include "models/weights.h"

namespace mc {

namespace {

models::ShapeMap shapes_of(const io::ComponentPlan& plan) {
  models::ShapeMap shapes;
  for (const auto& [key, source] : plan.tensors) {
    shapes[key] = source.reshape_to.empty() ? source.info.shape : source.reshape_to;
  }
  return shapes;
}

// The JSON object stored under a single file's "magicapture.configs" metadata, or diffusers' config.json text.
template <typename Config>
Config component_config(const io::ComponentPlan& plan, Config (*from_json)(const std::string&),
                        Config (*infer)(const models::ShapeMap&), ComponentInfo& info) {
  if (!plan.config_json.empty()) {
    info.config_source = "provided";
    return from_json(plan.config_json);
  }
  info.config_source = "inferred from weights";
  return infer(shapes_of(plan));
}

template <typename Module>
void load_component(Module& module, const io::ComponentPlan& plan, const std::string& name, ComponentInfo& info,
                    const torch::Device& device, torch::ScalarType dtype) {
  auto tensors = io::load_component(plan);
  auto report = models::load_weights(*module, tensors, name);
  info.unused_keys = report.unused;
  for (const auto& p : module->parameters()) info.parameters += p.numel();
  module->to(device, dtype);
  module->eval();
  for (auto& p : module->parameters()) p.set_requires_grad(false);
}

}  // namespace

std::shared_ptr<Engine> Engine::open(const std::string& path, const OpenOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  std::shared_ptr<Engine> engine(new Engine());
  engine->device_ = parse_device(options.device);
  engine->dtype_ = parse_dtype(options.dtype, engine->device_);

  auto plan = io::plan_checkpoint(path);
  auto& info = engine->info_;
  info.path = path;
  info.layout = plan.layout == io::CheckpointLayout::DiffusersFolder ? "diffusers" : "ldm";
  info.device = options.device;
  info.dtype = dtype_name(engine->dtype_);
  info.tokenizer_dir = plan.tokenizer_dir;
  info.unused_keys = plan.unused_keys;

  info.unet_config = component_config(plan.unet, models::unet_config_from_json, models::infer_unet_config, info.unet);
  info.vae_config = component_config(plan.vae, models::vae_config_from_json, models::infer_vae_config, info.vae);
  info.text_config =
      component_config(plan.text_encoder, models::clip_config_from_json, models::infer_clip_config, info.text_encoder);
  require(info.unet_config.in_channels == 4 && info.unet_config.out_channels == 4, codes::kBadCheckpoint,
          "UNet: expected 4 input and output channels, received " + std::to_string(info.unet_config.in_channels) +
              " and " + std::to_string(info.unet_config.out_channels),
          "Inpainting and other special checkpoints are not supported; use a plain SD1.5 checkpoint.");
  require(info.unet_config.cross_attention_dim == info.text_config.hidden_size, codes::kBadCheckpoint,
          "expected the UNet's cross_attention_dim (" + std::to_string(info.unet_config.cross_attention_dim) +
              ") to equal the text encoder width (" + std::to_string(info.text_config.hidden_size) + ")",
          "The UNet and text encoder come from different models.");

  engine->unet = models::UNet2DConditionModel(info.unet_config);
  load_component(engine->unet, plan.unet, "UNet", info.unet, engine->device_, engine->dtype_);
  engine->vae = models::AutoencoderKL(info.vae_config);
  load_component(engine->vae, plan.vae, "VAE", info.vae, engine->device_, engine->dtype_);
  engine->text_encoder = models::ClipTextModel(info.text_config);
  load_component(engine->text_encoder, plan.text_encoder, "text encoder", info.text_encoder, engine->device_,
                 engine->dtype_);

  info.load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return engine;
}

}  // namespace mc
