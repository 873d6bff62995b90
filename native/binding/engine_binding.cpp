// JS surface of the engine: openEngine(path, {device, dtype}) -> Promise<EngineHandle>; handle.info(),
// handle.sample(request, onProgress, jobId) -> Promise<result>, handle.cancel(jobId), handle.close().
#include <atomic>
#include <map>
#include <mutex>

#include "background_job.h"
#include "convert.h"
#include "engine_handle.h"
#include "core/random.h"
#include "magicapture/engine.h"
#include "register.h"

namespace mc::binding {

namespace {

Napi::Object unet_config_js(Napi::Env env, const models::UNetConfig& c) {
  auto o = Napi::Object::New(env);
  o.Set("blockOutChannels", to_js_array(env, c.block_out_channels));
  o.Set("layersPerBlock", Napi::Number::New(env, double(c.layers_per_block)));
  o.Set("crossAttentionDim", Napi::Number::New(env, double(c.cross_attention_dim)));
  o.Set("attentionHeads", to_js_array(env, c.attention_heads));
  o.Set("downBlockTypes", to_js_array(env, c.down_block_types));
  o.Set("upBlockTypes", to_js_array(env, c.up_block_types));
  o.Set("sampleSize", Napi::Number::New(env, double(c.sample_size)));
  return o;
}

Napi::Object component_js(Napi::Env env, const ComponentInfo& info) {
  auto o = Napi::Object::New(env);
  o.Set("parameters", Napi::Number::New(env, double(info.parameters)));
  o.Set("configSource", Napi::String::New(env, info.config_source));
  o.Set("unusedKeys", to_js_array(env, info.unused_keys));
  return o;
}

Napi::Object model_info_js(Napi::Env env, const ModelInfo& info) {
  auto o = Napi::Object::New(env);
  o.Set("path", Napi::String::New(env, info.path));
  o.Set("layout", Napi::String::New(env, info.layout));
  o.Set("device", Napi::String::New(env, info.device));
  o.Set("dtype", Napi::String::New(env, info.dtype));
  o.Set("tokenizerDir", Napi::String::New(env, info.tokenizer_dir));
  o.Set("unusedKeys", to_js_array(env, info.unused_keys));
  o.Set("loadSeconds", Napi::Number::New(env, info.load_seconds));
  o.Set("unet", component_js(env, info.unet));
  o.Set("vae", component_js(env, info.vae));
  o.Set("textEncoder", component_js(env, info.text_encoder));
  o.Set("unetConfig", unet_config_js(env, info.unet_config));
  auto vae = Napi::Object::New(env);
  vae.Set("blockOutChannels", to_js_array(env, info.vae_config.block_out_channels));
  vae.Set("latentChannels", Napi::Number::New(env, double(info.vae_config.latent_channels)));
  vae.Set("scalingFactor", Napi::Number::New(env, info.vae_config.scaling_factor));
  o.Set("vaeConfig", vae);
  auto text = Napi::Object::New(env);
  text.Set("vocabSize", Napi::Number::New(env, double(info.text_config.vocab_size)));
  text.Set("hiddenSize", Napi::Number::New(env, double(info.text_config.hidden_size)));
  text.Set("layers", Napi::Number::New(env, double(info.text_config.num_hidden_layers)));
  text.Set("heads", Napi::Number::New(env, double(info.text_config.num_attention_heads)));
  text.Set("maxPositions", Napi::Number::New(env, double(info.text_config.max_position_embeddings)));
  o.Set("textConfig", text);
  return o;
}

models::AttentionCaptureSpec attention_spec(const Napi::Object& o) {
  models::AttentionCaptureSpec spec;
  auto layers = o.Get("layers");
  if (!layers.IsUndefined()) {
    expect(layers.IsArray(), "expected attention.layers to be an array of strings");
    auto array = layers.As<Napi::Array>();
    for (uint32_t i = 0; i < array.Length(); ++i) {
      Napi::Value item = array.Get(i);
      expect(item.IsString(), "expected attention.layers to be an array of strings");
      spec.layer_prefixes.push_back(item.As<Napi::String>().Utf8Value());
    }
  }
  if (!o.Get("steps").IsUndefined()) {
    for (auto s : to_int_vector(o.Get("steps"), "attention.steps")) spec.steps.insert(static_cast<int>(s));
  }
  spec.resolution = static_cast<int64_t>(get_number(o, "resolution", 16));
  spec.token_count = static_cast<int64_t>(get_number(o, "tokenCount", 77));
  spec.max_queries = static_cast<int64_t>(get_number(o, "maxQueries", 0));
  expect(spec.resolution >= 1 && spec.resolution <= 512, "expected attention.resolution from 1 to 512");
  expect(spec.token_count >= 1 && spec.token_count <= 77, "expected attention.tokenCount from 1 to 77");
  return spec;
}

SampleRequest sample_request(const Napi::Object& o) {
  SampleRequest r;
  r.prompt_ids = to_int_rows(o.Get("promptIds"), "promptIds");
  r.negative_ids = to_int_rows(o.Get("negativeIds"), "negativeIds");
  r.images_per_prompt = static_cast<int64_t>(get_number(o, "imagesPerPrompt", 1));
  r.width = static_cast<int64_t>(get_number(o, "width", 512));
  r.height = static_cast<int64_t>(get_number(o, "height", 512));
  r.steps = static_cast<int>(get_number(o, "steps", 30));
  r.guidance_scale = get_number(o, "guidanceScale", 7.0);
  r.sampler = get_string(o, "sampler", "euler_a");
  const double seed = get_number(o, "seed", 0);
  expect(seed >= 0 && seed <= 9007199254740991.0 && seed == std::floor(seed),
         "expected seed to be an integer from 0 to 2^53-1");
  r.seed = static_cast<uint64_t>(seed);
  if (!o.Get("initImage").IsUndefined()) r.init_image = to_tensor(o.Get("initImage"), "initImage");
  r.strength = get_number(o, "strength", 0.75);
  r.return_latents = get_bool(o, "returnLatents", false);
  auto attention = o.Get("attention");
  if (!attention.IsUndefined()) {
    expect(attention.IsObject(), "expected attention to be an object");
    r.attention = attention_spec(attention.As<Napi::Object>());
  }
  return r;
}

Napi::Value sample_result_js(Napi::Env env, SampleResult& result) {
  auto o = Napi::Object::New(env);
  o.Set("images", from_tensor(env, result.images));
  if (result.latents.defined()) o.Set("latents", from_tensor(env, result.latents));
  o.Set("timesteps", to_js_array(env, result.timesteps));
  auto maps = Napi::Array::New(env, result.attention.size());
  for (size_t i = 0; i < result.attention.size(); ++i) {
    const auto& captured = result.attention[i];
    auto m = from_tensor(env, captured.maps);
    m.Set("layer", Napi::String::New(env, captured.layer));
    m.Set("step", Napi::Number::New(env, captured.step));
    m.Set("height", Napi::Number::New(env, double(captured.height)));
    m.Set("width", Napi::Number::New(env, double(captured.width)));
    maps.Set(static_cast<uint32_t>(i), m);
  }
  o.Set("attention", maps);
  return o;
}

// Cancellation flags of running jobs by job id; shared with the jobs so it outlives a collected handle.
class CancelRegistry {
 public:
  void add(double id, std::shared_ptr<std::atomic<bool>> flag) {
    std::lock_guard<std::mutex> lock(mutex_);
    flags_[id] = std::move(flag);
  }
  void erase(double id) {
    std::lock_guard<std::mutex> lock(mutex_);
    flags_.erase(id);
  }
  bool cancel(double id) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = flags_.find(id);
    if (it == flags_.end()) return false;
    it->second->store(true);
    return true;
  }

