#include "io/json.h"

#include <algorithm>
#include <cmath>
#include <locale>
#include <sstream>

#include "core/error.h"

namespace mc::io::json {

namespace {

// Length of the UTF-8 sequence starting at s[i], or 0 when it is not well formed (overlong forms, surrogates and
// code points above U+10FFFF are not).
size_t utf8_sequence_length(std::string_view s, size_t i) {
  auto byte = [&](size_t p) -> unsigned { return p < s.size() ? static_cast<unsigned char>(s[p]) : 0x100; };
  unsigned b0 = byte(i);
  if (b0 < 0x80) return 1;
  size_t len;
  unsigned lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  for (size_t k = 1; k < len; ++k) {
    unsigned b = byte(i + k);
    if (b < (k == 1 ? lo : 0x80u) || b > (k == 1 ? hi : 0xBFu)) return 0;
  }
  return len;
}

class Parser {
 public:
  Parser(std::string_view text, const ParseOptions& options) : s_(text), o_(options) {}

  Value parse_document() {
    skip_whitespace();
    Value v = parse_value(0);
    skip_whitespace();
    if (pos_ != s_.size()) fail_here("end of input after the top-level value");
    return v;
  }

 private:
  std::string_view s_;
  const ParseOptions& o_;
  size_t pos_ = 0;
  size_t nodes_ = 0;

  [[noreturn]] void fail_at(size_t pos, const std::string& what) const {
    fail(o_.error_code, o_.context + ": invalid JSON at byte " + std::to_string(pos) + ": " + what, o_.hint);
  }

  std::string found() const {
    if (pos_ >= s_.size()) return "end of input";
    unsigned char c = static_cast<unsigned char>(s_[pos_]);
    if (c >= 0x20 && c < 0x7f) return std::string("'") + static_cast<char>(c) + "'";
    static const char* hex = "0123456789abcdef";
    return std::string("byte 0x") + hex[c >> 4] + hex[c & 15];
  }

  [[noreturn]] void fail_here(const std::string& expected) const {
    fail_at(pos_, "expected " + expected + ", found " + found());
  }

  void skip_whitespace() {
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
      ++pos_;
    }
  }

  bool consume_literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  void count_node() {
    if (++nodes_ > o_.max_nodes)
      fail_at(pos_, "more than " + std::to_string(o_.max_nodes) + " values");
  }

  Value parse_value(int depth) {
    count_node();
    if (pos_ >= s_.size()) fail_here("a value");
    char c = s_[pos_];
    switch (c) {
      case '{':
        return parse_object(depth + 1);
      case '[':
        return parse_array(depth + 1);
      case '"': {
        Value v;
        v.type = Type::String;
        v.text = parse_string();
        return v;
      }
      case 't':
        if (consume_literal("true")) return Value::from_bool(true);
        break;
      case 'f':
        if (consume_literal("false")) return Value::from_bool(false);
        break;
      case 'n':
        if (consume_literal("null")) return Value{};
        break;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return parse_number();
    }
    fail_here("a value (object, array, string, number, true, false or null)");
  }

  void check_depth(int depth) const {
    if (depth > o_.max_depth)
      fail_at(pos_, "nesting deeper than " + std::to_string(o_.max_depth) + " levels");
  }

