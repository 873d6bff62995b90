// CUDA fp16 autocast for a scope, as arcface_torch's `with torch.cuda.amp.autocast(self.fp16):` around the trunk.
// libtorch 2.4 replaced the CUDA-only calls with device-generic ones; 1.13 only has the former.
#pragma once
#include <ATen/autocast_mode.h>

#include "core/torch_compat.h"

namespace mc::models {

class CudaFp16Autocast {
 public:
  explicit CudaFp16Autocast(bool enable) : active_(enable) {
    if (!active_) return;
#if MC_TORCH_AT_LEAST(2, 4)
    previous_enabled_ = at::autocast::is_autocast_enabled(at::kCUDA);
    previous_dtype_ = at::autocast::get_autocast_dtype(at::kCUDA);
    at::autocast::set_autocast_enabled(at::kCUDA, true);
    at::autocast::set_autocast_dtype(at::kCUDA, at::kHalf);
#else
    previous_enabled_ = at::autocast::is_enabled();
    previous_dtype_ = at::autocast::get_autocast_gpu_dtype();
    at::autocast::set_enabled(true);
    at::autocast::set_autocast_gpu_dtype(at::kHalf);
#endif
    at::autocast::increment_nesting();
  }

  ~CudaFp16Autocast() {
    if (!active_) return;
    // Python's autocast clears the cast-weight cache when the outermost region exits; so do we.
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
#if MC_TORCH_AT_LEAST(2, 4)
    at::autocast::set_autocast_enabled(at::kCUDA, previous_enabled_);
    at::autocast::set_autocast_dtype(at::kCUDA, previous_dtype_);
#else
    at::autocast::set_enabled(previous_enabled_);
    at::autocast::set_autocast_gpu_dtype(previous_dtype_);
#endif
  }

  CudaFp16Autocast(const CudaFp16Autocast&) = delete;
  CudaFp16Autocast& operator=(const CudaFp16Autocast&) = delete;

 private:
  bool active_ = false;
  bool previous_enabled_ = false;
  at::ScalarType previous_dtype_ = at::kHalf;
};

}  // namespace mc::models
