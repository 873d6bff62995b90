// Turns engine exceptions into JavaScript errors that carry {code, message, hint}.
#pragma once
#include <napi.h>

#include <string>

#include <c10/util/Exception.h>

#include "core/error.h"

namespace mc::binding {

inline Napi::Error MakeJsError(Napi::Env env, const std::string& code, const std::string& message,
                               const std::string& hint) {
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  error.Set("hint", Napi::String::New(env, hint));
  return error;
}

// Runs `body`, converting EngineError / c10::Error / std::exception into a thrown JS error.
template <typename Fn>
auto GuardNative(Napi::Env env, Fn&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const mc::EngineError& e) {
    throw MakeJsError(env, e.code(), e.what(), e.hint());
  } catch (const c10::Error& e) {
    throw MakeJsError(env, mc::codes::kInternal, e.what_without_backtrace(), "This is an engine bug; please report it.");
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw MakeJsError(env, mc::codes::kInternal, e.what(), "This is an engine bug; please report it.");
  }
}

}  // namespace mc::binding
