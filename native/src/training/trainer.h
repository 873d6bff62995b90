// A MagiCapture run (METHOD.md §1-5): phase 1 textual inversion of an identity and a style token, phase 2
// LoRA on the UNet and text encoder plus continued inversion, with the masked, composed-prompt, identity and
// attention-refocusing losses. Deterministic for a seed on the CPU and resumable exactly from a checkpoint.
#pragma once
#include <torch/torch.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lora/lora_linear.h"
#include "magicapture/engine.h"
#include "training/adamw.h"
#include "training/dataset.h"
#include "training/loss_scaler.h"
#include "training/train_config.h"

namespace mc::training {

struct TrainInputs {
  std::vector<TrainImage> sources;     // the client's selfies (identity)
  std::vector<TrainImage> references;  // style references; their non-face region is what the style teaches
  // Token ids (one full row each, e.g. 77) of the prompt templates, with the placeholder ids already in them.
  std::vector<std::vector<int64_t>> instance_prompts, style_prompts, composed_prompts;
  int64_t identity_token = -1;     // id of <sks>: the text encoder's vocabulary size
  int64_t style_token = -1;        // id of <style1>: vocabulary size + 1
  int64_t initializer_token = -1;  // "person": <sks> starts as a copy of its embedding
};

// Maps aligned faces [B, 3, 112, 112] in [-1, 1] to embeddings [B, E], differentiably (ArcFace).
using FaceEmbedFn = std::function<torch::Tensor(const torch::Tensor&)>;

struct TrainProgress {
  int phase = 1;
  int step = 0;  // steps done, both phases together
  int total = 0;
  std::string task;
  std::map<std::string, double> losses;  // total, mask, id, attn (those computed this step)
  double lr_embedding = 0, lr_unet = 0, lr_text = 0;
  double elapsed_seconds = 0;
};

using TrainProgressFn = std::function<void(const TrainProgress&)>;

// One training step on an explicitly given item, for the golden test against the Python reference
// (test/golden/golden_training_step.py): no augmentation, no optimizer update.
struct StepProbe {
  int phase = 1;
  int phase_step = 0;   // steps done in the phase: decides the style weight and the learning rate, as in run()
  bool update = false;  // also apply the optimizer update (clip, AdamW from fresh moments, TI norm decay)
  Task task = Task::Instance;
  int source = -1;     // instance and composed items: whose identity embedding is the target
  int reference = -1;  // style and composed items: the training image
  torch::Tensor latent;  // [1, 4, h, w]: the item's cached z0 (a VAE posterior sample x 0.18215)
  std::vector<int64_t> prompt;
  torch::Tensor noise;  // like latent
  int64_t t = 0, t_id = 0;
  // Phase 2, optional: every adapter's down then up, flattened, in adapters() order, replacing the initial weights.
  torch::Tensor adapter_weights;
};

struct StepProbeResult {
  std::map<std::string, torch::Tensor> losses;  // as TrainProgress reports them
  torch::Tensor rows;       // [2, D]: the placeholder rows the step used
  torch::Tensor rows_grad;  // [2, D]: d total / d rows
  torch::Tensor adapter_grads;  // phase 2: d total / d (down, up) in the layout of adapter_weights
  torch::Tensor rows_after, adapters_after;  // with update: the weights after it
};

class Trainer {
 public:
  Trainer(std::shared_ptr<Engine> engine, TrainInputs inputs, TrainConfig config, FaceEmbedFn embed = {});
  ~Trainer();

  // Trains from the current step to the end. Throws E_CANCELLED when `cancel` is set (the state stays valid:
  // save a checkpoint and resume later). Writes `checkpoint_path` every config.checkpoint_every steps.
  void run(const TrainProgressFn& progress, const std::atomic<bool>* cancel, const std::string& checkpoint_path);

  void save_checkpoint(const std::string& path) const;
  void load_checkpoint(const std::string& path);

  int step() const { return step_; }
  int total_steps() const { return config_.steps_ti + config_.steps_lora; }
  // The learned embeddings of <identity>, <style>: [2, hidden].
  torch::Tensor token_rows() const;
  // Adapters by module path ("unet." or "text_encoder." prefixed), present once phase 2 started; in the official
  // order of lora/targets.h, UNet first, initialised by lora::inject from seed + 2.
  const std::vector<std::pair<std::string, std::shared_ptr<lora::LoraAdapter>>>& adapters() const { return adapters_; }
  const std::map<std::string, double>& last_losses() const { return last_losses_; }
  const TrainConfig& config() const { return config_; }
  const LossScaler& loss_scaler() const { return scaler_; }
  // Steps whose update the loss scaler skipped (inf/NaN gradients under fp16).
  int skipped_steps() const { return skipped_steps_; }

  // The losses of one step and the gradients of their total, and optionally the update. The trainer's step
  // counter and cached items are left alone; phase 2 attaches the adapters (with probe.adapter_weights when given),
  // and an update changes the weights and replaces the optimizer.
  StepProbeResult probe_step(const StepProbe& probe);

 private:
  struct Cached;
  void prepare_phase(int phase);
  void ensure_adapters();
  void build_optimizer(int phase);
  Cached prepare_item(const Item& item, at::Generator& generator) const;
  Cached cache_item(const Item& item, torch::Tensor latent, const torch::Tensor& face,
                    std::optional<torch::Tensor> landmarks, std::vector<int64_t> prompt) const;
  torch::Tensor encode(const std::vector<int64_t>& ids);
  std::map<std::string, torch::Tensor> losses_for(const Cached& c, const torch::Tensor& noise, int64_t t,
                                                  int64_t t_id, int phase, double progress);
  double lr_factor(int phase_step, int phase_steps) const;
  // Unscale (fp16), clip (phase 2), learning rates for the step, AdamW, then the TI norm decay; returns the lr of
  // each group. An fp16 step with inf/NaN gradients is skipped (no update) and the loss scale halved.
  std::map<std::string, double> update(int phase, int phase_step);
  void after_update(int phase, double lr_embedding);

  std::shared_ptr<Engine> engine_;
  TrainInputs inputs_;
  TrainConfig config_;
  FaceEmbedFn embed_;

  torch::Tensor base_rows_;    // the text encoder's own token embeddings [V, D] (never changed)
  // Trainable parameters are fp32 master weights whatever the engine dtype (METHOD §5.4): the frozen weights may
  // be bf16/fp16; the rows are cast to the activation dtype where they enter the text encoder.
  torch::Tensor token_rows_;   // trainable [2, D], fp32
  torch::Tensor embedding_all_;  // official B4 mode: a trainable fp32 copy of the whole table [V + 2, D]
  std::vector<std::pair<std::string, std::shared_ptr<lora::LoraAdapter>>> adapters_;
  std::vector<torch::Tensor> source_embeddings_;  // ArcFace embeddings of the sources (identity targets)

  std::vector<Item> items_;
  std::vector<std::shared_ptr<Cached>> cache_;
  int prepared_phase_ = 0;
  std::unique_ptr<AdamW> optimizer_;
  LossScaler scaler_;  // enabled for an fp16 engine only
  int skipped_steps_ = 0;
  at::Generator train_generator_;
  std::vector<int64_t> order_;
  size_t order_pos_ = 0;
  int step_ = 0;
  std::map<std::string, double> last_losses_;
};

}  // namespace mc::training
