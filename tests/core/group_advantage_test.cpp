// Group-relative advantages (train.advantage = group): hand-built groups and
// the mask that drops the steps after an episode ended; plus VecEnv's seeded
// reset that makes a group start from one state.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "fpo/algo/group_advantage.h"
#include "fpo/algo/objective.h"
#include "fpo/common/error.h"
#include "fpo/env/registry.h"
#include "fpo/env/vec_env.h"

namespace fpo {
namespace {

TEST(GroupAdvantage, HandComputedGroups) {
  // Two groups of 4. Group 0 returns (1, 0, 0, 1): mean 0.5, population std 0.5
  // -> (+1, -1, -1, +1). Group 1 returns (3, 1, 2, 2): mean 2, std sqrt(0.5)
  // -> (1, -1, 0, 0) / sqrt(0.5) = (1.41421356, -1.41421356, 0, 0).
  auto returns = torch::tensor({1.0, 0.0, 0.0, 1.0, 3.0, 1.0, 2.0, 2.0}, torch::kFloat64);
  auto adv = group_relative_advantages(returns, 4);
  const double r2 = std::sqrt(2.0);
  const std::vector<double> expected = {1, -1, -1, 1, r2, -r2, 0, 0};
  ASSERT_EQ(adv.numel(), 8);
  for (int i = 0; i < 8; ++i) EXPECT_NEAR(adv[i].item<double>(), expected[i], 1e-6) << "env " << i;
}

TEST(GroupAdvantage, GroupsAreIndependentAndEqualReturnsGiveZero) {
  // Group size 2: (5, 5) has no spread -> 0, 0 (not NaN); (-1, 1) -> (-1, +1)
  // whatever the other group's scale.
  auto adv = group_relative_advantages(torch::tensor({5.0, 5.0, -1.0, 1.0}, torch::kFloat64), 2);
  EXPECT_EQ(adv[0].item<double>(), 0.0);
  EXPECT_EQ(adv[1].item<double>(), 0.0);
  EXPECT_NEAR(adv[2].item<double>(), -1.0, 1e-6);
  EXPECT_NEAR(adv[3].item<double>(), 1.0, 1e-6);
  EXPECT_THROW(group_relative_advantages(torch::zeros({6}), 4), Error);
}

TEST(GroupAdvantage, MaskExcludesPostEpisodeSteps) {
  // 3 envs over 4 steps with episode lengths 2, 4, 1.
  auto mask = episode_step_mask(torch::tensor({2, 4, 1}), 4);
  ASSERT_EQ(mask.sizes(), (std::vector<int64_t>{4, 3}));
  const float expected[4][3] = {{1, 1, 1}, {1, 1, 0}, {0, 1, 0}, {0, 1, 0}};
  for (int t = 0; t < 4; ++t) {
    for (int i = 0; i < 3; ++i) EXPECT_EQ(mask[t][i].item<float>(), expected[t][i]) << "t " << t << " env " << i;
  }
}

TEST(GroupAdvantage, BroadcastOverTheRolloutAndMaskedLoss) {
  // Group of 2: returns (1, 0) -> (+1, -1); lengths (1, 3) over 3 steps.
  auto ga = compute_group_advantages(torch::tensor({1.0f, 0.0f}), torch::tensor({1.0f, 3.0f}), 3, 2);
  const float adv[3][2] = {{1, -1}, {0, -1}, {0, -1}};
  const float mask[3][2] = {{1, 1}, {0, 1}, {0, 1}};
  for (int t = 0; t < 3; ++t) {
    for (int i = 0; i < 2; ++i) {
      EXPECT_NEAR(ga.advantages[t][i].item<float>(), adv[t][i], 1e-6);
      EXPECT_EQ(ga.mask[t][i].item<float>(), mask[t][i]);
    }
  }
  // In the objective, a masked step changes neither the loss nor gets a gradient,
  // whatever its ratio and advantage.
  auto flat_adv = ga.advantages.reshape({-1});
  auto weights = ga.mask.reshape({-1});
  auto lr = torch::zeros({6, 1}).requires_grad_(true);
  auto loss = surrogate_loss(lr, flat_adv, 0.2, TrustRegion::kClip, weights);
  // Valid steps: (t0, e0) A = 1, (t0, e1), (t1, e1), (t2, e1) A = -1: loss = -(1 - 3) / 4.
  EXPECT_NEAR(loss.item<float>(), 0.5, 1e-6);
  loss.backward();
  auto g = lr.grad().reshape({-1});
  for (int k = 0; k < 6; ++k) {
    if (weights[k].item<float>() == 0) EXPECT_EQ(g[k].item<float>(), 0.0f) << k;
    else EXPECT_NE(g[k].item<float>(), 0.0f) << k;
  }
  // Changing a masked step's advantage does not change the loss.
  auto other_adv = flat_adv.clone();
  other_adv[2] = 100.0f;  // (t1, e0): masked
  EXPECT_NEAR(surrogate_loss(torch::zeros({6, 1}), other_adv, 0.2, TrustRegion::kClip, weights).item<float>(), 0.5,
              1e-6);
}

TEST(GroupAdvantage, SeededResetStartsAGroupFromOneState) {
  // GridWorld starts from a random free cell drawn from the env's stream.
  const EnvFactory factory = EnvRegistry::global().make("gridworld:two_walls", EnvOptions{});
  VecEnv env(factory, 8, 1, 123);
  const int d = env.obs_dim();
  auto same = [&](int i, int j) {
    for (int k = 0; k < d; ++k) {
      if (env.obs()[i * d + k] != env.obs()[j * d + k]) return false;
    }
    return true;
  };
  const std::vector<uint64_t> seeds = {11, 11, 11, 11, 22, 22, 22, 22};
  env.reset_with_seeds(seeds);
  EXPECT_TRUE(same(0, 1) && same(0, 2) && same(0, 3));
  EXPECT_TRUE(same(4, 5) && same(4, 6) && same(4, 7));
  EXPECT_FALSE(same(0, 4));  // seeds 11 and 22 start on different cells
  // Distinct seeds: not all equal.
  env.reset_with_seeds({1, 2, 3, 4, 5, 6, 7, 8});
  bool all_same = true;
  for (int i = 1; i < 8; ++i) all_same = all_same && same(0, i);
  EXPECT_FALSE(all_same);
  EXPECT_THROW(env.reset_with_seeds({1, 2}), Error);
}

}  // namespace
}  // namespace fpo
