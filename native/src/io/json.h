// A small strict JSON reader and writer (RFC 8259). Input is treated as hostile: size, nesting depth and node
// count are bounded, strings must be valid UTF-8, \u escapes must pair surrogates, duplicate object keys are
// rejected and numbers keep the exact text they were written with (so integers never pass through a double).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mc::io::json {

enum class Type { Null, Bool, Number, String, Array, Object };

struct Value {
  Type type = Type::Null;
  bool boolean = false;
  std::string text;  // the decoded string for String; the number token exactly as written for Number
  std::vector<Value> items;                            // Array
  std::vector<std::pair<std::string, Value>> members;  // Object, in document order, keys unique

  bool is_null() const { return type == Type::Null; }
  bool is_bool() const { return type == Type::Bool; }
  bool is_number() const { return type == Type::Number; }
  bool is_string() const { return type == Type::String; }
  bool is_array() const { return type == Type::Array; }
  bool is_object() const { return type == Type::Object; }

  // Object member by key, or nullptr (also for non-objects).
  const Value* find(std::string_view key) const;
  // True and sets `out` when this is a number written as a plain non-negative integer (no sign, fraction or
  // exponent) that fits in 64 bits.
  bool as_uint64(uint64_t& out) const;
  // True and sets `out` for any finite number.
  bool as_double(double& out) const;

  static Value null() { return Value{}; }
  static Value from_bool(bool b);
  static Value from_string(std::string s);
  static Value from_uint64(uint64_t n);
  static Value from_int64(int64_t n);
  static Value from_double(double d);  // throws EngineError(kBadArgument) for NaN / infinity
  static Value array();
  static Value object();
  // Appends to an array / object (object keys must be unique; throws EngineError(kBadArgument) otherwise).
  Value& push(Value v);
  Value& set(std::string key, Value v);
};

struct ParseOptions {
  size_t max_bytes = 1 << 20;   // larger input is refused before parsing
  int max_depth = 64;           // nesting of arrays/objects
  size_t max_nodes = 2000000;   // values of any kind, bounds memory on hostile input
  const char* error_code = "E_BAD_ARGUMENT";
  std::string context = "JSON";  // named in messages, e.g. "the header of model.safetensors"
  std::string hint;
};

// Parses exactly one JSON value surrounded by optional whitespace. Throws mc::EngineError(options.error_code)
// with the byte position and what was expected vs found.
Value parse(std::string_view text, const ParseOptions& options = {});

// Compact serialisation (no spaces). Non-ASCII UTF-8 is written as is; control characters are escaped.
std::string serialize(const Value& value);
// Serialises a string as a JSON string literal (with quotes).
std::string quote(std::string_view s);
// Strict UTF-8 check (no overlong forms, surrogates or code points above U+10FFFF).
bool is_valid_utf8(std::string_view s);

}  // namespace mc::io::json
