#include "training/trainer.h"

#include <chrono>
#include <cmath>

#include "core/error.h"
#include "core/random.h"
#include "lora/adapters.h"
#include "schedulers/scheduler.h"
#include "training/face_warp.h"
#include "training/losses.h"

namespace mc::training {

namespace {

constexpr const char* kAttentionLayers[] = {"up_blocks.1", "down_blocks.2"};  // the 16x16 layers at 512x512

int64_t position_of(const std::vector<int64_t>& ids, int64_t token) {
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] == token) return static_cast<int64_t>(i);
  }
  return -1;
}

int64_t randint(int64_t high, at::Generator& generator) {
  return at::randint(high, {1}, generator, torch::kLong).item<int64_t>();
}

}  // namespace

struct Trainer::Cached {
  Task task;
  int source = -1;
  torch::Tensor latent;  // [1, 4, h, w]
  torch::Tensor mask;    // [1, 1, h, w] loss mask
  std::vector<std::pair<int64_t, torch::Tensor>> attention_targets;  // (token position, [h, w] target)
  std::vector<int64_t> prompt;
  std::optional<torch::Tensor> landmarks;  // [5, 2] of the training image as augmented
};

Trainer::Trainer(std::shared_ptr<Engine> engine, TrainInputs inputs, TrainConfig config, FaceEmbedFn embed)
    : engine_(std::move(engine)), inputs_(std::move(inputs)), config_(config), embed_(std::move(embed)),
      scaler_(engine_->dtype() == torch::kHalf), train_generator_(cpu_generator(config.seed + 1)) {
  config_.validate();
  engine_->unet->set_gradient_checkpointing(config_.gradient_checkpointing);
  require(!inputs_.sources.empty() && !inputs_.references.empty(), codes::kBadArgument,
          "expected at least one source and one reference image, received " + std::to_string(inputs_.sources.size()) +
              " and " + std::to_string(inputs_.references.size()));
  require(!inputs_.instance_prompts.empty() && !inputs_.style_prompts.empty() && !inputs_.composed_prompts.empty(),
          codes::kBadArgument, "expected prompt templates for every task");
  // The vocabulary proper; rows after it (placeholders written by an earlier run or a loaded LoRA) are replaced
  // by the trainable rows.
  const auto& table = engine_->text_encoder->text_model->embeddings->token_embedding->weight;
  const int64_t vocab = inputs_.identity_token;
  require(vocab >= 1 && vocab <= table.size(0) && inputs_.style_token == vocab + 1, codes::kBadArgument,
          "expected the placeholder tokens to take the two ids after the vocabulary (" + std::to_string(table.size(0)) +
              " rows), received " + std::to_string(inputs_.identity_token) + " and " +
              std::to_string(inputs_.style_token));
  base_rows_ = table.slice(0, 0, vocab);
  require(inputs_.initializer_token >= 0 && inputs_.initializer_token < vocab, codes::kBadArgument,
          "expected the initializer token id below " + std::to_string(vocab));
  auto generator = cpu_generator(config_.seed);
  torch::NoGradGuard no_grad;
  auto identity = base_rows_[inputs_.initializer_token].detach().to(torch::kFloat).clone();
  auto style = mc::randn({base_rows_.size(1)}, generator, base_rows_.options().dtype(torch::kFloat)) *
               config_.style_init_std;
  token_rows_ = torch::stack({identity, style}).set_requires_grad(true);  // [2, D]
  if (!config_.only_placeholder_rows) {
    embedding_all_ =
        torch::cat({base_rows_.detach().to(torch::kFloat), token_rows_.detach()}).clone().set_requires_grad(true);
  }
  if (embed_) {
    for (const auto& source : inputs_.sources) {
      if (!source.landmarks) {
        source_embeddings_.emplace_back();
        continue;
      }
      auto matrix = estimate_similarity(*source.landmarks, arcface_template());
      auto aligned = warp_affine(source.image.unsqueeze(0).to(torch::kFloat), matrix.unsqueeze(0), 112) * 2 - 1;
      source_embeddings_.push_back(embed_(aligned.to(engine_->device())).detach().squeeze(0));
    }
  }
}

