#include "training/dataset.h"

namespace mc::training {

namespace {
double uniform(at::Generator& generator, double lo, double hi) {
  return at::empty({1}, torch::kDouble).uniform_(lo, hi, generator).item<double>();
}
}  // namespace

const char* task_name(Task task) {
  switch (task) {
    case Task::Instance: return "instance";
    case Task::Style: return "style";
    case Task::Composed: return "composed";
  }
  return "?";
}

std::vector<Item> phase1_items(int sources, int references) {
  const int repeats = std::max(1, sources > 0 ? references / sources : 1);
  std::vector<Item> items;
  for (int r = 0; r < repeats; ++r) {
    for (int i = 0; i < sources; ++i) items.push_back({Task::Instance, i, -1});
  }
  for (int j = 0; j < references; ++j) items.push_back({Task::Style, -1, j});
  return items;
}

std::vector<Item> phase2_items(int sources, int references, at::Generator& generator) {
  auto items = phase1_items(sources, references);
  if (sources == 0 || references == 0) return items;
  const int repeats = std::max(1, references / sources);
  const int wanted = std::min((repeats * sources + references) / 2, sources * references);
  const double accept = std::min(1.0, double(repeats * sources + references) / (2.0 * sources * references));
  std::vector<std::vector<bool>> chosen(sources, std::vector<bool>(references, false));
  int count = 0;
  while (count < wanted) {
    for (int i = 0; i < sources && count < wanted; ++i) {
      for (int j = 0; j < references && count < wanted; ++j) {
        if (chosen[i][j] || uniform(generator, 0, 1) >= accept) continue;
        chosen[i][j] = true;
        items.push_back({Task::Composed, i, j});
        ++count;
      }
    }
  }
  return items;
}

torch::Tensor flip_landmarks(const torch::Tensor& landmarks, int64_t width) {
  auto flipped = landmarks.clone();
  flipped.select(1, 0) = static_cast<double>(width - 1) - landmarks.select(1, 0);
  auto order = torch::tensor({1, 0, 2, 4, 3}, torch::kLong);  // the subject's left and right swap sides
  return flipped.index_select(0, order);
}

torch::Tensor color_jitter(const torch::Tensor& image, at::Generator& generator) {
  const double brightness = uniform(generator, 0.9, 1.1);
  const double contrast = uniform(generator, 0.9, 1.1);
  auto out = (image * brightness).clamp(0, 1);
  // torchvision: blend with the mean of the greyscale image.
  auto grey = (0.299 * out[0] + 0.587 * out[1] + 0.114 * out[2]).mean();
  return (contrast * out + (1 - contrast) * grey).clamp(0, 1);
}

}  // namespace mc::training
