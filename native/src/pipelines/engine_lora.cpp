// Engine's LoRA and placeholder-token methods: glue between the loaded models and src/lora/.
#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/random.h"
#include "lora/adapters.h"
#include "lora/formats.h"
#include "lora/targets.h"
#include "magicapture/engine.h"

namespace mc {

namespace {

void check_scale(double scale, const char* what) {
  require(std::isfinite(scale) && scale >= -10 && scale <= 10, codes::kBadArgument,
          std::string("expected the ") + what + " LoRA scale from -10 to 10, received " + std::to_string(scale));
}

void attach(const std::vector<lora::Target>& targets, const std::vector<lora::AdapterWeights>& weights, double scale,
            const torch::Device& device, torch::ScalarType dtype) {
  for (const auto& w : weights) {
    auto adapter = std::make_shared<lora::LoraAdapter>();
    adapter->down = w.down.to(device, dtype);  // [r, in]
    adapter->up = w.up.to(device, dtype);      // [out, r]
    adapter->scale = scale;
    targets.at(w.target).module.ptr()->set_adapter(std::move(adapter));
  }
}

}  // namespace

lora::AdapterStatus Engine::refresh_adapter_status() {
  auto& status = adapters_.status;
  const auto unet_targets = lora::unet_targets(*unet);
  const auto text_targets = lora::text_targets(*text_encoder);
  status.unet_adapters = lora::attached_count(unet_targets);
  status.text_adapters = lora::attached_count(text_targets);
  status.rank = 0;
  for (const auto* targets : {&unet_targets, &text_targets}) {
    for (const auto& t : *targets) {
      if (t.module->adapter()) status.rank = std::max(status.rank, t.module->adapter()->down.size(0));
    }
  }
  status.tokens.clear();
  for (const auto& e : adapters_.rows.embeddings(text_encoder->text_model->embeddings->token_embedding)) {
    status.tokens.emplace_back(e.token, adapters_.rows.tokens().at(e.token));
  }
  info_.text_config.vocab_size = text_encoder->text_model->embeddings->token_embedding->weight.size(0);
  return status;
}

lora::AdapterStatus Engine::load_adapters(const std::string& path, const lora::LoadOptions& options) {
  check_scale(options.unet_scale, "UNet");
  check_scale(options.text_scale, "text-encoder");
  std::lock_guard<std::mutex> lock(job_mutex_);
  const auto unet_targets = lora::unet_targets(*unet);
  const auto text_targets = lora::text_targets(*text_encoder);
  const auto file = lora::read(path, unet_targets, text_targets, info_.text_config.hidden_size, options.embedding_token);

  std::vector<std::pair<lora::TokenEmbedding, int64_t>> rows;
  for (const auto& e : file.embeddings) {
    const auto id = options.token_ids.find(e.token);
    require(id != options.token_ids.end(), codes::kBadArgument,
            "expected a token id for " + e.token + ", which " + path + " embeds", "Pass the id the tokenizer gives it.");
    rows.emplace_back(e, id->second);
  }
  auto& embedding = text_encoder->text_model->embeddings->token_embedding;
  adapters_.rows.check(embedding, rows);

  torch::NoGradGuard no_grad;
  if (file.format != lora::Format::Embedding) {
    lora::remove(unet_targets);
    lora::remove(text_targets);
    attach(unet_targets, file.unet, options.unet_scale, device_, dtype_);
    attach(text_targets, file.text, options.text_scale, device_, dtype_);
    adapters_.status.unet_scale = options.unet_scale;
    adapters_.status.text_scale = options.text_scale;
  }
  adapters_.rows.set(embedding, rows);
  adapters_.status.format = lora::format_name(file.format);
  return refresh_adapter_status();
}

lora::AdapterStatus Engine::set_adapter_scales(double unet_scale, double text_scale) {
  check_scale(unet_scale, "UNet");
  check_scale(text_scale, "text-encoder");
  std::lock_guard<std::mutex> lock(job_mutex_);
  lora::set_scale(lora::unet_targets(*unet), unet_scale);
  lora::set_scale(lora::text_targets(*text_encoder), text_scale);
  adapters_.status.unet_scale = unet_scale;
  adapters_.status.text_scale = text_scale;
  return refresh_adapter_status();
}

lora::AdapterStatus Engine::clear_adapters() {
  std::lock_guard<std::mutex> lock(job_mutex_);
  lora::remove(lora::unet_targets(*unet));
  lora::remove(lora::text_targets(*text_encoder));
  adapters_.rows.restore(text_encoder->text_model->embeddings->token_embedding);
  adapters_.status = lora::AdapterStatus{};
  return refresh_adapter_status();
}

void Engine::save_adapters(const std::string& path, lora::Format format, const std::string& token) {
  std::lock_guard<std::mutex> lock(job_mutex_);
  const auto unet_targets = lora::unet_targets(*unet);
  const auto text_targets = lora::text_targets(*text_encoder);
  const auto embeddings = adapters_.rows.embeddings(text_encoder->text_model->embeddings->token_embedding);
  switch (format) {
    case lora::Format::MagiCapture: lora::write_magicapture(path, unet_targets, text_targets, embeddings); break;
    case lora::Format::Kohya: lora::write_kohya(path, unet_targets, text_targets); break;
    case lora::Format::Embedding: {
      std::string known;
      for (const auto& e : embeddings) known += (known.empty() ? "" : ", ") + e.token;
      require(!embeddings.empty(), codes::kBadArgument, "no placeholder token is loaded; nothing to write to " + path);
      require(!token.empty() || embeddings.size() == 1, codes::kBadArgument,
              "expected the token to export, one of " + known);
      for (const auto& e : embeddings) {
        if (token.empty() || e.token == token) return lora::write_embedding(path, e);
      }
      fail(codes::kBadArgument, "expected the token to export to be one of " + known + ", received " + token);
    }
  }
}

lora::AdapterStatus Engine::inject_adapters(const lora::InjectOptions& options, uint64_t seed) {
  std::lock_guard<std::mutex> lock(job_mutex_);
  auto generator = cpu_generator(seed);
  lora::inject(lora::unet_targets(*unet), options, generator);  // UNet first, then the text encoder, one stream
  lora::inject(lora::text_targets(*text_encoder), options, generator);
  adapters_.status.format = "";
  adapters_.status.unet_scale = adapters_.status.text_scale = options.scale;
  return refresh_adapter_status();
}

void Engine::set_token_embeddings(const std::vector<std::pair<lora::TokenEmbedding, int64_t>>& rows) {
  std::lock_guard<std::mutex> lock(job_mutex_);
  adapters_.rows.set(text_encoder->text_model->embeddings->token_embedding, rows);
  refresh_adapter_status();
}

lora::AdapterStatus Engine::adapter_status() {
  std::lock_guard<std::mutex> lock(job_mutex_);
  return refresh_adapter_status();
}

}  // namespace mc