Trainer::~Trainer() {
  engine_->unet->set_gradient_checkpointing(false);
  for (const auto& item : engine_->unet->named_modules()) {
    if (auto* linear = item.value()->as<lora::LoraLinearImpl>()) linear->set_adapter(nullptr);
  }
  for (const auto& item : engine_->text_encoder->named_modules()) {
    if (auto* linear = item.value()->as<lora::LoraLinearImpl>()) linear->set_adapter(nullptr);
  }
}

torch::Tensor Trainer::token_rows() const {
  return config_.only_placeholder_rows ? token_rows_.detach().clone() : embedding_all_.detach().slice(0, -2).clone();
}

torch::Tensor Trainer::encode(const std::vector<int64_t>& ids) {
  auto table = config_.only_placeholder_rows ? torch::cat({base_rows_, token_rows_.to(base_rows_.dtype())})
                                             : embedding_all_.to(base_rows_.dtype());  // [V + 2, D]
  auto index = torch::tensor(ids, torch::kLong).to(table.device()).unsqueeze(0);  // [1, T]
  auto tokens = torch::nn::functional::embedding(index, table);                   // [1, T, D]
  return engine_->text_encoder->text_model->forward_token_embeddings(tokens);
}

void Trainer::ensure_adapters() {
  if (!adapters_.empty()) return;
  // One generator for both models, UNet first, in the official order: the same stream as Engine::inject_adapters.
  auto generator = cpu_generator(config_.seed + 2);
  lora::InjectOptions options;
  options.rank = config_.rank;
  const std::pair<torch::nn::Module*, lora::Group> models[] = {{engine_->unet.get(), lora::Group::Unet},
                                                               {engine_->text_encoder.get(), lora::Group::TextEncoder}};
  for (const auto& [model, group] : models) {
    const auto targets = lora::targets(*model, group);
    lora::inject(targets, options, generator);
    for (const auto& t : targets) adapters_.emplace_back(std::string(lora::group_name(group)) + "." + t.path, t.module->adapter());
  }
}

void Trainer::build_optimizer(int phase) {
  auto rows = config_.only_placeholder_rows ? token_rows_ : embedding_all_;
  std::vector<ParamGroup> groups;
  if (phase == 1) {
    groups.push_back({"embedding", {rows}, config_.lr_ti, config_.lr_ti, 0.0});
  } else {
    ParamGroup unet{"unet", {}, config_.lr_unet, config_.lr_unet, config_.weight_decay_lora};
    ParamGroup text{"text", {}, config_.lr_text, config_.lr_text, config_.weight_decay_lora};
    for (const auto& [name, adapter] : adapters_) {
      auto& group = name.rfind("unet.", 0) == 0 ? unet : text;
      group.params.push_back(adapter->down);
      group.params.push_back(adapter->up);
    }
    groups.push_back(unet);
    groups.push_back({"embedding", {rows}, config_.lr_embedding, config_.lr_embedding, config_.weight_decay_lora});
    groups.push_back(text);
  }
  optimizer_ = std::make_unique<AdamW>(std::move(groups));
}

