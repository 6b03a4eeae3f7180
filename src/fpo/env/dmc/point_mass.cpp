// DeepMind Control Suite point_mass (easy): drive a damped planar point mass
// from a random position to the target at the origin with little control.
#include <algorithm>
#include <cmath>
#include <memory>

#include "fpo/env/dmc/mujoco_task.h"
#include "fpo/env/dmc/tolerance.h"
#include "fpo/env/registry.h"

namespace fpo::dmc {

namespace {

constexpr int kSubsteps = 1;         // control step = physics step = 0.02 s
constexpr int kEpisodeSteps = 1000;  // 20 s

class PointMass final : public MujocoTask {
 public:
  explicit PointMass(ModelPtr model)
      : MujocoTask(std::move(model), kSubsteps),
        target_(geom_id("target")),
        mass_(geom_id("pointmass")),
        target_size_(this->model()->geom_size[3 * target_]) {}

 protected:
  // Both slides are limited: uniform over their ranges (DMC's joint randomiser).
  void initialize_episode(Rng& rng) override {
    const mjModel* m = model();
    for (int j = 0; j < m->njnt; ++j) {
      data()->qpos[m->jnt_qposadr[j]] = uniform(rng, m->jnt_range[2 * j], m->jnt_range[2 * j + 1]);
    }
  }

  // [qpos x, qpos y, qvel x, qvel y]
  void observe(float* obs) const override {
    const mjData* d = data();
    for (int i = 0; i < 2; ++i) obs[i] = static_cast<float>(d->qpos[i]);
    for (int i = 0; i < 2; ++i) obs[2 + i] = static_cast<float>(d->qvel[i]);
  }

  double reward() const override {
    const mjData* d = data();
    double dist2 = 0.0;
    for (int k = 0; k < 3; ++k) {
      const double diff = d->geom_xpos[3 * target_ + k] - d->geom_xpos[3 * mass_ + k];
      dist2 += diff * diff;
    }
    const double near_target = tolerance(std::sqrt(dist2), 0.0, target_size_, target_size_);
    double control = 0.0;
    for (int i = 0; i < 2; ++i) control += tolerance(d->ctrl[i], 0.0, 0.0, 1.0, Sigmoid::kQuadratic, 0.0);
    const double small_control = (control / 2.0 + 4.0) / 5.0;
    return near_target * small_control;
  }

 private:
  int target_, mass_;
  double target_size_;
};

// Proportional-derivative steering to the origin. The joints are heavily
// damped (1 N s/m against 0.1 N of force), so the velocity term is small.
void steer_action(const float* obs, float* action) {
  for (int i = 0; i < 2; ++i) {
    action[i] = static_cast<float>(std::clamp(-30.0 * obs[i] - 1.0 * obs[2 + i], -1.0, 1.0));
  }
}

}  // namespace

void register_point_mass(EnvRegistry& registry) {
  registry.add("point_mass", [](const EnvOptions&) {
    const std::string name = "point_mass";
    ModelPtr model = load_embedded_model(name, "point_mass.xml");
    EnvFactory f;
    f.spec.name = name;
    f.spec.obs_dim = 4;
    f.spec.act_dim = 2;
    f.spec.control_dt = control_dt(model.get(), kSubsteps);
    f.spec.max_episode_steps = kEpisodeSteps;
    f.spec.reward_summary =
        "tol(dist to target, [0, 0.015], margin 0.015, gaussian) * (4 + mean tol(u, quadratic)) / 5";
    f.make = [model]() -> std::unique_ptr<Env> { return std::make_unique<PointMass>(model); };
    f.scripted = steer_action;
    return f;
  });
}

}  // namespace fpo::dmc
