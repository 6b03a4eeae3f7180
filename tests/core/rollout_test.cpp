// What the rollout collector stores: the learning reward with the action-bound
// penalty, and the share of actions the env had to clip.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "fpo/algo/agent.h"
#include "fpo/algo/rollout_collector.h"
#include "fpo/env/registry.h"

namespace fpo {
namespace {

TrainConfig small_gaussian(double penalty) {
  TrainConfig c;
  c.env = "point_mass";
  c.algo = "ppo";
  c.num_envs = 8;
  c.unroll = 16;
  c.threads = 1;
  c.reward_scale = 10;
  c.action_bound_penalty = penalty;
  return c;
}

struct Collected {
  RolloutStorage rollout;
  MetricsRow row;
};

// One rollout from fixed seeds: the same actions whatever the penalty.
Collected collect(const TrainConfig& c) {
  torch::manual_seed(7);
  VecEnv env(EnvRegistry::global().make(c.env), c.num_envs, 1, 11);
  Agent agent = make_agent(c, env.obs_dim(), env.act_dim());
  torch::manual_seed(8);
  RolloutCollector collector(c, env, torch::kCPU, nullptr);
  Collected out;
  collector.collect(agent, out.rollout, 0, out.row);
  return out;
}

TEST(RolloutCollector, ActionBoundPenaltyIsSubtractedFromTheLearningReward) {
  const auto plain = collect(small_gaussian(0));
  const auto penalised = collect(small_gaussian(0.5));
  ASSERT_TRUE(torch::equal(plain.rollout.actions, penalised.rollout.actions));
  auto excess = (plain.rollout.actions.abs() - 1.0).clamp_min(0.0);  // [T, N, A]
  ASSERT_GT(excess.gt(0).sum().item<int64_t>(), 0) << "the test needs actions past the bound";
  auto expected = plain.rollout.rewards - excess.pow(2).sum(-1) * (0.5 * 10);
  EXPECT_TRUE(torch::allclose(penalised.rollout.rewards, expected, 1e-5, 1e-5));
  // The share of clipped components, as reported.
  const double share = excess.gt(0).to(torch::kFloat64).mean().item<double>();
  EXPECT_NEAR(metric(plain.row, "out_of_bounds"), share, 1e-6);
  EXPECT_NEAR(metric(penalised.row, "out_of_bounds"), share, 1e-6);
}

TEST(RolloutCollector, TanhSquashedActionsAreNeverOutOfBounds) {
  TrainConfig c = small_gaussian(0.5);
  c.action_squash = "tanh";
  const auto squashed = collect(c);
  EXPECT_TRUE(std::isnan(metric(squashed.row, "out_of_bounds")));
  c.action_bound_penalty = 0;
  EXPECT_TRUE(torch::equal(squashed.rollout.rewards, collect(c).rollout.rewards));  // no penalty under tanh
}

TEST(RolloutCollector, ActionSpreadReadsThePolicysStdAndLeavesTheGeneratorAlone) {
  TrainConfig c = small_gaussian(0);
  c.gaussian.init_std = 0.4;
  Agent agent = make_agent(c, 4, 2);
  auto obs = torch::randn({64, 4});
  torch::manual_seed(3);
  const auto expected_next = torch::randn({5});
  torch::manual_seed(3);
  const double spread = RolloutCollector::action_spread(agent, obs);
  EXPECT_TRUE(torch::equal(torch::randn({5}), expected_next));  // training draws what it would have drawn
  // The mean over 128 per-state stds of 8 draws each: a little under 0.4.
  EXPECT_GT(spread, 0.3);
  EXPECT_LT(spread, 0.45);
  // In the trainer's rows: a fresh flow policy spreads its actions.
  TrainConfig f = small_gaussian(0);
  f.algo = "fpo";
  EXPECT_GT(metric(collect(f).row, "action_spread"), 0.1);
}

}  // namespace
}  // namespace fpo
