// AdamW with parameter groups, written out so its state is plain tensors that a checkpoint can hold
// (the update is torch.optim.AdamW's, non-amsgrad, step for step).
#pragma once
#include <torch/torch.h>

#include <string>
#include <vector>

namespace mc::training {

struct ParamGroup {
  std::string name;
  std::vector<torch::Tensor> params;
  double base_lr = 1e-3;
  double lr = 1e-3;
  double weight_decay = 0;
};

class AdamW {
 public:
  explicit AdamW(std::vector<ParamGroup> groups, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8);

  void zero_grad();
  void step();
  std::vector<ParamGroup>& groups() { return groups_; }
  std::vector<torch::Tensor> all_params() const;

  // exp_avg and exp_avg_sq of every parameter in group order, then the step count.
  std::vector<std::pair<std::string, torch::Tensor>> state() const;
  void load_state(const std::vector<std::pair<std::string, torch::Tensor>>& state);

 private:
  std::vector<ParamGroup> groups_;
  std::vector<torch::Tensor> exp_avg_, exp_avg_sq_;
  int64_t steps_ = 0;
  double beta1_, beta2_, eps_;
};

}  // namespace mc::training
