// Each binding file exposes one group of functions; addon.cpp calls every Register* once at load.
#pragma once
#include <napi.h>

namespace mc::binding {
void RegisterIo(Napi::Env env, Napi::Object exports);          // io_binding.cpp: safetensors + checkpoints
void RegisterSchedulers(Napi::Env env, Napi::Object exports);  // scheduler_binding.cpp: sampler plans
void RegisterEngine(Napi::Env env, Napi::Object exports);      // engine_binding.cpp: open, sample, cancel
void RegisterArcface(Napi::Env env, Napi::Object exports);     // arcface_binding.cpp: face-recognition networks
void RegisterLora(Napi::Env env, Napi::Object exports);        // lora_binding.cpp: adapters, export formats
void RegisterTraining(Napi::Env env, Napi::Object exports);    // training_binding.cpp: MagiCapture runs, loss maths
void RegisterTrainingProbe(Napi::Env env, Napi::Object exports);  // training_probe_binding.cpp: one step, golden tests
}  // namespace mc::binding
