// DeepMind Control Suite "walker" domain: walker_stand, walker_walk, walker_run.
// stand = (3 * standing + upright) / 4, standing a Gaussian tolerance on torso
// height (1 at >= 1.2 m, 0.1 at 0.6 m), upright = (1 + torso z-alignment) / 2.
// walk/run: stand * (5 * move + 1) / 6, move linear in forward speed (1 at
// >= 1 m/s walk or 8 m/s run, 0.5 at half that speed).
#include <cmath>
#include <limits>
#include <memory>
#include <string>

#include "fpo/common/error.h"
#include "fpo/env/dmc/mujoco_task.h"
#include "fpo/env/dmc/tolerance.h"
#include "fpo/env/registry.h"

namespace fpo::dmc {
namespace {

constexpr int kNSubsteps = 10;        // 0.025 s control step / 0.0025 s physics step
constexpr double kStandHeight = 1.2;  // m
constexpr double kWalkSpeed = 1.0;    // m/s
constexpr double kRunSpeed = 8.0;     // m/s
constexpr int kObsDim = 24;           // 7 bodies x (xx, xz) 14, torso height 1, qvel 9
constexpr int kActDim = 6;

class Walker final : public MujocoTask {
 public:
  Walker(ModelPtr model, double move_speed)
      : MujocoTask(std::move(model), kNSubsteps),
        move_speed_(move_speed),
        torso_(body_id("torso")),
        speed_adr_(sensor_adr("torso_subtreelinvel")) {}

 protected:
  // The suite's joint randomisation: limited joints uniform in their range,
  // the unlimited pitch hinge uniform in [-pi, pi], the root slides untouched
  // (so the walker starts 1.3 m up in a random orientation and falls).
  void initialize_episode(Rng& rng) override { randomize_limited_and_rotational_joints(rng); }

  void observe(float* obs) const override {
    const mjModel* m = model();
    const mjData* d = data();
    int k = 0;
    // Planar orientation of every body: the xx and xz entries of its rotation.
    for (int b = 1; b < m->nbody; ++b) {
      obs[k++] = static_cast<float>(d->xmat[9 * b + 0]);
      obs[k++] = static_cast<float>(d->xmat[9 * b + 2]);
    }
    obs[k++] = static_cast<float>(d->xpos[3 * torso_ + 2]);
    for (int i = 0; i < m->nv; ++i) obs[k++] = static_cast<float>(d->qvel[i]);
  }

  double reward() const override {
    const mjData* d = data();
    const double inf = std::numeric_limits<double>::infinity();
    const double standing = tolerance(d->xpos[3 * torso_ + 2], kStandHeight, inf, kStandHeight / 2);
    const double upright = (1.0 + d->xmat[9 * torso_ + 8]) / 2.0;
    const double stand_reward = (3.0 * standing + upright) / 4.0;
    if (move_speed_ == 0.0) return stand_reward;
    const double move =
        tolerance(d->sensordata[speed_adr_], move_speed_, inf, move_speed_ / 2, Sigmoid::kLinear, 0.5);
    return stand_reward * (5.0 * move + 1.0) / 6.0;
  }

 private:
  double move_speed_;
  int torso_, speed_adr_;
};

EnvFactory make_walker(const std::string& name, double move_speed, const std::string& summary) {
  ModelPtr model = load_embedded_model(name, "walker.xml");
  if (2 * (model->nbody - 1) + 1 + model->nv != kObsDim || model->nu != kActDim) {
    throw Error("walker.xml: expected 7 bodies, nv = 9 and nu = 6, got nbody-1=" + std::to_string(model->nbody - 1) +
                " nv=" + std::to_string(model->nv) + " nu=" + std::to_string(model->nu));
  }
  EnvFactory f;
  f.spec.name = name;
  f.spec.obs_dim = kObsDim;
  f.spec.act_dim = kActDim;
  f.spec.control_dt = control_dt(model.get(), kNSubsteps);
  f.spec.max_episode_steps = 1000;
  f.spec.reward_summary = summary;
  f.make = [model, move_speed] { return std::make_unique<Walker>(model, move_speed); };
  return f;
}

const char* const kStandSummary = "(3 * torso height >= 1.2 m (Gaussian, 0.1 at 0.6 m) + (1 + upright) / 2) / 4";

}  // namespace

void register_walker(EnvRegistry& registry) {
  registry.add("walker_stand", [](const EnvOptions&) { return make_walker("walker_stand", 0.0, kStandSummary); });
  registry.add("walker_walk", [](const EnvOptions&) {
    return make_walker("walker_walk", kWalkSpeed,
                       "stand reward * (1 + 5 * speed term (linear, 1 at >= 1 m/s, 0.5 at 0.5 m/s)) / 6");
  });
  registry.add("walker_run", [](const EnvOptions&) {
    return make_walker("walker_run", kRunSpeed,
                       "stand reward * (1 + 5 * speed term (linear, 1 at >= 8 m/s, 0.5 at 4 m/s)) / 6");
  });
}

}  // namespace fpo::dmc
