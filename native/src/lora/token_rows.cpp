#include "lora/token_rows.h"

#include <algorithm>
#include <iterator>
#include <set>

#include "core/error.h"

namespace mc::lora {

void TokenRows::check(const torch::nn::Embedding& embedding,
                      const std::vector<std::pair<TokenEmbedding, int64_t>>& items) const {
  const int64_t rows = embedding->weight.size(0), hidden = embedding->weight.size(1);
  std::set<int64_t> ids;
  for (const auto& [e, id] : items) {
    require(id >= 0 && id < rows + kMaxNewRows, codes::kBadArgument,
            "expected the id of " + e.token + " from 0 to " + std::to_string(rows + kMaxNewRows - 1) + ", received " +
                std::to_string(id));
    require(ids.insert(id).second, codes::kBadArgument,
            "expected one id per token, received " + std::to_string(id) + " twice");
    require(e.vector.dim() == 1 && e.vector.size(0) == hidden, codes::kBadArgument,
            "expected the embedding of " + e.token + " to have " + std::to_string(hidden) + " values");
  }
}

int64_t TokenRows::set(torch::nn::Embedding& embedding, const std::vector<std::pair<TokenEmbedding, int64_t>>& items) {
  check(embedding, items);
  torch::NoGradGuard no_grad;
  auto& weight = embedding->weight;  // [rows, hidden]
  const int64_t rows = weight.size(0);
  if (base_rows_ < 0) base_rows_ = rows;
  int64_t needed = rows;
  for (const auto& item : items) needed = std::max(needed, item.second + 1);
  if (needed > rows) {
    auto grown = torch::zeros({needed, weight.size(1)}, weight.options());  // [needed, hidden]
    grown.narrow(0, 0, rows).copy_(weight);
    weight.set_data(grown);
  }
  for (const auto& [e, id] : items) {
    if (id < base_rows_ && !overwritten_.count(id)) overwritten_[id] = weight[id].clone();
    weight[id].copy_(e.vector.to(weight.options()));
    for (auto it = tokens_.begin(); it != tokens_.end();) it = it->second == id ? tokens_.erase(it) : std::next(it);
    tokens_[e.token] = id;
  }
  return weight.size(0);
}

int64_t TokenRows::restore(torch::nn::Embedding& embedding) {
  auto& weight = embedding->weight;
  if (base_rows_ < 0) return weight.size(0);
  torch::NoGradGuard no_grad;
  for (const auto& [id, original] : overwritten_) weight[id].copy_(original);
  if (weight.size(0) > base_rows_) weight.set_data(weight.narrow(0, 0, base_rows_).clone());
  overwritten_.clear();
  tokens_.clear();
  return weight.size(0);
}

std::vector<TokenEmbedding> TokenRows::embeddings(const torch::nn::Embedding& embedding) const {
  std::vector<std::pair<int64_t, std::string>> by_id;
  for (const auto& [token, id] : tokens_) by_id.emplace_back(id, token);
  std::sort(by_id.begin(), by_id.end());
  std::vector<TokenEmbedding> out;
  for (const auto& [id, token] : by_id) {
    out.push_back({token, embedding->weight[id].detach().to(torch::kCPU, torch::kFloat).clone()});
  }
  return out;
}

}  // namespace mc::lora