Trainer::Cached Trainer::prepare_item(const Item& item, at::Generator& generator) const {
  torch::NoGradGuard no_grad;
  const bool instance = item.task == Task::Instance;
  const auto& picture = instance ? inputs_.sources[item.source] : inputs_.references[item.reference];
  auto image = color_jitter(picture.image.to(torch::kFloat), generator);
  auto face = picture.face_mask.to(torch::kFloat);
  std::optional<torch::Tensor> landmarks = picture.landmarks;
  if (at::empty({1}, torch::kDouble).uniform_(0, 1, generator).item<double>() < 0.5) {
    image = image.flip({2});
    face = face.flip({2});
    if (landmarks) landmarks = flip_landmarks(*landmarks, image.size(2));
  }
  const auto options = torch::TensorOptions().device(engine_->device()).dtype(engine_->dtype());
  auto posterior = engine_->vae->encode((image.unsqueeze(0) * 2 - 1).to(options));
  auto latent = posterior.sample(generator) * engine_->info().vae_config.scaling_factor;
  const auto& prompts = item.task == Task::Instance ? inputs_.instance_prompts
                        : item.task == Task::Style  ? inputs_.style_prompts
                                                    : inputs_.composed_prompts;
  auto prompt = prompts[static_cast<size_t>(randint(static_cast<int64_t>(prompts.size()), generator))];
  return cache_item(item, latent, face, landmarks, std::move(prompt));
}

Trainer::Cached Trainer::cache_item(const Item& item, torch::Tensor latent, const torch::Tensor& face,
                                    std::optional<torch::Tensor> landmarks, std::vector<int64_t> prompt) const {
  Cached c;
  c.task = item.task;
  c.source = item.source;
  c.latent = std::move(latent);
  const int64_t h = c.latent.size(2), w = c.latent.size(3);
  auto face_latent = latent_mask(face.unsqueeze(0), h, w, config_.mask_temperature).to(engine_->device());
  auto nonface_latent = latent_mask((1 - face).unsqueeze(0), h, w, config_.mask_temperature).to(engine_->device());
  c.mask = item.task == Task::Instance ? face_latent : nonface_latent;
  c.prompt = std::move(prompt);
  const int64_t identity = position_of(c.prompt, inputs_.identity_token);
  const int64_t style = position_of(c.prompt, inputs_.style_token);
  if (item.task == Task::Instance && identity >= 0) c.attention_targets.emplace_back(identity, face_latent[0][0]);
  if (item.task == Task::Style && style >= 0) c.attention_targets.emplace_back(style, nonface_latent[0][0]);
  if (item.task == Task::Composed) {
    if (identity >= 0) c.attention_targets.emplace_back(identity, 1 - nonface_latent[0][0]);
    if (style >= 0) c.attention_targets.emplace_back(style, nonface_latent[0][0]);
  }
  c.landmarks = std::move(landmarks);
  return c;
}

void Trainer::prepare_phase(int phase) {
  auto generator = cpu_generator(config_.seed * 7919 + static_cast<uint64_t>(phase));
  items_ = phase == 1 ? phase1_items(static_cast<int>(inputs_.sources.size()), static_cast<int>(inputs_.references.size()))
                      : phase2_items(static_cast<int>(inputs_.sources.size()),
                                     static_cast<int>(inputs_.references.size()), generator);
  cache_.clear();
  for (const auto& item : items_) cache_.push_back(std::make_shared<Cached>(prepare_item(item, generator)));
  if (phase == 2) ensure_adapters();
  build_optimizer(phase);
  order_.clear();
  order_pos_ = 0;
  prepared_phase_ = phase;
}

