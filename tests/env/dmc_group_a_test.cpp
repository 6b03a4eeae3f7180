// Reward logic of the group A DeepMind Control tasks (cartpole, point_mass,
// reacher, ball_in_cup, pendulum, acrobot): hand-placed states give the
// hand-computed reward, scripted controllers earn high returns, and doing
// nothing earns little.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "fpo/env/dmc/mujoco_task.h"
#include "fpo/env/registry.h"
#include "fpo/env/vec_env.h"

namespace fpo {
namespace {

constexpr double kPi = 3.14159265358979323846;

enum class Policy { kScripted, kZero, kRandom };

// Mean return of full 1000-step episodes, one per env.
double mean_return(const std::string& name, Policy policy, int episodes, uint64_t seed = 17) {
  const EnvFactory f = EnvRegistry::global().make(name);
  if (policy == Policy::kScripted && !f.scripted) throw std::runtime_error(name + " has no scripted controller");
  const int ad = f.spec.act_dim, od = f.spec.obs_dim;
  VecEnv env(f, episodes, 2, seed);
  std::vector<float> actions(static_cast<size_t>(episodes) * ad, 0.0f);
  std::mt19937 rng(static_cast<uint32_t>(seed));
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  double total = 0.0;
  int finished = 0;
  for (int t = 0; t < f.spec.max_episode_steps; ++t) {
    for (int i = 0; i < episodes; ++i) {
      float* a = &actions[static_cast<size_t>(i) * ad];
      if (policy == Policy::kScripted) f.scripted(env.obs() + static_cast<size_t>(i) * od, a);
      if (policy == Policy::kRandom) {
        for (int k = 0; k < ad; ++k) a[k] = uniform(rng);
      }
    }
    env.step(actions.data());
    for (int i = 0; i < episodes; ++i) {
      if (env.done(i)) {
        total += env.episode_returns()[i];
        ++finished;
      }
    }
  }
  EXPECT_EQ(finished, episodes);
  EXPECT_EQ(env.unstable_steps(), 0);
  return total / finished;
}

// One env whose state a test sets by hand, then steps once.
class Placed {
 public:
  explicit Placed(const std::string& name) : factory_(EnvRegistry::global().make(name)), rng_(5) {
    env_ = factory_.make();
    task_ = dynamic_cast<dmc::MujocoTask*>(env_.get());
    if (!task_) throw std::runtime_error(name + " is not a MujocoTask");
    obs_.assign(factory_.spec.obs_dim, 0.0f);
    env_->reset(rng_, obs_.data());
  }
  // Sets the named joints (others keep their reset values), zero velocity.
  void place(const std::map<std::string, double>& qpos) {
    const mjModel* m = task_->model();
    mjData* d = task_->data();
    for (const auto& [joint, value] : qpos) {
      const int id = mj_name2id(m, mjOBJ_JOINT, joint.c_str());
      if (id < 0) throw std::runtime_error("no joint " + joint);
      d->qpos[m->jnt_qposadr[id]] = value;
    }
    for (int i = 0; i < m->nv; ++i) d->qvel[i] = 0.0;
    mj_forward(m, d);
  }
  float step(std::vector<float> action) {
    const StepResult r = env_->step(action.data(), rng_, obs_.data());
    EXPECT_FALSE(r.unstable);
    EXPECT_FALSE(r.terminated);
    return r.reward;
  }
  const std::vector<float>& obs() const { return obs_; }
  const mjData* data() const { return task_->data(); }
  const mjModel* model() const { return task_->model(); }

