// Process-wide allocator settings for a process that runs the engine.
#pragma once

namespace mc::core {

// glibc returns every block above its (adaptive) mmap threshold to the kernel on free, so a UNet forward that
// allocates and frees the same multi-megabyte activations 200 times pays a page fault per 4 KiB each time:
// measured on an SD1.5-shaped UNet at 256x256, 680k faults and 2.5 s of system time per forward (diffusers on
// the same machine: 1.4 s). Keeping freed memory in the heap for reuse removes them. No-op off glibc, and when
// MAGICAPTURE_SYSTEM_MALLOC is set.
void tune_host_allocator();

}  // namespace mc::core
