// DeepMind Control tasks, group B: cheetah, finger, fish, hopper, walker.
// Rewards are checked on hand-placed states against values computed here by
// hand from the state the env ends up in; returns of zero, random and
// scripted actions are checked against what each task should give them.
#include <gtest/gtest.h>
#include <mujoco/mujoco.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "fpo/env/dmc/mujoco_task.h"
#include "fpo/env/registry.h"

namespace fpo {
namespace {

constexpr double kPi = 3.14159265358979323846;

// One env of a task, with direct access to its MuJoCo state.
struct Task {
  explicit Task(const std::string& name, uint64_t seed = 1)
      : factory(EnvRegistry::global().make(name)), env(factory.make()), rng(seed) {
    mj = dynamic_cast<dmc::MujocoTask*>(env.get());
    obs.resize(factory.spec.obs_dim);
    act.assign(factory.spec.act_dim, 0.0f);
    env->reset(rng, obs.data());
  }
  const mjModel* m() const { return mj->model(); }
  mjData* d() { return mj->data(); }
  int qpos(const char* joint) const { return m()->jnt_qposadr[id(mjOBJ_JOINT, joint)]; }
  int qvel(const char* joint) const { return m()->jnt_dofadr[id(mjOBJ_JOINT, joint)]; }
  int id(mjtObj type, const char* name) const {
    const int i = mj_name2id(m(), type, name);
    EXPECT_GE(i, 0) << name;
    return i;
  }
  double sensor(const char* name, int k = 0) const {
    return mj->data()->sensordata[m()->sensor_adr[id(mjOBJ_SENSOR, name)] + k];
  }
  // After editing the state by hand: recompute what depends on it.
  void forward() { mj_forward(m(), d()); }
  // One env step with every action component set to `a`.
  StepResult step(float a = 0.0f) {
    for (float& x : act) x = a;
    StepResult r = env->step(act.data(), rng, obs.data());
    EXPECT_FALSE(r.unstable);
    return r;
  }

