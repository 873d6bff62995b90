// Every number and switch of a MagiCapture run (METHOD.md §4-5, §9, §12). Defaults are the official
// script's effective values with the official bugs fixed; `official_flags()` restores the official behaviour.
#pragma once
#include <cstdint>
#include <string>

namespace mc::training {

struct TrainConfig {
  int steps_ti = 1200;     // phase 1: textual inversion of the two tokens
  int steps_lora = 1500;   // phase 2: LoRA + continued inversion
  int64_t rank = 4;
  double lr_ti = 2e-3;     // effective (script 5e-4 x scale_lr 4)
  double lr_unet = 4e-4;   // UNet LoRA
  double lr_text = 4e-5;   // text-encoder LoRA
  double lr_embedding = 1e-4;  // placeholder embeddings in phase 2
  double weight_decay_lora = 1e-3;
  double grad_clip = 1.0;  // phase 2, over every trainable parameter
  double ti_norm_target = 0.4;
  double lambda_id = 0.25;
  double lambda_attn = 2.5;
  double lambda_style = 2.0;   // style and composed items, first half of each phase
  double timestep_fraction_phase2 = 0.8;
  double mask_temperature = 1.0;
  double style_init_std = 0.017;
  uint64_t seed = 42;
  int checkpoint_every = 0;  // 0 = only at phase ends
  // Recompute UNet resnets and transformers in the backward pass instead of keeping their activations
  // (models/common/activation_checkpoint.h); same numbers, attention-loss gradients included.
  bool gradient_checkpointing = false;

  // Switches where the official code differs from the paper (METHOD §10 / §12).
  bool attention_loss = true;             // B1: official configuration gives it no gradient (false reproduces that)
  bool only_placeholder_rows = true;      // B4: official updates the whole embedding table in phase 2
  bool resample_augmentation = false;     // B8: official caches one augmentation per item (false)
  bool id_loss_on_instance = true;        // B5: official applies the ID loss to source items too; paper: composed only
  bool scheduler_before_update = false;   // B17: official steps the LR schedule before each update

  void validate() const;
  static TrainConfig official();
};

}  // namespace mc::training
