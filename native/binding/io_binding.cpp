// Safetensors and checkpoint inspection for JavaScript. Synchronous: these read headers or single tensors.
// Tensor data is copied into JS-owned typed arrays (Electron forbids external ArrayBuffers).
#include <napi.h>
#include <torch/torch.h>

#include <cstring>

#include "io/checkpoint.h"
#include "io/safetensors.h"
#include "js_errors.h"
#include "register.h"

namespace mc::binding {

namespace {

// Tensors copied to JS must fit a typed array comfortably.
constexpr uint64_t kMaxJsElements = uint64_t{1} << 30;

[[noreturn]] void bad_argument(const std::string& message) { mc::fail(mc::codes::kBadArgument, message); }

std::string describe(const Napi::Value& v) {
  switch (v.Type()) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return v.As<Napi::Boolean>().Value() ? "true" : "false";
    case napi_number: return v.As<Napi::Number>().ToString().Utf8Value();
    case napi_string: return "a string";
    case napi_symbol: return "a symbol";
    case napi_function: return "a function";
    case napi_bigint: return "a bigint";
    default: return v.IsArray() ? "an array" : "an object";
  }
}

std::string string_arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsString())
    bad_argument(std::string("expected ") + what + " to be a string, received " +
                 (info.Length() <= i ? "nothing" : describe(info[i])));
  std::string s = info[i].As<Napi::String>().Utf8Value();
  if (s.empty()) bad_argument(std::string("expected ") + what + " to be a non-empty string");
  return s;
}

Napi::Object metadata_object(Napi::Env env, const std::map<std::string, std::string>& metadata) {
  Napi::Object out = Napi::Object::New(env);
  for (const auto& [k, v] : metadata) out.Set(k, v);
  return out;
}

Napi::Array shape_array(Napi::Env env, const std::vector<int64_t>& shape) {
  Napi::Array out = Napi::Array::New(env, shape.size());
  for (size_t i = 0; i < shape.size(); ++i) out.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(shape[i])));
  return out;
}

Napi::Array string_array(Napi::Env env, const std::vector<std::string>& items) {
  Napi::Array out = Napi::Array::New(env, items.size());
  for (size_t i = 0; i < items.size(); ++i) out.Set(static_cast<uint32_t>(i), items[i]);
  return out;
}

Napi::Value ReadSafetensorsHeader(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return GuardNative(env, [&]() -> Napi::Value {
    io::SafetensorsFile file = io::SafetensorsFile::open(string_arg(info, 0, "path"));
    Napi::Array tensors = Napi::Array::New(env, file.tensors().size());
    uint32_t i = 0;
    for (const auto& t : file.tensors()) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("name", t.name);
      o.Set("dtype", io::dtype_name(t.dtype));
      o.Set("shape", shape_array(env, t.shape));
      o.Set("begin", Napi::Number::New(env, static_cast<double>(t.begin)));
      o.Set("end", Napi::Number::New(env, static_cast<double>(t.end)));
      tensors.Set(i++, o);
    }
    Napi::Object out = Napi::Object::New(env);
    out.Set("metadata", metadata_object(env, file.metadata()));
    out.Set("tensors", tensors);
    return out;
  });
}

Napi::Object component_summary(Napi::Env env, const io::ComponentPlan& plan) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("tensorCount", Napi::Number::New(env, static_cast<double>(plan.tensors.size())));
  o.Set("hasConfig", Napi::Boolean::New(env, !plan.config_json.empty()));
  return o;
}

Napi::Value InspectCheckpoint(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return GuardNative(env, [&]() -> Napi::Value {
    io::CheckpointPlan plan = io::plan_checkpoint(string_arg(info, 0, "path"));
    Napi::Object components = Napi::Object::New(env);
    components.Set("unet", component_summary(env, plan.unet));
    components.Set("vae", component_summary(env, plan.vae));
    components.Set("textEncoder", component_summary(env, plan.text_encoder));
    Napi::Object out = Napi::Object::New(env);
    out.Set("layout", io::layout_name(plan.layout));
    out.Set("path", plan.path);
    out.Set("components", components);
    out.Set("unusedKeys", string_array(env, plan.unused_keys));
    out.Set("tokenizerDir", plan.tokenizer_dir.empty() ? env.Null() : Napi::String::New(env, plan.tokenizer_dir));
    out.Set("metadata", metadata_object(env, plan.metadata));
    return out;
  });
}