 private:
  std::mutex mutex_;
  std::map<double, std::shared_ptr<std::atomic<bool>>> flags_;
};

class EngineHandle : public Napi::ObjectWrap<EngineHandle> {
 public:
  static Napi::FunctionReference* constructor;

  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "EngineHandle",
                       {InstanceMethod("info", &EngineHandle::Info), InstanceMethod("sample", &EngineHandle::Sample),
                        InstanceMethod("cancel", &EngineHandle::Cancel), InstanceMethod("close", &EngineHandle::Close),
                        InstanceMethod("textForward", &EngineHandle::TextForward),
                        InstanceMethod("unetForward", &EngineHandle::UnetForward),
                        InstanceMethod("vaeEncode", &EngineHandle::VaeEncode),
                        InstanceMethod("vaeDecode", &EngineHandle::VaeDecode)});
  }

  explicit EngineHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<EngineHandle>(info) {}

  void Attach(std::shared_ptr<Engine> engine) { engine_ = std::move(engine); }
  std::shared_ptr<Engine> engine() const { return engine_; }

 private:
  std::shared_ptr<Engine> require_open(Napi::Env env) {
    if (!engine_) throw MakeJsError(env, codes::kBadArgument, "this engine was closed", "Open the model again.");
    return engine_;
  }

  Napi::Value Info(const Napi::CallbackInfo& info) { return model_info_js(info.Env(), require_open(info.Env())->info()); }

  Napi::Value Sample(const Napi::CallbackInfo& info) {
    auto env = info.Env();
    auto engine = require_open(env);
    return GuardNative(env, [&]() -> Napi::Value {
      expect(info.Length() >= 1 && info[0].IsObject(), "expected sample(request, onProgress?, jobId?)");
      auto request = std::make_shared<SampleRequest>(sample_request(info[0].As<Napi::Object>()));
      const double job_id = info.Length() >= 3 && info[2].IsNumber() ? info[2].As<Napi::Number>().DoubleValue() : -1;
      auto cancel = std::make_shared<std::atomic<bool>>(false);
      registry_->add(job_id, cancel);
      Napi::Value on_progress = info.Length() >= 2 ? info[1] : env.Undefined();
      return BackgroundJob<SampleResult>::Start(
          env, on_progress,
          [engine, request, cancel, registry = registry_, job_id](BackgroundJob<SampleResult>& job) {
            struct Unregister {
              std::shared_ptr<CancelRegistry> registry;
              double id;
              ~Unregister() { registry->erase(id); }
            } unregister{registry, job_id};
            return engine->sample(
                *request,
                [&job](const SampleProgress& p) {
                  job.Progress([p](Napi::Env env) {
                    auto o = Napi::Object::New(env);
                    o.Set("step", Napi::Number::New(env, p.step));
                    o.Set("total", Napi::Number::New(env, p.total));
                    o.Set("elapsedSeconds", Napi::Number::New(env, p.elapsed_seconds));
                    return o;
                  });
                },
                cancel.get());
          },
          [](Napi::Env env, SampleResult& result) { return sample_result_js(env, result); });
    });
  }

  Napi::Value Cancel(const Napi::CallbackInfo& info) {
    const double job_id = info.Length() >= 1 && info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : -1;
    return Napi::Boolean::New(info.Env(), registry_->cancel(job_id));
  }

  // Single-model forwards, synchronous: diagnostics for the golden tests and for benchmarks, not for the UI.
  Napi::Value TextForward(const Napi::CallbackInfo& info) {
    auto env = info.Env();
    auto engine = require_open(env);
    return GuardNative(env, [&]() -> Napi::Value {
      torch::NoGradGuard no_grad;
      return from_tensor(env, engine->encode_text(to_int_rows(info[0], "ids")));
    });
  }

  Napi::Value UnetForward(const Napi::CallbackInfo& info) {
    auto env = info.Env();
    auto engine = require_open(env);
    return GuardNative(env, [&]() -> Napi::Value {
      expect(info.Length() >= 1 && info[0].IsObject(), "expected unetForward({sample, timestep, context}, capture?)");
      auto args = info[0].As<Napi::Object>();
      auto opts = torch::TensorOptions().device(engine->device()).dtype(engine->dtype());
      auto sample = to_tensor(args.Get("sample"), "sample").to(opts);
      auto timestep = to_tensor(args.Get("timestep"), "timestep").to(engine->device());
      auto context = to_tensor(args.Get("context"), "context").to(opts);
      const bool capture = info.Length() >= 2 && info[1].ToBoolean().Value();
      torch::NoGradGuard no_grad;
      models::AttentionCaptureSpec spec;
      spec.keep_grad = true;  // raw [B, heads, HW, T] probabilities
      models::AttentionStore store(spec);
      if (capture) engine->unet->set_attention_store(&store);
      torch::Tensor out;
      try {
        out = engine->unet->forward(sample, timestep, context);
      } catch (...) {
        engine->unet->set_attention_store(nullptr);
        throw;
      }
      engine->unet->set_attention_store(nullptr);
      auto result = Napi::Object::New(env);
      result.Set("out", from_tensor(env, out));
      auto maps = Napi::Object::New(env);
      for (const auto& captured : store.captured()) maps.Set(captured.layer, from_tensor(env, captured.maps));
      result.Set("attention", maps);
      return result;
    });
  }

  Napi::Value VaeEncode(const Napi::CallbackInfo& info) {
    auto env = info.Env();
    auto engine = require_open(env);
    return GuardNative(env, [&]() -> Napi::Value {
      auto opts = torch::TensorOptions().device(engine->device()).dtype(engine->dtype());
      auto image = to_tensor(info[0], "image").to(opts);
      expect(info.Length() >= 2 && info[1].IsNumber(), "expected vaeEncode(image, seed)");
      torch::NoGradGuard no_grad;
      auto posterior = engine->vae->encode(image);
      auto result = Napi::Object::New(env);
      result.Set("mean", from_tensor(env, posterior.mean));
      result.Set("logvar", from_tensor(env, posterior.logvar));
      auto seed = static_cast<uint64_t>(info[1].As<Napi::Number>().Int64Value());
      result.Set("sample", from_tensor(env, posterior.sample(cpu_generator(seed))));
      return result;
    });
  }

  Napi::Value VaeDecode(const Napi::CallbackInfo& info) {
    auto env = info.Env();
    auto engine = require_open(env);
    return GuardNative(env, [&]() -> Napi::Value {
      auto opts = torch::TensorOptions().device(engine->device()).dtype(engine->dtype());
      torch::NoGradGuard no_grad;
      return from_tensor(env, engine->vae->decode(to_tensor(info[0], "latents").to(opts)));
    });
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    engine_.reset();
    return info.Env().Undefined();
  }

  std::shared_ptr<Engine> engine_;
  std::shared_ptr<CancelRegistry> registry_ = std::make_shared<CancelRegistry>();
};

