#include "core/host_allocator.h"

#include <cstdlib>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace mc::core {

void tune_host_allocator() {
#if defined(__GLIBC__)
  if (std::getenv("MAGICAPTURE_SYSTEM_MALLOC") != nullptr) return;
  // 32 MiB is the largest threshold glibc accepts on 64-bit; attention keeps its score slices below it
  // (models/common/attention.cpp). Setting it fixes the threshold, so the trim threshold must be raised too, or
  // the top of the heap would be handed back after every free.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

}  // namespace mc::core
