// Typed engine errors. Every failure that can reach JavaScript carries a stable code, a message that says what was
// expected and what was received, and a hint that says what the user can do about it.
#pragma once
#include <stdexcept>
#include <string>

namespace mc {

class EngineError : public std::runtime_error {
 public:
  EngineError(std::string code, const std::string& message, std::string hint = "")
      : std::runtime_error(message), code_(std::move(code)), hint_(std::move(hint)) {}
  const std::string& code() const { return code_; }
  const std::string& hint() const { return hint_; }

 private:
  std::string code_;
  std::string hint_;
};

// Codes used across the engine. Keep in sync with native/lib/errors.ts.
namespace codes {
inline constexpr const char* kBadArgument = "E_BAD_ARGUMENT";
inline constexpr const char* kFileNotFound = "E_FILE_NOT_FOUND";
inline constexpr const char* kBadCheckpoint = "E_BAD_CHECKPOINT";
inline constexpr const char* kUnsupportedFormat = "E_UNSUPPORTED_FORMAT";
inline constexpr const char* kPickleRefused = "E_PICKLE_REFUSED";
inline constexpr const char* kDevice = "E_DEVICE";
inline constexpr const char* kCancelled = "E_CANCELLED";
inline constexpr const char* kOutOfMemory = "E_OUT_OF_MEMORY";
inline constexpr const char* kInternal = "E_INTERNAL";
}  // namespace codes

[[noreturn]] inline void fail(const char* code, const std::string& message, const std::string& hint = "") {
  throw EngineError(code, message, hint);
}

inline void require(bool condition, const char* code, const std::string& message, const std::string& hint = "") {
  if (!condition) fail(code, message, hint);
}

}  // namespace mc
