// JS surface of the arcface module: openFaceEmbedder(path, {device, fp16}) -> Promise<FaceEmbedderHandle>;
// handle.info(), handle.embed(image) -> Promise<tensor>, handle.inputGradient(image, cotangent) ->
// Promise<{embeddings, inputGradient}>, handle.close(). Work runs on its own thread (background_job.h).
#include <memory>

#include "background_job.h"
#include "convert.h"
#include "models/arcface/face_embedder.h"
#include "register.h"

namespace mc::binding {

namespace {

using models::FaceEmbedder;

Napi::Object info_js(Napi::Env env, const models::FaceEmbedderInfo& info) {
  auto o = Napi::Object::New(env);
  o.Set("path", Napi::String::New(env, info.path));
  o.Set("architecture", Napi::String::New(env, models::architecture_name(info.config.architecture)));
  o.Set("layers", to_js_array(env, info.config.layers));
  o.Set("baseWidth", Napi::Number::New(env, double(info.config.base_width)));
  o.Set("scale", Napi::Number::New(env, double(info.config.scale)));
  o.Set("embeddingSize", Napi::Number::New(env, double(info.config.embedding_size)));
  o.Set("folded", Napi::Boolean::New(env, info.config.folded));
  o.Set("configSource", Napi::String::New(env, info.config_source));
  o.Set("device", Napi::String::New(env, info.device));
  o.Set("fp16", Napi::Boolean::New(env, info.fp16));
  o.Set("parameters", Napi::Number::New(env, double(info.parameters)));
  o.Set("unusedKeys", to_js_array(env, info.unused_keys));
  return o;
}

struct GradientResult {
  torch::Tensor embeddings;
  torch::Tensor input_gradient;
};

class FaceEmbedderHandle : public Napi::ObjectWrap<FaceEmbedderHandle> {
 public:
  static Napi::FunctionReference* constructor;

  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "FaceEmbedderHandle",
                       {InstanceMethod("info", &FaceEmbedderHandle::Info),
                        InstanceMethod("embed", &FaceEmbedderHandle::Embed),
                        InstanceMethod("inputGradient", &FaceEmbedderHandle::InputGradient),
                        InstanceMethod("close", &FaceEmbedderHandle::Close)});
  }

  explicit FaceEmbedderHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<FaceEmbedderHandle>(info) {}

  void Attach(std::shared_ptr<FaceEmbedder> embedder) { embedder_ = std::move(embedder); }

 private:
  std::shared_ptr<FaceEmbedder> require_open(Napi::Env env) {
    if (!embedder_) throw MakeJsError(env, codes::kBadArgument, "this face embedder was closed", "Open the model again.");
    return embedder_;
  }

  Napi::Value Info(const Napi::CallbackInfo& info) { return info_js(info.Env(), require_open(info.Env())->info()); }

  Napi::Value Embed(const Napi::CallbackInfo& info) {
    auto env = info.Env();
    auto embedder = require_open(env);
    return GuardNative(env, [&]() -> Napi::Value {
      expect(info.Length() >= 1, "expected embed(image: {data, shape})");
      auto image = std::make_shared<torch::Tensor>(to_tensor(info[0], "image"));
      return BackgroundJob<torch::Tensor>::Start(
          env, env.Undefined(),
          [embedder, image](auto&) {
            torch::NoGradGuard no_grad;
            return embedder->embed(*image).to(torch::kCPU);
          },
          [](Napi::Env env, torch::Tensor& out) -> Napi::Value { return from_tensor(env, out); });
    });
  }

  // Embeddings and d(sum(embeddings * cotangent)) / d(image): checks that gradients reach the image.
  Napi::Value InputGradient(const Napi::CallbackInfo& info) {
    auto env = info.Env();
    auto embedder = require_open(env);
    return GuardNative(env, [&]() -> Napi::Value {
      expect(info.Length() >= 2, "expected inputGradient(image: {data, shape}, cotangent: {data, shape})");
      auto image = std::make_shared<torch::Tensor>(to_tensor(info[0], "image"));
      auto cotangent = std::make_shared<torch::Tensor>(to_tensor(info[1], "cotangent"));
      return BackgroundJob<GradientResult>::Start(
          env, env.Undefined(),
          [embedder, image, cotangent](auto&) {
            torch::AutoGradMode grad_mode(true);
            auto x = image->to(embedder->device()).requires_grad_(true);
            auto embeddings = embedder->embed(x);
            const auto w = cotangent->to(embedder->device());
            expect(w.numel() == embeddings.numel() || w.numel() == embeddings.size(1),
                   "expected cotangent to have " + std::to_string(embeddings.size(1)) + " or " +
                       std::to_string(embeddings.numel()) + " values, received " + std::to_string(w.numel()));
            auto weights = w.numel() == embeddings.numel() ? w.reshape(embeddings.sizes()) : w.reshape({1, -1});
            (embeddings * weights).sum().backward();
            return GradientResult{embeddings.detach().to(torch::kCPU), x.grad().to(torch::kCPU)};
          },
          [](Napi::Env env, GradientResult& result) -> Napi::Value {
            auto o = Napi::Object::New(env);
            o.Set("embeddings", from_tensor(env, result.embeddings));
            o.Set("inputGradient", from_tensor(env, result.input_gradient));
            return o;
          });
    });
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    embedder_.reset();
    return info.Env().Undefined();
  }

  std::shared_ptr<FaceEmbedder> embedder_;
};

Napi::FunctionReference* FaceEmbedderHandle::constructor = nullptr;

Napi::Value OpenFaceEmbedder(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  return GuardNative(env, [&]() -> Napi::Value {
    expect(info.Length() >= 1 && info[0].IsString(), "expected openFaceEmbedder(path: string, options?)");
    const std::string path = info[0].As<Napi::String>().Utf8Value();
    models::FaceEmbedderOptions options;
    if (info.Length() >= 2 && info[1].IsObject()) {
      auto o = info[1].As<Napi::Object>();
      options.device = get_string(o, "device", "cpu");
      options.fp16 = get_bool(o, "fp16", false);
    }
    return BackgroundJob<std::shared_ptr<FaceEmbedder>>::Start(
        env, env.Undefined(),
        [path, options](auto&) { return std::make_shared<FaceEmbedder>(FaceEmbedder::load(path, options)); },
        [](Napi::Env env, std::shared_ptr<FaceEmbedder>& embedder) -> Napi::Value {
          auto handle = FaceEmbedderHandle::constructor->New({});
          FaceEmbedderHandle::Unwrap(handle)->Attach(embedder);
          return handle;
        });
  });
}

}  // namespace

void RegisterArcface(Napi::Env env, Napi::Object exports) {
  FaceEmbedderHandle::constructor = new Napi::FunctionReference(Napi::Persistent(FaceEmbedderHandle::Define(env)));
  exports.Set("openFaceEmbedder", Napi::Function::New(env, OpenFaceEmbedder, "openFaceEmbedder"));
}

}  // namespace mc::binding