// Copies a tensor into a JS-owned Float32Array.
Napi::Float32Array float_copy(Napi::Env env, const torch::Tensor& tensor, const std::string& name) {
  if (static_cast<uint64_t>(tensor.numel()) > kMaxJsElements)
    bad_argument("tensor \"" + name + "\" has " + std::to_string(tensor.numel()) + " elements, expected at most " +
                 std::to_string(kMaxJsElements) + " to copy into JavaScript");
  torch::Tensor values = tensor.to(torch::kFloat).contiguous();
  Napi::Float32Array data = Napi::Float32Array::New(env, static_cast<size_t>(values.numel()));
  if (values.numel() > 0) std::memcpy(data.Data(), values.data_ptr<float>(), static_cast<size_t>(values.numel()) * sizeof(float));
  return data;
}

Napi::Value LoadSafetensorsTensor(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return GuardNative(env, [&]() -> Napi::Value {
    io::SafetensorsFile file = io::SafetensorsFile::open(string_arg(info, 0, "path"));
    std::string name = string_arg(info, 1, "the tensor name");
    const io::TensorInfo* t = file.find(name);
    if (!t) mc::fail(mc::codes::kBadArgument, file.path() + ": no tensor named \"" + name + "\"", "list the tensors with readSafetensorsHeader");
    Napi::Float32Array data = float_copy(env, file.load(*t), name);
    Napi::Object out = Napi::Object::New(env);
    out.Set("dtype", io::dtype_name(t->dtype));
    out.Set("shape", shape_array(env, t->shape));
    out.Set("data", data);
    return out;
  });
}

Napi::Value LoadCheckpointComponent(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return GuardNative(env, [&]() -> Napi::Value {
    std::string path = string_arg(info, 0, "path");
    std::string which = string_arg(info, 1, "component");
    io::CheckpointPlan plan = io::plan_checkpoint(path);
    const io::ComponentPlan* component = which == "unet"          ? &plan.unet
                                         : which == "vae"         ? &plan.vae
                                         : which == "textEncoder" ? &plan.text_encoder
                                                                  : nullptr;
    if (!component) bad_argument("expected component to be unet, vae or textEncoder, received \"" + which + "\"");
    std::map<std::string, torch::Tensor> tensors = io::load_component(*component);
    Napi::Array out = Napi::Array::New(env, tensors.size());
    uint32_t i = 0;
    for (const auto& [name, tensor] : tensors) {
      const io::TensorSource& src = component->tensors.at(name);
      Napi::Object o = Napi::Object::New(env);
      o.Set("name", name);
      o.Set("file", src.file);
      o.Set("key", src.key);
      o.Set("dtype", io::dtype_name(src.info.dtype));
      o.Set("shape", shape_array(env, tensor.sizes().vec()));
      o.Set("data", float_copy(env, tensor, name));
      out.Set(i++, o);
    }
    return out;
  });
}

std::vector<int64_t> shape_arg(const Napi::Value& v, const std::string& what) {
  if (!v.IsArray()) bad_argument("expected " + what + " to be an array of non-negative integers");
  Napi::Array a = v.As<Napi::Array>();
  std::vector<int64_t> shape;
  for (uint32_t i = 0; i < a.Length(); ++i) {
    Napi::Value d = a.Get(i);
    double x = d.IsNumber() ? d.As<Napi::Number>().DoubleValue() : -1;
    if (!(x >= 0 && x <= 9007199254740991.0 && x == static_cast<double>(static_cast<int64_t>(x))))
      bad_argument("expected " + what + " to be an array of non-negative integers, received " + describe(d) +
                   " at index " + std::to_string(i));
    shape.push_back(static_cast<int64_t>(x));
  }
  return shape;
}

