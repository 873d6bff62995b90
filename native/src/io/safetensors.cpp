#include "io/safetensors.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include "core/error.h"
#include "io/json.h"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "safetensors data is little-endian; tensors are read as is");

namespace mc::io {

namespace {

constexpr size_t kMaxRank = 64;

struct DTypeRow {
  DType dtype;
  const char* name;
  size_t size;
  c10::ScalarType scalar;
};

constexpr DTypeRow kDTypes[] = {
    {DType::F64, "F64", 8, c10::ScalarType::Double},  {DType::F32, "F32", 4, c10::ScalarType::Float},
    {DType::F16, "F16", 2, c10::ScalarType::Half},    {DType::BF16, "BF16", 2, c10::ScalarType::BFloat16},
    {DType::I64, "I64", 8, c10::ScalarType::Long},    {DType::I32, "I32", 4, c10::ScalarType::Int},
    {DType::I16, "I16", 2, c10::ScalarType::Short},   {DType::I8, "I8", 1, c10::ScalarType::Char},
    {DType::U8, "U8", 1, c10::ScalarType::Byte},      {DType::BOOL, "BOOL", 1, c10::ScalarType::Bool},
};

const DTypeRow& row(DType dtype) {
  for (const auto& r : kDTypes)
    if (r.dtype == dtype) return r;
  fail(codes::kInternal, "unknown DType value " + std::to_string(static_cast<int>(dtype)));
}

std::string known_dtypes() {
  std::string out;
  for (const auto& r : kDTypes) {
    if (!out.empty()) out += ", ";
    out += r.name;
  }
  return out;
}

// Short JSON rendering of a received value for error messages.
std::string shown(const json::Value& v) {
  std::string s = json::serialize(v);
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return s;
}

std::string errno_text(int err) { return std::strerror(err); }

struct UniqueFd {
  int fd = -1;
  explicit UniqueFd(int f) : fd(f) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() {
    if (fd >= 0) ::close(fd);
  }
};

// Reads exactly `n` bytes at `offset`; false when the file ends first.
bool pread_exact(int fd, void* dst, uint64_t n, uint64_t offset, int& err) {
  auto* p = static_cast<char*>(dst);
  err = 0;
  while (n > 0) {
    size_t chunk = static_cast<size_t>(std::min<uint64_t>(n, 1u << 30));
    ssize_t got = ::pread(fd, p, chunk, static_cast<off_t>(offset));
    if (got < 0) {
      if (errno == EINTR) continue;
      err = errno;
      return false;
    }
    if (got == 0) return false;
    p += got;
    n -= static_cast<uint64_t>(got);
    offset += static_cast<uint64_t>(got);
  }
  return true;
}

void write_all(int fd, const void* src, size_t n, const std::string& path) {
  auto* p = static_cast<const char*>(src);
  while (n > 0) {
    size_t chunk = std::min<size_t>(n, 1u << 30);
    ssize_t put = ::write(fd, p, chunk);
    if (put < 0) {
      if (errno == EINTR) continue;
      fail(codes::kBadArgument, "cannot write " + path + ": " + errno_text(errno),
           "choose a folder that is writable and has free space");
    }
    p += put;
    n -= static_cast<size_t>(put);
  }
}

class HeaderChecker {
 public:
  HeaderChecker(const std::string& path, uint64_t data_size) : path_(path), data_size_(data_size) {}

  [[noreturn]] void bad(const std::string& what) const { fail(codes::kBadCheckpoint, path_ + ": " + what, kDamagedFileHint); }

  [[noreturn]] void bad_tensor(const std::string& name, const std::string& what) const {
    bad("tensor " + json::quote(name) + ": " + what);
  }

  std::map<std::string, std::string> metadata(const json::Value& v) const {
    if (!v.is_object()) bad("expected \"__metadata__\" to be an object of strings, received " + shown(v));
    std::map<std::string, std::string> out;
    for (const auto& [key, value] : v.members) {
      if (!value.is_string())
        bad("expected \"__metadata__\" value " + json::quote(key) + " to be a string, received " + shown(value));
      out.emplace(key, value.text);
    }
    return out;
  }

