// JS surface of LoRA adapters and their file formats: being written (see the trainer issue's note).
#include "register.h"

namespace mc::binding {

void RegisterLora(Napi::Env env, Napi::Object exports) {}

}  // namespace mc::binding
