// Trainer checkpoints: everything needed to continue a run exactly (learned rows, adapters, optimizer moments,
// the training RNG and the epoch order). Cached items are rebuilt from the seed, so they are not stored.
#include "core/error.h"
#include "io/safetensors.h"
#include "training/trainer.h"

namespace mc::training {

namespace {
torch::Tensor scalar(int64_t value) { return torch::tensor({value}, torch::kLong); }
}  // namespace

void Trainer::save_checkpoint(const std::string& path) const {
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  tensors.emplace_back("meta.step", scalar(step_));
  tensors.emplace_back("meta.phase", scalar(prepared_phase_));
  tensors.emplace_back("meta.seed", scalar(static_cast<int64_t>(config_.seed)));
  tensors.emplace_back("rows", (config_.only_placeholder_rows ? token_rows_ : embedding_all_).detach().cpu());
  for (const auto& [name, adapter] : adapters_) {
    tensors.emplace_back("lora." + name + ".down", adapter->down.detach().cpu());
    tensors.emplace_back("lora." + name + ".up", adapter->up.detach().cpu());
  }
  if (optimizer_) {
    for (auto& [name, tensor] : optimizer_->state()) tensors.emplace_back(name, tensor.detach().cpu());
  }
  for (auto& entry : scaler_.state()) tensors.push_back(std::move(entry));
  tensors.emplace_back("meta.skipped_steps", scalar(skipped_steps_));
  tensors.emplace_back("rng.train", train_generator_.get_state());
  tensors.emplace_back("order", torch::tensor(order_, torch::kLong));
  tensors.emplace_back("order_pos", scalar(static_cast<int64_t>(order_pos_)));
  io::write_safetensors(path, tensors, {{"format", "magicapture.training-checkpoint.v1"}});
}

void Trainer::load_checkpoint(const std::string& path) {
  auto file = io::SafetensorsFile::open(path);
  require(file.metadata().count("format") && file.metadata().at("format") == "magicapture.training-checkpoint.v1",
          codes::kBadCheckpoint, path + " is not a MagiCapture training checkpoint",
          "Resume from the run folder the trainer wrote.");
  const auto get = [&](const std::string& name) {
    require(file.find(name) != nullptr, codes::kBadCheckpoint, "training checkpoint: " + name + " is missing",
            "The checkpoint is damaged; start the run again.");
    return file.load(name);
  };
  require(get("meta.seed").item<int64_t>() == static_cast<int64_t>(config_.seed), codes::kBadArgument,
          "the checkpoint was made with another seed than this run's",
          "Resume with the same settings the run started with.");
  const int step = static_cast<int>(get("meta.step").item<int64_t>());
  const int phase = static_cast<int>(get("meta.phase").item<int64_t>());
  require(step >= 0 && step <= total_steps() && (phase == 1 || phase == 2), codes::kBadCheckpoint,
          "training checkpoint: step " + std::to_string(step) + " does not fit a run of " +
              std::to_string(total_steps()) + " steps");
  prepare_phase(phase);
  torch::NoGradGuard no_grad;
  auto rows = config_.only_placeholder_rows ? token_rows_ : embedding_all_;
  auto stored = get("rows");
  require(stored.sizes() == rows.sizes(), codes::kBadCheckpoint, "training checkpoint: embedding rows mis-shaped");
  rows.copy_(stored);
  for (auto& [name, adapter] : adapters_) {
    adapter->down.copy_(get("lora." + name + ".down"));
    adapter->up.copy_(get("lora." + name + ".up"));
  }
  std::vector<std::pair<std::string, torch::Tensor>> state;
  for (const auto& info : file.tensors()) {
    if (info.name.rfind("adam.", 0) == 0) state.emplace_back(info.name, file.load(info.name));
  }
  optimizer_->load_state(state);
  if (file.find("scaler.scale") != nullptr) {  // older checkpoints have none: a fresh scaler
    scaler_.load_state(get("scaler.scale").item<double>(), get("scaler.growth_tracker").item<int64_t>());
  }
  skipped_steps_ = file.find("meta.skipped_steps") != nullptr ? static_cast<int>(get("meta.skipped_steps").item<int64_t>()) : 0;
  train_generator_.set_state(get("rng.train"));
  auto order = get("order");
  order_.assign(order.data_ptr<int64_t>(), order.data_ptr<int64_t>() + order.numel());
  order_pos_ = static_cast<size_t>(get("order_pos").item<int64_t>());
  step_ = step;
}

}  // namespace mc::training
