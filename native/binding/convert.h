// Conversions between JS values and C++/torch values. Tensor data is always copied into JS-owned memory
// (Electron forbids external ArrayBuffers).
#pragma once
#include <napi.h>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "core/error.h"

namespace mc::binding {

inline void expect(bool ok, const std::string& message) {
  if (!ok) mc::fail(mc::codes::kBadArgument, message);
}

inline Napi::Value field(const Napi::Object& object, const char* key) { return object.Get(key); }

inline double get_number(const Napi::Object& object, const char* key, double fallback) {
  auto v = field(object, key);
  if (v.IsUndefined()) return fallback;
  expect(v.IsNumber(), std::string("expected ") + key + " to be a number");
  return v.As<Napi::Number>().DoubleValue();
}

inline std::string get_string(const Napi::Object& object, const char* key, const std::string& fallback) {
  auto v = field(object, key);
  if (v.IsUndefined()) return fallback;
  expect(v.IsString(), std::string("expected ") + key + " to be a string");
  return v.As<Napi::String>().Utf8Value();
}

inline bool get_bool(const Napi::Object& object, const char* key, bool fallback) {
  auto v = field(object, key);
  if (v.IsUndefined()) return fallback;
  expect(v.IsBoolean(), std::string("expected ") + key + " to be a boolean");
  return v.As<Napi::Boolean>().Value();
}

inline std::vector<int64_t> to_int_vector(const Napi::Value& value, const std::string& what) {
  expect(value.IsArray(), "expected " + what + " to be an array of integers");
  auto array = value.As<Napi::Array>();
  std::vector<int64_t> out;
  out.reserve(array.Length());
  for (uint32_t i = 0; i < array.Length(); ++i) {
    Napi::Value item = array.Get(i);
    expect(item.IsNumber(), "expected " + what + " to be an array of integers");
    out.push_back(item.As<Napi::Number>().Int64Value());
  }
  return out;
}

inline std::vector<std::vector<int64_t>> to_int_rows(const Napi::Value& value, const std::string& what) {
  std::vector<std::vector<int64_t>> rows;
  if (value.IsUndefined()) return rows;
  expect(value.IsArray(), "expected " + what + " to be an array of arrays of integers");
  auto array = value.As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); ++i) rows.push_back(to_int_vector(array.Get(i), what));
  return rows;
}

// {data: Float32Array, shape: number[]} -> float32 CPU tensor (copied).
inline torch::Tensor to_tensor(const Napi::Value& value, const std::string& what) {
  expect(value.IsObject(), "expected " + what + " to be {data: Float32Array, shape: number[]}");
  auto object = value.As<Napi::Object>();
  auto shape = to_int_vector(object.Get("shape"), what + ".shape");
  auto data = object.Get("data");
  expect(data.IsTypedArray() && data.As<Napi::TypedArray>().TypedArrayType() == napi_float32_array,
         "expected " + what + ".data to be a Float32Array");
  auto array = data.As<Napi::Float32Array>();
  int64_t count = 1;
  for (auto d : shape) {
    expect(d >= 0 && d < (int64_t{1} << 31), "expected " + what + ".shape to hold non-negative sizes");
    count *= d;
    expect(count < (int64_t{1} << 34), "expected " + what + " to be smaller");
  }
  expect(static_cast<int64_t>(array.ElementLength()) == count,
         "expected " + what + ".data to have " + std::to_string(count) + " elements, received " +
             std::to_string(array.ElementLength()));
  return torch::from_blob(array.Data(), shape, torch::kFloat).clone();
}

// float32 CPU copy -> {data: Float32Array, shape: number[]}.
inline Napi::Object from_tensor(Napi::Env env, const torch::Tensor& tensor) {
  auto t = tensor.to(torch::kCPU, torch::kFloat).contiguous();
  auto data = Napi::Float32Array::New(env, static_cast<size_t>(t.numel()));
  if (t.numel() > 0) std::memcpy(data.Data(), t.data_ptr<float>(), static_cast<size_t>(t.numel()) * sizeof(float));
  auto shape = Napi::Array::New(env, static_cast<size_t>(t.dim()));
  for (int64_t i = 0; i < t.dim(); ++i) shape.Set(static_cast<uint32_t>(i), Napi::Number::New(env, double(t.size(i))));
  auto out = Napi::Object::New(env);
  out.Set("data", data);
  out.Set("shape", shape);
  return out;
}

template <typename T>
Napi::Array to_js_array(Napi::Env env, const std::vector<T>& values) {
  auto array = Napi::Array::New(env, values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    if constexpr (std::is_same_v<T, std::string>) {
      array.Set(static_cast<uint32_t>(i), Napi::String::New(env, values[i]));
    } else {
      array.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(values[i])));
    }
  }
  return array;
}

}  // namespace mc::binding
