// Request parsing shared by trainRun and the training-step probe: images, prompts, tokens, config, ArcFace.
#pragma once
#include <napi.h>

#include <memory>
#include <string>
#include <vector>

#include "convert.h"
#include "magicapture/engine.h"
#include "models/arcface/face_embedder.h"
#include "training/train_config.h"
#include "training/trainer.h"

namespace mc::binding {

inline training::TrainImage train_image(const Napi::Value& value, const std::string& what) {
  expect(value.IsObject(), "expected " + what + " to be {image, faceMask, landmarks?}");
  auto o = value.As<Napi::Object>();
  training::TrainImage image;
  image.image = to_tensor(o.Get("image"), what + ".image");
  image.face_mask = to_tensor(o.Get("faceMask"), what + ".faceMask");
  expect(image.image.dim() == 3 && image.image.size(0) == 3, "expected " + what + ".image as [3, H, W]");
  expect(image.face_mask.dim() == 3 && image.face_mask.size(0) == 1 &&
             image.face_mask.size(1) == image.image.size(1) && image.face_mask.size(2) == image.image.size(2),
         "expected " + what + ".faceMask as [1, H, W] matching the image");
  if (!o.Get("landmarks").IsUndefined()) {
    auto landmarks = to_tensor(o.Get("landmarks"), what + ".landmarks");
    expect(landmarks.numel() == 10, "expected " + what + ".landmarks to hold 5 points");
    image.landmarks = landmarks.view({5, 2}).to(torch::kDouble);
  }
  return image;
}

inline std::vector<training::TrainImage> train_images(const Napi::Value& value, const std::string& what) {
  expect(value.IsArray(), "expected " + what + " to be an array of images");
  std::vector<training::TrainImage> out;
  auto array = value.As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); ++i) out.push_back(train_image(array.Get(i), what + "[" + std::to_string(i) + "]"));
  return out;
}

inline training::TrainConfig train_config(const Napi::Value& value) {
  training::TrainConfig c;
  if (!value.IsObject()) return c;
  auto o = value.As<Napi::Object>();
  if (get_bool(o, "official", false)) c = training::TrainConfig::official();
  c.steps_ti = static_cast<int>(get_number(o, "stepsTi", c.steps_ti));
  c.steps_lora = static_cast<int>(get_number(o, "stepsLora", c.steps_lora));
  c.rank = static_cast<int64_t>(get_number(o, "rank", static_cast<double>(c.rank)));
  c.lr_ti = get_number(o, "lrTi", c.lr_ti);
  c.lr_unet = get_number(o, "lrUnet", c.lr_unet);
  c.lr_text = get_number(o, "lrText", c.lr_text);
  c.lr_embedding = get_number(o, "lrEmbedding", c.lr_embedding);
  c.lambda_id = get_number(o, "lambdaId", c.lambda_id);
  c.lambda_attn = get_number(o, "lambdaAttn", c.lambda_attn);
  c.lambda_style = get_number(o, "lambdaStyle", c.lambda_style);
  c.seed = static_cast<uint64_t>(get_number(o, "seed", static_cast<double>(c.seed)));
  c.checkpoint_every = static_cast<int>(get_number(o, "checkpointEvery", c.checkpoint_every));
  c.attention_loss = get_bool(o, "attentionLoss", c.attention_loss);
  c.only_placeholder_rows = get_bool(o, "onlyPlaceholderRows", c.only_placeholder_rows);
  c.resample_augmentation = get_bool(o, "resampleAugmentation", c.resample_augmentation);
  c.id_loss_on_instance = get_bool(o, "idLossOnInstance", c.id_loss_on_instance);
  c.scheduler_before_update = get_bool(o, "schedulerBeforeUpdate", c.scheduler_before_update);
  c.gradient_checkpointing = get_bool(o, "gradientCheckpointing", c.gradient_checkpointing);
  c.validate();
  return c;
}

// {sources, references, instancePrompts, stylePrompts, composedPrompts, identityToken, styleToken, initializerToken}
inline training::TrainInputs train_inputs(const Napi::Object& o) {
  training::TrainInputs inputs;
  inputs.sources = train_images(o.Get("sources"), "sources");
  inputs.references = train_images(o.Get("references"), "references");
  inputs.instance_prompts = to_int_rows(o.Get("instancePrompts"), "instancePrompts");
  inputs.style_prompts = to_int_rows(o.Get("stylePrompts"), "stylePrompts");
  inputs.composed_prompts = to_int_rows(o.Get("composedPrompts"), "composedPrompts");
  inputs.identity_token = static_cast<int64_t>(get_number(o, "identityToken", -1));
  inputs.style_token = static_cast<int64_t>(get_number(o, "styleToken", -1));
  inputs.initializer_token = static_cast<int64_t>(get_number(o, "initializerToken", -1));
  return inputs;
}

// The identity loss needs a face-recognition network; without one (empty path) a run trains the other losses.
inline training::FaceEmbedFn face_embed_fn(const Engine& engine, const std::string& arcface_path) {
  if (arcface_path.empty()) return {};
  models::FaceEmbedderOptions options;
  options.device = engine.info().device;
  options.fp16 = engine.device().is_cuda();
  auto embedder = std::make_shared<models::FaceEmbedder>(models::FaceEmbedder::load(arcface_path, options));
  return [embedder](const torch::Tensor& aligned) { return embedder->embed(aligned); };
}

}  // namespace mc::binding