  Value parse_object(int depth) {
    check_depth(depth);
    ++pos_;  // '{'
    Value v;
    v.type = Type::Object;
    skip_whitespace();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      return v;
    }
    for (;;) {
      skip_whitespace();
      if (pos_ >= s_.size() || s_[pos_] != '"') fail_here("a string key");
      std::string key = parse_string();
      skip_whitespace();
      if (pos_ >= s_.size() || s_[pos_] != ':') fail_here("':'");
      ++pos_;
      skip_whitespace();
      v.members.emplace_back(std::move(key), parse_value(depth));
      skip_whitespace();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == '}') {
        ++pos_;
        break;
      }
      fail_here("',' or '}'");
    }
    reject_duplicate_keys(v);
    return v;
  }

  void reject_duplicate_keys(const Value& v) const {
    if (v.members.size() < 2) return;
    std::vector<const std::string*> keys;
    keys.reserve(v.members.size());
    for (const auto& m : v.members) keys.push_back(&m.first);
    std::sort(keys.begin(), keys.end(), [](const std::string* a, const std::string* b) { return *a < *b; });
    for (size_t i = 1; i < keys.size(); ++i)
      if (*keys[i] == *keys[i - 1])
        fail(o_.error_code, o_.context + ": duplicate key " + quote(*keys[i]) + " (expected every key once)", o_.hint);
  }

  Value parse_array(int depth) {
    check_depth(depth);
    ++pos_;  // '['
    Value v;
    v.type = Type::Array;
    skip_whitespace();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      return v;
    }
    for (;;) {
      skip_whitespace();
      v.items.push_back(parse_value(depth));
      skip_whitespace();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == ']') {
        ++pos_;
        break;
      }
      fail_here("',' or ']'");
    }
    return v;
  }

  Value parse_number() {
    size_t start = pos_;
    auto digit = [&](size_t p) { return p < s_.size() && s_[p] >= '0' && s_[p] <= '9'; };
    if (s_[pos_] == '-') ++pos_;
    if (!digit(pos_)) fail_here("a digit");
    if (s_[pos_] == '0') {
      ++pos_;
      if (digit(pos_)) fail_here("no leading zeros in a number");
    } else {
      while (digit(pos_)) ++pos_;
    }
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      if (!digit(pos_)) fail_here("a digit after the decimal point");
      while (digit(pos_)) ++pos_;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (!digit(pos_)) fail_here("a digit in the exponent");
      while (digit(pos_)) ++pos_;
    }
    Value v;
    v.type = Type::Number;
    v.text = std::string(s_.substr(start, pos_ - start));
    return v;
  }

  unsigned parse_hex4() {
    unsigned cp = 0;
    for (int i = 0; i < 4; ++i) {
      if (pos_ >= s_.size()) fail_here("4 hex digits after \\u");
      char c = s_[pos_];
      unsigned d;
      if (c >= '0' && c <= '9') d = c - '0';
      else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
      else fail_here("4 hex digits after \\u");
      cp = cp * 16 + d;
      ++pos_;
    }
    return cp;
  }

  static void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  void copy_utf8_sequence(std::string& out) {
    size_t len = utf8_sequence_length(s_, pos_);
    if (len == 0) fail_at(pos_, "invalid UTF-8 in a string");
    out.append(s_.data() + pos_, len);
    pos_ += len;
  }

  std::string parse_string() {
    ++pos_;  // opening quote
    std::string out;
    for (;;) {
      if (pos_ >= s_.size()) fail_here("a closing '\"'");
      unsigned char c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (c < 0x20) fail_here("no raw control characters in a string (use an escape)");
      if (c >= 0x80) {
        copy_utf8_sequence(out);
        continue;
      }
      if (c != '\\') {
        out += static_cast<char>(c);
        ++pos_;
        continue;
      }
      ++pos_;
      if (pos_ >= s_.size()) fail_here("an escape character");
      char e = s_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          size_t at = pos_ - 2;
          unsigned cp = parse_hex4();
          if (cp >= 0xDC00 && cp <= 0xDFFF) fail_at(at, "a low surrogate \\u escape without a preceding high surrogate");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (!(pos_ + 1 < s_.size() && s_[pos_] == '\\' && s_[pos_ + 1] == 'u'))
              fail_at(at, "a high surrogate \\u escape not followed by a low surrogate");
            pos_ += 2;
            unsigned low = parse_hex4();
            if (low < 0xDC00 || low > 0xDFFF) fail_at(at, "a high surrogate \\u escape not followed by a low surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(out, cp);
          break;
        }
        default:
          --pos_;
          fail_here("a valid escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
      }
    }
  }
};

