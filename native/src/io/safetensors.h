// Safetensors reader and writer. The format: u64 little-endian header length N, N bytes of JSON header
// {"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets": [begin, end]}, ...}, then the data region.
// The header is hostile: every size, offset, dtype and shape is checked against the file length before any tensor
// byte is read, and every failure is an EngineError(E_BAD_CHECKPOINT) naming the file and the tensor.
#pragma once
#include <torch/torch.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace mc::io {

enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL };

size_t element_size(DType dtype);
const char* dtype_name(DType dtype);  // "F32", ... as written in headers
// Parses a header dtype name; false for anything else (F8_E4M3, U16, lower case, ...).
bool parse_dtype(const std::string& name, DType& out);
c10::ScalarType to_scalar_type(DType dtype);
// Throws EngineError(kBadArgument) for scalar types safetensors files here cannot hold (complex, quantised, ...).
DType from_scalar_type(c10::ScalarType type);

struct TensorInfo {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;  // byte offsets relative to the data region

  uint64_t numel() const;
  uint64_t nbytes() const { return end - begin; }
};

inline constexpr uint64_t kMaxHeaderBytes = 100ull << 20;

class SafetensorsFile {
 public:
  // Opens `path`, reads and validates the header. A PyTorch pickle/zip renamed to .safetensors is reported as
  // E_PICKLE_REFUSED, never parsed. Keeps the file open (shared between copies) so load() reads the
  // very file that was validated even if the path is replaced meanwhile.
  static SafetensorsFile open(const std::string& path);

  const std::vector<TensorInfo>& tensors() const { return tensors_; }  // in header order
  const TensorInfo* find(const std::string& name) const;
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  // A CPU tensor in the stored dtype whose memory is owned by the tensor (read with pread, never mapped).
  // Throws EngineError(kBadArgument) for an unknown name.
  torch::Tensor load(const std::string& name) const;
  torch::Tensor load(const TensorInfo& info) const;  // `info` must come from tensors()/find() of this file
  uint64_t file_size() const { return file_size_; }
  uint64_t header_size() const { return header_size_; }
  const std::string& path() const { return path_; }

 private:
  struct Fd;
  std::shared_ptr<Fd> fd_;
  std::string path_;
  uint64_t file_size_ = 0;
  uint64_t header_size_ = 0;
  std::vector<TensorInfo> tensors_;
  std::map<std::string, size_t> index_;
  std::map<std::string, std::string> metadata_;
};

// Writes `tensors` (contiguous CPU copies, in the given order) and `metadata` to `path` atomically: the bytes go
// to `path + ".tmp-<pid>"`, are fsync'ed and renamed over `path`, so `path` never holds a half-written file.
// Throws EngineError(kBadArgument) for empty/duplicate/reserved names, unsupported dtypes or invalid UTF-8, and
// EngineError(kFileNotFound / kBadArgument) when the destination cannot be written.
void write_safetensors(const std::string& path, const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata);

// The hint attached to every E_BAD_CHECKPOINT raised for a damaged file.
inline constexpr const char* kDamagedFileHint = "the file is damaged or not a safetensors file; re-download it";
// The hint attached to every E_PICKLE_REFUSED.
inline constexpr const char* kPickleHint =
    "MagiCapture never loads pickle files because they can run code; convert the model to .safetensors on a trusted "
    "machine (for example with diffusers' scripts/convert_original_stable_diffusion_to_diffusers.py "
    "--to_safetensors, or the safetensors 'convert' Space), or download the .safetensors version of the model";

}  // namespace mc::io
