// DeepMind Control Suite cartpole: balance (start near upright) and swingup
// (start hanging down), both with the smooth reward
//   upright * centered * small_control * small_velocity.
#include <algorithm>
#include <cmath>
#include <memory>

#include "fpo/env/dmc/mujoco_task.h"
#include "fpo/env/dmc/tolerance.h"
#include "fpo/env/registry.h"

namespace fpo::dmc {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int kSubsteps = 1;  // DMC uses the physics step (0.01 s) as control step
constexpr int kEpisodeSteps = 1000;  // 10 s

class Cartpole final : public MujocoTask {
 public:
  Cartpole(ModelPtr model, bool swing_up)
      : MujocoTask(std::move(model), kSubsteps),
        swing_up_(swing_up),
        slider_q_(qpos_adr("slider")),
        hinge_q_(qpos_adr("hinge_1")),
        slider_v_(qvel_adr("slider")),
        hinge_v_(qvel_adr("hinge_1")),
        pole_(body_id("pole_1")) {}

 protected:
  void initialize_episode(Rng& rng) override {
    mjData* d = data();
    if (swing_up_) {
      d->qpos[slider_q_] = 0.01 * normal(rng);
      d->qpos[hinge_q_] = kPi + 0.01 * normal(rng);
    } else {
      d->qpos[slider_q_] = uniform(rng, -0.1, 0.1);
      d->qpos[hinge_q_] = uniform(rng, -0.034, 0.034);
    }
    // A small random velocity breaks the symmetry of the hanging start.
    for (int i = 0; i < model()->nv; ++i) d->qvel[i] = 0.01 * normal(rng);
  }

  // [cart x, pole cos, pole sin, cart velocity, pole angular velocity]
  void observe(float* obs) const override {
    const mjData* d = data();
    const mjtNum* r = d->xmat + 9 * pole_;
    obs[0] = static_cast<float>(d->qpos[slider_q_]);
    obs[1] = static_cast<float>(r[8]);  // zz: cosine of the angle from upright
    obs[2] = static_cast<float>(r[2]);  // xz: sine, positive when leaning to +x
    obs[3] = static_cast<float>(d->qvel[slider_v_]);
    obs[4] = static_cast<float>(d->qvel[hinge_v_]);
  }

  double reward() const override {
    const mjData* d = data();
    const double upright = (d->xmat[9 * pole_ + 8] + 1.0) / 2.0;
    const double centered = (1.0 + tolerance(d->qpos[slider_q_], 0.0, 0.0, 2.0)) / 2.0;
    const double small_control =
        (4.0 + tolerance(d->ctrl[0], 0.0, 0.0, 1.0, Sigmoid::kQuadratic, 0.0)) / 5.0;
    const double small_velocity = (1.0 + tolerance(d->qvel[hinge_v_], 0.0, 0.0, 5.0)) / 2.0;
    return upright * centered * small_control * small_velocity;
  }

 private:
  bool swing_up_;
  int slider_q_, hinge_q_, slider_v_, hinge_v_, pole_;
};

double clip1(double u) { return std::clamp(u, -1.0, 1.0); }

// LQR about the upright equilibrium: discrete-time gains for this model
// (linearised by finite differences at dt = 0.01, Q = I, R = 1), on the state
// (x, theta, x', theta'); positive theta leans to +x, positive action pushes to +x.
double balance_action(const float* obs) {
  const double theta = std::atan2(obs[2], obs[1]);
  return clip1(0.888 * obs[0] + 9.217 * theta + 1.504 * obs[3] + 2.570 * obs[4]);
}

// Swing-up: pump energy into the pole (Astrom-Furuta rule) while pulling the
// cart back to the centre, then hand over to the LQR near upright.
double swingup_action(const float* obs) {
  const double cos_t = obs[1], x = obs[0], xd = obs[3], td = obs[4];
  if (cos_t > 0.85) return balance_action(obs);
  // Pole energy relative to upright at rest: m = 0.1, l = 0.5, I_pivot ~ m L^2 / 3.
  constexpr double m = 0.1, l = 0.5, inertia = 0.1 / 3.0, g = 9.81;
  const double energy = 0.5 * inertia * td * td + m * g * l * (cos_t - 1.0);
  // Cart acceleration that raises the energy: opposite in sign to theta' cos(theta).
  const double accel = std::clamp(40.0 * energy * td * cos_t, -12.0, 12.0);
  // Force ~ (cart + pole mass) * accel; 10 N per unit of action.
  return clip1(1.1 * accel / 10.0 - 0.3 * x - 0.2 * xd);
}

EnvFactory make_cartpole(const std::string& name, bool swing_up) {
  ModelPtr model = load_embedded_model(name, "cartpole.xml");
  EnvFactory f;
  f.spec.name = name;
  f.spec.obs_dim = 5;
  f.spec.act_dim = 1;
  f.spec.control_dt = control_dt(model.get(), kSubsteps);
  f.spec.max_episode_steps = kEpisodeSteps;
  f.spec.reward_summary =
      "(1+cos)/2 * (1+tol(x,margin 2))/2 * (4+tol(u,quadratic))/5 * (1+tol(pole vel,margin 5))/2";
  f.make = [model, swing_up]() -> std::unique_ptr<Env> { return std::make_unique<Cartpole>(model, swing_up); };
  if (swing_up) {
    f.scripted = [](const float* obs, float* action) { action[0] = static_cast<float>(swingup_action(obs)); };
  } else {
    f.scripted = [](const float* obs, float* action) { action[0] = static_cast<float>(balance_action(obs)); };
  }
  return f;
}

}  // namespace

void register_cartpole(EnvRegistry& registry) {
  registry.add("cartpole_balance", [](const EnvOptions&) { return make_cartpole("cartpole_balance", false); });
  registry.add("cartpole_swingup", [](const EnvOptions&) { return make_cartpole("cartpole_swingup", true); });
}

}  // namespace fpo::dmc