  TensorInfo tensor(const std::string& name, const json::Value& v) const {
    if (!v.is_object())
      bad_tensor(name, "expected an object with dtype, shape and data_offsets, received " + shown(v));
    for (const auto& [key, value] : v.members)
      if (key != "dtype" && key != "shape" && key != "data_offsets")
        bad_tensor(name, "expected only the keys dtype, shape and data_offsets, received " + json::quote(key));
    const json::Value* dtype = v.find("dtype");
    const json::Value* shape = v.find("shape");
    const json::Value* offsets = v.find("data_offsets");
    if (!dtype || !shape || !offsets)
      bad_tensor(name, std::string("missing key ") + (!dtype ? "dtype" : !shape ? "shape" : "data_offsets") +
                           " (expected dtype, shape and data_offsets)");

    TensorInfo info;
    info.name = name;
    if (!dtype->is_string() || !parse_dtype(dtype->text, info.dtype))
      bad_tensor(name, "expected dtype to be one of " + known_dtypes() + ", received " + shown(*dtype));

    if (!shape->is_array()) bad_tensor(name, "expected shape to be an array of non-negative integers, received " + shown(*shape));
    if (shape->items.size() > kMaxRank)
      bad_tensor(name, "expected at most " + std::to_string(kMaxRank) + " dimensions, received " +
                           std::to_string(shape->items.size()));
    for (const auto& d : shape->items) {
      uint64_t dim = 0;
      if (!d.as_uint64(dim) || dim > static_cast<uint64_t>(INT64_MAX))
        bad_tensor(name, "expected shape to be an array of non-negative integers, received " + shown(*shape));
      info.shape.push_back(static_cast<int64_t>(dim));
    }
    // A zero dimension makes the tensor empty whatever the other dimensions are.
    uint64_t nbytes = 0;
    if (std::none_of(info.shape.begin(), info.shape.end(), [](int64_t d) { return d == 0; })) {
      nbytes = element_size(info.dtype);
      for (int64_t d : info.shape)
        if (__builtin_mul_overflow(nbytes, static_cast<uint64_t>(d), &nbytes))
          bad_tensor(name, "expected a shape whose size fits in 64 bits, received " + shown(*shape) + " (overflow)");
    }

    if (!offsets->is_array() || offsets->items.size() != 2 || !offsets->items[0].as_uint64(info.begin) ||
        !offsets->items[1].as_uint64(info.end))
      bad_tensor(name, "expected data_offsets to be [begin, end] with non-negative integers, received " + shown(*offsets));
    if (info.begin > info.end)
      bad_tensor(name, "expected data_offsets [begin, end] with begin <= end, received " + shown(*offsets));
    if (info.end > data_size_)
      bad_tensor(name, "expected data_offsets within the data region of " + std::to_string(data_size_) +
                           " bytes, received " + shown(*offsets) + " (the file may be truncated)");
    if (info.end - info.begin != nbytes)
      bad_tensor(name, "expected " + std::to_string(nbytes) + " bytes for " + dtype_name(info.dtype) + " shape " +
                           shown(*shape) + ", received data_offsets " + shown(*offsets) + " spanning " +
                           std::to_string(info.end - info.begin) + " bytes");
    return info;
  }

  void no_overlap(const std::vector<TensorInfo>& tensors) const {
    std::vector<const TensorInfo*> order;
    for (const auto& t : tensors)
      if (t.end > t.begin) order.push_back(&t);
    std::sort(order.begin(), order.end(), [](const TensorInfo* a, const TensorInfo* b) {
      return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
    });
    for (size_t i = 1; i < order.size(); ++i)
      if (order[i]->begin < order[i - 1]->end)
        bad("tensors " + json::quote(order[i - 1]->name) + " [" + std::to_string(order[i - 1]->begin) + ", " +
            std::to_string(order[i - 1]->end) + ") and " + json::quote(order[i]->name) + " [" +
            std::to_string(order[i]->begin) + ", " + std::to_string(order[i]->end) +
            ") overlap (expected every tensor to have its own bytes)");
  }

