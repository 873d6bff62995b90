// Placeholder-token rows of the text encoder's token-embedding matrix ("<sks>", "<style1>").
//
// The tokenizer (in the TypeScript facade) decides each token's id; the engine writes the row: an id below the
// current row count overwrites that row (its original value is kept when it belongs to the model as opened),
// a larger id appends rows (rows skipped on the way are zeros: ids of tokens the tokenizer knows but whose
// embedding is not loaded). restore() puts the matrix back exactly as it was opened.
#pragma once
#include <torch/torch.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "lora/formats.h"

namespace mc::lora {

class TokenRows {
 public:
  // Throws EngineError(E_BAD_ARGUMENT) for a negative or far-off id, a repeated id or a vector of the wrong width;
  // nothing is changed then.
  void check(const torch::nn::Embedding& embedding, const std::vector<std::pair<TokenEmbedding, int64_t>>& items) const;
  // check() and write every row (no autograd). Returns the new row count.
  int64_t set(torch::nn::Embedding& embedding, const std::vector<std::pair<TokenEmbedding, int64_t>>& items);
  // Restores overwritten rows and drops appended ones. Returns the row count (the one the model opened with).
  int64_t restore(torch::nn::Embedding& embedding);

  const std::map<std::string, int64_t>& tokens() const { return tokens_; }
  // The current vector of every placeholder token, in id order, as float32 CPU tensors.
  std::vector<TokenEmbedding> embeddings(const torch::nn::Embedding& embedding) const;

 private:
  int64_t base_rows_ = -1;  // rows as opened; -1 until the first change
  std::map<int64_t, torch::Tensor> overwritten_;
  std::map<std::string, int64_t> tokens_;
};

// At most this many rows are appended past the current end in one call (a guard against absurd ids).
inline constexpr int64_t kMaxNewRows = 1024;

}  // namespace mc::lora
