// GridWorld is learned by FPO in a short CPU run with the GridWorld defaults
// (constant lr): on the paper's two_walls it goes straight to a goal band
// from the centre; on our two_walls_gaps, where both goal rows are reached
// through a narrow gap, it keeps sending episodes from the centre to both.
// Set FPO_LEARNING_SEED to re-measure on another seed.
#include <gtest/gtest.h>

#include <iostream>

#include "learning_util.h"

namespace fpo {
namespace {

TrainConfig gridworld_config(const std::string& env) {
  TrainConfig c;
  c.env = env;
  c.algo = "fpo";
  c.steps = 150000;
  c.seed = testing::learning_seed(0);
  c.num_envs = 64;
  c.unroll = 32;
  c.epochs = 4;
  c.minibatches = 4;
  c.lr = 1e-3;
  c.gamma = 0.99;
  c.reward_scale = 0.05;  // the GridWorld defaults: the env's +20 learned as +1
  c.value_hidden = "64,64";
  c.threads = 1;
  return c;
}

double mean_length(const EvalResult& r) {
  double sum = 0;
  for (int l : r.lengths) sum += l;
  return sum / static_cast<double>(r.lengths.size());
}

// Counts per goal row from the centre (12, 12); outcome_names {"top", "bottom"}.
std::pair<int, int> top_bottom(const EvalResult& r) {
  int top = 0, bottom = 0;
  for (int o : r.outcomes) {
    top += o == 0;
    bottom += o == 1;
  }
  return {top, bottom};
}

TEST(GridWorldLearning, FpoReachesAGoalBandOfThePapersTwoWalls) {
  const TrainConfig c = gridworld_config("gridworld:two_walls");
  Trainer trainer(c, EnvRegistry::global().make(c.env));
  EnvOptions centre;
  centre.start_cell = {12, 12};
  const EvalResult random_before = testing::evaluate_trained(trainer, c.env, 200, false);
  const EvalResult centre_before = testing::evaluate_trained(trainer, c.env, 100, false, centre);
  testing::train_until_done(trainer);
  const EvalResult random_after = testing::evaluate_trained(trainer, c.env, 200, false);
  const EvalResult centre_after = testing::evaluate_trained(trainer, c.env, 100, false, centre);
  const auto [top, bottom] = top_bottom(centre_after);
  std::cout << "FPO two_walls (seed " << c.seed << "): success from random starts "
            << testing::success_rate(random_before) << " -> " << testing::success_rate(random_after)
            << "; from the centre success " << testing::success_rate(centre_before) << " -> "
            << testing::success_rate(centre_after) << ", mean length " << mean_length(centre_before) << " -> "
            << mean_length(centre_after) << " (shortest: 11), top " << top << ", bottom " << bottom << " of 100\n";
  EXPECT_GE(testing::success_rate(random_after), 0.95);
  EXPECT_GE(testing::success_rate(centre_after), 0.95);
  // Measured (seeds 0, 1, 2): from the centre success 0.29, 0.24, 0.24 -> 1 and
  // mean length 90.2, 90.6, 90.6 -> 15.5, 11.1, 11.0; from random starts
  // 0.545, 0.56, 0.56 -> 1. Seed 0 again once the evaluation before training
  // no longer reseeded the training's random stream: length 16.3, success 1.
  EXPECT_LE(mean_length(centre_after), 25.0);
}

TEST(GridWorldLearning, FpoKeepsBothGoalRowsThroughTheGaps) {
  const TrainConfig c = gridworld_config("gridworld:two_walls_gaps");
  Trainer trainer(c, EnvRegistry::global().make(c.env));
  const double before = testing::success_rate(testing::evaluate_trained(trainer, c.env, 200, false));
  testing::train_until_done(trainer);
  const double after = testing::success_rate(testing::evaluate_trained(trainer, c.env, 200, false));
  EnvOptions centre;
  centre.start_cell = {12, 12};
  const auto [top, bottom] = top_bottom(testing::evaluate_trained(trainer, c.env, 100, false, centre));
  std::cout << "FPO two_walls_gaps (seed " << c.seed << "): success rate " << before << " -> " << after
            << "; from the centre: top " << top << ", bottom " << bottom << " of 100\n";
  EXPECT_GE(after, 0.9);
  // Both rows keep a share: top/bottom 6/94, 4/96, 43/52, 90/7 for seeds 0-3
  // (success 0.51 -> 1, 0.995, 0.955, 1). A policy that commits to one row
  // sends 0 of 100 to the other. (The 67/33, 20/80, 18/81 measured before
  // came from runs whose random stream the evaluation before training had
  // reseeded; on the paper's two_walls that setup split 44/56 for seed 0 but
  // 100/0 and 0/100 for seeds 1 and 2.)
  EXPECT_GE(top, 3);
  EXPECT_GE(bottom, 3);
}

}  // namespace
}  // namespace fpo
