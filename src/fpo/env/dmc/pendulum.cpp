// DeepMind Control Suite pendulum swingup: a torque-limited pendulum starts at
// a uniformly random angle; reward 1 while the pole is within 8 degrees of
// upright, else 0.
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
const double kCosineBound = std::cos(8.0 * kPi / 180.0);

class Pendulum final : public MujocoTask {
 public:
  explicit Pendulum(ModelPtr model)
      : MujocoTask(std::move(model), kSubsteps),
        hinge_q_(qpos_adr("hinge")),
        hinge_v_(qvel_adr("hinge")),
        pole_(body_id("pole")) {}

 protected:
  void initialize_episode(Rng& rng) override { data()->qpos[hinge_q_] = uniform(rng, -kPi, kPi); }

  // [pole cos (zz), pole sin (xz), angular velocity]
  void observe(float* obs) const override {
    const mjData* d = data();
    obs[0] = static_cast<float>(d->xmat[9 * pole_ + 8]);
    obs[1] = static_cast<float>(d->xmat[9 * pole_ + 2]);
    obs[2] = static_cast<float>(d->qvel[hinge_v_]);
  }

  double reward() const override { return tolerance(data()->xmat[9 * pole_ + 8], kCosineBound, 1.0); }

 private:
  int hinge_q_, hinge_v_, pole_;
};

// Energy pumping, then a PD catch near upright. Angle 0 is upright; the bob
// (1 kg at 0.5 m) needs m g l = 4.9 Nm to hold horizontal, the motor gives 1 Nm.
void swingup_action(const float* obs, float* action) {
  const double theta = std::atan2(obs[1], obs[0]), vel = obs[2];
  double u;
  if (obs[0] > std::cos(0.5)) {
    u = -8.0 * theta - 1.5 * vel;
  } else {
    constexpr double inertia = 0.251, mgl = 1.0 * 9.81 * 0.5;
    const double energy = 0.5 * inertia * vel * vel + mgl * (obs[0] - 1.0);
    // Push along the motion while short of the upright energy, brake beyond it.
    u = -energy * 5.0 * (vel >= 0 ? 1.0 : -1.0);
  }
  action[0] = static_cast<float>(std::clamp(u, -1.0, 1.0));
}

}  // namespace

void register_pendulum(EnvRegistry& registry) {
  registry.add("pendulum_swingup", [](const EnvOptions&) {
    const std::string name = "pendulum_swingup";
    ModelPtr model = load_embedded_model(name, "pendulum.xml");
    EnvFactory f;
    f.spec.name = name;
    f.spec.obs_dim = 3;
    f.spec.act_dim = 1;
    f.spec.control_dt = control_dt(model.get(), kSubsteps);
    f.spec.max_episode_steps = kEpisodeSteps;
    f.spec.reward_summary = "1 while the pole is within 8 degrees of upright, else 0";
    f.make = [model]() -> std::unique_ptr<Env> { return std::make_unique<Pendulum>(model); };
    f.scripted = swingup_action;
    return f;
  });
}

}  // namespace fpo::dmc