void write_value(std::string& out, const Value& v) {
  switch (v.type) {
    case Type::Null: out += "null"; break;
    case Type::Bool: out += v.boolean ? "true" : "false"; break;
    case Type::Number: out += v.text; break;
    case Type::String: out += quote(v.text); break;
    case Type::Array: {
      out += '[';
      for (size_t i = 0; i < v.items.size(); ++i) {
        if (i) out += ',';
        write_value(out, v.items[i]);
      }
      out += ']';
      break;
    }
    case Type::Object: {
      out += '{';
      for (size_t i = 0; i < v.members.size(); ++i) {
        if (i) out += ',';
        out += quote(v.members[i].first);
        out += ':';
        write_value(out, v.members[i].second);
      }
      out += '}';
      break;
    }
  }
}

}  // namespace

const Value* Value::find(std::string_view key) const {
  if (type != Type::Object) return nullptr;
  for (const auto& m : members)
    if (m.first == key) return &m.second;
  return nullptr;
}

bool Value::as_uint64(uint64_t& out) const {
  if (type != Type::Number || text.empty()) return false;
  uint64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    if (__builtin_mul_overflow(n, 10u, &n) || __builtin_add_overflow(n, static_cast<uint64_t>(c - '0'), &n)) return false;
  }
  out = n;
  return true;
}

bool Value::as_double(double& out) const {
  if (type != Type::Number) return false;
  std::istringstream in(text);
  in.imbue(std::locale::classic());
  double d = 0;
  in >> d;
  if (in.fail() || !std::isfinite(d)) return false;
  out = d;
  return true;
}

Value Value::from_bool(bool b) {
  Value v;
  v.type = Type::Bool;
  v.boolean = b;
  return v;
}

Value Value::from_string(std::string s) {
  Value v;
  v.type = Type::String;
  v.text = std::move(s);
  return v;
}

Value Value::from_uint64(uint64_t n) {
  Value v;
  v.type = Type::Number;
  v.text = std::to_string(n);
  return v;
}

Value Value::from_int64(int64_t n) {
  Value v;
  v.type = Type::Number;
  v.text = std::to_string(n);
  return v;
}

Value Value::from_double(double d) {
  require(std::isfinite(d), codes::kBadArgument, "JSON cannot represent " + std::to_string(d) + " (expected a finite number)");
  std::ostringstream out;
  out.imbue(std::locale::classic());
  out.precision(17);
  out << d;
  Value v;
  v.type = Type::Number;
  v.text = out.str();
  return v;
}

Value Value::array() {
  Value v;
  v.type = Type::Array;
  return v;
}

Value Value::object() {
  Value v;
  v.type = Type::Object;
  return v;
}

Value& Value::push(Value v) {
  require(type == Type::Array, codes::kInternal, "json::Value::push on a non-array");
  items.push_back(std::move(v));
  return items.back();
}

Value& Value::set(std::string key, Value v) {
  require(type == Type::Object, codes::kInternal, "json::Value::set on a non-object");
  require(find(key) == nullptr, codes::kBadArgument, "duplicate JSON key " + quote(key) + " (expected every key once)");
  members.emplace_back(std::move(key), std::move(v));
  return members.back().second;
}

Value parse(std::string_view text, const ParseOptions& options) {
  if (text.size() > options.max_bytes)
    fail(options.error_code,
         options.context + ": expected at most " + std::to_string(options.max_bytes) + " bytes of JSON, received " +
             std::to_string(text.size()),
         options.hint);
  return Parser(text, options).parse_document();
}

std::string quote(std::string_view s) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

bool is_valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t len = utf8_sequence_length(s, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

std::string serialize(const Value& value) {
  std::string out;
  write_value(out, value);
  return out;
}

}  // namespace mc::io::json