std::map<std::string, torch::Tensor> Trainer::losses_for(const Cached& c, const torch::Tensor& noise, int64_t t,
                                                         int64_t t_id, int phase, double progress) {
  static const auto schedule = sched::NoiseSchedule::sd15();
  const auto alphas = schedule.alphas_cumprod.to(torch::kFloat);
  const auto noisy = [&](int64_t step) {
    auto a = alphas[step].item<double>();
    return c.latent * std::sqrt(a) + noise * std::sqrt(1 - a);
  };
  auto context = encode(c.prompt);
  const auto timestep = [&](int64_t v) { return torch::full({1}, double(v), torch::TensorOptions().device(engine_->device())); };

  const bool attention = phase == 2 && config_.attention_loss && config_.lambda_attn > 0 && !c.attention_targets.empty();
  models::AttentionCaptureSpec spec;
  spec.keep_grad = true;
  spec.layer_prefixes.assign(std::begin(kAttentionLayers), std::end(kAttentionLayers));
  models::AttentionStore store(spec);
  if (attention) engine_->unet->set_attention_store(&store);
  torch::Tensor eps_hat;
  try {
    eps_hat = engine_->unet->forward(noisy(t), timestep(t), context);
  } catch (...) {
    engine_->unet->set_attention_store(nullptr);
    throw;
  }
  engine_->unet->set_attention_store(nullptr);

  std::map<std::string, torch::Tensor> losses;
  const double style_weight = c.task != Task::Instance && progress < 0.5 ? config_.lambda_style : 1.0;
  losses["mask"] = masked_eps_loss(eps_hat, noise, c.mask)[0] * style_weight;
  auto total = losses["mask"];
  if (attention) {
    std::vector<torch::Tensor> maps;
    for (const auto& captured : store.captured()) maps.push_back(captured.maps[0].to(torch::kFloat));  // [heads, Q, T]
    auto attn = torch::zeros({}, eps_hat.options().dtype(torch::kFloat));
    for (const auto& [position, target] : c.attention_targets) attn = attn + attention_refocus_loss(maps, position, target);
    losses["attn"] = attn / static_cast<double>(c.attention_targets.size());
    total = total + config_.lambda_attn * losses["attn"];
  }
  const bool id_task = c.task == Task::Composed || (c.task == Task::Instance && config_.id_loss_on_instance);
  const bool id_possible = phase == 2 && embed_ && config_.lambda_id > 0 && id_task && c.landmarks &&
                           c.source >= 0 && source_embeddings_.at(c.source).defined();
  if (id_possible) {
    auto z = noisy(t_id);
    auto eps_id = engine_->unet->forward(z, timestep(t_id), context);
    auto x0 = tweedie_x0(z, eps_id, alphas.slice(0, t_id, t_id + 1).to(z.device()));
    auto image = (engine_->vae->decode(x0 / engine_->info().vae_config.scaling_factor).to(torch::kFloat) / 2 + 0.5)
                     .clamp(0, 1);  // [1, 3, H, W]
    auto matrix = estimate_similarity(*c.landmarks, arcface_template());
    auto aligned = warp_affine(image, matrix.unsqueeze(0), 112) * 2 - 1;
    auto e = embed_(aligned).to(torch::kFloat).squeeze(0);
    auto e_ref = source_embeddings_.at(c.source).to(e.device(), torch::kFloat);
    losses["id"] = 1 - torch::cosine_similarity(e, e_ref, 0);
    total = total + config_.lambda_id * losses["id"];
  }
  losses["total"] = total;
  return losses;
}

double Trainer::lr_factor(int phase_step, int phase_steps) const {
  // Linear decay to 0 with no warm-up. The official loop steps the schedule before each update (B17), so its
  // first update already uses lr * (1 - 1/N) and its last uses 0.
  const int k = config_.scheduler_before_update ? phase_step + 1 : phase_step;
  return std::max(0.0, 1.0 - static_cast<double>(k) / std::max(1, phase_steps));
}

std::map<std::string, double> Trainer::update(int phase, int phase_step) {
  const double factor = lr_factor(phase_step, phase == 1 ? config_.steps_ti : config_.steps_lora);
  std::map<std::string, double> lrs;
  for (auto& group : optimizer_->groups()) lrs[group.name] = group.lr = group.base_lr * factor;
  const bool finite = scaler_.unscale(optimizer_->all_params());  // before clipping, as GradScaler
  scaler_.update(!finite);
  if (!finite) {
    ++skipped_steps_;
    return lrs;
  }
  if (phase == 2 && config_.grad_clip > 0) torch::nn::utils::clip_grad_norm_(optimizer_->all_params(), config_.grad_clip);
  optimizer_->step();
  after_update(phase, lrs["embedding"]);
  return lrs;
}

