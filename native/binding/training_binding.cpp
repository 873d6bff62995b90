// JS surface of training: trainRun(engineHandle, request, onProgress, jobId) -> Promise<summary>,
// trainCancel(jobId), and trainingMath.* — the loss and alignment functions, for tests against hand values.
#include <atomic>
#include <map>
#include <mutex>

#include "background_job.h"
#include "convert.h"
#include "engine_handle.h"
#include "io/safetensors.h"
#include "lora/formats.h"
#include "models/arcface/face_embedder.h"
#include "register.h"
#include "training/face_warp.h"
#include "training/losses.h"
#include "training/trainer.h"

namespace mc::binding {

namespace {

using training::TrainConfig;

std::mutex cancel_mutex;
std::map<double, std::shared_ptr<std::atomic<bool>>> cancel_flags;

training::TrainImage train_image(const Napi::Value& value, const std::string& what) {
  expect(value.IsObject(), "expected " + what + " to be {image, faceMask, landmarks?}");
  auto o = value.As<Napi::Object>();
  training::TrainImage image;
  image.image = to_tensor(o.Get("image"), what + ".image");
  image.face_mask = to_tensor(o.Get("faceMask"), what + ".faceMask");
  expect(image.image.dim() == 3 && image.image.size(0) == 3, "expected " + what + ".image as [3, H, W]");
  expect(image.face_mask.dim() == 3 && image.face_mask.size(0) == 1 &&
             image.face_mask.size(1) == image.image.size(1) && image.face_mask.size(2) == image.image.size(2),
         "expected " + what + ".faceMask as [1, H, W] matching the image");
  if (!o.Get("landmarks").IsUndefined()) {
    auto landmarks = to_tensor(o.Get("landmarks"), what + ".landmarks");
    expect(landmarks.numel() == 10, "expected " + what + ".landmarks to hold 5 points");
    image.landmarks = landmarks.view({5, 2}).to(torch::kDouble);
  }
  return image;
}

std::vector<training::TrainImage> train_images(const Napi::Value& value, const std::string& what) {
  expect(value.IsArray(), "expected " + what + " to be an array of images");
  std::vector<training::TrainImage> out;
  auto array = value.As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); ++i) out.push_back(train_image(array.Get(i), what + "[" + std::to_string(i) + "]"));
  return out;
}

TrainConfig train_config(const Napi::Value& value) {
  TrainConfig c = TrainConfig();
  if (!value.IsObject()) return c;
  auto o = value.As<Napi::Object>();
  if (get_bool(o, "official", false)) c = TrainConfig::official();
  c.steps_ti = static_cast<int>(get_number(o, "stepsTi", c.steps_ti));
  c.steps_lora = static_cast<int>(get_number(o, "stepsLora", c.steps_lora));
  c.rank = static_cast<int64_t>(get_number(o, "rank", static_cast<double>(c.rank)));
  c.lr_ti = get_number(o, "lrTi", c.lr_ti);
  c.lr_unet = get_number(o, "lrUnet", c.lr_unet);
  c.lr_text = get_number(o, "lrText", c.lr_text);
  c.lr_embedding = get_number(o, "lrEmbedding", c.lr_embedding);
  c.lambda_id = get_number(o, "lambdaId", c.lambda_id);
  c.lambda_attn = get_number(o, "lambdaAttn", c.lambda_attn);
  c.lambda_style = get_number(o, "lambdaStyle", c.lambda_style);
  c.seed = static_cast<uint64_t>(get_number(o, "seed", static_cast<double>(c.seed)));
  c.checkpoint_every = static_cast<int>(get_number(o, "checkpointEvery", c.checkpoint_every));
  c.attention_loss = get_bool(o, "attentionLoss", c.attention_loss);
  c.only_placeholder_rows = get_bool(o, "onlyPlaceholderRows", c.only_placeholder_rows);
  c.resample_augmentation = get_bool(o, "resampleAugmentation", c.resample_augmentation);
  c.id_loss_on_instance = get_bool(o, "idLossOnInstance", c.id_loss_on_instance);
  c.scheduler_before_update = get_bool(o, "schedulerBeforeUpdate", c.scheduler_before_update);
  c.validate();
  return c;
}

struct RunSummary {
  int steps = 0;
  torch::Tensor rows;
  std::map<std::string, double> losses;
  size_t adapters = 0;
};

