// Version guards: the engine builds against Debian's libtorch 1.13 (CPU) and a user's CUDA libtorch 2.x.
#pragma once
#include <torch/torch.h>
#include <torch/version.h>

#define MC_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) || (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))
