// Sampler plans and a small harness that runs the real sampler code against a known model function, so the
// TypeScript tests can compare them with diffusers goldens. Synchronous: every call here is a few milliseconds.
#include <napi.h>
#include <torch/torch.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "core/random.h"
#include "js_errors.h"
#include "register.h"
#include "schedulers/scheduler.h"

namespace mc::binding {
namespace {

using sched::Scheduler;

const sched::NoiseSchedule& Sd15Schedule() {
  static const sched::NoiseSchedule schedule = sched::NoiseSchedule::sd15();
  return schedule;
}

[[noreturn]] void BadArgument(const std::string& message) {
  mc::fail(mc::codes::kBadArgument, message, "Check the arguments passed to the scheduler binding.");
}

std::string DescribeType(const Napi::Value& value) {
  if (value.IsUndefined()) return "undefined";
  if (value.IsNull()) return "null";
  if (value.IsString()) return "a string";
  if (value.IsNumber()) return "a number";
  if (value.IsBoolean()) return "a boolean";
  if (value.IsArray()) return "an array";
  if (value.IsTypedArray()) return "a typed array";
  return "an object";
}

std::string StringArg(const Napi::Value& value, const char* what) {
  if (!value.IsString()) {
    BadArgument(std::string("expected ") + what + " to be a string, received " + DescribeType(value));
  }
  return value.As<Napi::String>().Utf8Value();
}

double NumberArg(const Napi::Value& value, const char* what) {
  if (!value.IsNumber()) {
    BadArgument(std::string("expected ") + what + " to be a number, received " + DescribeType(value));
  }
  return value.As<Napi::Number>().DoubleValue();
}

int IntArg(const Napi::Value& value, const char* what) {
  const double number = NumberArg(value, what);
  if (!std::isfinite(number) || std::floor(number) != number || std::fabs(number) > 1e9) {
    BadArgument(std::string("expected ") + what + " to be an integer, received " + std::to_string(number));
  }
  return static_cast<int>(number);
}

uint64_t SeedArg(const Napi::Value& value) {
  if (value.IsBigInt()) {
    bool lossless = false;
    const uint64_t seed = value.As<Napi::BigInt>().Uint64Value(&lossless);
    if (!lossless) BadArgument("expected seed to fit in 64 unsigned bits");
    return seed;
  }
  const double number = NumberArg(value, "seed");
  if (!std::isfinite(number) || std::floor(number) != number || number < 0 || number > 9007199254740991.0) {
    BadArgument("expected seed to be a non-negative safe integer, received " + std::to_string(number));
  }
  return static_cast<uint64_t>(number);
}

Napi::Object OptionsArg(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsObject() || info[0].IsArray()) {
    BadArgument("expected an options object, received " +
                (info.Length() < 1 ? std::string("nothing") : DescribeType(info[0])));
  }
  return info[0].As<Napi::Object>();
}

std::vector<int64_t> ShapeArg(const Napi::Value& value) {
  if (!value.IsArray()) {
    BadArgument("expected shape to be an array of positive integers, received " + DescribeType(value));
  }
  Napi::Array array = value.As<Napi::Array>();
  if (array.Length() < 1 || array.Length() > 8) {
    BadArgument("expected shape to have 1 to 8 dimensions, received " + std::to_string(array.Length()));
  }
  std::vector<int64_t> shape;
  int64_t numel = 1;
  for (uint32_t i = 0; i < array.Length(); ++i) {
    const int dim = IntArg(array.Get(i), "each shape dimension");
    if (dim < 1) BadArgument("expected shape dimensions of at least 1, received " + std::to_string(dim));
    numel *= dim;
    if (numel > (int64_t{1} << 28)) BadArgument("expected a shape of at most 2^28 elements");
    shape.push_back(dim);
  }
  return shape;
}

// Copies a Float32Array into a new CPU tensor of `shape`.
torch::Tensor TensorArg(const Napi::Value& value, const std::vector<int64_t>& shape, const char* what) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    BadArgument(std::string("expected ") + what + " to be a Float32Array, received " + DescribeType(value));
  }
  Napi::Float32Array array = value.As<Napi::Float32Array>();
  torch::Tensor tensor = torch::empty(shape, torch::kFloat32);
  if (static_cast<int64_t>(array.ElementLength()) != tensor.numel()) {
    BadArgument(std::string("expected ") + what + " to hold " + std::to_string(tensor.numel()) +
                " values for its shape, received " + std::to_string(array.ElementLength()));
  }
  std::memcpy(tensor.data_ptr<float>(), array.Data(), sizeof(float) * array.ElementLength());
  return tensor;
}

// JS-owned copy (Electron forbids external buffers).
Napi::Float32Array ToFloat32Array(Napi::Env env, const torch::Tensor& tensor) {
  torch::Tensor t = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  Napi::Float32Array array = Napi::Float32Array::New(env, static_cast<size_t>(t.numel()));
  std::memcpy(array.Data(), t.data_ptr<float>(), sizeof(float) * static_cast<size_t>(t.numel()));
  return array;
}

Napi::Array ToArray(Napi::Env env, const std::vector<double>& values, size_t from = 0) {
  Napi::Array array = Napi::Array::New(env, values.size() - std::min(from, values.size()));
  for (size_t i = from; i < values.size(); ++i) {
    array.Set(static_cast<uint32_t>(i - from), Napi::Number::New(env, values[i]));
  }
  return array;
}

std::unique_ptr<Scheduler> Planned(const std::string& name, int steps) {
  std::unique_ptr<Scheduler> scheduler = sched::make_scheduler(name, Sd15Schedule());
  scheduler->set_timesteps(steps);
  return scheduler;
}

