// JS surface of the LoRA module (native/lib/lora.ts is the only caller):
//   loraInspect(path, token?) -> summary of a file's header (sync, no model)
//   loraTargets(handle) -> {unet, textEncoder}: [{path, in, out, adapter: {rank, scale} | null}] (sync)
//   loraLoad(handle, path, {unetScale, textScale, tokenIds, token?}) -> Promise<status>
//   loraSetScales(handle, unetScale, textScale), loraClear(handle), loraStatus(handle) -> Promise<status>
//   loraInject(handle, {rank, scale, seed}) -> Promise<status>   (fresh trainable adapters: tests, trainer)
//   loraSave(handle, path, format, token?) -> Promise<undefined>
// Engine calls run on their own thread: they wait for a running sample to finish.
#include <napi.h>

#include <cmath>

#include "background_job.h"
#include "convert.h"
#include "engine_handle.h"
#include "engine_handle.h"
#include "lora/formats.h"
#include "lora/targets.h"
#include "register.h"

namespace mc::binding {

namespace {

using Status = lora::AdapterStatus;

std::string string_arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  expect(info.Length() > i && info[i].IsString(), std::string("expected ") + what + " to be a string");
  std::string s = info[i].As<Napi::String>().Utf8Value();
  expect(!s.empty(), std::string("expected ") + what + " to be a non-empty string");
  return s;
}

std::string optional_string(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || info[i].IsUndefined() || info[i].IsNull()) return "";
  return string_arg(info, i, what);
}

Napi::Value status_js(Napi::Env env, const Status& s) {
  auto o = Napi::Object::New(env);
  o.Set("format", Napi::String::New(env, s.format));
  o.Set("unetAdapters", Napi::Number::New(env, double(s.unet_adapters)));
  o.Set("textAdapters", Napi::Number::New(env, double(s.text_adapters)));
  o.Set("rank", Napi::Number::New(env, double(s.rank)));
  o.Set("unetScale", Napi::Number::New(env, s.unet_scale));
  o.Set("textScale", Napi::Number::New(env, s.text_scale));
  auto tokens = Napi::Array::New(env, s.tokens.size());
  for (size_t i = 0; i < s.tokens.size(); ++i) {
    auto t = Napi::Object::New(env);
    t.Set("token", Napi::String::New(env, s.tokens[i].first));
    t.Set("id", Napi::Number::New(env, double(s.tokens[i].second)));
    tokens.Set(static_cast<uint32_t>(i), t);
  }
  o.Set("tokens", tokens);
  return o;
}

// Runs `work(engine)` on its own thread and resolves with the status it returns.
template <typename Work>
Napi::Value status_job(Napi::Env env, std::shared_ptr<Engine> engine, Work work) {
  return BackgroundJob<Status>::Start(
      env, env.Undefined(), [engine, work](BackgroundJob<Status>&) { return work(*engine); },
      [](Napi::Env e, Status& s) { return status_js(e, s); });
}

Napi::Value Inspect(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  return GuardNative(env, [&]() -> Napi::Value {
    const auto summary = lora::inspect(string_arg(info, 0, "path"), optional_string(info, 1, "token"));
    auto o = Napi::Object::New(env);
    o.Set("format", Napi::String::New(env, lora::format_name(summary.format)));
    o.Set("unetAdapters", Napi::Number::New(env, double(summary.unet_adapters)));
    o.Set("textAdapters", Napi::Number::New(env, double(summary.text_adapters)));
    o.Set("rank", Napi::Number::New(env, double(summary.rank)));
    o.Set("tokens", to_js_array(env, summary.tokens));
    auto metadata = Napi::Object::New(env);
    for (const auto& [k, v] : summary.metadata) metadata.Set(k, v);
    o.Set("metadata", metadata);
    return o;
  });
}

Napi::Array targets_js(Napi::Env env, const std::vector<lora::Target>& targets) {
  auto out = Napi::Array::New(env, targets.size());
  for (size_t i = 0; i < targets.size(); ++i) {
    const auto& t = targets[i];
    auto o = Napi::Object::New(env);
    o.Set("path", Napi::String::New(env, t.path));
    o.Set("in", Napi::Number::New(env, double(t.module->in_features())));
    o.Set("out", Napi::Number::New(env, double(t.module->out_features())));
    if (const auto& a = t.module->adapter()) {
      auto adapter = Napi::Object::New(env);
      adapter.Set("rank", Napi::Number::New(env, double(a->down.size(0))));
      adapter.Set("scale", Napi::Number::New(env, a->scale));
      o.Set("adapter", adapter);
    } else {
      o.Set("adapter", env.Null());
    }
    out.Set(static_cast<uint32_t>(i), o);
  }
  return out;
}

Napi::Value Targets(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  return GuardNative(env, [&]() -> Napi::Value {
    expect(info.Length() >= 1, "expected loraTargets(handle)");
    auto engine = EngineOf(env, info[0]);
    auto o = Napi::Object::New(env);
    o.Set("unet", targets_js(env, lora::unet_targets(*engine->unet)));
    o.Set("textEncoder", targets_js(env, lora::text_targets(*engine->text_encoder)));
    return o;
  });
}

