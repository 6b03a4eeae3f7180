// DeepMind Control Suite acrobot swingup: a two-link pendulum with a passive
// shoulder and an actuated elbow starts at random angles and must raise its
// tip into the target sphere above the shoulder. Smooth reward: 1 inside the
// target, Gaussian fall-off (0.1 at 1 m beyond its surface) outside.
#include <cmath>
#include <memory>

#include "fpo/env/dmc/mujoco_task.h"
#include "fpo/env/dmc/tolerance.h"
#include "fpo/env/registry.h"

namespace fpo::dmc {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int kSubsteps = 1;         // control step = physics step = 0.01 s
constexpr int kEpisodeSteps = 1000;  // 10 s

class Acrobot final : public MujocoTask {
 public:
  explicit Acrobot(ModelPtr model)
      : MujocoTask(std::move(model), kSubsteps),
        shoulder_q_(qpos_adr("shoulder")),
        elbow_q_(qpos_adr("elbow")),
        shoulder_v_(qvel_adr("shoulder")),
        elbow_v_(qvel_adr("elbow")),
        upper_(body_id("upper_arm")),
        lower_(body_id("lower_arm")),
        tip_(site_id("tip")),
        target_(site_id("target")),
        target_radius_(this->model()->site_size[3 * target_]) {}

 protected:
  void initialize_episode(Rng& rng) override {
    data()->qpos[shoulder_q_] = uniform(rng, -kPi, kPi);
    data()->qpos[elbow_q_] = uniform(rng, -kPi, kPi);
  }

  // [upper xz, lower xz, upper zz, lower zz, shoulder vel, elbow vel]:
  // horizontal then vertical components of each link's axis (sines, cosines of
  // the absolute link angles from upright).
  void observe(float* obs) const override {
    const mjData* d = data();
    obs[0] = static_cast<float>(d->xmat[9 * upper_ + 2]);
    obs[1] = static_cast<float>(d->xmat[9 * lower_ + 2]);
    obs[2] = static_cast<float>(d->xmat[9 * upper_ + 8]);
    obs[3] = static_cast<float>(d->xmat[9 * lower_ + 8]);
    obs[4] = static_cast<float>(d->qvel[shoulder_v_]);
    obs[5] = static_cast<float>(d->qvel[elbow_v_]);
  }

  double reward() const override {
    const mjData* d = data();
    double dist2 = 0.0;
    for (int k = 0; k < 3; ++k) {
      const double diff = d->site_xpos[3 * target_ + k] - d->site_xpos[3 * tip_ + k];
      dist2 += diff * diff;
    }
    return tolerance(std::sqrt(dist2), 0.0, target_radius_, 1.0);
  }

 private:
  int shoulder_q_, elbow_q_, shoulder_v_, elbow_v_, upper_, lower_, tip_, target_;
  double target_radius_;
};

}  // namespace

void register_acrobot(EnvRegistry& registry) {
  registry.add("acrobot_swingup", [](const EnvOptions&) {
    const std::string name = "acrobot_swingup";
    ModelPtr model = load_embedded_model(name, "acrobot.xml");
    EnvFactory f;
    f.spec.name = name;
    f.spec.obs_dim = 6;
    f.spec.act_dim = 1;
    f.spec.control_dt = control_dt(model.get(), kSubsteps);
    f.spec.max_episode_steps = kEpisodeSteps;
    f.spec.reward_summary = "tol(tip-target distance, [0, 0.2], margin 1, gaussian)";
    f.make = [model]() -> std::unique_ptr<Env> { return std::make_unique<Acrobot>(model); };
    return f;  // no simple controller: swinging up an acrobot needs a planner
  });
}

}  // namespace fpo::dmc
