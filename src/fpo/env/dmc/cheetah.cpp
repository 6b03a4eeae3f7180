// DeepMind Control Suite "cheetah" domain: cheetah_run.
// Reward: forward speed of the centre of mass, linear from 0 at rest to 1 at
// 10 m/s and above. Observation: joint positions without the x coordinate
// (translation invariance), then all joint velocities.
#include <limits>
#include <memory>
#include <string>

#include "fpo/common/error.h"
#include "fpo/env/dmc/mujoco_task.h"
#include "fpo/env/dmc/tolerance.h"
#include "fpo/env/registry.h"

namespace fpo::dmc {
namespace {

constexpr double kRunSpeed = 10.0;    // m/s at and above which the reward is 1
constexpr int kSettleSteps = 200;     // physics steps after the random pose
constexpr int kObsDim = 17;           // qpos[1:] (8) + qvel (9)
constexpr int kActDim = 6;

class CheetahRun final : public MujocoTask {
 public:
  explicit CheetahRun(ModelPtr model)
      : MujocoTask(std::move(model), /*n_substeps=*/1), speed_adr_(sensor_adr("torso_subtreelinvel")) {}

  int reset_physics_steps() const override { return kSettleSteps; }

 protected:
  void initialize_episode(Rng& rng) override {
    const mjModel* m = model();
    mjData* d = data();
    // Only the leg joints are limited; the planar root stays at its default.
    for (int j = 0; j < m->njnt; ++j) {
      if (m->jnt_limited[j]) d->qpos[m->jnt_qposadr[j]] = uniform(rng, m->jnt_range[2 * j], m->jnt_range[2 * j + 1]);
    }
    // Let the random pose fall and settle (zero control) before the episode.
    for (int k = 0; k < reset_physics_steps(); ++k) mj_step(m, d);
    d->time = 0.0;
  }

  void observe(float* obs) const override {
    const mjModel* m = model();
    const mjData* d = data();
    int k = 0;
    for (int i = 1; i < m->nq; ++i) obs[k++] = static_cast<float>(d->qpos[i]);
    for (int i = 0; i < m->nv; ++i) obs[k++] = static_cast<float>(d->qvel[i]);
  }

  double reward() const override {
    const double speed = data()->sensordata[speed_adr_];
    return tolerance(speed, kRunSpeed, std::numeric_limits<double>::infinity(), kRunSpeed, Sigmoid::kLinear, 0.0);
  }

 private:
  int speed_adr_;
};

// A two-state reflex gait: the back shin's angle and direction of motion
// pick one of two fixed torque patterns (it turns at -0.66 and -0.03 rad).
// Found by a small random search over such oscillators; it bounds forward at
// roughly 2-3 m/s (mean return ~220 of 1000), enough to check the reward.
void run_controller(const float* obs, float* action) {
  constexpr float kLowerTurn = -0.66f, kUpperTurn = -0.03f;  // back shin angle, rad
  constexpr float kPatternA[kActDim] = {1, 0, 0, -1, 0, -1};   // while the shin angle rises
  constexpr float kPatternB[kActDim] = {-1, -1, -1, -1, 0, 0};
  const float shin = obs[3], shin_vel = obs[12];  // qpos[4], qvel[4]
  const bool rising = shin < kLowerTurn ? true : (shin > kUpperTurn ? false : shin_vel > 0.0f);
  for (int i = 0; i < kActDim; ++i) action[i] = rising ? kPatternA[i] : kPatternB[i];
}

EnvFactory make_cheetah_run() {
  ModelPtr model = load_embedded_model("cheetah_run", "cheetah.xml");
  if (model->nq != kObsDim - model->nv + 1 || model->nu != kActDim) {
    throw Error("cheetah.xml: expected nq + nv - 1 = 17 and nu = 6, got nq=" + std::to_string(model->nq) +
                " nv=" + std::to_string(model->nv) + " nu=" + std::to_string(model->nu));
  }
  EnvFactory f;
  f.spec.name = "cheetah_run";
  f.spec.obs_dim = kObsDim;
  f.spec.act_dim = kActDim;
  f.spec.control_dt = control_dt(model.get(), 1);
  f.spec.max_episode_steps = 1000;
  f.spec.reward_summary = "forward centre-of-mass speed: linear from 0 at rest to 1 at >= 10 m/s";
  f.make = [model] { return std::make_unique<CheetahRun>(model); };
  f.scripted = run_controller;
  return f;
}

}  // namespace

void register_cheetah(EnvRegistry& registry) {
  registry.add("cheetah_run", [](const EnvOptions&) { return make_cheetah_run(); });
}

}  // namespace fpo::dmc
