#pragma once
// What one iteration collected, as [T, N, ...] tensors on the training
// device, and the advantage estimators that read it. Filled by
// RolloutCollector, consumed by PpoUpdate.
#include <torch/torch.h>

#include <algorithm>
#include <functional>
#include <vector>

#include "fpo/algo/train_config.h"
#include "fpo/policy/tensor_map.h"

namespace fpo {

struct RolloutStorage {
  // obs and next_obs are normalised with the statistics of the step they were seen at.
  torch::Tensor obs, next_obs, actions;  // [T, N, D] / [T, N, A]
  torch::Tensor rewards;                 // [T, N], already scaled by train.reward_scale
  torch::Tensor dones, terminated, truncated;  // [T, N], 0/1: episode ended after this step (and how)
  torch::Tensor values, next_values;     // [T, N]: V(obs), V(next_obs) (0 where terminated), rollout's critic
  TensorMap memory;                      // what the policy's log_ratio needs, [T, N, ...]
  torch::Tensor group_advantages, mask;  // [T, N], group advantages only
  int64_t steps = 0;                     // T of this rollout (the buffers may be longer)
  int64_t num_envs = 0;

  // Buffers for up to `capacity` steps; memory tensors are added on first use.
  void allocate(int64_t capacity, int64_t num_envs, int64_t obs_dim, int64_t act_dim,
                const torch::TensorOptions& options);
  // The first `steps` rows of a [T_buffer, N, ...] tensor as [steps * N, ...].
  torch::Tensor flat(const torch::Tensor& x) const;
};

struct AdvantageTargets {
  torch::Tensor advantages;  // [T * N], normalised if train.adv_norm
  torch::Tensor returns;     // [T * N] value targets; undefined for group advantages
  torch::Tensor weights;     // [T * N] loss weights (group mask); undefined: all 1
};

class Collective;

// (x - mean) / (std + 1e-8) with the mean and (unbiased) std over every
// rank's x (collective nullptr or one process: this x alone).
torch::Tensor normalize_across_ranks(const torch::Tensor& x, Collective* collective);

// GAE with the rollout's critic (or group-relative returns), once per rollout;
// train.adv_norm normalises over every rank's rollout.
AdvantageTargets rollout_advantages(const RolloutStorage& rollout, const TrainConfig& config,
                                    Collective* collective = nullptr);

// Minibatches of whole sequences: the rollout's T steps are cut into chunks
// of `length` (dividing T); sequence (chunk c, env i) covers flat rows
// (c length + k) N + i. Returns one index tensor per minibatch, [length * S]
// step-major (reshape to [length, S] for GAE), the sequences shuffled.
std::vector<torch::Tensor> sequence_minibatches(int64_t steps, int64_t num_envs, int64_t length,
                                                int64_t minibatches, const torch::Device& device);

// Brax-style targets for one minibatch of sequences (rows `idx` from
// sequence_minibatches): GAE within each sequence with the given critic,
// bootstrapped from V(next_obs) at its last step; advantages normalised over
// the minibatch if train.adv_norm; weights = 0 on truncated steps (for the
// value loss: their target leans on a cut episode).
AdvantageTargets sequence_advantages(const RolloutStorage& rollout, const torch::Tensor& idx, int64_t length,
                                     const std::function<torch::Tensor(const torch::Tensor&)>& value,
                                     const TrainConfig& config, Collective* collective = nullptr);

}  // namespace fpo