void Trainer::after_update(int phase, double lr_embedding) {
  torch::NoGradGuard no_grad;
  auto rows = config_.only_placeholder_rows ? token_rows_ : embedding_all_.slice(0, -2);
  if (phase == 1) {
    // clip_ti_decay: pull each placeholder embedding's norm toward 0.4, strongly while the LR is high.
    const double lambda = std::min(1.0, 100.0 * lr_embedding);
    auto norms = rows.norm(2, 1, true);  // [2, 1]
    rows.copy_(rows / norms * (norms + lambda * (config_.ti_norm_target - norms)));
    if (!config_.only_placeholder_rows) embedding_all_.slice(0, 0, -2).copy_(base_rows_);
  }
}

StepProbeResult Trainer::probe_step(const StepProbe& probe) {
  require(probe.phase == 1 || probe.phase == 2, codes::kBadArgument,
          "expected phase 1 or 2, received " + std::to_string(probe.phase));
  require(probe.phase == 2 || adapters_.empty(), codes::kBadArgument,
          "a phase-1 step cannot be probed once the adapters are attached");
  const bool instance = probe.task == Task::Instance;
  const bool uses_source = probe.task != Task::Style;
  require(!uses_source || (probe.source >= 0 && probe.source < static_cast<int>(inputs_.sources.size())),
          codes::kBadArgument, "expected a source index below " + std::to_string(inputs_.sources.size()));
  require(instance || (probe.reference >= 0 && probe.reference < static_cast<int>(inputs_.references.size())),
          codes::kBadArgument, "expected a reference index below " + std::to_string(inputs_.references.size()));
  require(probe.latent.dim() == 4 && probe.noise.sizes() == probe.latent.sizes(), codes::kBadArgument,
          "expected latent and noise of one [1, C, h, w] shape");
  if (probe.phase == 2) ensure_adapters();
  std::vector<torch::Tensor> adapter_params;
  for (const auto& [name, adapter] : adapters_) adapter_params.insert(adapter_params.end(), {adapter->down, adapter->up});
  if (probe.adapter_weights.defined()) {
    int64_t total = 0;
    for (const auto& p : adapter_params) total += p.numel();
    require(probe.phase == 2 && probe.adapter_weights.numel() == total, codes::kBadArgument,
            "expected " + std::to_string(total) + " adapter weights (phase 2), received " +
                std::to_string(probe.adapter_weights.numel()));
    torch::NoGradGuard no_grad;
    auto flat = probe.adapter_weights.to(torch::kFloat).flatten();
    int64_t offset = 0;
    for (auto& p : adapter_params) {
      p.copy_(flat.slice(0, offset, offset + p.numel()).view_as(p));
      offset += p.numel();
    }
  }
  const auto& picture = instance ? inputs_.sources[probe.source] : inputs_.references[probe.reference];
  const Item item{probe.task, uses_source ? probe.source : -1, instance ? -1 : probe.reference};
  const auto options = torch::TensorOptions().device(engine_->device()).dtype(engine_->dtype());
  auto cached = cache_item(item, probe.latent.to(options), picture.face_mask.to(torch::kFloat), picture.landmarks,
                           probe.prompt);
  auto rows = config_.only_placeholder_rows ? token_rows_ : embedding_all_;
  rows.mutable_grad() = torch::Tensor();
  for (auto& p : adapter_params) p.mutable_grad() = torch::Tensor();

  StepProbeResult result;
  const int phase_steps = probe.phase == 1 ? config_.steps_ti : config_.steps_lora;
  require(probe.phase_step >= 0 && probe.phase_step < phase_steps, codes::kBadArgument,
          "expected a step of phase " + std::to_string(probe.phase) + " below " + std::to_string(phase_steps) +
              ", received " + std::to_string(probe.phase_step));
  result.losses = losses_for(cached, probe.noise.to(options), probe.t, probe.t_id, probe.phase,
                             double(probe.phase_step) / phase_steps);
  scaler_.scale_loss(result.losses["total"]).backward();
  const auto placeholder = [&](const torch::Tensor& t) { return config_.only_placeholder_rows ? t : t.slice(0, -2); };
  result.rows = placeholder(rows).detach().clone();
  result.rows_grad = rows.grad().defined() ? placeholder(rows.grad()).clone() : torch::zeros_like(result.rows);
  if (probe.phase == 2) {
    std::vector<torch::Tensor> grads;
    for (const auto& p : adapter_params) grads.push_back((p.grad().defined() ? p.grad() : torch::zeros_like(p)).flatten());
    result.adapter_grads = torch::cat(grads).cpu();
  }
  if (probe.update) {
    build_optimizer(probe.phase);  // fresh moments: the phase's first update
    update(probe.phase, probe.phase_step);
    result.rows_after = placeholder(rows).detach().clone();
    if (probe.phase == 2) {
      std::vector<torch::Tensor> weights;
      for (const auto& p : adapter_params) weights.push_back(p.detach().flatten());
      result.adapters_after = torch::cat(weights).cpu();
    }
  }
  rows.mutable_grad() = torch::Tensor();
  for (auto& p : adapter_params) p.mutable_grad() = torch::Tensor();
  return result;
}

