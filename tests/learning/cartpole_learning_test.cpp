// FPO learns cartpole_balance (MuJoCo) with the settings `fpo train --env
// cartpole_balance --algo fpo` resolves to (the cpu preset), in a run short
// enough for CI: the return must rise well above the untrained policy's.
#include <gtest/gtest.h>

#include "fpo/io/presets.h"
#include "learning_util.h"

namespace fpo {
namespace {

TrainConfig default_config(const std::string& env, const std::string& algo) {
  TrainConfig c;
  ConfigSchema schema(c);
  schema.set("env.name", env, "test");
  schema.set("algo", algo, "test");
  apply_presets(schema, env, algo, "");
  return c;
}

// At 400k steps this test was a coin toss: float rounding alone (acting on
// BLAS instead of LibTorch ops, identical to 1e-6 at the first iterations)
// sends seed 0 down another path from the 4th iteration on, and of six
// 400k-step runs (seeds 0-2, each way) two had not learned (training return
// 335 and 601 against 892-969). The slow seed-0 run was at 600 by 1M steps.
constexpr int64_t kCartpoleTestSteps = 1000000;
constexpr double kCartpoleMinGain = 120;

TEST(CartpoleLearning, FpoBeatsTheUntrainedPolicy) {
  TrainConfig c = default_config("cartpole_balance", "fpo");
  c.steps = kCartpoleTestSteps;
  c.seed = 0;
  c.threads = 1;
  Trainer trainer(c, EnvRegistry::global().make(c.env));
  // Stochastic sampling, as in training: the untrained flow draws wide actions
  // and the pole falls within a few seconds (measured ~320 of 1000).
  const double before = testing::mean(testing::evaluate_trained(trainer, c.env, 32, false).returns);
  testing::train_until_done(trainer);
  const double after = testing::mean(testing::evaluate_trained(trainer, c.env, 32, false).returns);
  std::cout << "FPO cartpole_balance return (32 episodes, stochastic): " << before << " -> " << after << "\n";
  EXPECT_GE(after, before + kCartpoleMinGain);
}

}  // namespace
}  // namespace fpo
