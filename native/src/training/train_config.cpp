#include "training/train_config.h"

#include "core/error.h"

namespace mc::training {

namespace {
void expect_range(double value, double lo, double hi, const std::string& name) {
  require(value >= lo && value <= hi, codes::kBadArgument,
          "expected " + name + " from " + std::to_string(lo) + " to " + std::to_string(hi) + ", received " +
              std::to_string(value));
}
}  // namespace

void TrainConfig::validate() const {
  expect_range(steps_ti, 0, 100000, "steps_ti");
  expect_range(steps_lora, 0, 100000, "steps_lora");
  require(steps_ti + steps_lora > 0, codes::kBadArgument, "expected at least one training step, received 0");
  expect_range(static_cast<double>(rank), 1, 128, "rank");
  for (auto [value, name] : {std::pair{lr_ti, "lr_ti"}, {lr_unet, "lr_unet"}, {lr_text, "lr_text"},
                             {lr_embedding, "lr_embedding"}}) {
    expect_range(value, 0, 1, name);
  }
  expect_range(weight_decay_lora, 0, 1, "weight_decay_lora");
  expect_range(grad_clip, 0, 1e6, "grad_clip");
  expect_range(lambda_id, 0, 100, "lambda_id");
  expect_range(lambda_attn, 0, 100, "lambda_attn");
  expect_range(lambda_style, 0, 100, "lambda_style");
  expect_range(timestep_fraction_phase2, 0.001, 1, "timestep_fraction_phase2");
  expect_range(mask_temperature, 0.01, 100, "mask_temperature");
  expect_range(checkpoint_every, 0, 1000000, "checkpoint_every");
}

TrainConfig TrainConfig::official() {
  TrainConfig c;
  c.attention_loss = false;
  c.only_placeholder_rows = false;
  c.resample_augmentation = false;
  c.id_loss_on_instance = true;
  c.scheduler_before_update = true;
  return c;
}

}  // namespace mc::training