 private:
  const std::string& path_;
  uint64_t data_size_;
};

}  // namespace

size_t element_size(DType dtype) { return row(dtype).size; }
const char* dtype_name(DType dtype) { return row(dtype).name; }
c10::ScalarType to_scalar_type(DType dtype) { return row(dtype).scalar; }

bool parse_dtype(const std::string& name, DType& out) {
  for (const auto& r : kDTypes)
    if (name == r.name) {
      out = r.dtype;
      return true;
    }
  return false;
}

DType from_scalar_type(c10::ScalarType type) {
  for (const auto& r : kDTypes)
    if (r.scalar == type) return r.dtype;
  fail(codes::kBadArgument,
       std::string("expected a tensor of dtype float64, float32, float16, bfloat16, int64, int32, int16, int8, uint8 "
                   "or bool, received ") +
           c10::toString(type));
}

uint64_t TensorInfo::numel() const {
  uint64_t n = 1;
  for (int64_t d : shape) n *= static_cast<uint64_t>(d);  // validated not to overflow when the header was read
  return n;
}

struct SafetensorsFile::Fd : UniqueFd {
  using UniqueFd::UniqueFd;
};

SafetensorsFile SafetensorsFile::open(const std::string& path) {
  // O_NONBLOCK so that a FIFO cannot block the open; it is refused below as not a regular file.
  int raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (raw < 0) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR)
      fail(codes::kFileNotFound, "model file not found: " + path, "check the path; the file may have been moved or deleted");
    fail(codes::kFileNotFound, "cannot open " + path + ": " + errno_text(err), "check that the file is readable");
  }
  SafetensorsFile f;
  f.fd_ = std::make_shared<Fd>(raw);
  f.path_ = path;
  struct stat st {};
  if (::fstat(raw, &st) != 0) fail(codes::kFileNotFound, "cannot read " + path + ": " + errno_text(errno));
  if (S_ISDIR(st.st_mode))
    fail(codes::kBadArgument, "expected a .safetensors file, received the folder " + path,
         "choose the .safetensors file itself");
  if (!S_ISREG(st.st_mode))
    fail(codes::kBadArgument, "expected a regular .safetensors file, received a device, pipe or socket: " + path);
  f.file_size_ = static_cast<uint64_t>(st.st_size);

  HeaderChecker check(f.path_, 0);
  if (f.file_size_ < 8)
    check.bad("expected at least 8 bytes (the header length), received a file of " + std::to_string(f.file_size_) + " bytes");
  unsigned char len_bytes[8];
  int err = 0;
  if (!pread_exact(raw, len_bytes, 8, 0, err))
    check.bad("cannot read the header length" + (err ? ": " + errno_text(err) : std::string()));
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | len_bytes[i];
  uint64_t room = f.file_size_ - 8;
  if (n < 2 || n > kMaxHeaderBytes || n > room) {
    bool zip = len_bytes[0] == 'P' && len_bytes[1] == 'K' && len_bytes[2] == 3 && len_bytes[3] == 4;
    bool pickle = len_bytes[0] == 0x80 && len_bytes[1] >= 2 && len_bytes[1] <= 5;
    if (zip || pickle)
      fail(codes::kPickleRefused,
           path + " is a PyTorch " + (zip ? "zip/pickle" : "pickle") + " file, not safetensors; MagiCapture refuses to open it",
           kPickleHint);
  }
  if (n < 2) check.bad("expected a header length of at least 2 bytes, received " + std::to_string(n));
  if (n > kMaxHeaderBytes)
    check.bad("expected a header length of at most " + std::to_string(kMaxHeaderBytes) + " bytes, received " + std::to_string(n));
  if (n > room)
    check.bad("expected a header length of at most " + std::to_string(room) + " bytes (the rest of the file), received " +
              std::to_string(n) + " (the file may be truncated)");
  f.header_size_ = n;

  std::string header(static_cast<size_t>(n), '\0');
  if (!pread_exact(raw, header.data(), n, 8, err))
    check.bad("cannot read the header" + (err ? ": " + errno_text(err) : std::string(" (the file is shorter than its size)")));
  if (header[0] != '{') {
    unsigned char c = static_cast<unsigned char>(header[0]);
    check.bad("expected the header to start with '{', received " +
              (c > 0x20 && c < 0x7f ? "'" + std::string(1, static_cast<char>(c)) + "'" : "byte " + std::to_string(c)));
  }

  json::ParseOptions opts;
  opts.max_bytes = static_cast<size_t>(kMaxHeaderBytes);
  opts.error_code = codes::kBadCheckpoint;
  opts.context = path + ": safetensors header";
  opts.hint = kDamagedFileHint;
  json::Value root = json::parse(header, opts);
  header.clear();
  header.shrink_to_fit();
  if (!root.is_object()) check.bad("expected the header to be a JSON object, received " + shown(root));

  HeaderChecker tensors(f.path_, f.file_size_ - 8 - n);
  for (const auto& [name, value] : root.members) {
    if (name == "__metadata__") {
      f.metadata_ = tensors.metadata(value);
      continue;
    }
    f.index_.emplace(name, f.tensors_.size());
    f.tensors_.push_back(tensors.tensor(name, value));
  }
  tensors.no_overlap(f.tensors_);
  return f;
}

const TensorInfo* SafetensorsFile::find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &tensors_[it->second];
}

torch::Tensor SafetensorsFile::load(const std::string& name) const {
  const TensorInfo* info = find(name);
  if (!info) fail(codes::kBadArgument, path_ + ": no tensor named " + json::quote(name), "list the tensors with readSafetensorsHeader");
  return load(*info);
}

