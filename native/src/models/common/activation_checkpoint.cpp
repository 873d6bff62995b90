#include "models/common/activation_checkpoint.h"

#include "models/common/attention.h"
#include "models/common/attention_store.h"

namespace mc::models {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// What the backward pass needs besides the saved inputs: the block, and how its maps were being captured.
struct CheckpointState : torch::CustomClassHolder {
  CheckpointedBlock* block = nullptr;
  std::optional<AttentionCaptureSpec> spec;  // set when the forward captured maps
  int step = 0;
  size_t captured = 0;
};

AttentionStore* capturing_store(CheckpointedBlock& block) {
  for (auto* attention : block.attention_modules()) {
    if (attention->capture_store() != nullptr) return attention->capture_store();
  }
  return nullptr;
}

torch::Tensor reattach(const torch::Tensor& saved) {
  if (!saved.defined()) return saved;
  return saved.detach().requires_grad_(saved.requires_grad());
}

struct CheckpointFunction : torch::autograd::Function<CheckpointFunction> {
  // Runs with gradients off (Function::apply disables them around forward).
  static variable_list forward(AutogradContext* ctx, torch::Tensor a, torch::Tensor b,
                               c10::intrusive_ptr<CheckpointState> state) {
    auto* store = capturing_store(*state->block);
    const size_t before = store ? store->captured().size() : 0;
    variable_list outputs{state->block->run_block(a, b)};
    if (store) {
      for (size_t i = before; i < store->captured().size(); ++i) outputs.push_back(store->captured()[i].maps);
      state->spec = store->spec();
      state->step = store->step();
      state->captured = outputs.size() - 1;
    }
    ctx->save_for_backward({a, b});
    ctx->saved_data["state"] = c10::IValue::make_capsule(state);
    return outputs;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto saved = ctx->get_saved_variables();
    auto a = reattach(saved[0]), b = reattach(saved[1]);
    auto state = c10::static_intrusive_pointer_cast<CheckpointState>(ctx->saved_data["state"].toCapsule());

    variable_list outputs;
    {
      torch::AutoGradMode enable(true);
      std::optional<AttentionStore> recapture;
      std::vector<std::pair<AttentionImpl*, AttentionStore*>> previous;
      if (state->spec) {
        recapture.emplace(*state->spec);
        recapture->set_step(state->step);
        for (auto* attention : state->block->attention_modules()) {
          previous.emplace_back(attention, attention->capture_store());
          attention->set_capture(attention->capture_name(), &*recapture);
        }
      }
      outputs.push_back(state->block->run_block(a, b));
      for (auto& [attention, store] : previous) attention->set_capture(attention->capture_name(), store);
      if (recapture) {
        TORCH_CHECK(recapture->captured().size() == state->captured,
                    "gradient checkpoint: the recomputation captured ", recapture->captured().size(),
                    " attention maps, the forward ", state->captured);
        for (const auto& captured : recapture->captured()) outputs.push_back(captured.maps);
      }
    }
    variable_list roots, root_grads;
    for (size_t i = 0; i < outputs.size(); ++i) {
      if (outputs[i].requires_grad() && grads[i].defined()) {
        roots.push_back(outputs[i]);
        root_grads.push_back(grads[i]);
      }
    }
    if (!roots.empty()) torch::autograd::backward(roots, root_grads);
    auto grad_of = [](const torch::Tensor& t) { return t.defined() && t.requires_grad() ? t.grad() : torch::Tensor(); };
    return {grad_of(a), grad_of(b), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor CheckpointedBlock::run_maybe_checkpointed(const torch::Tensor& a, const torch::Tensor& b) {
  if (!checkpointing_ || !torch::GradMode::is_enabled()) return run_block(a, b);
  auto state = c10::make_intrusive<CheckpointState>();
  state->block = this;
  auto* store = capturing_store(*this);
  const size_t before = store ? store->captured().size() : 0;
  auto outputs = CheckpointFunction::apply(a, b, state);
  // The store must hand the loss the outputs that carry the checkpoint's history. Function::apply attaches that
  // history to the very tensors forward returned (the store's), but rebinding says so rather than relying on it.
  for (size_t i = 1; i < outputs.size(); ++i) store->replace_maps(before + i - 1, outputs[i]);
  return outputs[0];
}

}  // namespace mc::models
