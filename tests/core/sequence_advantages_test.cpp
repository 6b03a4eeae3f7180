// Brax-style per-minibatch advantages: minibatches of whole sequences, and
// GAE within each sequence with a given critic.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <set>

#include "fpo/algo/rollout_storage.h"

namespace fpo {
namespace {

TEST(SequenceMinibatches, CoverEveryRowOnceInWholeSequences) {
  const int64_t steps = 12, n = 5, len = 4, minibatches = 3;  // 3 chunks x 5 envs = 15 sequences
  torch::manual_seed(3);
  auto mbs = sequence_minibatches(steps, n, len, minibatches, torch::kCPU);
  ASSERT_EQ(mbs.size(), 3u);
  std::set<int64_t> seen;
  for (const auto& idx : mbs) {
    ASSERT_EQ(idx.size(0), len * 5);  // 5 sequences of 4 steps each
    auto m = idx.reshape({len, -1});
    for (int64_t s = 0; s < m.size(1); ++s) {
      const int64_t first = m[0][s].item<int64_t>();
      const int64_t t0 = first / n, env = first % n;
      EXPECT_EQ(t0 % len, 0) << "a sequence starts at a chunk boundary";
      for (int64_t k = 0; k < len; ++k) EXPECT_EQ(m[k][s].item<int64_t>(), (t0 + k) * n + env);
    }
    for (int64_t i = 0; i < idx.size(0); ++i) EXPECT_TRUE(seen.insert(idx[i].item<int64_t>()).second);
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(steps * n));
}

RolloutStorage random_rollout(int64_t steps, int64_t n, int64_t dim) {
  RolloutStorage r;
  r.allocate(steps, n, dim, 1, torch::TensorOptions().dtype(torch::kFloat64));
  r.steps = steps;
  r.obs.copy_(torch::randn({steps, n, dim}));
  r.next_obs.copy_(torch::randn({steps, n, dim}));
  r.rewards.copy_(torch::randn({steps, n}));
  r.terminated.copy_((torch::rand({steps, n}) < 0.1).to(torch::kFloat64));
  r.truncated.copy_((torch::rand({steps, n}) < 0.1).to(torch::kFloat64) * (1 - r.terminated));
  r.dones.copy_(r.terminated + r.truncated);
  return r;
}

TEST(SequenceAdvantages, OverTheWholeUnrollTheyEqualTheRolloutsGae) {
  torch::manual_seed(5);
  const int64_t steps = 10, n = 3, dim = 2;
  RolloutStorage r = random_rollout(steps, n, dim);
  auto w = torch::randn({dim}, torch::kFloat64);
  auto value = [&](const torch::Tensor& o) { return o.matmul(w); };
  r.values.copy_(value(r.obs));
  r.next_values.copy_(value(r.next_obs) * (1 - r.terminated));
  TrainConfig config;
  config.adv_norm = false;
  config.gamma = 0.9;
  config.gae_lambda = 0.8;
  auto whole = rollout_advantages(r, config);
  auto idx = sequence_minibatches(steps, n, steps, 1, torch::kCPU)[0];
  auto seq = sequence_advantages(r, idx, steps, value, config);
  EXPECT_TRUE(torch::allclose(seq.advantages, whole.advantages.index_select(0, idx), 1e-12, 1e-12));
  EXPECT_TRUE(torch::allclose(seq.returns, whole.returns.index_select(0, idx), 1e-12, 1e-12));
  EXPECT_TRUE(torch::equal(seq.weights, 1 - r.flat(r.truncated).index_select(0, idx)));
}

TEST(SequenceAdvantages, ASequenceBootstrapsFromItsLastNextObservation) {
  // One env, 4 steps, sequences of 2, no episode ends, critic V(o) = o (1-d obs),
  // gamma 0.5, lambda 1: A_t = r_t + 0.5 r_{t+1} + 0.25 V(next_obs_{t+1}) - V(obs_t) within a
  // sequence, where next_obs_t = obs_{t+1}; the rollout's GAE would chain on across the cut.
  RolloutStorage r;
  r.allocate(4, 1, 1, 1, torch::TensorOptions().dtype(torch::kFloat64));
  r.steps = 4;
  r.obs.copy_(torch::tensor({1.0, 2.0, 3.0, 4.0}, torch::kFloat64).reshape({4, 1, 1}));
  r.next_obs.copy_(torch::tensor({2.0, 3.0, 4.0, 40.0}, torch::kFloat64).reshape({4, 1, 1}));
  r.rewards.copy_(torch::tensor({1.0, 1.0, 1.0, 1.0}, torch::kFloat64).reshape({4, 1}));
  TrainConfig config;
  config.adv_norm = false;
  config.gamma = 0.5;
  config.gae_lambda = 1.0;
  auto value = [](const torch::Tensor& o) { return o.squeeze(-1); };
  auto idx = torch::tensor({2, 3}, torch::kLong);  // the second sequence: steps 2, 3
  auto seq = sequence_advantages(r, idx, 2, value, config);
  // Step 3: 1 + 0.5 * 40 - 4 = 17.  Step 2: 1 + 0.5 * 1 + 0.25 * 40 - 3 = 8.5.
  EXPECT_NEAR(seq.advantages[0].item<double>(), 8.5, 1e-12);
  EXPECT_NEAR(seq.advantages[1].item<double>(), 17.0, 1e-12);
  EXPECT_NEAR(seq.returns[0].item<double>(), 11.5, 1e-12);
  // The first sequence ends at step 1 and bootstraps from V(next_obs_1) = 3:
  // A_1 = 1 + 0.5 * 3 - 2 = 0.5, A_0 = 1 + 0.5 * 1 + 0.25 * 3 - 1 = 1.25.
  auto first = sequence_advantages(r, torch::tensor({0, 1}, torch::kLong), 2, value, config);
  EXPECT_NEAR(first.advantages[0].item<double>(), 1.25, 1e-12);
  EXPECT_NEAR(first.advantages[1].item<double>(), 0.5, 1e-12);
}

}  // namespace
}  // namespace fpo
