#include "fpo/algo/group_advantage.h"

#include "fpo/common/error.h"

namespace fpo {

torch::Tensor group_relative_advantages(const torch::Tensor& episode_returns, int group_size) {
  const int64_t n = episode_returns.size(0);
  if (group_size < 1 || n % group_size != 0) {
    throw Error("group-relative advantages: " + std::to_string(n) + " episodes cannot be split into groups of " +
                std::to_string(group_size));
  }
  auto r = episode_returns.reshape({n / group_size, group_size});
  auto mean = r.mean(1, /*keepdim=*/true);
  auto std = (r - mean).pow(2).mean(1, /*keepdim=*/true).sqrt();  // population std
  return ((r - mean) / (std + 1e-8)).reshape({n});
}

torch::Tensor episode_step_mask(const torch::Tensor& episode_lengths, int64_t steps) {
  auto t = torch::arange(steps, episode_lengths.options().dtype(torch::kLong)).unsqueeze(1);  // [T, 1]
  auto len = episode_lengths.to(torch::kLong).unsqueeze(0);                                   // [1, N]
  return (t < len).to(torch::kFloat32);
}

GroupAdvantages compute_group_advantages(const torch::Tensor& episode_returns, const torch::Tensor& episode_lengths,
                                         int64_t steps, int group_size) {
  GroupAdvantages out;
  out.mask = episode_step_mask(episode_lengths, steps).to(episode_returns.dtype());
  out.advantages = group_relative_advantages(episode_returns, group_size).unsqueeze(0) * out.mask;
  return out;
}

}  // namespace fpo
