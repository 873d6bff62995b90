// Engine::sample: txt2img and img2img with classifier-free guidance.
// diffusers: pipelines/stable_diffusion/pipeline_stable_diffusion.py and pipeline_stable_diffusion_img2img.py;
// the order of generator draws (posterior sample, then noise; ancestral noise per step) follows them exactly.
#include <chrono>

#include "core/error.h"
#include "core/random.h"
#include "magicapture/engine.h"
#include "schedulers/scheduler.h"

namespace mc {

namespace {

void validate(const SampleRequest& r, const ModelInfo& info) {
  const auto n_prompts = static_cast<int64_t>(r.prompt_ids.size());
  require(n_prompts >= 1, codes::kBadArgument, "expected at least one prompt, received none");
  require(r.negative_ids.empty() || static_cast<int64_t>(r.negative_ids.size()) == n_prompts, codes::kBadArgument,
          "expected one negative prompt per prompt (" + std::to_string(n_prompts) + "), received " +
              std::to_string(r.negative_ids.size()));
  const auto max_len = info.text_config.max_position_embeddings;
  for (const auto* rows : {&r.prompt_ids, &r.negative_ids}) {
    for (const auto& row : *rows) {
      require(!row.empty() && static_cast<int64_t>(row.size()) <= max_len, codes::kBadArgument,
              "expected 1 to " + std::to_string(max_len) + " token ids per prompt, received " +
                  std::to_string(row.size()));
      for (auto id : row) {
        require(id >= 0 && id < info.text_config.vocab_size, codes::kBadArgument,
                "expected token ids below the vocabulary size " + std::to_string(info.text_config.vocab_size) +
                    ", received " + std::to_string(id),
                "The prompt uses a token the loaded model does not know (an embedding that is not loaded?).");
      }
    }
  }
  require(r.images_per_prompt >= 1 && r.images_per_prompt <= 64, codes::kBadArgument,
          "expected 1 to 64 images per prompt, received " + std::to_string(r.images_per_prompt));
  for (auto side : {r.width, r.height}) {
    require(side >= 8 && side <= 4096 && side % 8 == 0, codes::kBadArgument,
            "expected width and height to be multiples of 8 between 8 and 4096, received " + std::to_string(side));
  }
  require(r.steps >= 1 && r.steps <= 1000, codes::kBadArgument,
          "expected 1 to 1000 steps, received " + std::to_string(r.steps));
  require(r.guidance_scale >= 0 && r.guidance_scale <= 100, codes::kBadArgument,
          "expected a guidance scale from 0 to 100, received " + std::to_string(r.guidance_scale));
  if (r.init_image.has_value()) {
    const auto& image = *r.init_image;
    require(image.dim() == 4 && image.size(1) == 3 && image.size(2) == r.height && image.size(3) == r.width &&
                (image.size(0) == 1 || image.size(0) == n_prompts),
            codes::kBadArgument,
            "expected the init image as [1 or " + std::to_string(n_prompts) + ", 3, " + std::to_string(r.height) +
                ", " + std::to_string(r.width) + "]");
    require(r.strength > 0 && r.strength <= 1, codes::kBadArgument,
            "expected strength in (0, 1], received " + std::to_string(r.strength));
  }
}

torch::Tensor ids_tensor(const std::vector<std::vector<int64_t>>& rows) {
  const auto length = static_cast<int64_t>(rows.at(0).size());
  auto ids = torch::empty({static_cast<int64_t>(rows.size()), length}, torch::kLong);  // [P, T]
  for (size_t i = 0; i < rows.size(); ++i) {
    require(static_cast<int64_t>(rows[i].size()) == length, codes::kBadArgument,
            "expected every prompt to have " + std::to_string(length) + " token ids, received " +
                std::to_string(rows[i].size()));
    ids[static_cast<int64_t>(i)] = torch::tensor(rows[i], torch::kLong);
  }
  return ids;
}

}  // namespace

torch::Tensor Engine::encode_text(const std::vector<std::vector<int64_t>>& rows) {
  require(!rows.empty(), codes::kBadArgument, "expected at least one row of token ids, received none");
  return text_encoder->forward(ids_tensor(rows).to(device_));  // [P, T, hidden]
}

SampleResult Engine::sample(const SampleRequest& request, const ProgressFn& progress,
                            const std::atomic<bool>* cancel) {
  validate(request, info_);
  std::lock_guard<std::mutex> lock(job_mutex_);
  torch::NoGradGuard no_grad;
  const auto started = std::chrono::steady_clock::now();
  auto generator = cpu_generator(request.seed);
  const auto options = torch::TensorOptions().device(device_).dtype(dtype_);

  const int64_t prompts = static_cast<int64_t>(request.prompt_ids.size());
  const int64_t batch = prompts * request.images_per_prompt;
  const bool guided = request.guidance_scale > 1.0;
  // Each prompt's embedding repeated images_per_prompt times in a row, as diffusers does.
  auto context = encode_text(request.prompt_ids).repeat_interleave(request.images_per_prompt, 0);  // [N, T, D]
  if (guided) {
    std::vector<std::vector<int64_t>> negative = request.negative_ids;
    require(!negative.empty(), codes::kBadArgument, "expected negative prompt ids when guidance scale > 1");
    auto uncond = encode_text(negative).repeat_interleave(request.images_per_prompt, 0);
    context = torch::cat({uncond, context}, 0);  // [2N, T, D]: unconditional first
  }

  auto scheduler = sched::make_scheduler(request.sampler, sched::NoiseSchedule::sd15());
  scheduler->set_timesteps(request.steps);
  const auto& timesteps = scheduler->timesteps();
  const std::vector<int64_t> latent_shape{batch, info_.unet_config.in_channels, request.height / 8,
                                          request.width / 8};
  const double scaling = info_.vae_config.scaling_factor;

  int start = 0;
  torch::Tensor latents;
  if (request.init_image.has_value()) {
    start = sched::img2img_start_index(request.steps, request.strength) * scheduler->order();
    require(start < static_cast<int>(timesteps.size()), codes::kBadArgument,
            "expected a strength that leaves at least one of " + std::to_string(request.steps) +
                " steps to denoise, received " + std::to_string(request.strength),
            "Raise the strength or the number of steps.");
    scheduler->set_begin_index(start);
    auto image = (request.init_image->to(options) * 2.0 - 1.0);  // [I, 3, H, W] in [-1, 1]
    auto init = vae->encode(image).sample(generator) * scaling;  // [I, 4, h, w]
    if (init.size(0) < batch) init = init.repeat_interleave(batch / init.size(0), 0);
    auto noise = mc::randn(latent_shape, generator, options);
    latents = scheduler->add_noise(init, noise, start);
  } else {
    latents = mc::randn(latent_shape, generator, options) * scheduler->init_noise_sigma();
  }

  std::unique_ptr<models::AttentionStore> store;
  if (request.attention.has_value()) {
    auto spec = *request.attention;
    spec.batch_begin = guided ? batch : 0;
    spec.batch_end = guided ? 2 * batch : batch;
    store = std::make_unique<models::AttentionStore>(spec);
    unet->set_attention_store(store.get());
  }
  struct DetachStore {
    models::UNet2DConditionModel& unet;
    ~DetachStore() { unet->set_attention_store(nullptr); }
  } detach_store{unet};

  const int total = static_cast<int>(timesteps.size()) - start;
  for (int i = start; i < static_cast<int>(timesteps.size()); ++i) {
    if (cancel != nullptr && cancel->load()) {
      fail(codes::kCancelled, "sampling was cancelled after " + std::to_string(i - start) + " of " +
                                  std::to_string(total) + " steps");
    }
    if (store) store->set_step(i);
    auto model_input = guided ? torch::cat({latents, latents}, 0) : latents;
    model_input = scheduler->scale_model_input(model_input, i);
    auto t = torch::full({}, timesteps[i], torch::TensorOptions().dtype(torch::kFloat).device(device_));
    auto eps = unet->forward(model_input, t, context);
    if (guided) {
      auto halves = eps.chunk(2, 0);
      eps = halves[0] + request.guidance_scale * (halves[1] - halves[0]);
    }
    latents = scheduler->step(eps, i, latents, generator);
    if (progress) {
      progress({i - start + 1, total,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()});
    }
  }

  SampleResult result;
  result.timesteps.assign(timesteps.begin() + start, timesteps.end());
  auto decoded = vae->decode(latents / scaling);
  result.images = (decoded / 2.0 + 0.5).clamp(0.0, 1.0).to(torch::kCPU, torch::kFloat).contiguous();
  if (request.return_latents) result.latents = latents.to(torch::kCPU, torch::kFloat).contiguous();
  if (store) result.attention = store->captured();
  return result;
}

}  // namespace mc
