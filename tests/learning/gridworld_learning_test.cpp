// GridWorld two_walls is learned by FPO in a short CPU run, and from the
// centre cell, where the top and bottom goal rows are equally far, the flow
// policy keeps sending episodes to both.
#include <gtest/gtest.h>

#include "learning_util.h"

namespace fpo {
namespace {

TEST(GridWorldLearning, FpoReachesGoals) {
  TrainConfig c;
  c.env = "gridworld:two_walls";
  c.algo = "fpo";
  c.steps = 150000;
  c.seed = 0;
  c.num_envs = 64;
  c.unroll = 32;
  c.epochs = 4;
  c.minibatches = 4;
  c.lr = 1e-3;
  c.gamma = 0.99;
  c.reward_scale = 1.0;
  c.value_hidden = "64,64";
  c.threads = 1;
  Trainer trainer(c, EnvRegistry::global().make(c.env));
  const double before = testing::success_rate(testing::evaluate_trained(trainer, c.env, 200, false));
  testing::train_until_done(trainer);
  const double after = testing::success_rate(testing::evaluate_trained(trainer, c.env, 200, false));
  std::cout << "FPO two_walls success rate: " << before << " -> " << after << "\n";
  EXPECT_GE(after, 0.9);

  EnvOptions centre;
  centre.start_cell = {12, 12};
  const EvalResult from_centre = testing::evaluate_trained(trainer, c.env, 100, false, centre);
  int top = 0, bottom = 0;  // outcome_names of two_walls: {"top", "bottom"}
  for (int o : from_centre.outcomes) {
    top += o == 0;
    bottom += o == 1;
  }
  std::cout << "from the centre: top " << top << ", bottom " << bottom << " of 100\n";
  // Both rows keep a real share (measured 19-38% for the smaller one across
  // seeds/eval seeds); Gaussian PPO from the same setup sends 3 of 100 one way.
  EXPECT_GE(top, 10);
  EXPECT_GE(bottom, 10);
}

}  // namespace
}  // namespace fpo