Napi::Value WriteSafetensors(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return GuardNative(env, [&]() -> Napi::Value {
    std::string path = string_arg(info, 0, "path");
    if (info.Length() < 2 || !info[1].IsArray()) bad_argument("expected tensors to be an array of {name, shape, data}");
    Napi::Array list = info[1].As<Napi::Array>();
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (uint32_t i = 0; i < list.Length(); ++i) {
      std::string where = "tensors[" + std::to_string(i) + "]";
      Napi::Value item = list.Get(i);
      if (!item.IsObject()) bad_argument("expected " + where + " to be an object {name, shape, data}");
      Napi::Object o = item.As<Napi::Object>();
      Napi::Value name = o.Get("name");
      if (!name.IsString()) bad_argument("expected " + where + ".name to be a string");
      std::vector<int64_t> shape = shape_arg(o.Get("shape"), where + ".shape");
      Napi::Value data = o.Get("data");
      if (!data.IsTypedArray() || data.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
        bad_argument("expected " + where + ".data to be a Float32Array");
      Napi::Float32Array values = data.As<Napi::Float32Array>();
      uint64_t numel = 1;
      for (int64_t d : shape)
        if (__builtin_mul_overflow(numel, static_cast<uint64_t>(d), &numel)) bad_argument("expected " + where + ".shape to fit in memory");
      if (numel != values.ElementLength())
        bad_argument("expected " + where + ".data to hold " + std::to_string(numel) + " values for its shape, received " +
                     std::to_string(values.ElementLength()));
      io::DType dtype = io::DType::F32;
      Napi::Value dtype_value = o.Get("dtype");
      if (!dtype_value.IsUndefined()) {
        if (!dtype_value.IsString() || !io::parse_dtype(dtype_value.As<Napi::String>().Utf8Value(), dtype))
          bad_argument("expected " + where + ".dtype to be one of F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL");
      }
      // from_blob only views the JS memory; clone() copies it before JavaScript can move or free it.
      torch::Tensor t = numel == 0 ? torch::empty(shape, torch::kFloat)
                                   : torch::from_blob(values.Data(), shape, torch::kFloat).clone();
      tensors.emplace_back(name.As<Napi::String>().Utf8Value(), t.to(io::to_scalar_type(dtype)));
    }
    std::map<std::string, std::string> metadata;
    if (info.Length() > 2 && !info[2].IsUndefined() && !info[2].IsNull()) {
      if (!info[2].IsObject() || info[2].IsArray()) bad_argument("expected metadata to be an object of strings");
      Napi::Object m = info[2].As<Napi::Object>();
      Napi::Array keys = m.GetPropertyNames();
      for (uint32_t i = 0; i < keys.Length(); ++i) {
        std::string key = keys.Get(i).ToString().Utf8Value();
        Napi::Value v = m.Get(key);
        if (!v.IsString()) bad_argument("expected metadata \"" + key + "\" to be a string");
        metadata.emplace(key, v.As<Napi::String>().Utf8Value());
      }
    }
    io::write_safetensors(path, tensors, metadata);
    return env.Undefined();
  });
}

}  // namespace

void RegisterIo(Napi::Env env, Napi::Object exports) {
  exports.Set("readSafetensorsHeader", Napi::Function::New(env, ReadSafetensorsHeader, "readSafetensorsHeader"));
  exports.Set("inspectCheckpoint", Napi::Function::New(env, InspectCheckpoint, "inspectCheckpoint"));
  exports.Set("loadSafetensorsTensor", Napi::Function::New(env, LoadSafetensorsTensor, "loadSafetensorsTensor"));
  exports.Set("loadCheckpointComponent", Napi::Function::New(env, LoadCheckpointComponent, "loadCheckpointComponent"));
  exports.Set("writeSafetensors", Napi::Function::New(env, WriteSafetensors, "writeSafetensors"));
}

}  // namespace mc::binding
