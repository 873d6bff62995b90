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
#include "register.h"
#include "training_request.h"
#include "training/face_warp.h"
#include "training/loss_scaler.h"
#include "training/losses.h"
#include "training/trainer.h"

namespace mc::binding {

namespace {

std::mutex cancel_mutex;
std::map<double, std::shared_ptr<std::atomic<bool>>> cancel_flags;

struct RunSummary {
  int steps = 0;
  torch::Tensor rows;
  std::map<std::string, double> losses;
  size_t adapters = 0;
  std::string master_dtype;  // of the trainable tensors (fp32 master weights whatever the engine dtype)
  double up_norm = 0;        // sum of the adapters' `up` norms: 0 at initialisation
  double loss_scale = 1;
  int skipped_steps = 0;
};

Napi::Value TrainRun(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  return GuardNative(env, [&]() -> Napi::Value {
    expect(info.Length() >= 2 && info[1].IsObject(), "expected trainRun(engine, request, onProgress?, jobId?)");
    auto engine = EngineOf(env, info[0]);
    auto o = info[1].As<Napi::Object>();
    auto inputs = std::make_shared<training::TrainInputs>(train_inputs(o));
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
          training::Trainer trainer(engine, *inputs, config, face_embed_fn(*engine, arcface));
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
          auto master = trainer.token_rows().scalar_type();
          for (const auto& [name, adapter] : trainer.adapters()) {
            summary.up_norm += adapter->up.detach().to(torch::kDouble).norm().item<double>();
            if (adapter->up.scalar_type() != master || adapter->down.scalar_type() != master) master = adapter->up.scalar_type();
          }
          summary.master_dtype = master == torch::kFloat ? "fp32" : master == torch::kBFloat16 ? "bf16"
                                 : master == torch::kHalf ? "fp16" : "other";
          summary.loss_scale = trainer.loss_scaler().scale();
          summary.skipped_steps = trainer.skipped_steps();
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
          o.Set("masterDtype", Napi::String::New(env, s.master_dtype));
          o.Set("adapterUpNorm", Napi::Number::New(env, s.up_norm));
          o.Set("lossScale", Napi::Number::New(env, s.loss_scale));
          o.Set("skippedSteps", Napi::Number::New(env, s.skipped_steps));
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
    if (loss.requires_grad()) loss.backward();  // maps without shape count as zeros: nothing to differentiate
    auto o = Napi::Object::New(env);
    o.Set("loss", Napi::Number::New(env, loss.item<double>()));
    auto grads = Napi::Array::New(env, maps.size());
    for (size_t i = 0; i < maps.size(); ++i) {
      auto grad = maps[i].grad().defined() ? maps[i].grad() : torch::zeros_like(maps[i]);
      grads.Set(static_cast<uint32_t>(i), from_tensor(env, grad));
    }
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

// lossScalerTrace(grads[], {initScale, growthInterval}) -> {scales[], skipped[], unscaled[]}: drives a real
// LossScaler over one parameter whose unscaled gradient at step i is grads[i] (Infinity/NaN allowed). Each step
// the gradient arrives multiplied by the current scale, as after a scaled backward; scales[i] is the scale after
// the step's update, skipped[i] whether the scaler refused it, unscaled[i] the gradient it handed on.
Napi::Value LossScalerTrace(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  return GuardNative(env, [&]() -> Napi::Value {
    expect(info.Length() >= 1 && info[0].IsArray(), "expected lossScalerTrace(grads, options?)");
    training::LossScalerOptions options;
    if (info.Length() >= 2 && info[1].IsObject()) {
      auto o = info[1].As<Napi::Object>();
      if (o.Has("initScale")) options.init_scale = o.Get("initScale").As<Napi::Number>().DoubleValue();
      if (o.Has("growthInterval")) options.growth_interval = o.Get("growthInterval").As<Napi::Number>().Int64Value();
    }
    training::LossScaler scaler(true, options);
    auto grads = info[0].As<Napi::Array>();
    auto scales = Napi::Array::New(env, grads.Length());
    auto skipped = Napi::Array::New(env, grads.Length());
    auto unscaled = Napi::Array::New(env, grads.Length());
    auto param = torch::zeros({1}, torch::kFloat).set_requires_grad(true);
    for (uint32_t i = 0; i < grads.Length(); ++i) {
      const double g = grads.Get(i).As<Napi::Number>().DoubleValue();
      param.mutable_grad() = torch::full({1}, g * scaler.scale(), torch::kFloat);
      const bool finite = scaler.unscale({param});
      scaler.update(!finite);
      scales.Set(i, Napi::Number::New(env, scaler.scale()));
      skipped.Set(i, Napi::Boolean::New(env, !finite));
      unscaled.Set(i, Napi::Number::New(env, param.grad().item<double>()));
    }
    auto o = Napi::Object::New(env);
    o.Set("scales", scales);
    o.Set("skipped", skipped);
    o.Set("unscaled", unscaled);
    return o;
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
  math.Set("lossScalerTrace", Napi::Function::New(env, LossScalerTrace, "lossScalerTrace"));
  exports.Set("trainingMath", math);
}

}  // namespace mc::binding