  EnvFactory factory;
  std::unique_ptr<Env> env;
  dmc::MujocoTask* mj = nullptr;
  Rng rng;
  std::vector<float> obs, act;
};

enum class Actions { kZero, kRandom, kScripted };

// Mean undiscounted return of full episodes; fails the test on instability.
double mean_return(const std::string& name, Actions actions, int episodes, uint64_t seed = 11) {
  EnvFactory f = EnvRegistry::global().make(name);
  auto env = f.make();
  std::vector<float> obs(f.spec.obs_dim), act(f.spec.act_dim, 0.0f);
  double total = 0.0;
  for (int e = 0; e < episodes; ++e) {
    Rng rng(mix_seed(seed, e));
    env->reset(rng, obs.data());
    for (int t = 0; t < f.spec.max_episode_steps; ++t) {
      if (actions == Actions::kRandom) {
        for (float& a : act) a = static_cast<float>(uniform(rng, -1.0, 1.0));
      } else if (actions == Actions::kScripted) {
        f.scripted(obs.data(), act.data());
        for (float a : act) EXPECT_TRUE(a >= -1.0f && a <= 1.0f) << name << " scripted action " << a;
      }
      const StepResult r = env->step(act.data(), rng, obs.data());
      EXPECT_FALSE(r.unstable) << name << " episode " << e << " step " << t;
      EXPECT_FALSE(r.terminated) << name << ": DMC episodes end only by truncation";
      total += r.reward;
    }
  }
  return total / episodes;
}

// The suite's Gaussian tolerance outside the bounds: value_at_margin^(d/margin)^2.
double gaussian_tail(double distance, double margin, double value_at_margin = 0.1) {
  const double x = distance / margin;
  return std::pow(value_at_margin, x * x);
}

// ---------------------------------------------------------------------------
// Specs and basic contract.

struct SpecCase {
  const char* name;
  int obs_dim, act_dim;
  double control_dt;
  bool has_scripted;
};

const SpecCase kSpecs[] = {
    {"cheetah_run", 17, 6, 0.01, true},       {"finger_spin", 9, 2, 0.02, true},
    {"finger_turn_easy", 12, 2, 0.02, false}, {"finger_turn_hard", 12, 2, 0.02, false},
    {"fish_swim", 24, 5, 0.04, false},        {"hopper_stand", 15, 4, 0.02, false},
    {"hopper_hop", 15, 4, 0.02, false},       {"walker_stand", 24, 6, 0.025, false},
    {"walker_walk", 24, 6, 0.025, false},     {"walker_run", 24, 6, 0.025, false},
};

TEST(DmcGroupBSpec, DimsTimestepsAndEpisodeLength) {
  for (const SpecCase& c : kSpecs) {
    SCOPED_TRACE(c.name);
    ASSERT_TRUE(EnvRegistry::global().contains(c.name));
    const EnvFactory f = EnvRegistry::global().make(c.name);
    EXPECT_EQ(f.spec.name, c.name);
    EXPECT_EQ(f.spec.obs_dim, c.obs_dim);
    EXPECT_EQ(f.spec.act_dim, c.act_dim);
    EXPECT_NEAR(f.spec.control_dt, c.control_dt, 1e-12);
    EXPECT_EQ(f.spec.max_episode_steps, 1000);
    EXPECT_FALSE(f.spec.reward_summary.empty());
    EXPECT_EQ(static_cast<bool>(f.scripted), c.has_scripted);
    Task t(c.name);
    EXPECT_EQ(t.m()->nu, c.act_dim);
  }
}

TEST(DmcGroupBSpec, RandomStepsGiveFiniteObsAndRewardsInUnitInterval) {
  for (const SpecCase& c : kSpecs) {
    SCOPED_TRACE(c.name);
    Task t(c.name, 3);
    for (int k = 0; k < 100; ++k) {
      for (float& a : t.act) a = static_cast<float>(uniform(t.rng, -1.0, 1.0));
      const StepResult r = t.env->step(t.act.data(), t.rng, t.obs.data());
      ASSERT_FALSE(r.unstable);
      EXPECT_FALSE(r.terminated);
      EXPECT_GE(r.reward, 0.0f);
      EXPECT_LE(r.reward, 1.0f);
      for (float o : t.obs) ASSERT_TRUE(std::isfinite(o));
    }
  }
}

TEST(DmcGroupBSpec, ResetIsSeededAndRandom) {
  for (const SpecCase& c : kSpecs) {
    SCOPED_TRACE(c.name);
    Task a(c.name, 5), b(c.name, 5), other(c.name, 6);
    EXPECT_EQ(a.obs, b.obs);
    EXPECT_NE(a.obs, other.obs);
  }
}

// ---------------------------------------------------------------------------
// cheetah_run

TEST(DmcGroupBCheetah, ResetSettlesARandomPoseWithinLimits) {
  for (uint64_t seed = 0; seed < 4; ++seed) {
    Task t("cheetah_run", seed);
    EXPECT_EQ(t.d()->time, 0.0);  // the 200 settling steps do not count
    for (int j = 0; j < t.m()->njnt; ++j) {
      if (!t.m()->jnt_limited[j]) continue;
      const double q = t.d()->qpos[t.m()->jnt_qposadr[j]];
      // Soft joint limits: allow a little overshoot.
      EXPECT_GE(q, t.m()->jnt_range[2 * j] - 0.1);
      EXPECT_LE(q, t.m()->jnt_range[2 * j + 1] + 0.1);
    }
    // Settled on the ground: torso slow, not still 0.7 m up where it started.
    EXPECT_LT(std::abs(t.d()->qvel[t.qvel("rootz")]), 0.5);
    EXPECT_LT(t.d()->qpos[t.qpos("rootz")], -0.05);
    // Observation: qpos without x, then qvel.
    EXPECT_FLOAT_EQ(t.obs[0], static_cast<float>(t.d()->qpos[1]));
    EXPECT_FLOAT_EQ(t.obs[8], static_cast<float>(t.d()->qvel[0]));
  }
}

TEST(DmcGroupBCheetah, RewardIsLinearInSpeedUpToTenMetresPerSecond) {
  Task t("cheetah_run");
  t.step();
  EXPECT_LT(t.step().reward, 0.05f);  // at rest

  t.d()->qvel[t.qvel("rootx")] = 12.0;  // whole body sliding forward
  t.forward();
  EXPECT_FLOAT_EQ(t.step().reward, 1.0f);

  for (int i = 0; i < t.m()->nv; ++i) t.d()->qvel[i] = 0.0;
  t.d()->qvel[t.qvel("rootx")] = 5.0;
  t.forward();
  const float r = t.step().reward;
  const double speed = t.sensor("torso_subtreelinvel");
  EXPECT_NEAR(speed, 5.0, 0.3);
  EXPECT_NEAR(r, speed / 10.0, 1e-6);

  for (int i = 0; i < t.m()->nv; ++i) t.d()->qvel[i] = 0.0;
  t.d()->qvel[t.qvel("rootx")] = -5.0;  // backwards earns nothing
  t.forward();
  EXPECT_FLOAT_EQ(t.step().reward, 0.0f);
}

TEST(DmcGroupBCheetah, ZeroRandomAndScriptedReturns) {
  const double zero = mean_return("cheetah_run", Actions::kZero, 2);
  const double random = mean_return("cheetah_run", Actions::kRandom, 2);
  const double scripted = mean_return("cheetah_run", Actions::kScripted, 2);
  EXPECT_LT(zero, 5.0);
  EXPECT_LT(random, 30.0);
  EXPECT_GT(scripted, 120.0);
  EXPECT_GT(scripted, random + 100.0);
}

// ---------------------------------------------------------------------------
// finger_spin, finger_turn_easy, finger_turn_hard

TEST(DmcGroupBFinger, ResetIsCollisionFreeWithRandomSpinnerAngle) {
  double min_hinge = 10, max_hinge = -10;
  for (uint64_t seed = 0; seed < 16; ++seed) {
    Task t("finger_turn_easy", seed);
    EXPECT_EQ(t.d()->ncon, 0);
    const double h = t.d()->qpos[t.qpos("hinge")];
    min_hinge = std::min(min_hinge, h);
    max_hinge = std::max(max_hinge, h);
    // The target sits on the circle the spinner's tip sweeps (radius 0.13).
    EXPECT_NEAR(std::hypot(t.obs[9], t.obs[10]), 0.13, 1e-5);
    EXPECT_NEAR(std::hypot(t.obs[2], t.obs[3]), 0.13, 1e-5);
  }
  EXPECT_LT(min_hinge, -1.0);
  EXPECT_GT(max_hinge, 1.0);
}

TEST(DmcGroupBFinger, SpinLowersTheSpinnerDampingOnly) {
  Task spin("finger_spin"), turn("finger_turn_hard");
  EXPECT_DOUBLE_EQ(spin.m()->dof_damping[spin.qvel("hinge")], 0.03);
  EXPECT_DOUBLE_EQ(turn.m()->dof_damping[turn.qvel("hinge")], 0.5);
}

TEST(DmcGroupBFinger, SpinRewardsFastNegativeSpinOnly) {
  Task t("finger_spin");
  const int hinge = t.qvel("hinge");
  t.d()->qvel[hinge] = -30.0;
  t.forward();
  EXPECT_FLOAT_EQ(t.step().reward, 1.0f);
  EXPECT_LT(t.obs[6], -15.0f);  // hinge velocity is observed

  t.d()->qvel[hinge] = 30.0;  // fast, but the wrong way
  t.forward();
  EXPECT_FLOAT_EQ(t.step().reward, 0.0f);

  t.d()->qvel[hinge] = -10.0;  // right way, too slow
  t.forward();
  EXPECT_FLOAT_EQ(t.step().reward, 0.0f);
}

TEST(DmcGroupBFinger, TurnRewardsTheTipInsideTheTarget) {
  for (const char* name : {"finger_turn_easy", "finger_turn_hard"}) {
    SCOPED_TRACE(name);
    const double radius = std::string(name) == "finger_turn_easy" ? 0.07 : 0.03;
    Task t(name, 4);
    // Finger hanging straight down, well clear of the spinner.
    t.d()->qpos[t.qpos("proximal")] = -kPi / 2;
    t.d()->qpos[t.qpos("distal")] = 0.0;
    // The tip sits at (-0.13 sin q, 0.13 cos q) from the hinge and the target
    // at (0.13 sin a, 0.13 cos a): q = -a puts the tip on the target's centre.
    const double a = std::atan2(t.obs[9], t.obs[10]);
    t.d()->qpos[t.qpos("hinge")] = -a;
    t.forward();
    EXPECT_FLOAT_EQ(t.step().reward, 1.0f);
    EXPECT_NEAR(t.obs[2], t.obs[9], 1e-3);
    EXPECT_NEAR(t.obs[3], t.obs[10], 1e-3);
    EXPECT_NEAR(t.obs[11], -radius, 1e-3);  // signed distance: inside

    // Turned so that the tip is 0.1 m (chord) from the target's centre.
    t.d()->qpos[t.qpos("hinge")] = -a + 2.0 * std::asin(0.1 / 0.26);
    t.d()->qvel[t.qvel("hinge")] = 0.0;
    t.forward();
    EXPECT_FLOAT_EQ(t.step().reward, 0.0f);
    EXPECT_NEAR(t.obs[11], 0.1 - radius, 1e-3);
  }
}

TEST(DmcGroupBFinger, ZeroRandomAndScriptedReturns) {
  EXPECT_EQ(mean_return("finger_spin", Actions::kZero, 2), 0.0);
  const double random = mean_return("finger_spin", Actions::kRandom, 2);
  const double scripted = mean_return("finger_spin", Actions::kScripted, 4);
  EXPECT_LT(random, 50.0);
  EXPECT_GT(scripted, 300.0);
  EXPECT_GT(scripted, random + 250.0);
}

TEST(DmcGroupBFinger, TurnWithZeroActionIsAllOrNothing) {
  // Nothing moves without action (no gravity): each episode earns 1000 if the
  // tip starts in the target and 0 otherwise.
  int hits = 0;
  for (uint64_t seed = 0; seed < 12; ++seed) {
    Task t("finger_turn_easy", seed);
    const bool inside = t.obs[11] <= 0.0f;
    double ret = 0.0;
    for (int k = 0; k < 1000; ++k) ret += t.step().reward;
    EXPECT_EQ(ret, inside ? 1000.0 : 0.0) << "seed " << seed;
    hits += inside;
  }
  EXPECT_LT(hits, 12);
}

// ---------------------------------------------------------------------------
// fish_swim

TEST(DmcGroupBFish, ResetRandomisesOrientationJointsAndTarget) {
  for (uint64_t seed = 0; seed < 8; ++seed) {
    Task t("fish_swim", seed);
    const double* q = t.d()->qpos + t.qpos("root");
    EXPECT_NEAR(q[3] * q[3] + q[4] * q[4] + q[5] * q[5] + q[6] * q[6], 1.0, 1e-9);
    for (int i = 0; i < 7; ++i) EXPECT_LE(std::abs(t.obs[i]), 0.2f);  // fin and tail angles
    const double* target = t.d()->mocap_pos;
    EXPECT_LE(std::abs(target[0]), 0.4);
    EXPECT_LE(std::abs(target[1]), 0.4);
    EXPECT_GE(target[2], 0.1);
    EXPECT_LE(target[2], 0.3);
  }
}

// Places the fish upright at the origin with the target at `offset` (world frame).
void place_fish(Task& t, double x, double y, double z) {
  double* q = t.d()->qpos + t.qpos("root");
  q[0] = 0.0, q[1] = 0.0, q[2] = 0.1;
  q[3] = 1.0, q[4] = 0.0, q[5] = 0.0, q[6] = 0.0;
  for (int i = 0; i < t.m()->nv; ++i) t.d()->qvel[i] = 0.0;
  t.forward();
  const double* mouth = t.d()->geom_xpos + 3 * t.id(mjOBJ_GEOM, "mouth");
  t.d()->mocap_pos[0] = mouth[0] + x;
  t.d()->mocap_pos[1] = mouth[1] + y;
  t.d()->mocap_pos[2] = mouth[2] + z;
  t.forward();
}

TEST(DmcGroupBFish, RewardCombinesInTargetAndUpright) {
  Task t("fish_swim");
  // Target on the mouth of an upright fish: both terms are 1.
  place_fish(t, 0.0, 0.0, 0.0);
  EXPECT_NEAR(t.step().reward, 1.0, 1e-4);
  EXPECT_NEAR(t.obs[7], 1.0, 1e-4);  // upright

  // Straight ahead (+y), 0.135 m = radii 0.045 + margin 0.09: in_target = 0.1.
  // The mouth capsule's frame has z along the fish's +y (its rotation is -90
  // degrees about x), so the target reads (0, 0, +d) in it; the transposed
  // rotation would give (0, 0, -d).
  place_fish(t, 0.0, 0.135, 0.0);
  const float r = t.step().reward;
  EXPECT_NEAR(t.obs[8], 0.0, 2e-3);
  EXPECT_NEAR(t.obs[9], 0.0, 2e-3);
  EXPECT_NEAR(t.obs[10], 0.135, 2e-3);
  const double dist = std::sqrt(t.obs[8] * t.obs[8] + t.obs[9] * t.obs[9] + t.obs[10] * t.obs[10]);
  const double expected = (7.0 * gaussian_tail(dist - 0.045, 0.09) + 0.5 * (1.0 + t.obs[7])) / 8.0;
  EXPECT_NEAR(r, expected, 1e-4);
  EXPECT_NEAR(r, (0.7 + 1.0) / 8.0, 0.01);

  // Upside down, target far away: almost nothing.
  place_fish(t, 0.3, 0.3, 0.2);
  double* q = t.d()->qpos + t.qpos("root");
  q[3] = 0.0, q[4] = 1.0;  // 180 degrees about x
  t.forward();
  EXPECT_LT(t.step().reward, 0.01f);
  EXPECT_NEAR(t.obs[7], -1.0, 1e-3);
}

TEST(DmcGroupBFish, ZeroAndRandomReturnsAreLow) {
  EXPECT_LT(mean_return("fish_swim", Actions::kZero, 2), 400.0);
  EXPECT_LT(mean_return("fish_swim", Actions::kRandom, 2), 300.0);
}

// ---------------------------------------------------------------------------
// hopper_stand, hopper_hop

// Upright, legs straight (knee at its 5 degree limit), foot just off the floor.
void place_hopper_upright(Task& t, double forward_speed) {
  for (int i = 0; i < t.m()->nq; ++i) t.d()->qpos[i] = 0.0;
  for (int i = 0; i < t.m()->nv; ++i) t.d()->qvel[i] = 0.0;
  t.d()->qpos[t.qpos("knee")] = 5.0 * kPi / 180.0;
  t.d()->qvel[t.qvel("rootx")] = forward_speed;
  t.forward();
}

double hopper_height(Task& t) {
  return t.d()->xipos[3 * t.id(mjOBJ_BODY, "torso") + 2] - t.d()->xipos[3 * t.id(mjOBJ_BODY, "foot") + 2];
}

TEST(DmcGroupBHopper, StandRewardsHeightAndSmallControls) {
  Task t("hopper_stand");
  place_hopper_upright(t, 0.0);
  EXPECT_FLOAT_EQ(t.step(0.0f).reward, 1.0f);
  EXPECT_GT(hopper_height(t), 0.6);

  place_hopper_upright(t, 0.0);
  // All controls 0.5: mean(1 - u^2) = 0.75, reward (0.75 + 4) / 5 = 0.95.
  EXPECT_NEAR(t.step(0.5f).reward, 0.95, 1e-6);

  // Lying on its side near the floor: torso no higher than the foot.
  place_hopper_upright(t, 0.0);
  t.d()->qpos[t.qpos("rooty")] = kPi / 2;
  t.d()->qpos[t.qpos("rootz")] = -0.85;
  t.forward();
  EXPECT_FLOAT_EQ(t.step(0.0f).reward, 0.0f);
  EXPECT_LT(hopper_height(t), 0.6);
}

TEST(DmcGroupBHopper, HopRewardsForwardSpeedWhileUpright) {
  Task t("hopper_hop");
  place_hopper_upright(t, 3.0);
  EXPECT_FLOAT_EQ(t.step().reward, 1.0f);

  place_hopper_upright(t, 1.5);
  const float r = t.step().reward;
  const double speed = t.sensor("torso_subtreelinvel");
  EXPECT_NEAR(speed, 1.5, 0.1);
  // Linear, 1 at 2 m/s and 0.5 at 1 m/s.
  EXPECT_NEAR(r, 1.0 - 0.5 * (2.0 - speed), 1e-6);

  place_hopper_upright(t, 0.0);
  EXPECT_FLOAT_EQ(t.step().reward, 0.0f);  // standing still: 0.5 at 1 m/s falls to 0 at 0 m/s
}

TEST(DmcGroupBHopper, ResetRandomisesPitchAndJointsWithinLimits) {
  int pitched_back = 0, pitched_forward = 0;
  for (uint64_t seed = 0; seed < 16; ++seed) {
    Task t("hopper_stand", seed);
    EXPECT_EQ(t.d()->qpos[t.qpos("rootx")], 0.0);
    EXPECT_EQ(t.d()->qpos[t.qpos("rootz")], 0.0);
    const double pitch = t.d()->qpos[t.qpos("rooty")];
    EXPECT_LE(std::abs(pitch), kPi);
    pitched_back += pitch < -1.0;
    pitched_forward += pitch > 1.0;
    for (const char* j : {"waist", "hip", "knee", "ankle"}) {
      const int id = t.id(mjOBJ_JOINT, j);
      const double q = t.d()->qpos[t.m()->jnt_qposadr[id]];
      EXPECT_GE(q, t.m()->jnt_range[2 * id]);
      EXPECT_LE(q, t.m()->jnt_range[2 * id + 1]);
    }
  }
  EXPECT_GT(pitched_back, 0);
  EXPECT_GT(pitched_forward, 0);
}

TEST(DmcGroupBHopper, ZeroAndRandomReturnsAreLow) {
  EXPECT_LT(mean_return("hopper_stand", Actions::kZero, 4), 100.0);
  EXPECT_LT(mean_return("hopper_hop", Actions::kRandom, 4), 20.0);
}

// ---------------------------------------------------------------------------
// walker_stand, walker_walk, walker_run

// Upright with straight legs, feet on the floor, torso at 1.3 m.
void place_walker(Task& t, double pitch, double height_change, double forward_speed) {
  for (int i = 0; i < t.m()->nq; ++i) t.d()->qpos[i] = 0.0;
  for (int i = 0; i < t.m()->nv; ++i) t.d()->qvel[i] = 0.0;
  t.d()->qpos[t.qpos("rooty")] = pitch;
  t.d()->qpos[t.qpos("rootz")] = height_change;
  t.d()->qvel[t.qvel("rootx")] = forward_speed;
  t.forward();
}

// Stand reward computed by hand from the observation (torso xx = zz for a
// planar body; obs[14] is the torso height).
double walker_stand_reward(const std::vector<float>& obs) {
  const double height = obs[14];
  const double standing = height >= 1.2 ? 1.0 : gaussian_tail(1.2 - height, 0.6);
  return (3.0 * standing + 0.5 * (1.0 + obs[0])) / 4.0;
}

TEST(DmcGroupBWalker, StandRewardsHeightAndUprightness) {
  Task t("walker_stand");
  place_walker(t, 0.0, 0.0, 0.0);
  EXPECT_FLOAT_EQ(t.step().reward, 1.0f);
  EXPECT_NEAR(t.obs[14], 1.3, 0.01);
  EXPECT_NEAR(t.obs[0], 1.0, 1e-4);

  // Upside down, torso still high: standing 1, upright 0 -> 0.75.
  place_walker(t, kPi, 0.0, 0.0);
  EXPECT_NEAR(t.step().reward, 0.75, 1e-3);

  // Lying flat near the floor.
  place_walker(t, kPi / 2, -1.2, 0.0);
  const float r = t.step().reward;
  EXPECT_NEAR(r, walker_stand_reward(t.obs), 1e-5);
  EXPECT_NEAR(r, 0.125, 0.01);
}

TEST(DmcGroupBWalker, WalkAndRunScaleTheStandRewardBySpeed) {
  Task walk("walker_walk"), run("walker_run");
  place_walker(walk, 0.0, 0.0, 2.0);
  EXPECT_FLOAT_EQ(walk.step().reward, 1.0f);
  place_walker(walk, 0.0, 0.0, 0.0);  // upright but still: (5 * 0 + 1) / 6
  EXPECT_NEAR(walk.step().reward, 1.0 / 6.0, 1e-6);

  // Linear: 1 at 8 m/s, 0.5 at 4 m/s. Lifted 2 cm so that no foot friction
  // slows it during the step.
  place_walker(run, 0.0, 0.02, 6.0);
  const float r = run.step().reward;
  const double speed = run.sensor("torso_subtreelinvel");
  EXPECT_NEAR(speed, 6.0, 0.1);
  const double move = 1.0 - 0.5 * (8.0 - speed) / 4.0;
  EXPECT_NEAR(r, walker_stand_reward(run.obs) * (5.0 * move + 1.0) / 6.0, 1e-5);
  EXPECT_NEAR(r, (5.0 * 0.75 + 1.0) / 6.0, 0.01);
}

TEST(DmcGroupBWalker, ObservationIsOrientationsHeightAndVelocities) {
  Task t("walker_walk", 2);
  const mjModel* m = t.m();
  ASSERT_EQ(m->nbody, 8);  // world + 7 bodies
  for (int b = 1; b < m->nbody; ++b) {
    EXPECT_FLOAT_EQ(t.obs[2 * (b - 1)], static_cast<float>(t.d()->xmat[9 * b]));
    EXPECT_FLOAT_EQ(t.obs[2 * (b - 1) + 1], static_cast<float>(t.d()->xmat[9 * b + 2]));
  }
  EXPECT_FLOAT_EQ(t.obs[14], static_cast<float>(t.d()->xpos[3 * 1 + 2]));
  for (int i = 0; i < m->nv; ++i) EXPECT_FLOAT_EQ(t.obs[15 + i], static_cast<float>(t.d()->qvel[i]));
  // Random pitch, dropped from the default 1.3 m.
  EXPECT_EQ(t.d()->qpos[t.qpos("rootz")], 0.0);
  EXPECT_NE(t.d()->qpos[t.qpos("rooty")], 0.0);
}

TEST(DmcGroupBWalker, ZeroAndRandomReturnsAreLow) {
  // Lying on the floor keeps about (0 + upright) / 4 per step for stand.
  EXPECT_LT(mean_return("walker_stand", Actions::kZero, 2), 400.0);
  EXPECT_LT(mean_return("walker_walk", Actions::kRandom, 2), 100.0);
  EXPECT_LT(mean_return("walker_run", Actions::kZero, 2), 100.0);
}

}  // namespace
}  // namespace fpo
