// DeepMind Control Suite "hopper" domain: hopper_stand, hopper_hop.
// standing = 1 while the torso is 0.6..2 m above the foot (centres of mass),
// else 0. stand: standing * (4 + mean(1 - ctrl^2)) / 5.
// hop: standing * forward speed term (linear, 1 at >= 2 m/s, 0.5 at 1 m/s).
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

constexpr int kNSubsteps = 4;        // 0.02 s control step / 0.005 s physics step
constexpr double kStandHeight = 0.6;  // torso over foot, m
constexpr double kHopSpeed = 2.0;     // m/s
constexpr int kObsDim = 15;           // qpos[1:] 6, qvel 7, touch 2
constexpr int kActDim = 4;

class Hopper final : public MujocoTask {
 public:
  Hopper(ModelPtr model, bool hopping)
      : MujocoTask(std::move(model), kNSubsteps),
        hopping_(hopping),
        torso_(body_id("torso")),
        foot_(body_id("foot")),
        speed_adr_(sensor_adr("torso_subtreelinvel")),
        toe_adr_(sensor_adr("touch_toe")),
        heel_adr_(sensor_adr("touch_heel")) {}

 protected:
  // The suite's joint randomisation: limited joints uniform in their range,
  // the unlimited pitch hinge uniform in [-pi, pi], the root slides untouched.
  void initialize_episode(Rng& rng) override { randomize_limited_and_rotational_joints(rng); }

  void observe(float* obs) const override {
    const mjModel* m = model();
    const mjData* d = data();
    int k = 0;
    for (int i = 1; i < m->nq; ++i) obs[k++] = static_cast<float>(d->qpos[i]);  // all but x
    for (int i = 0; i < m->nv; ++i) obs[k++] = static_cast<float>(d->qvel[i]);
    obs[k++] = static_cast<float>(std::log1p(d->sensordata[toe_adr_]));
    obs[k++] = static_cast<float>(std::log1p(d->sensordata[heel_adr_]));
  }

  double reward() const override {
    const mjModel* m = model();
    const mjData* d = data();
    const double height = d->xipos[3 * torso_ + 2] - d->xipos[3 * foot_ + 2];
    const double standing = tolerance(height, kStandHeight, 2.0);
    if (hopping_) {
      const double speed = d->sensordata[speed_adr_];
      return standing * tolerance(speed, kHopSpeed, std::numeric_limits<double>::infinity(), kHopSpeed / 2,
                                  Sigmoid::kLinear, 0.5);
    }
    double small_control = 0.0;
    for (int i = 0; i < m->nu; ++i) small_control += tolerance(d->ctrl[i], 0.0, 0.0, 1.0, Sigmoid::kQuadratic, 0.0);
    small_control /= m->nu;
    return standing * (small_control + 4.0) / 5.0;
  }

 private:
  bool hopping_;
  int torso_, foot_, speed_adr_, toe_adr_, heel_adr_;
};

EnvFactory make_hopper(const std::string& name, bool hopping) {
  ModelPtr model = load_embedded_model(name, "hopper.xml");
  if (model->nq + model->nv + 1 != kObsDim || model->nu != kActDim) {
    throw Error("hopper.xml: expected nq + nv = 14 and nu = 4, got nq=" + std::to_string(model->nq) +
                " nv=" + std::to_string(model->nv) + " nu=" + std::to_string(model->nu));
  }
  EnvFactory f;
  f.spec.name = name;
  f.spec.obs_dim = kObsDim;
  f.spec.act_dim = kActDim;
  f.spec.control_dt = control_dt(model.get(), kNSubsteps);
  f.spec.max_episode_steps = 1000;
  f.spec.reward_summary =
      hopping ? "torso 0.6-2 m above foot (0/1) * forward speed (linear, 1 at >= 2 m/s, 0.5 at 1 m/s)"
              : "torso 0.6-2 m above foot (0/1) * (4 + mean(1 - ctrl^2)) / 5";
  f.make = [model, hopping] { return std::make_unique<Hopper>(model, hopping); };
  return f;
}

}  // namespace

void register_hopper(EnvRegistry& registry) {
  registry.add("hopper_stand", [](const EnvOptions&) { return make_hopper("hopper_stand", false); });
  registry.add("hopper_hop", [](const EnvOptions&) { return make_hopper("hopper_hop", true); });
}

}  // namespace fpo::dmc
