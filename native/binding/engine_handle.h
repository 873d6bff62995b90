// Access to the Engine behind a JS EngineHandle, for binding files other than engine_binding.cpp.
#pragma once
#include <napi.h>

#include <memory>

#include "magicapture/engine.h"

namespace mc::binding {

// The open engine of `handle` (an EngineHandle from openEngine). Throws E_BAD_ARGUMENT for anything else or a
// closed engine.
std::shared_ptr<Engine> EngineOf(Napi::Env env, Napi::Value handle);

}  // namespace mc::binding