Napi::FunctionReference* EngineHandle::constructor = nullptr;

Napi::Value OpenEngine(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  return GuardNative(env, [&]() -> Napi::Value {
    expect(info.Length() >= 1 && info[0].IsString(), "expected openEngine(path: string, options?)");
    const std::string path = info[0].As<Napi::String>().Utf8Value();
    OpenOptions options;
    if (info.Length() >= 2 && info[1].IsObject()) {
      auto o = info[1].As<Napi::Object>();
      options.device = get_string(o, "device", "cpu");
      options.dtype = get_string(o, "dtype", "fp32");
    }
    return BackgroundJob<std::shared_ptr<Engine>>::Start(
        env, env.Undefined(), [path, options](auto&) { return Engine::open(path, options); },
        [](Napi::Env env, std::shared_ptr<Engine>& engine) -> Napi::Value {
          auto handle = EngineHandle::constructor->New({});
          EngineHandle::Unwrap(handle)->Attach(engine);
          return handle;
        });
  });
}

}  // namespace

std::shared_ptr<Engine> EngineOf(Napi::Env env, Napi::Value handle) {
  expect(handle.IsObject() && handle.As<Napi::Object>().InstanceOf(EngineHandle::constructor->Value()),
         "expected an engine handle from openEngine");
  auto engine = EngineHandle::Unwrap(handle.As<Napi::Object>())->engine();
  expect(engine != nullptr, "this engine was closed");
  return engine;
}

void RegisterEngine(Napi::Env env, Napi::Object exports) {
  EngineHandle::constructor = new Napi::FunctionReference(Napi::Persistent(EngineHandle::Define(env)));
  exports.Set("openEngine", Napi::Function::New(env, OpenEngine));
  exports.Set("cudaAvailable", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
                return Napi::Boolean::New(info.Env(), torch::cuda::is_available());
              }));
}

}  // namespace mc::binding
