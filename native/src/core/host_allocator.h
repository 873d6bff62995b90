// Process-wide allocator settings for a process that runs the engine.
#pragma once

namespace mc::core {

// glibc hands large freed blocks back to the kernel (mmap'd blocks on free, thread arenas by trimming), so a
// UNet step that allocates and frees the same multi-megabyte activations hundreds of times pays a page fault per
// 4 KiB each time. Measured on an SD1.5-shaped model at 256x256 (sample on the job thread, 3 steps): 1.89M minor
// faults and 10 s of system time before; 16 faults and 1.6 s after. Keeping freed memory in one heap for reuse
// removes them. No-op off glibc, and when MAGICAPTURE_SYSTEM_MALLOC is set.
void tune_host_allocator();

}  // namespace mc::core
