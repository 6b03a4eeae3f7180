// Contract checks run on every DeepMind Control task in the registry (every
// env whose name has no family prefix such as "gridworld:"): documented dimensions,
// rewards in [0, 1], determinism across runs and thread counts, seeding, and
// truncation with auto-reset after exactly 1000 steps.
#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "dmc_names.h"
#include "fpo/env/registry.h"
#include "fpo/env/vec_env.h"

namespace fpo {
namespace {

struct Dims {
  int obs, act;
};

// The documented sizes (docs/dmc_tasks_group_a.md and group B's doc).
const std::map<std::string, Dims>& expected_dims() {
  static const std::map<std::string, Dims> table = {
      // Group A
      {"cartpole_balance", {5, 1}},
      {"cartpole_swingup", {5, 1}},
      {"point_mass", {4, 2}},
      {"reacher_easy", {6, 2}},
      {"reacher_hard", {6, 2}},
      {"ball_in_cup", {8, 2}},
      {"pendulum_swingup", {3, 1}},
      {"acrobot_swingup", {6, 1}},
      // Group B
      {"cheetah_run", {17, 6}},
      {"finger_spin", {9, 2}},
      {"finger_turn_easy", {12, 2}},
      {"finger_turn_hard", {12, 2}},
      {"fish_swim", {24, 5}},
      {"hopper_stand", {15, 4}},
      {"hopper_hop", {15, 4}},
      {"walker_stand", {24, 6}},
      {"walker_walk", {24, 6}},
      {"walker_run", {24, 6}},
  };
  return table;
}

const char* const kGroupA[] = {"cartpole_balance", "cartpole_swingup", "point_mass",       "reacher_easy",
                               "reacher_hard",     "ball_in_cup",      "pendulum_swingup", "acrobot_swingup"};

using testing::dmc_env_names;

// Uniform actions in [-1, 1] from a fixed stream, the same for every VecEnv.
struct ActionStream {
  explicit ActionStream(int n, int act_dim, uint32_t seed) : actions(n * act_dim), rng(seed) {}
  const float* next() {
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    for (float& a : actions) a = u(rng);
    return actions.data();
  }
  std::vector<float> actions;
  std::mt19937 rng;
};

TEST(DmcRegistry, GroupATasksAreRegistered) {
  for (const char* name : kGroupA) EXPECT_TRUE(EnvRegistry::global().contains(name)) << name;
}

TEST(DmcRegistry, EveryDmcTaskHasDocumentedDims) {
  for (const std::string& name : dmc_env_names()) {
    EXPECT_TRUE(expected_dims().count(name)) << "env '" << name << "' is registered but missing from the table";
  }
}

class DmcTask : public ::testing::TestWithParam<std::string> {};

TEST_P(DmcTask, SpecMatchesDocs) {
  const EnvFactory f = EnvRegistry::global().make(GetParam());
  ASSERT_TRUE(f.make);
  auto it = expected_dims().find(GetParam());
  ASSERT_NE(it, expected_dims().end());
  EXPECT_EQ(f.spec.name, GetParam());
  EXPECT_EQ(f.spec.obs_dim, it->second.obs);
  EXPECT_EQ(f.spec.act_dim, it->second.act);
  EXPECT_EQ(f.spec.max_episode_steps, 1000);
  EXPECT_GT(f.spec.control_dt, 0.0);
  EXPECT_LE(f.spec.control_dt, 0.05);
  EXPECT_FALSE(f.spec.reward_summary.empty());
  EXPECT_NE(f.make(), nullptr);
}

TEST_P(DmcTask, RandomActionRewardsInUnitInterval) {
  const EnvFactory f = EnvRegistry::global().make(GetParam());
  const int n = 4;
  VecEnv env(f, n, 1, 11);
  ActionStream actions(n, f.spec.act_dim, 5);
  for (int t = 0; t < 300; ++t) {
    env.step(actions.next());
    for (int i = 0; i < n; ++i) {
      ASSERT_GE(env.rewards()[i], 0.0f) << "step " << t;
      ASSERT_LE(env.rewards()[i], 1.0f) << "step " << t;
      ASSERT_FALSE(env.terminated()[i]) << "DMC tasks never terminate; step " << t;
    }
    for (int k = 0; k < n * f.spec.obs_dim; ++k) ASSERT_TRUE(std::isfinite(env.obs()[k]));
  }
  EXPECT_EQ(env.unstable_steps(), 0);
}

TEST_P(DmcTask, SameSeedSameTrajectoryForAnyThreadCount) {
  const EnvFactory f = EnvRegistry::global().make(GetParam());
  const int n = 3, od = f.spec.obs_dim;
  VecEnv a(f, n, 1, 42), b(f, n, 1, 42), c(f, n, 2, 42);
  ActionStream actions(n, f.spec.act_dim, 9);
  auto same = [&](const VecEnv& x, const VecEnv& y) {
    return std::memcmp(x.obs(), y.obs(), sizeof(float) * n * od) == 0 &&
           std::memcmp(x.rewards(), y.rewards(), sizeof(float) * n) == 0;
  };
  ASSERT_TRUE(same(a, b));
  ASSERT_TRUE(same(a, c));
  for (int t = 0; t < 200; ++t) {
    const float* act = actions.next();
    a.step(act);
    b.step(act);
    c.step(act);
    ASSERT_TRUE(same(a, b)) << "step " << t;
    ASSERT_TRUE(same(a, c)) << "step " << t << " (1 vs 2 threads)";
  }
}

TEST_P(DmcTask, DifferentSeedDifferentInitialObservation) {
  const EnvFactory f = EnvRegistry::global().make(GetParam());
  VecEnv a(f, 1, 1, 1), b(f, 1, 1, 2);
  EXPECT_NE(std::memcmp(a.obs(), b.obs(), sizeof(float) * f.spec.obs_dim), 0);
}

TEST_P(DmcTask, TruncatesAtExactly1000StepsAndAutoResets) {
  const EnvFactory f = EnvRegistry::global().make(GetParam());
  const int od = f.spec.obs_dim;
  VecEnv env(f, 1, 1, 3);
  ActionStream actions(1, f.spec.act_dim, 13);
  for (int t = 1; t < 1000; ++t) {
    env.step(actions.next());
    ASSERT_FALSE(env.done(0)) << "episode ended early at step " << t;
  }
  env.step(actions.next());
  EXPECT_TRUE(env.truncated()[0]);
  EXPECT_FALSE(env.terminated()[0]);
  EXPECT_EQ(env.episode_lengths()[0], 1000);
  // obs() already holds the next episode's first observation, final_obs() the last one.
  EXPECT_NE(std::memcmp(env.obs(), env.final_obs(), sizeof(float) * od), 0);
  env.step(actions.next());
  EXPECT_FALSE(env.done(0));
  EXPECT_EQ(env.unstable_steps(), 0);
}

std::string param_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string s = info.param;
  for (char& ch : s) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return s;
}

INSTANTIATE_TEST_SUITE_P(AllDmc, DmcTask, ::testing::ValuesIn(dmc_env_names()), param_name);

}  // namespace
}  // namespace fpo
