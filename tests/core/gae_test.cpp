// Generalised advantage estimation on a hand-built rollout with one
// termination and one truncation.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <vector>

#include "fpo/algo/gae.h"

namespace fpo {
namespace {

constexpr double kGamma = 0.9, kLambda = 0.5;  // gamma * lambda = 0.45

// T = 5 steps, N = 2 envs; tensors are [T, N].
//
// env 0: r = [1, 0, 2, 0, 1], V(s_t) = [0.5, 1.0, 1.5, 0.2, 0.4]
//   t = 1 terminates (next value 0), t = 3 is truncated (bootstrap from the
//   final observation's value, 2.0); after t = 4 the next stored state has
//   V = 0.8. Before a boundary, next value = V of the next stored state.
//   next_values = [1.0, 0, 0.2, 2.0, 0.8], dones = [0, 1, 0, 1, 0]
//   deltas = r + gamma * next - V:
//     d0 = 1 + 0.9 * 1.0 - 0.5 = 1.4
//     d1 = 0 + 0.9 * 0   - 1.0 = -1.0
//     d2 = 2 + 0.9 * 0.2 - 1.5 = 0.68
//     d3 = 0 + 0.9 * 2.0 - 0.2 = 1.6
//     d4 = 1 + 0.9 * 0.8 - 0.4 = 1.32
//   A_t = d_t + 0.45 * (1 - done_t) * A_{t+1}, backwards:
//     A4 = 1.32
//     A3 = 1.6                      (episode ended: nothing from t = 4)
//     A2 = 0.68 + 0.45 * 1.6 = 1.4
//     A1 = -1.0                     (terminated: nothing from t = 2)
//     A0 = 1.4 + 0.45 * (-1.0) = 0.95
// env 1: no episode ends, r = [0, 0, 0, 0, 1], V = 0 everywhere, next = 0:
//   deltas = [0, 0, 0, 0, 1] -> A = [0.45^4, 0.45^3, 0.45^2, 0.45, 1].
struct Rollout {
  torch::Tensor rewards, values, next_values, dones;
};

Rollout hand_rollout() {
  auto col = [](std::vector<double> env0, std::vector<double> env1) {
    return torch::stack({torch::tensor(env0, torch::kFloat64), torch::tensor(env1, torch::kFloat64)}, 1);
  };
  Rollout r;
  r.rewards = col({1, 0, 2, 0, 1}, {0, 0, 0, 0, 1});
  r.values = col({0.5, 1.0, 1.5, 0.2, 0.4}, {0, 0, 0, 0, 0});
  r.next_values = col({1.0, 0.0, 0.2, 2.0, 0.8}, {0, 0, 0, 0, 0});
  r.dones = col({0, 1, 0, 1, 0}, {0, 0, 0, 0, 0});
  return r;
}

torch::Tensor gae(const Rollout& r) { return compute_gae(r.rewards, r.values, r.next_values, r.dones, kGamma, kLambda); }

TEST(Gae, HandComputedWithTerminationAndTruncation) {
  const auto r = hand_rollout();
  auto adv = gae(r);
  ASSERT_EQ(adv.sizes(), (std::vector<int64_t>{5, 2}));
  const std::vector<double> env0 = {0.95, -1.0, 1.4, 1.6, 1.32};
  const std::vector<double> env1 = {0.04100625, 0.091125, 0.2025, 0.45, 1.0};
  for (int t = 0; t < 5; ++t) {
    EXPECT_NEAR(adv[t][0].item<double>(), env0[t], 1e-12) << "env 0, t = " << t;
    EXPECT_NEAR(adv[t][1].item<double>(), env1[t], 1e-12) << "env 1, t = " << t;
  }
}

TEST(Gae, NothingLeaksBackAcrossEpisodeBoundaries) {
  const auto base = gae(hand_rollout());
  // A reward after the termination at t = 1 must not change A0, A1.
  auto r = hand_rollout();
  r.rewards[2][0] = 100.0;
  auto adv = gae(r);
  EXPECT_DOUBLE_EQ(adv[0][0].item<double>(), base[0][0].item<double>());
  EXPECT_DOUBLE_EQ(adv[1][0].item<double>(), base[1][0].item<double>());
  EXPECT_NE(adv[2][0].item<double>(), base[2][0].item<double>());
  // A reward after the truncation at t = 3 must not change A0..A3.
  r = hand_rollout();
  r.rewards[4][0] = 100.0;
  adv = gae(r);
  for (int t = 0; t < 4; ++t) EXPECT_DOUBLE_EQ(adv[t][0].item<double>(), base[t][0].item<double>()) << t;
  // Nor does anything cross between envs.
  EXPECT_TRUE(torch::equal(adv.select(1, 1), base.select(1, 1)));
}

TEST(Gae, TruncationBootstrapsFromNextValues) {
  const auto base = gae(hand_rollout());
  // Raising the truncation bootstrap by 1 raises A3 by gamma = 0.9 and A2 by
  // gamma * lambda * gamma = 0.405; A1, A0 are behind the termination.
  auto r = hand_rollout();
  r.next_values[3][0] = 3.0;
  auto adv = gae(r);
  EXPECT_NEAR(adv[3][0].item<double>() - base[3][0].item<double>(), 0.9, 1e-12);
  EXPECT_NEAR(adv[2][0].item<double>() - base[2][0].item<double>(), 0.405, 1e-12);
  EXPECT_DOUBLE_EQ(adv[1][0].item<double>(), base[1][0].item<double>());
  EXPECT_DOUBLE_EQ(adv[0][0].item<double>(), base[0][0].item<double>());
}

TEST(Gae, LambdaOneIsDiscountedReturnMinusValue) {
  // Single env, no boundary, lambda = 1: A_t = sum_k gamma^k r_{t+k} + gamma^{T-t} V_T - V_t.
  auto rewards = torch::tensor({{1.0}, {2.0}, {3.0}}, torch::kFloat64);
  auto values = torch::tensor({{0.5}, {0.25}, {1.0}}, torch::kFloat64);
  auto next_values = torch::tensor({{0.25}, {1.0}, {4.0}}, torch::kFloat64);
  auto dones = torch::zeros({3, 1}, torch::kFloat64);
  auto adv = compute_gae(rewards, values, next_values, dones, 0.5, 1.0);
  // t = 2: 3 + 0.5 * 4 - 1 = 4; t = 1: 2 + 0.5 * 3 + 0.25 * 4 - 0.25 = 4.25;
  // t = 0: 1 + 0.5 * 2 + 0.25 * 3 + 0.125 * 4 - 0.5 = 2.75.
  EXPECT_NEAR(adv[2][0].item<double>(), 4.0, 1e-12);
  EXPECT_NEAR(adv[1][0].item<double>(), 4.25, 1e-12);
  EXPECT_NEAR(adv[0][0].item<double>(), 2.75, 1e-12);
}

}  // namespace
}  // namespace fpo