Napi::Value Load(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  return GuardNative(env, [&]() -> Napi::Value {
    expect(info.Length() >= 3 && info[2].IsObject(), "expected loraLoad(handle, path, options)");
    auto engine = EngineOf(env, info[0]);
    const std::string path = string_arg(info, 1, "path");
    auto o = info[2].As<Napi::Object>();
    lora::LoadOptions options;
    options.unet_scale = get_number(o, "unetScale", lora::kInferenceUnetScale);
    options.text_scale = get_number(o, "textScale", lora::kInferenceTextScale);
    options.embedding_token = get_string(o, "token", "");
    auto ids = o.Get("tokenIds");
    if (!ids.IsUndefined()) {
      expect(ids.IsObject() && !ids.IsArray(), "expected tokenIds to be an object of token -> id");
      auto map = ids.As<Napi::Object>();
      auto keys = map.GetPropertyNames();
      for (uint32_t i = 0; i < keys.Length(); ++i) {
        const std::string token = keys.Get(i).As<Napi::String>().Utf8Value();
        Napi::Value id = map.Get(token);
        expect(id.IsNumber(), "expected tokenIds[" + token + "] to be an integer");
        const double value = id.As<Napi::Number>().DoubleValue();
        expect(value >= 0 && value < 1e9 && value == std::floor(value), "expected tokenIds[" + token + "] to be an integer");
        options.token_ids[token] = static_cast<int64_t>(value);
      }
    }
    return status_job(env, engine, [path, options](Engine& e) { return e.load_adapters(path, options); });
  });
}

Napi::Value SetScales(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  return GuardNative(env, [&]() -> Napi::Value {
    expect(info.Length() >= 3 && info[1].IsNumber() && info[2].IsNumber(),
           "expected loraSetScales(handle, unetScale, textScale)");
    auto engine = EngineOf(env, info[0]);
    const double unet = info[1].As<Napi::Number>().DoubleValue(), text = info[2].As<Napi::Number>().DoubleValue();
    return status_job(env, engine, [unet, text](Engine& e) { return e.set_adapter_scales(unet, text); });
  });
}

Napi::Value Clear(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  return GuardNative(env, [&]() -> Napi::Value {
    expect(info.Length() >= 1, "expected loraClear(handle)");
    return status_job(env, EngineOf(env, info[0]), [](Engine& e) { return e.clear_adapters(); });
  });
}

Napi::Value GetStatus(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  return GuardNative(env, [&]() -> Napi::Value {
    expect(info.Length() >= 1, "expected loraStatus(handle)");
    return status_job(env, EngineOf(env, info[0]), [](Engine& e) { return e.adapter_status(); });
  });
}

Napi::Value Inject(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  return GuardNative(env, [&]() -> Napi::Value {
    expect(info.Length() >= 2 && info[1].IsObject(), "expected loraInject(handle, {rank, scale, seed})");
    auto engine = EngineOf(env, info[0]);
    auto o = info[1].As<Napi::Object>();
    lora::InjectOptions options;
    options.rank = static_cast<int64_t>(get_number(o, "rank", 4));
    options.scale = get_number(o, "scale", 1.0);
    const double seed = get_number(o, "seed", 0);
    expect(seed >= 0 && seed <= 9007199254740991.0 && seed == std::floor(seed),
           "expected seed to be an integer from 0 to 2^53-1");
    return status_job(env, engine, [options, seed](Engine& e) {
      return e.inject_adapters(options, static_cast<uint64_t>(seed));
    });
  });
}

Napi::Value Save(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  return GuardNative(env, [&]() -> Napi::Value {
    expect(info.Length() >= 3, "expected loraSave(handle, path, format, token?)");
    auto engine = EngineOf(env, info[0]);
    const std::string path = string_arg(info, 1, "path");
    const lora::Format format = lora::parse_format(string_arg(info, 2, "format"));
    const std::string token = optional_string(info, 3, "token");
    return BackgroundJob<bool>::Start(
        env, env.Undefined(),
        [engine, path, format, token](BackgroundJob<bool>&) {
          engine->save_adapters(path, format, token);
          return true;
        },
        [](Napi::Env e, bool&) { return e.Undefined(); });
  });
}

}  // namespace

void RegisterLora(Napi::Env env, Napi::Object exports) {
  exports.Set("loraInspect", Napi::Function::New(env, Inspect));
  exports.Set("loraTargets", Napi::Function::New(env, Targets));
  exports.Set("loraLoad", Napi::Function::New(env, Load));
  exports.Set("loraSetScales", Napi::Function::New(env, SetScales));
  exports.Set("loraClear", Napi::Function::New(env, Clear));
  exports.Set("loraStatus", Napi::Function::New(env, GetStatus));
  exports.Set("loraInject", Napi::Function::New(env, Inject));
  exports.Set("loraSave", Napi::Function::New(env, Save));
}

}  // namespace mc::binding
