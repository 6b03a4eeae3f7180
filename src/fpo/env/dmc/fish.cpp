// DeepMind Control Suite "fish" domain: fish_swim. A fish in a dense fluid
// (no gravity, no contacts) must bring its mouth to a randomly placed target.
// Reward: (7 * in_target + upright) / 8, with in_target a Gaussian tolerance
// on the mouth-target distance (1 within 0.045 m, 0.1 at 0.135 m) and upright
// = (1 + z-axis alignment of the torso) / 2.
#include <cmath>
#include <memory>
#include <string>

#include "fpo/common/error.h"
#include "fpo/env/dmc/mujoco_task.h"
#include "fpo/env/dmc/tolerance.h"
#include "fpo/env/registry.h"

namespace fpo::dmc {
namespace {

constexpr int kNSubsteps = 10;  // 0.04 s control step / 0.004 s physics step
constexpr int kNumJoints = 7;
// Fin and tail joints in observation order (= their order in qpos).
constexpr const char* kJoints[kNumJoints] = {"tail1",          "tail_twist",   "tail2",         "finright_roll",
                                             "finright_pitch", "finleft_roll", "finleft_pitch"};
constexpr double kJointInitRange = 0.2;  // initial fin/tail angles uniform in +-0.2 rad
constexpr int kObsDim = 24;              // joints 7, upright 1, target 3, qvel 13
constexpr int kActDim = 5;

class FishSwim final : public MujocoTask {
 public:
  explicit FishSwim(ModelPtr model)
      : MujocoTask(std::move(model), kNSubsteps),
        root_qpos_(qpos_adr("root")),
        torso_(body_id("torso")),
        mouth_(geom_id("mouth")),
        target_geom_(geom_id("target")) {
    for (int i = 0; i < kNumJoints; ++i) joint_qpos_[i] = qpos_adr(kJoints[i]);
    const mjModel* m = this->model();
    target_mocap_ = m->body_mocapid[m->geom_bodyid[target_geom_]];
    if (target_mocap_ < 0) throw Error("fish.xml: the 'target' geom must sit on a mocap body");
    radii_ = m->geom_size[3 * mouth_] + m->geom_size[3 * target_geom_];
  }

 protected:
  void initialize_episode(Rng& rng) override {
    mjData* d = data();
    // Uniformly random orientation: a normalised 4-D Gaussian.
    double q[4];
    double norm = 0.0;
    for (double& c : q) {
      c = normal(rng);
      norm += c * c;
    }
    norm = std::sqrt(norm);
    for (int i = 0; i < 4; ++i) d->qpos[root_qpos_ + 3 + i] = q[i] / norm;
    for (int i = 0; i < kNumJoints; ++i) d->qpos[joint_qpos_[i]] = uniform(rng, -kJointInitRange, kJointInitRange);
    double* target = d->mocap_pos + 3 * target_mocap_;
    target[0] = uniform(rng, -0.4, 0.4);
    target[1] = uniform(rng, -0.4, 0.4);
    target[2] = uniform(rng, 0.1, 0.3);
  }

  void observe(float* obs) const override {
    const mjModel* m = model();
    const mjData* d = data();
    int k = 0;
    for (int i = 0; i < kNumJoints; ++i) obs[k++] = static_cast<float>(d->qpos[joint_qpos_[i]]);
    obs[k++] = static_cast<float>(upright());
    double local[3];
    mouth_to_target(local);
    for (double v : local) obs[k++] = static_cast<float>(v);
    for (int i = 0; i < m->nv; ++i) obs[k++] = static_cast<float>(d->qvel[i]);
  }

  double reward() const override {
    double local[3];
    mouth_to_target(local);
    const double dist = std::sqrt(local[0] * local[0] + local[1] * local[1] + local[2] * local[2]);
    const double in_target = tolerance(dist, 0.0, radii_, 2.0 * radii_);
    const double is_upright = 0.5 * (upright() + 1.0);
    return (7.0 * in_target + is_upright) / 8.0;
  }

 private:
  // z-z entry of the torso's rotation: 1 upright, -1 upside down.
  double upright() const { return data()->xmat[9 * torso_ + 8]; }

  // Vector from mouth to target in the mouth's frame (R^T * world vector).
  void mouth_to_target(double* local) const {
    const mjData* d = data();
    double world[3];
    for (int i = 0; i < 3; ++i) world[i] = d->geom_xpos[3 * target_geom_ + i] - d->geom_xpos[3 * mouth_ + i];
    mju_mulMatTVec(local, d->geom_xmat + 9 * mouth_, world, 3, 3);
  }

  int root_qpos_, torso_, mouth_, target_geom_, target_mocap_ = -1;
  int joint_qpos_[kNumJoints];
  double radii_;
};

EnvFactory make_fish_swim() {
  ModelPtr model = load_embedded_model("fish_swim", "fish.xml");
  if (model->nv != 13 || model->nu != kActDim) {
    throw Error("fish.xml: expected nv = 13 and nu = 5, got nv=" + std::to_string(model->nv) +
                " nu=" + std::to_string(model->nu));
  }
  EnvFactory f;
  f.spec.name = "fish_swim";
  f.spec.obs_dim = kObsDim;
  f.spec.act_dim = kActDim;
  f.spec.control_dt = control_dt(model.get(), kNSubsteps);
  f.spec.max_episode_steps = 1000;
  f.spec.reward_summary = "(7 * mouth-in-target (Gaussian, radius 0.045 m, margin 0.09 m) + (1 + upright) / 2) / 8";
  f.make = [model] { return std::make_unique<FishSwim>(model); };
  return f;
}

}  // namespace

void register_fish(EnvRegistry& registry) {
  registry.add("fish_swim", [](const EnvOptions&) { return make_fish_swim(); });
}

}  // namespace fpo::dmc