Napi::Value TrainRun(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  return GuardNative(env, [&]() -> Napi::Value {
    expect(info.Length() >= 2 && info[1].IsObject(), "expected trainRun(engine, request, onProgress?, jobId?)");
    auto engine = EngineOf(env, info[0]);
    auto o = info[1].As<Napi::Object>();
    auto inputs = std::make_shared<training::TrainInputs>();
    inputs->sources = train_images(o.Get("sources"), "sources");
    inputs->references = train_images(o.Get("references"), "references");
    inputs->instance_prompts = to_int_rows(o.Get("instancePrompts"), "instancePrompts");
    inputs->style_prompts = to_int_rows(o.Get("stylePrompts"), "stylePrompts");
    inputs->composed_prompts = to_int_rows(o.Get("composedPrompts"), "composedPrompts");
    inputs->identity_token = static_cast<int64_t>(get_number(o, "identityToken", -1));
    inputs->style_token = static_cast<int64_t>(get_number(o, "styleToken", -1));
    inputs->initializer_token = static_cast<int64_t>(get_number(o, "initializerToken", -1));
    auto config = train_config(o.Get("config"));
    const std::string checkpoint = get_string(o, "checkpointPath", "");
    const bool resume = get_bool(o, "resume", false);
    const std::string output = get_string(o, "outputDir", "");
    const std::string arcface = get_string(o, "arcfacePath", "");
    const std::string identity_name = get_string(o, "identityName", "<sks>");
    const std::string style_name = get_string(o, "styleName", "<style1>");
    const double job_id = info.Length() >= 4 && info[3].IsNumber() ? info[3].As<Napi::Number>().DoubleValue() : -1;
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    {
      std::lock_guard<std::mutex> lock(cancel_mutex);
      cancel_flags[job_id] = cancel;
    }
    return BackgroundJob<RunSummary>::Start(
        env, info.Length() >= 3 ? info[2] : env.Undefined(),
        [engine, inputs, config, checkpoint, resume, output, arcface, identity_name, style_name, cancel, job_id](BackgroundJob<RunSummary>& job) {
          struct Unregister {
            double id;
            ~Unregister() {
              std::lock_guard<std::mutex> lock(cancel_mutex);
              cancel_flags.erase(id);
            }
          } unregister{job_id};
          // The identity loss needs a face-recognition network; without one the run trains the other three losses.
          training::FaceEmbedFn embed;
          if (!arcface.empty()) {
            models::FaceEmbedderOptions options;
            options.device = engine->info().device;
            options.fp16 = engine->device().is_cuda();
            auto embedder = std::make_shared<models::FaceEmbedder>(models::FaceEmbedder::load(arcface, options));
            embed = [embedder](const torch::Tensor& aligned) { return embedder->embed(aligned); };
          }
          training::Trainer trainer(engine, *inputs, config, embed);
          if (resume) trainer.load_checkpoint(checkpoint);
          trainer.run(
              [&job](const training::TrainProgress& p) {
                job.Progress([p](Napi::Env env) {
                  auto o = Napi::Object::New(env);
                  o.Set("phase", Napi::Number::New(env, p.phase));
                  o.Set("step", Napi::Number::New(env, p.step));
                  o.Set("total", Napi::Number::New(env, p.total));
                  o.Set("task", Napi::String::New(env, p.task));
                  auto losses = Napi::Object::New(env);
                  for (const auto& [k, v] : p.losses) losses.Set(k, Napi::Number::New(env, v));
                  o.Set("losses", losses);
                  o.Set("lrEmbedding", Napi::Number::New(env, p.lr_embedding));
                  o.Set("lrUnet", Napi::Number::New(env, p.lr_unet));
                  o.Set("lrText", Napi::Number::New(env, p.lr_text));
                  o.Set("elapsedSeconds", Napi::Number::New(env, p.elapsed_seconds));
                  return o;
                });
              },
              cancel.get(), checkpoint);
          if (!checkpoint.empty()) trainer.save_checkpoint(checkpoint);
          if (!output.empty()) {
            // The learned tokens become rows of the engine's table, then every format is written from the
            // adapters still attached: the official layout, kohya/A1111 LoRA, and one A1111 embedding per token.
            auto rows = trainer.token_rows();
            engine->set_token_embeddings({{{identity_name, rows[0].cpu()}, inputs->identity_token},
                                          {{style_name, rows[1].cpu()}, inputs->style_token}});
            engine->save_adapters(output + "/magicapture_lora.safetensors", lora::Format::MagiCapture);
            engine->save_adapters(output + "/lora_kohya.safetensors", lora::Format::Kohya);
            engine->save_adapters(output + "/identity_embedding.safetensors", lora::Format::Embedding, identity_name);
            engine->save_adapters(output + "/style_embedding.safetensors", lora::Format::Embedding, style_name);
          }
          RunSummary summary;
          summary.steps = trainer.step();
          summary.rows = trainer.token_rows();
          summary.losses = trainer.last_losses();
          summary.adapters = trainer.adapters().size();
          return summary;
        },
        [](Napi::Env env, RunSummary& s) -> Napi::Value {
          auto o = Napi::Object::New(env);
          o.Set("steps", Napi::Number::New(env, s.steps));
          o.Set("tokenRows", from_tensor(env, s.rows));
          auto losses = Napi::Object::New(env);
          for (const auto& [k, v] : s.losses) losses.Set(k, Napi::Number::New(env, v));
          o.Set("losses", losses);
          o.Set("adapters", Napi::Number::New(env, static_cast<double>(s.adapters)));
          return o;
        });
  });
}

