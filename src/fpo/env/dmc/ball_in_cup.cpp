// DeepMind Control Suite ball_in_cup (catch): swing a ball tied to a planar
// cup by a string into the cup. Sparse reward: 1 while the ball's centre is
// inside the cup's target box (shrunk by the ball radius), else 0.
#include <algorithm>
#include <cmath>
#include <memory>

#include "fpo/common/error.h"
#include "fpo/env/dmc/mujoco_task.h"
#include "fpo/env/registry.h"

namespace fpo::dmc {

namespace {

constexpr int kSubsteps = 10;        // control step 0.02 s over physics steps of 0.002 s
constexpr int kEpisodeSteps = 1000;  // 20 s
constexpr int kMaxPlacementTries = 10000;

class BallInCup final : public MujocoTask {
 public:
  explicit BallInCup(ModelPtr model)
      : MujocoTask(std::move(model), kSubsteps),
        ball_x_(qpos_adr("ball_x")),
        ball_z_(qpos_adr("ball_z")),
        ball_body_(body_id("ball")),
        target_(site_id("target")) {
    const mjModel* m = this->model();
    const double ball_radius = m->geom_size[3 * geom_id("ball")];
    half_x_ = m->site_size[3 * target_] - ball_radius;
    half_z_ = m->site_size[3 * target_ + 2] - ball_radius;
  }

 protected:
  // Ball somewhere near the cup, resampled until it touches nothing.
  void initialize_episode(Rng& rng) override {
    const mjModel* m = model();
    mjData* d = data();
    for (int tries = 0; tries < kMaxPlacementTries; ++tries) {
      d->qpos[ball_x_] = uniform(rng, -0.2, 0.2);
      d->qpos[ball_z_] = uniform(rng, 0.2, 0.5);
      mj_forward(m, d);
      if (d->ncon == 0) return;
    }
    throw Error("ball_in_cup: no contact-free ball position found in " + std::to_string(kMaxPlacementTries) +
                " tries; the model's cup or ball placement is broken");
  }

  // [cup x, cup z, ball x, ball z, and their velocities] (joint order of the model)
  void observe(float* obs) const override {
    const mjModel* m = model();
    const mjData* d = data();
    for (int i = 0; i < m->nq; ++i) obs[i] = static_cast<float>(d->qpos[i]);
    for (int i = 0; i < m->nv; ++i) obs[m->nq + i] = static_cast<float>(d->qvel[i]);
  }

  double reward() const override {
    const mjData* d = data();
    const double dx = d->site_xpos[3 * target_] - d->xpos[3 * ball_body_];
    const double dz = d->site_xpos[3 * target_ + 2] - d->xpos[3 * ball_body_ + 2];
    return (std::abs(dx) < half_x_ && std::abs(dz) < half_z_) ? 1.0 : 0.0;
  }

 private:
  int ball_x_, ball_z_, ball_body_, target_;
  double half_x_ = 0.0, half_z_ = 0.0;
};

// Swing the ball up, then catch it. Positions are joint offsets: the cup body
// rests at z 0.6, the ball body at z 0.2 and the string is tied 0.108 below the
// cup body, so the ball relative to the string's anchor is
// (ball_x - cup_x, ball_z - cup_z - 0.292).
//  - Ball below the anchor: pump the swing like a pendulum, pushing the cup
//    against theta' cos(theta) horizontally, and raising the cup while the
//    ball is near the bottom of its arc (string tension high) and lowering it
//    elsewhere, which feeds energy in.
//  - Ball above the anchor: hold the cup under the ball (spring-compensated
//    PD on a point slightly ahead of it) and drop the cup so the ball lands in.
void catch_action(const float* obs, float* action) {
  const double cup_x = obs[0], cup_z = obs[1], ball_x = obs[2], ball_z = obs[3];
  const double cup_vx = obs[4], cup_vz = obs[5], ball_vx = obs[6], ball_vz = obs[7];
  const double px = ball_x - cup_x, pz = ball_z - cup_z - 0.292;
  double ux, uz;
  if (pz > 0.0) {
    const double x_goal = ball_x + 0.1 * ball_vx;
    // Force = 20 N/m spring compensation + 30 N/m PD; the motor gives 5 N per unit.
    ux = (20.0 * x_goal + 30.0 * (x_goal - cup_x) - 2.0 * cup_vx) / 5.0;
    uz = -1.0;
  } else {
    const double vx = ball_vx - cup_vx, vz = ball_vz - cup_vz;
    const double phi = std::atan2(px, -pz);  // swing angle, 0 hanging straight down
    const double phi_dot = (vx * (-pz) + vz * px) / (px * px + pz * pz + 1e-9);
    ux = (phi_dot * std::cos(phi) > 0.0 ? -1.0 : 1.0) - 0.2 * cup_x;
    uz = std::cos(phi) > 0.8 ? 1.0 : -1.0;
  }
  action[0] = static_cast<float>(std::clamp(ux, -1.0, 1.0));
  action[1] = static_cast<float>(std::clamp(uz, -1.0, 1.0));
}

}  // namespace

void register_ball_in_cup(EnvRegistry& registry) {
  registry.add("ball_in_cup", [](const EnvOptions&) {
    const std::string name = "ball_in_cup";
    ModelPtr model = load_embedded_model(name, "ball_in_cup.xml");
    EnvFactory f;
    f.spec.name = name;
    f.spec.obs_dim = 8;
    f.spec.act_dim = 2;
    f.spec.control_dt = control_dt(model.get(), kSubsteps);
    f.spec.max_episode_steps = kEpisodeSteps;
    f.spec.reward_summary = "1 while the ball is inside the cup, else 0";
    f.make = [model]() -> std::unique_ptr<Env> { return std::make_unique<BallInCup>(model); };
    f.scripted = catch_action;
    return f;
  });
}

}  // namespace fpo::dmc