torch::Tensor SafetensorsFile::load(const TensorInfo& wanted) const {
  const TensorInfo* info = find(wanted.name);
  if (!info || info->dtype != wanted.dtype || info->shape != wanted.shape || info->begin != wanted.begin ||
      info->end != wanted.end)
    fail(codes::kBadCheckpoint, path_ + ": tensor " + json::quote(wanted.name) + " changed since the file was inspected",
         "the file was modified or replaced while it was being loaded; open the model again");
  // Bools are read as bytes and normalised, so a hostile byte other than 0/1 never becomes an invalid bool.
  c10::ScalarType scalar = info->dtype == DType::BOOL ? c10::ScalarType::Byte : to_scalar_type(info->dtype);
  torch::Tensor t = torch::empty(info->shape, torch::TensorOptions().dtype(scalar).device(torch::kCPU));
  int err = 0;
  if (info->nbytes() > 0 && !pread_exact(fd_->fd, t.data_ptr(), info->nbytes(), 8 + header_size_ + info->begin, err))
    fail(codes::kBadCheckpoint,
         path_ + ": tensor " + json::quote(info->name) + ": cannot read its " + std::to_string(info->nbytes()) +
             " bytes" + (err ? ": " + errno_text(err) : std::string(" (the file ends early)")),
         kDamagedFileHint);
  if (info->dtype == DType::BOOL) t = t.ne(0);
  return t;
}

void write_safetensors(const std::string& path, const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  json::Value header = json::Value::object();
  if (!metadata.empty()) {
    json::Value meta = json::Value::object();
    for (const auto& [k, v] : metadata) {
      require(json::is_valid_utf8(k) && json::is_valid_utf8(v), codes::kBadArgument,
              "expected metadata keys and values to be valid UTF-8, received an invalid one for key " + json::quote(k));
      meta.set(k, json::Value::from_string(v));
    }
    header.set("__metadata__", std::move(meta));
  }

  std::vector<torch::Tensor> data;
  std::set<std::string> seen;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    require(!name.empty() && name != "__metadata__" && json::is_valid_utf8(name), codes::kBadArgument,
            "expected a non-empty UTF-8 tensor name other than __metadata__, received " + json::quote(name));
    require(seen.insert(name).second, codes::kBadArgument, "expected unique tensor names, received " + json::quote(name) + " twice");
    require(tensor.defined(), codes::kBadArgument, "tensor " + json::quote(name) + " is undefined");
    DType dtype = from_scalar_type(tensor.scalar_type());
    torch::Tensor t = tensor.detach().to(torch::kCPU).contiguous();
    uint64_t nbytes = static_cast<uint64_t>(t.numel()) * element_size(dtype);
    json::Value entry = json::Value::object();
    entry.set("dtype", json::Value::from_string(dtype_name(dtype)));
    json::Value shape = json::Value::array();
    for (int64_t d : t.sizes()) shape.push(json::Value::from_int64(d));
    entry.set("shape", std::move(shape));
    json::Value offsets = json::Value::array();
    offsets.push(json::Value::from_uint64(offset));
    offsets.push(json::Value::from_uint64(offset + nbytes));
    entry.set("data_offsets", std::move(offsets));
    header.set(name, std::move(entry));
    offset += nbytes;
    data.push_back(std::move(t));
  }
  std::string text = json::serialize(header);
  text.append((8 - text.size() % 8) % 8, ' ');  // the data region starts 8-byte aligned
  require(text.size() <= kMaxHeaderBytes, codes::kBadArgument,
          "the safetensors header would be " + std::to_string(text.size()) + " bytes, expected at most " +
              std::to_string(kMaxHeaderBytes));

  std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  int raw = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (raw < 0) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR)
      fail(codes::kFileNotFound, "cannot write " + path + ": its folder does not exist", "create the folder first");
    fail(codes::kBadArgument, "cannot write " + path + ": " + errno_text(err), "choose a folder that is writable and has free space");
  }
  try {
    UniqueFd fd(raw);
    unsigned char len_bytes[8];
    uint64_t n = text.size();
    for (int i = 0; i < 8; ++i) len_bytes[i] = static_cast<unsigned char>((n >> (8 * i)) & 0xFF);
    write_all(fd.fd, len_bytes, 8, path);
    write_all(fd.fd, text.data(), text.size(), path);
    for (const auto& t : data) write_all(fd.fd, t.data_ptr(), static_cast<size_t>(t.nbytes()), path);
    if (::fsync(fd.fd) != 0)
      fail(codes::kBadArgument, "cannot flush " + path + " to disk: " + errno_text(errno), "check the disk and free space");
    int closed = ::close(fd.fd);
    fd.fd = -1;
    if (closed != 0) fail(codes::kBadArgument, "cannot write " + path + ": " + errno_text(errno), "check the disk and free space");
    if (::rename(tmp.c_str(), path.c_str()) != 0)
      fail(codes::kBadArgument, "cannot replace " + path + ": " + errno_text(errno), "choose a destination that is writable");
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
  // Make the rename itself durable.
  std::string dir = path.find('/') == std::string::npos ? "." : path.substr(0, path.rfind('/'));
  if (dir.empty()) dir = "/";
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace mc::io
