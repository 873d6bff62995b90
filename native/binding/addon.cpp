// The only translation unit that defines the module. Everything else registers itself through register.h.
#include <napi.h>
#include <torch/torch.h>

#include <thread>

#include "core/host_allocator.h"
#include "register.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  mc::core::tune_host_allocator();
  // libtorch defaults to one intra-op thread on small VMs; use every core (OpenBLAS keeps its own pool).
  unsigned cores = std::thread::hardware_concurrency();
  if (cores > 0 && torch::get_num_threads() < static_cast<int>(cores)) torch::set_num_threads(static_cast<int>(cores));
  mc::binding::RegisterIo(env, exports);
  mc::binding::RegisterSchedulers(env, exports);
  mc::binding::RegisterEngine(env, exports);
  mc::binding::RegisterArcface(env, exports);
  mc::binding::RegisterLora(env, exports);
  mc::binding::RegisterTraining(env, exports);
  mc::binding::RegisterTrainingProbe(env, exports);
  exports.Set("torchVersion", Napi::String::New(env, TORCH_VERSION));
  return exports;
}

}  // namespace

NODE_API_MODULE(magicapture, Init)
