#pragma once
// Named per-sample tensors (first dimension = batch). A policy returns what it
// must remember about each action in one; the rollout buffer stores and
// minibatches them without knowing what they mean.
#include <torch/torch.h>

#include <map>
#include <string>

namespace fpo {

using TensorMap = std::map<std::string, torch::Tensor>;

}  // namespace fpo