Napi::Value SchedulerNames(const Napi::CallbackInfo& info) {
  return GuardNative(info.Env(), [&]() -> Napi::Value {
    std::vector<std::string> names = sched::scheduler_names();
    Napi::Array array = Napi::Array::New(info.Env(), names.size());
    for (size_t i = 0; i < names.size(); ++i) {
      array.Set(static_cast<uint32_t>(i), Napi::String::New(info.Env(), names[i]));
    }
    return array;
  });
}

// schedulerPlan(name, steps) -> {timesteps, sigmas | null, initNoiseSigma}
Napi::Value SchedulerPlan(const Napi::CallbackInfo& info) {
  return GuardNative(info.Env(), [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    std::unique_ptr<Scheduler> scheduler = Planned(StringArg(info[0], "name"), IntArg(info[1], "steps"));
    std::vector<double> sigmas = scheduler->sigmas();
    Napi::Object plan = Napi::Object::New(env);
    plan.Set("timesteps", ToArray(env, scheduler->timesteps()));
    plan.Set("sigmas", sigmas.empty() ? env.Null() : Napi::Value(ToArray(env, sigmas)));
    plan.Set("initNoiseSigma", Napi::Number::New(env, scheduler->init_noise_sigma()));
    return plan;
  });
}

// img2imgPlan(name, steps, strength) -> {startIndex, timesteps}
Napi::Value Img2ImgPlan(const Napi::CallbackInfo& info) {
  return GuardNative(info.Env(), [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    const std::string name = StringArg(info[0], "name");
    const int steps = IntArg(info[1], "steps");
    const int start = sched::img2img_start_index(steps, NumberArg(info[2], "strength"));
    std::unique_ptr<Scheduler> scheduler = Planned(name, steps);
    Napi::Object plan = Napi::Object::New(env);
    plan.Set("startIndex", Napi::Number::New(env, start));
    plan.Set("timesteps", ToArray(env, scheduler->timesteps(), static_cast<size_t>(start)));
    return plan;
  });
}

// schedulerLoop({name, steps, noise, shape, seed}) -> Float32Array. The "model" is eps = 0.5 * x_in + t / 1000.
Napi::Value SchedulerLoop(const Napi::CallbackInfo& info) {
  return GuardNative(info.Env(), [&]() -> Napi::Value {
    Napi::Object options = OptionsArg(info);
    const std::vector<int64_t> shape = ShapeArg(options.Get("shape"));
    torch::Tensor noise = TensorArg(options.Get("noise"), shape, "noise");
    const uint64_t seed = SeedArg(options.Get("seed"));
    std::unique_ptr<Scheduler> scheduler =
        Planned(StringArg(options.Get("name"), "name"), IntArg(options.Get("steps"), "steps"));

    torch::NoGradGuard no_grad;
    at::Generator generator = mc::cpu_generator(seed);
    torch::Tensor x = noise * scheduler->init_noise_sigma();
    const std::vector<double>& timesteps = scheduler->timesteps();
    for (int i = 0; i < static_cast<int>(timesteps.size()); ++i) {
      torch::Tensor x_in = scheduler->scale_model_input(x, i);
      torch::Tensor eps = x_in * 0.5 + timesteps[i] / 1000.0;  // the golden recipe's float(t) / 1000
      x = scheduler->step(eps, i, x, generator);
    }
    return ToFloat32Array(info.Env(), x);
  });
}

// schedulerAddNoise({name, steps, strength, original, noise, shape}) -> {startIndex, noisy}
Napi::Value SchedulerAddNoise(const Napi::CallbackInfo& info) {
  return GuardNative(info.Env(), [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    Napi::Object options = OptionsArg(info);
    const std::vector<int64_t> shape = ShapeArg(options.Get("shape"));
    torch::Tensor original = TensorArg(options.Get("original"), shape, "original");
    torch::Tensor noise = TensorArg(options.Get("noise"), shape, "noise");
    const std::string name = StringArg(options.Get("name"), "name");
    const int steps = IntArg(options.Get("steps"), "steps");
    const double strength = NumberArg(options.Get("strength"), "strength");
    const int start = sched::img2img_start_index(steps, strength);
    mc::require(start < steps, mc::codes::kBadArgument,
                "expected a strength that leaves at least one of " + std::to_string(steps) +
                    " steps to denoise, received " + Napi::Number::New(env, strength).ToString().Utf8Value(),
                "Raise the strength or the step count.");
    std::unique_ptr<Scheduler> scheduler = Planned(name, steps);
    scheduler->set_begin_index(start);

    torch::NoGradGuard no_grad;
    Napi::Object result = Napi::Object::New(env);
    result.Set("startIndex", Napi::Number::New(env, start));
    result.Set("noisy", ToFloat32Array(env, scheduler->add_noise(original, noise, start)));
    return result;
  });
}

}  // namespace

void RegisterSchedulers(Napi::Env env, Napi::Object exports) {
  exports.Set("schedulerNames", Napi::Function::New(env, SchedulerNames, "schedulerNames"));
  exports.Set("schedulerPlan", Napi::Function::New(env, SchedulerPlan, "schedulerPlan"));
  exports.Set("img2imgPlan", Napi::Function::New(env, Img2ImgPlan, "img2imgPlan"));
  exports.Set("schedulerLoop", Napi::Function::New(env, SchedulerLoop, "schedulerLoop"));
  exports.Set("schedulerAddNoise", Napi::Function::New(env, SchedulerAddNoise, "schedulerAddNoise"));
}

}  // namespace mc::binding
