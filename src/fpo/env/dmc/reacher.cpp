// DeepMind Control Suite reacher (easy / hard): put the fingertip of a
// two-link planar arm on a randomly placed target. Sparse reward: 1 while the
// fingertip touches the target (centre distance <= target + finger radius).
#include <algorithm>
#include <cmath>
#include <memory>

#include "fpo/env/dmc/mujoco_task.h"
#include "fpo/env/dmc/tolerance.h"
#include "fpo/env/registry.h"

namespace fpo::dmc {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int kSubsteps = 1;         // control step = physics step = 0.02 s
constexpr int kEpisodeSteps = 1000;  // 20 s
constexpr double kBigTarget = 0.05;    // reacher_easy
constexpr double kSmallTarget = 0.015;  // reacher_hard
constexpr double kLink = 0.12;          // shoulder->wrist and wrist->fingertip

class Reacher final : public MujocoTask {
 public:
  Reacher(ModelPtr model, double target_size)
      : MujocoTask(std::move(model), kSubsteps),
        shoulder_q_(qpos_adr("shoulder")),
        wrist_q_(qpos_adr("wrist")),
        shoulder_v_(qvel_adr("shoulder")),
        wrist_v_(qvel_adr("wrist")),
        wrist_j_(joint_id("wrist")),
        finger_(geom_id("finger")),
        // The target geom is shared by all instances, so its radius and
        // position live here rather than in the model (they only enter
        // observation and reward: contacts are off).
        radii_(target_size + this->model()->geom_size[3 * geom_id("finger")]) {}

 protected:
  void initialize_episode(Rng& rng) override {
    const mjModel* m = model();
    mjData* d = data();
    d->qpos[shoulder_q_] = uniform(rng, -kPi, kPi);
    d->qpos[wrist_q_] = uniform(rng, m->jnt_range[2 * wrist_j_], m->jnt_range[2 * wrist_j_ + 1]);
    const double angle = uniform(rng, 0.0, 2.0 * kPi);
    const double radius = uniform(rng, 0.05, 0.20);
    target_[0] = radius * std::sin(angle);
    target_[1] = radius * std::cos(angle);
  }

  // [shoulder, wrist angles, target - fingertip (x, y), shoulder, wrist velocities]
  void observe(float* obs) const override {
    const mjData* d = data();
    obs[0] = static_cast<float>(d->qpos[shoulder_q_]);
    obs[1] = static_cast<float>(d->qpos[wrist_q_]);
    obs[2] = static_cast<float>(target_[0] - d->geom_xpos[3 * finger_]);
    obs[3] = static_cast<float>(target_[1] - d->geom_xpos[3 * finger_ + 1]);
    obs[4] = static_cast<float>(d->qvel[shoulder_v_]);
    obs[5] = static_cast<float>(d->qvel[wrist_v_]);
  }

  double reward() const override {
    const mjData* d = data();
    const double dx = target_[0] - d->geom_xpos[3 * finger_], dy = target_[1] - d->geom_xpos[3 * finger_ + 1];
    return tolerance(std::hypot(dx, dy), 0.0, radii_);
  }

 private:
  int shoulder_q_, wrist_q_, shoulder_v_, wrist_v_, wrist_j_, finger_;
  double radii_;
  double target_[2] = {0.0, 0.0};
};

double wrap_angle(double a) { return std::remainder(a, 2.0 * kPi); }

// Inverse kinematics for the target (recovered from the observation), then a
// joint-space PD. Of the two elbow solutions, keep the one on the side of the
// current wrist angle so the arm never swings through the wrist limit.
void reach_action(const float* obs, float* action) {
  const double q1 = obs[0], q2 = obs[1];
  const double fx = kLink * (std::cos(q1) + std::cos(q1 + q2)), fy = kLink * (std::sin(q1) + std::sin(q1 + q2));
  const double tx = fx + obs[2], ty = fy + obs[3];
  const double r2 = tx * tx + ty * ty;
  const double c2 = std::clamp((r2 - 2.0 * kLink * kLink) / (2.0 * kLink * kLink), -1.0, 1.0);
  const double q2_goal = (q2 >= 0.0 ? 1.0 : -1.0) * std::acos(c2);
  const double q1_goal = std::atan2(ty, tx) - std::atan2(std::sin(q2_goal), 1.0 + std::cos(q2_goal));
  const double e1 = wrap_angle(q1_goal - q1), e2 = q2_goal - q2;
  action[0] = static_cast<float>(std::clamp(4.0 * e1 - 0.4 * obs[4], -1.0, 1.0));
  action[1] = static_cast<float>(std::clamp(4.0 * e2 - 0.4 * obs[5], -1.0, 1.0));
}

EnvFactory make_reacher(const std::string& name, double target_size) {
  ModelPtr model = load_embedded_model(name, "reacher.xml");
  EnvFactory f;
  f.spec.name = name;
  f.spec.obs_dim = 6;
  f.spec.act_dim = 2;
  f.spec.control_dt = control_dt(model.get(), kSubsteps);
  f.spec.max_episode_steps = kEpisodeSteps;
  f.spec.reward_summary = "1 while fingertip-target distance <= " + std::to_string(target_size + 0.01).substr(0, 5) +
                          " m (target + finger radius), else 0";
  f.make = [model, target_size]() -> std::unique_ptr<Env> { return std::make_unique<Reacher>(model, target_size); };
  f.scripted = reach_action;
  return f;
}

}  // namespace

void register_reacher(EnvRegistry& registry) {
  registry.add("reacher_easy", [](const EnvOptions&) { return make_reacher("reacher_easy", kBigTarget); });
  registry.add("reacher_hard", [](const EnvOptions&) { return make_reacher("reacher_hard", kSmallTarget); });
}

}  // namespace fpo::dmc