void Trainer::run(const TrainProgressFn& progress, const std::atomic<bool>* cancel, const std::string& checkpoint_path) {
  const auto started = std::chrono::steady_clock::now();
  while (step_ < total_steps()) {
    if (cancel != nullptr && cancel->load()) {
      if (!checkpoint_path.empty()) save_checkpoint(checkpoint_path);
      fail(codes::kCancelled, "training was cancelled after " + std::to_string(step_) + " of " +
                                  std::to_string(total_steps()) + " steps",
           "Resume the run to continue from where it stopped.");
    }
    const int phase = step_ < config_.steps_ti ? 1 : 2;
    if (prepared_phase_ != phase) prepare_phase(phase);
    const int phase_step = phase == 1 ? step_ : step_ - config_.steps_ti;
    const int phase_steps = phase == 1 ? config_.steps_ti : config_.steps_lora;
    if (order_pos_ >= order_.size()) {
      auto permutation = at::randperm(static_cast<int64_t>(items_.size()), train_generator_, torch::kLong);
      order_.assign(permutation.data_ptr<int64_t>(), permutation.data_ptr<int64_t>() + permutation.numel());
      order_pos_ = 0;
    }
    const auto index = static_cast<size_t>(order_[order_pos_++]);
    const int64_t horizon = phase == 1 ? 1000 : static_cast<int64_t>(1000 * config_.timestep_fraction_phase2);
    // Drawn in fp32 then cast, so runs in every dtype see the same noise.
    auto noise = mc::randn(cache_[index]->latent.sizes(), train_generator_,
                           cache_[index]->latent.options().dtype(torch::kFloat))
                     .to(cache_[index]->latent.scalar_type());
    const int64_t t = randint(horizon, train_generator_);
    const int64_t t_id = randint(horizon, train_generator_);
    auto cached = config_.resample_augmentation ? std::make_shared<Cached>(prepare_item(items_[index], train_generator_))
                                                : cache_[index];

    optimizer_->zero_grad();
    auto losses = losses_for(*cached, noise, t, t_id, phase, double(phase_step) / phase_steps);
    scaler_.scale_loss(losses["total"]).backward();
    auto lrs = update(phase, phase_step);
    ++step_;

    last_losses_.clear();
    for (const auto& [name, value] : losses) last_losses_[name] = value.item<double>();
    if (progress) {
      TrainProgress p;
      p.phase = phase;
      p.step = step_;
      p.total = total_steps();
      p.task = task_name(cached->task);
      p.losses = last_losses_;
      p.lr_embedding = lrs["embedding"];
      p.lr_unet = lrs["unet"];
      p.lr_text = lrs["text"];
      p.elapsed_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      progress(p);
    }
    if (!checkpoint_path.empty() && config_.checkpoint_every > 0 && step_ % config_.checkpoint_every == 0) {
      save_checkpoint(checkpoint_path);
    }
  }
}

}  // namespace mc::training
