#include "fpo/algo/rollout_storage.h"

#include <algorithm>
#include <cmath>

#include "fpo/algo/gae.h"
#include "fpo/dist/collective.h"

namespace fpo {

void RolloutStorage::allocate(int64_t capacity, int64_t n, int64_t obs_dim, int64_t act_dim,
                              const torch::TensorOptions& options) {
  num_envs = n;
  obs = torch::empty({capacity, n, obs_dim}, options);
  next_obs = torch::empty({capacity, n, obs_dim}, options);
  actions = torch::empty({capacity, n, act_dim}, options);
  for (auto* t : {&rewards, &dones, &terminated, &truncated, &values, &next_values}) {
    *t = torch::zeros({capacity, n}, options);
  }
  memory.clear();
}

torch::Tensor RolloutStorage::flat(const torch::Tensor& x) const {
  auto sizes = x.sizes().vec();
  sizes.erase(sizes.begin(), sizes.begin() + 2);
  sizes.insert(sizes.begin(), steps * num_envs);
  return x.narrow(0, 0, steps).reshape(sizes);
}

torch::Tensor normalize_across_ranks(const torch::Tensor& x, Collective* collective) {
  if (collective == nullptr || !collective->distributed()) return (x - x.mean()) / (x.std() + 1e-8);
  auto x64 = x.to(torch::kCPU, torch::kFloat64);
  auto moments = torch::stack({torch::full({}, static_cast<double>(x.numel()), torch::kFloat64), x64.sum(),
                               x64.pow(2).sum()});
  collective->sum({moments}, "merging advantage statistics");
  const double n = moments[0].item<double>(), mean = moments[1].item<double>() / n;
  const double var = std::max(0.0, (moments[2].item<double>() - n * mean * mean) / std::max(n - 1.0, 1.0));
  return (x - mean) / (std::sqrt(var) + 1e-8);
}

AdvantageTargets rollout_advantages(const RolloutStorage& r, const TrainConfig& config, Collective* collective) {
  torch::NoGradGuard no_grad;
  AdvantageTargets out;
  if (config.advantage == "group") {
    // Already normalised within each group; train.adv_norm does not apply.
    out.advantages = r.flat(r.group_advantages);
    out.weights = r.flat(r.mask);
    return out;
  }
  auto values = r.values.narrow(0, 0, r.steps);
  auto adv = compute_gae(r.rewards.narrow(0, 0, r.steps), values, r.next_values.narrow(0, 0, r.steps),
                         r.dones.narrow(0, 0, r.steps), config.gamma, config.gae_lambda);
  out.returns = r.flat(adv + values);
  out.advantages = r.flat(adv);
  if (config.adv_norm) out.advantages = normalize_across_ranks(out.advantages, collective);
  return out;
}

std::vector<torch::Tensor> sequence_minibatches(int64_t steps, int64_t n, int64_t length, int64_t minibatches,
                                                const torch::Device& device) {
  const auto long_opts = torch::TensorOptions().dtype(torch::kLong).device(device);
  const int64_t sequences = (steps / length) * n;
  minibatches = std::min(minibatches, sequences);
  const int64_t size = sequences / minibatches;
  auto perm = torch::randperm(sequences, long_opts);
  auto k = torch::arange(length, long_opts).unsqueeze(1);  // [L, 1]
  std::vector<torch::Tensor> out;
  for (int64_t mb = 0; mb < minibatches; ++mb) {
    auto s = perm.narrow(0, mb * size, size).unsqueeze(0);  // [1, S]
    auto chunk = s.div(n, "floor"), env = s.remainder(n);
    out.push_back(((chunk * length + k) * n + env).reshape({-1}));
  }
  return out;
}

AdvantageTargets sequence_advantages(const RolloutStorage& r, const torch::Tensor& idx, int64_t length,
                                     const std::function<torch::Tensor(const torch::Tensor&)>& value,
                                     const TrainConfig& config, Collective* collective) {
  torch::NoGradGuard no_grad;
  const std::vector<int64_t> shape = {length, idx.size(0) / length};
  auto pick = [&](const torch::Tensor& x) { return r.flat(x).index_select(0, idx).reshape(shape); };
  auto terminated = pick(r.terminated);
  auto values = value(r.flat(r.obs).index_select(0, idx)).reshape(shape);
  auto next_values = value(r.flat(r.next_obs).index_select(0, idx)).reshape(shape) * (1.0 - terminated);
  auto adv = compute_gae(pick(r.rewards), values, next_values, pick(r.dones), config.gamma, config.gae_lambda);
  AdvantageTargets out;
  out.returns = (adv + values).reshape({-1});
  out.advantages = adv.reshape({-1});
  if (config.adv_norm) out.advantages = normalize_across_ranks(out.advantages, collective);
  out.weights = 1.0 - pick(r.truncated).reshape({-1});
  return out;
}

}  // namespace fpo
