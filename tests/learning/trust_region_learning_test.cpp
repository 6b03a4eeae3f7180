// Plain FPO with the defaults a user gets from `fpo train --env
// gridworld:two_walls --algo fpo` keeps its trust region. On the paper's
// two_walls (issue 12), seed 7, 250k steps, second half of the run: the
// defaults give a mean clip fraction of 0.138, a KL proxy of at most 0.0024
// and no guarded ratio; the old defaults (constant lr, flow.action_bound=1)
// 0.488, 0.516 and 0.073 (measured with `fpo train ... --seed 7 --steps
// 250000 --set env.threads=1 [--set train.lr_schedule=constant --set
// flow.action_bound=1]`, read from metrics.csv). Before issue 12, on what is
// now two_walls_gaps: 0.16 and 0.0029 vs 0.31 and 0.033, and the old
// defaults died of an inf ratio at 1M steps. The test fails if that drift
// comes back.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "fpo/io/presets.h"
#include "learning_util.h"

namespace fpo {
namespace {

TEST(TrustRegionLearning, DefaultFpoOnGridWorldKeepsItsRatiosNearOne) {
  TrainConfig c;
  ConfigSchema schema(c);
  schema.set("env.name", "gridworld:two_walls", "test");
  schema.set("algo", "fpo", "test");
  apply_presets(schema, c.env, c.algo, "");
  schema.set("steps", "250000", "test");
  schema.set("seed", "7", "test");
  schema.set("env.threads", "1", "test");
  Trainer trainer(c, EnvRegistry::global().make(c.env));
  std::vector<double> clip, kl, guard;
  double success = 0;
  while (!trainer.finished()) {
    MetricsRow row = trainer.iterate();
    clip.push_back(metric(row, "clip_fraction"));
    kl.push_back(metric(row, "approx_kl"));
    guard.push_back(metric(row, "guard_fraction"));
    success = metric(row, "success_rate");
  }
  // The second half of the run, where the old defaults drifted.
  const size_t half = clip.size() / 2;
  const double clip_mean = std::accumulate(clip.begin() + half, clip.end(), 0.0) / (clip.size() - half);
  const double kl_max = *std::max_element(kl.begin() + half, kl.end());
  const double guard_max = *std::max_element(guard.begin() + half, guard.end());
  std::cout << "second half: clip fraction mean " << clip_mean << ", KL proxy max " << kl_max << ", guard max "
            << guard_max << "; training success rate " << success << "\n";
  EXPECT_LT(clip_mean, 0.25);
  EXPECT_LT(kl_max, 0.01);
  EXPECT_EQ(guard_max, 0.0);
  EXPECT_GE(success, 0.8);  // and it still learns
}

}  // namespace
}  // namespace fpo