 private:
  EnvFactory factory_;
  std::unique_ptr<Env> env_;
  dmc::MujocoTask* task_ = nullptr;
  Rng rng_;
  std::vector<float> obs_;
};

// DMC's Gaussian tolerance at `d` margins beyond the bounds, value 0.1 at 1.
double gaussian_tol(double d) { return std::exp(-0.5 * d * d * (-2.0 * std::log(0.1))); }

// ---------------------------------------------------------------- cartpole

TEST(Cartpole, UprightCentredStillPoleEarnsOne) {
  Placed p("cartpole_balance");
  p.place({{"slider", 0.0}, {"hinge_1", 0.0}});
  EXPECT_NEAR(p.step({0.0f}), 1.0, 1e-4);
  // Observation layout: x, cos, sin, x', theta'.
  EXPECT_NEAR(p.obs()[0], 0.0, 1e-4);
  EXPECT_NEAR(p.obs()[1], 1.0, 1e-6);
  EXPECT_NEAR(p.obs()[2], 0.0, 1e-4);
}

TEST(Cartpole, RewardFactorsMultiply) {
  Placed p("cartpole_balance");
  // Horizontal pole: upright = (cos + 1) / 2 = 0.5.
  p.place({{"slider", 0.0}, {"hinge_1", kPi / 2}});
  EXPECT_NEAR(p.step({0.0f}), 0.5, 0.005);
  EXPECT_NEAR(p.obs()[2], 1.0, 1e-3);  // leaning to +x: sin > 0
  // Full control: small_control = (4 + 0) / 5.
  p.place({{"slider", 0.0}, {"hinge_1", kPi / 2}});
  EXPECT_NEAR(p.step({1.0f}), 0.5 * 0.8, 0.005);
  // Cart 1 m off centre, half the margin: centered = (1 + tol) / 2.
  p.place({{"slider", 1.0}, {"hinge_1", 0.0}});
  EXPECT_NEAR(p.step({0.0f}), (1.0 + gaussian_tol(0.5)) / 2.0, 1e-3);
  // Hanging pole: upright = 0.
  p.place({{"slider", 0.0}, {"hinge_1", kPi}});
  EXPECT_NEAR(p.step({0.0f}), 0.0, 1e-4);
}

TEST(Cartpole, BalanceControllerBeatsDoingNothing) {
  const double scripted = mean_return("cartpole_balance", Policy::kScripted, 8);
  const double zero = mean_return("cartpole_balance", Policy::kZero, 8);
  EXPECT_GT(scripted, 900.0);
  EXPECT_LT(zero, 800.0);  // the pole falls and swings (measured ~695)
  EXPECT_GT(scripted - zero, 200.0);
}

TEST(Cartpole, SwingupControllerEarnsHighReturn) {
  EXPECT_GT(mean_return("cartpole_swingup", Policy::kScripted, 8), 700.0);
  EXPECT_LT(mean_return("cartpole_swingup", Policy::kZero, 8), 20.0);  // hangs at the bottom
}

// -------------------------------------------------------------- point_mass

TEST(PointMass, AtTargetWithoutControlEarnsOne) {
  Placed p("point_mass");
  p.place({{"root_x", 0.0}, {"root_y", 0.0}});
  EXPECT_FLOAT_EQ(p.step({0.0f, 0.0f}), 1.0f);
  p.place({{"root_x", 0.0}, {"root_y", 0.0}});
  // One actuator at full force: small_control = (mean(0, 1) + 4) / 5 = 0.9.
  EXPECT_NEAR(p.step({1.0f, 0.0f}), 0.9, 1e-6);
}

TEST(PointMass, NearTargetFallsOffOverTheMargin) {
  Placed p("point_mass");
  // Target radius 0.015 and margin 0.015: at 0.03 from the centre the
  // Gaussian is at value_at_margin = 0.1; at 0.0225, half the margin.
  p.place({{"root_x", 0.03}, {"root_y", 0.0}});
  EXPECT_NEAR(p.step({0.0f, 0.0f}), 0.1, 1e-6);
  p.place({{"root_x", 0.0}, {"root_y", -0.0225}});
  EXPECT_NEAR(p.step({0.0f, 0.0f}), gaussian_tol(0.5), 1e-6);
  EXPECT_NEAR(p.obs()[1], -0.0225, 1e-6);  // layout: x, y, vx, vy
}

TEST(PointMass, SteeringBeatsZeroAndRandom) {
  EXPECT_GT(mean_return("point_mass", Policy::kScripted, 8), 700.0);
  EXPECT_LT(mean_return("point_mass", Policy::kZero, 8), 50.0);
  EXPECT_LT(mean_return("point_mass", Policy::kRandom, 8), 50.0);
}

// ----------------------------------------------------------------- reacher

// Joint angles that put the fingertip (two 0.12 m links) at (x, y).
std::map<std::string, double> reacher_ik(double x, double y) {
  const double l = 0.12;
  const double c2 = (x * x + y * y - 2 * l * l) / (2 * l * l);
  const double q2 = std::acos(std::max(-1.0, std::min(1.0, c2)));
  const double q1 = std::atan2(y, x) - std::atan2(std::sin(q2), 1.0 + std::cos(q2));
  return {{"shoulder", q1}, {"wrist", q2}};
}

// Target position, recovered from the observation (target - fingertip).
void reacher_target(const Placed& p, double* target) {
  const int finger = mj_name2id(p.model(), mjOBJ_GEOM, "finger");
  for (int k = 0; k < 2; ++k) target[k] = p.data()->geom_xpos[3 * finger + k] + p.obs()[2 + k];
}

TEST(Reacher, FingertipOnTargetEarnsOneAndAwayEarnsZero) {
  for (const char* name : {"reacher_easy", "reacher_hard"}) {
    Placed p(name);
    double target[2];
    reacher_target(p, target);
    const double r = std::hypot(target[0], target[1]);
    EXPECT_GE(r, 0.05 - 1e-6);
    EXPECT_LE(r, 0.20 + 1e-6);
    p.place(reacher_ik(target[0], target[1]));
    EXPECT_EQ(p.step({0.0f, 0.0f}), 1.0f) << name;
    EXPECT_NEAR(p.obs()[2], 0.0, 1e-4);
    EXPECT_NEAR(p.obs()[3], 0.0, 1e-4);
    // Fingertip on the far side of the base: at least 0.05 + 0.05 m away.
    p.place(reacher_ik(-0.05 * target[0] / r, -0.05 * target[1] / r));
    EXPECT_EQ(p.step({0.0f, 0.0f}), 0.0f) << name;
  }
}

TEST(Reacher, TouchRadiusIsTargetPlusFingerRadius) {
  // easy: 0.05 + 0.01, hard: 0.015 + 0.01.
  for (auto [name, radii] : {std::pair<const char*, double>{"reacher_easy", 0.06}, {"reacher_hard", 0.025}}) {
    Placed p(name);
    double target[2];
    reacher_target(p, target);
    const double r = std::hypot(target[0], target[1]);
    // Move the fingertip along the target's radius by just under / just over
    // the touch radius (outwards unless that leaves the arm's reach).
    const double dir = r < 0.17 ? 1.0 : -1.0;
    for (auto [offset, expected] : {std::pair<double, float>{radii - 0.002, 1.0f}, {radii + 0.002, 0.0f}}) {
      const double s = (r + dir * offset) / r;
      p.place(reacher_ik(s * target[0], s * target[1]));
      EXPECT_EQ(p.step({0.0f, 0.0f}), expected) << name << " offset " << offset;
    }
  }
}

TEST(Reacher, SteeringFarAboveRandom) {
  for (const char* name : {"reacher_easy", "reacher_hard"}) {
    const double scripted = mean_return(name, Policy::kScripted, 8);
    const double random = mean_return(name, Policy::kRandom, 8);
    EXPECT_GT(scripted, 800.0) << name;
    EXPECT_LT(random, 250.0) << name;
  }
}

// ------------------------------------------------------------- ball_in_cup

TEST(BallInCup, BallInsideCupEarnsOneOutsideZero) {
  Placed p("ball_in_cup");
  // Cup body at z 0.6, target box centre 0.05 below it; ball body at z 0.2,
  // so ball_z = 0.35 puts the ball at the box centre.
  p.place({{"cup_x", 0.0}, {"cup_z", 0.0}, {"ball_x", 0.0}, {"ball_z", 0.35}});
  EXPECT_EQ(p.step({0.0f, 0.0f}), 1.0f);
  EXPECT_NEAR(p.obs()[3], 0.35, 0.01);  // layout: cup x, z, ball x, z, velocities
  // 0.03 above the box centre: outside the half-height 0.05 - 0.025.
  p.place({{"cup_x", 0.0}, {"cup_z", 0.0}, {"ball_x", 0.0}, {"ball_z", 0.38}});
  EXPECT_EQ(p.step({0.0f, 0.0f}), 0.0f);
  // Ball hanging below the cup.
  p.place({{"cup_x", 0.0}, {"cup_z", 0.0}, {"ball_x", 0.0}, {"ball_z", 0.0}});
  EXPECT_EQ(p.step({0.0f, 0.0f}), 0.0f);
}

TEST(BallInCup, CatchControllerBeatsDoingNothing) {
  const double scripted = mean_return("ball_in_cup", Policy::kScripted, 8);
  const double zero = mean_return("ball_in_cup", Policy::kZero, 8);
  EXPECT_GT(scripted, 700.0);
  EXPECT_LT(zero, 500.0);  // only balls that start above the cup drop in
}

// ---------------------------------------------------------------- pendulum

TEST(Pendulum, RewardIsOneWithinEightDegreesOfUpright) {
  Placed p("pendulum_swingup");
  p.place({{"hinge", 0.0}});
  EXPECT_EQ(p.step({0.0f}), 1.0f);
  EXPECT_NEAR(p.obs()[0], 1.0, 1e-5);  // layout: cos, sin, velocity
  p.place({{"hinge", 7.5 * kPi / 180}});
  EXPECT_EQ(p.step({0.0f}), 1.0f);
  EXPECT_NEAR(p.obs()[1], std::sin(7.5 * kPi / 180), 3e-3);  // it starts to fall during the step
  p.place({{"hinge", -8.5 * kPi / 180}});
  EXPECT_EQ(p.step({0.0f}), 0.0f);
  p.place({{"hinge", kPi}});
  EXPECT_EQ(p.step({0.0f}), 0.0f);
}

TEST(Pendulum, SwingupControllerEarnsHighReturn) {
  EXPECT_GT(mean_return("pendulum_swingup", Policy::kScripted, 8), 600.0);
  EXPECT_LT(mean_return("pendulum_swingup", Policy::kZero, 8), 50.0);
}

// ----------------------------------------------------------------- acrobot

TEST(Acrobot, RewardFallsOffWithTipDistance) {
  Placed p("acrobot_swingup");
  p.place({{"shoulder", 0.0}, {"elbow", 0.0}});
  EXPECT_NEAR(p.step({0.0f}), 1.0, 1e-6);
  // Layout: horizontal (xz) of both links, vertical (zz) of both, velocities.
  EXPECT_NEAR(p.obs()[2], 1.0, 1e-6);
  EXPECT_NEAR(p.obs()[3], 1.0, 1e-6);
  // Elbow bent so the tip is 2 sin(q/2) = 0.7 m from the target centre:
  // 0.5 m beyond its 0.2 m radius, half the 1 m margin.
  p.place({{"shoulder", 0.0}, {"elbow", 2.0 * std::asin(0.35)}});
  EXPECT_NEAR(p.step({0.0f}), gaussian_tol(0.5), 0.01);
  EXPECT_NEAR(p.obs()[1], std::sin(2.0 * std::asin(0.35)), 3e-3);  // lower link, moving a little
  // Hanging down: the tip is 4 m away.
  p.place({{"shoulder", kPi}, {"elbow", 0.0}});
  EXPECT_LT(p.step({0.0f}), 1e-6);
}

TEST(Acrobot, DoingNothingEarnsLittle) {
  EXPECT_LT(mean_return("acrobot_swingup", Policy::kZero, 8), 50.0);
}

}  // namespace
}  // namespace fpo
