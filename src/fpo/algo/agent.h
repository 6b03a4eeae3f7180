#pragma once
// The learnable parts of a run: policy, critic and observation normaliser,
// built from a TrainConfig. Shared by training, evaluation and checkpoints.
#include <memory>

#include "fpo/algo/running_norm.h"
#include "fpo/algo/train_config.h"
#include "fpo/policy/mlp_forward.h"
#include "fpo/policy/policy.h"

namespace fpo {

struct Agent {
  std::shared_ptr<Policy> policy;
  torch::nn::Sequential value{nullptr};
  RunningNorm obs_norm{nullptr};
  bool normalize_obs = true;
  bool tanh_squash = false;  // train.action_squash = tanh: the env receives tanh(action)

  torch::Tensor normalized(const torch::Tensor& obs) const {
    return normalize_obs ? obs_norm->normalize(obs) : obs;
  }
  // The action the env receives for a policy action (which is what is stored
  // and learned from): tanh of it, or the action itself (the env clips to [-1, 1]).
  torch::Tensor env_action(const torch::Tensor& action) const { return tanh_squash ? action.tanh() : action; }
  // value(obs) for normalised obs: [B]
  torch::Tensor value_of(const torch::Tensor& norm_obs) { return mlp_forward(value, norm_obs).squeeze(-1); }
  std::vector<torch::Tensor> parameters() const;
  void to(const torch::Device& device);
};

// Builds the policy family the algorithm needs (fpo: flow, ppo: Gaussian,
// dppo: denoising MDP).
Agent make_agent(const TrainConfig& config, int64_t obs_dim, int64_t act_dim);

// Applies config.torch_threads to LibTorch's CPU thread pool (process-wide).
void set_torch_threads(const TrainConfig& config);

// Resolves "cpu" | "cuda" | "auto" into a device; errors if CUDA is asked for
// but this build or machine has none.
torch::Device resolve_device(const std::string& name);

}  // namespace fpo
