#include "core/host_allocator.h"

#include <cstdlib>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace mc::core {

void tune_host_allocator() {
#if defined(__GLIBC__)
  if (std::getenv("MAGICAPTURE_SYSTEM_MALLOC") != nullptr) return;
  // One arena: the engine's job threads would otherwise each get a thread arena, whose heaps glibc trims eagerly.
  mallopt(M_ARENA_MAX, 1);
  // No mmap'd blocks: every tensor, however large, comes from the heap and its memory is reused after free.
  mallopt(M_MMAP_MAX, 0);
  // Hand memory back only when more than 1 GiB sits free at the top of the heap (e.g. after closing an engine).
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

}  // namespace mc::core
