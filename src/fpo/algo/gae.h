#pragma once
#include <torch/torch.h>

namespace fpo {

// Generalised advantage estimation over a [T, N] rollout.
// next_values[t] is the value of the state after step t: the next stored
// state, the final observation of a truncated episode (bootstrap), or 0 after
// a termination. dones[t] = 1 where an episode ended at step t (either way),
// which stops the recursion from leaking into the next episode.
torch::Tensor compute_gae(const torch::Tensor& rewards, const torch::Tensor& values,
                          const torch::Tensor& next_values, const torch::Tensor& dones, double gamma,
                          double lambda);

}  // namespace fpo
