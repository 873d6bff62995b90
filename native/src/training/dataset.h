// The training items of each phase (METHOD §1.7) and their per-item preparation: augmentation, VAE latent,
// soft masks at latent resolution, prompt and token positions, reference identity embedding.
#pragma once
#include <torch/torch.h>

#include <optional>
#include <vector>

namespace mc::training {

enum class Task { Instance, Style, Composed };
const char* task_name(Task task);

struct TrainImage {
  torch::Tensor image;      // [3, H, W] in [0, 1]
  torch::Tensor face_mask;  // [1, H, W] in [0, 1], 1 = face
  std::optional<torch::Tensor> landmarks;  // [5, 2] pixels: eyes, nose, mouth corners (subject's left first)
};

struct Item {
  Task task;
  int source = -1;     // instance and composed items
  int reference = -1;  // style and composed items
};

// Phase 1: r copies of every source (r = max(1, S / I)) and every reference.
std::vector<Item> phase1_items(int sources, int references);
// Phase 2: phase 1's items plus floor((r I + S) / 2) composed pairs, chosen by sweeping the I x S grid and
// accepting each new pair with probability (r I + S) / (2 I S), as the official dataset does.
std::vector<Item> phase2_items(int sources, int references, at::Generator& generator);

// Horizontal flip of [5, 2] landmarks in an image `width` wide: mirrored x, left/right points swapped.
torch::Tensor flip_landmarks(const torch::Tensor& landmarks, int64_t width);

// Brightness and contrast jitter of +-10% (torchvision ColorJitter(0.1, 0.1) order: brightness, contrast).
torch::Tensor color_jitter(const torch::Tensor& image, at::Generator& generator);

}  // namespace mc::training
