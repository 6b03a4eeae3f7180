#pragma once
// Group-relative advantages (GRPO-style), for episodic tasks: groups of
// group_size consecutive envs start from the same initial state and run one
// episode each; every step of an episode gets the advantage
//   (episode return - group mean) / (group std + 1e-8)
// (population std over the group), and steps after the episode ended are
// masked out of the loss. No critic is needed.
#include <torch/torch.h>

namespace fpo {

// episode_returns [N] (N divisible by group_size) -> one advantage per env [N].
torch::Tensor group_relative_advantages(const torch::Tensor& episode_returns, int group_size);

// episode_lengths [N] (steps each env's episode took) -> [steps, N] mask with
// 1 where step t < length (the step belongs to the episode), else 0.
torch::Tensor episode_step_mask(const torch::Tensor& episode_lengths, int64_t steps);

struct GroupAdvantages {
  torch::Tensor advantages;  // [steps, N]: the env's advantage on its episode's steps, 0 after
  torch::Tensor mask;        // [steps, N]: 1 on the episode's steps, 0 after it ended
};

// Both of the above, broadcast over a rollout of `steps` steps.
GroupAdvantages compute_group_advantages(const torch::Tensor& episode_returns, const torch::Tensor& episode_lengths,
                                         int64_t steps, int group_size);

}  // namespace fpo