Napi::Value TrainCancel(const Napi::CallbackInfo& info) {
  const double id = info.Length() >= 1 && info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : -1;
  std::lock_guard<std::mutex> lock(cancel_mutex);
  auto it = cancel_flags.find(id);
  if (it == cancel_flags.end()) return Napi::Boolean::New(info.Env(), false);
  it->second->store(true);
  return Napi::Boolean::New(info.Env(), true);
}

// trainingMath: each function takes and returns float32 tensors {data, shape}.
Napi::Value MaskedLoss(const Napi::CallbackInfo& info) {
  return GuardNative(info.Env(), [&]() -> Napi::Value {
    return from_tensor(info.Env(), training::masked_eps_loss(to_tensor(info[0], "epsHat"), to_tensor(info[1], "eps"),
                                                             to_tensor(info[2], "mask")));
  });
}

Napi::Value LatentMask(const Napi::CallbackInfo& info) {
  return GuardNative(info.Env(), [&]() -> Napi::Value {
    return from_tensor(info.Env(), training::latent_mask(to_tensor(info[0], "mask"), info[1].As<Napi::Number>().Int64Value(),
                                                         info[2].As<Napi::Number>().Int64Value()));
  });
}

// attentionLoss(maps[], token, target) -> {loss, grads[]}: grads are d loss / d maps.
Napi::Value AttentionLoss(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  return GuardNative(env, [&]() -> Napi::Value {
    expect(info.Length() >= 3 && info[0].IsArray(), "expected attentionLoss(maps, token, target)");
    std::vector<torch::Tensor> maps;
    auto array = info[0].As<Napi::Array>();
    for (uint32_t i = 0; i < array.Length(); ++i) maps.push_back(to_tensor(array.Get(i), "maps").set_requires_grad(true));
    auto loss = training::attention_refocus_loss(maps, info[1].As<Napi::Number>().Int64Value(), to_tensor(info[2], "target"));
    loss.backward();
    auto o = Napi::Object::New(env);
    o.Set("loss", Napi::Number::New(env, loss.item<double>()));
    auto grads = Napi::Array::New(env, maps.size());
    for (size_t i = 0; i < maps.size(); ++i) grads.Set(static_cast<uint32_t>(i), from_tensor(env, maps[i].grad()));
    o.Set("grads", grads);
    return o;
  });
}

Napi::Value Similarity(const Napi::CallbackInfo& info) {
  return GuardNative(info.Env(), [&]() -> Napi::Value {
    return from_tensor(info.Env(), training::estimate_similarity(to_tensor(info[0], "src"), to_tensor(info[1], "dst")));
  });
}

Napi::Value WarpAffine(const Napi::CallbackInfo& info) {
  return GuardNative(info.Env(), [&]() -> Napi::Value {
    return from_tensor(info.Env(), training::warp_affine(to_tensor(info[0], "image"), to_tensor(info[1], "matrices"),
                                                         info[2].As<Napi::Number>().Int64Value()));
  });
}

Napi::Value ArcfaceTemplate(const Napi::CallbackInfo& info) { return from_tensor(info.Env(), training::arcface_template()); }

}  // namespace

void RegisterTraining(Napi::Env env, Napi::Object exports) {
  exports.Set("trainRun", Napi::Function::New(env, TrainRun, "trainRun"));
  exports.Set("trainCancel", Napi::Function::New(env, TrainCancel, "trainCancel"));
  auto math = Napi::Object::New(env);
  math.Set("maskedLoss", Napi::Function::New(env, MaskedLoss, "maskedLoss"));
  math.Set("latentMask", Napi::Function::New(env, LatentMask, "latentMask"));
  math.Set("attentionLoss", Napi::Function::New(env, AttentionLoss, "attentionLoss"));
  math.Set("similarity", Napi::Function::New(env, Similarity, "similarity"));
  math.Set("warpAffine", Napi::Function::New(env, WarpAffine, "warpAffine"));
  math.Set("arcfaceTemplate", Napi::Function::New(env, ArcfaceTemplate, "arcfaceTemplate"));
  exports.Set("trainingMath", math);
}

}  // namespace mc::binding
